"""The confidentiality pledge (保密及回避承诺): until accepted, every expert page of the programme
answers with it; acceptance is recorded with the time and the text."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from portal.models import AuditEntry, ProgrammeStatus
from portal.services.errors import PermissionDenied
from scoring.models import ConfidentialityPledge, ConflictOfInterest
from scoring.services.pledge import accept_pledge, pledge_statement
from tests.factories import UserFactory
from tests.review_setup import assign, expert_for, reviewable, reviewing_programme


@pytest.fixture
def unpledged(db):
    programme = reviewing_programme(title="2026年上海市重点产品质量攻关成果评价")
    expert = expert_for()
    assignment = assign(expert, reviewable(programme), pledge=False)
    return programme, expert, assignment


def expert_pages(programme, assignment):
    pages = [
        reverse("scoring:expert_programme", args=[programme.pk]),
        reverse("scoring:conflict_declare", args=[assignment.pk]),
        reverse("scoring:conflict_declare_unit", args=[programme.pk]),
    ]
    try:
        pages.append(reverse("scoring:score_sheet", args=[assignment.pk]))
    except NoReverseMatch:
        pass
    return pages


def is_pledge_page(response) -> bool:
    content = response.content.decode()
    return response.status_code == 200 and "保密" in content and "承诺" in content


def test_statement_names_the_programme_and_the_principles(unpledged):
    programme = unpledged[0]
    text = pledge_statement(programme)
    assert programme.title in text
    for words in ("客观、公平、公正", "回避", "不泄露评价过程中的情况和未经批准的评价中间结果"):
        assert words in text


def test_every_expert_page_answers_with_the_pledge_until_accepted(client, unpledged):
    programme, expert, assignment = unpledged
    client.force_login(expert.user)
    for url in expert_pages(programme, assignment):
        response = client.get(url)
        assert is_pledge_page(response), url
        assert assignment.application.project_name not in response.content.decode(), url
    # a POST is not carried out either
    client.post(reverse("scoring:conflict_declare", args=[assignment.pk]), {"reason": "x"})
    assert not ConflictOfInterest.objects.exists()
    mine = reverse("scoring:expert_programme", args=[programme.pk])
    assert reverse("scoring:pledge_accept", args=[programme.pk]) in client.get(mine).content.decode()


def test_accepting_records_the_time_and_text_and_opens_the_pages(client, unpledged):
    programme, expert, assignment = unpledged
    client.force_login(expert.user)
    target = reverse("scoring:expert_programme", args=[programme.pk])
    before = timezone.now()
    response = client.post(reverse("scoring:pledge_accept", args=[programme.pk]), {"agree": "1", "next": target})
    assert response.status_code == 302 and response["Location"] == target
    pledge = ConfidentialityPledge.objects.get(expert=expert, programme=programme)
    assert before - datetime.timedelta(seconds=1) <= pledge.accepted_at <= timezone.now()
    assert programme.title in pledge.statement
    assert AuditEntry.objects.filter(action="pledge.accept", object_id=str(pledge.pk)).exists()
    page = client.get(target).content.decode()
    assert assignment.application.project_name in page
    shown = client.get(reverse("scoring:pledge", args=[programme.pk])).content.decode()
    assert "data-pledge-accepted" in shown
    assert timezone.localtime(pledge.accepted_at).strftime("%Y-%m-%d %H:%M") in shown


def test_accepting_needs_the_box_ticked_and_ignores_a_foreign_next(client, unpledged):
    programme, expert, _assignment = unpledged
    client.force_login(expert.user)
    client.post(reverse("scoring:pledge_accept", args=[programme.pk]), {"next": "/"})
    assert not ConfidentialityPledge.objects.exists()
    response = client.post(reverse("scoring:pledge_accept", args=[programme.pk]),
                           {"agree": "1", "next": "https://evil.example/steal"})
    assert response["Location"] == reverse("scoring:expert_programme", args=[programme.pk])


def test_the_pledge_is_per_programme_and_idempotent(unpledged):
    programme, expert, _assignment = unpledged
    other = reviewing_programme()
    assign(expert, reviewable(other), pledge=False)
    first = accept_pledge(expert.user, programme)
    assert accept_pledge(expert.user, programme).pk == first.pk
    assert not ConfidentialityPledge.objects.filter(programme=other).exists()


def test_only_experts_and_only_while_under_review(unpledged, applicant):
    programme, expert, _assignment = unpledged
    with pytest.raises(PermissionDenied):
        accept_pledge(applicant, programme)
    programme.status = ProgrammeStatus.PUBLISHED
    programme.save()
    with pytest.raises(PermissionDenied):
        accept_pledge(expert.user, programme)


def test_pledge_page_is_404_without_an_assignment_in_the_programme(client, unpledged):
    programme = unpledged[0]
    client.force_login(expert_for().user)
    assert client.get(reverse("scoring:pledge", args=[programme.pk])).status_code == 404
    assert client.post(reverse("scoring:pledge_accept", args=[programme.pk]), {"agree": "1"}).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("scoring:expert_home")).status_code == 404


def test_expert_home_shows_pledge_status_and_hides_counts_before_it(client, unpledged):
    programme, expert, _assignment = unpledged
    client.force_login(expert.user)
    row = client.get(reverse("scoring:expert_home")).context["rows"][0]
    assert row["accepted_at"] is None and row["total"] == 0
    accept_pledge(expert.user, programme)
    row = client.get(reverse("scoring:expert_home")).context["rows"][0]
    assert row["accepted_at"] is not None and (row["done"], row["total"]) == (0, 1)
