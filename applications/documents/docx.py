"""The registration form (Table A.1) as a Word file, from the same context as the PDF.

Same content, same labels, same order as the print HTML: the Jiading cover page and 填表说明 first
for a district programme; the header grid; the narrative boxes; the economic grid and the team
table; the three sign-off blocks with blank signature and date lines; 推荐单位意见 and 备注 for a
district programme, 填表说明 at the end otherwise. Every run carries an East Asian font (宋体) so
Word shows the Chinese text as printed.

Every text goes through clean_text on its way into a run (a ``\\r`` left in would become a second
line break in Word). Tables have a fixed layout and explicit column widths (a mobile number stays
on one line in LibreOffice too); the team table's header rows repeat on each page and no row
splits across pages. The municipal form carries 表A.1（续） in the header of every page after the
first; a draft carries 草稿 in every page header.
"""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from portal.text import clean_text

EAST_ASIA_FONT = "宋体"  # SimSun
LATIN_FONT = "Times New Roman"
HEADING_FONT = "黑体"  # SimHei, for titles like the printed form
CHECKED, UNCHECKED = "☑", "☐"
BODY_SIZE = Pt(10.5)  # 五号
NO_SPACE = Pt(0)


def _set_fonts(run, east_asia: str = EAST_ASIA_FONT, size=None, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    r_pr = run._element.get_or_add_rPr()  # noqa: SLF001  (python-docx: the XML is the only way to East Asian fonts)
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    if size is not None:
        run.font.size = size
    if bold:
        run.bold = True


def _run(paragraph, text: str, **font):
    run = paragraph.add_run(clean_text(text))
    _set_fonts(run, **font)
    return run


def _para(container, text: str = "", *, align=None, space_after=NO_SPACE, **font):
    paragraph = container.add_paragraph()
    text = clean_text(text)
    if text:
        lines = text.split("\n")
        for n, line in enumerate(lines):
            run = _run(paragraph, line, **font)
            if n < len(lines) - 1:
                run.add_break()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = space_after
    return paragraph


def _cell(cell, text: str = "", *, align=None, **font):
    """Writes ``text`` into a fresh cell (which python-docx creates with one empty paragraph)."""
    paragraph = cell.paragraphs[0]
    if text:
        _run(paragraph, text, **font)
    if align is not None:
        paragraph.alignment = align
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return paragraph


def _boxes(options) -> str:
    return "  ".join(f"{CHECKED if o['checked'] else UNCHECKED}{o['label']}" for o in options)


def _table(document, rows: int, cols: int, widths_mm=None):
    table = document.add_table(rows=rows, cols=cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if widths_mm:
        _fixed_widths(table, widths_mm)
    return table


def _fixed_widths(table, widths_mm) -> None:
    """A fixed layout with the grid, every cell and the table itself sized: Word and LibreOffice
    then keep the columns instead of fitting them to the text."""
    tbl_pr = table._tbl.tblPr  # noqa: SLF001  (python-docx has no API for a fixed table layout)
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "fixed")
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(int(Mm(sum(widths_mm)).twips)))
    for column, size in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(size)
    for row in table.rows:
        for cell, size in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(size)


def _row_flag(row, tag: str) -> None:
    """w:tblHeader (repeat on each page) or w:cantSplit (keep the row on one page)."""
    tr_pr = row._tr.get_or_add_trPr()  # noqa: SLF001  (python-docx has no API for row flags)
    if tr_pr.find(qn(tag)) is None:
        flag = OxmlElement(tag)
        flag.set(qn("w:val"), "true")
        tr_pr.append(flag)


def _full_row(table, index: int):
    row = table.rows[index]
    return row.cells[0].merge(row.cells[-1])


def _page_break(document) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(18)
    section.left_margin = section.right_margin = Mm(18)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    r_pr = normal.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), EAST_ASIA_FONT)
    document.core_properties.language = "zh-CN"


