"""The expert-pool spreadsheet (专家导入模板): the template offered for download and the reader.

Reading only turns cells into text rows keyed by column; scoring.services.experts checks them.
The template is written through portal.exports (category names are text cells, never formulas).
"""

import io
import zipfile
from dataclasses import dataclass

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils.exceptions import InvalidFileException

from portal.exports import append
from portal.text import clean_text

# (key, header as printed in the template). A header is recognised by the words before "（".
COLUMNS = [
    ("name", "姓名"),
    ("work_unit", "工作单位"),
    ("title", "职称"),
    ("expertise", "专业领域（用“、”分隔的项目类别）"),
    ("keywords", "关键词"),
    ("email", "邮箱"),
    ("phone", "手机"),
    ("past_employers", "曾任职单位（用“；”分隔）"),
    ("credit_code", "统一社会信用代码（选填）"),
]
SHEET_TITLE = "专家名单"
MAX_ROWS = 2000


def short(header: str) -> str:
    return str(header or "").replace("(", "（").split("（")[0].strip()


COLUMN_NAMES = {key: short(header) for key, header in COLUMNS}  # key → 姓名, 专业领域, …


@dataclass(frozen=True)
class RowError:
    row: int | None  # the spreadsheet's row number (the header is row 1); None for the whole file
    column: str  # the column's name as printed (姓名, 邮箱, …); "" for the whole row or file
    message: str


class SheetError(Exception):
    """The file as a whole cannot be read; carries the RowErrors to show."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(e.message for e in errors))


def build_template(category_names: list[str]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    append(sheet, [header for _key, header in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    widths = [10, 28, 14, 30, 24, 26, 16, 36, 24]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    lines = [
        "从“专家名单”第2行起每行填写一位专家；第1行表头请勿修改。",
        "必填：姓名、工作单位、专业领域、邮箱。邮箱用作登录名，不能与平台已有账号重复。",
        "专业领域填写下列项目类别中的一个或多个，用“、”分隔：",
        "、".join(category_names),
        "曾任职单位用“；”分隔，用于回避判断。统一社会信用代码为工作单位的代码，选填。",
        "文件中任何一行有误时，整份文件都不会导入；请按错误报告修改后重新上传。",
        "导入后，专家会收到设置密码的邮件。",
        "示例：张伟 | 上海某某大学 | 教授 | 集成电路、电子信息 | 可靠性；失效分析 | zhangwei@example.edu.cn | "
        "13800000000 | 上海某某微电子有限公司；某某研究所 | （留空）",
    ]
    for line in lines:
        append(notes, [line])
    notes.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed as a number
    return clean_text(str(value)).strip()  # a cell pasted from Word may hold a vertical tab


def read_rows(file) -> list[tuple[int, dict[str, str]]]:
    """[(row number, {key: text})] for each non-blank row, or SheetError."""
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise SheetError([RowError(None, "", _("无法读取文件，请上传用模板填写的 .xlsx 文件。"))]) \
            from error
    try:
        sheet = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [short(_text(cell)) for cell in next(rows, ())]
        wanted = {name: key for key, name in COLUMN_NAMES.items()}
        missing = [name for name in wanted if name not in header]
        if missing:
            raise SheetError([RowError(1, name, _("缺少“%(name)s”列，请使用平台提供的模板。") % {"name": name})
                              for name in missing])
        positions = {wanted[name]: header.index(name) for name in wanted}
        found = []
        for number, cells in enumerate(rows, start=2):
            values = {key: _text(cells[i]) if i < len(cells) else "" for key, i in positions.items()}
            if any(values.values()):
                found.append((number, values))
            if len(found) > MAX_ROWS:
                raise SheetError([RowError(None, "", _("一次最多导入 %(n)d 位专家。") % {"n": MAX_ROWS})])
    finally:
        book.close()
    if not found:
        raise SheetError([RowError(None, "", _("文件中没有专家数据。"))])
    return found
