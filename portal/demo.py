"""Demo data: one account per role, an open municipal and an open Jiading programme, and (on
request) many realistic organisations and applications for benchmarks. Idempotent."""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal import credit_code
from portal.models import (
    District,
    Organisation,
    OrganisationMembership,
    Organiser,
    Programme,
    ProgrammeStatus,
    RecommendingUnit,
    User,
)
from portal.models.organisations import MembershipStatus, OrganisationSize, Ownership
from portal.models.organisations import RecommendingUnitKind as Kind
from portal.models.programmes import Level, ProjectType
from portal.models.users import Role
from portal.reference import load_reference
from scoring.models import ProgrammeRubric, Rubric
from scoring.services.rubrics import load_shipped_rubrics

DEMO_PASSWORD = "demo2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    unit: str = ""  # recommending unit name
    organiser: str = ""
    superuser: bool = False
    description: str = ""


DEMO_ACCOUNTS = [
    DemoAccount("admin", "系统管理员", Role.ADMINISTRATOR, organiser="上海市市场监督管理局", superuser=True,
                description="超级用户（管理后台）"),
    DemoAccount("city_admin", "市局管理员", Role.ADMINISTRATOR, organiser="上海市市场监督管理局",
                description="主管部门：上海市市场监督管理局"),
    DemoAccount("jiading_admin", "嘉定区局管理员", Role.ADMINISTRATOR, organiser="上海市嘉定区市场监督管理局",
                description="主管部门：嘉定区市场监督管理局"),
    DemoAccount("jiading_bureau", "嘉定区局推荐人", Role.RECOMMENDER, unit="上海市嘉定区市场监督管理局",
                description="推荐单位：区市场监管局"),
    DemoAccount("nanxiang", "南翔镇推荐人", Role.RECOMMENDER, unit="嘉定区南翔镇", description="推荐单位：街镇"),
    DemoAccount("saic_group", "上汽集团推荐人", Role.RECOMMENDER, unit="上海汽车集团股份有限公司",
                description="推荐单位：集团公司"),
    DemoAccount("expert1", "王专家", Role.EXPERT, description="评审专家"),
    DemoAccount("expert2", "李专家", Role.EXPERT, description="评审专家"),
    DemoAccount("applicant", "张申报", Role.APPLICANT, description="申报单位：上海示范精密制造有限公司"),
]

DEMO_ORGANISATION = {
    "credit_code": credit_code.with_check_character("91310114MA1GT3XK2"),
    "name": "上海示范精密制造有限公司",
    "legal_representative": "陈立新",
    "ownership": Ownership.PRIVATE,
    "size": OrganisationSize.MEDIUM,
    "industry": "通用设备制造业",
    "strategic_emerging": True,
    "address": "上海市嘉定区南翔镇示范路88号",
    "phone": "021-59990000",
    "contact_person": "张申报",
    "mobile": "13800000001",
    "email": "contact@demo-precision.example.cn",
    "is_specialised": True,
}


@transaction.atomic
def seed_demo() -> dict:
    load_reference()
    accounts = [_account(spec) for spec in DEMO_ACCOUNTS]
    org = _demo_organisation()
    applicant = next(u for u in accounts if u.username == "applicant")
    OrganisationMembership.objects.get_or_create(
        user=applicant,
        defaults={"organisation": org, "status": MembershipStatus.APPROVED, "decided_at": timezone.now()},
    )
    programmes = _demo_programmes()
    _link_rubrics(programmes)
    return {"accounts": accounts, "organisation": org, "programmes": programmes}


