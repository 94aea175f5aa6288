"""`make bench`: every benchmark, each printing its figures beside its anchor measured in the same run.

    .venv/bin/python benchmarks/run.py [name …]     (names: pages floor assignment admin_pages aggregation pdf annex2)

pages        list pages' query counts and server time on 2,000 seeded applications × 300 experts,
             with the automatic assignment and scores on the municipal programme
floor        Table A.1 and the score sheet, opened and saved, beside the signed-in floor (goal ≤ 3× each)
assignment   the assignment solver: 2,000 applications × 300 experts × 5, 30 % of them conflicted (goal ≤ 3 s),
             beside the exact model on the same problem
admin_pages  ranking, assignment overview, scoring progress at ~2,000 applications × 300 experts beside the
             signed-in floor (goal ≤ 300 ms each)
aggregation  aggregation, ranking and tiers of 2,000 × 5 scores × 10 criteria, pure and from the DB
pdf          the Table A.1 PDF against WeasyPrint alone on the same HTML (goal ratio ≤ 1.3)
annex2       the Annex 2 export of 5,000 rows against openpyxl alone (goal ratio ≤ 1.5)
Record the figures in BENCHMARKS.md with the machine they came from.
"""

import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = {
    "pages": ["benchmarks/pages.py"],
    "floor": ["benchmarks/floor.py"],
    "assignment": ["benchmarks/assignment.py", "--conflict-rate", "0.3", "--anchor", "--runs", "3"],
    "admin_pages": ["benchmarks/admin_pages.py"],
    "aggregation": ["benchmarks/aggregation.py", "--db"],
    "pdf": ["benchmarks/pdf.py"],
    "annex2": ["benchmarks/annex2.py"],
}


def main(names):
    print(f"machine: {platform.node()} · {platform.platform()} · Python {platform.python_version()} · "
          f"{_cores()} cores")
    failed = []
    for name in names or BENCHES:
        script = BENCHES[name]
        if not (ROOT / script[0]).exists():
            print(f"\n== {name}: {script[0]} not present")
            continue
        print(f"\n== {name}")
        started = time.perf_counter()
        result = subprocess.run([sys.executable, *script], cwd=ROOT)
        print(f"({name}: {time.perf_counter() - started:.1f} s wall)")
        if result.returncode:
            failed.append(name)
    if failed:
        print("\nfailed:", ", ".join(failed))
    return 1 if failed else 0


def _cores() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
