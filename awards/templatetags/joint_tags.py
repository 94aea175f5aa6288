"""Joint applicants (联合申报单位) beside the awardee on the public pages, in one query per page:
``{% joint_names awards as joint %}`` then ``{{ joint|joint_of:award }}``."""

from django import template

from ..services.publication import joint_names as joint_names_of

register = template.Library()


@register.simple_tag
def joint_names(awards) -> dict[int, str]:
    """Application id → joint applicants' names for these awards (one query)."""
    return joint_names_of(award.application_id for award in awards)


@register.filter
def joint_of(names: dict, award) -> str:
    return names.get(award.application_id, "") if names else ""
