"""Annex 2 PDF as written by portal.pdf_table (no HTML): text read back with pypdf, positions
checked against the column widths, the embedded font inspected (a CFF subset, CID-keyed, with a
ToUnicode map), odd characters, a row taller than a page, and both subsetters (HarfBuzz, fontTools)."""

import io
import logging
import re
import warnings
from decimal import Decimal

import pytest
from fontTools.cffLib import CFFFontSet
from pypdf import PdfReader

from applications.annex2 import pdf as annex2_pdf
from applications.annex2.pdf import WIDTHS, build_pdf
from applications.annex2.rows import FIGURE_NOTE, HEADERS, Annex2Table
from portal import pdf_font
from portal.pdf_table import MM, Layout, Style, Table, render

TITLE = "2099年嘉定区重点产品质量攻关项目申报汇总表"


def _row(n, name=None, unit=None, money=Decimal("5100.5")):
    return (n, name or f"新能源汽车电驱动高精度齿轮质量攻关项目第{n}期", unit or f"上海示范精密传动科技有限公司{n}",
            "2025年6月", "国际先进或国内领先", "民营企业", "中型", money, "领先程度：国内领先；实际效果：显著")


def _table(rows):
    return Annex2Table(TITLE, rows, "基准测试镇", "赵敏", "59120000")


def _read(content: bytes) -> PdfReader:
    """The file read strictly, every page's text extracted, with no warning from pypdf."""
    logger = logging.getLogger("pypdf")
    records = []
    handler = logging.Handler(level=logging.WARNING)
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            reader = PdfReader(io.BytesIO(content), strict=True)
            for page in reader.pages:
                page.extract_text()
    finally:
        logger.removeHandler(handler)
    assert not records, [r.getMessage() for r in records]
    return reader


def _flat(page) -> str:
    return re.sub(r"\s+", "", page.extract_text())


