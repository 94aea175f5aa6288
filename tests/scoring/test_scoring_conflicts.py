"""Conflicts of interest (回避): every automatic rule, the four sources, dismissal, recusal of an
assignment that meets a conflict (its score discarded but kept in the audit trail), and the
administrator's register."""

import re

import pytest
from django.urls import reverse

from applications.models import ConflictDeclaration
from portal.models import AuditEntry
from portal.models.organisations import RecommendingUnitKind
from portal.models.users import Role
from portal.services.errors import DomainError, PermissionDenied
from scoring.models import (
    Assignment,
    AssignmentStatus,
    ConflictOfInterest,
    ConflictSource,
    ConflictStatus,
    CriterionScore,
    Score,
)
from scoring.services.assignment import assign_expert
from scoring.services.conflict_rules import email_domain, normalise_org_name
from scoring.services.conflicts import (
    decide_conflict,
    declare_conflict,
    declare_unit_conflict,
    detect_conflicts,
    is_blocked,
    set_conflict,
)
from scoring.services.rubrics import load_rubric
from tests.factories import (
    OrganisationFactory,
    ProgrammeFactory,
    RecommendingUnitFactory,
    ReviewExpertFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.review_setup import assign, expert_for, pairs, reviewable, reviewing_programme

# --- normalising names ------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "上海精密机械有限公司", "精密机械（上海）有限公司", "上海精密机械股份有限公司", "上海市精密机械有限责任公司",
    "精密机械集团有限公司", " 上海 精密机械 (上海) 股份有限公司 ", "上海精密机械集团", "上海精密机械公司",
])
def test_organisation_names_normalise_to_one_key(name):
    assert normalise_org_name(name) == "精密机械"


def test_different_or_too_short_names_do_not_match():
    assert normalise_org_name("上海精密机械有限公司") != normalise_org_name("上海精密仪器有限公司")
    assert normalise_org_name("上海A有限公司") == ""  # one character left: no key
    assert normalise_org_name("") == ""


def test_public_mail_domains_are_ignored():
    assert email_domain("a@qq.com") == "" and email_domain("b@163.com") == "" and email_domain("c@gmail.com") == ""
    assert email_domain("d@Corp.Example.CN") == "corp.example.cn"
    assert email_domain("e@mail.sgcc.com.cn") == email_domain("f@sgcc.com.cn") == "sgcc.com.cn"
    assert email_domain("g@mail.cn") == "mail.cn" and email_domain("no-address") == ""


# --- each automatic rule ------------------------------------------------------------------------


@pytest.fixture
def programme(db):
    return reviewing_programme()


def test_same_credit_code_fires(programme):
    app = reviewable(programme)
    expert = expert_for(work_unit="完全不同的名字", work_unit_credit_code=app.organisation.credit_code)
    detect_conflicts(programme)
    assert pairs("credit_code") == {(expert.pk, app.pk)}


@pytest.mark.parametrize(("org_name", "unit"), [
    ("上海精密机械股份有限公司", "精密机械（上海）有限公司"),
    ("上海精密机械有限公司", "上海精密机械有限责任公司"),
    ("精密机械（上海）有限公司", "上海精密机械集团"),
])
def test_normalised_name_fires(programme, org_name, unit):
    app = reviewable(programme, organisation=OrganisationFactory(name=org_name))
    expert = expert_for(work_unit=unit)
    ReviewExpertFactory(work_unit="上海精密仪器有限公司")  # similar, not the same
    detect_conflicts(programme)
    assert pairs("org_name") == {(expert.pk, app.pk)}


def test_past_employer_fires_also_for_a_joint_applicant(programme):
    app = reviewable(programme)
    joint = OrganisationFactory(name="上海联合材料科技有限公司")
    app.joint_applicants.add(joint)
    expert = expert_for(work_unit="某大学", past_employers="某研究所\n联合材料科技（上海）有限公司")
    detect_conflicts(programme)
    conflict = ConflictOfInterest.objects.get(rule="past_employer")
    assert (conflict.expert_id, conflict.application_id) == (expert.pk, app.pk)
    assert "联合申报单位" in conflict.reason


def test_same_group_company_fires_by_group_name_and_by_sibling_member(programme):
    group = RecommendingUnitFactory(name="上海电气集团股份有限公司", kind=RecommendingUnitKind.GROUP_COMPANY,
                                    district=None)
    app = reviewable(programme, organisation=OrganisationFactory(name="上海电气电站设备有限公司",
                                                                 group_company=group))
    at_group = expert_for(work_unit="上海电气（集团）总公司")
    sibling = OrganisationFactory(name="上海电气输配电有限公司", group_company=group)
    at_sibling = expert_for(work_unit="上海电气输配电有限公司")
    outsider = expert_for(work_unit="上海机床厂有限公司")
    detect_conflicts(programme)
    assert pairs("group_company") == {(at_group.pk, app.pk), (at_sibling.pk, app.pk)}
    assert not is_blocked(outsider.pk, app.pk) and sibling.pk


