"""The ranking's figures and table are computed once per change and kept, never shown stale: each
change of the scores (save, reopen, discard), of the tiers or settings, or of a name shown is seen
on the very next page load, whether it went through a service or straight to the database."""

import pytest
from django.urls import reverse

from awards.services import determination, ranking
from awards.services import scores as score_service
from awards.views import determination as views
from scoring.models import AssignmentStatus
from scoring.services.recusal import end_assignment
from scoring.services.scores import reopen_score
from tests.factories import ExpertProfileFactory, b1_programme, give_score, scored_programme
from tests.scoring.test_scoring_scores import B1_TOP_MINIMA, Sheet, b1  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_kept():
    ranking._KEPT.clear()
    views._TABLES.clear()


@pytest.fixture
def loads(monkeypatch):
    """How many times the figures were computed from the scores."""
    calls = []
    real = score_service.load
    monkeypatch.setattr(score_service, "load", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def _page(client, programme) -> str:
    response = client.get(reverse("awards:ranking", args=[programme.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_saved_score_is_on_the_next_page_load(client, administrator, b1, loads):  # noqa: F811
    sheet = Sheet(administrator, b1)
    sheet.save(sheet.full(), submit=True)
    client.force_login(administrator)
    assert f"{B1_TOP_MINIMA:.2f}" in _page(client, sheet.programme)
    assert f"{B1_TOP_MINIMA:.2f}" in _page(client, sheet.programme)
    assert len(loads) == 1  # the second load used the kept figures

    score = reopen_score(administrator, sheet.assignment.score, reason="请复核")
    page = _page(client, sheet.programme)
    assert f"{B1_TOP_MINIMA:.2f}" not in page  # a reopened sheet no longer counts

    sheet.save(sheet.full(**{"1.1": sheet.item("1.1", 8)}), version=score.lock_version, submit=True)
    page = _page(client, sheet.programme)
    assert f"{B1_TOP_MINIMA + 1:.2f}" in page and f"{B1_TOP_MINIMA:.2f}" not in page
    assert len(loads) == 3


def test_a_discarded_score_leaves_the_figures(client, administrator, b1):  # noqa: F811
    sheet = Sheet(administrator, b1)
    sheet.save(sheet.full(), submit=True)
    client.force_login(administrator)
    assert f"{B1_TOP_MINIMA:.2f}" in _page(client, sheet.programme)
    end_assignment(administrator, sheet.assignment, status=AssignmentStatus.RECUSED, reason="回避")
    assert f"{B1_TOP_MINIMA:.2f}" not in _page(client, sheet.programme)


def test_writes_that_bypass_the_services_are_seen_too(client, administrator, organiser, loads):
    programme, (app,), experts = scored_programme([[80, 70]], programme=b1_programme(organiser=organiser))
    client.force_login(administrator)
    assert "75.00" in _page(client, programme)
    give_score(app, ExpertProfileFactory(), 90)  # straight to the database, no audit row
    assert "80.00" in _page(client, programme)
    app.organisation.name = "改名后的申报单位"
    app.organisation.save()
    assert "改名后的申报单位" in _page(client, programme)
    assert len(loads) == 3


def test_tiers_and_settings_are_seen_on_the_next_load(client, administrator, organiser):
    programme, apps, _e = scored_programme([[90, 88], [70, 72]], programme=b1_programme(organiser=organiser))
    client.force_login(administrator)
    _page(client, programme)
    determination.override_tier(administrator, apps[1], "first", "答辩表现突出")
    page = _page(client, programme)
    assert "答辩表现突出" in page
    assert ranking.build(programme).counts()["first"] == 2
    determination.update_settings(administrator, programme, {"tier_method": "counts", "first_value": 0,
                                                             "second_value": 2, "third_value": 0})
    result = ranking.build(programme)
    assert [r.proposed for r in result.rows] == ["second", "second"]
    assert "二等奖" in _page(client, programme).split("排名与拟定等级")[1]