def _runs(page):
    """(text, x, y, font size) of every text run on the page."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text, tm[4], tm[5], size))

    page.extract_text(visitor_text=visit)
    return runs


@pytest.fixture(scope="module")
def thousand():
    rows = [_row(n) for n in range(1, 1001)]
    return rows, build_pdf(_table(rows))


def test_a_thousand_rows_title_headers_on_every_page_first_and_last_rows_and_page_labels(thousand):
    rows, content = thousand
    reader = _read(content)
    pages = len(reader.pages)
    assert 40 < pages < 100  # ~15 rows a page, as with the print stylesheet (67 pages)
    flat = [_flat(page) for page in reader.pages]
    assert flat[0].startswith(TITLE) and all(TITLE not in text for text in flat[1:])
    for number, text in enumerate(flat, start=1):
        assert "".join(HEADERS) in text  # every label, in order, on every page
        assert text.endswith(f"第{number}页，共{pages}页")
    assert "新能源汽车电驱动高精度齿轮质量攻关项目第1期" in flat[0] and "5,100.50" in flat[0]
    last = "".join(flat[-2:])
    assert "1000新能源汽车电驱动高精度齿轮质量攻关项目第1000期上海示范精密传动科技有限公司1000" in last
    assert FIGURE_NOTE in last and "填报单位（加盖公章）：基准测试镇联系人：赵敏联系电话：59120000" in last
    assert all(f"项目第{n}期" in "".join(flat) for n in (1, 17, 500, 999))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape


def test_the_font_is_an_embedded_cid_keyed_cff_subset_with_a_unicode_map(thousand):
    _rows, content = thousand
    reader = _read(content)
    font = reader.pages[0]["/Resources"]["/Font"]["/F1"].get_object()
    assert font["/Subtype"] == "/Type0" and font["/Encoding"] == "/Identity-H" and "/ToUnicode" in font
    assert re.fullmatch(r"/[A-Z]{6}\+NotoSansCJK\w*-Regular", font["/BaseFont"])
    cid_font = font["/DescendantFonts"][0].get_object()
    assert cid_font["/Subtype"] == "/CIDFontType0"
    font_file = cid_font["/FontDescriptor"]["/FontFile3"].get_object()
    assert font_file["/Subtype"] == "/CIDFontType0C"
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(font_file.get_data()), None)
    top = cff.topDictIndex[0]
    assert top.ROS == ("Adobe", "Identity", 0)
    assert 50 < len(top.charset) < 300  # the characters used, not the face's 65,535 glyphs
    assert len(content) < 400_000


def test_a_long_cjk_cell_wraps_inside_its_column_and_the_row_grows():
    rows = [_row(1), _row(2, name="质" * 300), _row(3)]
    reader = _read(build_pdf(_table(rows)))
    style = Style()
    left = style.margins[3] + style.border / 2
    inner = style.page[0] - style.margins[1] - style.margins[3] - style.border
    col_left = left + inner * WIDTHS[0] / sum(WIDTHS)
    col_right = col_left + inner * WIDTHS[1] / sum(WIDTHS)
    runs = [r for page in reader.pages for r in _runs(page) if set(r[0]) == {"质"}]
    assert sum(len(text) for text, *_ in runs) == 300
    assert len(runs) >= 300 * style.size // (col_right - col_left)  # one run per line
    for text, x, _y, size in runs:
        assert x >= col_left + style.cell_padding[1]
        assert x + len(text) * size <= col_right - style.cell_padding[1] + 0.01  # CJK: 1 em each
    ys = sorted({round(y, 1) for _t, _x, y, _s in runs})
    assert len(ys) == len(runs)  # each line lower than the last
    flat = _flat(reader.pages[0])
    assert flat.index("第1期") < flat.index("质质") < flat.index("第3期")  # the row stays in its place


def test_latin_words_wrap_at_spaces_and_long_tokens_are_broken_punctuation_stays():
    layout = Layout(pdf_font.FontUse(pdf_font.default_face()))
    lines = layout.wrap("alpha beta gamma delta epsilon zeta eta theta", 60, 9.5)
    assert len(lines) > 1 and all(width <= 60 for _t, width in lines)
    assert " ".join(text for text, _w in lines) == "alpha beta gamma delta epsilon zeta eta theta"
    lines = layout.wrap("x" * 200, 60, 9.5)
    assert "".join(t for t, _w in lines) == "x" * 200 and all(w <= 60 for _t, w in lines)
    lines = layout.wrap("领先程度：国内领先；实际效果：显著。（已核实）", 9.5 * 5, 9.5)
    assert all(w <= 9.5 * 5 + 0.01 for _t, w in lines)
    assert not any(text[0] in "，。；：）" or text[-1] == "（" for text, _w in lines)


def test_formulas_markup_and_odd_characters_stay_plain_text_and_never_fail():
    odd = ["=HYPERLINK(\"x\")", "<script>alert(1)</script>", "😀👍🏽 emoji", "שלום עולם RTL", "مرحبا",
           "e\u0301 combining", "tab\tand\nnew line", "nul\x00 bell\x07 vt\x0b", "\u202eoverride", "\ud800 lone",
           "零宽\u200b空格", "𠀀𪚥 ext-B"]
    rows = [_row(n, name=value, unit=value) for n, value in enumerate(odd, start=1)]
    reader = _read(build_pdf(_table(rows)))
    flat = "".join(_flat(page) for page in reader.pages)
    assert '=HYPERLINK("x")' in flat and "<script>alert(1)</script>" in flat
    assert "tabandnewline" in flat and "nulbellvt" in flat  # controls dropped by clean_text, breaks are spaces
    assert "override" in flat and "\u202e" not in flat


def test_a_row_taller_than_a_page_is_split_across_pages_with_the_header_on_each():
    rows = [_row(1), _row(2, name="攻" * 3000), _row(3)]
    reader = _read(build_pdf(_table(rows)))
    flat = [_flat(page) for page in reader.pages]
    assert len(flat) >= 3
    assert sum(text.count("攻") - text.count("攻关") for text in flat) == 3000
    assert all("".join(HEADERS) in text for text in flat)
    assert "第3期" in "".join(flat[-2:])


def test_the_fonttools_subsetter_gives_the_same_text(monkeypatch):
    rows = [_row(n, name=f"精密模具寿命提升{n}号（联合申报：乙公司）") for n in range(1, 30)]
    fast = _read(build_pdf(_table(rows)))
    monkeypatch.setattr(pdf_font, "cff_subset", lambda *args: None)
    slow = _read(build_pdf(_table(rows)))
    assert [p.extract_text() for p in fast.pages] == [p.extract_text() for p in slow.pages]


def test_an_empty_table_and_a_generic_table():
    reader = _read(build_pdf(_table([])))
    assert len(reader.pages) == 1 and "".join(HEADERS) in _flat(reader.pages[0])
    content = render(Table(title="", headers=["A", "B"], widths=[1, 3], rows=[("1", "x " * 500)],
                           page_label="{page}/{pages}"))
    reader = _read(content)
    assert _flat(reader.pages[-1]).endswith(f"{len(reader.pages)}/{len(reader.pages)}")
    assert MM * 25.4 == pytest.approx(72)


def test_build_pdf_keeps_its_signature():
    assert annex2_pdf.build_pdf.__annotations__["return"] is bytes
