"""The registration form as PDF and Word (issue 3, outputs): Table A.1's labels in order, CJK fonts,
the Jiading variant, rendered in the background (through a real worker), idempotent per version,
downloadable by whoever may see the application and by nobody else."""

import io
import re
import time

import pytest
from django.urls import NoReverseMatch, include, path, reverse
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from applications.documents import html as form_html
from applications.documents.docx import render_docx
from applications.documents.pdf import render_pdf
from applications.documents.service import KIND, current_version, render_documents, schedule_render
from applications.models import ApplicationStatus, ApplicationVersion
from applications.models.application import organisation_header
from applications.models.documents import DRAFT_VERSION, ApplicationDocument
from applications.services.versions import application_data
from portal import jobs
from portal.models import Job, JobStatus
from portal.models.programmes import Level
from portal.services.errors import PermissionDenied
from tests.factories import (
    ApplicantFactory,
    DistrictFactory,
    ProgrammeFactory,
    RecommendingUnitFactory,
    UserFactory,
    complete_application,
)

# --- the URLs: applications/urls.py includes applications.urls_documents; until it does, these
# tests mount the same patterns themselves (ROOT_URLCONF = this module) so they can run. ----------

urlpatterns: list = []


def _documents_routed() -> bool:
    try:
        reverse("applications:documents", args=[1])
    except NoReverseMatch:
        return False
    return True


@pytest.fixture(autouse=True)
def _documents_urls(settings):
    if _documents_routed():
        return
    import applications.urls as application_urls
    import portal.urls as portal_urls

    urlpatterns[:] = [p for p in portal_urls.urlpatterns if getattr(p, "namespace", None) != "applications"]
    urlpatterns.append(path("applications/", include((
        [*application_urls.urlpatterns, path("", include("applications.urls_documents"))], "applications",
    ))))
    settings.ROOT_URLCONF = __name__


# --- what Table A.1 prints, in order (seed 000 Annex A; the Jiading variant from seed 001) --------

A1_HEADINGS = [
    "项目名称", "项目类别", "单位名称（全称）", "法人代表", "组织性质", "组织规模", "所属行业",
    "是否属于战略性新兴产业", "单位地址", "电话", "联系人", "手机", "邮箱", "项目先进水平",
    "组织及攻关产品基本情况介绍", "项目背景意义", "质量攻关目标", "项目投资（万元）",
    "产品质量水平", "质量创新程度（含技术路线）", "质量攻关成效", "直接经济效益", "间接经济效益",
    "绿色指标", "社会效益",
    "（万元）", "销售额", "利润", "节能降耗", "创汇节汇", "其他", "攻关前12月", "攻关后12月",
    "姓名", "性别", "职务/职称", "学历", "工作单位（部门）",
]
# The typed signers and dates (COMPLETE_FIELDS: 王工, 2025-07-01), under each opinion …
SIGNOFF_LABELS = ["单位技术负责人意见", "单位财务负责人意见", "单位负责人意见"]
MUNICIPAL_SIGNOFFS = [part for label in SIGNOFF_LABELS for part in (label, "负责人（签字）", "王工", "2025年7月1日")]
# … and in the Jiading form side by side (seed 001): three opinions, three signature lines, three dates.
DISTRICT_SIGNOFFS = SIGNOFF_LABELS + ["负责人（签字）", "王工"] * 3 + ["2025年7月1日"] * 3
DISTRICT_A1 = [{"职务/职称": "职务（职称）"}.get(label, label) for label in A1_HEADINGS]
MUNICIPAL_HEADINGS = ["上海市重点产品质量攻关项目登记表", "表A.1"] + A1_HEADINGS + MUNICIPAL_SIGNOFFS + ["填表说明"]
DISTRICT_HEADINGS = (
    ["嘉定区重点产品质量攻关项目登记表", "推荐单位", "项目名称", "填报单位（盖章）", "填报日期",
     "嘉定区市场监督管理局", "嘉定区经济委员会", "印制", "填表说明", "推荐单位包括主管部门以及各街镇",
     "嘉定区重点产品质量攻关项目登记表"]
    + DISTRICT_A1 + DISTRICT_SIGNOFFS + ["推荐单位意见", "（盖章）", "年月日", "备注"]
)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _assert_in_order(text: str, labels: list[str]) -> None:
    position = 0
    for label in labels:
        found = text.find(_flat(label), position)
        assert found >= 0, f"“{label}” missing after position {position}: …{text[position:position + 80]}…"
        position = found + len(_flat(label))


