"""WCAG 2.1 A/AA on every page a demo login reaches (issue 13, "Accessibility").

The whole demo year (portal.demo_year) is seeded; each demo login (and an anonymous visitor) then
walks the same-origin links of its navigation, dashboard and the pages they lead to, breadth first,
up to PAGES_PER_ROLE pages. On each page axe-core (tests/vendor/axe.min.js, MPL-2.0) runs with the
WCAG 2.0/2.1 A and AA rules; the test fails listing every violation with its rule, element and page.
axe is injected through Playwright's evaluate (the DevTools protocol), so the portal's
Content-Security-Policy stays as it is.

The same crawl through Django's test client feeds the Nu HTML checker (vnu.jar, needs Java): it runs
when both are present; under CI=true it fails without Java and fetches the jar with npm.
Focus rings and the sticky save bar are checked in the browser too (axe does not look at focus).
"""

import json
import os
import re
import shutil
import subprocess
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "vendor" / "axe.min.js"
PASSWORD = "demo2026"  # portal.demo.DEMO_PASSWORD
ROLES = ["city_admin", "jiading_admin", "jiading_bureau", "nanxiang", "saic_group", "expert1", "expert2",
         "applicant", None]  # None: a visitor who has not signed in
PAGES_PER_ROLE = 60
QUERY_VARIANTS_PER_PATH = 2  # ?page=2, ?status=…: a couple of each list is enough
VNU_VERSION = "26.9.27"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Not pages: files, state changes reached by GET-less forms, the language switch, Django's admin (not
# the portal's templates), and job pages (they poll and redirect).
SKIP = re.compile(
    r"^/(admin|static|media|i18n)/|/logout/|/download|/export|\.(pdf|docx|xlsx|zip|csv)$|/pdf/|/docx/|"
    r"/jobs/|/retry/|/transition/|/read/$"
)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.hrefs.append(attrs["href"])


