"""Permission predicates of expert review; each returns a portal.permissions.Decision.

The pledge gate for views is ``scoring.views.pledge.require_pledge`` (it renders a page, so it
lives with the views); the decision behind it is ``pledge_gate`` / ``has_pledged`` here. Who may
score a sheet (``may_score``) and reopen it (``may_reopen``) are here too; the score sheet reads
them through ``scoring.sheets.load_sheet``.
"""

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import ProgrammeStatus
from portal.models.users import Role
from portal.permissions import ALLOW, Decision, administers_programme, deny, is_signed_in
from scoring.models import (
    AssignmentStatus,
    ConfidentialityPledge,
    ConflictOfInterest,
    ConflictSource,
    ExpertProfile,
    ScoreStatus,
)
from scoring.models.review import BLOCKING_CONFLICT_STATUSES

# Experts see applications only while the programme is in these states.
EXPERT_VISIBLE_STATUSES = (ProgrammeStatus.REVIEWING, ProgrammeStatus.DETERMINING)
# Administrators may (re)assign experts in these states.
ASSIGNABLE_STATUSES = (ProgrammeStatus.RECOMMENDING, ProgrammeStatus.REVIEWING)
# Conflicts may be declared, detected and decided until the results are determined.
CONFLICT_STATUSES = (ProgrammeStatus.OPEN, ProgrammeStatus.RECOMMENDING, ProgrammeStatus.REVIEWING,
                     ProgrammeStatus.DETERMINING)
# Once the results are published the review is over: nothing an expert does there counts any more.
ENDED_STATUSES = (ProgrammeStatus.PUBLISHED, ProgrammeStatus.CLOSED)


