"""What each person may see: one query function per kind of object, reused by every view.

An object outside these querysets answers 404, so its existence does not leak.

Things *about* an object (a notification, a background job) name it by ``about_model``
("app_label.model") and ``about_id``; ``about_visible`` keeps those whose object the person may
still see, through the same functions the object's own pages use. portal is the lowest layer, so
the other apps fill the registry in their AppConfig.ready() (``register_about``).
"""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from portal.models import (
    AuditEntry,
    Job,
    Notification,
    Organisation,
    OrganisationMembership,
    Programme,
    ProgrammeStatus,
    RecommendingUnit,
    User,
)
from portal.models.organisations import MembershipStatus
from portal.models.users import Role
from portal.permissions import administered_organisations, approved_membership, first_member, keeps_whole_register
from portal.services.audit import programme_of


def administered_programmes(user):
    """The programmes a person administers, whatever their status: an administrator's organiser's
    programmes, every programme for superusers, none for anyone else (an administrator without an
    organiser included). The one definition of "my programmes" for administrator pages: the other
    apps' visibility filters by it and their views look programmes up through it (404 outside).
    No select_related: callers add the joins their page reads."""
    if not getattr(user, "is_authenticated", False):
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.all()
    if user.role == Role.ADMINISTRATOR and user.organiser_id:
        return Programme.objects.filter(organiser_id=user.organiser_id)
    return Programme.objects.none()


def programmes_for(user):
    """Administrators: the programmes they administer (administered_programmes). Everyone signed in:
    programmes past the draft stage; recommenders only those that accept their unit (or its parent)."""
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return administered_programmes(user).select_related("organiser", "district")
    qs = Programme.objects.select_related("organiser", "district").exclude(status=ProgrammeStatus.DRAFT)
    if user.role == Role.RECOMMENDER:
        unit = user.recommending_unit
        if unit is None:
            return qs.none()
        units = [unit.pk] + ([unit.parent_id] if unit.parent_id else [])
        return qs.filter(accepted_units__in=units).distinct()
    return qs


def organisations_for(user):
    """Applicants: their own organisation once approved. Administrators: the organisations their
    organiser keeps — all for the municipal bureau and superusers; for a district organiser those
    in its district and those that applied to its programmes (``permissions.administered_organisations``).
    Others: none here (recommenders and experts reach organisations through the applications they handle)."""
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return Organisation.objects.filter(administered_organisations(user))
    membership = approved_membership(user)
    if membership is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=membership.organisation_id)


def membership_requests_for(user):
    """Pending requests to join that this person may decide: administrators, those to the
    organisations they keep; an organisation's first user, those to that organisation."""
    pending = OrganisationMembership.objects.filter(status=MembershipStatus.PENDING).select_related(
        "user", "organisation"
    )
    if keeps_whole_register(user):
        return pending
    if user.role == Role.ADMINISTRATOR:
        return pending.filter(organisation__in=organisations_for(user))
    membership = approved_membership(user)
    if membership is None:
        return pending.none()
    first = first_member(membership.organisation)
    if first is None or first.pk != user.pk:
        return pending.none()
    return pending.filter(organisation_id=membership.organisation_id)


def recommending_units_for(user):
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return RecommendingUnit.objects.all()
    if user.role == Role.RECOMMENDER and user.recommending_unit_id:
        return RecommendingUnit.objects.filter(Q(pk=user.recommending_unit_id) | Q(parent=user.recommending_unit_id))
    return RecommendingUnit.objects.none()


def may_read_history(user, obj) -> bool:
    """An object's history is readable when its programme (if it has one) is visible to the person;
    an organisation's, or a request to join it, when the organisation is."""
    if isinstance(obj, Organisation | OrganisationMembership):
        organisation_id = obj.pk if isinstance(obj, Organisation) else obj.organisation_id
        return organisations_for(user).filter(pk=organisation_id).exists()
    programme_id = programme_of(obj)
    return programme_id is None or programmes_for(user).filter(pk=programme_id).exists()


# Entries of these families always concern a programme (services pass it to audit.record); one
# without it was written before that and cannot be scoped, so only superusers read it.
PROGRAMME_ACTIONS = ("conflict.", "assignment.", "score.")


def audit_entries_for(user):
    """The audit trail is for administrators: entries about shared objects (units, experts, rubrics),
    about the organisations they keep (requests to join them, their applicants' accounts) and about
    their own organiser's programmes (an entry carries its programme: a conflict found on an
    expert's profile is read by the programme's organiser only). Superusers read everything."""
    qs = AuditEntry.objects.select_related("actor", "content_type")
    if user.is_superuser:
        return qs
    if user.role != Role.ADMINISTRATOR:
        return qs.none()
    unscoped = Q()
    for prefix in PROGRAMME_ACTIONS:
        unscoped |= Q(action__startswith=prefix)
    qs = qs.filter(Q(programme__isnull=True) & ~unscoped | Q(programme__organiser_id=user.organiser_id))
    if keeps_whole_register(user):
        return qs
    # object_id is text (it holds any model's key), so the visible keys are compared as text.
    organisation_type = ContentType.objects.get_for_model(Organisation)
    membership_type = ContentType.objects.get_for_model(OrganisationMembership)
    kept = organisations_for(user)
    kept_ids = kept.annotate(key=Cast("pk", CharField())).values("key")
    kept_memberships = OrganisationMembership.objects.filter(organisation__in=kept).annotate(
        key=Cast("pk", CharField())
    ).values("key")
    # An applicant's account (its registration, say) belongs with the organisation it joined.
    user_type = ContentType.objects.get_for_model(User)
    foreign_applicants = User.objects.filter(role=Role.APPLICANT).exclude(
        membership__organisation__in=kept
    ).annotate(key=Cast("pk", CharField())).values("key")
    return qs.exclude(Q(content_type=organisation_type) & ~Q(object_id__in=kept_ids)).exclude(
        Q(content_type=membership_type) & ~Q(object_id__in=kept_memberships)
    ).exclude(Q(content_type=user_type) & Q(object_id__in=foreign_applicants))


# "app_label.model" -> function(user) returning the queryset of such objects the person may see.
ABOUT: dict[str, Callable] = {}


def register_about(model, visible_for: Callable) -> None:
    ABOUT[model._meta.label_lower] = visible_for


def about_label(obj) -> tuple[str, int | None]:
    """(about_model, about_id) for ``obj`` (None: nothing)."""
    if obj is None:
        return "", None
    return obj._meta.label_lower, obj.pk


def about_visible(user, prefix: str = "about") -> Q:
    """A filter keeping rows about nothing, or about an object ``user`` may see. A row about a kind
    of object nobody registered stays out (fail closed). One subquery per registered kind."""
    condition = Q(**{f"{prefix}_model": ""})
    for label, visible_for in ABOUT.items():
        condition |= Q(**{f"{prefix}_model": label, f"{prefix}_id__in": visible_for(user).values("pk")})
    return condition


def notifications_for(user):
    """The person's feed, minus notifications about objects they can no longer see (an expert
    recused from an application no longer reads its name)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).filter(about_visible(user))


def jobs_for(user):
    """The background jobs a person asked for whose object they may still see (superusers: all).
    One query; lists (a page's latest export, say) start here. ``portal.jobs.visible_job`` adds the
    kind's own re-check for a single job."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    if user.is_superuser:
        return Job.objects.all()
    return Job.objects.filter(requested_by=user).filter(about_visible(user))
