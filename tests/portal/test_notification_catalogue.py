"""Notifications come from one catalogue (portal.messages): stored as key + parameters, shown in the
reader's language, e-mailed in the recipient's with absolute links (issue 13)."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from applications.services import recommendation as service
from applications.services import submission
from portal.messages import MESSAGES, choice, join, ref, render
from portal.models import Notification
from portal.services.notify import notify, send_message
from portal.views.language import set_language
from tests.applications.test_recommendation_helpers import ENDORSEMENT, application_for, district_setup
from tests.factories import ApplicantFactory, UserFactory

pytestmark = pytest.mark.django_db
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


def _example_params(message) -> dict:
    params = {}
    for text in (str(message.subject), str(message.body)):
        for name, kind in PLACEHOLDER.findall(text):
            params[name] = 3 if kind == "d" else f"«{name}»"
    params.update({name: 7 for name in message.link_args})
    params.update({name: 2026 for name in re.findall(r"\{(\w+)\}", message.query)})
    return params


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_entry_renders_in_both_languages_with_a_path(key):
    message = MESSAGES[key]
    for language in ("zh-hans", "en"):
        rendered = render(key, _example_params(message), language)
        assert rendered is not None, (key, language)
        assert "%(" not in rendered.subject + rendered.body
        assert rendered.link == "" or rendered.link.startswith("/")
    assert not message.link or render(key, _example_params(message), "zh-hans").link


def test_a_notification_is_stored_as_key_and_params_and_shown_in_the_readers_language(client):
    person = UserFactory(email="p@example.cn")
    notify([person], "application.submitted", params={
        "org": "示范公司", "name": "伺服电机降噪攻关", "programme": "2026年批次", "n": 2, "application_id": 5})
    row = Notification.objects.get(recipient=person)
    assert (row.message_key, row.params["n"]) == ("application.submitted", 2)
    assert row.subject == "申报已提交：伺服电机降噪攻关"  # the source text kept beside the key
    assert row.rendered("en").subject == "Application submitted: 伺服电机降噪攻关"
    assert row.rendered("zh-hans").link == reverse("applications:edit", args=[5])

    client.force_login(person)
    assert "申报已提交：伺服电机降噪攻关" in client.get(reverse("notifications")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("notifications")).content.decode()
    assert "Application submitted: 伺服电机降噪攻关" in html and "申报已提交" not in html
    assert "Application submitted: 伺服电机降噪攻关" in client.get(reverse("dashboard")).content.decode()


def test_rows_from_before_the_catalogue_keep_their_stored_text(client):
    person = UserFactory()
    Notification.objects.create(recipient=person, subject="旧通知", body="旧正文", link="/old/")
    client.force_login(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("notifications")).content.decode()
    assert "旧通知" in html and "旧正文" in html and 'href="/old/"' in html


def test_the_email_is_written_in_each_recipients_language_with_an_absolute_link(
        django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://portal.example.cn"
    chinese, english = UserFactory(email="zh@example.cn"), UserFactory(email="en@example.cn", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notify([chinese, english], "score.reopened",
               params={"name": "模具寿命提升", "reason": "分数有误", "assignment_id": 9})
    by_address = {m.to[0]: m for m in mail.outbox}
    link = "https://portal.example.cn" + reverse("scoring:score_sheet", args=[9])
    assert by_address["zh@example.cn"].subject == "评分已退回修改：模具寿命提升"
    assert by_address["zh@example.cn"].body.endswith("\n\n" + link)
    assert by_address["en@example.cn"].subject != by_address["zh@example.cn"].subject
    assert "评分已退回修改" not in by_address["en@example.cn"].subject
    assert by_address["en@example.cn"].body.endswith("\n\n" + link)


def test_text_notifications_not_yet_in_the_catalogue_also_get_absolute_links(
        django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://portal.example.cn/"
    with django_capture_on_commit_callbacks(execute=True):
        notify([UserFactory(email="a@example.cn")], "申报截止提醒", "还有1项", link="/applications/1/")
    assert mail.outbox[0].body == "还有1项\n\nhttps://portal.example.cn/applications/1/"


def test_an_email_only_message_goes_to_plain_addresses(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_message(["unit@example.cn"], "recommendation.reminder", title="2026年批次", unit="南翔镇", n=2,
                     deadline=ref("fragment.unset"), programme_id=4)
    assert mail.outbox[0].to == ["unit@example.cn"]
    assert "推荐截止时间为（未设定）" in mail.outbox[0].body
    assert mail.outbox[0].body.endswith(reverse("applications:recommend_workspace") + "?programme=4")
    assert Notification.objects.count() == 0


def test_parameters_that_need_translating_are_translated_when_read():
    params = {"title": "2026年批次", "programme_id": 1, "counts": join([
        ref("fragment.tier_count", tier=choice("awards.Award", "tier", "first"), n=2),
        ref("fragment.tier_count", tier=choice("awards.Award", "tier", "second"), n=5)])}
    assert render("awards.approved", params, "zh-hans").body == "一等奖 2；二等奖 5"
    assert render("awards.approved", params, "en").body.startswith("First")


def test_the_bureau_is_told_when_the_application_it_returned_is_resubmitted(client):
    programme, bureau, street, bureau_user, street_user = district_setup()
    app = application_for(programme, street, "伺服电机降噪攻关")
    service.endorse(street_user, app, **ENDORSEMENT)
    service.return_to_applicant(bureau_user, app, "请补充专利证书。", ["evidence"])
    Notification.objects.all().delete()
    submission.resubmit(ApplicantFactory(organisation=app.organisation), app)

    told = Notification.objects.get(recipient=bureau_user)
    assert told.message_key == "application.resubmitted.bureau"
    assert "等待嘉定区南翔镇复核" in told.rendered("zh-hans").body
    assert told.rendered("zh-hans").link == reverse("applications:review", args=[app.pk])
    client.force_login(bureau_user)
    page = client.get(reverse("applications:review", args=[app.pk])).content.decode()
    assert "等待嘉定区南翔镇复核" in page and "您无需操作" not in page
    workspace = client.get(reverse("applications:recommend_workspace"), {"programme": programme.pk})
    assert "等待嘉定区南翔镇复核" in workspace.content.decode()


def test_a_street_return_does_not_tell_the_bureau():
    programme, bureau, street, bureau_user, street_user = district_setup()
    app = application_for(programme, street, "模具寿命提升")
    service.return_to_applicant(street_user, app, "请补充检测报告。")
    submission.resubmit(ApplicantFactory(organisation=app.organisation), app)
    assert not Notification.objects.filter(recipient=bureau_user).exists()


def test_the_language_switch_keeps_the_choice_on_the_account():
    person = UserFactory()
    request = RequestFactory().post("/i18n/setlang/", {"language": "en", "next": "/"})
    request.user = person
    response = set_language(request)
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    person.refresh_from_db()
    assert person.language == "en"


def test_a_key_with_missing_parameters_is_refused_loudly():
    with pytest.raises(ValueError, match="score.submitted"):
        notify([UserFactory()], "score.submitted", params={"name": "模具寿命提升"})
    assert not Notification.objects.exists()
