"""Assigning experts (分配): automatic proposals (made by the "scoring.auto_assign" job, applied
here), manual assignment, removal, reassignment and reminders. Every change is checked, audited
and notified; conflicts are re-checked at the moment of assigning."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.messages import ref
from portal.permissions import require
from portal.services import audit
from portal.services.errors import DomainError
from portal.services.notify import notify
from scoring.models import Assignment, AssignmentProposal, AssignmentStatus, ExpertProfile, Score, ScoreStatus
from scoring.permissions import may_assign, may_manage_review
from scoring.services.assignment_problem import build_problem, unit_keys
from scoring.services.conflicts import (
    blocking_conflict_subquery,
    blocking_conflicts,
    detect_conflicts,
    is_blocked,
)
from scoring.services.recusal import end_assignment
from scoring.services.solver import solve


@dataclass
class ApplyResult:
    created: list = field(default_factory=list)  # Assignment
    skipped: list = field(default_factory=list)  # (application id, expert id, reason)


def create_proposal(user, programme, seed: int, progress=lambda percent, message="": None) -> AssignmentProposal:
    """Detects conflicts, solves, stores the proposal (nothing is assigned yet)."""
    require(may_assign(user, programme))
    progress(5, _("识别回避关系"))
    detect_conflicts(programme, actor=user, via="job")
    progress(25, _("建立分配模型"))
    problem, summary = build_problem(programme, seed)
    progress(40, _("求解最小费用流"))
    solution = solve(problem)
    progress(90, _("保存分配方案"))
    summary.update(nodes=solution.nodes, edges=solution.edges,
                   loads={str(k): v for k, v in sorted(solution.loads.items())})
    proposal = AssignmentProposal.objects.create(
        programme=programme, seed=seed, parameters=summary, pairs=[list(p) for p in solution.pairs],
        unstaffed=[u.as_dict() for u in solution.unstaffed], created_by=user, seconds=round(solution.seconds, 3),
    )
    audit.record(user, "assignment.propose", proposal, via="job", changes={
        "pairs": [None, len(solution.pairs)], "unstaffed": [None, len(solution.unstaffed)], "seed": [None, seed]})
    notify([user], "assignment.proposal_ready", params={
        "programme": programme.title, "pairs": len(solution.pairs), "n": len(solution.unstaffed),
        "proposal_id": proposal.pk}, about=programme)
    return proposal


@transaction.atomic
def apply_proposal(user, proposal, *, via: str = "web") -> ApplyResult:
    """Creates the proposal's assignments in one transaction, re-checking each pair against the
    state now: conflicts (detected afresh), existing assignments, one expert per work unit, k per
    application and the maximum load. Pairs that no longer fit are skipped and reported."""
    proposal = AssignmentProposal.objects.select_for_update().select_related("programme").get(pk=proposal.pk)
    programme = proposal.programme
    require(may_assign(user, programme))
    if proposal.applied_at is not None:
        raise DomainError(_("该分配方案已于 %(time)s 应用。") % {
            "time": timezone.localtime(proposal.applied_at).strftime("%Y-%m-%d %H:%M")})
    detect_conflicts(programme, actor=user, via=via)
    rows = Assignment.objects.filter(application__programme=programme)
    pairs_taken = set(rows.values_list("application_id", "expert_id"))
    active = defaultdict(set)
    load = Counter()
    for app_id, expert_id in rows.filter(status=AssignmentStatus.ACTIVE).values_list("application_id", "expert_id"):
        active[app_id].add(expert_id)
        load[expert_id] += 1
    wanted = {e for _a, e in proposal.pairs} | {e for ids in active.values() for e in ids}
    experts = {e.pk: e for e in ExpertProfile.objects.filter(pk__in=wanted).select_related("user")}
    keys = unit_keys([(e.pk, e.work_unit, e.work_unit_credit_code) for e in experts.values()])
    blocked = set(blocking_conflicts().filter(application__programme=programme).values_list(
        "application_id", "expert_id"))
    valid_apps = set(programme.applications.values_list("pk", flat=True))
    result = ApplyResult()
    for app_id, expert_id in sorted(tuple(p) for p in proposal.pairs):
        expert = experts.get(expert_id)
        reason = None
        if expert is None or app_id not in valid_apps:
            reason = _("项目或专家已不存在")
        elif not (expert.is_active and expert.user.is_active):
            reason = _("专家已停用")
        elif (app_id, expert_id) in blocked:
            reason = _("存在回避关系")
        elif (app_id, expert_id) in pairs_taken:
            reason = _("已有该分配记录")
        elif any(keys.get(e) == keys[expert_id] for e in active[app_id]):
            reason = _("同一工作单位已有专家")
        elif len(active[app_id]) >= programme.experts_per_application:
            reason = _("该项目专家已满")
        elif load[expert_id] >= programme.max_load_per_expert:
            reason = _("专家评审数量已达上限")
        if reason:
            result.skipped.append((app_id, expert_id, str(reason)))
            continue
        active[app_id].add(expert_id)
        load[expert_id] += 1
        pairs_taken.add((app_id, expert_id))
        result.created.append(Assignment(application_id=app_id, expert_id=expert_id, automatic=True,
                                         assigned_by=user))
    Assignment.objects.bulk_create(result.created, batch_size=500)
    proposal.applied_at = timezone.now()
    proposal.save(update_fields=["applied_at"])
    audit.record(user, "assignment.apply_proposal", proposal, via=via, changes={
        "created": [None, [f"{a.application_id}→{a.expert_id}" for a in result.created]],
        "skipped": [None, [f"{a}→{e}: {r}" for a, e, r in result.skipped]],
    })
    per_expert = Counter(a.expert_id for a in result.created)
    for expert_id, n in sorted(per_expert.items()):
        notify([experts[expert_id].user], "assignment.new_tasks", params={"programme": programme.title, "n": n},
               about=programme)
    return result


def assign_expert(user, application, expert, *, via: str = "web") -> Assignment:
    """Manual assignment. Refuses a conflicted pair (conflicts are detected afresh for the
    application first, and the findings kept even when the assignment is refused) and a second
    expert of the same work unit on the application."""
    require(may_assign(user, application.programme))
    detect_conflicts(application, actor=user, via=via)
    return _assign(user, application, expert, via=via)


@transaction.atomic
def _assign(user, application, expert, *, via: str) -> Assignment:
    if not (expert.is_active and expert.user.is_active):
        raise DomainError(_("该专家已停用，不能分配。"))
    if is_blocked(expert.pk, application.pk):
        raise DomainError(_("该专家与本项目存在回避关系，不能分配。"))
    existing = Assignment.objects.select_for_update().filter(application=application, expert=expert).first()
    if existing is not None and existing.status == AssignmentStatus.ACTIVE:
        raise DomainError(_("该专家已分配到本项目。"))
    others = list(ExpertProfile.objects.filter(assignments__application=application,
                                               assignments__status=AssignmentStatus.ACTIVE).exclude(pk=expert.pk))
    keys = unit_keys([(e.pk, e.work_unit, e.work_unit_credit_code) for e in [expert, *others]])
    clash = [e for e in others if keys[e.pk] == keys[expert.pk]]
    if clash:
        raise DomainError(_("本项目已有同一工作单位的专家（%(name)s），不能再分配。") % {
            "name": clash[0].name})
    if existing is None:
        assignment = Assignment.objects.create(application=application, expert=expert, assigned_by=user)
        before = None
    else:
        assignment, before = existing, existing.status
        assignment.status, assignment.ended_at, assignment.end_reason = AssignmentStatus.ACTIVE, None, ""
        assignment.assigned_by, assignment.automatic = user, False
        assignment.save(update_fields=["status", "ended_at", "end_reason", "assigned_by", "automatic"])
    audit.record(user, "assignment.assign", assignment, via=via, changes={"status": [before, assignment.status]})
    notify([expert.user], "assignment.new_tasks", params={"programme": application.programme.title, "n": 1},
           about=application.programme)
    return assignment


@transaction.atomic
def remove_assignment(user, assignment, reason: str, *, via: str = "web") -> Assignment:
    """Takes an assignment back (its draft score is discarded, kept in the audit trail). A
    submitted score must be reopened first."""
    require(may_assign(user, assignment.application.programme))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写撤销理由。"))
    if assignment.status != AssignmentStatus.ACTIVE:
        raise DomainError(_("该分配已结束。"))
    if Score.objects.filter(assignment=assignment, status=ScoreStatus.SUBMITTED).exists():
        raise DomainError(_("该专家已提交评分，请先退回评分再撤销。"))
    return end_assignment(user, assignment, status=AssignmentStatus.REMOVED, reason=reason, via=via)


def reassign(user, assignment, new_expert, reason: str, *, via: str = "web") -> Assignment:
    """Removes one expert and assigns another, all or nothing (conflict detection runs first and
    its findings are kept)."""
    require(may_assign(user, assignment.application.programme))
    detect_conflicts(assignment.application, actor=user, via=via)
    with transaction.atomic():
        remove_assignment(user, assignment, reason, via=via)
        return _assign(user, assignment.application, new_expert, via=via)


def late_assignments(programme):
    """Active, unblocked assignments of the programme whose score is missing or still a draft."""
    return (Assignment.objects.filter(application__programme=programme, status=AssignmentStatus.ACTIVE)
            .exclude(blocking_conflict_subquery()).exclude(score__status=ScoreStatus.SUBMITTED))


def send_reminders(user, programme, *, via: str = "web") -> int:
    """E-mails (and notifies) every expert with unsubmitted scores; returns how many."""
    require(may_manage_review(user, programme))
    counts = Counter(late_assignments(programme).values_list("expert_id", flat=True))
    experts = ExpertProfile.objects.filter(pk__in=counts).select_related("user").order_by("pk")
    deadline = (timezone.localtime(programme.scoring_deadline).strftime("%Y-%m-%d %H:%M")
                if programme.scoring_deadline else ref("fragment.unset"))
    for expert in experts:
        notify([expert.user], "assignment.reminder", params={
            "programme": programme.title, "n": counts[expert.pk], "deadline": deadline}, about=programme)
    audit.record(user, "assignment.remind", programme, via=via, changes={
        "experts": [None, [e.pk for e in experts]], "unsubmitted": [None, sum(counts.values())]})
    return len(experts)


# ---- can the pool staff the programme? ------------------------------------------------------------


@dataclass(frozen=True)
class Shortfall:
    application_id: int
    eligible: int  # experts who can review it: those assigned, plus one per work unit still assignable


@dataclass
class StaffingCheck:
    """What stands in the way of giving every project its ``k`` experts, before anyone tries."""

    k: int
    short: list  # Shortfall, fewest eligible first
    need: int  # assignments still to make
    capacity: int  # assignments the experts in the pool can still take (maximum load)
    max_load: int

    @property
    def fewest(self) -> int | None:
        return self.short[0].eligible if self.short else None

    def messages(self) -> list[str]:
        found = []
        if self.short:
            found.append(_("每项需 %(k)d 位，符合条件的仅 %(n)d 位：%(count)d 个项目无法配齐评审专家。") % {
                "k": self.k, "n": self.fewest, "count": len(self.short)})
        if self.need > self.capacity:
            found.append(_("尚需分配 %(need)d 人次，专家库中在库专家最多还能评审 %(capacity)d 人次"
                           "（每位专家最多 %(max)d 项）。") % {
                "need": self.need, "capacity": self.capacity, "max": self.max_load})
        return found


def staffing_check(programme) -> StaffingCheck:
    """Per reviewable project, how many experts could review it under the solver's hard rules
    (scoring.services.solver: in the pool and active, a matching category, no conflict or earlier
    removal, one expert per work unit), and whether the pool's remaining load covers what is
    missing. The same few queries as a proposal's set-up, whatever the size of the programme."""
    problem, _summary = build_problem(programme, seed=0)
    experts = {e.id: e for e in problem.experts}
    units_by_category = defaultdict(lambda: defaultdict(list))  # category → unit → available expert ids
    for expert in experts.values():
        if expert.available:
            for category in expert.categories:
                units_by_category[category][expert.unit].append(expert.id)
    barred = defaultdict(set)  # application → experts it may not have
    for app_id, expert_id in problem.conflicts | problem.excluded:
        barred[app_id].add(expert_id)
    short, need = [], 0
    for app in problem.applications:
        if len(app.assigned) >= problem.k:
            continue
        need += problem.k - len(app.assigned)
        taken = {experts[e].unit for e in app.assigned if e in experts}
        units = units_by_category.get(app.category, {}) if app.category is not None else {}
        if barred.get(app.id):
            free = sum(1 for unit, ids in units.items()
                       if unit not in taken and any(e not in barred[app.id] for e in ids))
        else:
            free = len(units.keys() - taken)
        if len(app.assigned) + free < problem.k:
            short.append(Shortfall(app.id, len(app.assigned) + free))
    capacity = sum(max(0, problem.max_load - e.load) for e in experts.values() if e.available)
    short.sort(key=lambda s: (s.eligible, s.application_id))
    return StaffingCheck(problem.k, short, need, capacity, problem.max_load)
