"""Growth of the economic figures, eligibility warnings, version diffs."""

from decimal import Decimal

import pytest

from applications.models import ApplicationStatus
from applications.services.eligibility import eligibility_warnings, normalise_name, similar_names
from applications.services.figures import economic_growth, growth
from applications.services.versions import application_data, diff_data
from portal.models.programmes import Level
from tests.factories import ApplicationFactory, OrganisationFactory, ProgrammeFactory, TeamMemberFactory

D = Decimal


@pytest.mark.parametrize(("before", "after", "percent", "text"), [
    (D("1000"), D("1180"), D("18.0"), "+18.0%"),
    (D("300"), D("280"), D("-6.7"), "-6.7%"),
    (D("3"), D("3.0015"), D("0.1"), "+0.1%"),  # 0.05 rounds half up
    (D("-10"), D("10"), D("200.0"), "+200.0%"),  # a loss turned into a profit is growth
    (D("50"), D("50"), D("0.0"), "0.0%"),
])
def test_growth_percent(before, after, percent, text):
    result = growth(before, after)
    assert result.percent == percent
    assert str(result) == text


def test_growth_from_zero_or_missing_cannot_be_computed():
    assert growth(D("0"), D("120")).percent is None
    assert str(growth(D("0"), D("120"))) == "攻关前为0，无法计算增长率"
    assert growth(None, D("5")).percent is None
    assert "无法计算增长率" in str(growth(D("5"), None))


@pytest.mark.django_db
def test_economic_growth_of_an_application():
    app = ApplicationFactory(sales_before=D("2000"), sales_after=D("2300"), profit_before=D("0"),
                             profit_after=D("12"))
    result = economic_growth(app)
    assert result["sales"].percent == D("15.0")
    assert result["profit"].percent is None and result["profit"].note == "攻关前为0，无法计算增长率"


def test_names_are_compared_without_spaces_and_punctuation():
    assert normalise_name(" 高精度 数控机床（主轴）可靠性提升！") == "高精度数控机床主轴可靠性提升"
    assert similar_names("高精度数控机床主轴可靠性提升攻关", "高精度数控机床主轴可靠性提升")
    assert not similar_names("高精度数控机床主轴可靠性提升攻关", "医用导管表面涂层质量改进")


@pytest.mark.django_db
def test_eligibility_warns_about_same_year_municipal_and_earlier_honoured_applications():
    from awards.models import Award

    org = OrganisationFactory()
    district = ProgrammeFactory(year=2030, level=Level.DISTRICT)
    municipal = ProgrammeFactory(year=2030, level=Level.MUNICIPAL)
    earlier = ProgrammeFactory(year=2028, status="published")
    unpublished = ProgrammeFactory(year=2029, status="determining")
    app = ApplicationFactory(programme=district, organisation=org, project_name="精密主轴可靠性提升攻关")
    ApplicationFactory(programme=municipal, organisation=org, project_name="精密主轴可靠性提升攻关项目",
                       status=ApplicationStatus.SUBMITTED)
    honoured = ApplicationFactory(programme=earlier, organisation=org, project_name="精密主轴可靠性提升",
                                  status=ApplicationStatus.ENDORSED)
    pending = ApplicationFactory(programme=unpublished, organisation=org, project_name="精密主轴可靠性提升！",
                                 status=ApplicationStatus.ENDORSED)
    for application, programme in ((honoured, earlier), (pending, unpublished)):
        Award.objects.create(programme=programme, application=application, tier="second", proposed_tier="second",
                             project_name=application.project_name, organisation_name=org.name)
    ApplicationFactory(programme=earlier, organisation=org, project_name="精密主轴可靠性提升攻关工程",
                       status=ApplicationStatus.RETURNED)  # similar, but never honoured
    ApplicationFactory(programme=earlier, organisation=org, project_name="医用导管涂层改进",
                       status=ApplicationStatus.SUBMITTED)  # not similar
    ApplicationFactory(programme=municipal, project_name="精密主轴可靠性提升攻关",
                       status=ApplicationStatus.SUBMITTED)  # another organisation
    messages = [w.message for w in eligibility_warnings(app)]
    assert len(messages) == 2
    assert any("同年度市级批次" in m for m in messages)
    assert any("2028年" in m and "不再受理" in m for m in messages)


@pytest.mark.django_db
def test_drafts_elsewhere_do_not_warn():
    org = OrganisationFactory()
    app = ApplicationFactory(organisation=org, project_name="同名项目", programme=ProgrammeFactory(year=2031))
    ApplicationFactory(organisation=org, project_name="同名项目", programme=ProgrammeFactory(year=2030))
    assert eligibility_warnings(app) == []


@pytest.mark.django_db
def test_diff_covers_choices_organisation_team_and_files():
    app = ApplicationFactory(advancement_level="industry", sales_after=Decimal("49747"))
    TeamMemberFactory(application=app, name="张三")
    old = application_data(app)
    assert old["fields"]["sales_after"] == "49747.00"
    app.refresh_from_db()
    assert diff_data(old, application_data(app)) == []  # same figure, however it was typed
    app.advancement_level = "leading"
    app.save()
    app.team_members.update(name="张叁")
    new = application_data(app)
    new["organisation"]["name"] = "新名称有限公司"
    changes = {c.label: (c.before, c.after) for c in diff_data(old, new)}
    assert changes["项目先进水平"] == ("一般行业水平", "国际先进或国内领先")
    assert changes["单位名称（全称）"][1] == "新名称有限公司"
    assert changes["攻关项目组成员第1位"][1].startswith("张叁（男")
