"""HTML → PDF with WeasyPrint for certificates, the ranking and the annual report.

Fonts come from fontconfig ("Noto Serif CJK SC" / "Noto Sans CJK SC"); nothing is fetched except
``data:`` URLs (the QR code, charts are inline SVG). The stylesheet is parsed once per process."""

import logging
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from portal.text import clean_text

STYLESHEET = "awards/awards-print.css"


@lru_cache(maxsize=1)
def _engine():
    from weasyprint import CSS  # noqa: PLC0415  (heavy: loaded on the first PDF)
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415
    from weasyprint.urls import URLFetcher  # noqa: PLC0415

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    path = Path(finders.find(STYLESHEET) or Path(settings.BASE_DIR) / "static" / STYLESHEET)
    fetcher = URLFetcher(allowed_protocols=("data",), timeout=1)
    font_config = FontConfiguration()
    css = CSS(string=path.read_text(encoding="utf-8"), url_fetcher=fetcher, font_config=font_config)
    return font_config, css, fetcher


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415  (heavy, as in _engine)

    font_config, css, fetcher = _engine()
    html = clean_text(render_to_string(template, context))  # no stored control character reaches the PDF
    return HTML(string=html, base_url=(Path(settings.BASE_DIR) / "static").as_uri() + "/",
                url_fetcher=fetcher).write_pdf(stylesheets=[css], font_config=font_config)