def pdf_text(data: bytes) -> str:
    return _flat("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def pdf_fonts(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def docx_text(data: bytes) -> str:
    body = Document(io.BytesIO(data)).element.body
    return _flat("".join(t.text or "" for t in body.iter(qn("w:t"))))


def submitted(app, number: int = 1):
    """What the submission service leaves behind: header snapshot, status, a version record."""
    app.organisation_snapshot = organisation_header(app.organisation)
    app.status = ApplicationStatus.SUBMITTED
    app.save()
    ApplicationVersion.objects.create(application=app, number=number, data=application_data(app))
    return app


@pytest.fixture
def municipal_app(db):
    app = complete_application(project_name="高精度数控机床主轴可靠性提升攻关", profit_before="-120.50",
                               sales_after="23600.00", advancement_level="leading")
    return submitted(app)


@pytest.fixture
def district_app(db):
    jiading = DistrictFactory()
    programme = ProgrammeFactory(level=Level.DISTRICT, district=jiading,
                                 organiser_names="上海市嘉定区市场监督管理局\n上海市嘉定区经济委员会")
    street = RecommendingUnitFactory(name="嘉定区南翔镇")
    return submitted(complete_application(programme=programme, recommender=street, project_name="伺服电机降噪攻关"))


def _render(app, version=1):
    context = form_html.build_context(app, version)
    return context, render_pdf(form_html.render_html(context)), render_docx(context)


# --- the PDF ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pdf_holds_the_project_name_and_every_heading_of_table_a1_in_order_in_cjk_fonts(municipal_app):
    context, pdf, _docx = _render(municipal_app)
    text = pdf_text(pdf)
    assert "高精度数控机床主轴可靠性提升攻关" in text
    _assert_in_order(text, MUNICIPAL_HEADINGS)
    _assert_in_order(text, form_html.section_headings(context))
    for category in form_html.CATEGORIES:  # all twelve printed, like the paper form
        assert category in text
    assert "-120.50" in text and "23600.00" in text  # the economic grid
    assert municipal_app.organisation.name in text
    fonts = pdf_fonts(pdf)
    assert fonts and all("CJK" in name and "Noto" in name for name in fonts), fonts
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 3
    assert PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4


@pytest.mark.django_db
def test_district_pdf_starts_with_the_cover_page_and_ends_with_the_recommender_block(district_app):
    context, pdf, _docx = _render(district_app)
    reader = PdfReader(io.BytesIO(pdf))
    cover = _flat(reader.pages[0].extract_text())
    _assert_in_order(cover, [
        "嘉定区重点产品质量攻关项目", "登记表", "推荐单位", "嘉定区南翔镇", "项目名称", "伺服电机降噪攻关",
        "填报单位（盖章）", district_app.organisation.name, "填报日期", "年", "月", "日",
        "嘉定区市场监督管理局", "嘉定区经济委员会", "印制",
    ])
    assert "上海市" not in cover  # the organisers as the seed's cover names them
    assert "填表说明" in _flat(reader.pages[1].extract_text())
    text = pdf_text(pdf)
    _assert_in_order(text, DISTRICT_HEADINGS)
    assert "表A.1" not in text and "上海市重点产品质量攻关项目登记表" not in text
    assert text.index("推荐单位意见") > text.index("单位负责人意见")


@pytest.mark.django_db
def test_the_applicants_text_is_printed_as_text_not_markup():
    app = complete_application(project_name='主轴<img src="http://example.invalid/x">攻关',
                               background="第一段\n<b>第二段</b>")
    html = form_html.render_html(form_html.build_context(app, DRAFT_VERSION))
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img" in html and "第一段\n&lt;b&gt;第二段&lt;/b&gt;" in html  # line breaks kept (pre-wrap)


def test_the_pdf_renderer_fetches_nothing_from_outside(monkeypatch):
    import urllib.request

    opened = []
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", lambda self, *a, **k: opened.append(a))
    pdf = render_pdf('<p>质量攻关</p><img src="http://example.invalid/logo.png"><link rel="stylesheet" '
                     'href="https://example.invalid/x.css"><img src="file:///etc/hostname">')
    assert pdf.startswith(b"%PDF") and opened == []


# --- the Word file ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("variant", ["municipal_app", "district_app"])
def test_word_file_opens_and_holds_the_same_headings_in_the_same_order(variant, request):
    app = request.getfixturevalue(variant)
    context, pdf, data = _render(app)
    document = Document(io.BytesIO(data))
    text = docx_text(data)
    assert app.project_name in text
    _assert_in_order(text, MUNICIPAL_HEADINGS if variant == "municipal_app" else DISTRICT_HEADINGS)
    _assert_in_order(text, form_html.section_headings(context))
    # the economic grid and the team as tables: 3 × 6, and a header row + 8 member rows
    shapes = [(len(t.rows), len(t.columns)) for t in document.tables]
    assert (3, 6) in shapes
    assert (1 + 8, 5) in shapes or (2 + 8, 5) in shapes
    # an East Asian font on every run (宋体; 黑体 for the titles), in the body and in the tables
    runs = [r for p in document.paragraphs for r in p.runs if r.text.strip()]
    runs += [r for t in document.tables for c in t._cells for p in c.paragraphs for r in p.runs if r.text.strip()]
    assert runs and {r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in runs} == {"宋体", "黑体"}


@pytest.mark.django_db
def test_choices_are_printed_as_boxes_with_the_chosen_one_ticked(municipal_app):
    _context, _pdf, data = _render(municipal_app)
    text = docx_text(data)
    assert "☑高端装备" in text and "☐集成电路" in text and "☐其他" in text
    assert "☑中型" in text and "☐小微" in text  # OrganisationFactory: medium
    assert "☑国际先进或国内领先" in text and "☐高于行业水平" in text and "☐一般行业水平" in text
    assert text.count("☑") == 3


@pytest.mark.django_db
def test_the_team_table_has_eight_rows_in_order_of_contribution(municipal_app):
    context = form_html.build_context(municipal_app, 1)
    names = [m.name for m in municipal_app.team_members.all()]
    assert [m["name"] for m in context["team"]] == names + [""] * (8 - len(names))
    assert context["team"][0]["gender"] == "男" and context["team"][0]["education"] == "大学本科"


@pytest.mark.django_db
def test_a_submitted_version_shows_the_header_and_fields_as_submitted(municipal_app):
    submitted_name = municipal_app.organisation.name
    municipal_app.organisation.name = "改名后的公司"
    municipal_app.organisation.save()
    municipal_app.status = ApplicationStatus.RETURNED
    municipal_app.organisation_snapshot = {}
    municipal_app.objectives = "退回后改写的目标"
    municipal_app.save()
    version_one = form_html.build_context(municipal_app, 1)
    assert version_one["header"]["name"] == submitted_name
    assert version_one["intro_sections"][2][1] != "退回后改写的目标"
    draft = form_html.build_context(municipal_app, DRAFT_VERSION)
    assert draft["header"]["name"] == "改名后的公司" and draft["intro_sections"][2][1] == "退回后改写的目标"
    assert draft["version_label"] == "草稿"


# --- rendering and storing ------------------------------------------------------------------------


@pytest.mark.django_db
def test_rendering_reports_progress_and_is_idempotent_per_version(municipal_app):
    reported = []
    render_documents(municipal_app, 1, progress=lambda percent, message="": reported.append(percent))
    assert reported == [10, 60, 90]
    first = {d.format: d.file.name for d in municipal_app.documents.all()}
    render_documents(municipal_app, 1)
    docs = list(municipal_app.documents.all())
    assert sorted(d.format for d in docs) == ["docx", "pdf"]
    assert all(d.version == 1 and d.size > 0 for d in docs)
    assert all(d.file.name.startswith("documents/") for d in docs)
    assert {d.format: d.file.name for d in docs} != first


@pytest.mark.django_db(transaction=True)
def test_replaced_files_are_deleted_and_a_submitted_version_supersedes_the_draft(settings):
    app = complete_application()
    render_documents(app, DRAFT_VERSION)
    draft_files = [d.file.name for d in app.documents.all()]
    submitted(app)
    render_documents(app, 1)
    render_documents(app, 1)
    assert sorted((d.version, d.format) for d in app.documents.all()) == [(1, "docx"), (1, "pdf")]
    stored = {p.relative_to(settings.MEDIA_ROOT).as_posix() for p in (settings.MEDIA_ROOT / "documents").iterdir()}
    assert stored == {d.file.name for d in app.documents.all()}
    assert not set(draft_files) & stored
    render_documents(app, DRAFT_VERSION)  # a draft render that finishes after the submission
    assert not app.documents.filter(version=DRAFT_VERSION).exists()


@pytest.mark.django_db
def test_current_version_is_the_draft_while_editable_and_the_latest_submission_otherwise(municipal_app):
    assert current_version(municipal_app) == 1
    ApplicationVersion.objects.create(application=municipal_app, number=2, data=application_data(municipal_app))
    assert current_version(municipal_app) == 2
    municipal_app.status = ApplicationStatus.RETURNED
    assert current_version(municipal_app) == DRAFT_VERSION
    # while the applicant revises, their members render the draft; the recommender what was submitted
    member = ApplicantFactory(organisation=municipal_app.organisation)
    reviewer = UserFactory(role="recommender", recommending_unit=municipal_app.recommender)
    assert current_version(municipal_app, member) == DRAFT_VERSION
    assert current_version(municipal_app, reviewer) == 2


@pytest.mark.django_db
def test_the_job_renders_both_files_and_returns_the_pdf(municipal_app, django_capture_on_commit_callbacks):
    applicant = ApplicantFactory(organisation=municipal_app.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        job = schedule_render(applicant, municipal_app)
    job.refresh_from_db()
    assert job.kind == KIND and job.params == {"application_id": municipal_app.pk, "version": 1}
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result_name.endswith("第1版.pdf") and job.result.read().startswith(b"%PDF")
    docs = ApplicationDocument.objects.filter(application=municipal_app)
    assert {d.format for d in docs} == {"pdf", "docx"} and all(d.job_id == job.pk for d in docs)


@pytest.mark.django_db
def test_someone_who_cannot_see_the_application_cannot_have_it_rendered(municipal_app):
    stranger = ApplicantFactory()
    with pytest.raises(PermissionDenied):
        schedule_render(stranger, municipal_app)
    with pytest.raises(PermissionDenied):  # a version that does not exist
        schedule_render(ApplicantFactory(organisation=municipal_app.organisation), municipal_app, version=7)
    assert not Job.objects.exists()


# --- the pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_requesting_a_render_starts_a_job_and_shows_its_progress_without_rendering_in_the_request(
    client, municipal_app
):
    applicant = ApplicantFactory(organisation=municipal_app.organisation)
    client.force_login(applicant)
    url = reverse("applications:documents_render", args=[municipal_app.pk])
    fragment = client.post(url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    html = fragment.content.decode()
    job = Job.objects.get(kind=KIND)
    assert f'id="job-{job.pk}"' in html and 'hx-trigger="every 1s"' in html and "data-documents-job-active" in html
    assert "<html" not in html and "style=" not in html and "<script>" not in html
    assert not ApplicationDocument.objects.exists()  # queued for the worker (after commit), not done here
    response = client.post(url)  # without htmx: the job's own page
    assert response.status_code == 302 and response["Location"] == reverse("job_status", args=[Job.objects.first().pk])
    assert client.get(reverse("applications:documents", args=[municipal_app.pk])).status_code == 200
    assert client.get(url).status_code == 405


@pytest.mark.django_db
def test_the_list_offers_both_files_of_each_version_for_download(client, municipal_app):
    render_documents(municipal_app, 1)
    client.force_login(ApplicantFactory(organisation=municipal_app.organisation))
    html = client.get(reverse("applications:documents", args=[municipal_app.pk])).content.decode()
    pdf, docx = (municipal_app.documents.get(format=f) for f in ("pdf", "docx"))
    assert reverse("applications:document_download", args=[pdf.pk]) in html
    assert reverse("applications:document_download", args=[docx.pk]) in html
    assert "第1版" in html and "生成第1版的 PDF 和 Word" in html
    response = client.get(reverse("applications:document_download", args=[pdf.pk]))
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    response = client.get(reverse("applications:document_download", args=[docx.pk]))
    Document(io.BytesIO(b"".join(response.streaming_content)))  # opens


@pytest.mark.django_db
def test_a_person_who_cannot_see_the_application_gets_404_on_its_documents(client, municipal_app, recommender):
    render_documents(municipal_app, 1)
    doc = municipal_app.documents.first()
    for outsider in (ApplicantFactory(), recommender):  # another organisation; a recommender not chosen
        client.force_login(outsider)
        assert client.get(reverse("applications:documents", args=[municipal_app.pk])).status_code == 404
        assert client.post(reverse("applications:documents_render", args=[municipal_app.pk])).status_code == 404
        assert client.get(reverse("applications:document_download", args=[doc.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("applications:document_download", args=[doc.pk])).status_code == 302  # to login
    # the chosen recommender sees the submitted application, so may download its form
    reviewer = UserFactory(role="recommender", recommending_unit=municipal_app.recommender)
    client.force_login(reviewer)
    assert client.get(reverse("applications:document_download", args=[doc.pk])).status_code == 200
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_panel_include_loads_the_list_by_htmx_with_no_inline_script(municipal_app):
    from django.template.loader import render_to_string

    html = render_to_string("applications/documents/_panel.html", {"application": municipal_app})
    assert reverse("applications:documents", args=[municipal_app.pk]) in html
    assert 'hx-trigger="load"' in html and "applications/documents.js" in html
    assert "style=" not in html and "<script>" not in html


# --- through a real worker --------------------------------------------------------------------


@pytest.mark.worker
def test_the_render_job_runs_in_a_real_worker_and_its_files_download(live_worker, client):
    app = submitted(complete_application(project_name="工作进程渲染测试项目"))
    applicant = ApplicantFactory(organisation=app.organisation)
    job = schedule_render(applicant, app)  # transactional_db: queued at once
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_done:
            break
        time.sleep(0.2)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.progress == 100
    client.force_login(applicant)
    result = b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content)
    assert "工作进程渲染测试项目" in pdf_text(result)
    docs = {d.format: d for d in ApplicationDocument.objects.filter(application=app, version=1)}
    assert set(docs) == {"pdf", "docx"}
    pdf = b"".join(client.get(reverse("applications:document_download", args=[docs["pdf"].pk])).streaming_content)
    docx = b"".join(client.get(reverse("applications:document_download", args=[docs["docx"].pk])).streaming_content)
    _assert_in_order(pdf_text(pdf), MUNICIPAL_HEADINGS)
    _assert_in_order(docx_text(docx), MUNICIPAL_HEADINGS)
    # running the same version again replaces, never duplicates
    again = schedule_render(applicant, app)
    while time.monotonic() < deadline:
        again.refresh_from_db()
        if again.is_done:
            break
        time.sleep(0.2)
    assert again.status == JobStatus.SUCCEEDED, again.error
    assert ApplicationDocument.objects.filter(application=app).count() == 2
    assert set(ApplicationDocument.objects.filter(application=app).values_list("job_id", flat=True)) == {again.pk}


def test_the_render_job_is_registered():
    assert KIND in jobs.REGISTRY
