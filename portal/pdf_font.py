"""One CID-keyed CFF OpenType face (Noto Sans CJK SC) for our own PDF writers: advance widths for
layout, text encoded as 2-byte CIDs (Identity-H), and the face embedded as a subset of the glyphs
used (bare CFF in FontFile3/CIDFontType0C, with a ToUnicode CMap so the text can be extracted and
searched). The subset is cut by HarfBuzz (portal.hb_subset, through uharfbuzz: 50 times faster),
else by fontTools.subset. Glyph outlines are not drawn by us, only placed: no shaping, no kerning,
which CJK and plain Latin text do not need.

Why CID-keyed CFF only: its charset keeps each glyph's CID through subsetting, so the codes written
while laying out stay valid after the subset is made (no renumbering pass). Noto Sans/Serif CJK are
such faces (fonts-noto-cjk). A character the face lacks is written as CID 0 (.notdef, drawn as a
box), never an error.

The face is found through fontconfig once per process and its metrics kept (about 0.1 s to load).
"""

import hashlib
import io
import logging
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache

import pydyf
from fontTools import subset
from fontTools.ttLib import TTFont

from .hb_subset import cff_subset

FAMILY = "Noto Sans CJK SC"
# Where Debian's fonts-noto-cjk puts it (face 2 of the collection is SC), if fc-match is absent.
FALLBACK = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2)
NOTDEF = 0
# fontTools.subset reports every step, with every glyph name, at INFO: noise in the job logs.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


