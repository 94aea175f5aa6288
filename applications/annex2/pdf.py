"""Annex 2 as PDF: A4 landscape, Noto Sans CJK SC (embedded as a subset), the header row repeated
on every page, written directly by portal.pdf_table (HTML → WeasyPrint took 6.5 s per 1,000 rows:
its per-cell layout and drawing, issue 16).

The layout is that of the former print stylesheet: 14 mm / 12 mm margins, 9.5 pt text, the title
16 pt centred, shaded header, 0.6 pt borders, the columns below, amounts right-aligned, the note in
8 pt under the table, the footer's three parts side by side (1.6 : 1 : 1), and
"第 N 页，共 M 页" centred at the foot of every page. Everything is Chinese: an official form."""

from decimal import Decimal

from portal.pdf_table import Table, render
from portal.text import clean_text

from .rows import HEADERS, MONEY_COLUMN, Annex2Table

# 序号, 项目名称, 项目单位, 完成时间, 项目先进水平, 企业性质, 企业规模, 经济效益（万元）, 备注 (percent of
# the width; 经济效益（万元） fits on one line).
WIDTHS = (4, 18, 17, 8, 13, 8, 8, 11, 13)
ALIGNS = ("center", "left", "left", "center", "center", "center", "center", "right", "left")
FOOTER_WIDTHS = (1.6, 1, 1)
PAGE_LABEL = "第 {page} 页，共 {pages} 页"


def money_text(value) -> str:
    """0.01 万元, in Decimal: no float noise whatever the database returned."""
    return "" if value is None else f"{Decimal(str(value)).quantize(Decimal('0.01')):,.2f}"


def _cells(row) -> tuple:
    return tuple(clean_text(v) for v in (*row[:MONEY_COLUMN], money_text(row[MONEY_COLUMN]), *row[MONEY_COLUMN + 1:]))


def build_pdf(table: Annex2Table) -> bytes:
    return render(Table(
        title=clean_text(table.title), headers=HEADERS, widths=WIDTHS, aligns=ALIGNS,
        rows=(_cells(row) for row in table.rows), note=clean_text(table.note),
        footer=table.footer, footer_widths=FOOTER_WIDTHS, page_label=PAGE_LABEL,
    ))
