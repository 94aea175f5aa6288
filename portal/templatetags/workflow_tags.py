"""Workflow data in templates, without a query: a button names its move as the workflow does."""

from django import template

from portal.workflow import PROGRAMME_WORKFLOW

register = template.Library()


@register.filter
def programme_move_label(name: str) -> str:
    """``{{ "publish"|programme_move_label }}`` → "公布成果": the label of PROGRAMME_WORKFLOW's move.
    An unknown name fails loudly (KeyError), as a typo in a template should."""
    return PROGRAMME_WORKFLOW.transitions[name].label
