"""The applications app's part of the dashboards (portal.dashboards), registered by
``register_all()`` from ApplicationsConfig.ready(): the applicant's applications and the
recommender's per-programme summary, queried once in the view for the templates to read."""

from portal import dashboards
from portal.models import ProgrammeStatus
from portal.models.users import Role

from .models import ApplicationStatus
from .services.recommendation_queries import endorsement_count, recommender_programmes, status_counts
from .visibility import applications_for


def my_applications(user, limit: int = 10) -> list:
    """The person's visible applications, newest first, with what the dashboard shows of them
    (programme, recommender, defence slots)."""
    return list(
        applications_for(user)
        .select_related("programme", "recommender")
        .prefetch_related("defence_slots__session")
        .order_by("-updated_at", "-pk")[:limit]
    )


def recommender_summaries(user) -> list[dict]:
    """For each programme the unit recommends in now (at most five): counts per status of the
    unit's queue, what waits for the unit, and its live endorsements (two queries per programme)."""
    if user.role != Role.RECOMMENDER or user.recommending_unit_id is None:
        return []
    unit = user.recommending_unit
    labels = dict(ApplicationStatus.choices)
    summaries = []
    active = recommender_programmes(user).filter(status__in=[ProgrammeStatus.OPEN, ProgrammeStatus.RECOMMENDING])
    for programme in active.order_by("-year", "-pk")[:5]:
        counts = status_counts(applications_for(user).filter(programme=programme))
        summaries.append({
            "programme": programme,
            "counts": [(labels[status], n) for status, n in counts.items()],
            "pending": counts[ApplicationStatus.SUBMITTED] + (
                counts[ApplicationStatus.ENDORSED_BY_STREET] if unit.kind == "district_bureau" else 0),
            "endorsed": endorsement_count(programme, unit),
        })
    return summaries


def applicant(user, context) -> dict:
    return {"applications": my_applications(user)}


def recommender(user, context) -> dict:
    return {"summaries": recommender_summaries(user)}


def register_all() -> None:
    dashboards.register(Role.APPLICANT, applicant)
    dashboards.register(Role.RECOMMENDER, recommender)