def _account(spec: DemoAccount) -> User:
    user = User.objects.filter(username=spec.username).first()
    if user is not None:
        return user
    user = User(
        username=spec.username,
        full_name=spec.full_name,
        role=spec.role,
        email=f"{spec.username}@demo.example.cn",
        is_staff=spec.superuser,
        is_superuser=spec.superuser,
        recommending_unit=RecommendingUnit.objects.get(name=spec.unit) if spec.unit else None,
        organiser=Organiser.objects.get(name=spec.organiser) if spec.organiser else None,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _demo_organisation() -> Organisation:
    data = dict(DEMO_ORGANISATION)
    code = data.pop("credit_code")
    org, _ = Organisation.objects.get_or_create(
        credit_code=code, defaults={**data, "district": District.objects.get(code="jiading")}
    )
    return org


def _demo_programmes() -> list[Programme]:
    now = timezone.now()
    city = Organiser.objects.get(name="上海市市场监督管理局")
    jiading = Organiser.objects.get(name="上海市嘉定区市场监督管理局")
    year = now.year
    municipal, new = Programme.objects.get_or_create(
        year=year,
        organiser=city,
        project_type=ProjectType.KEY_PRODUCT,
        defaults={
            "title": f"{year}年上海市重点产品质量攻关成果申报",
            "organiser_names": "上海市市场监督管理局\n上海市经济和信息化委员会",
            "level": Level.MUNICIPAL,
            "allow_self_declared": True,
            "status": ProgrammeStatus.OPEN,
            "submission_deadline": now + timedelta(days=30),
            "recommendation_deadline": now + timedelta(days=45),
            "scoring_deadline": now + timedelta(days=75),
        },
    )
    if new:
        municipal.accepted_units.set(
            RecommendingUnit.objects.filter(
                kind__in=[Kind.DISTRICT_BUREAU, Kind.GROUP_COMPANY, Kind.INDUSTRY_ASSOCIATION]
            )
        )
    district, new = Programme.objects.get_or_create(
        year=year,
        organiser=jiading,
        project_type=ProjectType.KEY_PRODUCT,
        defaults={
            "title": f"{year}年嘉定区重点产品质量攻关成果申报",
            "organiser_names": "上海市嘉定区市场监督管理局\n上海市嘉定区经济委员会",
            "level": Level.DISTRICT,
            "district": jiading.district,
            "status": ProgrammeStatus.OPEN,
            "submission_deadline": now + timedelta(days=30),
            "recommendation_deadline": now + timedelta(days=45),
            "scoring_deadline": now + timedelta(days=75),
        },
    )
    if new:
        district.accepted_units.set(RecommendingUnit.objects.filter(district=jiading.district))
    return [municipal, district]


def _link_rubrics(programmes):
    """Loads the shipped rubrics and links Table B.1 to demo programmes that have none."""
    load_shipped_rubrics()
    table_b1 = Rubric.objects.get(code="table_b1")
    for programme in programmes:
        ProgrammeRubric.objects.get_or_create(programme=programme, defaults={"rubric": table_b1})


# --- many organisations, for benchmarks -----------------------------------------------------------

_PLACES = ["浦江", "申城", "东海", "金桥", "张江", "漕河泾", "松江", "临港", "嘉定", "宝山", "虹桥", "外高桥"]
_TRADES = [
    ("精密制造", "通用设备制造业"),
    ("微电子", "计算机、通信和其他电子设备制造业"),
    ("生物科技", "医药制造业"),
    ("新材料", "化学原料和化学制品制造业"),
    ("汽车零部件", "汽车制造业"),
    ("智能装备", "专用设备制造业"),
    ("医疗器械", "专用设备制造业"),
    ("纺织服饰", "纺织服装、服饰业"),
    ("食品", "食品制造业"),
    ("轨道交通", "铁路、船舶、航空航天和其他运输设备制造业"),
]
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = ["伟", "芳", "敏", "静", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚"]


def person_name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice([1, 2])))


def generate_organisations(count: int, rng: random.Random) -> list[Organisation]:
    """Creates ``count`` organisations (or fewer, if already there) spread over districts, sizes
    and ownerships; returns them."""
    districts = list(District.objects.all())
    groups = list(RecommendingUnit.objects.filter(kind=Kind.GROUP_COMPANY))
    existing = set(Organisation.objects.values_list("credit_code", flat=True))
    sizes = [OrganisationSize.LARGE] * 2 + [OrganisationSize.MEDIUM] * 3 + [OrganisationSize.SMALL_MICRO] * 5
    ownerships = [Ownership.PRIVATE] * 6 + [Ownership.STATE_OWNED] * 2 + [Ownership.FOREIGN, Ownership.JOINT_VENTURE]
    batch = []
    for i in range(count):
        code = credit_code.with_check_character(f"913100{i:011d}")
        if code in existing:
            continue
        district = rng.choice(districts)
        trade, industry = rng.choice(_TRADES)
        contact = person_name(rng)
        batch.append(
            Organisation(
                credit_code=code,
                name=f"上海{rng.choice(_PLACES)}{trade}{i:05d}有限公司",
                legal_representative=person_name(rng),
                ownership=rng.choice(ownerships),
                size=rng.choice(sizes),
                industry=industry,
                strategic_emerging=rng.random() < 0.6,
                address=f"上海市{district.name}示范路{rng.randint(1, 999)}号",
                phone=f"021-{rng.randint(50000000, 69999999)}",
                contact_person=contact,
                mobile=f"139{rng.randint(10000000, 99999999)}",
                email=f"org{i:05d}@example.cn",
                district=district,
                group_company=rng.choice(groups) if groups and rng.random() < 0.3 else None,
                is_specialised=rng.random() < 0.3,
                is_little_giant=rng.random() < 0.1,
            )
        )
    Organisation.objects.bulk_create(batch, batch_size=500)
    return list(Organisation.objects.filter(credit_code__startswith="913100").order_by("credit_code")[:count])
