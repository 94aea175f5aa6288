"""How big a ZIP really is once inflated (DOCX and XLSX are ZIPs): measured by inflating, not read
from its headers.

A ZIP's local and central headers state each member's sizes, and a crafted file can state 1 KB
for a member that inflates to gigabytes. Python's zipfile stops at the stated size (then fails the
CRC check), but other readers (Word, LibreOffice, a converter) inflate the deflate stream to its
own end. So each member's compressed stream is inflated here from its local header to the end of
the stream, with a running byte count that stops as soon as the budget is spent: the work and the
memory are bounded by the budget, whatever the headers say. A member whose real size differs from
its stated size is refused too: no honest writer produces one.
"""

import struct
import zipfile
import zlib
from dataclasses import dataclass

CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature … file name length, extra field length
_END_RECORD = b"PK\x05\x06"


class ArchiveRefused(Exception):
    """The ZIP is refused; ``reason`` is "too_large", "too_many_entries" or "inconsistent"."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass(frozen=True)
class ArchiveSize:
    entries: int
    inflated: int  # bytes, measured
    names: frozenset[str]


def _stated_entry_count(fileobj) -> int | None:
    """The entry count in the end-of-central-directory record, read before zipfile parses the whole
    directory (a directory of a million entries is itself a memory bomb)."""
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(max(0, size - 65_557))  # the record (22 bytes) plus the longest comment
    tail = fileobj.read()
    at = tail.rfind(_END_RECORD)
    if at < 0 or len(tail) < at + 22:
        return None
    return struct.unpack("<H", tail[at + 10:at + 12])[0]


def _inflate(fileobj, info: zipfile.ZipInfo, budget: int) -> int:
    """The real size of one member, or ArchiveRefused("too_large") once it passes ``budget``."""
    fileobj.seek(info.header_offset)
    header = fileobj.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise ArchiveRefused("inconsistent", f"{info.filename}: no local header")
    fields = _LOCAL_HEADER.unpack(header)
    flags, method, name_length, extra_length = fields[2], fields[3], fields[9], fields[10]
    if flags & 0x1:
        raise ArchiveRefused("inconsistent", f"{info.filename}: encrypted")
    fileobj.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    if method == zipfile.ZIP_STORED:
        # Stored bytes are the file's own bytes: they cannot be more than the upload itself.
        data_start = fileobj.tell()
        fileobj.seek(0, 2)
        size = min(info.compress_size, fileobj.tell() - data_start)
        if size > budget:
            raise ArchiveRefused("too_large", info.filename)
        return size
    if method != zipfile.ZIP_DEFLATED:  # Office writes only stored and deflated members
        raise ArchiveRefused("inconsistent", f"{info.filename}: compression method {method}")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total = 0
    while not inflater.eof:
        data = fileobj.read(CHUNK)
        if not data:
            break  # the stream is cut short: what was inflated is what there is
        while True:  # at most CHUNK bytes out per call: memory stays flat whatever the ratio
            try:
                out = len(inflater.decompress(data, CHUNK))
            except zlib.error as error:
                raise ArchiveRefused("inconsistent", f"{info.filename}: {error}") from error
            total += out
            if total > budget:
                raise ArchiveRefused("too_large", info.filename)
            data = inflater.unconsumed_tail
            if inflater.eof or (not data and out < CHUNK):
                break
    return total


def measure(fileobj, *, max_bytes: int, max_entries: int = 10_000) -> ArchiveSize:
    """Inflates every member of the ZIP in ``fileobj`` (seekable, binary) with a running count.

    Raises ArchiveRefused when the members together inflate past ``max_bytes``, when there are more
    than ``max_entries`` members, or when a member's real size is not the size its headers state;
    zipfile.BadZipFile when it is not a ZIP at all. Leaves ``fileobj`` at position 0.
    """
    try:
        stated = _stated_entry_count(fileobj)
        if stated is not None and stated > max_entries:
            raise ArchiveRefused("too_many_entries", str(stated))
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
            if len(entries) > max_entries:
                raise ArchiveRefused("too_many_entries", str(len(entries)))
            total = 0
            for info in entries:
                real = _inflate(fileobj, info, max_bytes - total)
                if real != info.file_size:
                    raise ArchiveRefused("inconsistent", f"{info.filename}: {info.file_size} stated, {real} real")
                total += real
            return ArchiveSize(len(entries), total, frozenset(e.filename for e in entries))
    finally:
        fileobj.seek(0)
