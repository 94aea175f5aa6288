"""Annex 2 as PDF: the print template → WeasyPrint, A4 landscape, Noto Sans CJK SC through
fontconfig, the header row repeated on every page (thead). The stylesheet is parsed once per
process with one shared FontConfiguration; nothing is fetched (only data: URLs would be)."""

import logging
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from portal.text import clean_text

from .rows import HEADERS, MONEY_COLUMN, Annex2Table

TEMPLATE = "applications/recommend/annex2_print.html"
STYLESHEET = "applications/annex2-print.css"


def _stylesheet_text() -> str:
    found = finders.find(STYLESHEET)
    path = Path(found) if found else Path(settings.BASE_DIR) / "static" / STYLESHEET
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _engine():
    # WeasyPrint reports each step at INFO, from its import on (user-agent stylesheets): noise.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",), timeout=1)
    font_config = FontConfiguration()
    css = CSS(string=_stylesheet_text(), url_fetcher=fetcher, font_config=font_config)
    return font_config, css, fetcher


def money_text(value) -> str:
    """0.01 万元, in Decimal: no float noise whatever the database returned."""
    return "" if value is None else f"{Decimal(str(value)).quantize(Decimal('0.01')):,.2f}"


def render_html(table: Annex2Table) -> str:
    rows = [tuple(clean_text(v) for v in (*row[:MONEY_COLUMN], money_text(row[MONEY_COLUMN]), *row[MONEY_COLUMN + 1:]))
            for row in table.rows]
    return render_to_string(TEMPLATE, {"table": table, "headers": HEADERS, "rows": rows,
                                       "title": clean_text(table.title), "note": clean_text(table.note),
                                       "footer": table.footer})


def build_pdf(table: Annex2Table) -> bytes:
    from weasyprint import HTML

    font_config, css, fetcher = _engine()
    return HTML(string=render_html(table), url_fetcher=fetcher).write_pdf(stylesheets=[css], font_config=font_config)
