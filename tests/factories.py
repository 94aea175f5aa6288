"""Test data builders."""

import factory
from django.utils import timezone

from portal import credit_code
from portal.models import (
    District,
    Organisation,
    OrganisationMembership,
    Organiser,
    Programme,
    RecommendingUnit,
    User,
)
from portal.models.organisations import MembershipStatus, OrganisationSize, Ownership
from portal.models.organisations import RecommendingUnitKind as Kind
from portal.models.programmes import Level, ProgrammeStatus
from portal.models.users import Role

PASSWORD = "pass-for-tests-2026"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = "jiading"
    name = "嘉定区"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    credit_code = factory.Sequence(lambda n: credit_code.with_check_character(f"91310114{n:09d}"))
    name = factory.Sequence(lambda n: f"上海测试制造{n}有限公司")
    legal_representative = "陈立新"
    ownership = Ownership.PRIVATE
    size = OrganisationSize.MEDIUM
    industry = "通用设备制造业"
    address = "上海市嘉定区测试路1号"
    phone = "021-59990000"
    contact_person = "张三"
    mobile = "13800000000"
    email = factory.Sequence(lambda n: f"org{n}@example.cn")
    district = factory.SubFactory(DistrictFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    role = Role.APPLICANT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ApplicantFactory(UserFactory):
    role = Role.APPLICANT

    @factory.post_generation
    def organisation(obj, create, extracted, **kwargs):
        if create:
            OrganisationMembership.objects.create(
                user=obj,
                organisation=extracted or OrganisationFactory(),
                status=MembershipStatus.APPROVED,
                decided_at=timezone.now(),
            )


class RecommendingUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendingUnit

    name = factory.Sequence(lambda n: f"测试推荐单位{n}")
    kind = Kind.DISTRICT_BUREAU
    district = factory.SubFactory(DistrictFactory)
    contact_person = "李四"
    contact_phone = "021-69990000"


class OrganiserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organiser

    name = factory.Sequence(lambda n: f"测试主管部门{n}")
    level = Level.MUNICIPAL


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    year = factory.Sequence(lambda n: 2000 + n)
    title = factory.LazyAttribute(lambda o: f"{o.year}年上海市重点产品质量攻关成果申报")
    organiser = factory.SubFactory(OrganiserFactory)
    organiser_names = "上海市市场监督管理局\n上海市经济和信息化委员会"
    status = ProgrammeStatus.OPEN


# --- scoring: rubrics and the expert pool (models named by label: imports stay at the top) ---


class ProjectCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "portal.ProjectCategory"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category{n}")
    name = factory.Sequence(lambda n: f"测试类别{n}")
    order = factory.Sequence(lambda n: 100 + n)


class ExpertProfileFactory(factory.django.DjangoModelFactory):
    """An expert: a user with role expert and a profile. ``expertise=[category, …]`` sets the M2M."""

    class Meta:
        model = "scoring.ExpertProfile"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.EXPERT)
    work_unit = factory.Sequence(lambda n: f"上海测试研究院{n}")
    title = "高级工程师"
    keywords = "可靠性；失效分析"

    @factory.post_generation
    def expertise(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.expertise.set(extracted)


# --- applications (issue 3): models named by label, values as plain strings (no imports here) ---

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft with only a name: the state right after "new application"."""

    class Meta:
        model = "applications.Application"

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    project_name = factory.Sequence(lambda n: f"高精度数控机床主轴可靠性提升攻关{n}")


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "applications.TeamMember"

    application = factory.SubFactory(ApplicationFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"成员{n}")
    gender = "male"
    title = "高级工程师"
    education = "bachelor"
    work_unit = "质量部"


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A stored PDF (bypasses the upload checks: for fixtures only)."""

    class Meta:
        model = "applications.Evidence"

    application = factory.SubFactory(ApplicationFactory)
    kind = "signature_page"
    file = factory.django.FileField(data=MINIMAL_PDF, filename="evidence.pdf")
    original_name = "签章页.pdf"
    size = len(MINIMAL_PDF)
    content_type = "application/pdf"


COMPLETE_FIELDS = {
    "advancement_level": "above_industry",
    "completion_date": "2025-06-30",
    "org_intro": "公司成立于2005年，专注于精密主轴研发制造。",
    "background": "主轴精度保持性不足，制约高端数控机床国产化。",
    "objectives": "主轴径向跳动由3μm降至1μm，平均无故障时间提升50%。",
    "investment": "850.00",
    "quality_level": "关键指标达到国内领先水平。",
    "innovation": "采用热-力耦合仿真优化轴承预紧，建立全过程质量追溯。",
    "effect_direct": "销售额增长18%。",
    "effect_indirect": "返修率下降，节约质量成本。",
    "effect_green": "单位产品能耗下降8%。",
    "effect_social": "带动上下游配套企业质量提升。",
    **{f"{role}_{part}": value for role in ("tech_head", "finance_head", "unit_head")
       for part, value in (("name", "王工"), ("opinion", "同意申报。"), ("date", "2025-07-01"))},
}


def complete_application(**kwargs):
    """An application that passes the completeness check: every required field, a team of two,
    a recommender the programme accepts, and a signed sign-off page. Reloaded, so dates and
    decimals are real types."""
    category = ProjectCategoryFactory(code="equipment", name="高端装备")
    app = ApplicationFactory(category=category, **{**COMPLETE_FIELDS, **kwargs})
    if app.recommender_id is None and not app.self_declared:
        app.recommender = RecommendingUnitFactory()
        app.save()
    if app.recommender_id:
        app.programme.accepted_units.add(app.recommender)
    TeamMemberFactory.create_batch(2, application=app)
    EvidenceFactory(application=app)
    app.refresh_from_db()
    return app


# --- awards (issue 6): a programme under determination with scored applications ----------------


def b1_programme(**kwargs):
    """A programme in 成果评定 scored against Table B.1 (loaded from fixtures/rubrics)."""
    from django.conf import settings

    from scoring.models import ProgrammeRubric
    from scoring.services.rubrics import load_rubric

    rubric = load_rubric(settings.BASE_DIR / "fixtures" / "rubrics" / "table_b1.yaml", existing="keep")
    programme = ProgrammeFactory(**{"status": ProgrammeStatus.DETERMINING, **kwargs})
    ProgrammeRubric.objects.create(programme=programme, rubric=rubric)
    return programme


def spread_points(criteria, total) -> dict:
    """Criterion → points adding up to ``total`` (one decimal), roughly in proportion to each maximum."""
    from decimal import ROUND_HALF_UP, Decimal

    total = Decimal(str(total))
    full = sum(c.max_points for c in criteria)
    points = {c: (Decimal(c.max_points) * total / full).quantize(Decimal("0.1"), ROUND_HALF_UP) for c in criteria}
    rest = total - sum(points.values())
    for c in sorted(criteria, key=lambda c: -c.max_points):
        move = max(min(rest, c.max_points - points[c]), -points[c])
        points[c] += move
        rest -= move
    return points


def give_score(application, expert, total=None, *, points=None, status="submitted", assignment_status="active",
               submitted_at=None):
    """An assignment of ``expert`` to ``application`` and its score sheet: ``points`` maps criterion
    code → points, or ``total`` is spread over the criteria. The total is the sum, as the service sets it."""
    from decimal import Decimal

    from scoring.models import Assignment, Criterion, CriterionScore, Score

    criteria = list(Criterion.objects.filter(section__rubric__programme_links__programme=application.programme))
    if points is not None:
        by_code = {c.code: c for c in criteria}
        values = {by_code[code]: Decimal(str(p)) for code, p in points.items()}
    else:
        values = spread_points(criteria, total)
    assignment = Assignment.objects.create(application=application, expert=expert, status=assignment_status)
    score = Score.objects.create(
        assignment=assignment, status=status, total=sum(values.values()),
        submitted_at=submitted_at or (timezone.now() if status == "submitted" else None),
    )
    CriterionScore.objects.bulk_create(CriterionScore(score=score, criterion=c, points=p) for c, p in values.items())
    return score


class ScoredApplicationFactory(ApplicationFactory):
    """An endorsed application with a category and a recommender, as it stands when experts score it."""

    status = "endorsed"
    submitted_at = factory.LazyFunction(timezone.now)
    category = factory.SubFactory(ProjectCategoryFactory)
    recommender = factory.SubFactory(RecommendingUnitFactory)


def scored_programme(table, *, programme=None, experts=None, **app_kwargs):
    """``table[i][j]`` is expert j's total for application i (None: not assigned). Returns
    (programme, applications, experts)."""
    programme = programme or b1_programme()
    width = max(len(row) for row in table)
    experts = experts or ExpertProfileFactory.create_batch(width)
    applications = []
    for row in table:
        application = ScoredApplicationFactory(programme=programme, **app_kwargs)
        for expert, total in zip(experts, row, strict=False):
            if total is not None:
                give_score(application, expert, total)
        applications.append(application)
    return programme, applications, experts


# --- expert review set-up (conflicts, pledge, assignment) ---


class ReviewExpertFactory(ExpertProfileFactory):
    """An expert with a mail domain of their own: UserFactory's shared example.cn domain would be
    an e-mail-domain conflict (回避) with every OrganisationFactory organisation."""

    user = factory.SubFactory(UserFactory, role=Role.EXPERT,
                              email=factory.Sequence(lambda n: f"expert{n}@review-unit{n}.cn"))