def expert_profile_of(user):
    """The user's ExpertProfile, or None (not an expert, or no profile)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.EXPERT:
        return None
    try:
        return user.expert_profile
    except ExpertProfile.DoesNotExist:
        return None


def is_expert(user):
    if not is_signed_in(user):
        return is_signed_in(user)
    if expert_profile_of(user) is None:
        return deny(_("只有评审专家可以执行此操作。"))
    return ALLOW


def has_pledged(user, programme):
    profile = expert_profile_of(user)
    if profile is not None and ConfidentialityPledge.objects.filter(expert=profile, programme=programme).exists():
        return ALLOW
    return _not_pledged()


def _not_pledged() -> Decision:
    return deny(_("请先签署本批次的保密及回避承诺。"))


def pledge_gate(user, kind: str, pk) -> tuple[int, bool] | None:
    """(programme id, pledge accepted) for the object behind ``pk`` — a programme, an assignment or
    an application (``kind``) — as an expert would see it once pledged, in one query; None outside
    the gate (not the expert's, conflicted, not under review: the view answers 404)."""
    # In the function: scoring.visibility imports this module (EXPERT_VISIBLE_STATUSES, expert_profile_of).
    from scoring.visibility import expert_programmes, pledge_gate_assignments  # noqa: PLC0415 (the cycle above)

    pledged = ConfidentialityPledge.objects.filter(expert=expert_profile_of(user))
    if kind == "programme":
        found = expert_programmes(user).filter(pk=pk).values_list(
            "pk", Exists(pledged.filter(programme_id=OuterRef("pk"))))
    elif kind in ("assignment", "application"):
        gate = pledge_gate_assignments(user)
        found = (gate.filter(pk=pk) if kind == "assignment" else gate.filter(application_id=pk)).values_list(
            "application__programme_id", Exists(pledged.filter(programme_id=OuterRef("application__programme_id"))))
    else:
        raise ValueError(kind)
    return found.first()


def may_accept_pledge(user, programme):
    decision = is_expert(user)
    if not decision:
        return decision
    if programme.status not in EXPERT_VISIBLE_STATUSES:
        return deny(_("该批次当前不在专家评价阶段。"))
    return ALLOW


def may_manage_review(user, programme):
    """Panels, conflicts, reminders: an administrator of the programme's organiser."""
    return administers_programme(user, programme)


def may_assign(user, programme):
    decision = administers_programme(user, programme)
    if not decision:
        return decision
    if programme.status not in ASSIGNABLE_STATUSES:
        return deny(_("该批次当前状态为“%(status)s”，不能分配专家。")
                    % {"status": programme.get_status_display()})
    return ALLOW


def may_declare_conflict(user, programme):
    decision = is_expert(user)
    if not decision:
        return decision
    if programme.status not in CONFLICT_STATUSES:
        return deny(_("该批次当前不能申请回避。"))
    return ALLOW


def may_set_conflict(user, programme):
    decision = administers_programme(user, programme)
    if not decision:
        return decision
    if programme.status not in CONFLICT_STATUSES:
        return deny(_("该批次当前不能调整回避关系。"))
    return ALLOW


def may_decide_conflict(user, conflict):
    """Administrators confirm or dismiss detected, applicant-requested and their own conflicts;
    an expert's own declaration stands."""
    decision = may_set_conflict(user, conflict.application.programme)
    if not decision:
        return decision
    if conflict.source == ConflictSource.EXPERT:
        return deny(_("专家本人申请的回避不能排除。"))
    return ALLOW


# ---- scoring -----------------------------------------------------------------------------------


def is_assigned_expert(user, assignment) -> Decision:
    if getattr(user, "is_authenticated", False) and assignment.expert.user_id == user.pk:
        return ALLOW
    return deny(_("只有被分配的专家本人可以评分。"))


def _read_with(assignment, name: str):
    """An annotation the assignment was read with (scoring.sheets.with_scoring_facts), or None."""
    return getattr(assignment, name, None)


def assignment_in_force(assignment) -> Decision:
    if assignment.status == AssignmentStatus.RECUSED:
        return deny(_("该分配已回避，不能评分。"))
    if assignment.status != AssignmentStatus.ACTIVE:
        return deny(_("该分配已撤销，不能评分。"))
    blocked = _read_with(assignment, "blocked")
    if blocked is None:
        blocked = ConflictOfInterest.objects.filter(
            expert_id=assignment.expert_id, application_id=assignment.application_id,
            status__in=BLOCKING_CONFLICT_STATUSES).exists()
    if blocked:
        return deny(_("您与该项目存在回避关系，不能评分。"))
    return ALLOW


def _assigned_expert_pledged(user, assignment) -> Decision:
    """has_pledged for the assigned expert (is_assigned_expert has passed, so the assignment's
    expert is the user's profile): from the ``pledged`` annotation when read with it."""
    pledged = _read_with(assignment, "pledged")
    if pledged is None or expert_profile_of(user) is None:
        return has_pledged(user, assignment.application.programme)
    return ALLOW if pledged else _not_pledged()


def scoring_open(programme, now=None) -> Decision:
    if programme.status != ProgrammeStatus.REVIEWING:
        return deny(_("该批次不在专家评价阶段，不能评分。"))
    deadline = programme.scoring_deadline
    if deadline is not None and (now or timezone.now()) > deadline:
        return deny(_("评分已于 %(t)s 截止。")
                    % {"t": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")})
    return ALLOW


def may_score(user, assignment) -> Decision:
    """The first refusal of: the assigned expert, an assignment in force (no blocking conflict), the
    pledge, scoring open. The conflict and the pledge come from the assignment's ``blocked`` and
    ``pledged`` annotations when it was read with them (scoring.sheets.with_scoring_facts: the same
    query as the row itself), else they are looked up here."""
    checks = (lambda: is_assigned_expert(user, assignment), lambda: assignment_in_force(assignment),
              lambda: _assigned_expert_pledged(user, assignment),
              lambda: scoring_open(assignment.application.programme))
    for check in checks:
        decision = check()
        if not decision:
            return decision
    return ALLOW


def may_reopen(user, score) -> Decision:
    decision = administers_programme(user, score.assignment.application.programme)
    if not decision:
        return decision
    if score.status != ScoreStatus.SUBMITTED:
        return deny(_("只有已提交的评分可以退回修改。"))
    return ALLOW
