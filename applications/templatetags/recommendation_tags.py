"""Template helpers for the recommender's dashboard (templates/portal/dashboard/recommender.html)."""

from django import template

from portal.models import ProgrammeStatus
from portal.models.users import Role

from ..models import ApplicationStatus
from ..services.recommendation_queries import endorsement_count, recommender_programmes, status_counts
from ..visibility import applications_for

register = template.Library()


@register.simple_tag(takes_context=True)
def recommender_summary(context):
    """For each programme the unit recommends in now: counts per status of the unit's queue,
    endorsed / quota and the deadline (three queries per programme)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or user.role != Role.RECOMMENDER or user.recommending_unit_id is None:
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
