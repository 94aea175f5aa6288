"""Recognising uploaded files by their content (magic bytes), not by their name.

Only PDF, JPEG, PNG, DOCX and XLSX are accepted. DOCX and XLSX are ZIP containers: they are
opened with zipfile and refused when they would expand suspiciously (a zip bomb).
"""

import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

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
    """'docx', 'xlsx' or None for a ZIP; raises SuspiciousArchive for a zip bomb."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
            expanded = sum(e.file_size for e in entries)
            # zipfile never yields more than an entry's declared size (the CRC check fails
            # otherwise), so the declared sizes bound what python-docx/openpyxl will inflate.
            if len(entries) > MAX_ZIP_ENTRIES or expanded > MAX_UNCOMPRESSED_BYTES or (
                expanded > MAX_EXPANSION_RATIO * max(size, 1)
            ):
                raise SuspiciousArchive(f"{expanded / 1024 / 1024:.0f} MB, ×{expanded / max(size, 1):.0f}")
            names = {e.filename for e in entries}
    except zipfile.BadZipFile:
        return None
    finally:
        fileobj.seek(0)
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