def _cover(document, ctx) -> None:
    cover = ctx["cover"]
    for _n in range(3):
        _para(document)
    _para(document, f"{ctx['area']}重点产品质量攻关项目\n登记表", align=WD_ALIGN_PARAGRAPH.CENTER,
          east_asia=HEADING_FONT, size=Pt(24), bold=True, space_after=Pt(60))
    table = document.add_table(rows=len(cover["rows"]) + 1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, (label, value) in zip(table.rows, cover["rows"], strict=False):
        _cell(row.cells[0], label, size=Pt(14))
        _cell(row.cells[1], value or "________________", align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(14))
    last = table.rows[-1]
    _cell(last.cells[0], cover["date_label"], size=Pt(14))
    _cell(last.cells[1], cover["date"] or "______年____月____日", align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(14))
    for _n in range(6):
        _para(document)
    for name in cover["organisers"]:
        _para(document, name, align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(14))
    _para(document, cover["printed"], align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(14))
    _page_break(document)


def _instructions(document, ctx, *, colon: bool) -> None:
    heading = ctx["instructions_heading"] + ("：" if colon else "")
    _para(document, heading, east_asia=HEADING_FONT, size=Pt(12), bold=True, space_after=Pt(6))
    for n, item in enumerate(ctx["instructions"], start=1):
        _para(document, f"{n}．{item}", space_after=Pt(3))


def _header_table(document, ctx) -> None:
    labels, header = ctx["labels"], ctx["header"]
    joint = 1 if ctx["joint_applicants"] else 0
    table = _table(document, 8 + joint, 6, [26, 32, 23, 36, 26, 31])
    for row in table.rows:
        _row_flag(row, "w:cantSplit")
    rows = list(table.rows)
    if joint:  # 联合申报单位 under the applicant's name
        joint_row = rows.pop(3)
        _cell(joint_row.cells[0], ctx["joint_label"], align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(joint_row.cells[1].merge(joint_row.cells[5]), ctx["joint_applicants"])

    def pair(row, label, value, *, span_value_to=None):
        _cell(row.cells[0], label, align=WD_ALIGN_PARAGRAPH.CENTER)
        target = row.cells[1].merge(row.cells[span_value_to]) if span_value_to else row.cells[1]
        _cell(target, value)

    pair(rows[0], "项目名称", ctx["project_name"], span_value_to=5)
    pair(rows[1], "项目类别", _boxes(ctx["categories"]), span_value_to=5)
    for row, (left, right) in zip(rows[2:6], [("name", "legal_representative"), ("ownership", "size"),
                                            ("industry", "strategic_emerging"), ("address", "phone")], strict=True):
        pair(row, labels[left], header[left], span_value_to=3)
        _cell(row.cells[4], labels[right], align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(row.cells[5], _boxes(ctx["sizes"]) if right == "size" else header[right])
    contact = rows[6].cells
    for n, key in enumerate(("contact_person", "mobile", "email")):
        _cell(contact[2 * n], labels[key], align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(contact[2 * n + 1], header[key])
    pair(rows[7], "项目先进水平", _boxes(ctx["advancement"]), span_value_to=5)


def _box(cell, label: str, text: str, *, sub: bool = False) -> None:
    """A narrative box: the label, then the text paragraph by paragraph."""
    first = cell.paragraphs[0]
    if first.text or sub:
        first = cell.add_paragraph()
    _run(first, label)
    for line in (clean_text(text) or "").split("\n"):
        _para(cell, line)
    if not text:
        _para(cell)


def _narratives(document, sections, extra_label=None, extra_value=""):
    rows = len(sections) + (1 if extra_label else 0)
    table = _table(document, rows, 1, [174])
    for n, (label, text) in enumerate(sections):
        _box(table.rows[n].cells[0], f"{label}：", text)
    if extra_label:
        _run(table.rows[-1].cells[0].paragraphs[0], f"{extra_label}：{extra_value}")
    return table


def _caption(document, text: str) -> None:
    _para(document, text, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=Pt(4))


def _economic_table(document, ctx) -> None:
    columns = ctx["economic_columns"]
    table = _table(document, 1 + len(ctx["economic_rows"]), 1 + len(columns), [34] + [28] * len(columns))
    for row in table.rows:
        _row_flag(row, "w:cantSplit")
    _cell(table.rows[0].cells[0], ctx["economic_unit"], align=WD_ALIGN_PARAGRAPH.CENTER)
    for cell, label in zip(table.rows[0].cells[1:], columns, strict=True):
        _cell(cell, label, align=WD_ALIGN_PARAGRAPH.CENTER)
    for row, data in zip(table.rows[1:], ctx["economic_rows"], strict=True):
        _cell(row.cells[0], data["label"], align=WD_ALIGN_PARAGRAPH.CENTER)
        for cell, value in zip(row.cells[1:], data["values"], strict=True):
            _cell(cell, value, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _team_table(document, ctx) -> None:
    heading_rows = 2 if ctx["is_district"] else 1
    table = _table(document, heading_rows + len(ctx["team"]), 5, [26, 17, 38, 26, 67])
    if ctx["is_district"]:
        _cell(_full_row(table, 0), ctx["team_heading"], align=WD_ALIGN_PARAGRAPH.CENTER)
    for cell, label in zip(table.rows[heading_rows - 1].cells, ctx["team_columns"], strict=True):
        _cell(cell, label, align=WD_ALIGN_PARAGRAPH.CENTER)
    for row in table.rows[:heading_rows]:
        _row_flag(row, "w:tblHeader")
    for row in table.rows:
        _row_flag(row, "w:cantSplit")
    for row, member in zip(table.rows[heading_rows:], ctx["team"], strict=True):
        row.height = Mm(7.5)
        for cell, key in zip(row.cells, ("name", "gender", "title", "education", "work_unit"), strict=True):
            _cell(cell, member[key])


SIGN_SPACE = "　" * 8  # room for the handwritten signature beside the typed name
SEAL_SPACE = "　" * 6


def _sign_line(ctx, signoff) -> str:
    return f"{ctx['signature_label']}{signoff['name']}{SIGN_SPACE}"


def _signature_block(cell, label: str, opinion: str, sign_text: str, date_line: str) -> None:
    _box(cell, f"{label}：", opinion)
    _para(cell)
    _para(cell, sign_text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(cell, date_line, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _signoffs_side_by_side(document, ctx) -> None:
    """Seed 001: the three opinions in three columns, signature and date lines under each."""
    signoffs = ctx["signoffs"]
    table = _table(document, 3, len(signoffs), [58] * len(signoffs))
    for row in table.rows:
        _row_flag(row, "w:cantSplit")
    table.rows[0].height = Mm(60)
    for cell, signoff in zip(table.rows[0].cells, signoffs, strict=True):
        _box(cell, f"{signoff['label']}：", signoff["opinion"])
    for cell, signoff in zip(table.rows[1].cells, signoffs, strict=True):
        _cell(cell, f"{ctx['signature_label']}{signoff['name']}")
    for cell, signoff in zip(table.rows[2].cells, signoffs, strict=True):
        _cell(cell, signoff["date"] or ctx["date_line"], align=WD_ALIGN_PARAGRAPH.RIGHT)


def _page_headers(document, ctx) -> None:
    """草稿 on every page of a draft; 表A.1（续） on every municipal page after the first."""
    section = document.sections[0]
    continued = "" if ctx["is_district"] else ctx["continued"]
    section.different_first_page_header_footer = bool(continued)
    headers = [(section.header, " ".join(filter(None, [continued, ctx["draft_mark"]])))]
    if continued:
        headers.append((section.first_page_header, ctx["draft_mark"]))
    for header, text in headers:
        header.is_linked_to_previous = False
        _run(header.paragraphs[0], text)
        header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


def render_docx(ctx: dict) -> bytes:
    document = Document()
    _setup(document)
    document.core_properties.title = f"{ctx['title']} — {ctx['project_name']}"
    document.core_properties.subject = ctx["version_label"]
    _page_headers(document, ctx)

    if ctx["cover"]:
        _cover(document, ctx)
        _instructions(document, ctx, colon=False)
        _page_break(document)

    # Page 1: header grid, introduction, investment
    _para(document, ctx["title"], align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=HEADING_FONT, size=Pt(16), bold=True,
          space_after=Pt(6))
    if not ctx["is_district"]:
        _caption(document, "表 A.1")
    _header_table(document, ctx)
    _narratives(document, ctx["intro_sections"], "项目投资（万元）", ctx["investment"])
    _page_break(document)

    # Page 2: quality, innovation, effects, the economic grid and the team
    table = _narratives(document, ctx["quality_sections"])
    effects = table.add_row().cells[0]
    _run(effects.paragraphs[0], ctx["effect_heading"])
    for label, text in ctx["effects"]:
        _box(effects, f"{label}：", text, sub=True)
    _economic_table(document, ctx)
    _team_table(document, ctx)
    _page_break(document)

    # Page 3: the sign-off blocks, then the recommender's block (district) or the instructions
    if ctx["is_district"]:
        _signoffs_side_by_side(document, ctx)
        table = _table(document, 2, 1, [174])
        opinion = ctx["recommendation"]
        seal = f"{opinion['unit']}{SEAL_SPACE}{ctx['seal']}" if opinion else ctx["seal"]
        _signature_block(table.rows[0].cells[0], ctx["recommender_opinion"], opinion["opinion"] if opinion else "",
                         seal, (opinion["date"] if opinion else "") or ctx["date_line"])
        _box(table.rows[1].cells[0], f"{ctx['remarks']}：", "")
    else:
        table = _table(document, len(ctx["signoffs"]), 1, [174])
        for row, signoff in zip(table.rows, ctx["signoffs"], strict=True):
            _row_flag(row, "w:cantSplit")
            _signature_block(row.cells[0], signoff["label"], signoff["opinion"], _sign_line(ctx, signoff),
                             signoff["date"] or ctx["date_line"])
        _para(document)
        _instructions(document, ctx, colon=True)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
