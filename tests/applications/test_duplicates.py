"""Duplicate detection by content (疑似重复, issue 17): seeded near-duplicates are found, different
projects of one enterprise are not; who learns what; dismissal audited and then silent."""

import random

import pytest
from django.test import TestCase
from django.urls import reverse

from applications import duplicates_index
from applications.duplicates_passages import matching_passages
from applications.models import ApplicationFingerprint, DuplicateCandidate, DuplicateStatus
from applications.services import duplicates, submission
from applications.visibility import duplicates_for
from portal.models import AuditEntry, ProgrammeStatus
from portal.models.programmes import Level
from portal.models.users import Role
from portal.services.errors import DomainError, PermissionDenied
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    DistrictFactory,
    OrganisationFactory,
    OrganiserFactory,
    ProgrammeFactory,
    RecommendingUnitFactory,
    UserFactory,
    complete_application,
)

ORG_INTRO = (
    "上海申嘉精密传动科技有限公司成立于2006年，位于嘉定区，是国家高新技术企业和专精特新“小巨人”企业。"
    "公司现有员工620人，其中研发人员135人，建有市级企业技术中心。"
    "主导产品为工业机器人用精密谐波减速器，年产能十二万台，产品配套国内主要机器人整机企业。"
)

# Project 1: harmonic reducer life. Each section several sentences, so that rewordings touch a part.
SPINDLE = {
    "project_name": "工业机器人精密谐波减速器寿命与精度保持性提升攻关",
    "org_intro": ORG_INTRO,
    "background": (
        "谐波减速器是工业机器人关节的核心部件，长期依赖进口。\n"
        "国产谐波减速器在连续运行后回差增大、传动精度衰减快，整机企业普遍反映寿命不足六千小时。"
        "精度保持性已成为制约国产机器人进入汽车焊装和半导体搬运等高端场景的主要瓶颈。"
    ),
    "objectives": (
        "额定寿命由六千小时提升至一万两千小时以上。"
        "传动误差由一点五角分降至零点八角分以内，回差在寿命期内增幅不超过百分之二十。"
        "批次合格率由百分之九十三提升至百分之九十八点五。"
    ),
    "quality_level": (
        "经国家机器人质量检验检测中心测试，额定寿命达一万三千五百小时，传动误差零点六角分。"
        "关键指标与日本同类产品相当，达到国际先进水平。"
    ),
    "innovation": (
        "建立柔轮齿廓双圆弧修形设计方法，降低齿根应力集中百分之二十七。\n"
        "开发柔轮材料真空渗氮与深冷复合处理工艺，提高表面硬度和疲劳强度。\n"
        "引入六西格玛方法分析回差波动的关键因子，建立装配预紧力在线监测与全过程质量追溯系统。"
    ),
    "effect_direct": "攻关后十二个月销售额由一点八亿元增至二点六亿元，增长百分之四十四，利润增长百分之五十二。",
    "effect_indirect": (
        "内部返修率由百分之三点二降至百分之零点九，每年节约质量损失成本约六百八十万元，替代进口节约外汇。"
    ),
    "effect_green": "渗氮工序优化后单件能耗下降百分之十二，切削液消耗下降百分之十八。",
    "effect_social": "带动长三角十余家配套企业提升齿轮加工质量，为国产机器人关键部件自主可控作出贡献。",
}

# Project 2 of the same enterprise: a different product and story, the same organisation text.
SERVO = {
    "project_name": "协作机器人一体化关节伺服电机温升与噪声控制攻关",
    "org_intro": ORG_INTRO,
    "background": (
        "协作机器人要求关节模块体积小、运行安静，一体化关节中的无框力矩电机发热集中。"
        "用户反馈在连续搬运工况下关节外壳温度超过七十摄氏度，噪声高于六十分贝，影响人机共融作业。"
    ),
    "objectives": (
        "关节满载连续运行温升控制在三十五开尔文以内。"
        "整机运行噪声降至五十二分贝以下，编码器信号异常停机次数下降八成。"
    ),
    "quality_level": "第三方检测表明温升三十一开尔文、噪声四十九分贝，优于同类进口关节模块。",
    "innovation": (
        "采用定子绕组分段灌封与导热硅胶垫一体成型结构，缩短热传导路径。\n"
        "基于有限元电磁热耦合仿真优化槽极配合，削弱齿槽转矩。\n"
        "应用故障模式与影响分析梳理编码器干扰源，改进屏蔽接地设计并纳入来料检验标准。"
    ),
    "effect_direct": "关节模块年销量由八千套增至一万九千套，新增销售额九千六百万元。",
    "effect_indirect": "售后维修工单减少百分之六十一，年节约服务费用约两百四十万元。",
    "effect_green": "电机效率提升三个百分点，按年销量测算年节电约一百一十万千瓦时。",
    "effect_social": "产品进入医疗康复和教育实训场景，提升了国产协作机器人的用户口碑。",
}


