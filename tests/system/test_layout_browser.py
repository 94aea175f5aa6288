"""Layout in a real browser (issue 13): at phone width (390 px) the programme page and the ranking
fit the screen, and at 1366 px the English navbar stays on one line."""

import pytest
from django.conf import settings
from django.test import Client

from portal.models import Role
from portal.services import audit
from tests.factories import RecommendingUnitFactory, UserFactory, b1_programme, scored_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _page(chromium, live_server, user, viewport, language="zh-hans"):
    client = Client()
    client.force_login(user)
    context = chromium.new_context(base_url=live_server.url, viewport=viewport, reduced_motion="reduce")
    context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": live_server.url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
    ])
    return context, context.new_page()


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_programme_page_fits_a_phone(chromium, live_server):
    from tests.factories import OrganiserFactory

    organiser = OrganiserFactory()
    administrator = UserFactory(role=Role.ADMINISTRATOR, organiser=organiser)
    programme = b1_programme(organiser=organiser)
    for n in range(3):
        programme.accepted_units.add(RecommendingUnitFactory(name=f"上海市某某区市场监督管理局第{n}推荐单位名称较长"))
    for _n in range(5):
        audit.record(administrator, "programme.transition", programme, changes={"status": ["draft", "open"]},
                     note="开放申报，通知各区推荐单位按时推荐" * 2)
    context, page = _page(chromium, live_server, administrator, PHONE)
    assert page.goto(f"/programmes/{programme.pk}/").status == 200
    assert _width(page) <= PHONE["width"]
    # the units and the recent activity stack into rows: no cell squeezed to a character or two per line
    cells = page.evaluate("[...document.querySelectorAll('main table td')].filter(td => td.offsetParent)"
                          ".map(td => td.getBoundingClientRect().width)")
    assert len(cells) >= 3 * 4 + 5 * 4 and min(cells) >= 200
    context.close()


def test_ranking_fits_a_phone(chromium, live_server):
    from tests.factories import OrganiserFactory

    organiser = OrganiserFactory()
    administrator = UserFactory(role=Role.ADMINISTRATOR, organiser=organiser)
    programme, _apps, _experts = scored_programme([[95, 93, 94], [85, 84, 86], [60, 61, 62]],
                                                  programme=b1_programme(organiser=organiser))
    context, page = _page(chromium, live_server, administrator, PHONE)
    assert page.goto(f"/awards/programme/{programme.pk}/ranking/").status == 200
    assert _width(page) <= PHONE["width"]
    # the project names stay readable: their cells are not squeezed to a character or two per line
    narrowest = page.evaluate("Math.min(...[...document.querySelectorAll('.ranking-table tbody a')]"
                              ".map(a => a.getBoundingClientRect().width))")
    assert narrowest >= 120
    context.close()


def test_english_navbar_stays_on_one_line_at_1366(chromium, live_server):
    from tests.factories import OrganiserFactory

    # the longest menu: an administrator with the Django admin link and a long name
    administrator = UserFactory(role=Role.ADMINISTRATOR, organiser=OrganiserFactory(), is_staff=True,
                                full_name="上海市市场监督管理局质量发展处管理员")
    context, page = _page(chromium, live_server, administrator, {"width": 1366, "height": 768}, language="en")
    assert page.goto("/dashboard/").status == 200
    assert page.evaluate("document.documentElement.lang").startswith("en")
    tops = page.evaluate("[...document.querySelectorAll('#main-navbar > ul > li')]"
                         ".map(li => li.getBoundingClientRect().top)")
    assert len(tops) >= 10 and max(tops) - min(tops) < 10, f"menu items on several lines: {tops}"
    height = page.evaluate("document.querySelector('nav.navbar').getBoundingClientRect().height")
    assert height <= 72, f"navbar {height}px high: it wraps"
    # the notifications word and the full name stay for screen readers
    assert page.evaluate("document.querySelector('#user-menu').textContent").count("质量发展处管理员") == 1
    context.close()
