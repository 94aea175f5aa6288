"""The layers of the README's architecture page hold: import-linter's contract in pyproject.toml."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_each_step_imports_only_the_steps_before_it():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def test_the_models_and_their_migrations_agree():
    """A model change without its migration (a message, a choice, a field) fails here, not in production."""
    result = subprocess.run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


# ---- one home for each rule (issue #15) ----------------------------------------------------------

APPS = ("portal", "applications", "scoring", "awards")

# may_* functions that are not permission predicates of their app, each with why it stays where it is.
MAY_ALLOWED = {
    # Built on portal.visibility's querysets (an object's history is readable when its programme or
    # organisation is visible); portal.permissions cannot import portal.visibility, which imports it.
    ("portal/visibility.py", "may_read_history"),
    # Job kinds' request checks (portal.jobs.JobKind.can_request / still_visible): each reads the
    # job's parameters, looks its objects up and then asks the app's permission predicate.
    ("portal/jobs.py", "may_still_see"),
    ("applications/annex2/jobs.py", "may_request"),
    ("applications/documents/service.py", "may_request_render"),
    ("scoring/job_handlers.py", "may_request_auto_assign"),
    # To move to applications/permissions.py (a permission predicate; the move is the owner's of
    # applications/services/units.py): then delete this line.
}


def _functions():
    """(path relative to the repository, function node) of every function and method in the apps."""
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield path.relative_to(ROOT).as_posix(), node


def _first_argument(node) -> str:
    names = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    return names[0] if names else ""


def test_visibility_queries_live_in_visibility_modules():
    """A function named ``…_for(user, …)`` reads as "what this person may see": it lives in its app's
    visibility.py, where every such rule is found (a helper that builds something for a person is
    named otherwise, e.g. applications.services.duplicates.duplicate_entries)."""
    stray = [f"{path}:{node.lineno} {node.name}" for path, node in _functions()
             if node.name.endswith("_for") and _first_argument(node) == "user" and not path.endswith("/visibility.py")]
    assert not stray, "visibility queries outside a visibility.py module:\n" + "\n".join(stray)


def test_permission_predicates_live_in_permissions_modules():
    """``may_…`` predicates live in their app's permissions.py (or workflow.py, whose transitions
    name their guards); MAY_ALLOWED lists the few exceptions and why."""
    stray = [f"{path}:{node.lineno} {node.name}" for path, node in _functions()
             if node.name.startswith("may_") and not path.endswith(("/permissions.py", "/workflow.py"))
             and (path, node.name) not in MAY_ALLOWED]
    assert not stray, "may_* predicates outside permissions.py / workflow.py:\n" + "\n".join(stray)


def test_the_allowlist_names_only_functions_that_exist():
    found = {(path, node.name) for path, node in _functions()}
    assert MAY_ALLOWED <= found, sorted(MAY_ALLOWED - found)
