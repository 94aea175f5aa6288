"""Determination dead ends (issue 13): under-scored applications are named before approval, which then
needs "仍然批准"; a tier rule sized to the programme is proposed; the default no longer crowns 53 points."""

import random
import re

import pytest
from django.urls import reverse

from awards import tiers
from awards.models import Award
from awards.services import determination, ranking
from awards.services.scores import settings_for
from awards.services.tier_proposal import propose_rule
from portal.models import AuditEntry
from portal.services.errors import DomainError
from tests.factories import (
    ExpertProfileFactory,
    ScoredApplicationFactory,
    b1_programme,
    give_score,
    scored_programme,
)

pytestmark = pytest.mark.django_db


def _short_programme(organiser):
    """Three experts per application configured: 甲 has 3 scores, 乙 2 (plus a draft), 丙 1."""
    programme = b1_programme(organiser=organiser, experts_per_application=3)
    programme, apps, experts = scored_programme([[90, 88, 92], [80, 82], [70]], programme=programme)
    for app, name in zip(apps, ("甲项目", "乙项目", "丙项目"), strict=True):
        app.project_name = name
        app.save(update_fields=["project_name"])
    give_score(apps[1], experts[2], 60, status="draft")  # a draft does not count
    return programme, apps


def _page(client, programme):
    return client.get(reverse("awards:ranking", args=[programme.pk]))


def test_under_scored_applications_are_listed_on_the_ranking_page(client, organiser, administrator):
    programme, apps = _short_programme(organiser)
    found = determination.under_scored(programme)
    assert [(u.application.project_name, u.counted) for u in found] == [("丙项目", 1), ("乙项目", 2)]
    client.force_login(administrator)
    page = _page(client, programme).content.decode()
    warning = page[page.index('id="under-scored"'):]
    warning = warning[:warning.index("</div>")]
    assert "2 个项目的有效评分少于每项 3 份" in warning
    assert warning.index("《丙项目》") < warning.index("《乙项目》") and "甲项目" not in warning
    assert "（1 份）" in warning and "（2 份）" in warning
    assert reverse("scoring:scoring_progress", args=[programme.pk]) in warning
    assert reverse("awards:application_scores", args=[programme.pk, apps[2].pk]) in warning
    # The approval form asks for the confirmation.
    assert 'name="confirm_under_scored"' in page and "仍然批准" in page


def test_a_fully_scored_programme_shows_no_warning(client, organiser, administrator):
    programme = b1_programme(organiser=organiser, experts_per_application=2)
    scored_programme([[90, 88], [80, 82]], programme=programme)
    assert determination.under_scored(programme) == []
    client.force_login(administrator)
    page = _page(client, programme).content.decode()
    assert 'id="under-scored"' not in page and 'name="confirm_under_scored"' not in page


def test_approval_is_refused_without_confirmation_and_allowed_with_it(client, organiser, administrator):
    programme, _apps = _short_programme(organiser)
    with pytest.raises(DomainError, match="2 个项目的有效评分少于每项 3 份：《丙项目》（1 份）、《乙项目》（2 份）"):
        determination.approve(administrator, programme, confirm_under_scored=False)
    client.force_login(administrator)
    url = reverse("awards:approve", args=[programme.pk])
    refused = client.post(url, {"note": "评定会议"}, follow=True)
    shown = [str(m) for m in refused.context["messages"]]
    assert any("《丙项目》（1 份）" in m and "仍然批准" in m for m in shown), shown
    assert not Award.objects.exists() and not AuditEntry.objects.filter(action="awards.approve").exists()

    client.post(url, {"confirm_under_scored": "1", "note": "评定会议"})
    assert Award.objects.filter(programme=programme).count() == 3
    entry = AuditEntry.objects.get(action="awards.approve")
    assert entry.note == "评定会议" and entry.changes["unsubmitted"] == [None, 3]  # (3 − 1) + (3 − 2)
    assert entry.actor == administrator


def test_a_fully_scored_programme_needs_no_confirmation(organiser, administrator):
    programme = b1_programme(organiser=organiser, experts_per_application=2)
    scored_programme([[90, 88], [80, 82]], programme=programme)
    determination.approve(administrator, programme, confirm_under_scored=False)
    assert "unsubmitted" not in AuditEntry.objects.get(action="awards.approve").changes


def test_the_default_no_longer_gives_first_prize_to_53_points_in_a_small_programme(organiser):
    programme = b1_programme(organiser=organiser, experts_per_application=3)
    programme, apps, _experts = scored_programme([[53, 53, 53], [50, 51, 49], [45, 45, 45]], programme=programme)
    settings = settings_for(programme)
    assert (settings.tier_method, tuple(int(v) for v in settings.tier_values)) == ("counts", (5, 10, 25))
    rows = ranking.build(programme).rows
    assert rows[0].application == apps[0] and rows[0].statistic == pytest.approx(53)
    assert [r.tier for r in rows] == ["none", "none", "none"]
    # … and the proposal gives no place either, saying why.
    proposal = propose_rule([53, 50, 45])
    assert proposal.values == (0, 0, 0)
    reasons = " ".join(proposal.reasons())
    assert "少于 10 个，不设一等奖" in reasons and "不低于 60 分的只有 0 项" in reasons


