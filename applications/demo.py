"""Demo applications for benchmarks and screenshots: `manage.py seed_demo --applications N`.

Realistic Chinese project names per category, figures, teams, spread over districts, categories,
sizes, recommendation channels (2020 mix: district bureaus 51 %, group companies 40 %,
associations 5 %, self-declared 4 %) and statuses. Built with bulk_create (2,000 in seconds);
no audit rows and no evidence files. Idempotent: it tops up to N demo applications.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.demo import generate_organisations, person_name, seed_demo
from portal.models import ProjectCategory, RecommendingUnit
from portal.models.organisations import RecommendingUnitKind as Kind
from portal.models.programmes import Level

from .models import Application, ApplicationStatus, ApplicationVersion, ReturnComment, TeamMember
from .models.application import organisation_header
from .services.versions import application_data

DEMO_CODE_PREFIX = "913100"  # the credit codes portal.demo.generate_organisations hands out

PRODUCTS = {
    "集成电路": ["12英寸晶圆", "车规级MCU芯片", "功率半导体模块", "先进封装基板", "光刻胶"],
    "生物医药": ["单克隆抗体注射液", "mRNA疫苗", "缓释微球制剂", "原料药", "细胞治疗产品"],
    "人工智能": ["工业视觉检测系统", "智能语音模组", "自动驾驶感知平台", "AI质检一体机"],
    "电子信息": ["5G通信基站滤波器", "高密度印制电路板", "MiniLED背光模组", "光纤连接器"],
    "生命健康": ["医用导管", "人工关节", "体外诊断试剂", "血液透析器", "骨科植入物"],
    "汽车": ["新能源汽车电驱系统", "动力电池包", "汽车线束", "制动卡钳", "智能座舱域控制器"],
    "高端装备": ["高精度数控机床主轴", "工业机器人减速器", "盾构机刀盘", "燃气轮机叶片", "液压泵"],
    "先进材料": ["高性能碳纤维", "特种不锈钢板", "锂电池隔膜", "高温合金棒材", "光学薄膜"],
    "时尚消费品": ["羊绒针织面料", "功能性运动鞋", "化妆品乳液", "智能手表表带", "真丝围巾"],
    "现代农业": ["绿色稻米", "设施蔬菜种苗", "冷链乳制品", "有机肥料"],
    "交通": ["地铁车辆转向架", "船用低速柴油机", "民航座椅", "轨道扣件"],
    "其他": ["电梯曳引机", "家用燃气灶", "智能电表", "工业阀门"],
}
GOALS = ["可靠性提升", "一致性提升", "良率提升", "关键质量性能提升", "寿命提升", "精度提升", "质量稳定性提升",
         "缺陷率降低", "绿色低碳质量提升"]
TITLES = ["高级工程师", "工程师", "质量部经理", "技术总监", "工艺主管", "研发工程师", "副总经理", "质量工程师"]
UNITS = ["质量部", "技术中心", "研发部", "制造部", "工艺部", "检测中心"]
STATUS_WEIGHTS = [(ApplicationStatus.DRAFT, 35), (ApplicationStatus.SUBMITTED, 50), (ApplicationStatus.RETURNED, 15)]
LEVEL_WEIGHTS = [("leading", 57), ("above_industry", 35), ("industry", 8)]


def _pick(rng, weighted):
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


CENT = Decimal("0.01")


def _money(rng, low, high) -> Decimal:
    return Decimal(rng.uniform(low, high)).quantize(CENT)


class _Units:
    """The recommending units by role, loaded once."""

    def __init__(self):
        units = list(RecommendingUnit.objects.filter(is_active=True))
        self.bureaus = {u.district_id: u for u in units if u.kind == Kind.DISTRICT_BUREAU}
        self.groups = [u for u in units if u.kind == Kind.GROUP_COMPANY]
        self.associations = [u for u in units if u.kind == Kind.INDUSTRY_ASSOCIATION]
        self.streets = [u for u in units if u.kind == Kind.STREET_TOWN]

    def channel(self, rng, org, programme):
        """(recommender, self_declared) following the 2020 channel mix."""
        if programme.level == Level.DISTRICT:
            return rng.choice([s for s in self.streets if s.district_id == programme.district_id]), False
        roll = rng.random()
        if roll < 0.51 or not (self.groups or self.associations):
            return self.bureaus.get(org.district_id), False
        if roll < 0.91 and self.groups:
            return org.group_company or rng.choice(self.groups), False
        if roll < 0.96 and self.associations:
            return rng.choice(self.associations), False
        return None, True


@transaction.atomic
def generate_applications(count: int, rng: random.Random) -> int:
    """Tops the demo applications up to ``count``; returns how many were created."""
    existing = Application.objects.filter(organisation__credit_code__startswith=DEMO_CODE_PREFIX).count()
    if existing >= count:
        return 0
    municipal, district = seed_demo()["programmes"]
    organisations = generate_organisations(max(20, count // 2), rng)
    categories = list(ProjectCategory.objects.all())
    units = _Units()
    taken = set(Application.objects.filter(organisation__in=organisations)
                .values_list("programme_id", "organisation_id", "project_name"))
    apps, teams = [], []
    for i in range(existing, count):
        org = organisations[i % len(organisations)]
        programme = district if org.district_id == district.district_id and rng.random() < 0.5 else municipal
        category = rng.choice(categories)
        name = _project_name(rng, category.name, programme.pk, org.pk, taken)
        recommender, self_declared = units.channel(rng, org, programme)
        app = _application(rng, programme, org, category, name, recommender, self_declared)
        apps.append(app)
        teams.append(_team(rng, org))
    Application.objects.bulk_create(apps, batch_size=500)
    _bulk_related(rng, apps, teams)
    return len(apps)


def _project_name(rng, category_name, programme_id, org_id, taken) -> str:
    base = f"{rng.choice(PRODUCTS.get(category_name, PRODUCTS['其他']))}{rng.choice(GOALS)}攻关"
    name, n = base, 1
    while (programme_id, org_id, name) in taken:
        n += 1
        name = f"{base}（{n}期）"
    taken.add((programme_id, org_id, name))
    return name


def form_data(rng, programme, org, category, name, recommender, self_declared, *, level=None) -> dict:
    """Table A.1 as the applicant fills it in (field → value, only editable fields): realistic
    text and figures for ``name``. The demo year saves it through the draft service."""
    product = name[:-2]
    sales_before = _money(rng, 500, 50000)
    profit_before = _money(rng, -200, 5000)
    signed = timezone.localdate() - datetime.timedelta(days=rng.randint(10, 60))
    return dict(
        project_name=name, category=category, advancement_level=level or _pick(rng, LEVEL_WEIGHTS),
        recommender=recommender, self_declared=self_declared,
        completion_date=datetime.date(programme.year - 1, rng.randint(1, 12), rng.randint(1, 28)),
        org_intro=f"{org.name}位于上海市，主营{product}的研发、生产和销售，建立了完善的质量管理体系。",
        background=f"{product}的质量稳定性是制约国产替代的关键，客户对一致性要求日益提高。",
        objectives=f"通过攻关实现{product}关键指标达到国内领先水平，质量损失率下降30%。",
        investment=_money(rng, 50, 3000),
        quality_level="关键质量指标经第三方检测，达到或优于国际同类产品水平。",
        innovation="运用六西格玛、FMEA等方法识别关键质量特性，优化工艺参数并建立在线监测系统。",
        effect_direct="攻关后12个月销售额与利润均有增长。",
        effect_indirect="质量成本下降，返工返修减少。",
        effect_green="单位产品能耗和排放下降。",
        effect_social="带动产业链上下游质量提升，获得主要客户质量表彰。",
        sales_before=sales_before, sales_after=(sales_before * _money(rng, 0.95, 1.4)).quantize(CENT),
        profit_before=profit_before, profit_after=profit_before + _money(rng, -50, 1500),
        energy_before=_money(rng, 0, 200), energy_after=_money(rng, 0, 600),
        forex_before=_money(rng, 0, 500), forex_after=_money(rng, 0, 900),
        reduction_percent=_money(rng, 0, 20) if rng.random() < 0.7 else None,
        is_chokepoint=rng.random() < 0.15, is_digital=rng.random() < 0.35,
        tech_head_name=person_name(rng), tech_head_opinion="技术指标属实，同意申报。", tech_head_date=signed,
        finance_head_name=person_name(rng), finance_head_opinion="经济效益数据属实。", finance_head_date=signed,
        unit_head_name=org.legal_representative, unit_head_opinion="同意申报。", unit_head_date=signed,
    )


def _application(rng, programme, org, category, name, recommender, self_declared) -> Application:
    status = _pick(rng, STATUS_WEIGHTS)
    data = form_data(rng, programme, org, category, name, recommender, self_declared)
    app = Application(programme=programme, organisation=org, status=status, **data)
    if status != ApplicationStatus.DRAFT:
        app.organisation_snapshot = organisation_header(org)
        app.submitted_at = timezone.now() - datetime.timedelta(days=rng.randint(0, 20))
    return app


def team_rows(rng, org) -> list[dict]:
    """The project team as the form posts it (TeamMember.COLUMNS)."""
    return [{"name": m.name, "gender": m.gender, "title": m.title, "education": m.education,
             "work_unit": m.work_unit} for m in _team(rng, org)]


def _team(rng, org) -> list[TeamMember]:
    return [
        TeamMember(order=n, name=person_name(rng), gender=rng.choice(["male", "female"]), title=rng.choice(TITLES),
                   education=rng.choice(["doctorate", "master", "bachelor", "bachelor", "college"]),
                   work_unit=f"{org.name[:12]}{rng.choice(UNITS)}")
        for n in range(1, rng.randint(3, 8) + 1)
    ]


def _bulk_related(rng, apps, teams) -> None:
    """Team rows for all, a first version for the submitted ones, a return comment for returned ones."""
    members, versions = [], []
    for app, team in zip(apps, teams, strict=True):
        for member in team:
            member.application = app
            members.append(member)
        if app.status != ApplicationStatus.DRAFT:
            data = application_data(app, team=team, conflicts=[], evidence=[], joint=[])
            versions.append(ApplicationVersion(application=app, number=1, data=data))
    TeamMember.objects.bulk_create(members, batch_size=1000)
    ApplicationVersion.objects.bulk_create(versions, batch_size=500)
    ReturnComment.objects.bulk_create(
        [ReturnComment(application=v.application, version=v, section=rng.choice(["intro", "effect", "evidence"]),
                       text="请补充经济效益计算说明及第三方检测报告。")
         for v in versions if v.application.status == ApplicationStatus.RETURNED],
        batch_size=500,
    )
