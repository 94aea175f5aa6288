"""Builders shared by the recommendation tests (issue 4). No tests here."""

import datetime
from decimal import Decimal

from applications.services import submission
from portal.models.organisations import RecommendingUnitKind as Kind
from portal.models.programmes import Level
from portal.models.users import Role
from tests.factories import (
    ApplicantFactory,
    DistrictFactory,
    EvidenceFactory,
    OrganiserFactory,
    ProgrammeFactory,
    RecommendingUnitFactory,
    UserFactory,
    complete_application,
)

ENDORSEMENT = {
    "opinion": "经核实，项目攻关成效显著，同意推荐。",
    "actual_effect": "significant",
    "leading_degree": "domestic",
    "completion_date": datetime.date(2025, 6, 30),
}


def recommender_of(unit):
    return UserFactory(role=Role.RECOMMENDER, recommending_unit=unit)


def submitted(app):
    """Submits ``app`` through the service, as a member of its organisation would."""
    submission.submit(ApplicantFactory(organisation=app.organisation), app)
    app.refresh_from_db()
    return app


def municipal_setup(**programme_kwargs):
    """A municipal programme accepting one district bureau, and that bureau's recommender."""
    programme = ProgrammeFactory(year=2025, **programme_kwargs)
    bureau = RecommendingUnitFactory(name="上海市闵行区市场监督管理局", kind=Kind.DISTRICT_BUREAU,
                                     contact_person="王芳", contact_phone="021-64120000")
    programme.accepted_units.add(bureau)
    return programme, bureau, recommender_of(bureau)


def district_setup(**programme_kwargs):
    """Jiading's district programme (嘉定区): the bureau, one street under it, both with users."""
    jiading = DistrictFactory()
    organiser = OrganiserFactory(name="上海市嘉定区市场监督管理局（主管）", level=Level.DISTRICT, district=jiading)
    programme = ProgrammeFactory(year=2023, organiser=organiser, level=Level.DISTRICT, district=jiading,
                                 title="2023年嘉定区重点产品质量攻关成果申报", **programme_kwargs)
    bureau = RecommendingUnitFactory(name="上海市嘉定区市场监督管理局", kind=Kind.DISTRICT_BUREAU, district=jiading,
                                     contact_person="邱春燕", contact_phone="59992872")
    street = RecommendingUnitFactory(name="嘉定区南翔镇", kind=Kind.STREET_TOWN, district=jiading, parent=bureau,
                                     contact_person="赵敏", contact_phone="59120000")
    programme.accepted_units.add(street, bureau)
    return programme, bureau, street, recommender_of(bureau), recommender_of(street)


def application_for(programme, unit, name, *, sales=(Decimal("1000"), Decimal("1500")), **kwargs):
    """A submitted, complete application naming ``unit`` in ``programme``."""
    app = complete_application(programme=programme, recommender=unit, project_name=name,
                               sales_before=sales[0], sales_after=sales[1], **kwargs)
    EvidenceFactory(application=app, kind="calculation", original_name="经济效益计算说明.pdf")
    if app.advancement_level == "leading":
        EvidenceFactory(application=app, kind="test_report", original_name="检测报告.pdf")
    return submitted(app)
