"""Annex 2 (申报汇总表, seed 001 附件2): XLSX read back with openpyxl, PDF text with pypdf, the
combined table, and the export job (eager here, through a real worker once)."""

import io
import re
import time
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from applications.annex2.jobs import KIND, start_export
from applications.annex2.pdf import build_pdf
from applications.annex2.rows import FIGURE_NOTE, HEADERS, table_for, title_for
from applications.annex2.xlsx import build_xlsx
from applications.services import recommendation as service
from portal import jobs
from portal.models import JobStatus
from portal.models.programmes import ProjectType
from portal.services.errors import PermissionDenied
from tests.applications.test_recommendation_helpers import (
    ENDORSEMENT,
    application_for,
    district_setup,
    recommender_of,
    submitted,
)
from tests.factories import (
    ApplicantFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RecommendingUnitFactory,
    complete_application,
)

TITLE = "2023年嘉定区重点产品质量攻关项目申报汇总表"
EXPECTED_HEADERS = ("序号", "项目名称", "项目单位", "完成时间", "项目先进水平", "企业性质", "企业规模",
                    "经济效益（万元）", "备注")


def _jiading_street_table():
    """The street endorses three applications, then ranks them C, A, B."""
    programme, bureau, street, bureau_user, street_user = district_setup()
    a = application_for(programme, street, "伺服电机降噪攻关", sales=(Decimal("18500"), Decimal("23600")))
    b = application_for(programme, street, "汽车线束可靠性攻关", sales=(Decimal("800.5"), Decimal("950")))
    c = application_for(programme, street, "精密模具寿命提升", advancement_level="leading",
                        sales=(Decimal("1200"), Decimal("1000")))
    service.endorse(street_user, a, **ENDORSEMENT)
    service.endorse(street_user, b, **{**ENDORSEMENT, "leading_degree": "industry", "actual_effect": "good"})
    service.endorse(street_user, c, **{**ENDORSEMENT, "leading_degree": "international"})
    service.rank(street_user, programme, street, [c.pk, a.pk, b.pk])
    return programme, street, (c, a, b)


EXPECTED_ROWS = [
    (1, "精密模具寿命提升", "国际先进或国内领先", -200, "领先程度：国际先进；实际效果：显著"),
    (2, "伺服电机降噪攻关", "高于行业水平", 5100, "领先程度：国内领先；实际效果：显著"),
    (3, "汽车线束可靠性攻关", "高于行业水平", Decimal("149.5"), "领先程度：行业领先；实际效果：较好"),
]


