"""The printed record carries what people entered (issue 14): Table A.1 as PDF (pypdf text) and Word
(python-docx) with the recommender's opinion once endorsed, the typed signers and dates, the joint
applicants, 表A.1（续） on every overflow page and 草稿 on every page of a draft; the Jiading
variant's side-by-side sign-offs, team columns and cover."""

import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from applications.documents import html as form_html
from applications.documents.docx import render_docx
from applications.documents.pdf import render_pdf
from applications.models.documents import DRAFT_VERSION
from applications.services import recommendation as service
from portal.models.organisations import Organisation
from tests.applications.test_recommendation_helpers import ENDORSEMENT, application_for, district_setup, submitted
from tests.factories import OrganisationFactory, complete_application


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_pages(data: bytes) -> list[str]:
    return [_flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def docx_body(data: bytes) -> str:
    return _flat("".join(t.text or "" for t in Document(io.BytesIO(data)).element.body.iter(qn("w:t"))))


def render(app, version=None):
    version = app.versions.order_by("-number").first().number if version is None else version
    context = form_html.build_context(app, version)
    return context, render_pdf(form_html.render_html(context)), render_docx(context)


def _after(text: str, marker: str, length: int = 80) -> str:
    return text[text.index(marker):text.index(marker) + length]


# --- 推荐单位意见 ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_recommenders_opinion_unit_and_date_are_printed_once_the_street_endorsed():
    programme, _bureau, street, _bureau_user, street_user = district_setup()
    app = application_for(programme, street, "伺服电机降噪攻关")
    _context, pdf, docx = render(app)
    before_pdf, before_docx = "".join(pdf_pages(pdf)), docx_body(docx)
    # before endorsement: the empty box, as on paper
    assert ENDORSEMENT["opinion"] not in before_pdf and ENDORSEMENT["opinion"] not in before_docx
    assert _after(before_pdf, "推荐单位意见：", 20).startswith("推荐单位意见：（盖章）年月日")

    decision = service.endorse(street_user, app, **ENDORSEMENT)
    app.refresh_from_db()
    decided = decision.decided_at.astimezone()
    day = f"{decided.year}年{decided.month}月{decided.day}日"
    context, pdf, docx = render(app)
    assert context["recommendation"] == {"opinion": ENDORSEMENT["opinion"], "unit": "嘉定区南翔镇", "date": day}
    for text in ("".join(pdf_pages(pdf)), docx_body(docx)):
        box = _after(text, "推荐单位意见：", 60)
        assert box.startswith(f"推荐单位意见：{ENDORSEMENT['opinion']}嘉定区南翔镇"), box
        assert f"（盖章）{day}备注" in text
    # the older draft (version 0) keeps the empty box: the opinion is about what was submitted
    assert form_html.build_context(app, DRAFT_VERSION)["recommendation"] is None


@pytest.mark.django_db
def test_a_declined_or_returned_application_prints_no_opinion():
    programme, _bureau, street, bureau_user, street_user = district_setup()
    declined = application_for(programme, street, "汽车线束可靠性攻关")
    service.decline(street_user, declined, "不符合申报条件。")
    declined.refresh_from_db()
    assert form_html.build_context(declined, 1)["recommendation"] is None
    returned = application_for(programme, street, "精密模具寿命提升")
    service.endorse(street_user, returned, **ENDORSEMENT)
    returned.refresh_from_db()
    assert form_html.build_context(returned, 1)["recommendation"] is not None
    service.return_to_street(bureau_user, returned, "请补充检测报告后重新审核。")
    returned.refresh_from_db()
    assert form_html.build_context(returned, 1)["recommendation"] is None


# --- the three sign-offs and the cover ------------------------------------------------------------


@pytest.mark.django_db
def test_the_signers_names_and_dates_are_printed_with_room_to_sign():
    app = submitted(complete_application(project_name="主轴可靠性攻关", tech_head_name="李技术",
                                         finance_head_name="周财务", unit_head_name="陈总",
                                         finance_head_date="2025-07-02", unit_head_date="2025-07-03"))
    _context, pdf, docx = render(app)
    expected = ["单位技术负责人意见", "负责人（签字）", "李技术", "2025年7月1日",
                "单位财务负责人意见", "负责人（签字）", "周财务", "2025年7月2日",
                "单位负责人意见", "负责人（签字）", "陈总", "2025年7月3日"]
    for text in ("".join(pdf_pages(pdf)), docx_body(docx)):
        position = 0
        for label in expected:
            position = text.index(label, position) + len(label)
    assert "年月日" not in docx_body(docx).split("单位技术负责人意见")[1].split("填表说明")[0]


@pytest.mark.django_db
def test_the_jiading_form_has_side_by_side_signoffs_its_team_columns_the_filing_date_and_the_seeds_organisers():
    programme, _bureau, street, _bureau_user, _street_user = district_setup()
    programme.organiser_names = "上海市嘉定区市场监督管理局\n上海市嘉定区经济委员会"
    programme.save()
    app = application_for(programme, street, "伺服电机降噪攻关")
    context, pdf, docx = render(app)
    assert context["team_columns"] == ["姓名", "性别", "职务（职称）", "学历", "工作单位（部门）"]
    pages = pdf_pages(pdf)
    filed = app.versions.get(number=1).created_at.astimezone()
    assert f"填报日期{filed.year}年{filed.month}月{filed.day}日" in pages[0]
    assert pages[0].endswith("嘉定区市场监督管理局嘉定区经济委员会印制") or "嘉定区经济委员会印制" in pages[0]
    assert "上海市嘉定区" not in pages[0]
    text = "".join(pages)
    assert "职务（职称）学历工作单位（部门）" in text and "职务/职称" not in text
    # side by side: the three opinion labels come before the first signature line
    opinions = "单位技术负责人意见：同意申报。单位财务负责人意见：同意申报。单位负责人意见：同意申报。"
    assert opinions + "负责人（签字）：王工" in text
    document = Document(io.BytesIO(docx))
    sign_tables = [t for t in document.tables if len(t.columns) == 3 and "单位技术负责人意见" in t.cell(0, 0).text]
    assert len(sign_tables) == 1 and "单位负责人意见" in sign_tables[0].cell(0, 2).text
    assert [c.text for c in sign_tables[0].rows[2].cells] == ["2025年7月1日"] * 3
    assert "职务（职称）" in docx_body(docx)


# --- joint applicants -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_joint_applicants_are_printed_under_the_applicant_on_the_pdf_and_the_word_file():
    app = complete_application(project_name="产业链协同攻关")
    names = ["上海联合甲有限公司", "上海联合乙研究院"]
    app.joint_applicants.add(*(OrganisationFactory(name=name) for name in names))
    app = submitted(app)
    _context, pdf, docx = render(app)
    for text in ("".join(pdf_pages(pdf)), docx_body(docx)):
        assert f"{app.organisation.name}" in text
        assert "联合申报单位" + "、".join(sorted(names)) in text
        assert text.index("联合申报单位") > text.index("单位名称（全称）")
    assert Organisation.objects.count() >= 3


# --- 表A.1（续） and 草稿 on every page ----------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_after_the_first_is_headed_table_a1_continued_however_long_the_text():
    long = "\n".join(f"第{n}段：主轴热变形补偿、轴承预紧与装配工艺的逐项验证记录。" * 3 for n in range(40))
    app = submitted(complete_application(project_name="长文本攻关", innovation=long[:3000], quality_level=long[:3000]))
    _context, pdf, docx = render(app)
    pages = pdf_pages(pdf)
    assert len(pages) >= 5  # the narratives overflow parts 2 and 3
    assert "表A.1（续）" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert "表A.1（续）" in page, f"page {number} lacks its heading"
    # Word: the header of every page but the first
    section = Document(io.BytesIO(docx)).sections[0]
    assert section.different_first_page_header_footer
    assert section.header.paragraphs[0].text == "表A.1（续）" and section.first_page_header.paragraphs[0].text == ""


@pytest.mark.django_db
def test_a_drafts_pdf_is_marked_on_every_page_and_a_submitted_version_is_not():
    app = complete_application(project_name="标记测试攻关")
    _context, pdf, docx = render(app, DRAFT_VERSION)
    pages = pdf_pages(pdf)
    assert len(pages) >= 3 and all("草稿" in page for page in pages)
    header = Document(io.BytesIO(docx)).sections[0].header
    assert "草稿" in header.paragraphs[0].text
    app = submitted(app)
    _context, pdf, docx = render(app)
    assert not [page for page in pdf_pages(pdf) if "草稿" in page]
    assert "草稿" not in Document(io.BytesIO(docx)).sections[0].header.paragraphs[0].text


# --- the Word file: line breaks, widths, the team table -----------------------------------------


@pytest.mark.django_db
def test_text_typed_in_a_browser_gives_no_blank_lines_and_control_characters_never_stop_a_render():
    app = complete_application(project_name="换行\x01攻关", background="第一段\r\n第二段\r\n第三段",
                               objectives="目标一\x0b目标二", unit_head_opinion="同意\r\n申报。\x07")
    app = submitted(app)
    context, pdf, docx = render(app)
    document = Document(io.BytesIO(docx))
    xml = document.element.xml
    assert "\r" not in xml and "\x07" not in xml and "\x01" not in xml
    paragraphs = [p.text for t in document.tables for c in t._cells for p in c.paragraphs]
    start = paragraphs.index("项目背景意义：")
    assert paragraphs[start + 1:start + 4] == ["第一段", "第二段", "第三段"]  # no blank line between them
    assert "目标一" in paragraphs and "目标二" in paragraphs
    assert "换行攻关" in "".join(pdf_pages(pdf)) and context["project_name"] == "换行攻关"


@pytest.mark.django_db
def test_word_tables_have_fixed_widths_and_the_team_header_repeats_and_rows_do_not_split():
    app = submitted(complete_application())
    _context, _pdf, docx = render(app)
    document = Document(io.BytesIO(docx))
    bodies = [t for t in document.tables if t.style is not None and t.style.name == "Table Grid"]
    assert bodies
    for table in bodies:
        layout = table._tbl.tblPr.find(qn("w:tblLayout"))
        assert layout is not None and layout.get(qn("w:type")) == "fixed"
        grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert all(width > 0 for width in grid)
    team = next(t for t in document.tables if t.cell(0, 0).text == "姓名")
    header = team.rows[0]._tr.trPr
    assert header is not None and header.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in team.rows)
    contact = next(t for t in document.tables if t.cell(0, 0).text == "项目名称")
    mobile_column = [int(c.get(qn("w:w"))) for c in contact._tbl.tblGrid.findall(qn("w:gridCol"))][3]
    assert mobile_column >= 2000  # 36 mm in twips: an 11-digit mobile number fits on one line


# --- wording: the seeds' terms ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_home_page_uses_the_seeds_terms_and_no_publicity_step_the_standard_lacks(client):
    from django.urls import reverse

    page = client.get(reverse("home")).content.decode()
    assert "证实性材料" in page and "证明材料" not in page
    assert "公示" not in page and "向社会公布" in page
