"""Plain text as the portal keeps it: what people type (or paste from Word) is normalised once at
input, and every writer (PDF, Word, XLSX, CSV) passes text through ``clean_text`` again, so that no
stored value can stop an export."""

import re

# C0 control characters except TAB (\x09) and LF (\x0a); also DEL and the C1 range, which no
# keyboard produces and XML 1.0 (Word, XLSX) refuses; and the bidirectional embeddings, overrides and
# isolates (U+202A–U+202E, U+2066–U+2069): an unclosed one reverses the rest of a line on a page or
# in a file ("gpj.exe" shown as "exe.jpg"). The plain direction marks U+200E/U+200F stay.
_CONTROLS = re.compile("[\x00-\x08\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n|\r|\x0b|\u2028|\u2029")
# Either of the above: one search lets the usual, clean text through without rewriting it (writers
# call this for every cell).
_ANY = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean_text(value):
    """``\\r\\n``, ``\\r``, vertical tab (Word's line break) and Unicode line separators become
    ``\\n``; other control characters and the bidirectional overrides are dropped. Non-strings pass
    through unchanged."""
    if not isinstance(value, str) or not _ANY.search(value):
        return value
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", value))
