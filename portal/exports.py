"""Writing what people typed into spreadsheets, safely: one place for every XLSX and CSV export.

- XLSX: openpyxl turns any string that starts with "=" into a formula (and "#N/A" and the like into
  an error value). A project named ``=HYPERLINK("http://x","点我")`` would then be a live link in an
  official's Excel. Every string goes in as a string cell, never a formula; numbers stay numbers.
- CSV: no cell types exist, so the OWASP rule: a value that starts with = + - @ TAB or CR gets a
  leading ``'`` (Excel then shows it as text and does not run DDE payloads such as
  ``-2+3+cmd|' /C calc'!A0``).
- Both pass text through ``clean_text``: control characters (which no stored row should hold any
  more, see portal.text) can then never make openpyxl refuse a whole file.
"""

import csv
import io

from django.utils.functional import Promise
from openpyxl.cell import Cell

from portal.text import clean_text

CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class TextCell(Cell):
    """A cell for a write-only sheet. openpyxl first tries an appended object as a value and, failing,
    formats the object's repr for the error it then catches: a cheap repr saves that work."""

    __slots__ = ()

    def __repr__(self):
        return "<text cell>"


def plain(value):
    """A value as it may go into a cell: text cleaned (lazy translations made text), others unchanged."""
    if isinstance(value, Promise):
        value = str(value)
    return clean_text(value)


def as_text(cell):
    """Forces a cell holding a string to be a string cell (not a formula, not an error value).
    For cells whose value the caller sets (e.g. one styled cell reused for every row)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def set_value(cell, value):
    """``cell.value = value``, cleaned and kept as text."""
    cell.value = plain(value)
    return as_text(cell)


def xlsx_cell(ws, value):
    """A cell for ``ws.append`` holding ``value``: strings as string cells, the rest as openpyxl would."""
    return as_text(TextCell(ws, value=plain(value)))


def xlsx_row(ws, values) -> list:
    """``values`` ready for ``ws.append``: every string wrapped in a string cell; numbers, dates, None
    and cells made by the caller (styled) stay as they are (a caller's cell is forced to text too)."""
    row = []
    for value in values:
        if isinstance(value, Cell):
            row.append(as_text(value))
        elif isinstance(value, (str, Promise)):
            row.append(xlsx_cell(ws, value))
        else:
            row.append(value)
    return row


def append(ws, values) -> None:
    """``ws.append(values)`` with every string written as text. Works on write-only and ordinary
    worksheets (both take the prepared cells as they are)."""
    ws.append(xlsx_row(ws, values))


def csv_value(value):
    """A value for a CSV cell: text cleaned and, when Excel would read it as a formula, prefixed with ``'``."""
    value = plain(value)
    if isinstance(value, str) and value.startswith(CSV_TRIGGERS):
        return "'" + value
    return value


class SafeCSVWriter:
    """csv.writer whose rows go through ``csv_value``."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([csv_value(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_bytes(rows, *, bom: bool = True) -> bytes:
    """Rows as a UTF-8 CSV (with the BOM Excel needs to read UTF-8), every value through ``csv_value``."""
    out = io.StringIO()
    SafeCSVWriter(out).writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")
