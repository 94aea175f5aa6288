"""Limits shared by every spreadsheet import (the admin's units and users, the expert pool).

- IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES: an XLSX is a ZIP; a 300 KB file can inflate to hundreds of
  MB of XML, and openpyxl holds its shared strings in memory. The real inflated size is measured
  (portal.archives) before openpyxl opens the file.
- IMPORT_MAX_ROWS: rows are counted while reading and reading stops past the cap.
- Duplicate keys: the same key twice in one file is refused with the rows that hold it (otherwise
  the last row would silently win).

The admin's import/export formats (settings IMPORT_EXPORT_FORMATS) are the capped CSV and XLSX
below; exports write people's text through portal.exports (text cells, never formulas).
"""

import io
import zipfile
from collections import defaultdict

import openpyxl
import tablib
from django.conf import settings
from django.utils.translation import gettext as _
from import_export.formats import base_formats

from portal import archives
from portal.exports import append, csv_bytes


class ImportRefused(Exception):
    """The file as a whole is refused; ``str`` is the message for the person who uploaded it."""


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f}"


def check_xlsx(data) -> None:
    """Refuses an XLSX (bytes or a seekable binary file) that inflates past the cap, or whose
    headers lie about its sizes. A file that is not a ZIP at all is left to the reader's own message."""
    fileobj = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    cap = settings.IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES
    try:
        archives.measure(fileobj, max_bytes=cap, max_entries=1000)
    except zipfile.BadZipFile:
        return
    except archives.ArchiveRefused as refused:
        if refused.reason == "inconsistent":
            raise ImportRefused(_("文件结构异常，无法读取。请在Excel中打开后另存为 .xlsx 文件再上传。")) from refused
        raise ImportRefused(
            _("文件解压后超过 %(mb)s MB，超出一次导入的上限。"
              "请删去多余的工作表、格式或空行，或拆分为几个文件分批导入。") % {"mb": _mb(cap)}
        ) from refused


def check_row_count(count: int) -> None:
    cap = settings.IMPORT_MAX_ROWS
    if count > cap:
        raise ImportRefused(
            _("一次最多导入 %(max)d 行数据，本文件超过了这个数。请拆分为几个文件分批导入。") % {"max": cap}
        )


def duplicate_rows(keyed_rows) -> dict[str, list[int]]:
    """{key: [row numbers]} for each key that occurs on more than one row. ``keyed_rows`` yields
    (row number, key); empty keys are left to the row's own validation."""
    rows = defaultdict(list)
    for number, key in keyed_rows:
        key = str(key if key is not None else "").strip()
        if key:
            rows[key].append(number)
    return {key: numbers for key, numbers in rows.items() if len(numbers) > 1}


def duplicate_message(column: str, key: str, numbers: list[int]) -> str:
    return _("%(column)s“%(key)s”在文件中出现了多次（第%(rows)s行），每个%(column)s只能出现一次。") % {
        "column": column,
        "key": key,
        "rows": "、".join(str(n) for n in numbers),
    }


class CappedXLSX(base_formats.XLSX):
    """django-import-export's XLSX, with the size and row caps, and text-cell exports."""

    def create_dataset(self, in_stream):
        check_xlsx(in_stream)
        book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        try:
            rows = book.active.iter_rows(values_only=True)
            dataset = tablib.Dataset()
            dataset.headers = list(next(rows, ()))
            for values in rows:
                if all(value is None for value in values):
                    continue  # blank (often only formatted) rows are not data
                dataset.append(list(values))
                check_row_count(len(dataset))
        finally:
            book.close()
        return dataset

    def export_data(self, dataset, **kwargs):
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        append(sheet, dataset.headers or [])
        for row in dataset:
            append(sheet, row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


class CappedCSV(base_formats.CSV):
    """django-import-export's CSV, with the row cap, and exports neutralised (portal.exports)."""

    def create_dataset(self, in_stream, **kwargs):
        dataset = super().create_dataset(in_stream, **kwargs)
        check_row_count(len(dataset))
        return dataset

    def export_data(self, dataset, **kwargs):
        return csv_bytes([dataset.headers or [], *dataset]).decode("utf-8")
