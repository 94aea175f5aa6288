"""A long table as PDF, written directly (pydyf + portal.pdf_font), for the exports whose HTML → PDF
rendering spent its time laying out and drawing thousands of cells one CSS box at a time.

What it draws, in the manner of a print stylesheet: a centred title on the first page; the table,
its header row shaded and repeated on every page, every cell bordered, the text wrapped inside its
column and centred vertically; a note and a row of footer parts after the table; a page label such
as "第 N 页，共 M 页" centred in the bottom margin of every page. A row is never split across pages
unless it is taller than a page by itself.

Wrapping follows the usual CSS line breaking closely enough for forms: a break may come between any
two CJK characters (not before closing punctuation such as ，。）, nor after opening punctuation such
as （), at a space, and inside a word only when the word alone is wider than the column
(overflow-wrap: anywhere). Runs of white space count as one space, as in HTML.

All lengths are in PDF points (1/72 in); ``MM`` converts.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pydyf

from .pdf_font import FontUse, buffer_of, default_face

MM = 72 / 25.4
A4_LANDSCAPE = (297 * MM, 210 * MM)
# No line may start with these (they stay with the character before) …
_CLOSING = set("，。、；：！？）】》」』〕〉”’％‰,.;:!?)]}%·…—～")
# … nor end with these (they stay with the character after).
_OPENING = set("（【《「『〔〈“‘([{")
_SPACES = re.compile(r"\s+")
_SURROGATES = re.compile("[\ud800-\udfff]")  # lone halves: no encoding (UTF-16 for the title) takes them
# Below this code point (Latin, Greek, Cyrillic, Hebrew, Arabic…) characters join into words; from it
# on (CJK punctuation, kana, ideographs, full-width forms, emoji) each character may be broken after.
_CJK_START = 0x2E80


@dataclass(frozen=True)
class Style:
    """Sizes of the layout; the defaults are those of the Annex 2 print stylesheet."""

    page: tuple = A4_LANDSCAPE
    margins: tuple = (14 * MM, 12 * MM, 14 * MM, 12 * MM)  # top, right, bottom, left
    size: float = 9.5
    leading: float = 1.35  # line height / font size
    title_size: float = 16
    title_leading: float = 1.4
    title_gap: float = 4 * MM
    title_spacing: float = 0.03  # letter spacing, em
    cell_padding: tuple = (1 * MM, 1.2 * MM)  # vertical, horizontal
    header_padding: tuple = (1 * MM, 0.6 * MM)
    border: float = 0.6
    header_fill: float = 0.851  # grey level (#d9d9d9)
    note_size: float = 8
    note_gap: float = 2 * MM
    footer_gap: float = 5 * MM
    label_size: float = 8


@dataclass
class Table:
    title: str
    headers: Sequence[str]
    widths: Sequence[float]  # relative column widths (e.g. percentages)
    rows: Iterable[Sequence]
    aligns: Sequence[str] = ()  # per column: "left" (default), "center", "right"
    note: str = ""
    footer: Sequence[str] = ()
    footer_widths: Sequence[float] = ()  # relative; equal when empty
    page_label: str = "{page} / {pages}"  # str.format with page and pages


def _flat(value) -> str:
    return "" if value is None else _SURROGATES.sub("\ufffd", _SPACES.sub(" ", str(value))).strip()


def _atoms(text: str) -> list[str]:
    """The pieces between which a line may break; a space is a piece of its own."""
    atoms: list[str] = []
    glue_next = False
    for char in text:
        if char == " ":
            atoms.append(" ")
            glue_next = False
            continue
        prev = atoms[-1] if atoms else ""
        if prev and prev != " " and (glue_next or char in _CLOSING
                                     or (ord(char) < _CJK_START and ord(prev[-1]) < _CJK_START)):
            atoms[-1] = prev + char
        else:
            atoms.append(char)
        glue_next = char in _OPENING
    return atoms


class _Advances(dict):
    """Character → advance (1/1000 em), filled as characters are met."""

    def __init__(self, face):
        super().__init__()
        self.face = face

    def __missing__(self, char):
        self[char] = advance = self.face.advance(char)
        return advance


class Layout:
    """Measures and wraps text in one face. Wrapped cells are remembered: a column such as a date
    or a category holds the same few values in every row."""

    def __init__(self, font: FontUse):
        self.font = font
        self._advance = _Advances(font.face).__getitem__
        self._wrapped: dict[tuple, list] = {}

    def width(self, text: str, size: float) -> float:
        return sum(map(self._advance, text)) * size / 1000

    def wrap(self, text: str, width: float, size: float) -> list[tuple[str, float]]:
        """Lines of ``text`` (already flattened) no wider than ``width``, each with its width."""
        key = (text, width, size)
        lines = self._wrapped.get(key)
        if lines is None:
            lines = self._wrapped[key] = self._wrap(text, width, size)
        return lines

    def _wrap(self, text: str, width: float, size: float) -> list[tuple[str, float]]:
        if not text:
            return []
        whole = self.width(text, size)
        if whole <= width:
            return [(text, whole)]
        lines: list[tuple[str, float]] = []
        line, used = "", 0.0
        for atom in _atoms(text):
            w = self.width(atom, size)
            if used + w <= width or (atom == " " and line):
                if line or atom != " ":
                    line, used = line + atom, used + w
                continue
            if line:
                lines.append(self._strip(line, size))
                line, used = "", 0.0
            if atom == " ":
                continue
            if w > width:  # a word wider than the column: break it anywhere
                for char in atom:
                    cw = self.width(char, size)
                    if used + cw > width and line:
                        lines.append((line, used))
                        line, used = "", 0.0
                    line, used = line + char, used + cw
            else:
                line, used = atom, w
        if line.strip():
            lines.append(self._strip(line, size))
        return lines

    def _strip(self, line: str, size: float) -> tuple[str, float]:
        line = line.rstrip(" ")
        return line, self.width(line, size)


class _Writer:
    def __init__(self, table: Table, style: Style):
        self.t, self.s = table, style
        self.font = FontUse(default_face())
        self.layout = Layout(self.font)
        self.pages: list[list[str]] = []
        width, height = style.page
        top, right, bottom, left = style.margins
        self.x0, self.x1, self.top, self.bottom = left, width - right, height - top, bottom
        # The outer borders lie inside the table's width, half a border in (as collapsed CSS borders).
        total, half = sum(table.widths), style.border / 2
        edges = [self.x0 + half]
        for w in table.widths:
            edges.append(edges[-1] + (self.x1 - self.x0 - style.border) * w / total)
        self.edges = edges
        self.aligns = list(table.aligns) + ["left"] * (len(table.widths) - len(table.aligns))
        face = self.font.face
        # Where the baseline sits in a line box: CSS centres the face's ascent + descent in the line.
        self.ascent, self.depth = face.ascent / 1000, (face.ascent - face.descent) / 1000

    def baseline(self, size: float, leading: float) -> float:
        return ((leading - self.depth) / 2 + self.ascent) * size

    # --- pages -------------------------------------------------------------------------------

    def new_page(self, with_header: bool = True):
        self.ops: list[str] = []
        self.pages.append(self.ops)
        self.grid_rows: list[tuple[float, float]] = []
        self.y = self.top
        if with_header:
            self.start_table()

    def text(self, x: float, y: float, text: str, size: float, spacing: float = 0):
        if spacing:
            self.ops.append(f"BT /F1 {size:g} Tf {spacing:.3f} Tc 1 0 0 1 {x:.2f} {y:.2f} Tm "
                            f"{self.font.encode(text)} Tj 0 Tc ET")
        else:
            self.ops.append(f"BT /F1 {size:g} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm {self.font.encode(text)} Tj ET")

    def block(self, lines, x: float, width: float, size: float, leading: float, align: str = "left",
              spacing: float = 0):
        """Lines from the current y down; moves y below them."""
        line_height = size * leading
        base = self.baseline(size, leading)
        for text, w in lines:
            w += spacing * len(text)
            dx = (width - w) / 2 if align == "center" else (width - w if align == "right" else 0)
            self.text(x + dx, self.y - base, text, size, spacing)
            self.y -= line_height

    def close_grid(self):
        """The shaded header and the borders of the rows placed on the page: one path."""
        if not self.grid_rows:
            return
        s = self.s
        head_top, head_bottom = self.grid_rows[0]
        left, right = self.edges[0], self.edges[-1]
        # Projecting caps (2 J) close the corners where the lines meet.
        grid = [f"{s.header_fill:.3f} g {left:.2f} {head_bottom:.2f} {right - left:.2f} "
                f"{head_top - head_bottom:.2f} re f 0 g", f"{s.border:g} w 2 J 0 G"]
        top, bottom = self.grid_rows[0][0], self.grid_rows[-1][1]
        for y in [top] + [b for _t, b in self.grid_rows]:
            grid.append(f"{left:.2f} {y:.2f} m {right:.2f} {y:.2f} l")
        for x in self.edges:
            grid.append(f"{x:.2f} {top:.2f} m {x:.2f} {bottom:.2f} l")
        grid.append("S")
        self.ops.insert(0, " ".join(grid[:1]))
        self.ops.append(" ".join(grid[1:]))
        self.grid_rows = []

    # --- rows ----------------------------------------------------------------------------------

    def cell_lines(self, values, header: bool = False):
        s = self.s
        pad = s.header_padding[1] if header else s.cell_padding[1]
        return [self.layout.wrap(_flat(v), self.edges[i + 1] - self.edges[i] - 2 * pad - s.border, s.size)
                for i, v in enumerate(values)]

    def row_height(self, cells, header: bool = False) -> float:
        s = self.s
        pad = (s.header_padding if header else s.cell_padding)[0]
        return max(1, *(len(c) for c in cells)) * s.size * s.leading + 2 * pad + s.border

    def start_table(self):
        self.y -= self.s.border / 2  # the grid's lines are centred on the rows' edges
        self.place_row(self.header, header=True)

    def place_row(self, cells, header: bool = False):
        s = self.s
        height = self.row_height(cells, header)
        pad_v, pad_h = s.header_padding if header else s.cell_padding
        line_height = s.size * s.leading
        top = self.y
        for i, lines in enumerate(cells):
            x = self.edges[i] + s.border / 2 + pad_h
            width = self.edges[i + 1] - self.edges[i] - s.border - 2 * pad_h
            self.y = top - (height - len(lines) * line_height) / 2  # vertical-align: middle
            self.block(lines, x, width, s.size, s.leading, "center" if header else self.aligns[i])
        self.y = top - height
        self.grid_rows.append((top, self.y))

    def add_row(self, values):
        cells = self.cell_lines(values)
        height = self.row_height(cells)
        if self.y - height - self.s.border / 2 >= self.bottom:
            self.place_row(cells)
            return
        header_height = self.row_height(self.header, True)
        room = self.top - self.bottom - header_height - self.s.border
        if height <= room:
            self.close_grid()
            self.new_page()
            self.place_row(cells)
            return
        # Taller than a page by itself: split it by lines, a page at a time.
        s = self.s
        per_page = max(1, int((room - 2 * s.cell_padding[0] - s.border) // (s.size * s.leading)))
        parts = max(len(c) for c in cells)
        for start in range(0, parts, per_page):
            if len(self.grid_rows) > 1 or start:
                self.close_grid()
                self.new_page()
            self.place_row([c[start:start + per_page] for c in cells])

    # --- document ------------------------------------------------------------------------------

    def flow(self, lines_height: float, gap: float):
        """Starts a new page (without the header row) unless ``lines_height`` fits below ``gap``."""
        if self.y - gap - lines_height < self.bottom:
            self.close_grid()
            self.new_page(with_header=False)
        else:
            self.y -= gap

    def write(self) -> bytes:
        t, s = self.t, self.s
        self.header = self.cell_lines(t.headers, header=True)
        self.ops = []
        self.pages.append(self.ops)
        self.grid_rows = []
        self.y = self.top
        title = self.layout.wrap(_flat(t.title), self.x1 - self.x0, s.title_size)
        self.block(title, self.x0, self.x1 - self.x0, s.title_size, s.title_leading, "center",
                   s.title_spacing * s.title_size)
        if title:
            self.y -= s.title_gap
        self.start_table()
        for row in t.rows:
            self.add_row(row)
        self.close_grid()
        self.y -= s.border / 2
        width = self.x1 - self.x0
        if _flat(t.note):
            lines = self.layout.wrap(_flat(t.note), width, s.note_size)
            self.flow(len(lines) * s.note_size * s.leading, s.note_gap)
            self.block(lines, self.x0, width, s.note_size, s.leading)
        if t.footer:
            self.footer(width)
        return self.finish()

    def footer(self, width: float):
        s, t = self.s, self.t
        weights = list(t.footer_widths) or [1] * len(t.footer)
        boxes, x = [], self.x0
        for part, weight in zip(t.footer, weights, strict=True):
            w = width * weight / sum(weights)
            boxes.append((x, w, self.layout.wrap(_flat(part), w, s.size)))
            x += w
        self.flow(max(len(lines) for _x, _w, lines in boxes) * s.size * s.leading, s.footer_gap)
        top = self.y
        for x, w, lines in boxes:
            self.y = top
            self.block(lines, x, w, s.size, s.leading)
        self.y = top

    def finish(self) -> bytes:
        s = self.s
        pdf = pydyf.PDF()
        pdf.info["Title"] = pydyf.String(_flat(self.t.title))
        pdf.info["Producer"] = pydyf.String("portal.pdf_table")
        width, height = s.page
        label_base = s.margins[2] / 2 + (self.depth / 2 - self.ascent) * s.label_size  # centred in the margin
        streams = []
        for number, ops in enumerate(self.pages, start=1):
            self.ops = ops
            label = self.t.page_label.format(page=number, pages=len(self.pages))
            lw = self.layout.width(label, s.label_size)
            self.text((width - lw) / 2, label_base, label, s.label_size)
            streams.append(pydyf.Stream(["\n".join(ops).encode("ascii")], compress=True))
        font = self.font.embed(pdf)  # after every text is encoded: the subset holds what was used
        resources = pydyf.Dictionary({"Font": pydyf.Dictionary({"F1": font.reference})})
        pdf.add_object(resources)
        for stream in streams:
            pdf.add_object(stream)
            pdf.add_page(pydyf.Dictionary({
                "Type": "/Page", "Parent": pdf.pages.reference, "MediaBox": pydyf.Array([0, 0, width, height]),
                "Contents": stream.reference, "Resources": resources.reference,
            }))
        return buffer_of(pdf)


def render(table: Table, style: Style = Style()) -> bytes:
    """The table as a PDF document."""
    return _Writer(table, style).write()
