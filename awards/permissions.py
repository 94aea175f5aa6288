"""Permission predicates of determination and publication; each returns portal.permissions.Decision."""

from django.utils.translation import gettext_lazy as _

from portal.models import ProgrammeStatus
from portal.permissions import ALLOW, administers_programme, approved_membership, deny

from .models import Determination

PUBLIC_STATUSES = (ProgrammeStatus.PUBLISHED, ProgrammeStatus.CLOSED)


def is_public(programme) -> bool:
    return programme.status in PUBLIC_STATUSES


def is_approved(programme) -> bool:
    """Asked of the database each time: a cached reverse one-to-one would go stale within a request."""
    return Determination.objects.filter(programme_id=programme.pk, approved_at__isnull=False).exists()


def may_view_scores(user, programme):
    """Scores, aggregates, ranking and proposed tiers: the programme's administrators only (§5.2)."""
    return administers_programme(user, programme)


def may_change_settings(user, programme):
    decision = administers_programme(user, programme)
    if not decision:
        return decision
    if is_public(programme):
        return deny(_("成果已公布，不能修改评定设置。"))
    if is_approved(programme):
        return deny(_("评定结果已批准，请先撤回批准。"))
    return ALLOW


def may_determine(user, programme):
    """Move applications between tiers: while the programme is determining and not yet approved."""
    decision = administers_programme(user, programme)
    if not decision:
        return decision
    if programme.status != ProgrammeStatus.DETERMINING:
        return deny(_("批次不在成果评定阶段。"))
    if is_approved(programme):
        return deny(_("评定结果已批准，请先撤回批准。"))
    return ALLOW


def may_approve(user, programme):
    return may_determine(user, programme)


def may_reopen(user, programme):
    decision = administers_programme(user, programme)
    if not decision:
        return decision
    if programme.status != ProgrammeStatus.DETERMINING or not is_approved(programme):
        return deny(_("只有已批准且尚未公布的评定结果可以撤回批准。"))
    return ALLOW


def may_publish(user, programme):
    decision = administers_programme(user, programme)
    if not decision:
        return decision
    if programme.status != ProgrammeStatus.DETERMINING:
        return deny(_("批次不在成果评定阶段，不能公布。"))
    if not is_approved(programme):
        return deny(_("评定结果尚未批准，不能公布。"))
    return ALLOW


def may_unpublish(user, programme):
    if not getattr(user, "is_superuser", False):
        return deny(_("只有超级管理员可以撤回已公布的成果。"))
    if programme.status != ProgrammeStatus.PUBLISHED:
        return deny(_("批次不在“已公布”状态。"))
    return ALLOW


def may_see_report(user, programme):
    """The annual report: administrators of the programme before publication, everyone after."""
    return ALLOW if is_public(programme) else administers_programme(user, programme)


def may_get_certificate(user, award):
    """Administrators once the determination is approved; the awarded organisation's members once published."""
    if not award.is_awarded:
        return deny(_("该项目未获奖。"))
    programme = award.programme
    if administers_programme(user, programme):
        return ALLOW if is_approved(programme) else deny(_("评定结果尚未批准。"))
    membership = approved_membership(user)
    if is_public(programme) and membership and membership.organisation_id == award.application.organisation_id:
        return ALLOW
    return deny(_("您无权获取该证书。"))
