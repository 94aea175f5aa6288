"""Annex 2 as XLSX (openpyxl, write-only: rows stream straight to the file).

Layout: row 1 the title (merged A:I), row 2 the nine headers (repeated on every printed page),
then one row per application, the figure note (merged A:I) and the footer. A4 landscape, fitted
to the page width. Column widths fit the longest text (CJK characters count double), within
bounds; longer text wraps.

Speed: every body cell needs a border, and a styled cell is what costs in openpyxl. The write-only
worksheet writes each appended row at once, so one set of nine styled cells is reused for every
row (only the values change): no per-row cell or style objects. (benchmarks/annex2.py)

Safety: every value goes through portal.exports, so text people typed (a project named "=1+1")
is a string cell, never a formula, and control characters cannot stop the file.
"""

import io

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portal.exports import set_value

from .rows import HEADERS, MONEY_COLUMN, Annex2Table

FONT = "宋体"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# (minimum, maximum) column width in Excel character units; only the free-text columns (项目名称,
# 项目单位, 备注) are measured, the others hold known values that fit their minimum.
WIDTHS = [(6, 6), (24, 44), (20, 36), (11, 11), (20, 20), (14, 14), (12, 12), (14, 14), (16, 36)]
MEASURED = (1, 2, 8)
CENTRED = {0, 3, 4, 5, 6}
MONEY = MONEY_COLUMN
MONEY_FORMAT = "#,##0.00"


def display_width(text) -> int:
    """Columns a text takes: CJK (two bytes in GBK) counts 2, ASCII 1."""
    if text is None:
        return 0
    return len(str(text).encode("gbk", errors="replace"))


def column_widths(table: Annex2Table) -> list[float]:
    widths = []
    for index, (low, high) in enumerate(WIDTHS):
        longest = display_width(HEADERS[index])
        if index in MEASURED:
            longest = max(longest, max((display_width(row[index]) for row in table.rows), default=0))
        widths.append(max(low, min(high, longest + 2)))
    return widths


class _Cell(Cell):
    """A cell appended to a write-only sheet. openpyxl first tries the appended object as a value
    and, failing, formats the object's repr for the error it then catches: a cheap repr saves
    that work on every styled cell."""

    __slots__ = ()

    def __repr__(self):
        return "<Annex 2 cell>"


def _cell(ws, value=None, *, font=None, border=None, fill=None, horizontal="left", wrap=True, fmt=None):
    cell = set_value(_Cell(ws), value)
    cell.font = font or Font(name=FONT, size=10)
    cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=wrap)
    if border:
        cell.border = border
    if fill:
        cell.fill = fill
    if fmt:
        cell.number_format = fmt
    return cell


def _print_setup(ws, rows: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.6
    ws.print_title_rows = "2:2"
    ws.print_area = f"A1:I{rows}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = "A3"


def build_xlsx(table: Annex2Table, progress=None) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("申报汇总表")
    for index, width in enumerate(column_widths(table), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    last = len(table.rows) + 4
    _print_setup(ws, last)

    ws.row_dimensions[1].height = 36
    ws.append([_cell(ws, table.title, font=Font(name=FONT, size=16, bold=True), horizontal="center", wrap=False)])
    ws.merged_cells.add("A1:I1")

    fill = PatternFill("solid", fgColor="D9D9D9")
    header = [_cell(ws, text, font=Font(name=FONT, size=10, bold=True), border=BOX, fill=fill, horizontal="center")
              for text in HEADERS]
    header[MONEY].comment = Comment(table.note, "质量攻关成果平台", width=300, height=80)
    ws.row_dimensions[2].height = 30
    ws.append(header)

    pool = [_cell(ws, border=BOX, horizontal="center" if i in CENTRED else ("right" if i == MONEY else "left"),
                  fmt=MONEY_FORMAT if i == MONEY else None) for i in range(len(HEADERS))]
    step = max(1, len(table.rows) // 10)
    for n, row in enumerate(table.rows, start=1):
        for cell, value in zip(pool, row, strict=True):
            set_value(cell, value)
        ws.append(pool)
        if progress and n % step == 0:
            progress(n, len(table.rows))

    ws.append([_cell(ws, table.note, font=Font(name=FONT, size=9))])
    ws.merged_cells.add(f"A{last - 1}:I{last - 1}")
    footer = table.footer
    ws.row_dimensions[last].height = 24
    ws.append([_cell(ws, footer[0]), None, None, _cell(ws, footer[1]), None, None, _cell(ws, footer[2])])
    for span in (f"A{last}:C{last}", f"D{last}:F{last}", f"G{last}:I{last}"):
        ws.merged_cells.add(span)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