def test_team_member_fires_and_a_name_only_match_is_recorded_as_same_name(programme):
    app = reviewable(programme)
    other = reviewable(programme)
    expert = expert_for(work_unit="上海精密机械有限公司", user__full_name="王建国")
    TeamMemberFactory(application=app, name="王建国", work_unit="上海精密机械有限公司质量部")
    TeamMemberFactory(application=other, name="王 建国", work_unit="")
    detect_conflicts(programme)
    reasons = dict(ConflictOfInterest.objects.filter(rule="team_member").values_list("application_id", "reason"))
    assert set(reasons) == {app.pk, other.pk}
    assert "专家本人" in reasons[app.pk]
    assert "同名" in reasons[other.pk]
    assert is_blocked(expert.pk, other.pk)


def test_email_domain_fires_but_public_mail_does_not(programme):
    corporate = reviewable(programme, organisation=OrganisationFactory(email="office@precision.com.cn"))
    public = reviewable(programme, organisation=OrganisationFactory(email="factory2024@qq.com"))
    expert = expert_for(user__email="li@precision.com.cn")
    qq_expert = expert_for(user__email="li.expert@qq.com")
    detect_conflicts(programme)
    assert pairs("email_domain") == {(expert.pk, corporate.pk)}
    assert not is_blocked(qq_expert.pk, public.pk)


def test_detection_is_idempotent_and_a_dismissed_finding_stays_dismissed(programme, administrator):
    programme.organiser = administrator.organiser
    programme.save()
    app = reviewable(programme)
    expert_for(work_unit_credit_code=app.organisation.credit_code)
    detect_conflicts(programme)
    detect_conflicts(programme)
    conflict = ConflictOfInterest.objects.get()
    decide_conflict(administrator, conflict, confirm=False)
    assert detect_conflicts(programme).created == []
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.DISMISSED and ConflictOfInterest.objects.count() == 1


# --- the other three sources -----------------------------------------------------------------------


def test_applicant_declaration_by_name_and_unit_or_by_unit(programme):
    app = reviewable(programme)
    named = expert_for(user__full_name="赵敏", work_unit="上海某检测中心有限公司")
    by_unit = expert_for(user__full_name="钱进", work_unit="上海竞争对手股份有限公司")
    namesake = expert_for(user__full_name="孙立", work_unit="上海甲公司研究院")
    ConflictDeclaration.objects.create(application=app, expert_name="赵敏", work_unit="某检测中心（上海）有限公司",
                                       reason="合作关系")
    ConflictDeclaration.objects.create(application=app, work_unit="上海竞争对手有限公司", reason="竞争对手")
    ConflictDeclaration.objects.create(application=app, expert_name="孙立", work_unit="上海乙公司")
    detect_conflicts(app)
    found = {c.expert_id: c for c in ConflictOfInterest.objects.filter(source=ConflictSource.APPLICANT)}
    assert set(found) == {named.pk, by_unit.pk, namesake.pk}
    assert "合作关系" in found[named.pk].reason and "同名" in found[namesake.pk].reason
    assert all(c.rule == "applicant_declared" for c in found.values())


def test_expert_declares_on_an_assigned_application_and_is_recused(programme, administrator):
    expert = expert_for()
    app = reviewable(programme)
    assignment = assign(expert, app)
    declare_conflict(expert.user, app, "曾为该单位提供咨询服务")
    assignment.refresh_from_db()
    conflict = ConflictOfInterest.objects.get(source=ConflictSource.EXPERT)
    assert conflict.status == ConflictStatus.ACTIVE and assignment.status == AssignmentStatus.RECUSED
    assert assignment.ended_at is not None and "咨询" in assignment.end_reason
    with pytest.raises(DomainError):
        declare_conflict(expert.user, app, "  ")
    with pytest.raises(PermissionDenied):  # an expert's own declaration stands
        decide_conflict(UserFactory(role=Role.ADMINISTRATOR, is_superuser=True), conflict, confirm=False)


def _masked(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())  # CSRF tokens differ per response


def test_declaring_a_unit_records_conflicts_without_telling_whether_it_applied(programme, client):
    expert = expert_for()
    mine = assign(expert, reviewable(programme))
    elsewhere = reviewable(programme, organisation=OrganisationFactory(name="上海精密机械有限公司"))
    client.force_login(expert.user)
    home = reverse("scoring:expert_programme", args=[programme.pk])
    before = client.get(home).content.decode()
    url = reverse("scoring:conflict_declare_unit", args=[programme.pk])
    miss = client.post(url, {"unit_name": "毫不相干科技有限公司", "reason": "亲属任职"}, follow=True)
    hit = client.post(url, {"unit_name": "精密机械（上海）股份有限公司", "reason": "曾任顾问"}, follow=True)
    assert [str(m) for m in hit.context["messages"]] == [str(m) for m in miss.context["messages"]]
    assert _masked(hit) == _masked(miss)
    assert pairs("declared_unit", ConflictSource.EXPERT) == {(expert.pk, elsewhere.pk)}
    assert client.get(home).content.decode().count(mine.application.project_name) == before.count(
        mine.application.project_name)
    assert elsewhere.project_name not in hit.content.decode()