def reworded_title(fields):
    return {**fields, "project_name": "高精度机器人关节减速装置长寿命及精度稳定性质量攻关"}


def reordered(fields):
    """Paragraphs of every section in another order, and two sections' texts swapped."""
    shuffled = {}
    for name, text in fields.items():
        parts = [p for p in text.replace("。", "。\n").split("\n") if p]
        random.Random(name).shuffle(parts)
        shuffled[name] = "\n".join(parts)
    shuffled["effect_direct"], shuffled["effect_indirect"] = shuffled["effect_indirect"], shuffled["effect_direct"]
    return shuffled


def sentences_changed(fields):
    return {
        **fields,
        "background": fields["background"].replace(
            "整机企业普遍反映寿命不足六千小时", "下游用户反映平均寿命只有约五千八百小时"),
        "objectives": fields["objectives"].replace(
            "批次合格率由百分之九十三提升至百分之九十八点五。", "出厂一次交验合格率提升至百分之九十八以上。"),
        "effect_green": "通过渗氮炉余热回收和工艺参数优化，单位产品综合能耗明显下降。",
        "effect_social": "项目成果在行业协会年会上交流推广，多家企业前来学习。",
    }


@pytest.fixture(autouse=True)
def _fresh_index():
    """The index lives in the process; each test's database starts empty."""
    duplicates_index.reset_index()
    yield
    duplicates_index.reset_index()


def submitted(programme, fields, *, organisation=None, recommender=None, **kwargs):
    """An application with ``fields`` submitted through the service (as the applicant does)."""
    organisation = organisation or OrganisationFactory()
    app = complete_application(programme=programme, organisation=organisation, recommender=recommender,
                               **{**fields, **kwargs})
    submit(app)
    app.refresh_from_db()
    return app


