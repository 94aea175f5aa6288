"""Every cache of the portal, in one place: what it keeps, under which key, and why it can never
show anything older than the database.

Per process (``Kept`` below; a process keeps its own copy, nothing is shared between nodes):

- ``awards.services.ranking._KEPT`` — a programme's ranking figures. Key: the scores' version
  (``awards.services.scores.version``: the programme's append-only audit trail and the rows
  themselves, two witnesses), read afresh on every build; a different version recomputes. Why:
  the determination meeting reads the whole ranking again and again while nothing changes
  (1.1 s → 50 ms at 2,000 applications).
- ``awards.views.determination._TABLES`` — the rendered ranking table. Key: the ranking's
  signature (figures, overrides, names), the filter and the language. Why: rendering 2,000 rows is
  most of the page's time.
- ``awards.services.seal._KEPT`` — a programme's certificate seal as a data: URI (and its preview).
  Key: the stored file name, which is random and never reused (a new upload is a new name), so a
  name's image never changes. Why: every certificate of a ZIP, and the ranking page, print it.
- ``scoring.sheets._RUBRIC_ROWS`` — a rubric's rows as plain values. Key: (rubric, programme link,
  link's assigned_at); a linked rubric is frozen (services and admin refuse edits), and relinking
  makes a new key. Why: every score sheet GET and save reads the rubric.

Shared (Django's cache: Redis in production, so every node sees the same entry):

- ``portal.services.choices`` — the choice lists of the big forms, per language; a generation key
  changed when the reference data (programmes, categories, units) changes, and a TTL.
- ``portal.services.notify`` — each person's unread count; a generation key bumped by every new or
  read notification, and a TTL.
- ``awards.services.exports`` — the published results list as a file; keyed by the awards' count and
  latest change, the title, the language and the writer's version (a file written before a fix is
  never served).
- ``portal.throttle`` and django-axes — counters of attempts, not copies of data.

Process constants (``functools.lru_cache``: stylesheets, font metrics and faces, fastfields'
escaped attribute names) hold no data from the database.

A new per-process cache is a ``Kept`` here, with its reason in this docstring;
tests/system/test_architecture.py fails on a module-level dict used as one elsewhere.
"""

from collections.abc import Hashable
from typing import Any

MISSING = object()


class Kept:
    """Values computed from the database, each kept under its slot beside the key it was computed
    at; ``get`` answers MISSING unless the key is the same. Bounded: full, it starts over (the
    working set is a handful of programmes or rubrics, so eviction order does not matter)."""

    def __init__(self, name: str, max_entries: int = 8):
        self.name = name
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[Hashable, Any]] = {}

    def get(self, slot: Hashable, key: Hashable = None) -> Any:
        entry = self._entries.get(slot)
        return entry[1] if entry is not None and entry[0] == key else MISSING

    def put(self, slot: Hashable, value: Any, key: Hashable = None) -> Any:
        if slot not in self._entries and len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[slot] = (key, value)
        return value

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
