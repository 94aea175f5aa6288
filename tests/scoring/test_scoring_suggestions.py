"""Suggested bands for Table B.1 criteria 3.1–3.3: thresholds at, just below and just above each
boundary, for a small/micro and a large organisation, with the arithmetic shown."""

from decimal import Decimal as D

import pytest

from applications.models import Application
from scoring.services.rubrics import load_rubric
from scoring.services.suggestions import (
    LOWEST,
    MIDDLE,
    TOP,
    suggest_direct,
    suggest_green,
    suggest_indirect,
    suggestions_for,
)
from tests.scoring.test_scoring_rubrics import B1, FLAGSHIP


def app(size="large", **figures) -> Application:
    """An unsaved application whose submitted header says ``size`` (organisation_size)."""
    return Application(organisation_snapshot={"size_code": size} if size else {"name": "x"}, **figures)


# ---- 3.2 间接经济效益 ------------------------------------------------------------------------------

SMALL_CASES = [("100", TOP), ("99.99", MIDDLE), ("100.01", TOP), ("20", MIDDLE), ("19.99", LOWEST),
               ("20.01", MIDDLE), ("0", LOWEST)]
LARGE_CASES = [("500", TOP), ("499.99", MIDDLE), ("500.01", TOP), ("100", MIDDLE), ("99.99", LOWEST),
               ("100.01", MIDDLE), ("0", LOWEST)]


@pytest.mark.parametrize(("amount", "position"), SMALL_CASES)
def test_indirect_small_micro_thresholds_100_and_20(amount, position):
    result = suggest_indirect(app("small_micro", energy_after=D(amount), forex_after=D(0)))
    assert result.position == position
    assert f"= {D(amount):.2f} 万元" in result.lines[0]
    assert "小微企业标准：≥100 万元为第一档，≥20 且 <100 万元为第二档，<20 万元为第三档" in result.lines


@pytest.mark.parametrize("size", ["large", "medium"])
@pytest.mark.parametrize(("amount", "position"), LARGE_CASES)
def test_indirect_large_and_medium_thresholds_500_and_100(size, amount, position):
    result = suggest_indirect(app(size, energy_after=D(0), forex_after=D(amount)))
    assert result.position == position
    assert "大中型企业标准：≥500 万元为第一档，≥100 且 <500 万元为第二档，<100 万元为第三档" in result.lines


def test_indirect_adds_cost_saving_and_foreign_exchange_and_shows_after_minus_before():
    result = suggest_indirect(app("small_micro", energy_before=D(10), forex_before=D(20),
                                  energy_after=D("60"), forex_after=D("40")))
    assert result.position == TOP  # the after row: 60 + 40 = 100 ≥ 100
    assert result.lines[0] == "攻关后：节能降耗 60.00 + 创汇节汇 40.00 = 100.00 万元"
    assert result.lines[1] == "攻关前后差额：100.00 − 30.00 = 70.00 万元（按差额计为第二档）"
    assert "请专家判断" in result.note


def test_indirect_needs_the_size_and_an_after_figure():
    assert suggest_indirect(app(None, energy_after=D(900))).position is None
    assert "组织规模" in suggest_indirect(app(None, energy_after=D(900))).note
    blank = suggest_indirect(app("large"))
    assert blank.position is None and not blank.lines
    one = suggest_indirect(app("large", forex_after=D(500)))  # 节能降耗 blank counts as 0
    assert one.position == TOP and "节能降耗 0.00 + 创汇节汇 500.00" in one.lines[0]


# ---- 3.1 直接经济效益 ------------------------------------------------------------------------------

GROWTH_CASES = [("1100", TOP), ("1100.01", TOP), ("1099.99", MIDDLE), ("1050", MIDDLE), ("1050.01", MIDDLE),
                ("1049.99", LOWEST), ("1000.01", LOWEST), ("1000", None), ("900", None)]


@pytest.mark.parametrize(("after", "position"), GROWTH_CASES)
def test_direct_growth_exactly_10_and_5_percent_and_around(after, position):
    result = suggest_direct(app(sales_before=D(1000), sales_after=D(after)))
    assert result.position == position


def test_direct_shows_the_arithmetic():
    result = suggest_direct(app(sales_before=D("1200.00"), sales_after=D("1380.00")))
    assert result.lines == ["销售额 1200.00 → 1380.00 万元，增长 15.0%"]
    assert result.position == TOP


def test_direct_rounded_display_never_hides_an_exact_shortfall():
    result = suggest_direct(app(sales_before=D(1000), sales_after=D("1099.99")))
    assert result.position == MIDDLE
    assert result.lines == ["销售额 1000.00 → 1099.99 万元，增长 10.0%（精确值不足 10%）"]


def test_direct_takes_the_better_of_sales_and_profit():
    result = suggest_direct(app(sales_before=D(1000), sales_after=D(1010),
                                profit_before=D(100), profit_after=D(120)))
    assert result.position == TOP
    assert len(result.lines) == 2 and "利润 100.00 → 120.00 万元，增长 20.0%" in result.lines


def test_direct_before_zero_cannot_be_computed():
    result = suggest_direct(app(sales_before=D(0), sales_after=D(500)))
    assert result.position is None
    assert "攻关前为0，无法计算增长率" in result.lines[0]
    assert "请专家判断" in result.note


def test_direct_loss_turning_smaller_is_growth():
    result = suggest_direct(app(profit_before=D(-100), profit_after=D(-50)))
    assert result.position == TOP and "增长 50.0%" in result.lines[0]


def test_direct_without_figures_says_so():
    result = suggest_direct(app())
    assert result.position is None and not result.lines and "未填写" in result.note


# ---- 3.3 生态效益 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("percent", "position"), [("10", TOP), ("10.01", TOP), ("9.99", MIDDLE), ("5", MIDDLE),
                                                   ("5.01", MIDDLE), ("4.99", LOWEST), ("0", LOWEST)])
def test_green_reduction_thresholds(percent, position):
    result = suggest_green(app(reduction_percent=D(percent), reduction_basis="单位产品能耗"))
    assert result.position == position
    assert result.lines == [f"资源消耗/排放下降 {D(percent)}%（单位产品能耗）"]


def test_green_without_a_percentage_suggests_nothing():
    assert suggest_green(app()).position is None


# ---- bands of the stored rubric -------------------------------------------------------------------


@pytest.mark.django_db
def test_suggestions_name_the_table_b1_bands_and_only_for_table_b1():
    rubric = load_rubric(B1)
    application = app("small_micro", sales_before=D(100), sales_after=D(104), energy_after=D(50),
                      reduction_percent=D(12))
    found = {s.criterion_code: s for s in suggestions_for(application, rubric).values()}
    assert set(found) == {"3.1", "3.2", "3.3"}
    assert (found["3.1"].band.min_points, found["3.1"].band.max_points) == (3, 3)  # slight growth
    assert (found["3.2"].band.min_points, found["3.2"].band.max_points) == (4, 6)  # 50 万元, small/micro
    assert (found["3.3"].band.min_points, found["3.3"].band.max_points) == (4, 5)
    assert all(s.band.criterion.code == s.criterion_code for s in found.values())
    assert suggestions_for(application, load_rubric(FLAGSHIP)) == {}
