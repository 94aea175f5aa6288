"""Simplified Chinese by default, whatever the browser asks; English through the switch."""

import pytest
from django.conf import settings
from django.urls import reverse


@pytest.mark.django_db
def test_login_page_is_chinese_even_for_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans"' in html
    assert "用户名" in html and "密码" in html


@pytest.mark.django_db
def test_the_language_switch_selects_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en"' in html
    assert "Username" in html and "Password" in html


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get(reverse("login"))["Content-Language"] == "zh-hans"


# --- activity lists in words (portal.activity, issue 13) ------------------------------------------


def test_every_action_the_code_writes_has_a_phrase():
    from portal.activity import ACTIONS, VERBS
    from portal.messages import MESSAGES
    from tests.portal.test_trust_visibility import written_actions

    # written_actions() reads literals near audit.record(), so a notification key next to one is picked up too.
    actions = written_actions() - set(MESSAGES)
    missing = sorted(a for a in actions if a not in ACTIONS and a.rpartition(".")[2] not in VERBS)
    assert not missing


@pytest.mark.django_db
def test_an_entry_reads_as_words_with_its_states_by_their_labels(client):
    from portal.activity import changes, describe
    from portal.models import AuditEntry, ProgrammeStatus
    from portal.services.audit import record
    from tests.factories import ProgrammeFactory, UserFactory

    programme = ProgrammeFactory(status=ProgrammeStatus.REVIEWING)
    actor = UserFactory(username="admin1", is_superuser=True, full_name="南翔镇推荐人")
    record(actor, "programme.start_reviewing", programme, changes={"status": ["recommending", "reviewing"]},
           programme=programme)
    entry = AuditEntry.objects.get(action="programme.start_reviewing")
    assert describe(entry) == f"“{programme.title}”进入专家评价"
    assert changes(entry) == [("状态", "推荐审核", "专家评价")]
    record(actor, "user.change", actor, changes={"is_active": [True, False]})
    assert describe(AuditEntry.objects.get(action="user.change")) == "修改了用户“南翔镇推荐人”"

    client.force_login(actor)
    html = client.get(reverse("audit_list")).content.decode()
    assert "进入专家评价" in html and "推荐审核" in html and "programme.start_reviewing" not in html
    assert "recommending" not in html


@pytest.mark.django_db
def test_the_language_switch_url_keeps_the_choice_on_the_account(client):
    """/i18n/setlang/ is the portal's switch: e-mails sent later by the worker follow it."""
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    assert reverse("set_language") == "/i18n/setlang/"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