def submit(app, organisation=None):
    """Submits as a member; the search runs once the submission is committed."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        submission.submit(ApplicantFactory(organisation=organisation or app.organisation), app)


def pair_of(x, y):
    a, b = sorted((x.pk, y.pk))
    return DuplicateCandidate.objects.filter(a_id=a, b_id=b).first()


@pytest.fixture
def cast(db):
    """Municipal organiser M (programmes 2026 and 2025) and district organiser J (Jiading, 2026);
    district bureau units R (recommends to M) and RJ (to J); their recommenders and administrators."""
    jiading = DistrictFactory()
    municipal = OrganiserFactory(name="上海市市场监督管理局", level=Level.MUNICIPAL)
    district = OrganiserFactory(name="嘉定区市场监督管理局", level=Level.DISTRICT, district=jiading)

    class Cast:
        pass

    c = Cast()
    c.m2026 = ProgrammeFactory(year=2026, organiser=municipal)
    c.m2025 = ProgrammeFactory(year=2025, organiser=municipal, status=ProgrammeStatus.OPEN)
    c.j2026 = ProgrammeFactory(year=2026, organiser=district, level=Level.DISTRICT, district=jiading,
                               title="2026年嘉定区重点产品质量攻关项目申报")
    c.unit, c.unit_j = RecommendingUnitFactory(), RecommendingUnitFactory(name="嘉定区市场监督管理局（推荐）")
    c.recommender = UserFactory(role=Role.RECOMMENDER, recommending_unit=c.unit)
    c.recommender_j = UserFactory(role=Role.RECOMMENDER, recommending_unit=c.unit_j)
    c.admin = UserFactory(role=Role.ADMINISTRATOR, organiser=municipal)
    c.admin_j = UserFactory(role=Role.ADMINISTRATOR, organiser=district)
    c.enterprise = OrganisationFactory(name="申嘉传动（上海）股份公司")
    c.partner = OrganisationFactory(name="上海交大智能装备研究院有限公司")
    return c


# ---- what is found ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("variant", [reworded_title, reordered, sentences_changed], ids=lambda f: f.__name__)
def test_a_near_duplicate_in_another_year_is_found(cast, variant):
    last_year = submitted(cast.m2025, SPINDLE, organisation=cast.enterprise, recommender=cast.unit)
    this_year = submitted(cast.m2026, variant(SPINDLE), organisation=cast.enterprise, recommender=cast.unit)
    pair = pair_of(last_year, this_year)
    assert pair is not None and pair.status == DuplicateStatus.OPEN
    assert pair.similarity >= 0.5
    assert pair.passages, "the matching passages are stored for the side-by-side view"


@pytest.mark.django_db
def test_similarity_is_the_exact_jaccard_and_falls_with_the_changes(cast):
    base = submitted(cast.m2025, SPINDLE, organisation=cast.enterprise, recommender=cast.unit)
    scores = {}
    for variant in (reworded_title, reordered, sentences_changed):
        app = submitted(cast.m2026, variant(SPINDLE), organisation=OrganisationFactory(), recommender=cast.unit,
                        project_name=variant.__name__ + variant(SPINDLE)["project_name"])
        scores[variant.__name__] = pair_of(base, app).similarity
    expected = duplicates_index.jaccard(
        duplicates_index.shingle_codes(duplicates_index.normalise(duplicates_index.content_text(SPINDLE))),
        duplicates_index.shingle_codes(duplicates_index.normalise(duplicates_index.content_text(
            {**SPINDLE, "project_name": "reworded_title" + reworded_title(SPINDLE)["project_name"]}))))[0]
    assert scores["reworded_title"] == pytest.approx(expected, abs=1e-4)
    assert 1 > scores["reworded_title"] > scores["sentences_changed"] >= 0.5


@pytest.mark.django_db
def test_the_same_project_by_a_joint_applicant_through_another_channel_is_found(cast):
    """The enterprise goes to the district programme; its partner, naming the enterprise as joint
    applicant, sends the same project to the same year's municipal programme."""
    mine = submitted(cast.j2026, SPINDLE, organisation=cast.enterprise, recommender=cast.unit_j)
    theirs = complete_application(programme=cast.m2026, organisation=cast.partner, recommender=cast.unit,
                                  **reworded_title(SPINDLE))
    theirs.joint_applicants.add(cast.enterprise)
    submit(theirs)
    pair = pair_of(mine, theirs)
    assert pair is not None and pair.similarity > 0.9


@pytest.mark.django_db
def test_a_published_award_of_an_older_year_is_compared_too(cast):
    from awards.models import Award

    old_programme = ProgrammeFactory(year=2021, organiser=cast.m2026.organiser, status=ProgrammeStatus.PUBLISHED)
    honoured = complete_application(programme=old_programme, organisation=cast.enterprise, recommender=cast.unit,
                                    status="endorsed", **SPINDLE)
    not_honoured = complete_application(programme=ProgrammeFactory(year=2022), organisation=OrganisationFactory(),
                                        status="endorsed", **{**SPINDLE, "project_name": "未获奖的旧项目"})
    for app in (honoured, not_honoured):
        duplicates.fingerprint(app)  # stored as when they were submitted
    Award.objects.create(programme=old_programme, application=honoured, tier="second", proposed_tier="second",
                         project_name=honoured.project_name, organisation_name=cast.enterprise.name)
    new = submitted(cast.m2026, reworded_title(SPINDLE), organisation=cast.enterprise, recommender=cast.unit)
    assert pair_of(honoured, new) is not None
    assert pair_of(not_honoured, new) is None, "four years back and never honoured: out of the comparison"
    [entry] = duplicates.duplicate_entries(cast.admin, new)
    assert entry.award is not None and entry.award.tier == "second" and entry.year == 2021


