"""Determination from the database: counted scores only, tie rule, tiers, overrides with a reason, approval."""

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.models import Award, TierOverride
from awards.services import determination, ranking
from awards.services.scores import load, settings_for
from portal.models import AuditEntry
from portal.services.errors import DomainError, PermissionDenied
from tests.factories import ExpertProfileFactory, ScoredApplicationFactory, b1_programme, give_score, scored_programme

pytestmark = pytest.mark.django_db

SEC1 = {"1.1": 10, "1.2": 10}
SEC2_35 = {"2.1": 11, "2.2": 8, "2.3": 8, "2.4": 8}
SEC3_25 = {"3.1": 7, "3.2": 7, "3.3": 4, "3.4": 7}


def test_recused_removed_and_draft_scores_never_count(organiser):
    programme = b1_programme(organiser=organiser)
    application = ScoredApplicationFactory(programme=programme)
    e = ExpertProfileFactory.create_batch(5)
    give_score(application, e[0], 80)
    give_score(application, e[1], 90)
    give_score(application, e[2], 10, assignment_status="recused")
    give_score(application, e[3], 0, assignment_status="removed")
    give_score(application, e[4], 20, status="draft")
    (scores,) = load(programme).applications
    assert scores.total.n == 2 and scores.total.mean == 85 and scores.total.spread == 10
    assert sorted(s.expert_id for s in scores.scores) == [e[0].pk, e[1].pk]
    assert set(load(programme).experts) == {e[0].pk, e[1].pk}


def test_per_criterion_and_section_aggregates(organiser):
    programme, (app,), experts = scored_programme([[80, 70]], programme=b1_programme(organiser=organiser))
    data = load(programme)
    (scores,) = data.applications
    assert [round(s.mean, 1) for s in scores.sections] == [15.0, 33.8, 26.2]
    first = data.criteria[0]
    assert scores.criteria[first.pk].n == 2 and scores.criteria[first.pk].mean == pytest.approx(7.5)


def test_tie_rule_orders_by_section_two_then_three_then_submission(organiser):
    programme = b1_programme(organiser=organiser)
    expert = ExpertProfileFactory()
    t0, day = timezone.now(), timezone.timedelta(days=1)
    sheets = {
        "x": ({**SEC1, **SEC2_35, **SEC3_25}, t0),  # 80 = 20 + 35 + 25
        "w": ({**SEC1, **SEC2_35, **SEC3_25}, t0 + timezone.timedelta(hours=1)),  # same, submitted later
        "y": ({"1.1": 8, "1.2": 7, "2.1": 13, "2.2": 9, "2.3": 9, "2.4": 9, **SEC3_25}, t0 + 2 * day),
        "z": ({"1.1": 8, "1.2": 7, **SEC2_35, "3.1": 8, "3.2": 8, "3.3": 5, "3.4": 9}, t0 + 3 * day),
    }
    apps = {}
    for key, (points, submitted) in sheets.items():
        apps[key] = ScoredApplicationFactory(programme=programme, project_name=key, submitted_at=submitted)
        give_score(apps[key], expert, points=points)
    rows = ranking.build(programme).rows
    assert {r.statistic for r in rows} == {80}
    assert [r.application.project_name for r in rows] == ["y", "z", "x", "w"]
    assert [r.rank for r in rows] == [1, 2, 3, 4]


TABLE = [[95 - 5 * i] * 3 for i in range(10)]  # 95, 90, …, 50 — three experts agree


@pytest.mark.parametrize(
    ("method", "values", "expected"),
    [
        ("counts", (1, 2, 3), ["first"] + ["second"] * 2 + ["third"] * 3 + ["none"] * 4),
        ("percentages", (10, 20, 30), ["first"] + ["second"] * 2 + ["third"] * 3 + ["none"] * 4),
        ("thresholds", (90, 80, 70), ["first"] * 2 + ["second"] * 2 + ["third"] * 2 + ["none"] * 4),
    ],
)
def test_quotas_and_thresholds_give_the_expected_tiers(organiser, administrator, method, values, expected):
    programme, apps, _experts = scored_programme(TABLE, programme=b1_programme(organiser=organiser))
    determination.update_settings(administrator, programme, {
        "tier_method": method, "first_value": values[0], "second_value": values[1], "third_value": values[2]})
    rows = ranking.build(programme).rows
    assert [r.application.pk for r in rows] == [a.pk for a in apps]
    assert [r.tier for r in rows] == expected


