"""Template helpers for the audit trail: actions and changes in words (portal.activity)."""

from django import template

from portal import activity

register = template.Library()


@register.filter
def describe(entry):
    """{{ entry|describe }} → "推荐了《伺服电机降噪攻关》"."""
    return activity.describe(entry)


@register.filter
def change_rows(changes, entry=None):
    """An entry's changes {field: [before, after]} as (label, before, after) rows in words. A template
    cannot say ``changes.items``: the lookup takes a key first, and ``score.discard`` records a
    change named "items" (the sheet's lines). ``entry`` (optional) names the model, for its labels."""
    return activity.changes(changes, entry or None)


@register.filter
def change_pairs(changes):
    """(field, [before, after]) pairs, as recorded (kept for templates not yet in words)."""
    return [(label, [before, after]) for label, before, after in activity.changes(changes, None)]
