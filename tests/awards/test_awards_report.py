"""The annual report (seed 003) against a hand-computed fixture of a dozen applications."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications.models import Application
from awards.models import Award, Determination
from awards.services import report
from portal import jobs
from portal.models import JobStatus, ProgrammeStatus
from portal.models.organisations import RecommendingUnitKind as Kind
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProjectCategoryFactory,
    RecommendingUnitFactory,
)

pytestmark = pytest.mark.django_db

# channel, category, strategic, level, ownership, size, 专精特新, chokepoint, digital, tier
CURRENT = [
    ("district", "ic", True, "leading", "private", "large", False, True, True, "first"),
    ("district", "ic", True, "leading", "state_owned", "large", False, True, False, "second"),
    ("district", "ic", True, "leading", "private", "large", True, False, False, "second"),
    ("district", "ic", True, "leading", "state_owned", "large", False, False, False, None),
    ("street", "ic", True, "leading", "state_owned", "large", False, False, False, None),
    ("group", "ic", True, "leading", "state_owned", "large", False, True, False, "third"),
    ("group", "eq", True, "leading", "state_owned", "small_micro", True, False, True, "third"),
    ("group", "eq", True, "above_industry", "state_owned", "large", False, False, False, None),
    ("group", "eq", True, "above_industry", "state_owned", "large", False, False, False, None),
    ("association", "eq", False, "above_industry", "state_owned", "large", False, False, False, None),
    ("self", "bio", False, "industry", "private", "small_micro", False, False, False, "third"),
    ("self", "bio", False, "", "state_owned", "medium", False, False, False, None),
]
PREVIOUS = [
    ("district", "ic", True, "leading", "private", "large", False, True, False, "first"),
    ("district", "ic", True, "leading", "state_owned", "large", False, False, False, "third"),
    ("group", "eq", False, "above_industry", "state_owned", "large", False, False, False, None),
    ("group", "eq", False, "industry", "state_owned", "large", False, False, False, None),
]


def _units():
    bureau = RecommendingUnitFactory(kind=Kind.DISTRICT_BUREAU)
    return {"district": bureau, "street": RecommendingUnitFactory(kind=Kind.STREET_TOWN, parent=bureau),
            "group": RecommendingUnitFactory(kind=Kind.GROUP_COMPANY, district=None),
            "association": RecommendingUnitFactory(kind=Kind.INDUSTRY_ASSOCIATION, district=None), "self": None}


def _programme(organiser, year, table, units, *, sales_after, status):
    programme = ProgrammeFactory(organiser=organiser, year=year, status=status)
    names = {"ic": "集成电路", "eq": "高端装备", "bio": "生物医药"}
    categories = {code: ProjectCategoryFactory(code=code, name=name) for code, name in names.items()}
    for n, (channel, cat, strategic, level, ownership, size, specialised, choke, digital, tier) in enumerate(table):
        org = OrganisationFactory(ownership=ownership, size=size, strategic_emerging=strategic,
                                  is_specialised=specialised)
        app = ApplicationFactory(
            programme=programme, organisation=org, status="endorsed", submitted_at=timezone.now(),
            recommender=units[channel], self_declared=channel == "self", category=categories[cat],
            advancement_level=level, is_chokepoint=choke, is_digital=digital,
            sales_before=100, sales_after=sales_after, profit_before=10 if n < 11 else None,
            profit_after=30 if n < 11 else None, energy_after=5 if n < 6 else None,
            forex_before=1000 if n == 0 else None, forex_after=21000 if n == 0 else None,
        )
        if tier:
            Award.objects.create(programme=programme, application=app, tier=tier, proposed_tier=tier,
                                 project_name=app.project_name, organisation_name=org.name,
                                 verification_code=f"CODE{year}{n:04d}")
    ApplicationFactory(programme=programme, status="draft", sales_after=99999)  # drafts never count
    Determination.objects.create(programme=programme, approved_at=timezone.now())
    return programme


@pytest.fixture
def programmes(organiser):
    units = _units()
    previous = _programme(organiser, 2024, PREVIOUS, units, sales_after=110, status=ProgrammeStatus.PUBLISHED)
    current = _programme(organiser, 2025, CURRENT, units, sales_after=150, status=ProgrammeStatus.DETERMINING)
    return current, previous


def test_totals_and_shares_equal_the_hand_computed_figures(programmes, administrator):
    current, previous = programmes
    r = report.build(current, viewer=administrator)
    f = r.figures
    assert r.previous == previous and not r.provisional
    assert f["submissions"].value == 12 and f["submissions"].change == 8
    shares = {k: round(f[f"channel.{k}"].value, 2) for k in ("district", "group", "association", "self")}
    assert shares == {"district": 41.67, "group": 33.33, "association": 8.33, "self": 16.67}
    assert round(f["channel.district"].change, 2) == -8.33  # 5/12 against 2/4
    assert [(x.label, x.detail["count"]) for x in r.group("category")] == [("集成电路", 6), ("高端装备", 4),
                                                                            ("生物医药", 2)]
    assert f["strategic"].value == 75 and f["strategic"].change == 25
    assert round(f["level.leading"].value, 2) == 58.33 and f["level.above_industry"].value == 25
    assert round(f["level.industry"].value, 2) == 8.33
    money = {k: f[f"money.{k}"].value for k in ("sales", "profit", "energy", "forex")}
    assert money == {"sales": 600, "profit": 220, "energy": 30, "forex": 20000}
    assert f["money.forex"].yi == 2 and f["money.sales"].yi == Decimal("0.06") and f["money.sales"].change == 560
    assert f["achievements"].value == 6 and f["achievements"].change == 4
    assert [f[f"tier.{t}"].value for t in ("first", "second", "third")] == [1, 2, 3]
    assert f["share.private"].value == 50 and f["share.private"].change == 0
    assert f["share.private"].detail["tiers"] == {"一等奖": 1, "二等奖": 1, "三等奖": 1}
    assert round(f["share.specialised"].value, 2) == 33.33
    assert f["share.specialised"].detail["tiers"] == {"一等奖": 0, "二等奖": 1, "三等奖": 1}
    assert round(f["share.sme"].value, 2) == 33.33 and f["share.sme"].detail["tiers"]["三等奖"] == 2
    assert f["share.chokepoint"].value == 50 and round(f["share.digital"].value, 2) == 33.33
    assert round(f["share.digital"].change, 2) == 33.33


def test_no_change_without_a_visible_previous_year(programmes, administrator):
    current, previous = programmes
    previous.status = ProgrammeStatus.DETERMINING  # unpublished: the public must not learn it via a change
    previous.save()
    assert report.build(current, viewer=None).previous is None
    assert report.build(current, viewer=administrator).previous == previous


def test_page_has_csp_clean_inline_charts_and_the_pdf_reads(client, programmes, administrator,
                                                           django_capture_on_commit_callbacks):
    current, _previous = programmes
    client.force_login(administrator)
    page = client.get(reverse("awards:report", args=[current.pk])).content.decode()
    assert page.count("<svg") == 2 and "<style" not in page and 'style="' not in page and "<script>" not in page
    assert "图1" in page and "区市场监管局" in page and "2.00" in page  # forex 2 亿元
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(administrator, "awards.report_pdf", {"programme_id": current.pk})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(job.result.read())).pages).replace("\n", "")
    assert "2025" in text and "新增销售额" in text and "区市场监管局" in text


def test_chart_svg_is_cleaned_for_the_csp():
    from awards.services.charts import bar_chart, clean_svg

    dirty = ('<svg xmlns="http://www.w3.org/2000/svg" width="10pt" onload="x()"><style>*{}</style><script>x()</script>'
             '<path style="fill: #fff; stroke-width: 0.8" onclick="y()"/></svg>')
    clean = clean_svg(dirty)
    assert "<style" not in clean and "<script" not in clean and "on" + "load" not in clean and "onclick" not in clean
    assert 'fill="#fff"' in clean and 'stroke-width="0.8"' in clean and 'width="10pt"' not in clean
    chart = bar_chart("t", "图1", ["区市场监管局", "<b>集团</b>"], [3, 1])
    assert "style=" not in chart and "区市场监管局" in chart and "<b>" not in chart and "&lt;b&gt;" in chart


# --- issue 14: the statistics seed 003 gives that the report lacked ---------------------------------

# the recommender's leading degree for CURRENT's ten recommended rows (the two self-declared have none)
ASSESSED = ["international"] * 5 + ["domestic"] * 3 + ["industry", "ordinary"]


def _assess(programme):
    from applications.models import RecommendationDecision

    recommended = Application.objects.filter(programme=programme, self_declared=False, status="endorsed")
    for app, degree in zip(recommended.order_by("pk"), ASSESSED, strict=True):
        RecommendationDecision.objects.create(application=app, unit=app.recommender, kind="endorse",
                                              opinion="同意推荐。", leading_degree=degree, actual_effect="good")


def _stopped(programme, units):
    """Two returned and never resubmitted, one declined, one still with its recommender."""
    for status in ("returned", "returned", "declined", "submitted"):
        ApplicationFactory(programme=programme, status=status, recommender=units["district"], sales_after=5000,
                           submitted_at=timezone.now())


def test_the_level_split_high_end_share_sme_submissions_and_what_reached_review(programmes, administrator):
    current, _previous = programmes
    _assess(current)
    _stopped(current, {"district": Application.objects.filter(programme=current).exclude(recommender=None)
                       .first().recommender})
    f = report.build(current, viewer=administrator).figures
    # only what reached review counts as 申报; the rest is shown apart
    assert f["submissions"].value == 12
    assert [f[f"stopped.{k}"].value for k in ("returned", "declined", "pending")] == [2, 1, 1]
    assert f["money.sales"].value == Decimal("600.00")  # the stopped ones' 5000 never counts
    # 国际先进 / 国内领先 by the recommender's assessment, 未评估 for the self-declared
    split = {k: round(f[f"assessed.{k}"].value, 2) for k in ("international", "domestic", "industry", "ordinary",
                                                             "none")}
    assert split == {"international": 41.67, "domestic": 25.0, "industry": 8.33, "ordinary": 8.33, "none": 16.67}
    assert f["assessed.international"].detail["count"] == 5
    # 高端制造: 5 of the 6 achievements are 集成电路 or 高端装备; last year 2 of 2
    assert round(f["share.high_end"].value, 2) == 83.33 and round(f["share.high_end"].change, 2) == -16.67
    assert f["share.high_end"].detail["submissions"] == 10
    # SME submissions beside the SME tiers (seed 003: 中小企业申报项目共46项 … 仅2项获得三等奖)
    assert f["share.sme"].detail["submissions"] == 3 and f["share.sme"].detail["tiers"]["三等奖"] == 2


def test_the_previous_programme_is_the_same_organisers_programme_of_the_year_before(programmes, administrator):
    current, previous = programmes
    ProgrammeFactory(year=2024, status=ProgrammeStatus.PUBLISHED)  # another organiser's: never compared
    r = report.build(current, viewer=administrator)
    assert r.previous == previous and r.figures["submissions"].previous == 4
    previous.year = 2022  # a gap year is not 上年: no change column rather than a misleading one
    previous.save()
    r = report.build(current, viewer=administrator)
    assert r.previous is None and r.figures["submissions"].change is None


def test_the_page_says_which_assessment_splits_the_levels_and_lists_what_did_not_reach_review(
        client, programmes, administrator):
    current, _previous = programmes
    _assess(current)
    _stopped(current, {"district": RecommendingUnitFactory(kind=Kind.DISTRICT_BUREAU)})
    client.force_login(administrator)
    page = client.get(reverse("awards:report", args=[current.pk])).content.decode()
    assert "先进水平（推荐单位评估）" in page and "只有推荐单位的评估把二者分开" in page
    assert "国际先进" in page and "国内领先" in page and "未评估（自行申报）" in page
    assert "退回修改后未重新提交 2 项" in page and "推荐单位未予推荐 1 项" in page
    assert "高端制造产品" in page and "高端装备、汽车、交通、集成电路" in page and "申报项数" in page
    assert "同一主管部门上一年度（2024 年度）的同类批次" in page
