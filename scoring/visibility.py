"""What experts and administrators may see of expert review: one query function per kind of object,
reused by every view. Anything outside answers 404.

An expert sees an application only through an assignment that is active, in a programme under
review (or being determined), after accepting that programme's pledge, and with no blocking
conflict for the pair. A conflicted expert sees nothing of the application: not in lists, counts,
pages or files. ``applications.visibility.applications_for`` delegates experts to
``applications_for_expert`` here, so application pages and evidence downloads follow the same rule.

Administrators see the review of the programmes they administer (portal.visibility.
administered_programmes): conflicts, panels, proposals, 现场答辩 sessions. Score sheets
(``score_sheets_for``), a finished review's tasks (``ended_assignments_for``) and an applicant's
答辩 slots (``slots_for``) are here too: every "who sees what" of this app is in this module.
"""

from django.db.models import Exists, OuterRef

from applications.models import Application
from applications.visibility import applications_for
from portal.models import Programme
from portal.models.users import Role
from portal.visibility import administered_programmes
from scoring.models import (
    Assignment,
    AssignmentProposal,
    AssignmentStatus,
    ConfidentialityPledge,
    ConflictOfInterest,
    DefenceSession,
    DefenceSlot,
    Panel,
)
from scoring.models.review import BLOCKING_CONFLICT_STATUSES
from scoring.permissions import ENDED_STATUSES, EXPERT_VISIBLE_STATUSES, expert_profile_of


def _blocked():
    """Exists(...) of a blocking conflict for the outer assignment's (expert, application)."""
    return Exists(ConflictOfInterest.objects.filter(
        expert_id=OuterRef("expert_id"), application_id=OuterRef("application_id"),
        status__in=BLOCKING_CONFLICT_STATUSES,
    ))


def _pledged(profile):
    """Exists(...) of ``profile``'s pledge for the outer assignment's programme."""
    return Exists(ConfidentialityPledge.objects.filter(
        expert=profile, programme_id=OuterRef("application__programme_id")))


def _unconflicted_active(profile, statuses=EXPERT_VISIBLE_STATUSES):
    """Active assignments of ``profile`` in programmes in ``statuses`` (under review), minus blocked
    pairs (the pledge is not required here: this is what the pledge gate looks at)."""
    return Assignment.objects.filter(
        expert=profile, status=AssignmentStatus.ACTIVE, application__programme__status__in=statuses,
    ).exclude(_blocked())


def pledge_gate_assignments(user):
    """Assignments an expert would see once the programme's pledge is accepted. Only the pledge
    gate (scoring.views.pledge.require_pledge) and the expert home's pledge prompt use this."""
    profile = expert_profile_of(user)
    if profile is None:
        return Assignment.objects.none()
    return _unconflicted_active(profile)


def assignments_for(user):
    """Experts: their visible assignments (see module doc). Administrators: every assignment in
    their organiser's programmes, any status; superusers: all. Others: none."""
    if not getattr(user, "is_authenticated", False):
        return Assignment.objects.none()
    if user.is_superuser:
        return Assignment.objects.all()
    if user.role == Role.ADMINISTRATOR:
        if not user.organiser_id:
            return Assignment.objects.none()
        return Assignment.objects.filter(application__programme__organiser_id=user.organiser_id)
    profile = expert_profile_of(user)
    if profile is None:
        return Assignment.objects.none()
    return _unconflicted_active(profile).filter(_pledged(profile))


def score_sheets_for(user):
    """Assignments whose score sheet the person may open: assignments_for — administrators those of
    their organiser's programmes (read-only, to reopen); experts their own active, pledged,
    unconflicted ones in a programme under review; no one else. Outside this queryset the sheet
    answers 404, so an expert never reaches another expert's score."""
    return assignments_for(user).select_related(
        "application__programme", "application__organisation", "expert__user")


def ended_assignments_for(user):
    """The expert's assignments that were in force (active, free of a blocking conflict, the
    pledge signed: what the expert could see during the review) when their programme's review
    ended (scoring.views.expert_home.after_review shows them read-only)."""
    profile = expert_profile_of(user)
    if profile is None:
        return Assignment.objects.none()
    return _unconflicted_active(profile, ENDED_STATUSES).filter(_pledged(profile))


def ended_programmes_for(user):
    """Programmes whose review has ended in which the expert had tasks (newest first)."""
    return Programme.objects.filter(
        Exists(ended_assignments_for(user).filter(application__programme_id=OuterRef("pk")))
    ).order_by("-year", "title")


def applications_for_expert(user):
    """The applications an expert may see: those of ``assignments_for(user)``."""
    if expert_profile_of(user) is None:
        return Application.objects.none()
    return Application.objects.filter(Exists(assignments_for(user).filter(application_id=OuterRef("pk"))))


def expert_programmes(user):
    """Programmes under review in which the expert has at least one visible (pledge aside)
    assignment: the expert home lists these with their pledge status."""
    return Programme.objects.filter(
        Exists(pledge_gate_assignments(user).filter(application__programme_id=OuterRef("pk")))
    ).order_by("-year", "title")


def conflicts_for(user):
    """The conflict register is for administrators (their organiser's programmes). Experts never
    list conflicts: a list would tell them what they are kept away from."""
    return ConflictOfInterest.objects.filter(application__programme__in=administered_programmes(user))


def panels_for(user):
    return Panel.objects.filter(programme__in=administered_programmes(user))


def proposals_for(user):
    return AssignmentProposal.objects.filter(programme__in=administered_programmes(user))


def review_job_visible(user, params) -> bool:
    """A background job about a programme's review (the automatic assignment's proposal) stays
    visible to the programme's administrators, whatever the programme's status now (portal.jobs)."""
    try:
        programme_id = int(params.get("programme_id"))
    except (TypeError, ValueError):
        return False
    return administered_programmes(user).filter(pk=programme_id).exists()


def sessions_for(user):
    """现场答辩 sessions. Administrators: those of the programmes they administer. Experts: the
    sessions they sit in. Applicants see slots, not sessions (slots_for)."""
    qs = DefenceSession.objects.select_related("programme", "panel")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.ADMINISTRATOR:
        return qs.filter(programme__in=administered_programmes(user))
    if user.role == Role.EXPERT:
        return qs.filter(experts__user_id=user.pk).distinct()
    return qs.none()


def slots_for(user):
    """An applicant's own 现场答辩 slots (their organisation's applications)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.APPLICANT:
        return DefenceSlot.objects.none()
    return (DefenceSlot.objects.filter(application__in=applications_for(user))
            .select_related("session", "application").order_by("starts_at"))
