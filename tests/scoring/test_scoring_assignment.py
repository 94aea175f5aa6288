"""Assignment in the portal: the automatic job and its proposal, applying it (re-checked), manual
assignment (refusing conflicted and same-unit pairs), removal and reassignment, panels, reminders,
and constant query counts on the expert list and the administrator's overview."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Application
from portal import jobs
from portal.models import AuditEntry, Job, JobStatus
from portal.models.users import Role
from portal.services.errors import DomainError, PermissionDenied
from scoring.models import (
    Assignment,
    AssignmentProposal,
    AssignmentStatus,
    ExpertProfile,
    Panel,
    Score,
    ScoreStatus,
)
from scoring.services.assignment import (
    apply_proposal,
    assign_expert,
    create_proposal,
    reassign,
    remove_assignment,
    send_reminders,
)
from scoring.services.assignment_problem import build_problem
from scoring.services.conflicts import set_conflict
from tests.factories import ProgrammeFactory, ProjectCategoryFactory, UserFactory
from tests.review_setup import assign, expert_for, reviewable, reviewing_programme


@pytest.fixture
def programme(administrator):
    return reviewing_programme(administrator, experts_per_application=2, min_load_per_expert=1,
                               max_load_per_expert=4)


@pytest.fixture
def category(db):
    return ProjectCategoryFactory(code="equipment", name="高端装备")


def pool(programme, category, n_apps=6, n_experts=4):
    apps = [reviewable(programme, category) for _ in range(n_apps)]
    experts = [expert_for(category) for _ in range(n_experts)]
    return apps, experts


def test_job_makes_a_proposal_that_applies_within_the_constraints(programme, category, administrator,
                                                                  django_capture_on_commit_callbacks):
    apps, experts = pool(programme, category)
    expert_for(category, is_active=False)  # inactive: never proposed
    reviewable(programme, ProjectCategoryFactory(code="ai", name="人工智能"))  # nobody matches
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(administrator, "scoring.auto_assign", {"programme_id": programme.pk, "seed": 3})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result_name.endswith(".csv")
    proposal = AssignmentProposal.objects.get()
    assert len(proposal.pairs) == 12 and len(proposal.unstaffed) == 1
    assert "无匹配专业" in proposal.unstaffed[0]["reason"]
    assert sorted(proposal.parameters["loads"].values()) == [3, 3, 3, 3]  # the inactive one is not in the pool
    result = apply_proposal(administrator, proposal)
    assert len(result.created) == 12 and not result.skipped
    assert set(Assignment.objects.values_list("expert_id", flat=True)) == {e.pk for e in experts}
    assert AuditEntry.objects.filter(action="assignment.apply_proposal").exists()
    with pytest.raises(DomainError):
        apply_proposal(administrator, proposal)
    again = create_proposal(administrator, programme, seed=3)
    assert again.pairs == [] and len(again.unstaffed) == 1  # existing assignments are respected


def test_same_seed_same_proposal(programme, category, administrator):
    pool(programme, category, n_apps=8, n_experts=5)
    first, second = (create_proposal(administrator, programme, seed=11) for _ in range(2))
    assert first.pairs == second.pairs


def test_apply_rechecks_conflicts_arisen_since_the_proposal(programme, category, administrator):
    pool(programme, category, n_apps=2, n_experts=3)
    proposal = create_proposal(administrator, programme, seed=1)
    app_id, expert_id = proposal.pairs[0]
    set_conflict(administrator, ExpertProfile.objects.get(pk=expert_id), Application.objects.get(pk=app_id),
                 "新发现的亲属关系")
    result = apply_proposal(administrator, proposal)
    assert (app_id, expert_id, "存在回避关系") in result.skipped
    assert not Assignment.objects.filter(application_id=app_id, expert_id=expert_id).exists()


def test_panel_membership_makes_an_expert_eligible(client, programme, category, administrator):
    app = reviewable(programme, category)
    outsider = expert_for(ProjectCategoryFactory(code="ic", name="集成电路"))
    assert build_problem(programme, 0)[0].experts[0].categories == frozenset({outsider.expertise.get().pk})
    client.force_login(administrator)
    client.post(reverse("scoring:panel_new", args=[programme.pk]),
                {"name": "装备组", "categories": [category.pk], "experts": [outsider.pk]})
    panel = Panel.objects.get()
    assert list(panel.experts.all()) == [outsider]
    problem, _summary = build_problem(programme, 0)
    assert category.pk in problem.experts[0].categories
    assert create_proposal(administrator, programme, seed=0).pairs == [[app.pk, outsider.pk]]


def test_manual_assignment_refuses_conflicted_and_same_unit_pairs(programme, category, administrator):
    app = reviewable(programme, category)
    first = expert_for(category, work_unit="上海精密测量研究院有限公司")
    same_unit = expert_for(category, work_unit="精密测量研究院（上海）股份有限公司")
    by_code = expert_for(category, work_unit="另一个名字", work_unit_credit_code="91310000MA1FL0000X")
    first.work_unit_credit_code = "91310000MA1FL0000X"
    first.save()
    conflicted = expert_for(category, work_unit_credit_code=app.organisation.credit_code)
    assign_expert(administrator, app, first)
    for expert, message in ((same_unit, "同一工作单位"), (by_code, "同一工作单位"), (conflicted, "回避"),
                            (first, "已分配")):
        with pytest.raises(DomainError, match=message):
            assign_expert(administrator, app, expert)
    assert Assignment.objects.count() == 1
    assert AuditEntry.objects.filter(action="assignment.assign").count() == 1
    with pytest.raises(PermissionDenied):
        assign_expert(UserFactory(role=Role.ADMINISTRATOR, organiser=ProgrammeFactory().organiser), app, same_unit)


def test_removal_discards_a_draft_and_refuses_a_submitted_score(programme, category, administrator):
    app = reviewable(programme, category)
    a, b = expert_for(category), expert_for(category)
    draft, submitted = assign(a, app), assign(b, app)
    Score.objects.create(assignment=draft, overall_comment="草稿评语")
    Score.objects.create(assignment=submitted, status=ScoreStatus.SUBMITTED, total=80)
    with pytest.raises(DomainError):
        remove_assignment(administrator, draft, "")
    remove_assignment(administrator, draft, "专家出差")
    draft.refresh_from_db()
    assert draft.status == AssignmentStatus.REMOVED and not Score.objects.filter(assignment=draft).exists()
    assert AuditEntry.objects.get(action="score.discard").changes["overall_comment"][0] == "草稿评语"
    with pytest.raises(DomainError, match="已提交"):
        remove_assignment(administrator, submitted, "x")


def test_reassignment_is_all_or_nothing(client, programme, category, administrator):
    app = reviewable(programme, category)
    old, new = expert_for(category, work_unit="上海甲研究所"), expert_for(category, work_unit="上海乙研究所")
    blocked = expert_for(category, work_unit_credit_code=app.organisation.credit_code)
    assignment = assign(old, app)
    with pytest.raises(DomainError):
        reassign(administrator, assignment, blocked, "更换")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACTIVE
    client.force_login(administrator)
    client.post(reverse("scoring:assign_reassign", args=[assignment.pk]), {"expert": new.pk, "reason": "出差"})
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.REMOVED
    assert Assignment.objects.get(expert=new).status == AssignmentStatus.ACTIVE


def test_reminders_go_to_experts_with_unsubmitted_scores(client, programme, category, administrator,
                                                         django_capture_on_commit_callbacks):
    app = reviewable(programme, category)
    late, done = expert_for(category), expert_for(category)
    assign(late, app)
    Score.objects.create(assignment=assign(done, app), status=ScoreStatus.SUBMITTED, total=70)
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("scoring:assign_remind", args=[programme.pk]))
    assert [m.to for m in mail.outbox] == [[late.user.email]]
    assert "1 项评分尚未提交" in mail.outbox[0].body
    with pytest.raises(PermissionDenied):
        send_reminders(late.user, programme)


def test_auto_assign_view_starts_the_job_and_the_proposal_page_shows_it(client, programme, category,
                                                                        administrator,
                                                                        django_capture_on_commit_callbacks):
    apps, _experts = pool(programme, category, n_apps=3, n_experts=3)
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scoring:assign_auto", args=[programme.pk]), {"seed": "5"})
    assert response.status_code == 302
    assert Job.objects.get().status == JobStatus.SUCCEEDED
    proposal = AssignmentProposal.objects.get()
    page = client.get(reverse("scoring:proposal_detail", args=[proposal.pk])).content.decode()
    assert all(app.project_name in page for app in apps)
    client.post(reverse("scoring:proposal_apply", args=[proposal.pk]))
    assert Assignment.objects.count() == 6


def test_other_people_get_404_on_the_administrator_pages(client, programme, category, administrator):
    app = reviewable(programme, category)
    proposal = create_proposal(administrator, programme, seed=0)
    pages = [reverse("scoring:assign_overview", args=[programme.pk]),
             reverse("scoring:assign_application", args=[app.pk]),
             reverse("scoring:proposal_detail", args=[proposal.pk]),
             reverse("scoring:panel_list", args=[programme.pk])]
    other = UserFactory(role=Role.ADMINISTRATOR, organiser=ProgrammeFactory().organiser)
    for user in (other, expert_for(category).user, UserFactory()):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(reverse("scoring:proposal_apply", args=[proposal.pk])).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_query_count_of_the_expert_list_is_constant(client, programme, category, django_assert_max_num_queries):
    expert = expert_for(category)
    for _ in range(2):
        Score.objects.create(assignment=assign(expert, reviewable(programme, category)))
    client.force_login(expert.user)
    url = reverse("scoring:expert_programme", args=[programme.pk])
    small = _queries(client, url)
    home_small = _queries(client, reverse("scoring:expert_home"))
    for _ in range(12):
        assign(expert, reviewable(programme, category))
    with django_assert_max_num_queries(small):
        client.get(url)
    with django_assert_max_num_queries(home_small):
        client.get(reverse("scoring:expert_home"))


def test_query_count_of_the_overview_is_constant(client, programme, category, administrator,
                                                  django_assert_max_num_queries):
    experts = [expert_for(category) for _ in range(3)]
    for expert in experts[:2]:
        assign(expert, reviewable(programme, category))
    client.force_login(administrator)
    url = reverse("scoring:assign_overview", args=[programme.pk])
    small = _queries(client, url)
    for n in range(15):
        app = reviewable(programme, category)
        assign(experts[n % 3], app)
        Score.objects.create(assignment=assign(expert_for(category), app), status=ScoreStatus.SUBMITTED)
    with django_assert_max_num_queries(small):
        page = client.get(url)
    assert page.context["summary"]["total"] == 17


def test_every_set_up_page_renders_without_inline_scripts_or_styles(client, programme, category, administrator):
    app = reviewable(programme, category)
    expert = expert_for(category)
    assignment = assign(expert, app)
    panel = Panel.objects.create(programme=programme, name="装备组")
    proposal = create_proposal(administrator, programme, seed=0)
    client.force_login(administrator)
    pages = [reverse("scoring:assign_overview", args=[programme.pk]),
             reverse("scoring:assign_application", args=[app.pk]),
             reverse("scoring:proposal_detail", args=[proposal.pk]),
             reverse("scoring:panel_list", args=[programme.pk]),
             reverse("scoring:panel_new", args=[programme.pk]),
             reverse("scoring:panel_edit", args=[programme.pk, panel.pk]),
             reverse("scoring:conflict_list", args=[programme.pk])]
    client.force_login(administrator)
    rendered = [client.get(url) for url in pages]
    client.force_login(expert.user)
    rendered += [client.get(url) for url in (
        reverse("scoring:expert_home"), reverse("scoring:expert_programme", args=[programme.pk]),
        reverse("scoring:pledge", args=[programme.pk]), reverse("scoring:conflict_declare", args=[assignment.pk]),
        reverse("scoring:conflict_declare_unit", args=[programme.pk]))]
    for response in rendered:
        html = response.content.decode()
        assert response.status_code == 200, response.request["PATH_INFO"]
        assert " style=" not in html and "<script>" not in html
        assert "<script " not in html.split("</head>", 1)[1], response.request["PATH_INFO"]


# ---- can the pool staff the programme? ------------------------------------------------------------


def test_overview_warns_when_the_pool_cannot_staff_every_project(client, programme, category, administrator):
    programme.experts_per_application = 5
    programme.save()
    apps, experts = pool(programme, category, n_apps=3, n_experts=4)
    client.force_login(administrator)
    page = client.get(reverse("scoring:assign_overview", args=[programme.pk])).content.decode()
    assert "每项需 5 位，符合条件的仅 4 位：3 个项目无法配齐评审专家。" in page
    for app in apps:
        assert reverse("scoring:assign_application", args=[app.pk]) in page
    # One more expert in the pool and the warning is gone.
    expert_for(category)
    page = client.get(reverse("scoring:assign_overview", args=[programme.pk])).content.decode()
    assert "无法配齐" not in page and "专家库不足" not in page


def test_staffing_counts_what_the_solver_may_use(programme, category, administrator):
    from scoring.services.assignment import staffing_check

    programme.experts_per_application = 4
    programme.save()
    app, other = reviewable(programme, category), reviewable(programme, category)
    experts = [expert_for(category, work_unit=f"第{n}研究院") for n in range(4)]
    expert_for(category, work_unit="第0研究院")  # the same unit as experts[0]: counts once
    expert_for(ProjectCategoryFactory(code="ic", name="集成电路"))  # no matching expertise
    inactive = expert_for(category, work_unit="停用研究院")
    inactive.is_active = False
    inactive.save()
    assert staffing_check(programme).short == []
    set_conflict(administrator, experts[1], app, "曾任职")
    assign(experts[2], app)  # assigned experts count, as do the rest of their units' absence
    check = staffing_check(programme)
    assert [(s.application_id, s.eligible) for s in check.short] == [(app.pk, 3)]
    assert check.fewest == 3 and other.pk not in {s.application_id for s in check.short}
    # A panel covering the category makes an expert without that expertise eligible.
    outsider = expert_for(ProjectCategoryFactory(code="ai", name="人工智能"), work_unit="面板研究院")
    panel = Panel.objects.create(programme=programme, name="装备组")
    panel.categories.add(category)
    panel.experts.add(outsider)
    assert staffing_check(programme).short == []


def test_overview_warns_when_the_maximum_load_is_too_small(client, programme, category, administrator):
    programme.max_load_per_expert = 1
    programme.save()
    pool(programme, category, n_apps=4, n_experts=3)
    client.force_login(administrator)
    page = client.get(reverse("scoring:assign_overview", args=[programme.pk])).content.decode()
    assert "尚需分配 8 人次，专家库中在库专家最多还能评审 3 人次（每位专家最多 1 项）。" in page
    assert "无法配齐评审专家。" not in page  # each project alone could be staffed


def test_no_staffing_warning_once_assignment_is_closed(client, programme, category, administrator):
    from portal.models import ProgrammeStatus

    programme.experts_per_application = 5
    programme.status = ProgrammeStatus.DETERMINING
    programme.save()
    pool(programme, category, n_apps=2, n_experts=1)
    client.force_login(administrator)
    page = client.get(reverse("scoring:assign_overview", args=[programme.pk])).content.decode()
    assert "无法配齐" not in page