def same_origin_links(html: str, current: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        href = urldefrag(href)[0]
        if not href or href.startswith(("mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue  # the crawl stays on the portal (absolute links to it are rare and duplicate relative ones)
        if not parts.path:
            href = urlsplit(current).path + href
        elif not parts.path.startswith("/"):
            continue
        out.append(href)
    return out


def crawl(start: list[str], fetch, limit: int = PAGES_PER_ROLE) -> list[str]:
    """Breadth-first over same-origin links; ``fetch(url)`` returns the page's HTML or None (not a page)."""
    queue, seen, visited, variants = deque(start), set(start), [], {}
    while queue and len(visited) < limit:
        url = queue.popleft()
        html = fetch(url)
        if html is None:
            continue
        visited.append(url)
        for link in same_origin_links(html, url):
            path = urlsplit(link).path
            if link in seen or SKIP.search(path):
                continue
            if urlsplit(link).query:
                if variants.get(path, 0) >= QUERY_VARIANTS_PER_PATH:
                    continue
                variants[path] = variants.get(path, 0) + 1
            seen.add(link)
            queue.append(link)
    return visited


# --- fixtures ------------------------------------------------------------------------------------


def _seed():
    from portal.demo_year import seed_demo_year

    seed_demo_year()


def _sign_in(chromium, base_url, username, viewport=None):
    context = chromium.new_context(base_url=base_url, locale="zh-CN",
                                   viewport=viewport or {"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.dismiss())
    if username:
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert urlsplit(page.url).path == "/dashboard/", f"{username} could not sign in: {page.url}"
    return context, page


AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
}"""


def axe_violations(page, axe_source: str) -> list[dict]:
    # Runs through the DevTools protocol, which the page's CSP does not govern (no script tag is added).
    page.evaluate(axe_source + "\n;0")
    return page.evaluate(AXE_RUN, WCAG_TAGS)


# --- axe-core over the crawl -------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_a_demo_login_reaches_has_no_wcag_21_aa_violation(chromium, live_server):
    _seed()
    axe_source = AXE.read_text(encoding="utf-8")
    assert axe_source.startswith("/*! axe v4.")
    failures, errors, pages = [], [], 0
    for username in ROLES:
        who = username or "anonymous"
        context, page = _sign_in(chromium, live_server.url, username)
        page.on("pageerror",
                lambda error, who=who, page=page: errors.append(f"[{who}] page error on {page.url}: {error}"))

        def fetch(url, page=page, who=who):
            try:
                response = page.goto(url, wait_until="load")
            except Exception as exc:  # a download, or a link that leaves the page at once
                if "Download is starting" in str(exc) or "ERR_ABORTED" in str(exc):
                    return None
                raise
            if response is None or "text/html" not in (response.headers.get("content-type") or ""):
                return None
            if response.status >= 500:
                errors.append(f"[{who}] HTTP {response.status} on {url}")
            if response.status != 200:
                return None
            for violation in axe_violations(page, axe_source):
                for node in violation["nodes"]:
                    failures.append(f"[{who}] {url} {violation['id']} ({violation['impact']}): {node['target']}"
                                    f" — {node['summary'].splitlines()[-1].strip()}")
            return page.content()

        start = ["/dashboard/"] if username else ["/"]
        visited = crawl(start, fetch)
        pages += len(visited)
        print(f"{who}: {len(visited)} pages")
        assert len(visited) >= (8 if username else 3), f"{who} reached only {visited}"
        context.close()
    print(f"axe-core over {pages} pages: {len(failures)} violating nodes")
    assert not errors, "\n".join(errors)
    assert not failures, f"{len(failures)} WCAG 2.1 A/AA violations:\n" + "\n".join(failures)


# --- focus: the portal's ring on every kind of control; nothing hides under the save bar ---------

FOCUS_STYLE = """el => { const s = getComputedStyle(el);
  return {outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor, shadow: s.boxShadow}; }"""


def _form_page(chromium, live_server, viewport):
    """The applicant's Table A.1 editor (a complete draft): every kind of control, and the sticky save bar."""
    from django.conf import settings

    from tests.factories import ApplicantFactory, complete_application

    app = complete_application()
    client = Client()
    client.force_login(ApplicantFactory(organisation=app.organisation))
    # Reduced motion: Bootstrap then drops its transitions, so computed focus styles are final at once.
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", viewport=viewport,
                                   reduced_motion="reduce")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    response = page.goto(f"/applications/{app.pk}/")
    assert response.status == 200
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_keyboard_focus_shows_the_portal_ring_on_every_kind_of_control(chromium, live_server):
    context, page = _form_page(chromium, live_server, {"width": 1280, "height": 900})
    page.keyboard.press("Shift")  # a keyboard user: focus() now matches :focus-visible everywhere
    selectors = {
        "navbar link": "nav.navbar a.nav-link",
        "tab": "main [role=tab]",
        "field": "main input.form-control:not([type=hidden])",
        "select": "main select.form-select",
        "radio": "main input[type=radio]",
        "checkbox": "main input[type=checkbox]",
        "outline button": "main .btn[class*='btn-outline-']",
        "button": "main .btn-primary",
    }
    wrong = []
    for kind, selector in selectors.items():
        locator = page.locator(selector).first
        assert locator.count(), f"no {kind} on the form page ({selector})"
        locator.evaluate("el => { el.closest('.tab-pane')?.classList.add('active', 'show'); el.focus(); }")
        style = locator.evaluate(FOCUS_STYLE)
        if style["outline"] != "solid 3px rgb(255, 191, 71)" or "rgb(27, 27, 27)" not in style["shadow"]:
            wrong.append(f"{kind}: {style}")
    context.close()
    assert not wrong, "Focus ring not the portal's:\n" + "\n".join(wrong)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_focused_field_hides_under_the_sticky_save_bar(chromium, live_server):
    context, page = _form_page(chromium, live_server, {"width": 1280, "height": 800})
    assert page.locator(".form-actions.sticky-bottom").count(), "the save bar is not on the form page"
    page.locator("main").focus()
    covered, stops = [], 0
    for _ in range(80):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const el = document.activeElement;
          const bar = document.querySelector('.form-actions.sticky-bottom');
          if (!el || !bar || bar.contains(el) || !el.closest('main')) return null;
          const r = el.getBoundingClientRect(), b = bar.getBoundingClientRect();
          return {id: el.id || el.name || el.tagName, top: r.top, bottom: r.bottom, height: r.height, barTop: b.top,
                  visible: r.width > 0 && r.height > 0}; }""")
        if not info or not info["visible"]:
            continue
        stops += 1
        # A control taller than the room above the bar (a whole tab panel) need only show its top.
        hidden = info["bottom"] > info["barTop"] + 0.5
        if hidden and (info["height"] < info["barTop"] or info["top"] > info["barTop"] - 24):
            covered.append(f"{info['id']}: bottom {info['bottom']:.0f} > bar top {info['barTop']:.0f}")
    context.close()
    print(f"{stops} focus stops on the form at 1280x800, {len(covered)} under the save bar")
    assert stops >= 20
    assert not covered, "Focused controls under the sticky save bar:\n" + "\n".join(covered)


# --- the Nu HTML checker over the same crawl -----------------------------------------------------


def _install_java_in_ci() -> str | None:
    """CI=true: Debian's headless Java, as scripts/setup.sh installs its other packages (root, apt-get)."""
    if os.environ.get("CI") != "true":
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.fail("CI=true: the Nu HTML checker needs Java (apt-get install default-jre-headless)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "default-jre-headless"],
                   check=True, capture_output=True, env=env)
    return shutil.which("java")


def _vnu_jar() -> Path | None:
    jar = Path(os.environ.get("VNU_JAR") or ROOT / "var" / "vnu" / "vnu.jar")
    if jar.exists():
        return jar
    if os.environ.get("CI") != "true":
        return None
    # In CI: the checker comes from the npm package vnu-jar (the registry the project already uses for axe-core).
    if not shutil.which("npm"):
        pytest.fail("CI=true: npm is needed to fetch the Nu HTML checker (npm package vnu-jar)")
    target = jar.parent
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "pack", f"vnu-jar@{VNU_VERSION}", "--pack-destination", str(target)], check=True,
                   capture_output=True)
    subprocess.run(["tar", "xzf", str(target / f"vnu-jar-{VNU_VERSION}.tgz"), "-C", str(target),
                    "--strip-components=3", "package/build/dist/vnu.jar"], check=True)
    return jar


