"""Template helpers for pages outside this app (the applicant's dashboard)."""

from django import template

from ..visibility import applications_for

register = template.Library()


@register.simple_tag(takes_context=True)
def my_applications(context, limit=10):
    """The signed-in person's visible applications, newest first (for dashboard panels)."""
    request = context.get("request")
    if request is None:
        return []
    return list(
        applications_for(request.user)
        .select_related("programme", "recommender")
        .prefetch_related("defence_slots__session")
        .order_by("-updated_at", "-pk")[:limit]
    )
