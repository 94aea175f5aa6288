"""Recognising uploaded files by their content (magic bytes), not by their name.

Only PDF, JPEG, PNG, DOCX and XLSX are accepted. DOCX and XLSX are ZIP containers: they are
opened with zipfile and refused when they would expand suspiciously (a zip bomb).
"""

import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portal import archives

MAX_EXPANSION_RATIO = 100
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000


@dataclass(frozen=True)
class FileType:
    key: str
    label: str  # what the person is told, e.g. “PDF”
    english: str
    content_type: str
    extensions: tuple[str, ...]


FILE_TYPES = {
    t.key: t
    for t in [
        FileType("pdf", "PDF", "PDF", "application/pdf", (".pdf",)),
        FileType("jpeg", _("JPG图片"), "JPEG image", "image/jpeg", (".jpg", ".jpeg")),
        FileType("png", _("PNG图片"), "PNG image", "image/png", (".png",)),
        FileType("docx", _("Word文档（DOCX）"), "DOCX document",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
        FileType("xlsx", _("Excel表格（XLSX）"), "XLSX workbook",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    ]
}
BY_EXTENSION = {ext: t for t in FILE_TYPES.values() for ext in t.extensions}
ACCEPT_ATTRIBUTE = ",".join(BY_EXTENSION)  # for <input type=file accept=…>


class SuspiciousArchive(Exception):
    """The ZIP would expand too much; ``str`` says how much."""


def read_head(fileobj, n=16) -> bytes:
    fileobj.seek(0)
    head = fileobj.read(n)
    fileobj.seek(0)
    return head


def describe(head: bytes) -> str:
    """What an unacceptable file actually seems to be, for the refusal message."""
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF") or head[:4] in (b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce"):
        return str(_("可执行文件"))
    if head.startswith(b"PK\x03\x04"):
        return str(_("ZIP压缩包"))
    if head.startswith(b"Rar!") or head.startswith(b"7z\xbc\xaf"):
        return str(_("压缩包"))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return str(_("旧版Office文件（DOC/XLS），请另存为DOCX/XLSX或PDF"))
    if head.startswith(b"GIF8"):
        return str(_("GIF图片"))
    return str(_("未知格式"))


def _ooxml_kind(fileobj, size: int) -> str | None:
    """'docx', 'xlsx' or None for a ZIP; raises SuspiciousArchive for a zip bomb.

    The members are inflated (portal.archives) with a running count that stops at the budget: a
    crafted header that states a small size cannot hide what Word or LibreOffice would inflate."""
    budget = min(MAX_UNCOMPRESSED_BYTES, MAX_EXPANSION_RATIO * max(size, 1))
    try:
        measured = archives.measure(fileobj, max_bytes=budget, max_entries=MAX_ZIP_ENTRIES)
    except zipfile.BadZipFile:
        return None
    except archives.ArchiveRefused as refused:
        detail = {
            "too_large": _("解压后超过%(mb)s MB") % {"mb": f"{budget / 1024 / 1024:.0f}"},
            "too_many_entries": _("文件数超过%(n)d个") % {"n": MAX_ZIP_ENTRIES},
        }.get(refused.reason, _("记录的大小与实际内容不符"))
        raise SuspiciousArchive(str(detail)) from refused
    names = measured.names
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return None


def detect(fileobj, size: int) -> FileType | None:
    """The accepted type of the content, or None. May raise SuspiciousArchive."""
    head = read_head(fileobj)
    if head.startswith(b"%PDF-"):
        return FILE_TYPES["pdf"]
    if head.startswith(b"\xff\xd8\xff"):
        return FILE_TYPES["jpeg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FILE_TYPES["png"]
    if head.startswith(b"PK\x03\x04"):
        kind = _ooxml_kind(fileobj, size)
        return FILE_TYPES[kind] if kind else None
    return None