def test_the_prize_rule_named_in_applications_is_the_awards_one():
    """applications may not import awards (tests/system/test_architecture.py): the constants are repeated."""
    from awards.models.awards import AWARDED_TIERS
    from awards.permissions import PUBLIC_STATUSES

    assert set(duplicates.AWARDED_TIERS) == set(AWARDED_TIERS)
    assert set(duplicates.PUBLISHED) == set(PUBLIC_STATUSES)


@pytest.mark.django_db
def test_different_projects_of_one_enterprise_are_not_flagged(cast):
    first = submitted(cast.m2026, SPINDLE, organisation=cast.enterprise, recommender=cast.unit)
    second = submitted(cast.m2026, SERVO, organisation=cast.enterprise, recommender=cast.unit)
    assert pair_of(first, second) is None
    assert not DuplicateCandidate.objects.exists()
    assert ApplicationFingerprint.objects.filter(application__in=[first, second]).count() == 2


@pytest.mark.django_db
def test_the_threshold_is_a_setting(cast, settings):
    base = submitted(cast.m2025, SPINDLE, organisation=cast.enterprise, recommender=cast.unit)
    settings.DUPLICATE_SIMILARITY_THRESHOLD = 0.99
    app = submitted(cast.m2026, sentences_changed(SPINDLE), organisation=cast.enterprise, recommender=cast.unit)
    assert pair_of(base, app) is None
    settings.DUPLICATE_SIMILARITY_THRESHOLD = 0.5
    duplicates.check_application(app)
    assert pair_of(base, app) is not None


@pytest.mark.django_db
def test_a_resubmission_that_is_no_longer_similar_drops_the_open_pair(cast):
    base = submitted(cast.m2025, SPINDLE, organisation=cast.enterprise, recommender=cast.unit)
    app = submitted(cast.m2026, reworded_title(SPINDLE), organisation=cast.enterprise, recommender=cast.unit)
    assert pair_of(base, app) is not None
    app.__dict__.update({k: v for k, v in SERVO.items() if k != "project_name"})
    app.save()
    duplicates.check_application(app)
    assert pair_of(base, app) is None


def test_matching_passages_pair_sentences_across_sections():
    moved = {**SPINDLE, "background": "", "objectives": SPINDLE["background"]}
    passages = matching_passages(SPINDLE, moved)
    crossed = [p for p in passages if p["a_field"] == "background"]
    assert crossed and all(p["b_field"] == "objectives" for p in crossed)
    assert any("谐波减速器是工业机器人关节的核心部件" in p["b_text"] for p in crossed)
    assert not matching_passages(SPINDLE, {**SERVO, "org_intro": ""})


@pytest.mark.django_db
def test_the_search_runs_once_the_submission_is_committed(cast):
    """Two copies submitted at the same moment: the later search sees the earlier signature."""
    first = complete_application(programme=cast.m2026, organisation=cast.enterprise, recommender=cast.unit,
                                 **SPINDLE)
    with TestCase.captureOnCommitCallbacks(execute=False) as pending:
        submission.submit(ApplicantFactory(organisation=cast.enterprise), first)
    assert ApplicationFingerprint.objects.filter(application=first).exists()  # stored with the submission
    second = submitted(cast.j2026, reworded_title(SPINDLE), organisation=cast.partner, recommender=cast.unit_j)
    assert pair_of(first, second) is not None
    for callback in pending:  # the first submission's own search, after its commit: the pair stays
        callback()
    assert DuplicateCandidate.objects.count() == 1


@pytest.mark.django_db
def test_a_failing_check_never_refuses_a_submission(cast, monkeypatch):
    def broken(app):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(duplicates, "check_application", broken)
    app = submitted(cast.m2026, SPINDLE, organisation=cast.enterprise, recommender=cast.unit)
    assert app.status == "submitted"


