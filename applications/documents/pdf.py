"""The registration form's print HTML → PDF with WeasyPrint (A4, Noto CJK through fontconfig).

Kept fast: the HTML is rendered from a string; the stylesheet is parsed once per process with one
shared FontConfiguration; nothing is fetched (only ``data:`` URLs would be); fonts are subset by
HarfBuzz (libharfbuzz-subset0), which takes a CJK font from seconds to milliseconds. WeasyPrint
is imported on first use, so web processes that only schedule renders never load it.
"""

import logging
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

STYLESHEET = "applications/documents-print.css"


def stylesheet_path() -> Path:
    found = finders.find(STYLESHEET)
    return Path(found) if found else Path(settings.BASE_DIR) / "static" / STYLESHEET


@lru_cache(maxsize=1)
def _engine():
    """(FontConfiguration, parsed stylesheet, URL fetcher), made once per process."""
    # Imported on first use (heavy: ~0.65 s, and no process loads it at start-up).
    from weasyprint import CSS  # noqa: PLC0415
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415
    from weasyprint.urls import URLFetcher  # noqa: PLC0415

    # WeasyPrint reports each layout step at INFO: noise in the worker's log, and time.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    fetcher = URLFetcher(allowed_protocols=("data",), timeout=1)
    font_config = FontConfiguration()
    css = CSS(string=stylesheet_path().read_text(encoding="utf-8"), base_url=base_url(),
              url_fetcher=fetcher, font_config=font_config)
    return font_config, css, fetcher


def base_url() -> str:
    """Relative URLs resolve inside the project's static folder; none are used today."""
    return (Path(settings.BASE_DIR) / "static").as_uri() + "/"


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415  (heavy, as in _engine)

    font_config, css, fetcher = _engine()
    document = HTML(string=html, base_url=base_url(), url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[css], font_config=font_config)