@pytest.mark.django_db
def test_every_page_a_demo_login_reaches_passes_the_nu_html_checker(tmp_path):
    java = shutil.which("java") or _install_java_in_ci()
    if not java:
        pytest.skip("java is not installed (apt-get install default-jre-headless)")
    jar = _vnu_jar()
    if jar is None:
        pytest.skip("vnu.jar not found: set VNU_JAR or unpack the npm package vnu-jar into var/vnu/")
    from portal.models import User

    _seed()
    pages = tmp_path / "pages"  # not tmp_path itself: the test settings keep MEDIA_ROOT there
    pages.mkdir()
    saved: dict[str, str] = {}
    for username in ROLES:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))

        def fetch(url, client=client, who=username or "anonymous"):
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                return None
            html = response.content.decode()
            name = f"{len(saved):03d}.html"
            (pages / name).write_text(html, encoding="utf-8")
            saved[name] = f"[{who}] {url}"
            return html

        crawl(["/dashboard/"] if username else ["/"], fetch)
    result = subprocess.run([java, "-jar", str(jar), "--errors-only", "--format", "json", str(pages)],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [f"{saved.get(Path(urlsplit(m.get('url', '')).path).name, m.get('url'))} line {m.get('lastLine')}: "
              f"{m['message']} — {' '.join(m.get('extract', '').split())[:120]}"
              for m in messages if m.get("type") == "error"]
    print(f"Nu HTML checker over {len(saved)} pages: {len(errors)} errors")
    assert len(saved) >= 60
    assert not errors, f"{len(errors)} Nu HTML checker errors:\n" + "\n".join(errors)
