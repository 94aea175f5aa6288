"""One language per request (issue 13): removes the English tails from Chinese source strings,
"…校验位错误。(The check character is wrong.)" → "…校验位错误。", and prints each new msgid with the
English translation the catalogue already has for the old bilingual one, so that locale/en keeps it.

    .venv/bin/python scripts/one_language.py            # lists what would change
    .venv/bin/python scripts/one_language.py --write    # rewrites the files
    .venv/bin/python scripts/one_language.py --po       # prints msgid/msgstr pairs (.po syntax) to paste

Only string literals ending in a parenthesised English sentence after Chinese text are touched.
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("applications", "awards", "scoring", "portal", "templates")
_EN = r"(?P<en>[A-Z](?:[^()\"\n]|%\(\w+\)s?d?)*?)"
# "...中文。(English.)"  — the tail inside the same literal.
TAIL = re.compile(r"(?P<pre>[\u3000-\u9fff\uff00-\uffef”“》」][^\"\n]*?)\s?\(" + _EN + r"\)(?P<q>\")")
# "...中文。"\n    "(English.)"  — the tail as a literal of its own in an implicit concatenation.
ALONE = re.compile(r"(?P<nl>\n[ \t]*)\"\(" + _EN + r"\)\"(?=[)\s%,])")
# "...中文。(English begins "\n    "and ends.)"  — the tail split over two literals.
SPLIT = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s?\((?P<en>[A-Z][^()\"\n]*)\"[ \t]*"
                   r"(?P<nl>\n[ \t]*)\"[^()\"\n]*\)(?P<q>\")")


def po_catalogue(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (plain entries; enough for these strings)."""
    entries, msgid, msgstr, current = {}, None, None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("msgid "):
            if msgid is not None and msgstr is not None:
                entries[msgid] = msgstr
            msgid, msgstr, current = ast.literal_eval(line[6:]), None, "id"
        elif line.startswith("msgstr "):
            msgstr, current = ast.literal_eval(line[7:]), "str"
        elif line.startswith('"') and current:
            if current == "id":
                msgid += ast.literal_eval(line)
            else:
                msgstr += ast.literal_eval(line)
        else:
            current = None
            if msgid is not None and msgstr is not None:
                entries[msgid] = msgstr
                msgid = msgstr = None
    return entries


def files():
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".txt") and "migrations" not in path.parts:
                yield path


_OPENER = re.compile(r"(?:\b_|gettext|gettext_lazy|pgettext|ngettext)\($|\{% (?:translate|trans)$")


def _literal_of(source: str, end: int) -> str | None:
    """The gettext msgid (a literal, or implicitly concatenated literals) whose last literal closes at
    ``end``; None when it is not inside _(…) / {% translate %} (a plain string, not the interface's)."""
    start = source.rfind('"', 0, end)  # the literal's opening quote (these strings hold no quotes)
    while start > 0:
        before = source[max(0, start - 40):start].rstrip()
        if _OPENER.search(before):
            return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', source[start:end + 1]))
        if not before.endswith('"'):
            return None
        closing = max(0, start - 40) + len(before) - 1  # the previous literal of an implicit concatenation
        start = source.rfind('"', 0, closing)
    return None


def _po(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main(argv):
    write, as_po = "--write" in argv, "--po" in argv
    po = po_catalogue(ROOT / "locale/en/LC_MESSAGES/django.po")
    pairs = []
    for path in files():
        source = path.read_text(encoding="utf-8")
        found = [(m, m.end("q") - 1, m["pre"] + m["q"]) for m in TAIL.finditer(source)]
        # A removed literal of its own leaves its line break: "…。"\n    ) % {…} keeps lines short.
        found += [(m, m.end() - 1, m["nl"]) for m in ALONE.finditer(source)]
        found += [(m, m.end("q") - 1, '"' + m["nl"]) for m in SPLIT.finditer(source)]
        if not found:
            continue
        kept = []
        for match, end, replacement in found:
            old = _literal_of(source, end)
            if old is None:
                continue
            kept.append((match.start(), match.end(), replacement))
            old = old.replace("\\n", "\n")
            new = re.sub(r"\s?\(" + _EN + r"\)$", "", old)
            pairs.append((path.relative_to(ROOT), new, po.get(old) or match["en"]))
        if write and kept:
            for start, stop, replacement in sorted(kept, reverse=True):  # from the end: spans stay valid
                source = source[:start] + replacement + source[stop:]
            path.write_text(source, encoding="utf-8")
    printed = set()
    for path, msgid, msgstr in pairs:
        if as_po and msgid in printed:
            continue
        printed.add(msgid)
        if as_po:
            print(f"#: {path}\nmsgid {_po(msgid)}\nmsgstr {_po(msgstr)}\n")
        else:
            print(f"{path}: {msgid} → {msgstr}")
    print(f"{len(pairs)} strings in {len({p for p, _m, _s in pairs})} files", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
