"""Which applications (and their files) each person may see. Every view starts from these;
anything outside answers 404."""

from django.db.models import Exists, OuterRef, Q

from portal.models.organisations import RecommendingUnitKind
from portal.models.users import Role
from portal.permissions import approved_membership

from .models import (
    Application,
    ApplicationStatus,
    DecisionKind,
    DuplicateCandidate,
    DuplicateStatus,
    Evidence,
    RecommendationDecision,
)

# Roles whose view of applications a later step of the procedure decides: scoring registers the
# experts' rule in its AppConfig.ready() (applications sits below scoring and does not import it).
ROLE_RULES = {}


def register_role_rule(role: str, applications_visible_to) -> None:
    ROLE_RULES[role] = applications_visible_to


def applications_for(user):
    """Superuser: all. Administrator: their organiser's programmes. Applicant: their approved
    organisation's. Recommender: past-draft applications naming their unit; a district bureau
    also its streets' once the street has endorsed them (in any round: a bureau that sent one
    back keeps seeing it). Experts: what scoring.visibility allows (assigned, pledged, not
    conflicted, programme under review)."""
    qs = Application.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.ADMINISTRATOR:
        return qs.filter(programme__organiser_id=user.organiser_id) if user.organiser_id else qs.none()
    if user.role == Role.RECOMMENDER:
        unit = user.recommending_unit
        if unit is None:
            return qs.none()
        names_unit = Q(recommender_id=unit.pk)
        if unit.kind == RecommendingUnitKind.DISTRICT_BUREAU:
            street_endorsed = RecommendationDecision.objects.filter(
                application=OuterRef("pk"), unit_id=OuterRef("recommender_id"), kind=DecisionKind.ENDORSE
            )
            names_unit |= Q(recommender__parent_id=unit.pk) & Q(Exists(street_endorsed))
        return qs.filter(names_unit).exclude(status=ApplicationStatus.DRAFT)
    if user.role == Role.APPLICANT:
        membership = approved_membership(user)
        return qs.filter(organisation_id=membership.organisation_id) if membership else qs.none()
    if user.role in ROLE_RULES:
        return ROLE_RULES[user.role](user)
    return qs.none()


def evidence_for(user):
    """Files of the visible applications, including ones withdrawn after a submission (an
    earlier version still lists them)."""
    return Evidence.all_objects.filter(application__in=applications_for(user))


def duplicates_for(user):
    """Open suspected duplicates (疑似重复) touching an application the person may review: recommenders
    and administrators (superusers: all). Experts and applicants: none. Of the other application the
    person learns more than its existence, year and channel only if applications_for shows it to
    them too (applications.services.duplicates.duplicate_entries)."""
    pairs = DuplicateCandidate.objects.filter(status=DuplicateStatus.OPEN)
    if not getattr(user, "is_authenticated", False):
        return pairs.none()
    if user.is_superuser:
        return pairs
    if user.role not in (Role.RECOMMENDER, Role.ADMINISTRATOR):
        return pairs.none()
    mine = applications_for(user).values("pk")
    return pairs.filter(Q(a__in=mine) | Q(b__in=mine))