@pytest.mark.django_db
def test_rebuild_command_recomputes_signatures_and_rescans(cast, settings):
    from io import StringIO

    from django.core.management import call_command

    base = submitted(cast.m2025, SPINDLE, organisation=cast.enterprise, recommender=cast.unit)
    app = submitted(cast.m2026, reworded_title(SPINDLE), organisation=cast.enterprise, recommender=cast.unit)
    DuplicateCandidate.objects.all().delete()
    ApplicationFingerprint.objects.filter(application=base).delete()
    out = StringIO()
    call_command("rebuild_duplicate_index", "--scan", stdout=out)
    assert "1 signatures computed, 2 applications indexed, 1 open pairs found" in out.getvalue()
    assert pair_of(base, app) is not None


# ---- who sees what ----------------------------------------------------------------------------------


@pytest.fixture
def cross_channel(cast):
    """The same project in the municipal programme (unit R) and in Jiading's (unit RJ), same year."""
    municipal = submitted(cast.m2026, SPINDLE, organisation=cast.enterprise, recommender=cast.unit)
    district = submitted(cast.j2026, reworded_title(SPINDLE), organisation=cast.partner, recommender=cast.unit_j)
    return municipal, district, pair_of(municipal, district)


@pytest.mark.django_db
def test_a_recommender_learns_only_that_a_close_match_exists_elsewhere(client, cast, cross_channel):
    municipal, district, pair = cross_channel
    client.force_login(cast.recommender_j)
    page = client.get(reverse("applications:review", args=[district.pk])).content.decode()
    assert "疑似重复" in page and f"相似度 {round(pair.similarity * 100)}%" in page
    assert "2026年市级批次" in page and "其他推荐渠道" in page
    assert municipal.project_name not in page and cast.enterprise.name not in page
    assert "谐波减速器是工业机器人关节的核心部件" not in page.split("疑似重复")[1].split("</section>")[0]
    assert client.get(reverse("applications:duplicate_compare", args=[pair.pk])).status_code == 404


@pytest.mark.django_db
def test_the_organisers_administrator_sees_both_side_by_side(client, cast):
    last_year = submitted(cast.m2025, SPINDLE, organisation=cast.enterprise, recommender=cast.unit)
    this_year = submitted(cast.m2026, sentences_changed(SPINDLE), organisation=cast.partner, recommender=cast.unit,
                          project_name="精密谐波减速器寿命提升（合作方申报）")
    pair = pair_of(last_year, this_year)
    client.force_login(cast.admin)
    review = client.get(reverse("applications:review", args=[this_year.pk])).content.decode()
    assert last_year.project_name in review and cast.enterprise.name in review
    compare = client.get(reverse("applications:duplicate_compare", args=[pair.pk]) + f"?from={this_year.pk}")
    assert compare.status_code == 200
    text = compare.content.decode()
    assert text.index(this_year.project_name) < text.index(last_year.project_name), "the page's own first"
    assert text.count("建立柔轮齿廓双圆弧修形设计方法") == 2, "a matching passage in both columns"
    assert "下游用户反映平均寿命只有约五千八百小时" not in text, "a rewritten sentence is no matching passage"
    # The district's administrator is not this pair's to know of.
    assert not duplicates_for(cast.admin_j).filter(pk=pair.pk).exists()


@pytest.mark.django_db
def test_experts_and_applicants_see_nothing(client, cast, cross_channel):
    from tests.factories import ReviewExpertFactory

    municipal, district, pair = cross_channel
    member = ApplicantFactory(organisation=cast.enterprise)
    expert = ReviewExpertFactory().user
    for user in (member, expert):
        assert not duplicates_for(user).exists()
        client.force_login(user)
        assert client.get(reverse("applications:duplicate_compare", args=[pair.pk])).status_code == 404
        assert client.post(reverse("applications:duplicate_dismiss", args=[pair.pk]),
                           {"reason": "探测"}).status_code == 404
    client.force_login(member)
    for url in (reverse("applications:edit", args=[municipal.pk]), reverse("applications:list")):
        assert "疑似重复" not in client.get(url).content.decode()
    assert client.get(reverse("applications:review", args=[municipal.pk])).status_code == 404
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.OPEN