def test_override_needs_a_reason_and_is_audited_and_shown(client, organiser, administrator):
    programme, apps, _experts = scored_programme(TABLE[:4], programme=b1_programme(organiser=organiser))
    determination.update_settings(administrator, programme, {"first_value": 1, "second_value": 1, "third_value": 1})
    last = apps[-1]
    for reason in ("", "   "):
        with pytest.raises(DomainError):
            determination.override_tier(administrator, last, "third", reason)
    assert not TierOverride.objects.exists() and not AuditEntry.objects.filter(action="awards.override").exists()
    client.force_login(administrator)
    refused = client.post(reverse("awards:override", args=[programme.pk, last.pk]), {"tier": "third", "reason": ""})
    assert refused.status_code == 302 and not TierOverride.objects.exists()

    determination.override_tier(administrator, last, "first", "现场答辩表现突出，经评定会议讨论调整。")
    entry = AuditEntry.objects.get(action="awards.override")
    assert entry.note == "现场答辩表现突出，经评定会议讨论调整。" and entry.changes == {"tier": ["none", "first"]}
    row = next(r for r in ranking.build(programme).rows if r.application == last)
    assert (row.proposed, row.tier) == ("none", "first")
    page = client.get(reverse("awards:ranking", args=[programme.pk])).content.decode()
    assert "现场答辩表现突出" in page

    determination.clear_override(administrator, last, "恢复")
    assert not TierOverride.objects.exists() and AuditEntry.objects.filter(action="awards.override_clear").exists()


def test_approval_freezes_awards_and_locks_tiers(organiser, administrator):
    programme, apps, _experts = scored_programme(TABLE[:5], programme=b1_programme(organiser=organiser))
    determination.update_settings(administrator, programme, {"first_value": 1, "second_value": 1, "third_value": 1})
    determination.approve(administrator, programme)
    awards = {a.application_id: a for a in Award.objects.all()}
    assert [awards[a.pk].tier for a in apps] == ["first", "second", "third", "none", "none"]
    codes = [awards[a.pk].verification_code for a in apps[:3]]
    assert all(len(c) == 12 for c in codes) and len(set(codes)) == 3 and awards[apps[4].pk].verification_code is None
    assert AuditEntry.objects.filter(action="awards.approve").exists()
    with pytest.raises(PermissionDenied):
        determination.override_tier(administrator, apps[4], "first", "理由")
    with pytest.raises(PermissionDenied):
        determination.update_settings(administrator, programme, {"first_value": 2})
    determination.reopen(administrator, programme, "评定会议要求复议")
    determination.override_tier(administrator, apps[4], "third", "复议")
    determination.approve(administrator, programme)
    awards = {a.application_id: a for a in Award.objects.all()}
    assert [awards[a.pk].verification_code for a in apps[:3]] == codes  # codes stay across re-approval
    assert awards[apps[4].pk].tier == "third" and awards[apps[4].pk].override_reason == "复议"


def test_other_organisers_administrator_cannot_determine(organiser, administrator):
    from portal.models.users import Role
    from tests.factories import OrganiserFactory, UserFactory

    programme, apps, _experts = scored_programme(TABLE[:2], programme=b1_programme(organiser=organiser))
    stranger = UserFactory(role=Role.ADMINISTRATOR, organiser=OrganiserFactory())
    with pytest.raises(PermissionDenied):
        determination.override_tier(stranger, apps[0], "none", "理由")
    with pytest.raises(PermissionDenied):
        determination.approve(stranger, programme)
    assert settings_for(programme).tier_method == "counts"


def test_inconsistent_settings_are_refused_in_chinese(organiser, administrator):
    programme = b1_programme(organiser=organiser)
    with pytest.raises(DomainError, match="分数线须依次降低"):
        determination.update_settings(administrator, programme, {
            "tier_method": "thresholds", "first_value": 70, "second_value": 80, "third_value": 60})
    with pytest.raises(DomainError, match="合计不能超过100%"):
        determination.update_settings(administrator, programme, {
            "tier_method": "percentages", "first_value": 50, "second_value": 40, "third_value": 30})
    assert settings_for(programme).tier_method == "counts"


@pytest.mark.django_db
def test_a_too_long_reason_is_refused_with_the_forms_own_message(client, organiser, administrator):
    """"请填写理由" would be wrong for a reason that was given but is too long (bad-input suite)."""
    programme, apps, _experts = scored_programme(TABLE[:2], programme=b1_programme(organiser=organiser))
    client.force_login(administrator)
    response = client.post(reverse("awards:override", args=[programme.pk, apps[-1].pk]),
                           {"tier": "third", "reason": "理" * 1001}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert not TierOverride.objects.exists()
    assert shown and all("请填写理由" not in m for m in shown) and any("1000" in m for m in shown), shown
