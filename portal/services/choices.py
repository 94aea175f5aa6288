"""Option lists of the big forms (project categories, a programme's recommending units), kept in
the cache: the form page is the most visited page near a deadline, and these lists change a few
times a year. Any change to the rows behind them starts a new generation (signals below), so a
list is never older than the last save; validation still reads the database (ModelChoiceField)."""

import time

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

from portal.models import Programme, ProjectCategory, RecommendingUnit

GENERATION_KEY = "choices:generation"
TTL = 60 * 60


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A fresh number, never one whose lists may still be cached from before an eviction.
        generation = time.time_ns()
        if not cache.add(GENERATION_KEY, generation, None):
            generation = cache.get(GENERATION_KEY, generation)
    return generation


def cached_choices(name: str, build) -> list[tuple]:
    """``build()`` → [(value, label)], cached per ``name``, language and generation."""
    key = f"choices:{_generation()}:{get_language()}:{name}"
    choices = cache.get(key)
    if choices is None:
        choices = [(value, str(label)) for value, label in build()]
        cache.set(key, choices, TTL)
    return choices


def forget_choices(**_kwargs) -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or evicted): the next read starts one
        cache.delete(GENERATION_KEY)


def connect() -> None:
    """Called from PortalConfig.ready."""
    for model in (ProjectCategory, RecommendingUnit):
        post_save.connect(forget_choices, sender=model, dispatch_uid=f"choices-save-{model.__name__}")
        post_delete.connect(forget_choices, sender=model, dispatch_uid=f"choices-delete-{model.__name__}")
    m2m_changed.connect(forget_choices, sender=Programme.accepted_units.through, dispatch_uid="choices-units")
