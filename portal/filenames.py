"""Names for generated files: Chinese, readable, and safe on every desktop (no path separators
or characters Windows refuses). The HTTP header stays ASCII-safe: portal.downloads encodes it."""

FORBIDDEN = set('\\/:*?"<>|\r\n\t')


def file_name(*parts, ext: str) -> str:
    """"申报汇总表", "2026年…", ext="xlsx" → "申报汇总表-2026年….xlsx"; empty parts are left out."""
    cleaned = ["".join(c for c in str(part) if c not in FORBIDDEN).strip()[:60] for part in parts]
    return "-".join(part for part in cleaned if part) + f".{ext}"