def test_pass_mark_keeps_quotas_as_maxima():
    assert tiers.propose([95, 70, 61, 59.9, 40], "counts", (1, 1, 5)) == ["first", "second", "third", "none", "none"]
    assert tiers.propose([58], "percentages", (100, 0, 0)) == ["none"]
    assert tiers.propose([58], "thresholds", (50, 40, 30)) == ["first"]  # lines the organiser set stand


def test_proposal_for_a_small_programme():
    proposal = propose_rule([88, 80, 70])
    assert proposal.ranked == 3 and proposal.values == (0, 0, 1)
    reasons = proposal.reasons()
    assert reasons[0].startswith("本批次有 3 个项目参与排名")
    assert "少于 10 个，不设一等奖" in reasons[1] and "少于 5 个，不设二等奖" in reasons[2]
    assert reasons[3] == "三等奖：按约 25% 计 1 项；其余项目中不低于 60 分的有 3 项，建议 1 项。"
    assert propose_rule([]).values == (0, 0, 0) and "暂无建议" in propose_rule([]).reasons()[0]


def test_proposal_for_a_large_programme():
    strong = [99 - 0.5 * i for i in range(100)]  # 99 … 49.5
    assert propose_rule(strong).values == (5, 10, 25)
    weak = [80 - 0.5 * i for i in range(40)]  # nobody reaches 85
    proposal = propose_rule(weak)
    assert proposal.values == (0, 4, 10)  # 一等奖 2 by share but none ≥ 85; 二等奖 4 and 三等奖 10 by share
    assert "一等奖：按约 5% 计 2 项，但其余项目中不低于 85 分的只有 0 项，建议 0 项。" in proposal.reasons()


def test_the_proposed_counts_give_exactly_the_tiers_the_floors_allow():
    rng = random.Random(13)
    for _n in range(200):
        stats = sorted((round(rng.uniform(40, 100), 1) for _i in range(rng.randint(1, 120))), reverse=True)
        proposal = propose_rule(stats)
        given = tiers.propose(stats, "counts", proposal.values)
        assert tuple(given.count(t) for t in tiers.TIERS) == proposal.values
        floors = {tiers.FIRST: 85, tiers.SECOND: 75, tiers.THIRD: 60}
        assert all(s >= floors[t] for s, t in zip(stats, given, strict=True) if t != tiers.NONE)


def test_proposal_is_shown_and_adopted_through_the_settings(client, organiser, administrator):
    table = [[95 - 2 * i] * 2 for i in range(12)]  # 95, 93, …, 73
    programme = b1_programme(organiser=organiser, experts_per_application=2)
    scored_programme(table, programme=programme, experts=ExpertProfileFactory.create_batch(2))
    client.force_login(administrator)
    response = _page(client, programme)
    page = response.content.decode()
    assert "建议分档规则" in page and "本批次有 12 个项目参与排名" in page and "采用建议分档规则" in page
    form = page[page.index('id="tier-proposal"'):]
    form = form[:form.index("</form>")]
    posted = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert posted["tier_method"] == "counts"
    assert (posted["first_value"], posted["second_value"], posted["third_value"]) == ("1", "1", "3")
    assert client.post(reverse("awards:settings", args=[programme.pk]), posted).status_code == 302
    settings = settings_for(programme)
    assert settings.tier_method == "counts" and tuple(int(v) for v in settings.tier_values) == (1, 1, 3)
    assert AuditEntry.objects.filter(action="awards.settings").exists()
    assert [r.tier for r in ranking.build(programme).rows][:6] == ["first", "second", "third", "third", "third",
                                                                   "none"]
    again = _page(client, programme).content.decode()
    assert "当前设置与建议一致" in again and "采用建议分档规则" not in again


def test_the_warning_and_the_proposal_are_programme_wide_under_a_filter(client, organiser, administrator):
    programme, apps = _short_programme(organiser)
    client.force_login(administrator)
    url = reverse("awards:ranking", args=[programme.pk])
    page = client.get(url, {"category": apps[0].category_id}).content.decode()  # shows 甲项目 only
    warning = page[page.index('id="under-scored"'):]
    assert "《丙项目》" in warning[:warning.index("</div>")]
    assert "本批次有 3 个项目参与排名" in page


def test_a_reviewable_application_never_assigned_counts_as_under_scored(client, organiser, administrator):
    programme = b1_programme(organiser=organiser, experts_per_application=2)
    scored_programme([[90, 88]], programme=programme)
    forgotten = ScoredApplicationFactory(programme=programme, project_name="漏分配项目")
    ScoredApplicationFactory(programme=programme, project_name="草稿项目", status="draft")
    found = determination.under_scored(programme)
    assert [(u.application, u.counted, u.ranked) for u in found] == [(forgotten, 0, False)]
    client.force_login(administrator)
    page = _page(client, programme).content.decode()
    assert "《漏分配项目》（未分配专家）" in page and "草稿项目" not in page
    with pytest.raises(DomainError, match="《漏分配项目》（0 份）"):
        determination.approve(administrator, programme, confirm_under_scored=False)
