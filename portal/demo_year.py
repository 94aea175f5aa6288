"""The demo year (`manage.py seed_demo`): every step of the procedure has something to show.

Today's municipal and Jiading programmes are open (the demo applicant has a half-filled draft and
an application returned by the street; the recommenders have applications waiting); last year's
municipal programme is in expert review (expert1 pledged with sheets in progress, expert2 with a
declared conflict and the pledge still to sign); the two years before are published (awards in
three tiers, certificates, the annual report with its "较上年" column).

Built only through the domain services (portal.demo_steps), as people would, so every row has its
audit trail. Idempotent: a programme already there is left as it is; the whole run is one
transaction, so a failure leaves nothing half-made.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from applications.models import Application
from applications.models.choices import AdvancementLevel
from applications.services import recommendation
from awards.services import determination, publication
from portal import credit_code
from portal import demo_steps as step
from portal.demo import DEMO_PASSWORD, seed_demo
from portal.models import District, Organiser, Programme, RecommendingUnit, User
from portal.models.organisations import OrganisationSize, Ownership
from portal.models.organisations import RecommendingUnitKind as Kind
from portal.models.programmes import Level, ProgrammeStatus, ProjectType
from portal.models.users import Role
from portal.services.accounts import register_applicant
from portal.services.programmes import transition_programme
from scoring.models import Rubric
from scoring.services.conflicts import declare_conflict
from scoring.services.rubrics import assign_rubric

CITY = "上海市市场监督管理局"


@dataclass(frozen=True)
class DemoApplicant:
    """Another applicant organisation with its first user (registered through the service)."""

    username: str
    person: str
    org_name: str
    code17: str
    district: str
    size: str = OrganisationSize.MEDIUM
    ownership: str = Ownership.PRIVATE
    industry: str = "通用设备制造业"


OTHER_APPLICANTS = [
    DemoApplicant("applicant2", "刘嘉", "上海嘉安汽车零部件有限公司", "91310114MA1GU0A01", "jiading",
                  industry="汽车制造业"),
    DemoApplicant("applicant3", "周南", "上海南翔智能装备有限公司", "91310114MA1GU0A02", "jiading",
                  size=OrganisationSize.SMALL_MICRO, industry="专用设备制造业"),
    DemoApplicant("applicant4", "吴江", "上海江桥新材料科技有限公司", "91310114MA1GU0A03", "jiading",
                  industry="化学原料和化学制品制造业"),
    DemoApplicant("applicant5", "郑浦", "上海浦江汽车电子有限公司", "91310115MA1GU0A04", "pudong",
                  ownership=Ownership.STATE_OWNED, size=OrganisationSize.LARGE, industry="汽车制造业"),
    DemoApplicant("applicant6", "孙闵", "上海闵行精密传动有限公司", "91310112MA1GU0A05", "minhang",
                  ownership=Ownership.JOINT_VENTURE, size=OrganisationSize.LARGE, industry="汽车制造业"),
    DemoApplicant("applicant7", "冯松", "上海松江微电子有限公司", "91310117MA1GU0A06", "songjiang",
                  industry="计算机、通信和其他电子设备制造业"),
]

# Expert accounts for the pool beside expert1 and expert2 (full, so that a project can have 5).
REVIEWERS = [("reviewer3", "赵专家", "上海工程技术大学", "教授"),
             ("reviewer4", "钱专家", "华东理工大学材料科学与工程学院", "教授级高级工程师"),
             ("reviewer5", "孙专家", "上海市质量和标准化研究院", "高级工程师")]
POOL_UNITS = {"expert1": ("上海交通大学机械与动力工程学院", "教授"),
              "expert2": ("同济大学汽车学院", "教授级高级工程师")}
ALL_CATEGORIES = ["equipment", "automotive", "materials", "electronics", "ic", "other"]

# (applicant, project, category, channel, strength 0–1) per published year (years back from today).
PUBLISHED = {
    3: [("applicant", "高精度伺服电机一致性提升攻关", "equipment", "bureau", 0.9),
        ("applicant5", "车规级功率模块可靠性提升攻关", "automotive", "group", 0.8),
        ("applicant2", "汽车线束插接件寿命提升攻关", "automotive", "bureau", 0.7),
        ("applicant6", "精密减速器传动精度提升攻关", "equipment", "group", 0.6),
        ("applicant7", "MCU芯片良率提升攻关", "ic", "self", 0.5),
        ("applicant4", "锂电池隔膜缺陷率降低攻关", "materials", "bureau", 0.2)],
    2: [("applicant", "精密主轴热变形控制攻关", "equipment", "bureau", 0.95),
        ("applicant6", "新能源汽车电驱系统可靠性提升攻关", "automotive", "group", 0.85),
        ("applicant4", "高性能碳纤维强度一致性提升攻关", "materials", "bureau", 0.75),
        ("applicant5", "智能座舱域控制器质量稳定性提升攻关", "automotive", "group", 0.65),
        ("applicant7", "光刻胶批次一致性提升攻关", "ic", "self", 0.55),
        ("applicant2", "制动卡钳铸件缺陷率降低攻关", "automotive", "bureau", 0.45),
        ("applicant3", "工业视觉检测系统精度提升攻关", "electronics", "bureau", 0.2)],
}
REVIEWING = [("applicant", "数控机床主轴寿命提升攻关", "equipment", "bureau", 0.85),
             ("applicant2", "动力电池包一致性提升攻关", "automotive", "bureau", 0.7),
             ("applicant5", "汽车电子控制器可靠性提升攻关", "automotive", "group", 0.8),
             ("applicant6", "工业机器人减速器精度提升攻关", "equipment", "group", 0.6),
             ("applicant7", "先进封装基板翘曲控制攻关", "ic", "self", 0.5),
             ("applicant4", "特种不锈钢板表面质量提升攻关", "materials", "bureau", 0.4)]


def _when(year: int, month: int, day: int) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 17, 0))


@transaction.atomic
def seed_demo_year() -> dict:
    base = seed_demo()
    admin = User.objects.get(username="city_admin")
    _other_applicants()
    _reviewers()
    pool = [step.expert_profile(admin, name, *POOL_UNITS[name], ALL_CATEGORIES) for name in ("expert1", "expert2")]
    pool += [step.expert_profile(admin, name, unit, title, ALL_CATEGORIES) for name, _p, unit, title in REVIEWERS]
    this_year = timezone.localdate().year
    expert1, _expert2, *reviewers = pool
    # The earlier year first (its report has no "较上年"); expert1 sat on the later one's panel.
    _published(admin, this_year - 3, PUBLISHED[3], reviewers)
    _published(admin, this_year - 2, PUBLISHED[2], [expert1, *reviewers[:2]])
    reviewing = _reviewing(admin, this_year - 1, pool)
    _open(*base["programmes"])
    return {**base, "reviewing": reviewing,
            "published": list(Programme.objects.filter(status=ProgrammeStatus.PUBLISHED).order_by("-year"))}


def _other_applicants():
    for spec in OTHER_APPLICANTS:
        if User.objects.filter(username=spec.username).exists():
            continue
        district = District.objects.get(code=spec.district)
        register_applicant(
            account={"username": spec.username, "password": DEMO_PASSWORD, "full_name": spec.person,
                     "email": f"{spec.username}@demo.example.cn", "phone": "13800000002"},
            organisation={"name": spec.org_name, "legal_representative": spec.person, "ownership": spec.ownership,
                          "size": spec.size, "industry": spec.industry, "strategic_emerging": True,
                          "address": f"上海市{district.name}示范路{len(spec.org_name)}号", "phone": "021-60000000",
                          "contact_person": spec.person, "mobile": "13800000002",
                          "email": f"{spec.username}@demo-org.example.cn", "district": district},
            credit_code=credit_code.with_check_character(spec.code17),
        )


def _reviewers():
    for username, name, _unit, _title in REVIEWERS:
        if not User.objects.filter(username=username).exists():
            account = User(username=username, full_name=name, role=Role.EXPERT, email=f"{username}@demo.example.cn")
            account.set_password(DEMO_PASSWORD)
            account.save()


def _programme(admin, year: int, *, experts: int = 5) -> tuple[Programme, bool]:
    """The municipal key-product programme of ``year``, opened by the administrator (deadlines
    are set once the year is built: services refuse moves after a deadline)."""
    programme, new = Programme.objects.get_or_create(
        year=year, organiser=Organiser.objects.get(name=CITY), project_type=ProjectType.KEY_PRODUCT,
        defaults={"title": f"{year}年上海市重点产品质量攻关成果申报", "level": Level.MUNICIPAL,
                  "organiser_names": "上海市市场监督管理局\n上海市经济和信息化委员会", "allow_self_declared": True,
                  "status": ProgrammeStatus.DRAFT, "experts_per_application": experts},
    )
    if new:
        programme.accepted_units.set(RecommendingUnit.objects.filter(
            kind__in=[Kind.DISTRICT_BUREAU, Kind.GROUP_COMPANY, Kind.INDUSTRY_ASSOCIATION]))
        assign_rubric(admin, programme, Rubric.objects.get(code="table_b1"), via=step.VIA)
        programme = transition_programme(admin, programme, "open", via=step.VIA)
    return programme, new


def _submit_all(programme, projects, seed: int) -> list[Application]:
    apps = []
    for n, (username, name, category, channel, strength) in enumerate(projects):
        level = AdvancementLevel.LEADING if strength >= 0.6 else AdvancementLevel.ABOVE_INDUSTRY
        app = step.submitted(step.user(username), programme, name, category, channel, seed=seed + n, level=level)
        apps.append(step.endorse(app))
    return apps


def _to_review(admin, programme):
    for move in ("start_recommending", "start_reviewing"):
        transition_programme(admin, programme, move, via=step.VIA)
    programme.refresh_from_db()  # the service moved its own copy


def _set_deadlines(programme, year: int, *, scoring=None):
    # Configuration, set as the administrator would have before the year began; written last
    # because the services refuse submissions, endorsements and scores after their deadline.
    Programme.objects.filter(pk=programme.pk).update(
        submission_deadline=_when(year, 6, 30), recommendation_deadline=_when(year, 7, 31),
        scoring_deadline=scoring or _when(year, 9, 30))


def _published(admin, year: int, projects, panel):
    programme, new = _programme(admin, year, experts=len(panel))
    if not new:
        return programme
    apps = _submit_all(programme, projects, seed=year)
    _to_review(admin, programme)
    for profile in panel:
        step.accept_pledge(profile.user.username, programme)
    for n, (app, project) in enumerate(zip(apps, projects, strict=True)):
        for m, row in enumerate(step.assign(admin, app, panel)):
            step.score(row, project[4], seed=year * 100 + n * 10 + m)
    programme = transition_programme(admin, programme, "start_determining", via=step.VIA)
    determination.update_settings(admin, programme, {"tier_method": "counts", "first_value": 1, "second_value": 2,
                                                     "third_value": len(apps) - 4}, via=step.VIA)
    determination.approve(admin, programme, note="经评审委员会审议通过。", via=step.VIA)
    publication.publish(admin, programme, note="经主管部门批准，向社会公布。", via=step.VIA)
    _set_deadlines(programme, year)
    return programme


def _reviewing(admin, year: int, pool):
    """Last year's programme under review: three reviewers have scored (one not yet everything),
    expert1 has pledged with one sheet submitted and one in draft, expert2 has declared a conflict
    and has still to sign the pledge. Each project needs 5 experts; the pool has 5, so the project
    expert2 declared against cannot be fully staffed (the assignment page says so)."""
    programme, new = _programme(admin, year)
    if not new:
        return programme
    apps = _submit_all(programme, REVIEWING, seed=year)
    _to_review(admin, programme)
    expert1, expert2, *reviewers = pool
    for profile in [expert1, *reviewers]:
        step.accept_pledge(profile.user.username, programme)
    for n, (app, project) in enumerate(zip(apps, REVIEWING, strict=True)):
        rows = step.assign(admin, app, reviewers)
        for m, row in enumerate(rows):
            if not (m == 2 and n >= 4):  # 孙专家 has two sheets left to do
                step.score(row, project[4], seed=year * 100 + n * 10 + m)
    mine = [step.assign(admin, app, [expert1])[0] for app in apps[:4]]
    step.score(mine[0], REVIEWING[0][4], seed=year)
    step.score(mine[1], REVIEWING[1][4], seed=year + 1, submit=False)
    for app in apps[1:5]:
        step.assign(admin, app, [expert2])
    declare_conflict(expert2.user, apps[4], "本人曾为该单位提供技术咨询服务，申请回避。", via=step.VIA)
    _set_deadlines(programme, year, scoring=timezone.now() + timedelta(days=21))
    return programme


def _open(municipal, district):
    """Today's programmes: the demo applicant's returned application (Jiading, via 南翔镇) and
    half-filled draft (municipal); applications waiting for each recommender."""
    applicant = step.user("applicant")
    if Application.objects.filter(programme__in=[municipal, district], organisation=applicant.membership.organisation
                                  ).exists():
        return
    now = timezone.now()
    if any(p.status != ProgrammeStatus.OPEN or (p.submission_deadline and p.submission_deadline <= now)
           for p in (municipal, district)):
        return  # programmes of an older demo, closed by now: nothing to apply to
    returned = step.submitted(applicant, district, "精密齿轮箱噪声控制攻关", "equipment", "street", seed=1)
    recommendation.return_to_applicant(
        step.user("nanxiang"), returned, "请补充攻关后12个月的销售额计算依据，并上传第三方检测报告的完整版本。",
        sections=["effect", "evidence"], via=step.VIA)
    step.draft(applicant, municipal, "伺服驱动器可靠性提升攻关", "equipment", "bureau", seed=2, complete=False)
    step.submitted(step.user("applicant3"), district, "智能仓储机器人定位精度提升攻关", "equipment", "street", seed=3)
    waiting = step.submitted(step.user("applicant4"), district, "高分子密封材料耐老化提升攻关", "materials", "street",
                             seed=4)
    step.endorse(waiting, street_only=True)  # 南翔镇 has endorsed: the district bureau decides
    step.submitted(step.user("applicant5"), municipal, "车载激光雷达可靠性提升攻关", "automotive", "group", seed=5)
    step.submitted(step.user("applicant2"), municipal, "电驱壳体压铸缺陷率降低攻关", "automotive", "bureau", seed=6)
