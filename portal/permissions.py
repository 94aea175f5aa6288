"""Small composable permission predicates. Each returns a Decision: allowed or not, and why.

Views and services ask these; a refusal's reason is what the person is shown.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models.organisations import MembershipStatus, Organisation
from portal.models.programmes import Level
from portal.models.users import Role
from portal.services.errors import PermissionDenied


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(reason) -> Decision:
    return Decision(False, str(reason))


def require(decision: Decision) -> Decision:
    """Services' one way to enforce a predicate: a refusal raises the domain PermissionDenied with
    the decision's reason (what the person is shown); an allowance is handed back."""
    if not decision:
        raise PermissionDenied(decision.reason)
    return decision


def is_signed_in(user) -> Decision:
    return ALLOW if getattr(user, "is_authenticated", False) else deny(_("请先登录。"))


def has_role(user, role: str) -> Decision:
    if not is_signed_in(user):
        return is_signed_in(user)
    if user.is_superuser or user.role == role:
        return ALLOW
    return deny(_("您的角色不能执行此操作。"))


def is_superuser(user) -> Decision:
    if getattr(user, "is_authenticated", False) and user.is_superuser:
        return ALLOW
    return deny(_("只有超级管理员可以执行此操作。"))


def is_administrator(user) -> Decision:
    return has_role(user, Role.ADMINISTRATOR)


def administers_programme(user, programme) -> Decision:
    """Administrators act on their own organiser's programmes; superusers on all."""
    if not is_administrator(user):
        return is_administrator(user)
    if user.is_superuser or (user.organiser_id and user.organiser_id == programme.organiser_id):
        return ALLOW
    return deny(_("该批次不属于您所在的主管部门。"))


def keeps_whole_register(user) -> bool:
    """Superusers and the administrators of a municipal-level organiser (the municipal bureau runs
    the platform) keep the register of every organisation."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.role == Role.ADMINISTRATOR and user.organiser_id is not None and (
        user.organiser.level == Level.MUNICIPAL
    )


def administered_organisations(user) -> Q:
    """The organisations an administrator keeps, as a filter on Organisation — the one definition
    behind ``visibility.organisations_for`` and ``administers_organisation``:

    * superusers and municipal-level organisers' administrators: every organisation;
    * a district-level organiser's administrators: the organisations in its district, and those
      that applied (alone or as a joint applicant) to one of its programmes;
    * anyone else, an administrator without an organiser included: none.
    """
    if keeps_whole_register(user):
        return Q()
    if not getattr(user, "is_authenticated", False) or user.role != Role.ADMINISTRATOR or not user.organiser_id:
        return Q(pk__in=[])
    organiser = user.organiser
    # Subqueries rather than joins: an organisation with many applications still comes back once.
    scope = Q(pk__in=Organisation.objects.filter(applications__programme__organiser=organiser).values("pk")) | Q(
        pk__in=Organisation.objects.filter(joint_applications__programme__organiser=organiser).values("pk")
    )
    if organiser.district_id:
        scope |= Q(district_id=organiser.district_id)
    return scope


def administers_organisation(user, organisation) -> Decision:
    """An administrator acts on the organisations their organiser keeps (see ``administered_organisations``)."""
    if not is_administrator(user):
        return is_administrator(user)
    if keeps_whole_register(user) or Organisation.objects.filter(
        administered_organisations(user), pk=organisation.pk
    ).exists():
        return ALLOW
    return deny(_("该单位不在您所在主管部门的管辖范围内。"))


def approved_membership(user):
    """The user's approved membership, or None."""
    membership = getattr(user, "membership", None) if getattr(user, "is_authenticated", False) else None
    if membership is not None and membership.status == MembershipStatus.APPROVED:
        return membership
    return None


def is_member_of(user, organisation) -> Decision:
    membership = approved_membership(user)
    if membership is not None and membership.organisation_id == organisation.pk:
        return ALLOW
    return deny(_("您不是该单位的成员。"))


def first_member(organisation):
    """The organisation's first approved user: the one who approves later joiners."""
    first = (
        organisation.memberships.filter(status=MembershipStatus.APPROVED)
        .order_by("requested_at", "pk")
        .select_related("user")
        .first()
    )
    return first.user if first else None


def may_decide_membership(user, membership) -> Decision:
    """The organisation's first user, or an administrator who keeps the organisation, decides on a
    request to join."""
    if membership.status != MembershipStatus.PENDING:
        return deny(_("该申请已处理。"))
    if is_administrator(user):
        return administers_organisation(user, membership.organisation)
    first = first_member(membership.organisation)
    if first is not None and first.pk == user.pk:
        return ALLOW
    return deny(_("只有该单位的首位用户或主管部门管理员可以批准加入申请。"))


def may_edit_organisation(user, organisation) -> Decision:
    """The organisation's approved members, and the administrators who keep it."""
    if is_administrator(user):
        return administers_organisation(user, organisation)
    return is_member_of(user, organisation)