def find_face(family: str = FAMILY) -> tuple[str, int]:
    """(file, face index) that fontconfig picks for ``family``."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}", family], capture_output=True, text=True,
                             timeout=10, check=True).stdout.split("\n")
        return out[0], int(out[1] or 0)
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return FALLBACK


class FontError(RuntimeError):
    """The face cannot be used (not a CID-keyed CFF font: e.g. fonts-noto-cjk is not installed)."""


@dataclass
class Face:
    """Metrics of one face, in units of 1/1000 em (PDF glyph space)."""

    path: str
    index: int
    ps_name: str
    cids: dict  # code point → CID, for the characters the face has
    widths: dict  # CID → advance
    ascent: float
    descent: float  # negative
    cap_height: float
    bbox: tuple
    ros: tuple  # CFF Registry, Ordering, Supplement
    glyph_names: dict = field(repr=False, default_factory=dict)  # CID → glyph name, for subsetting
    glyph_ids: dict = field(repr=False, default_factory=dict)  # CID → glyph id, for subsetting

    def advance(self, char: str) -> float:
        return self.widths.get(self.cids.get(ord(char), NOTDEF), 1000)


@lru_cache(maxsize=4)
def load_face(path: str, index: int) -> Face:
    font = TTFont(path, fontNumber=index, lazy=True)
    if "CFF " not in font:
        raise FontError(f"{path}#{index} has no CFF outlines: install fonts-noto-cjk ({FAMILY})")
    top = font["CFF "].cff.topDictIndex[0]
    ros = getattr(top, "ROS", None)
    if not ros:
        raise FontError(f"{path}#{index} is not a CID-keyed CFF font")
    scale = 1000 / font["head"].unitsPerEm
    cid_of_name = {}
    for gid, name in enumerate(font.getGlyphOrder()):
        cid_of_name[name] = int(name[3:]) if name.startswith("cid") else gid
    metrics = font["hmtx"].metrics
    widths = {cid: round(metrics[name][0] * scale, 1) for name, cid in cid_of_name.items()}
    cids = {cp: cid_of_name[name] for cp, name in font.getBestCmap().items()}
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    ps_name = font["name"].getDebugName(6) or "Font"
    font.close()  # everything needed is read: the file is not kept open
    return Face(
        path=path, index=index, ps_name=ps_name, cids=cids, widths=widths,
        ascent=hhea.ascent * scale, descent=hhea.descent * scale,
        cap_height=getattr(os2, "sCapHeight", 0) * scale or hhea.ascent * scale,
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)), ros=tuple(ros),
        glyph_names={cid: name for name, cid in cid_of_name.items()},
        glyph_ids={cid: gid for gid, cid in enumerate(cid_of_name.values())},
    )


class FontUse:
    """One face as used by one document: encodes text (remembering what it used) and embeds the
    subset at the end."""

    def __init__(self, face: Face):
        self.face = face
        self.used: dict[int, str] = {}  # CID → the character it stands for (ToUnicode)
        self._codes: dict[str, str] = {}  # character → 4 hex digits

    def encode(self, text: str) -> str:
        """``<…>``: the text as a hex string of CIDs for Tj."""
        codes = self._codes
        try:
            return "<" + "".join(map(codes.__getitem__, text)) + ">"
        except KeyError:
            for char in text:
                if char not in codes:
                    cid = self.face.cids.get(ord(char), NOTDEF)
                    codes[char] = f"{cid:04x}"
                    if cid != NOTDEF:
                        self.used.setdefault(cid, char)
            return "<" + "".join(codes[c] for c in text) + ">"

    def _subset_cff(self) -> bytes:
        face = self.face
        fast = cff_subset(face.path, face.index, [face.glyph_ids[cid] for cid in self.used])
        return fast if fast is not None else self._fonttools_subset_cff()

    def _fonttools_subset_cff(self) -> bytes:
        font = TTFont(self.face.path, fontNumber=self.face.index, lazy=True)
        # Only the outlines are embedded: leaving the other tables out saves reading them (cmap, GSUB…).
        for tag in list(font.keys()):
            if tag not in ("CFF ", "head", "hhea", "hmtx", "maxp"):
                del font[tag]
        options = subset.Options(ignore_missing_glyphs=True, desubroutinize=True, notdef_outline=True,
                                 hinting=False, layout_features=[], name_IDs=[], recalc_bounds=False)
        subsetter = subset.Subsetter(options)
        names = self.face.glyph_names
        subsetter.populate(glyphs=[".notdef", *(names[cid] for cid in sorted(self.used))])
        subsetter.subset(font)
        try:
            return font["CFF "].compile(font)
        finally:
            font.close()

    def embed(self, pdf: pydyf.PDF) -> pydyf.Dictionary:
        """Adds the subset, its descriptor, widths and ToUnicode map; returns the Type0 font."""
        cids = sorted(self.used)
        tag = "".join(chr(65 + b % 26) for b in hashlib.md5(repr(cids).encode(), usedforsecurity=False).digest()[:6])
        name = f"/{tag}+{self.face.ps_name}"
        face = self.face
        font_file = pydyf.Stream([self._subset_cff()], pydyf.Dictionary({"Subtype": "/CIDFontType0C"}),
                                 compress=True)
        pdf.add_object(font_file)
        descriptor = pydyf.Dictionary({
            "Type": "/FontDescriptor", "FontName": name, "Flags": 4, "FontBBox": pydyf.Array(face.bbox),
            "ItalicAngle": 0, "Ascent": round(face.ascent), "Descent": round(face.descent),
            "CapHeight": round(face.cap_height), "StemV": 80, "FontFile3": font_file.reference,
        })
        pdf.add_object(descriptor)
        widths = pydyf.Array()
        run_start, run = None, None
        for cid in cids:  # only the advances that differ from DW 1000, in runs of consecutive CIDs
            width = face.widths.get(cid, 1000)
            if width == 1000:
                continue
            if run is None or cid != run_start + len(run):
                run_start, run = cid, pydyf.Array()
                widths.extend([cid, run])
            run.append(width)
        registry, ordering, supplement = face.ros
        cid_font = pydyf.Dictionary({
            "Type": "/Font", "Subtype": "/CIDFontType0", "BaseFont": name,
            "CIDSystemInfo": pydyf.Dictionary({"Registry": pydyf.String(registry),
                                               "Ordering": pydyf.String(ordering), "Supplement": supplement}),
            "FontDescriptor": descriptor.reference, "DW": 1000, "W": widths,
        })
        pdf.add_object(cid_font)
        to_unicode = self._to_unicode()
        pdf.add_object(to_unicode)
        font = pydyf.Dictionary({
            "Type": "/Font", "Subtype": "/Type0", "BaseFont": name, "Encoding": "/Identity-H",
            "DescendantFonts": pydyf.Array([cid_font.reference]), "ToUnicode": to_unicode.reference,
        })
        pdf.add_object(font)
        return font

    def _to_unicode(self) -> pydyf.Stream:
        lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
                 b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
                 b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
                 b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
        items = sorted(self.used.items())
        for start in range(0, len(items), 100):  # at most 100 entries per block
            batch = items[start:start + 100]
            lines.append(f"{len(batch)} beginbfchar".encode())
            lines.extend(f"<{cid:04x}> <{char.encode('utf-16-be').hex()}>".encode() for cid, char in batch)
            lines.append(b"endbfchar")
        lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
        return pydyf.Stream(lines, compress=True)


def default_face() -> Face:
    return load_face(*_default_location())


@lru_cache(maxsize=1)
def _default_location() -> tuple[str, int]:
    return find_face(FAMILY)


def buffer_of(pdf: pydyf.PDF) -> bytes:
    out = io.BytesIO()
    pdf.write(out, version=b"1.7", compress=True)
    return out.getvalue()
