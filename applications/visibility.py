"""Which applications (and their files) each person may see. Every view starts from these;
anything outside answers 404."""

from django.db.models import Q

from portal.models.organisations import RecommendingUnitKind
from portal.models.users import Role
from portal.permissions import approved_membership

from .models import Application, ApplicationStatus, Evidence


def applications_for(user):
    """Superuser: all. Administrator: their organiser's programmes. Applicant: their approved
    organisation's. Recommender: past-draft applications naming their unit (a district bureau
    also its streets'). Experts: none yet (the review step assigns them)."""
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
            names_unit |= Q(recommender__parent_id=unit.pk)
        return qs.filter(names_unit).exclude(status=ApplicationStatus.DRAFT)
    if user.role == Role.APPLICANT:
        membership = approved_membership(user)
        return qs.filter(organisation_id=membership.organisation_id) if membership else qs.none()
    return qs.none()


def evidence_for(user):
    """Files of the visible applications, including ones withdrawn after a submission (an
    earlier version still lists them)."""
    return Evidence.all_objects.filter(application__in=applications_for(user))
