"""The CFF table of a CID-keyed font, cut down to some glyphs, by HarfBuzz's subsetter (the C library
libharfbuzz-subset, Debian's libharfbuzz-subset0, which scripts/setup.sh and the Dockerfile
install), called through ctypes.

Why not fontTools alone: fontTools.subset parses and rewrites every charstring in Python, about
1 ms a glyph — 2.5 s for the 2,500 distinct characters a thousand real rows can hold; HarfBuzz does
the same in about 0.05 s. ``cff_subset`` returns None when the library is missing or refuses the
font, and the caller falls back to fontTools.

The glyphs are given by glyph id (for Noto Sans CJK, CID = glyph id); layout closure and every
table but the outlines are left out, the subroutines are inlined (smaller with few glyphs) and
hints dropped, and .notdef keeps its outline (the box shown for a character the face lacks). The
charset of the result keeps each glyph's CID.
"""

import ctypes
import ctypes.util
import logging
import threading
from functools import lru_cache

log = logging.getLogger(__name__)

NO_HINTING, DESUBROUTINIZE, NOTDEF_OUTLINE, NO_LAYOUT_CLOSURE = 0x1, 0x4, 0x40, 0x200
SETS_UNICODE, SETS_DROP_TABLE_TAG = 1, 3
DROPPED = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "vhea", "vmtx", "VORG", "cmap", "name", "post",
           "OS/2", "kern", "DSIG", "SVG ", "COLR", "CPAL")
_lock = threading.Lock()
_VP = ctypes.c_void_p


def _tag(name: str) -> int:
    return int.from_bytes(name.encode("ascii"), "big")


def _load(name: str, soname: str):
    path = ctypes.util.find_library(name) or soname
    return ctypes.CDLL(path)


@lru_cache(maxsize=1)
def _libraries():
    """(harfbuzz, harfbuzz-subset) with their signatures declared, or None."""
    try:
        hb, hbs = _load("harfbuzz", "libharfbuzz.so.0"), _load("harfbuzz-subset", "libharfbuzz-subset.so.0")
    except OSError:
        return None
    signatures = (
        (hb.hb_blob_create_from_file_or_fail, _VP, [ctypes.c_char_p]),
        (hb.hb_face_create, _VP, [_VP, ctypes.c_uint]),
        (hb.hb_set_add, None, [_VP, ctypes.c_uint32]),
        (hb.hb_set_clear, None, [_VP]),
        (hb.hb_face_reference_table, _VP, [_VP, ctypes.c_uint32]),
        (hb.hb_blob_get_data, ctypes.POINTER(ctypes.c_char), [_VP, ctypes.POINTER(ctypes.c_uint)]),
        (hb.hb_blob_destroy, None, [_VP]),
        (hb.hb_face_destroy, None, [_VP]),
        (hbs.hb_subset_input_create_or_fail, _VP, []),
        (hbs.hb_subset_input_glyph_set, _VP, [_VP]),
        (hbs.hb_subset_input_set, _VP, [_VP, ctypes.c_int]),
        (hbs.hb_subset_input_set_flags, None, [_VP, ctypes.c_uint]),
        (hbs.hb_subset_or_fail, _VP, [_VP, _VP]),
        (hbs.hb_subset_input_destroy, None, [_VP]),
    )
    try:
        for function, restype, argtypes in signatures:
            function.restype, function.argtypes = restype, argtypes
    except AttributeError:  # a HarfBuzz too old for these (before 2.9)
        return None
    return hb, hbs


@lru_cache(maxsize=4)
def _face(path: str, index: int):
    """The face, read once per process (HarfBuzz maps the file; faces are only read from)."""
    hb, _hbs = _libraries()
    blob = hb.hb_blob_create_from_file_or_fail(path.encode())
    return hb.hb_face_create(blob, index) if blob else None


def cff_subset(path: str, index: int, glyph_ids) -> bytes | None:
    """The bare CFF table holding ``glyph_ids`` (and .notdef), or None if HarfBuzz cannot do it."""
    libraries = _libraries()
    if libraries is None:
        return None
    hb, hbs = libraries
    with _lock:
        face = _face(path, index)
    if not face:
        return None
    plan = hbs.hb_subset_input_create_or_fail()
    if not plan:
        return None
    try:
        glyphs = hbs.hb_subset_input_glyph_set(plan)
        for gid in {0, *glyph_ids}:
            hb.hb_set_add(glyphs, gid)
        hb.hb_set_clear(hbs.hb_subset_input_set(plan, SETS_UNICODE))  # only the glyphs asked for
        dropped = hbs.hb_subset_input_set(plan, SETS_DROP_TABLE_TAG)
        for tag in DROPPED:
            hb.hb_set_add(dropped, _tag(tag))
        hbs.hb_subset_input_set_flags(plan, NO_HINTING | DESUBROUTINIZE | NOTDEF_OUTLINE | NO_LAYOUT_CLOSURE)
        result = hbs.hb_subset_or_fail(face, plan)
        if not result:
            log.warning("HarfBuzz could not subset %s#%s", path, index)
            return None
        table = hb.hb_face_reference_table(result, _tag("CFF "))
        size = ctypes.c_uint()
        data = hb.hb_blob_get_data(table, ctypes.byref(size))
        content = ctypes.string_at(data, size.value) if size.value else None
        hb.hb_blob_destroy(table)
        hb.hb_face_destroy(result)
        return content
    finally:
        hbs.hb_subset_input_destroy(plan)