# ---- dismissal --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dismissal_is_audited_and_the_pair_is_not_shown_again(client, cast):
    base = submitted(cast.m2025, SPINDLE, organisation=cast.enterprise, recommender=cast.unit)
    app = submitted(cast.m2026, reworded_title(SPINDLE), organisation=cast.enterprise, recommender=cast.unit)
    pair = pair_of(base, app)
    client.force_login(cast.recommender)
    url = reverse("applications:duplicate_dismiss", args=[pair.pk])
    assert client.post(url, {"reason": "  ", "from": app.pk}).status_code == 400
    reason = "去年项目为一期工程，今年为二期扩产，经现场核实不是同一项目。"
    response = client.post(url, {"reason": reason, "from": app.pk})
    assert response.status_code == 302 and response["Location"] == reverse("applications:review", args=[app.pk])
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.DISMISSED and pair.dismissed_by == cast.recommender
    entries = list(AuditEntry.objects.filter(action="duplicate.dismiss"))
    assert {e.programme_id for e in entries} == {base.programme_id, app.programme_id}  # in each programme's trail
    assert all(e.actor == cast.recommender and "二期扩产" in e.note for e in entries) and len(entries) == 2
    review = client.get(reverse("applications:review", args=[app.pk])).content.decode()
    assert "疑似重复" not in review
    assert client.get(reverse("applications:duplicate_compare", args=[pair.pk])).status_code == 404
    # A resubmission with the same text does not raise it again.
    duplicates.check_application(app)
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.DISMISSED
    assert not duplicates_for(cast.admin).exists()


@pytest.mark.django_db
def test_only_someone_who_reads_both_may_dismiss(cast, cross_channel):
    _municipal, _district, pair = cross_channel
    for user in (cast.recommender, cast.recommender_j, cast.admin, cast.admin_j):
        assert duplicates_for(user).filter(pk=pair.pk).exists(), user
        with pytest.raises(PermissionDenied):
            duplicates.dismiss(user, pair, "看起来不同")
    with pytest.raises(DomainError):
        duplicates.dismiss(cast.admin, pair, "")
    assert not AuditEntry.objects.filter(action="duplicate.dismiss").exists()


@pytest.mark.django_db
def test_drafts_are_neither_indexed_nor_compared(cast):
    draft = ApplicationFactory(programme=cast.m2026, organisation=cast.enterprise, **SPINDLE)
    app = submitted(cast.m2026, reworded_title(SPINDLE), organisation=cast.partner, recommender=cast.unit)
    assert not ApplicationFingerprint.objects.filter(application=draft).exists()
    assert pair_of(draft, app) is None


def test_the_vectorised_signature_is_datasketchs():
    codes = duplicates_index.shingle_codes(duplicates_index.normalise(duplicates_index.content_text(SPINDLE)))
    for sample in (codes, codes[:1], codes[:0]):
        ours, reference = duplicates_index.signature(sample), duplicates_index.reference_signature(sample)
        assert list(ours.hashvalues) == list(reference.hashvalues)
    restored = duplicates_index.from_bytes(duplicates_index.to_bytes(duplicates_index.signature(codes)))
    assert restored.jaccard(duplicates_index.reference_signature(codes)) == 1.0


@pytest.mark.django_db
def test_an_edit_in_the_django_admin_refreshes_the_fingerprint(client, cast):
    """The admin is the one path that changes a submitted application's content outside submission."""
    from django.contrib.admin.sites import site

    from applications.admin import ApplicationAdmin
    from applications.models import Application

    base = submitted(cast.m2025, SPINDLE, organisation=cast.enterprise, recommender=cast.unit)
    app = submitted(cast.m2026, SERVO, organisation=cast.enterprise, recommender=cast.unit)
    assert pair_of(base, app) is None
    Application.objects.filter(pk=app.pk).update(**{k: v for k, v in reworded_title(SPINDLE).items()})
    app.refresh_from_db()
    admin_view = ApplicationAdmin(Application, site)
    form = type("F", (), {"instance": app, "save_m2m": lambda self: None})()
    from django.test import RequestFactory

    request = RequestFactory().post("/admin/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    request.audit_before = {}
    with TestCase.captureOnCommitCallbacks(execute=True):
        admin_view.save_related(request, form, [], change=True)
    assert pair_of(base, app) is not None
