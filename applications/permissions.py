"""Permission predicates for applications; each returns a portal.permissions.Decision."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.organisations import RecommendingUnitKind
from portal.models.programmes import ProgrammeStatus
from portal.models.users import Role
from portal.permissions import (
    ALLOW,
    Decision,
    administers_programme,
    approved_membership,
    deny,
    is_member_of,
    is_signed_in,
)

from .models.choices import ApplicationStatus
from .visibility import applications_for


def may_create_application(user, programme):
    if approved_membership(user) is None:
        return deny(_(
            "您尚未成为已批准的申报单位成员，不能申报。"
        ))
    return ALLOW


def may_edit_application(user, application):
    """The applicant organisation's approved members fill in and change the form."""
    return is_member_of(user, application.organisation)


def may_submit(user, application):
    return is_member_of(user, application.organisation)


def may_return(user, application):
    """An administrator of the programme at any time; a recommender while its window is open:
    the chosen unit for a submitted application, the street's district bureau once the street
    has endorsed it (applications.workflow "return")."""
    if not is_signed_in(user):
        return is_signed_in(user)
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return administers_programme(user, application.programme)
    if application.status == ApplicationStatus.ENDORSED_BY_STREET:
        return may_decide_as_bureau(user, application)
    return may_decide_as_named_unit(user, application)


# --- the recommendation step ----------------------------------------------------------------


def recommendation_window(programme) -> Decision:
    """Recommenders act while the programme takes applications or is in 推荐审核, and only
    until the recommendation deadline."""
    if programme.status not in (ProgrammeStatus.OPEN, ProgrammeStatus.RECOMMENDING):
        return deny(_("批次“%(title)s”当前不在推荐审核阶段。")
                    % {"title": programme.title})
    deadline = programme.recommendation_deadline
    if deadline and timezone.now() >= deadline:
        return deny(_("推荐截止时间（%(deadline)s）已过，不能再审核、推荐或排序。"
                      ) % {"deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")})
    return ALLOW


def _unit_of(user):
    if not getattr(user, "is_authenticated", False) or user.role != Role.RECOMMENDER:
        return None
    return user.recommending_unit


def acts_for_unit(user, unit) -> Decision:
    """The user is a recommender of ``unit`` (an active one)."""
    mine = _unit_of(user)
    if mine is None or unit is None or mine.pk != unit.pk:
        return deny(_("您不是该推荐单位的用户。"))
    if not mine.is_active:
        return deny(_("本推荐单位已停用。"))
    return ALLOW


def is_street(unit) -> bool:
    return unit is not None and unit.kind == RecommendingUnitKind.STREET_TOWN and unit.parent_id is not None


def may_decide_as_named_unit(user, application) -> Decision:
    """The unit the application names decides on a submitted application (endorse, decline, return)."""
    decision = acts_for_unit(user, application.recommender)
    return decision if not decision else recommendation_window(application.programme)


def may_endorse_as_street(user, application) -> Decision:
    if not is_street(application.recommender):
        return deny(_("只有街镇推荐的项目需经区市场监管局复核。"))
    return may_decide_as_named_unit(user, application)


def may_endorse_directly(user, application) -> Decision:
    if is_street(application.recommender):
        return deny(_("街镇推荐的项目须报区市场监管局复核。"))
    return may_decide_as_named_unit(user, application)


def may_decide_as_bureau(user, application) -> Decision:
    """The street's district bureau decides once the street has endorsed: endorse, decline, return
    to the applicant or back to the street."""
    street = application.recommender
    if not is_street(street):
        return deny(_("该申报不是街镇推荐的项目。"))
    mine = _unit_of(user)
    if mine is None or mine.pk != street.parent_id:
        return deny(_("只有该街镇所属的区市场监管局可以复核。"))
    decision = acts_for_unit(user, mine)
    return decision if not decision else recommendation_window(application.programme)


def may_rank(user, programme, unit) -> Decision:
    decision = acts_for_unit(user, unit)
    return decision if not decision else recommendation_window(programme)


def may_export_annex2(user, programme, unit=None) -> Decision:
    """A recommender exports its own table; the programme's administrators any unit's, or the
    combined table (``unit`` None)."""
    if not is_signed_in(user):
        return is_signed_in(user)
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return administers_programme(user, programme)
    if unit is None:
        return deny(_("只有主管部门可以导出全部推荐项目汇总表。"))
    return acts_for_unit(user, unit)


def may_remind_recommenders(user, programme) -> Decision:
    return administers_programme(user, programme)


# --- suspected duplicates (applications.services.duplicates) --------------------------------


def may_dismiss(user, pair) -> Decision:
    """Only a reviewer who may read both applications of a DuplicateCandidate can judge that they
    are different projects (非重复)."""
    if not getattr(user, "is_authenticated", False):
        return deny(_("请先登录。"))
    if not (user.is_superuser or user.role in (Role.RECOMMENDER, Role.ADMINISTRATOR)):
        return deny(_("只有推荐单位和主管部门可以核实疑似重复。"))
    if applications_for(user).filter(pk__in=(pair.a_id, pair.b_id)).count() != 2:
        return deny(_("只有能查看两份申报的审核人可以标记为非重复。"))
    return ALLOW


def may_edit_unit_contact(user, unit) -> Decision:
    """Only a recommender of the unit itself (a bureau does not edit its streets' contacts)."""
    if getattr(user, "role", None) != Role.RECOMMENDER or unit is None or user.recommending_unit_id != unit.pk:
        return deny(_("只能修改本单位的联系人信息。"))
    return ALLOW
