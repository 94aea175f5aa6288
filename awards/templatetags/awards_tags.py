"""Template helpers of the awards pages: published results for applicants, signed changes."""

from django import template

from awards.models import Award
from awards.permissions import PUBLIC_STATUSES

register = template.Library()


@register.simple_tag
def published_results(applications):
    """[(application, award or None)] for one application or a list, in one query. Only programmes
    already published give a result: before that the template shows nothing (§5.2)."""
    if applications is None or applications == "":
        return []
    items = list(applications) if isinstance(applications, (list, tuple)) or hasattr(applications, "model") \
        else [applications]
    awards = {a.application_id: a for a in Award.objects.filter(
        application__in=[a.pk for a in items], programme__status__in=PUBLIC_STATUSES).select_related("programme")}
    return [(a, awards[a.pk]) for a in items if a.pk in awards]


@register.filter
def signed(value, digits=1):
    """+1.5 / −2.0 / 0; empty for None."""
    if value in (None, ""):
        return ""
    value = round(float(value), int(digits))
    if value == 0:
        return "0"
    return f"{'+' if value > 0 else '−'}{abs(value):.{int(digits)}f}"


@register.filter
def report_group(report, prefix):
    """The annual report's figures under one prefix (channel, category, level, money, tier, share)."""
    return report.group(prefix)
