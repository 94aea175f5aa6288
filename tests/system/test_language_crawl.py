"""Every page every demo login reaches, in Simplified Chinese: no raw action codes, no raw state
codes, no English sentences (issue 13). The demo year is seeded once for the module, as in
tests/portal/test_demo_year.py; the crawl follows the links of each page (GET only), as a person would."""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from portal.activity import ACTIONS
from portal.demo_year import seed_demo_year
from portal.models import User

FAST = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}
LOGINS = ("admin", "city_admin", "jiading_admin", "jiading_bureau", "nanxiang", "saic_group", "expert1", "expert2",
          "applicant")
PAGES_PER_LOGIN = 400
# Not pages of the portal's own: Django's admin (its own catalogue), the switch and sign-out, files.
SKIP = re.compile(r"^/(admin|i18n|logout|static|media)/|/(download|export|file|pdf|docx|xlsx|preview)\b"
                  r"|\.(xlsx|pdf|docx)$")


class _Text(HTMLParser):
    """The words a person reads: text and the attributes spoken or shown (title, aria-label,
    placeholder, alt), not scripts, styles or hidden form values; and the page's links."""

    SPOKEN = ("title", "aria-label", "placeholder", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.links, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._skip += 1
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.links.append(attrs["href"])
        self.parts.extend(str(attrs[a]) for a in self.SPOKEN if attrs.get(a))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def read(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts), parser.links


def crawl(username: str, language: str, check) -> dict[str, list[str]]:
    """{url: findings} for every page ``username`` reaches from the dashboard in ``language``."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    queue, seen, found = deque(["/"]), {"/"}, {}
    while queue and len(seen) <= PAGES_PER_LOGIN:
        url = queue.popleft()
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        text, links = read(response.content.decode())
        problems = check(text)
        if problems:
            found[url] = problems
        for link in links:
            target = urldefrag(urljoin(url, link))[0]
            parts = urlsplit(target)
            if parts.netloc and parts.netloc != "testserver":
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in seen and not SKIP.search(parts.path) and "page=" not in parts.query:
                seen.add(path)
                queue.append(path)
    return found


# --- what a Chinese page must not show --------------------------------------------------------------

_CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\b")
_WORD = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")  # endorsed_by_street, applicant_declared
_SENTENCE = re.compile(r"\b[A-Za-z][a-z']+(?:[ ,;:-]+[A-Za-z][a-z']*){3,}[.!?)]")


def _state_codes() -> set[str]:
    from django.apps import apps

    codes = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and "_" in value:
                    codes.add(value)
    from scoring.services import conflict_rules

    codes |= {v for k, v in vars(conflict_rules).items() if k.startswith("RULE_") and isinstance(v, str)}
    return codes


def chinese_problems(text: str, actions: set[str], states: set[str]) -> list[str]:
    problems = [f"action code {m}" for m in _CODE.findall(text) if m in actions]
    problems += [f"state code {m}" for m in _WORD.findall(text) if m in states]
    problems += [f"English: {m}" for m in _SENTENCE.findall(text)]
    return sorted(set(problems))


# --- what an English page must not show: Chinese that is not the data people typed ------------------

_HAN = re.compile(r"[\u4e00-\u9fff]")
ENDONYMS = {"简体中文"}  # the language switch names each language in itself


def data_texts() -> tuple[re.Pattern, tuple[str, ...]]:
    """Every Chinese text stored in the database (names, titles, comments, the form's answers…): in
    English mode they stay as typed; what is left of a page without them is the interface. Returned
    as a pattern of the whole texts and the texts themselves (a page may cut a long one short with …)."""
    from django.apps import apps
    from django.db import models

    found = set()

    def walk(value):
        if isinstance(value, str):
            found.update(p.strip() for p in value.splitlines() if _HAN.search(p) and p.strip())
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices]
        if fields:
            for row in model._default_manager.values_list(*fields):
                walk(list(row))
    texts = tuple(sorted(found, key=len, reverse=True))
    return (re.compile("|".join(re.escape(t) for t in texts)) if texts else re.compile(r"(?!)")), texts


# A stored text cut short by the page (truncatechars): the Han-bearing run just before the ellipsis.
_CUT = re.compile(r"([^\s…]*[\u4e00-\u9fff][^\s…]*)…")


def english_problems(text: str, data: tuple[re.Pattern, tuple[str, ...]]) -> list[str]:
    """Lines of the page still in Chinese once the stored data (whole, or cut short with …) is taken
    out: untranslated strings."""
    pattern, texts = data

    def uncut(match):
        head = match.group(1)
        return "" if any(head in t and not t.endswith(head) for t in texts) else match.group(0)

    left = (_CUT.sub(uncut, pattern.sub("", line)) for line in text.splitlines()
            if _HAN.search(line) and line.strip() not in ENDONYMS)
    return sorted({line.strip()[:120] for line in left if _HAN.search(line)})


def test_english_check_takes_out_data_whole_or_cut_but_not_the_interface():
    data = (re.compile("南翔镇推荐人"), ("南翔镇推荐人", "针对具体技术难题，创新运用或采用先进质量管理工具"))
    assert english_problems("Endorsed by 南翔镇推荐人", data) == []
    assert english_problems("2.2 针对具体技术难题，创新…（10）", data) == []
    assert english_problems("Status: 推荐审核", data) == ["Status: 推荐审核"]
    assert english_problems("总分…", data) == ["总分…"]


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), **FAST):
        with transaction.atomic():
            yield seed_demo_year()
            transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("username", LOGINS)
def test_every_page_in_chinese_shows_words_not_codes(year, username):
    from tests.portal.test_trust_visibility import written_actions

    actions, states = set(ACTIONS) | written_actions(), _state_codes()
    found = crawl(username, "zh-hans", lambda text: chinese_problems(text, actions, states))
    assert not found, "\n".join(f"{url}: {problems}" for url, problems in sorted(found.items()))


@pytest.mark.django_db
@pytest.mark.parametrize("username", LOGINS)
def test_every_page_in_english_is_english_but_the_data(year, username):
    data = data_texts()
    found = crawl(username, "en", lambda text: english_problems(text, data))
    assert not found, "\n".join(f"{url}: {problems}" for url, problems in sorted(found.items()))
