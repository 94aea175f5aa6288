"""What experts and administrators may see of expert review: one query function per kind of object,
reused by every view. Anything outside answers 404.

An expert sees an application only through an assignment that is active, in a programme under
review (or being determined), after accepting that programme's pledge, and with no blocking
conflict for the pair. A conflicted expert sees nothing of the application: not in lists, counts,
pages or files. ``applications.visibility.applications_for`` delegates experts to
``applications_for_expert`` here, so application pages and evidence downloads follow the same rule.
"""

from django.db.models import Exists, OuterRef

from applications.models import Application
from portal.models import Programme
from portal.models.users import Role
from scoring.models import (
    Assignment,
    AssignmentProposal,
    AssignmentStatus,
    ConfidentialityPledge,
    ConflictOfInterest,
    Panel,
)
from scoring.models.review import BLOCKING_CONFLICT_STATUSES
from scoring.permissions import EXPERT_VISIBLE_STATUSES, expert_profile_of


def _unconflicted_active(profile):
    """Active assignments of ``profile`` in programmes under review, minus blocked pairs
    (the pledge is not required here: this is what the pledge gate looks at)."""
    blocked = ConflictOfInterest.objects.filter(
        expert_id=OuterRef("expert_id"), application_id=OuterRef("application_id"),
        status__in=BLOCKING_CONFLICT_STATUSES,
    )
    return Assignment.objects.filter(
        expert=profile, status=AssignmentStatus.ACTIVE, application__programme__status__in=EXPERT_VISIBLE_STATUSES,
    ).exclude(Exists(blocked))


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
    pledged = ConfidentialityPledge.objects.filter(expert=profile, programme_id=OuterRef("application__programme_id"))
    return _unconflicted_active(profile).filter(Exists(pledged))


def screens_experts(user) -> bool:
    """Whether assignments_for(user) is the expert branch above: then an assignment read through it
    is active, pledged and free of blocking conflicts at the time of reading (scoring.services.
    scores.may_score need not ask again in the same request)."""
    return (getattr(user, "is_authenticated", False) and not user.is_superuser
            and user.role != Role.ADMINISTRATOR and expert_profile_of(user) is not None)


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


def review_programmes_for(user):
    """Programmes whose review an administrator manages (their organiser's; all for superusers)."""
    if not getattr(user, "is_authenticated", False):
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.all()
    if user.role == Role.ADMINISTRATOR and user.organiser_id:
        return Programme.objects.filter(organiser_id=user.organiser_id)
    return Programme.objects.none()


def conflicts_for(user):
    """The conflict register is for administrators (their organiser's programmes). Experts never
    list conflicts: a list would tell them what they are kept away from."""
    return ConflictOfInterest.objects.filter(application__programme__in=review_programmes_for(user))


def panels_for(user):
    return Panel.objects.filter(programme__in=review_programmes_for(user))


def proposals_for(user):
    return AssignmentProposal.objects.filter(programme__in=review_programmes_for(user))


def review_job_visible(user, params) -> bool:
    """A background job about a programme's review (the automatic assignment's proposal) stays
    visible to the programme's administrators, whatever the programme's status now (portal.jobs)."""
    try:
        programme_id = int(params.get("programme_id"))
    except (TypeError, ValueError):
        return False
    return review_programmes_for(user).filter(pk=programme_id).exists()