def test_declaring_the_unit_of_an_assigned_application_recuses_it(programme):
    expert = expert_for()
    app = reviewable(programme, organisation=OrganisationFactory(name="上海精密机械有限公司"))
    assignment = assign(expert, app)
    declare_unit_conflict(expert.user, programme, unit_name="精密机械集团", reason="曾任顾问")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.RECUSED
    with pytest.raises(DomainError):
        declare_unit_conflict(expert.user, programme, unit_name="甲", reason="x")


def test_administrator_sets_a_conflict_which_blocks_assignment(administrator):
    programme = reviewing_programme(administrator)
    app, expert = reviewable(programme), expert_for()
    set_conflict(administrator, expert, app, "亲属在申报单位任职")
    assert ConflictOfInterest.objects.get().status == ConflictStatus.CONFIRMED
    with pytest.raises(DomainError, match="回避"):
        assign_expert(administrator, app, expert)
    assert not Assignment.objects.exists()
    other_admin = UserFactory(role=Role.ADMINISTRATOR, organiser=ProgrammeFactory().organiser)
    with pytest.raises(PermissionDenied):
        set_conflict(other_admin, expert, app, "x")


def test_dismissing_an_automatic_conflict_unblocks_assignment(administrator):
    programme = reviewing_programme(administrator)
    app = reviewable(programme)
    expert = expert_for(work_unit_credit_code=app.organisation.credit_code)
    with pytest.raises(DomainError):
        assign_expert(administrator, app, expert)  # detected at the moment of assigning
    conflict = ConflictOfInterest.objects.get(rule="credit_code")
    decide_conflict(administrator, conflict, confirm=False, note="信用代码录入错误")
    assignment = assign_expert(administrator, app, expert)
    assert assignment.status == AssignmentStatus.ACTIVE
    assert AuditEntry.objects.filter(action="conflict.dismiss", object_id=str(conflict.pk)).exists()


def test_conflict_after_assignment_recuses_and_discards_the_draft_score_into_the_audit_trail(administrator):
    rubric = load_rubric(__import__("tests.scoring.test_scoring_rubrics", fromlist=["B1"]).B1)
    programme = reviewing_programme(administrator)
    app = reviewable(programme)
    expert = expert_for()
    assignment = assign(expert, app)
    score = Score.objects.create(assignment=assignment, overall_comment="创新性突出", total=8)
    criterion = rubric.sections.first().criteria.first()
    CriterionScore.objects.create(score=score, criterion=criterion, points=8, comment="指标提升明显")
    expert.work_unit_credit_code = app.organisation.credit_code
    expert.save()
    result = detect_conflicts(expert)
    assignment.refresh_from_db()
    assert [a.pk for a in result.recused] == [assignment.pk]
    assert assignment.status == AssignmentStatus.RECUSED and assignment.ended_at and assignment.end_reason
    assert not Score.objects.filter(pk=score.pk).exists()
    entry = AuditEntry.objects.get(action="score.discard")
    assert entry.changes["overall_comment"][0] == "创新性突出"
    assert entry.changes["items"][0][0]["comment"] == "指标提升明显"
    assert AuditEntry.objects.filter(action="assignment.recuse", object_id=str(assignment.pk)).exists()


# --- the administrator's register ----------------------------------------------------------------


def test_register_lists_who_is_recused_from_what_with_filters_and_decisions(client, administrator):
    programme = reviewing_programme(administrator)
    app = reviewable(programme, organisation=OrganisationFactory(name="上海精密机械有限公司"))
    expert = expert_for(user__full_name="周检测", work_unit="精密机械（上海）有限公司")
    assign(expert, app)
    client.force_login(administrator)
    client.post(reverse("scoring:conflict_detect", args=[programme.pk]))
    url = reverse("scoring:conflict_list", args=[programme.pk])
    page = client.get(url).content.decode()
    assert "周检测" in page and app.project_name in page and "已撤回分配" in page
    assert client.get(url, {"source": "automatic"}).context["page"].paginator.count == 1
    assert client.get(url, {"source": "expert"}).context["page"].paginator.count == 0
    assert client.get(url, {"q": "周检测"}).context["page"].paginator.count == 1
    conflict = ConflictOfInterest.objects.get()
    client.post(reverse("scoring:conflict_decide", args=[conflict.pk]), {"action": "confirm"})
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.CONFIRMED and conflict.decided_by == administrator
    other = UserFactory(role=Role.ADMINISTRATOR, organiser=ProgrammeFactory().organiser)
    for user in (other, expert.user):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(reverse("scoring:conflict_decide", args=[conflict.pk]),
                           {"action": "dismiss"}).status_code == 404
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.CONFIRMED


def test_administrator_adds_a_conflict_on_the_register(client, administrator):
    programme = reviewing_programme(administrator)
    app, expert = reviewable(programme), expert_for()
    client.force_login(administrator)
    client.post(reverse("scoring:conflict_add", args=[programme.pk]),
                {"expert": expert.pk, "application": app.pk, "reason": "师生关系"})
    conflict = ConflictOfInterest.objects.get()
    assert conflict.source == ConflictSource.ADMINISTRATOR and conflict.created_by == administrator
