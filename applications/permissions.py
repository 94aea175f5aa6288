"""Permission predicates for applications; each returns a portal.permissions.Decision."""

from django.utils.translation import gettext_lazy as _

from portal.models.users import Role
from portal.permissions import (
    ALLOW,
    administers_programme,
    approved_membership,
    deny,
    is_member_of,
    is_signed_in,
)


def may_create_application(user, programme):
    if approved_membership(user) is None:
        return deny(_(
            "您尚未成为已批准的申报单位成员，不能申报。(Only approved members of an organisation may apply.)"
        ))
    return ALLOW


def may_edit_application(user, application):
    """The applicant organisation's approved members fill in and change the form."""
    return is_member_of(user, application.organisation)


def may_submit(user, application):
    return is_member_of(user, application.organisation)


def may_return(user, application):
    """For now: an administrator of the programme, or a recommender of the chosen unit.
    The recommendation step will widen this (e.g. the district bureau over its streets)."""
    if not is_signed_in(user):
        return is_signed_in(user)
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return administers_programme(user, application.programme)
    if user.role == Role.RECOMMENDER and user.recommending_unit_id and (
        user.recommending_unit_id == application.recommender_id
    ):
        return ALLOW
    return deny(_(
        "只有所选推荐单位或主管部门可以退回申报。(Only the chosen recommender or the organiser may return it.)"
    ))
