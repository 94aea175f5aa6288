"""Prints the runtime part of requirements.lock: the packages pyproject.toml's [project]
dependencies need, with their pinned versions and hashes, without the dev extra (pytest, ruff,
moto, Playwright…). The Dockerfile installs from it, so the image gets exactly the versions CI
tested, and nothing only the tests use.

    python deploy/runtime_lock.py [requirements.lock] [pyproject.toml] > requirements.runtime.lock

The lock is uv's output with "# via" annotations: a package belongs to the runtime when the
project's runtime dependencies name it, or when a runtime package needs it.
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_VIA = re.compile(r"^[\w.-]+ \(pyproject\.toml\)$")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    return normalise(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec).group(1))


def parse_lock(text: str) -> list[dict]:
    """[{name, lines, via}] in the lock's order; ``lines`` are the entry's text lines."""
    entries, current = [], None
    for line in text.splitlines():
        if line and not line.startswith((" ", "#")):
            current = {"name": requirement_name(line.split("==")[0]), "lines": [line], "via": set()}
            entries.append(current)
        elif current is not None and line.startswith("    "):
            current["lines"].append(line)
            stripped = line.strip()
            if stripped.startswith("# via "):
                current["via"].add(stripped[len("# via "):].strip())
            elif stripped.startswith("#   "):
                current["via"].add(stripped[len("#   "):].strip())
    for entry in entries:
        entry["lines"] = [ln.rstrip(" \\") for ln in entry["lines"] if not ln.strip().startswith("#")]
    return entries


def runtime_entries(lock_text: str, pyproject_text: str) -> list[dict]:
    roots = {requirement_name(spec) for spec in tomllib.loads(pyproject_text)["project"]["dependencies"]}
    entries = parse_lock(lock_text)
    keep = {e["name"] for e in entries if e["name"] in roots}
    changed = True
    while changed:  # a package any kept package needs is kept (to a fixed point)
        changed = False
        for entry in entries:
            if entry["name"] in keep:
                continue
            parents = {normalise(v) for v in entry["via"] if not PROJECT_VIA.match(v)}
            if parents & keep:
                keep.add(entry["name"])
                changed = True
    return [e for e in entries if e["name"] in keep]


def main(argv: list[str]) -> int:
    lock = Path(argv[1]) if len(argv) > 1 else ROOT / "requirements.lock"
    pyproject = Path(argv[2]) if len(argv) > 2 else ROOT / "pyproject.toml"
    entries = runtime_entries(lock.read_text(encoding="utf-8"), pyproject.read_text(encoding="utf-8"))
    print("# Runtime part of requirements.lock (deploy/runtime_lock.py); do not edit.")
    for entry in entries:
        print(" \\\n".join(entry["lines"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
