"""Applicant self-registration and organisation membership (申报单位注册与加入)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Organisation, OrganisationMembership, User
from portal.models.organisations import MembershipStatus
from portal.models.users import Role
from portal.permissions import (
    administers_organisation,
    first_member,
    may_decide_membership,
    may_edit_organisation,
    require,
)
from portal.services import audit
from portal.services.notify import notify


@transaction.atomic
def register_applicant(*, account: dict, organisation: dict | None, credit_code: str) -> OrganisationMembership:
    """Creates the person and either a new organisation (approved at once: the first user) or a
    pending request to join the organisation already registered under ``credit_code``."""
    password = account.pop("password")
    user = User(role=Role.APPLICANT, **account)
    user.set_password(password)
    user.save()
    audit.record(user, "account.register", user, changes={"username": [None, user.username]})

    existing = Organisation.objects.select_for_update().filter(credit_code=credit_code).first()
    if existing is None:
        org = Organisation(credit_code=credit_code, **(organisation or {}))
        org.full_clean()
        org.save()
        audit.record(user, "organisation.register", org, changes=audit.diff({}, audit.snapshot(org)))
        membership = OrganisationMembership.objects.create(
            user=user, organisation=org, status=MembershipStatus.APPROVED, decided_at=timezone.now()
        )
        audit.record(user, "membership.approve", membership, note=_("首位用户，自动批准"))
        return membership

    membership = OrganisationMembership.objects.create(user=user, organisation=existing)
    audit.record(user, "membership.request", membership)
    approvers = [first_member(existing), *_administrators_keeping(existing)]
    notify(approvers, "membership.requested", params={"name": user.display_name, "org": existing.name},
           about=existing)
    return membership


def _administrators_keeping(organisation):
    """The active administrators who keep ``organisation``: only they may decide (and hear of) a
    request to join it."""
    keeps = {}  # organiser id -> bool: administrators of one organiser share the answer
    found = []
    for admin in User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).select_related("organiser"):
        if admin.is_superuser:
            found.append(admin)
            continue
        if admin.organiser_id not in keeps:
            keeps[admin.organiser_id] = bool(administers_organisation(admin, organisation))
        if keeps[admin.organiser_id]:
            found.append(admin)
    return found


@transaction.atomic
def decide_membership(actor, membership: OrganisationMembership, *, approve: bool) -> OrganisationMembership:
    membership = OrganisationMembership.objects.select_for_update().get(pk=membership.pk)
    require(may_decide_membership(actor, membership))
    before = audit.snapshot(membership)
    membership.status = MembershipStatus.APPROVED if approve else MembershipStatus.REJECTED
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.save()
    audit.record(
        actor,
        "membership.approve" if approve else "membership.reject",
        membership,
        changes=audit.diff(before, audit.snapshot(membership)),
    )
    notify([membership.user], "membership.approved" if approve else "membership.rejected",
           params={"org": membership.organisation.name})
    return membership


def update_organisation(actor, organisation: Organisation, *, via: str = "web"):
    """Saves changes to an organisation's details (already applied in memory), with the audit row."""
    require(may_edit_organisation(actor, organisation))
    return audit.save_with_audit(actor, organisation, "organisation.update", via=via)
