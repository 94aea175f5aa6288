"""Template helpers for the audit trail."""

from django import template

register = template.Library()


@register.filter
def change_pairs(changes):
    """An entry's changes {field: [before, after]} as (field, [before, after]) pairs. A template
    cannot say ``changes.items``: the lookup takes a key first, and ``score.discard`` records a
    change named "items" (the sheet's lines)."""
    if not isinstance(changes, dict):
        return []
    pairs = []
    for field, pair in changes.items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            pair = [None, pair]  # a malformed row still shows, rather than breaking the page
        pairs.append((field, pair))
    return pairs
