"""Autosave (issue 17, "Autosave: never lose a word"): POST /applications/<id>/autosave/.

A partial save through the draft service and its optimistic locking; the conflict answers both texts;
the same visibility as the form page (404 for others); one audit row per editing session; no versions.
"""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ApplicationVersion
from applications.services import autosave as autosave_service
from applications.services import submission
from portal.models import AuditEntry
from tests.factories import ApplicantFactory, ApplicationFactory, TeamMemberFactory, complete_application


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()  # the throttle's counters


def url(app):
    return reverse("applications:autosave", args=[app.pk])


def member_of(app):
    return ApplicantFactory(organisation=app.organisation)


def autosave_rows(app):
    return AuditEntry.objects.filter(action="application.autosave", object_id=str(app.pk))


@pytest.fixture
def app_and_client(client):
    app = ApplicationFactory(background="原来的背景。", objectives="原来的目标。", org_intro="原来的介绍。")
    client.force_login(member_of(app))
    return app, client


@pytest.mark.django_db
def test_an_autosave_changes_only_the_fields_sent(app_and_client):
    app, client = app_and_client
    response = client.post(url(app), {"lock_version": "0", "background": "新的背景\r\n第二行。"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True and body["lock_version"] == 1 and body["errors"] == {}
    assert len(body["saved_time"]) == 5 and body["saved_at"]
    stored = Application.objects.get(pk=app.pk)
    assert stored.background == "新的背景\n第二行。"  # normalised at input, like the form
    assert (stored.objectives, stored.org_intro, stored.project_name) == ("原来的目标。", "原来的介绍。",
                                                                          app.project_name)
    assert stored.lock_version == 1


@pytest.mark.django_db
def test_fields_not_sent_keep_their_stored_values_in_every_tab(client):
    app = complete_application()
    client.force_login(member_of(app))
    before = Application.objects.get(pk=app.pk)
    response = client.post(url(app), {"lock_version": str(app.lock_version), "sales_after": "1234.5",
                                      "is_digital": "false"})
    assert response.status_code == 200, response.content
    after = Application.objects.get(pk=app.pk)
    assert str(after.sales_after) == "1234.50" and after.is_digital is False
    for name in ("category_id", "recommender_id", "completion_date", "advancement_level", "sales_before",
                 "tech_head_date", "effect_direct"):
        assert getattr(after, name) == getattr(before, name), name
    assert after.team_members.count() == 2  # the team was not sent: left alone


@pytest.mark.django_db
def test_a_table_is_saved_as_a_whole_when_sent(app_and_client):
    app, client = app_and_client
    TeamMemberFactory(application=app, name="旧成员")
    data = {"lock_version": "0", "team-TOTAL_FORMS": "2", "team-INITIAL_FORMS": "1",
            "team-0-name": "张三", "team-0-ORDER": "2", "team-1-name": "李四", "team-1-ORDER": "1"}
    response = client.post(url(app), data)
    assert response.status_code == 200, response.content
    assert list(app.team_members.order_by("order").values_list("name", flat=True)) == ["李四", "张三"]


@pytest.mark.django_db
def test_an_invalid_field_is_refused_and_the_valid_ones_saved(app_and_client):
    app, client = app_and_client
    response = client.post(url(app), {"lock_version": "0", "sales_before": "很多", "objectives": "新的目标。"})
    assert response.status_code == 200
    body = response.json()
    assert list(body["errors"]) == ["sales_before"] and "销售额" in body["errors"]["sales_before"][0]
    stored = Application.objects.get(pk=app.pk)
    assert stored.objectives == "新的目标。" and stored.sales_before is None


@pytest.mark.django_db
def test_nothing_valid_to_save_is_a_400_and_changes_nothing(app_and_client):
    app, client = app_and_client
    response = client.post(url(app), {"lock_version": "0", "project_name": ""})
    assert response.status_code == 400 and "project_name" in response.json()["errors"]
    response = client.post(url(app), {"lock_version": "0"})
    assert response.status_code == 400
    assert Application.objects.get(pk=app.pk).lock_version == 0


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["0", "abc", "", "7"])
def test_a_stale_or_unreadable_version_is_a_conflict_with_both_texts(app_and_client, version):
    app, client = app_and_client
    assert client.post(url(app), {"lock_version": "0", "background": "另一窗口的背景。"}).status_code == 200
    response = client.post(url(app), {"lock_version": version, "background": "这个窗口的背景。"})
    assert response.status_code == 409
    body = response.json()
    assert body["conflict"] is True and body["lock_version"] == 1 and "他人修改" in body["message"]
    assert {"label": "项目背景意义", "saved": "另一窗口的背景。", "yours": "这个窗口的背景。"} in body["changes"]
    stored = Application.objects.get(pk=app.pk)
    assert stored.background == "另一窗口的背景。" and stored.lock_version == 1


@pytest.mark.django_db
def test_a_version_is_required(app_and_client):
    app, client = app_and_client
    response = client.post(url(app), {"background": "没有版本号。"})
    assert response.status_code == 409
    assert Application.objects.get(pk=app.pk).background == "原来的背景。"


@pytest.mark.django_db
def test_the_form_pages_stale_save_shows_both_texts(app_and_client):
    """What the autosave's conflict notice leads to: the form submitted with its old version."""
    from tests.applications.test_applications_views import form_data

    app, client = app_and_client
    data = form_data(app, background="我在这个窗口写的背景。")
    assert client.post(url(app), {"lock_version": "0", "background": "另一窗口自动保存的背景。"}).status_code == 200
    response = client.post(reverse("applications:edit", args=[app.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400 and "data-edit-conflict" in html
    assert "另一窗口自动保存的背景。" in html and "我在这个窗口写的背景。" in html
    assert 'name="lock_version" value="1"' in html  # saving again is a deliberate choice
    assert Application.objects.get(pk=app.pk).background == "另一窗口自动保存的背景。"


@pytest.mark.django_db
def test_others_get_404_and_the_anonymous_the_login_page(client):
    app = ApplicationFactory(background="原来的背景。")
    client.force_login(ApplicantFactory())  # another organisation's member
    assert client.post(url(app), {"lock_version": "0", "background": "x"}).status_code == 404
    client.logout()
    response = client.post(url(app), {"lock_version": "0", "background": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get(url(app)).status_code == 302
    client.force_login(member_of(app))
    assert client.get(url(app)).status_code == 405
    assert Application.objects.get(pk=app.pk).background == "原来的背景。"


@pytest.mark.django_db
def test_a_submitted_application_is_not_autosaved(client):
    app = complete_application()
    user = member_of(app)
    submission.submit(user, app)
    client.force_login(user)
    app.refresh_from_db()
    response = client.post(url(app), {"lock_version": str(app.lock_version), "background": "提交后改动。"})
    assert response.status_code == 403 and "不能修改" in response.json()["error"]
    assert Application.objects.get(pk=app.pk).background != "提交后改动。"


@pytest.mark.django_db
def test_csrf_is_required(app_and_client):
    app, _client = app_and_client
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member_of(app))
    assert strict.post(url(app), {"lock_version": "0", "background": "x"}).status_code == 403
    assert Application.objects.get(pk=app.pk).background == "原来的背景。"


@pytest.mark.django_db
def test_the_audit_records_one_row_per_editing_session_and_no_version(app_and_client):
    app, client = app_and_client
    for version, text in enumerate(["一", "一二", "一二三", "一二三四"]):
        response = client.post(url(app), {"lock_version": str(version), "background": text})
        assert response.status_code == 200
    rows = list(autosave_rows(app))
    assert len(rows) == 1
    assert rows[0].changes == {"background": ["原来的背景。", "一"]}  # the first autosave's before/after
    assert not AuditEntry.objects.filter(action="application.save_draft", object_id=str(app.pk)).exists()
    assert not ApplicationVersion.objects.filter(application=app).exists()
    # Another person (a colleague) starts their own session; 30 minutes later, a new one too.
    colleague = member_of(app)
    client.force_login(colleague)
    assert client.post(url(app), {"lock_version": "4", "background": "同事的背景"}).status_code == 200
    assert autosave_rows(app).count() == 2
    AuditEntry.objects.filter(pk=rows[0].pk).update(at=timezone.now() - datetime.timedelta(minutes=31))
    AuditEntry.objects.filter(actor=colleague).update(at=timezone.now() - datetime.timedelta(minutes=31))
    assert client.post(url(app), {"lock_version": "5", "background": "同事的背景二"}).status_code == 200
    assert autosave_rows(app).count() == 3
    assert not ApplicationVersion.objects.filter(application=app).exists()


@pytest.mark.django_db
def test_autosaves_are_throttled(app_and_client, monkeypatch):
    app, client = app_and_client
    monkeypatch.setattr(autosave_service, "PER_PERSON_AND_APPLICATION",
                        autosave_service.Limit("autosave-test", 3, 60))
    for version in range(3):
        assert client.post(url(app), {"lock_version": str(version), "background": f"第{version}次"}).status_code == 200
    response = client.post(url(app), {"lock_version": "3", "background": "第四次"})
    assert response.status_code == 429 and response.json()["retry_after"] == 60
    assert Application.objects.get(pk=app.pk).background == "第2次"
