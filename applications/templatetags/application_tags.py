"""Template helpers for pages outside this app: the applicant's dashboard panel rendered on its own
(the dashboard's view provides ``applications`` itself, through applications.dashboard)."""

from django import template

from ..dashboard import my_applications as applications_of

register = template.Library()


@register.simple_tag(takes_context=True)
def my_applications(context, limit=10):
    """The signed-in person's visible applications, newest first (applications.dashboard)."""
    request = context.get("request")
    if request is None:
        return []
    return applications_of(request.user, limit)
