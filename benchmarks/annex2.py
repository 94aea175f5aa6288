"""How long the Annex 2 XLSX (申报汇总表) takes for 5,000 rows, against openpyxl alone.

    .venv/bin/python benchmarks/annex2.py [--rows 5000] [--runs 5] [--out DIR]

"openpyxl alone" is ``Workbook()`` + ``append`` of the same 5,000 rows of nine plain values +
``save`` (openpyxl's default mode, no styles, no query). "Ours" is everything the export job does
for the file: the one query for the unit's endorsed applications in rank order
(applications.annex2.rows.table_for), the Chinese labels, and applications.annex2.xlsx.build_xlsx
(styled, bordered cells, merged title, note, footer, print set-up). Both are warmed up once; the
medians are compared; the goal is a ratio within 1.5.

With ``--pdf-rows N`` (default 1,000; 0 skips it) the PDF of the first N rows is timed too
(applications.annex2.pdf.build_pdf: the table written directly by portal.pdf_table, the font
subset embedded), median of ``--pdf-runs`` (default 3), beside its anchor from the same run: the
same PDF of the first 14 rows (one page: the fixed cost, mostly the font subset). Goal (issue 16):
≤ 2 s per 1,000 rows (HTML through WeasyPrint took 6.55 s). The font subset's cost grows with the
number of distinct characters, and these rows repeat a few dozen: so the same 1,000 rows are timed
again with names and units of random common hanzi (about 2,500 distinct characters, more than real
tables hold).

The rows are created in a transaction that is rolled back: in a throw-away SQLite database
(migrated on the fly) unless DATABASE_URL names another one (e.g. the PostgreSQL dev database).
"""

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

GOAL = 1.5
PDF_GOAL = 2.0  # seconds per 1,000 rows


def create_rows(n: int):
    """A district programme, one street with ``n`` live endorsements (bulk-created)."""
    from django.utils import timezone

    from applications.models import Application, ApplicationStatus, DecisionKind, RecommendationDecision
    from applications.models.application import organisation_header
    from portal.models import District, Organisation, Organiser, Programme, RecommendingUnit
    from portal.models.organisations import OrganisationSize, Ownership, RecommendingUnitKind
    from portal.models.programmes import Level

    district, _new = District.objects.get_or_create(code="bench-jiading", defaults={"name": "嘉定区", "order": 99})
    organiser = Organiser.objects.create(name="基准测试主管部门", level=Level.DISTRICT, district=district)
    programme = Programme.objects.create(year=2099, title="基准测试批次", organiser=organiser,
                                         organiser_names="上海市嘉定区市场监督管理局", level=Level.DISTRICT,
                                         district=district)
    bureau = RecommendingUnit.objects.create(name="基准测试区局", kind=RecommendingUnitKind.DISTRICT_BUREAU,
                                             district=district)
    street = RecommendingUnit.objects.create(name="基准测试镇", kind=RecommendingUnitKind.STREET_TOWN,
                                             district=district, parent=bureau, contact_person="赵敏",
                                             contact_phone="59120000")
    orgs = Organisation.objects.bulk_create([
        Organisation(credit_code=f"91310114BENCH{i:05d}", name=f"上海示范精密传动科技有限公司{i}",
                     legal_representative="陈立新", ownership=list(Ownership.values)[i % 7],
                     size=list(OrganisationSize.values)[i % 3], industry="通用设备制造业", address="嘉定区",
                     phone="021", contact_person="张", mobile="138", email=f"b{i}@example.cn", district=district)
        for i in range(100)
    ])
    now = timezone.now()
    apps = Application.objects.bulk_create([
        Application(programme=programme, organisation=orgs[i % 100], recommender=street,
                    project_name=f"新能源汽车电驱动高精度齿轮质量攻关项目第{i}期",
                    organisation_snapshot=organisation_header(orgs[i % 100]), advancement_level="leading",
                    completion_date=now.date(), sales_before=Decimal("18500.00") + i,
                    sales_after=Decimal("23600.50") + 2 * i, status=ApplicationStatus.ENDORSED_BY_STREET,
                    submitted_at=now)
        for i in range(n)
    ], batch_size=1000)
    RecommendationDecision.objects.bulk_create([
        RecommendationDecision(application=app, unit=street, kind=DecisionKind.ENDORSE, opinion="同意推荐。",
                               actual_effect="significant", leading_degree="domestic",
                               completion_date=now.date(), rank=n - i)
        for i, app in enumerate(apps)
    ], batch_size=1000)
    return programme, street


