"""Looking one application's result up in awards_tags.published_results (dashboard next steps)."""

from django import template

register = template.Library()


@register.filter
def award_of(results, application):
    """The published award of ``application`` in [(application, award)], or None."""
    return next((award for app, award in results or () if app.pk == application.pk), None)
