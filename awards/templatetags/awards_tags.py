"""Template helpers of the awards pages: published results for applicants, signed changes."""

from django import template

from awards.services import publication

register = template.Library()


@register.simple_tag
def published_results(applications):
    """[(application, award)] for one application or a list (awards.services.publication), for an
    include rendered on its own; the dashboard's view provides ``results`` itself (awards.dashboard)."""
    return publication.published_results(applications)


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