@pytest.mark.django_db
def test_the_xlsx_has_the_exact_title_headers_rows_in_rank_order_and_footer():
    programme, street, apps = _jiading_street_table()
    table = table_for(programme, street)
    sheet = load_workbook(io.BytesIO(build_xlsx(table))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == TITLE
    assert rows[1] == EXPECTED_HEADERS == HEADERS
    body = rows[2:5]
    for got, app, (n, name, level, gain, remark) in zip(body, apps, EXPECTED_ROWS, strict=True):
        assert got[0] == n and got[1] == name == app.project_name
        assert got[2] == app.organisation.name and got[3] == "2025年6月"
        assert got[4] == level and got[5] == "民营企业" and got[6] == "中型"
        assert Decimal(str(got[7])) == Decimal(gain) and got[8] == remark
    assert rows[5][0] == FIGURE_NOTE and "销售额" in FIGURE_NOTE
    footer = [value for value in rows[6] if value]
    assert footer == ["填报单位（加盖公章）：嘉定区南翔镇", "联系人：赵敏", "联系电话：59120000"]
    # Layout: merged title, header repeated on each printed page, A4 landscape, fitted to the width.
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:I1", "A6:I6", "A7:C7", "D7:F7", "G7:I7"} <= merged
    assert sheet.print_title_rows.replace("$", "") == "2:2"
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet["B2"].font.b and sheet["B3"].border.left.style == "thin" and sheet["B3"].alignment.wrap_text
    assert sheet["H2"].comment is not None and "销售额" in sheet["H2"].comment.text
    assert sheet.column_dimensions["B"].width >= 2 * len("汽车线束可靠性攻关")  # CJK counts double


@pytest.mark.django_db
def test_the_pdf_has_the_same_title_headers_rows_and_footer():
    programme, street, apps = _jiading_street_table()
    pdf = build_pdf(table_for(programme, street))
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", "", text)
    assert TITLE in flat
    assert "".join(h.replace("（", "(").replace("）", ")") for h in EXPECTED_HEADERS) in flat.replace(
        "（", "(").replace("）", ")")
    positions = [flat.index(app.project_name) for app in apps]
    assert positions == sorted(positions)  # rank order
    assert "5,100.00" in flat and "-200.00" in flat and "149.50" in flat and "2025年6月" in flat
    for part in ("填报单位（加盖公章）：嘉定区南翔镇", "联系人：赵敏", "联系电话：59120000"):
        assert part in flat
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape


@pytest.mark.django_db
def test_the_pdf_repeats_the_header_row_on_every_page():
    programme, street, _apps = _jiading_street_table()
    table = table_for(programme, street)
    table.rows = [(n, f"项目{n}", "单位", "2025年6月", "一般行业水平", "民营企业", "中型", Decimal(n), "")
                  for n in range(1, 90)]
    reader = PdfReader(io.BytesIO(build_pdf(table)))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert "项目先进水平" in re.sub(r"\s+", "", page.extract_text())


@pytest.mark.django_db
def test_the_bureaus_table_and_the_combined_table(administrator):
    programme, bureau, street, bureau_user, street_user = district_setup(allow_self_declared=True)
    programme.organiser = administrator.organiser
    programme.save()
    via_street = application_for(programme, street, "街镇推荐项目")
    direct = application_for(programme, bureau, "区局直接推荐项目")
    own = submitted(complete_application(programme=programme, self_declared=True, project_name="自行申报项目"))
    service.endorse(street_user, via_street, **ENDORSEMENT)
    service.endorse(bureau_user, direct, **ENDORSEMENT)
    service.endorse(bureau_user, via_street, **ENDORSEMENT)
    bureau_rows = table_for(programme, bureau).rows
    assert [r[1] for r in bureau_rows] == ["区局直接推荐项目", "街镇推荐项目"]
    assert bureau_rows[1][8].startswith("嘉定区南翔镇推荐")
    combined = table_for(programme, None, administrator)
    assert [r[1] for r in combined.rows] == ["区局直接推荐项目", "街镇推荐项目", own.project_name]
    assert [r[0] for r in combined.rows] == [1, 2, 3]
    assert combined.rows[1][8] == "上海市嘉定区市场监督管理局推荐（嘉定区南翔镇初审）"
    assert combined.rows[2][8] == "自行申报"
    assert combined.unit_name == programme.organiser.name and combined.contact_person == administrator.display_name


@pytest.mark.django_db
def test_title_uses_the_area_and_the_project_type():
    assert title_for(ProgrammeFactory(year=2024)) == "2024年上海市重点产品质量攻关项目申报汇总表"
    flagship = ProgrammeFactory(year=2025, project_type=ProjectType.FLAGSHIP)
    assert title_for(flagship) == "2025年上海市产业质量提升标志性项目申报汇总表"


@pytest.mark.django_db
def test_export_job_permissions_and_eager_run(client, administrator, django_capture_on_commit_callbacks):
    programme, street, _apps = _jiading_street_table()
    street_user = street.users.first()
    with django_capture_on_commit_callbacks(execute=True):
        job = start_export(street_user, programme, street, "xlsx")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result_name == f"{TITLE}-嘉定区南翔镇.xlsx"
    with pytest.raises(PermissionDenied):
        start_export(street_user, programme, street.parent, "xlsx")  # not its own unit
    with pytest.raises(PermissionDenied):
        start_export(street_user, programme, None, "pdf")  # the combined table is the organiser's
    with pytest.raises(PermissionDenied):
        start_export(recommender_of(RecommendingUnitFactory()), programme, street, "xlsx")
    with pytest.raises(PermissionDenied):
        start_export(administrator, programme, street, "xlsx")  # another organiser's programme
    client.force_login(street_user)
    response = client.post(reverse("applications:annex2_export", args=[programme.pk]), {"format": "pdf"})
    assert response.status_code == 302 and "?job=" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "job-status" in page and f"/jobs/{response['Location'].split('job=')[1]}/" in page


@pytest.mark.worker
def test_the_export_runs_through_a_real_worker(live_worker, client):
    programme, street, apps = _jiading_street_table()
    user = street.users.first()
    job = jobs.start_job(user, KIND, {"programme_id": programme.pk, "unit_id": street.pk, "format": "xlsx"})
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_done:
            break
        time.sleep(0.2)
    assert job.status == JobStatus.SUCCEEDED, job.error
    client.force_login(user)
    response = client.get(reverse("job_download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == TITLE and rows[1] == EXPECTED_HEADERS
    assert [r[1] for r in rows[2:5]] == [app.project_name for app in apps]


# --- issue 14: the footer contact set on the unit's page, exact amounts, joint applicants ---------


@pytest.mark.django_db
def test_the_recommender_sets_its_units_contact_and_both_files_print_it_in_the_footer(client):
    from portal.models import AuditEntry

    programme, street, _apps = _jiading_street_table()
    street.contact_person, street.contact_phone = "", ""
    street.save()
    user = street.users.first()
    client.force_login(user)
    workspace = client.get(reverse("applications:recommend_workspace")).content.decode()
    assert reverse("applications:recommend_unit") in workspace
    response = client.post(reverse("applications:recommend_unit"),
                           {"contact_person": "钱 丽", "contact_phone": "021-59120088"})
    assert response.status_code == 302
    street.refresh_from_db()
    assert (street.contact_person, street.contact_phone) == ("钱 丽", "021-59120088")
    entry = AuditEntry.objects.get(action="recommending_unit.contact")
    assert entry.actor == user and entry.changes["contact_phone"] == ["", "021-59120088"]
    table = table_for(programme, street)
    sheet = load_workbook(io.BytesIO(build_xlsx(table))).active
    footer = [value for value in list(sheet.iter_rows(values_only=True))[-1] if value]
    assert footer == ["填报单位（加盖公章）：嘉定区南翔镇", "联系人：钱 丽", "联系电话：021-59120088"]
    flat = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(build_pdf(table))).pages))
    assert "联系人：钱丽" in flat and "联系电话：021-59120088" in flat
    # a bad phone is refused with the reason; nothing changes, no audit row
    page = client.post(reverse("applications:recommend_unit"), {"contact_person": "钱丽", "contact_phone": "abc"})
    assert page.status_code == 200 and "联系电话格式不正确" in page.content.decode()
    assert AuditEntry.objects.filter(action="recommending_unit.contact").count() == 1


