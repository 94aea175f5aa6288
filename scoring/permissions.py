"""Permission predicates of expert review; each returns a portal.permissions.Decision.

The pledge gate for views is ``scoring.views.pledge.require_pledge`` (it renders a page, so it
lives with the views); the predicate behind it is ``has_pledged`` here.
"""

from django.utils.translation import gettext_lazy as _

from portal.models import ProgrammeStatus
from portal.models.users import Role
from portal.permissions import ALLOW, administers_programme, deny, is_signed_in
from scoring.models import ConfidentialityPledge, ConflictSource, ExpertProfile

# Experts see applications only while the programme is in these states.
EXPERT_VISIBLE_STATUSES = (ProgrammeStatus.REVIEWING, ProgrammeStatus.DETERMINING)
# Administrators may (re)assign experts in these states.
ASSIGNABLE_STATUSES = (ProgrammeStatus.RECOMMENDING, ProgrammeStatus.REVIEWING)
# Conflicts may be declared, detected and decided until the results are determined.
CONFLICT_STATUSES = (ProgrammeStatus.OPEN, ProgrammeStatus.RECOMMENDING, ProgrammeStatus.REVIEWING,
                     ProgrammeStatus.DETERMINING)


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
    return deny(_("请先签署本批次的保密及回避承诺。"))


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
