"""How long the registration form's PDF takes, against WeasyPrint alone on the same document.

    .venv/bin/python benchmarks/pdf.py [--runs 10] [--district] [--out DIR]

"Ours" is everything the render job does for the PDF: build the context from the submitted
version, render the print HTML, WeasyPrint with the cached stylesheet and font configuration.
"WeasyPrint alone" is ``HTML(string=...).write_pdf(stylesheets=[CSS(string=...)])`` on the very
same HTML and CSS with WeasyPrint's defaults (a fresh parse each time). Both are warmed up once
(fontconfig and the CJK faces load on first use) and the medians are compared; the goal is a
ratio within 1.3.

The application is a realistic, filled 3-page form created in a transaction that is rolled back:
in a throw-away SQLite database (migrated on the fly) unless DATABASE_URL names another one.
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

PARAGRAPH = (
    "公司围绕新能源汽车电驱动系统用高精度齿轮的关键质量问题，组建跨部门质量攻关团队，运用六西格玛、"
    "失效模式与影响分析（FMEA）和统计过程控制（SPC）等方法，对齿轮热处理变形、磨齿烧伤和啮合噪声三项关键"
    "质量特性开展系统攻关。"
)


EFFECT = "攻关后12个月，齿轮啮合噪声降低3.5分贝，一次交检合格率由96.2%提升至99.5%，质量损失率下降42%。"


def _text(paragraphs: int) -> str:
    return "\n".join(PARAGRAPH for _n in range(paragraphs))


def create_application(district: bool):
    """A submitted application with every field of Table A.1 filled (one version)."""
    from applications.models import AdvancementLevel, Application, ApplicationStatus, ApplicationVersion, TeamMember
    from applications.models.application import organisation_header
    from applications.services.versions import application_data
    from portal.models import District, Organisation, Organiser, Programme, ProjectCategory
    from portal.models.organisations import OrganisationSize, Ownership
    from portal.models.programmes import Level

    jiading, _new = District.objects.get_or_create(code="bench-jiading", defaults={"name": "嘉定区", "order": 99})
    organiser = Organiser.objects.create(name="基准测试主管部门", level=Level.DISTRICT if district else Level.MUNICIPAL,
                                         district=jiading if district else None)
    programme = Programme.objects.create(
        year=2099, title="基准测试批次", organiser=organiser,
        organiser_names="上海市嘉定区市场监督管理局\n上海市嘉定区经济委员会",
        level=Level.DISTRICT if district else Level.MUNICIPAL, district=jiading if district else None,
    )
    category, _new = ProjectCategory.objects.get_or_create(code="equipment", defaults={"name": "高端装备", "order": 7})
    org = Organisation.objects.create(
        credit_code="91310114MA1GBENCH1", name="上海示范精密传动科技有限公司", legal_representative="陈立新",
        ownership=Ownership.PRIVATE, size=OrganisationSize.MEDIUM, industry="通用设备制造业",
        strategic_emerging=True, address="上海市嘉定区安亭镇墨玉路888号", phone="021-59990000",
        contact_person="张晓明", mobile="13800000000", email="quality@example.cn", district=jiading,
    )
    money = Decimal
    app = Application.objects.create(
        programme=programme, organisation=org, project_name="新能源汽车电驱动高精度齿轮质量攻关",
        category=category, advancement_level=AdvancementLevel.LEADING,
        org_intro=_text(2), background=_text(2), objectives=_text(1), investment=money("1250.50"),
        quality_level=_text(1), innovation=_text(2), effect_direct=EFFECT, effect_indirect=EFFECT,
        effect_green=EFFECT, effect_social=EFFECT,
        sales_before=money("18500"), profit_before=money("-120.5"), energy_before=money("80"),
        forex_before=money("0"), other_before=money("12"), sales_after=money("23600"), profit_after=money("1860"),
        energy_after=money("215.3"), forex_after=money("640"), other_after=money("35"),
        tech_head_opinion="项目技术路线可行，关键质量指标经第三方检测达到国际先进水平，同意申报。",
        finance_head_opinion="经济效益数据与财务报表一致，计算依据充分，同意申报。",
        unit_head_opinion="同意申报。", status=ApplicationStatus.SUBMITTED,
    )
    people = [("王建国", "male", "总工程师/正高级工程师", "doctorate", "技术中心"),
              ("李敏", "female", "质量部部长/高级工程师", "master", "质量部"),
              ("赵强", "male", "工艺主管/工程师", "bachelor", "制造工程部"),
              ("孙丽", "female", "检测主管/工程师", "bachelor", "检测中心"),
              ("周杰", "male", "热处理主管/工程师", "college", "热处理车间"),
              ("吴芳", "female", "质量工程师", "master", "质量部")]
    for n, (name, gender, title, education, unit) in enumerate(people, start=1):
        TeamMember.objects.create(application=app, order=n, name=name, gender=gender, title=title,
                                  education=education, work_unit=unit)
    app.organisation_snapshot = organisation_header(org)
    app.save()
    ApplicationVersion.objects.create(application=app, number=1, data=application_data(app))
    return app


def measure(runs: int, district: bool, out: Path | None) -> dict:
    from django.db import transaction
    from weasyprint import CSS, HTML

    from applications.documents.docx import render_docx
    from applications.documents.html import build_context, render_html
    from applications.documents.pdf import render_pdf, stylesheet_path

    css_text = stylesheet_path().read_text(encoding="utf-8")
    with transaction.atomic():
        app = create_application(district)

        def ours():
            return render_pdf(render_html(build_context(app, 1)))

        html = render_html(build_context(app, 1))

        def alone():
            return HTML(string=html).write_pdf(stylesheets=[CSS(string=css_text)])

        ours(), alone()  # warm up: fontconfig, the CJK faces, templates
        timings = {"ours": [], "alone": []}
        for _n in range(runs):
            for name, fn in (("alone", alone), ("ours", ours)):
                start = time.perf_counter()
                pdf = fn()
                timings[name].append(time.perf_counter() - start)
        docx_times = []
        for _n in range(runs):
            start = time.perf_counter()
            docx = render_docx(build_context(app, 1))
            docx_times.append(time.perf_counter() - start)
        if out:
            out.mkdir(parents=True, exist_ok=True)
            (out / "form.pdf").write_bytes(pdf)
            (out / "form.docx").write_bytes(docx)
            (out / "form.html").write_text(html, encoding="utf-8")
        transaction.set_rollback(True)

    from io import BytesIO

    from pypdf import PdfReader

    return {
        "ours": statistics.median(timings["ours"]),
        "alone": statistics.median(timings["alone"]),
        "pages": len(PdfReader(BytesIO(pdf)).pages),
        "bytes": len(pdf),
        "docx": statistics.median(docx_times),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--district", action="store_true", help="the Jiading variant (cover page first)")
    parser.add_argument("--out", type=Path, help="also write form.pdf, form.docx and form.html here")
    args = parser.parse_args(argv)

    scratch = None
    if "DATABASE_URL" not in os.environ:
        scratch = tempfile.TemporaryDirectory()
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/bench.sqlite3"
    import django

    django.setup()
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # both sides alike, and quiet
    if scratch:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    try:
        result = measure(args.runs, args.district, args.out)
    finally:
        if scratch:
            scratch.cleanup()
    ratio = result["ours"] / result["alone"]
    print(f"pages: {result['pages']}, PDF {result['bytes'] / 1024:.0f} KiB, median of {args.runs} runs")
    print(f"WeasyPrint alone:        {result['alone'] * 1000:7.1f} ms")
    print(f"ours (context+HTML+PDF): {result['ours'] * 1000:7.1f} ms")
    print(f"ratio:                   {ratio:7.2f}  (goal <= 1.30)")
    print(f"Word (python-docx):      {result['docx'] * 1000:7.1f} ms  (the job makes both: "
          f"{(result['ours'] + result['docx']) * 1000:.0f} ms before storing)")
    return 0 if ratio <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())