def measure_pdf(table, rows: int, runs: int) -> dict:
    from dataclasses import replace

    from pypdf import PdfReader  # a dev dependency, as this benchmark is

    from applications.annex2.pdf import build_pdf

    def timed(part):
        times = []
        for _n in range(runs):
            start = time.perf_counter()
            content = build_pdf(part)
            times.append(time.perf_counter() - start)
        return statistics.median(times), content

    one_page = replace(table, rows=table.rows[:14])
    build_pdf(one_page)  # warm up: fontconfig, the CJK face's metrics (once per process)
    anchor, _content = timed(one_page)
    part = replace(table, rows=table.rows[:rows])
    seconds, content = timed(part)
    chars = {c for row in part.rows for value in row for c in str(value)}
    pick = random.Random(16).choices
    hanzi = [chr(0x4E00 + n) for n in range(2500)]
    varied = replace(part, rows=[(r[0], "".join(pick(hanzi, k=22)), "".join(pick(hanzi, k=14)), *r[3:])
                                 for r in part.rows])
    varied_seconds, _content = timed(varied)
    varied_chars = {c for row in varied.rows for value in row for c in str(value)}
    return {"pdf": seconds, "pdf_anchor": anchor, "pdf_rows": len(part.rows), "pdf_bytes": len(content),
            "pdf_pages": len(PdfReader(io.BytesIO(content)).pages), "pdf_chars": len(chars),
            "pdf_varied": varied_seconds, "pdf_varied_chars": len(varied_chars)}


def measure(rows: int, runs: int, out: Path | None, pdf_rows: int = 0, pdf_runs: int = 3) -> dict:
    from django.db import transaction
    from openpyxl import Workbook

    from applications.annex2.rows import HEADERS, table_for
    from applications.annex2.xlsx import build_xlsx

    with transaction.atomic():
        programme, street = create_rows(rows)

        def ours():
            return build_xlsx(table_for(programme, street))

        plain = [HEADERS, *table_for(programme, street).rows]

        def alone():
            wb = Workbook()
            ws = wb.active
            for row in plain:
                ws.append(row)
            buffer = io.BytesIO()
            wb.save(buffer)
            return buffer.getvalue()

        ours(), alone()  # warm up
        timings = {"ours": [], "alone": []}
        for _n in range(runs):
            for name, fn in (("alone", alone), ("ours", ours)):
                start = time.perf_counter()
                content = fn()
                timings[name].append(time.perf_counter() - start)
        start = time.perf_counter()
        table = table_for(programme, street)
        query = time.perf_counter() - start
        if out:
            out.mkdir(parents=True, exist_ok=True)
            (out / "annex2.xlsx").write_bytes(build_xlsx(table))
        pdf = measure_pdf(table, pdf_rows, pdf_runs) if pdf_rows else {}
        if out and pdf_rows:
            from dataclasses import replace

            from applications.annex2.pdf import build_pdf

            (out / "annex2.pdf").write_bytes(build_pdf(replace(table, rows=table.rows[:pdf_rows])))
        transaction.set_rollback(True)
    return {"ours": statistics.median(timings["ours"]), "alone": statistics.median(timings["alone"]),
            "query": query, "rows": len(table.rows), "bytes": len(content), **pdf}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, help="also write annex2.xlsx (and annex2.pdf) here")
    parser.add_argument("--pdf-rows", type=int, default=1000, help="also time the PDF of this many rows (0: skip)")
    parser.add_argument("--pdf-runs", type=int, default=3, help="runs of the PDF timing (median)")
    args = parser.parse_args(argv)

    scratch = None
    if "DATABASE_URL" not in os.environ:
        scratch = tempfile.TemporaryDirectory()
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/bench.sqlite3"
    import django

    django.setup()
    if scratch:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    try:
        result = measure(args.rows, args.runs, args.out, args.pdf_rows, args.pdf_runs)
    finally:
        if scratch:
            scratch.cleanup()
    ratio = result["ours"] / result["alone"]
    print(f"{result['rows']} rows, XLSX {result['bytes'] / 1024:.0f} KiB, median of {args.runs} runs")
    print(f"openpyxl alone (plain values):     {result['alone'] * 1000:7.1f} ms")
    print(f"ours (query + styled XLSX):        {result['ours'] * 1000:7.1f} ms  (of which the query ~"
          f"{result['query'] * 1000:.0f} ms)")
    print(f"ratio:                             {ratio:7.2f}  (goal <= {GOAL:.2f})")
    pdf_ok = True
    if "pdf" in result:
        per_1000 = result["pdf"] * 1000 / result["pdf_rows"]
        print(f"PDF, {result['pdf_rows']} rows ({result['pdf_pages']} pages, {result['pdf_bytes'] / 1024:.0f} KiB): "
              f"{result['pdf']:.2f} s = {per_1000:.2f} s per 1,000 rows (goal <= {PDF_GOAL:.1f} s), "
              f"{result['pdf_chars']} distinct characters, median of {args.pdf_runs} runs")
        pdf_ok = per_1000 <= PDF_GOAL
        print(f"anchor, the same PDF of one page (14 rows): {result['pdf_anchor']:.2f} s; "
              f"ratio {result['pdf'] / result['pdf_anchor']:.1f}")
        print(f"the same rows, names of random hanzi ({result['pdf_varied_chars']} distinct characters): "
              f"{result['pdf_varied']:.2f} s")
        pdf_ok = pdf_ok and result["pdf_varied"] * 1000 / result["pdf_rows"] <= PDF_GOAL
    return 0 if ratio <= GOAL and pdf_ok else 1


if __name__ == "__main__":
    sys.exit(main())
