"""Certificate verification codes as people type them (from the printed certificate, read aloud,
copied from a message): spaces and hyphens dropped, lower case raised, full-width characters
folded; and, when the code as typed is not found, the digits that look like letters read as those
letters (generated codes are base32: A–Z and 2–7, never 0, 1 or 8)."""

import re
import unicodedata

# Any kind of space or dash (incl. full-width ones from a Chinese input method).
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―－_·.]+")
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
MAX_LENGTH = 16


def normalise_code(raw: str) -> str:
    """What a person meant by ``raw``: "abcd-efgh 2345" → "ABCDEFGH2345"."""
    folded = unicodedata.normalize("NFKC", raw or "")  # full-width letters and digits → ASCII
    return _SEPARATORS.sub("", folded).upper()


def candidates(code: str) -> list[str]:
    """The normalised code, then the same with look-alike digits read as letters."""
    return list(dict.fromkeys([code, code.translate(_LOOKALIKES)]))


def looks_like_code(code: str) -> bool:
    """A normalised code that could be a verification code (worth looking up)."""
    return 0 < len(code) <= MAX_LENGTH and code.isascii() and code.isalnum()