@pytest.mark.django_db
def test_only_a_recommender_of_the_unit_may_change_its_contact(client):
    from applications.services.units import update_contact

    _programme, bureau, street, bureau_user, _street_user = district_setup()
    with pytest.raises(PermissionDenied):
        update_contact(bureau_user, street, contact_person="越权", contact_phone="123456")
    street.refresh_from_db()
    assert street.contact_person == "赵敏"
    client.force_login(ApplicantFactory())
    assert client.get(reverse("applications:recommend_unit")).status_code == 404


@pytest.mark.django_db
def test_amounts_are_exact_decimals_rounded_to_the_cent_of_a_wan_yuan():
    programme, _bureau, street, _bureau_user, street_user = district_setup()
    # 23600.00 − 18356.64 in binary floating point is 5243.360000000001
    app = application_for(programme, street, "伺服电机降噪攻关", sales=(Decimal("18356.64"), Decimal("23600.00")))
    service.endorse(street_user, app, **ENDORSEMENT)
    table = table_for(programme, street)
    assert table.rows[0][7] == Decimal("5243.36") and isinstance(table.rows[0][7], Decimal)
    sheet = load_workbook(io.BytesIO(build_xlsx(table))).active
    assert repr(sheet["H3"].value) in ("5243.36", "Decimal('5243.36')")
    reader = PdfReader(io.BytesIO(build_pdf(table)))
    flat = re.sub(r"\s+", "", reader.pages[0].extract_text())
    assert "5,243.36" in flat and "5243.360000" not in flat
    # the header 经济效益（万元） stays on one printed line
    assert "经济效益（万元）" in reader.pages[0].extract_text()  # not "经济效益（万 元）"


@pytest.mark.django_db
def test_joint_applicants_follow_the_applicant_in_the_unit_column():
    programme, _bureau, street, _bureau_user, street_user = district_setup()
    app = application_for(programme, street, "产业链协同攻关")
    names = sorted(["上海联合甲有限公司", "上海联合乙研究院"])
    app.joint_applicants.add(*(OrganisationFactory(name=name) for name in names))
    service.endorse(street_user, app, **ENDORSEMENT)
    row = table_for(programme, street).rows[0]
    assert row[2] == f"{app.organisation.name}（联合申报：{'、'.join(names)}）"
    flat = re.sub(r"\s+", "", PdfReader(io.BytesIO(build_pdf(table_for(programme, street)))).pages[0].extract_text())
    assert "联合申报：" in flat and "上海联合甲有限公司" in flat
