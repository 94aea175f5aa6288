"""Score sheet pages: the application beside the form, saving through the view, the conflict
message on a stale save, 404 for everyone but the assigned expert (and the programme's
administrators), the pledge gate, progress and reminders."""

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry, Notification
from scoring.models import Assignment, AssignmentStatus, ConflictOfInterest, Score, ScoreStatus
from scoring.services.rubrics import load_rubric
from tests.factories import (
    EvidenceFactory,
    ExpertProfileFactory,
    OrganisationFactory,
    OrganiserFactory,
    ProjectCategoryFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.scoring.test_scoring_rubrics import B1
from tests.scoring.test_scoring_scores import Sheet


@pytest.fixture
def b1(db):
    return load_rubric(B1)


@pytest.fixture
def sheet(administrator, b1):
    return Sheet(administrator, b1)


def sheet_url(assignment):
    return reverse("scoring:score_sheet", args=[assignment.pk])


def form_data(items, *, version=0, comment="", action="save") -> dict:
    data = {"lock_version": version, "overall_comment": comment, "action": action}
    for item in items:
        prefix = f"c{item.criterion_id}"
        data[f"{prefix}_band"] = item.band_id or ""
        data[f"{prefix}_points"] = "" if item.points is None else str(item.points)
        data[f"{prefix}_comment"] = item.comment
        if item.bonus_level_id or item.no_bonus:
            data[f"{prefix}_level"] = item.bonus_level_id or "none"
    return data


@pytest.mark.django_db
def test_the_sheet_shows_the_application_evidence_and_suggestions_without_filling_them_in(client, sheet):
    app = sheet.application
    app.sales_before, app.sales_after, app.effect_direct = D("1200.00"), D("1380.00"), "销售额增长15%。"
    app.save()
    evidence = EvidenceFactory(application=app, original_name="检测报告.pdf")
    client.force_login(sheet.user)
    response = client.get(sheet_url(sheet.assignment))
    html = response.content.decode()
    assert response.status_code == 200
    assert app.project_name in html and "销售额增长15%。" in html
    assert reverse("applications:evidence_download", args=[evidence.pk]) in html and "检测报告.pdf" in html
    assert "销售额 1200.00 → 1380.00 万元，增长 15.0%" in html
    suggested = sheet.item("3.1", band=(7, 10)).band_id
    assert f'data-score-apply-band="{suggested}"' in html
    assert not re.search(r'name="c\d+_band"[^>]*value="\d+"[^>]*checked', html.replace("\n", " "))  # nothing ticked
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html


# The sheet as the expert opens it, after a first request (content types, unread count, the rubric
# memo): session, user, expert profile, the assignment with its application, programme, rubric link,
# category and score (one query, which also applies the pledge and conflicts), the score's items, the joint
# applicants, the team and the evidence.
SHEET_QUERIES = 8


@pytest.mark.django_db
def test_the_sheet_reads_a_fixed_number_of_queries(client, sheet, django_assert_max_num_queries):
    """More criteria, items, team members or evidence do not add queries; nor does saving add any
    beyond its own (the rubric is read once per programme link, then kept: scoring.services.scores)."""
    sheet.save(sheet.full(**{"1.1": sheet.item("1.1", 3, "最低档评语")}))
    EvidenceFactory.create_batch(3, application=sheet.application)
    TeamMemberFactory.create_batch(3, application=sheet.application)
    sheet.application.joint_applicants.add(OrganisationFactory(), OrganisationFactory())
    sheet.application.category = ProjectCategoryFactory(name="高端装备")  # read with the assignment
    sheet.application.save(update_fields=["category"])
    client.force_login(sheet.user)
    url = sheet_url(sheet.assignment)
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(SHEET_QUERIES):
        html = client.get(url).content.decode()
    assert "最低档评语" in html and html.count('name="c') > 20 and html.count("bi-paperclip") == 3
    assert '<dd class="col-8">高端装备</dd>' in html
    # A save: the look-up, then save_score (locked read with the pledge and conflicts, the score, the
    # rubric link, the stored items, the changes, the audit row), with no rubric rows read again.
    data = form_data(sheet.full(), version=Score.objects.get().lock_version)
    with django_assert_max_num_queries(SHEET_QUERIES + 6):
        assert client.post(url, data).status_code == 302


@pytest.mark.django_db
def test_saving_and_submitting_through_the_view(client, sheet):
    client.force_login(sheet.user)
    data = form_data([sheet.item("1.1", 9, "明显提升")]) | {"total": "100"}
    response = client.post(sheet_url(sheet.assignment), data)
    assert response.status_code == 302
    score = Score.objects.get()
    assert score.total == D(9) and score.status == ScoreStatus.DRAFT  # the posted "total" is ignored
    response = client.post(sheet_url(sheet.assignment), form_data(sheet.full(), version=1, action="submit"))
    assert response.status_code == 302
    assert Score.objects.get().status == ScoreStatus.SUBMITTED
    html = client.get(sheet_url(sheet.assignment)).content.decode()
    assert "data-score-form" not in html and "已提交" in html  # read-only once submitted


@pytest.mark.django_db
def test_an_out_of_band_value_is_shown_back_with_the_error(client, sheet):
    client.force_login(sheet.user)
    item = sheet.item("1.1", band=(7, 10))
    item.points = D(5)
    response = client.post(sheet_url(sheet.assignment), form_data([item], comment="保留的总体评价"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "得分须在所选分档 7–10 分之内" in html and "保留的总体评价" in html
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_a_stale_save_is_refused_with_the_typed_values_kept(client, sheet):
    sheet.save([sheet.item("1.1", 9)], comment="另一窗口保存的评价")
    client.force_login(sheet.user)
    data = form_data([sheet.item("1.1", 7, "我刚写的评语")], version=0, comment="我刚写的总体评价")
    response = client.post(sheet_url(sheet.assignment), data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "本次未保存" in html and "我刚写的评语" in html and "我刚写的总体评价" in html
    assert "另一窗口保存的评价" in html  # the stored version beside it
    assert re.search(r'name="lock_version" value="1"', html)  # saving again is a deliberate choice
    stored = Score.objects.get()
    assert (stored.total, stored.overall_comment, stored.lock_version) == (D(9), "另一窗口保存的评价", 1)


@pytest.mark.django_db
def test_a_version_for_a_sheet_never_saved_is_a_conflict_not_an_error(client, sheet):
    """A replayed or forged lock version (3) against a sheet with no stored score yet."""
    client.force_login(sheet.user)
    data = form_data([sheet.item("1.1", 7, "我刚写的评语")], version=3, comment="我刚写的总体评价")
    response = client.post(sheet_url(sheet.assignment), data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "本次未保存" in html and "我刚写的评语" in html and "我刚写的总体评价" in html
    assert re.search(r'name="lock_version" value="0"', html)
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_an_expert_never_sees_another_experts_score(client, sheet):
    other = ExpertProfileFactory()
    other_assignment = sheet.assign(other)
    Score.objects.create(assignment=other_assignment, status=ScoreStatus.SUBMITTED, total=D("88.0"),
                         overall_comment="乙专家独有的评语")
    client.force_login(sheet.user)
    assert client.get(sheet_url(other_assignment)).status_code == 404
    assert client.post(sheet_url(other_assignment), form_data([])).status_code == 404
    other_score = other_assignment.score
    assert client.post(reverse("scoring:score_reopen", args=[other_score.pk]), {"reason": "x"}).status_code == 404
    reachable = [sheet_url(sheet.assignment), reverse("dashboard"), reverse("scoring:defence_mine"),
                 reverse("notifications"), reverse("programme_detail", args=[sheet.programme.pk]),
                 reverse("scoring:expert_home"), reverse("scoring:expert_programme", args=[sheet.programme.pk])]
    for url in reachable:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "乙专家独有的评语" not in response.content.decode() and "88.0" not in response.content.decode()
    assert client.get(reverse("scoring:scoring_progress", args=[sheet.programme.pk])).status_code == 404
    assert Score.objects.get(pk=other_score.pk).status == ScoreStatus.SUBMITTED


@pytest.mark.django_db
def test_unassigned_recused_conflicted_and_other_roles_get_404(client, sheet, applicant, recommender):
    url = sheet_url(sheet.assignment)
    for person in (ExpertProfileFactory().user, applicant, recommender):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(sheet.user)
    conflict = ConflictOfInterest.objects.create(expert=sheet.expert, application=sheet.application,
                                                 source="administrator", reason="同一集团")
    assert client.get(url).status_code == 404
    assert client.post(url, form_data([sheet.item("1.1", 8)])).status_code == 404
    conflict.delete()
    Assignment.objects.filter(pk=sheet.assignment.pk).update(status=AssignmentStatus.RECUSED)
    assert client.get(url).status_code == 404
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_the_pledge_gate_answers_before_the_sheet(client, administrator, b1):
    unpledged = Sheet(administrator, b1, pledged=False)
    client.force_login(unpledged.user)
    for response in (client.get(sheet_url(unpledged.assignment)),
                     client.post(sheet_url(unpledged.assignment), form_data([unpledged.item("1.1", 8)]))):
        html = response.content.decode()
        assert "保密" in html and unpledged.programme.title in html
        assert unpledged.application.project_name not in html and "data-score-form" not in html
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_after_the_deadline_the_sheet_is_read_only_and_posts_are_refused(client, administrator, b1):
    late = Sheet(administrator, b1, scoring_deadline=timezone.now() - timedelta(hours=1))
    client.force_login(late.user)
    html = client.get(sheet_url(late.assignment)).content.decode()
    assert "评分已于" in html and "data-score-form" not in html
    response = client.post(sheet_url(late.assignment), form_data([late.item("1.1", 8)]))
    assert response.status_code == 403 and not Score.objects.exists()


@pytest.mark.django_db
def test_the_administrator_reads_the_sheet_and_reopens_it(client, sheet, administrator):
    sheet.save(sheet.full(), submit=True)
    score = Score.objects.get()
    client.force_login(administrator)
    html = client.get(sheet_url(sheet.assignment)).content.decode()
    assert "退回修改" in html and "data-score-form" not in html
    response = client.post(sheet_url(sheet.assignment), form_data(sheet.full(), version=2))
    assert response.status_code == 403  # administrators do not score
    response = client.post(reverse("scoring:score_reopen", args=[score.pk]), {"reason": "请补充评语"})
    assert response.status_code == 302 and Score.objects.get().status == ScoreStatus.DRAFT
    assert AuditEntry.objects.filter(action="score.reopen", note="请补充评语").exists()
    client.force_login(UserFactory(role="administrator", organiser=OrganiserFactory()))
    assert client.get(sheet_url(sheet.assignment)).status_code == 404


@pytest.mark.django_db
def test_progress_and_reminders(client, sheet, administrator, django_capture_on_commit_callbacks):
    done = ExpertProfileFactory()
    Score.objects.create(assignment=sheet.assign(done), status=ScoreStatus.SUBMITTED, total=D(80))
    url = reverse("scoring:scoring_progress", args=[sheet.programme.pk])
    client.force_login(administrator)
    html = client.get(url).content.decode()
    assert "已提交 1 / 2 份评分（50%）" in html and sheet_url(sheet.assignment) in html
    assert re.search(r">\s*1 / 1\s*<", html) and re.search(r">\s*0 / 1\s*<", html)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scoring:scoring_remind", args=[sheet.programme.pk]))
    assert response.status_code == 302
    assert list(Notification.objects.filter(subject__startswith="评分提醒").values_list("recipient", flat=True)) == [
        sheet.user.pk]
    assert [m.to for m in mail.outbox] == [[sheet.user.email]] and "1 项评分尚未提交" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="assignment.remind", actor=administrator).count() == 1
    client.force_login(sheet.user)
    assert client.get(url).status_code == 404
    assert client.post(reverse("scoring:scoring_remind", args=[sheet.programme.pk])).status_code == 404
