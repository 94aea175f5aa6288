"""Every cache in one place (issue 15): per-process caches are portal.kept.Kept instances, listed
with their reasons in portal/kept.py's docstring; no module keeps a bounded dict of its own."""

import ast
import importlib
from pathlib import Path

import pytest

import portal.kept
from portal.kept import MISSING, Kept

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "applications", "scoring", "awards")


def _hand_rolled_caches(source: str) -> list[str]:
    """Module-level names bound to a dict whose size the module checks (``len(NAME)``): the shape
    of a bounded cache. Registries filled at start-up never measure themselves."""
    tree = ast.parse(source)
    dicts = set()
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(value, ast.Dict) or (isinstance(value, ast.Call) and getattr(value.func, "id", "") == "dict"):
            dicts |= {t.id for t in targets if isinstance(t, ast.Name)}
    measured = {n.args[0].id for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "len"
                and n.args and isinstance(n.args[0], ast.Name)}
    return sorted(dicts & measured)


def test_the_detector_finds_a_bounded_dict_and_not_a_registry():
    cache = "_KEPT = {}\ndef f(k):\n    if len(_KEPT) >= 8:\n        _KEPT.clear()\n    _KEPT[k] = 1\n"
    registry = "REGISTRY: dict = {}\ndef register(name, f):\n    REGISTRY[name] = f\n"
    assert _hand_rolled_caches(cache) == ["_KEPT"]
    assert _hand_rolled_caches(registry) == []


def test_no_module_keeps_a_cache_of_its_own():
    found = {str(path.relative_to(ROOT)): names for app in APPS for path in sorted((ROOT / app).rglob("*.py"))
             if "migrations" not in path.parts and (names := _hand_rolled_caches(path.read_text(encoding="utf-8")))}
    assert found == {}, f"use portal.kept.Kept and list it in portal/kept.py: {found}"


@pytest.mark.parametrize(("module", "name"), [("awards.services.ranking", "_KEPT"),
                                              ("awards.views.determination", "_TABLES"),
                                              ("awards.services.seal", "_KEPT"),
                                              ("scoring.sheets", "_RUBRIC_ROWS")])
def test_each_kept_cache_is_listed_with_its_reason(module, name):
    assert isinstance(getattr(importlib.import_module(module), name), Kept)
    assert f"``{module}.{name}``" in portal.kept.__doc__


def test_kept_answers_only_for_the_same_key_and_starts_over_when_full():
    kept = Kept("test", max_entries=2)
    kept.put("a", 1, key=("v", 1))
    assert kept.get("a", ("v", 1)) == 1
    assert kept.get("a", ("v", 2)) is MISSING  # the database moved on: computed again
    kept.put("b", 2)
    kept.put("a", 3, key=("v", 2))  # replacing a slot does not evict
    assert len(kept) == 2 and kept.get("b") == 2
    kept.put("c", 4)
    assert len(kept) == 1 and kept.get("b") is MISSING and kept.get("c") == 4
