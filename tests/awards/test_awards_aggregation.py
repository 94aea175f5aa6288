"""Aggregation and tier rules as pure functions, on hand-computed cases."""

import math
from datetime import datetime, timedelta

import pytest

from awards import aggregation as agg
from awards import tiers


def test_five_scores_hand_computed():
    s = agg.summarise([90, 70, 85, 95, 80], trim_min=5)
    assert (s.n, s.mean, s.median, s.spread, s.low, s.high) == (5, 84, 85, 25, 70, 95)
    assert s.trimmed and s.trimmed_mean == 85  # (80 + 85 + 90) / 3: exactly the threshold, so trimmed
    assert s.sd == pytest.approx(math.sqrt(370 / 5))  # population SD: 8.6023…


def test_one_score_fewer_than_the_threshold_is_not_trimmed():
    s = agg.summarise([90, 70, 85, 80], trim_min=5)
    assert not s.trimmed and s.trimmed_mean == s.mean == 81.25
    assert s.median == 82.5 and s.sd == pytest.approx(math.sqrt(218.75 / 4))
    assert agg.summarise([90, 70, 85, 80], trim_min=4).trimmed_mean == 82.5  # threshold is configurable


def test_edge_cases():
    assert agg.summarise([]) == agg.EMPTY
    one = agg.summarise([77.5])
    assert (one.mean, one.median, one.trimmed_mean, one.sd, one.spread) == (77.5, 77.5, 77.5, 0, 0)
    assert agg.trimmed_mean([1, 2], trim_min=0) == 1.5  # never trims fewer than three scores


def _biased_panel(experts: int, offset: float):
    """Every expert scores each application at its base, except expert 0 who adds ``offset``."""
    bases = [60, 70, 75, 80, 85, 90]
    return {(a, e): b + (offset if e == 0 else 0) for a, b in enumerate(bases) for e in range(experts)}


def test_an_expert_who_scores_high_is_flagged_by_z_score():
    result = agg.expert_bias(_biased_panel(6, 12))
    assert result[0].bias == pytest.approx(12) and result[1].bias == pytest.approx(-2.4)
    assert result[0].z == pytest.approx(12 / math.sqrt(28.8)) and result[0].flagged and result[0].direction == "high"
    assert not any(result[e].flagged for e in range(1, 6))
    low = agg.expert_bias(_biased_panel(6, -12))
    assert low[0].flagged and low[0].direction == "low"


def test_bias_needs_three_experts_and_a_threshold():
    assert agg.expert_bias(_biased_panel(2, 12))[0].z is None
    assert not agg.expert_bias(_biased_panel(6, 12), z_threshold=3)[0].flagged


def test_normalisation_removes_an_expert_offset_and_is_reported_separately():
    totals = _biased_panel(6, 12)
    result = agg.normalise(totals)
    bases = [60, 70, 75, 80, 85, 90]
    centre, sd = agg.mean(bases), agg.population_sd(bases)
    for a, base in enumerate(bases):
        z, _points = result[a]
        assert z == pytest.approx((base - centre) / sd)
    raw = agg.mean(t for t in totals.values())
    grand_sd = agg.population_sd(list(totals.values()))
    assert result[0][1] == pytest.approx(raw + result[0][0] * grand_sd)


def test_tie_rule_section_two_then_three_then_earlier_submission():
    t0 = datetime(2025, 7, 1, 9)
    c = [
        tiers.Candidate("late", 80, (35, 25), t0 + timedelta(hours=1), 1),
        tiers.Candidate("s3", 80, (35, 30), t0 + timedelta(days=3), 2),
        tiers.Candidate("s2", 80, (40, 20), t0 + timedelta(days=5), 3),
        tiers.Candidate("early", 80.0000000001, (35, 25), t0, 4),
        tiers.Candidate("best", 81, (0, 0), None, 5),
    ]
    assert [x.key for x in tiers.rank(c)] == ["best", "s2", "s3", "early", "late"]


@pytest.mark.parametrize(
    ("method", "values", "ranked", "sizes"),
    [
        ("counts", (1, 2, 3), 10, (1, 2, 3)),
        ("counts", (3, 3, 3), 4, (3, 1, 0)),
        ("percentages", (10, 20, 30), 10, (1, 2, 3)),
        ("percentages", (10, 20, 30), 7, (0, 2, 2)),  # ⌊0.7⌋, ⌊2.1⌋ − 0, ⌊4.2⌋ − 2
    ],
)
def test_quota_sizes(method, values, ranked, sizes):
    assert tiers.quota_sizes(method, values, ranked) == sizes


def test_thresholds():
    stats = [95, 90, 85, 80, 75, 70, 65]
    assert tiers.propose(stats, "thresholds", (90, 80, 70)) == [
        "first", "first", "second", "second", "third", "third", "none"]
    assert tiers.propose(stats, "counts", (1, 1, 1)) == ["first", "second", "third"] + ["none"] * 4


def test_a_rubric_may_name_three_tie_break_sections():
    """Any number of tie-break subtotals, compared in the rubric's order (no two fixed slots)."""
    t0 = datetime(2025, 7, 1, 9)
    c = [
        tiers.Candidate("third-decides", 80, (30, 20, 9), t0, 1),
        tiers.Candidate("third-wins", 80, (30, 20, 10), t0 + timedelta(days=1), 2),
        tiers.Candidate("first-wins", 80, (31, 0, 0), t0 + timedelta(days=2), 3),
    ]
    assert [x.key for x in tiers.rank(c)] == ["first-wins", "third-wins", "third-decides"]
