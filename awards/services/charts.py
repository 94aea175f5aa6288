"""Server-side charts: matplotlib → SVG, cleaned for a strict Content-Security-Policy.

matplotlib writes a <style> block and style="…" attributes; both would need 'unsafe-inline'. Every
declaration it uses (fill, stroke, font-size, font-family, text-anchor, …) is also an SVG
presentation attribute, so each is moved to an attribute and the <style> block, metadata and
anything scriptable are dropped. The result can sit inline in a page and in the PDF."""

import io
import re
import xml.etree.ElementTree as ET

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
FONT = ["Noto Sans CJK SC", "DejaVu Sans"]
COLOURS = ["#1f4e79", "#2e75b6", "#9dc3e6", "#c55a11", "#f4b183", "#70ad47", "#a9d18e", "#7f7f7f"]


def clean_svg(text: str, *, key: str = "", label: str = "") -> str:
    """``key`` prefixes every id (two charts on one page would share matplotlib's "patch_1", "axes_1"…);
    ``label`` becomes the chart's accessible name (a <title> and aria-label: role="img" needs one)."""
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    root = ET.fromstring(text)
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag.split("}")[-1]
            if tag in ("style", "script", "metadata", "foreignObject"):
                parent.remove(child)
    for element in root.iter():
        for name in list(element.attrib):
            if name.lower().startswith("on"):
                del element.attrib[name]
        style = element.attrib.pop("style", None)
        if style:
            for declaration in style.split(";"):
                if ":" in declaration:
                    prop, value = (part.strip() for part in declaration.split(":", 1))
                    if re.fullmatch(r"[a-z-]+", prop):
                        element.set(prop, value.replace("'", ""))
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.set("role", "img")
    if key:
        _prefix_ids(root, key)
    if label:
        title = ET.Element(f"{{{SVG}}}title")
        title.text = label
        root.insert(0, title)
        root.set("aria-label", label)
    # Safe to emit as markup: matplotlib drew it, ElementTree re-escaped every text and attribute,
    # and nothing scriptable or styled is left.
    return mark_safe(ET.tostring(root, encoding="unicode"))


def _prefix_ids(root, key: str):
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    if not ids:
        return
    reference = re.compile(r"(url\(#|^#)([^)\s]+)")

    def rewrite(value: str) -> str:
        return reference.sub(lambda m: m.group(1) + (f"{key}-{m.group(2)}" if m.group(2) in ids else m.group(2)),
                             value)

    for element in root.iter():
        for name, value in list(element.attrib.items()):
            if name == "id":
                element.set(name, f"{key}-{value}")
            elif "#" in value:
                element.set(name, rewrite(value))


def bar_chart(key: str, title: str, labels: list[str], values: list[float], *, unit: str = "") -> str:
    """A horizontal bar chart (largest on top) with each bar's value and share; SVG text."""
    import matplotlib  # noqa: PLC0415  (heavy: loaded on the first chart)
    from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    total = sum(values) or 1
    height = 1.0 + 0.38 * max(len(labels), 1)
    with matplotlib.rc_context({"font.family": FONT, "svg.fonttype": "none", "svg.hashsalt": key,
                                "font.size": 9, "axes.unicode_minus": False}):
        figure = Figure(figsize=(6.4, height))
        FigureCanvasSVG(figure)
        axes = figure.subplots()
        positions = list(range(len(labels)))[::-1]
        bars = axes.barh(positions, values, color=[COLOURS[i % len(COLOURS)] for i in range(len(values))])
        axes.set_yticks(positions, labels)
        axes.set_title(title, fontsize=10)
        for bar, value in zip(bars, values, strict=True):
            axes.annotate(_share(value, unit, total), (bar.get_width(), bar.get_y() + 0.4),
                          xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        axes.set_xlim(0, max(values or [1]) * 1.35 or 1)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg")
    pairs = zip(labels, values, strict=True)
    total_text = _("，").join(f"{name} {_share(value, unit, total)}" for name, value in pairs)
    label = _("%(title)s：%(values)s") % {"title": title, "values": total_text} if labels else title
    return clean_svg(buffer.getvalue(), key=key, label=label)


def _share(value, unit: str, total) -> str:
    """"3项（75.0%）" — in the reader's language."""
    return _("%(value)s%(unit)s（%(share)s%%）") % {"value": f"{value:g}", "unit": unit,
                                                   "share": f"{100 * value / total:.1f}"}
