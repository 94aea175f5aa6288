"""Publication (成果公布, §6.5): publish through the programme workflow, tell applicants and
recommenders; undo only by a superuser with a reason."""

from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from portal.messages import choice
from portal.models import OrganisationMembership, Programme, User
from portal.models.organisations import MembershipStatus
from portal.models.users import Role
from portal.permissions import require
from portal.services import audit
from portal.services.errors import DomainError
from portal.services.notify import notify
from portal.services.programmes import transition_programme

from ..models import Award
from ..permissions import PUBLIC_STATUSES, may_unpublish
from .determination import determination_for, tell_administrators


def published_results(applications) -> list[tuple]:
    """[(application, award)] for one application or a list, in one query. Only programmes already
    published give a result: before that nothing is shown (§5.2). The applicant's dashboard and its
    result card read this (awards.dashboard, awards_tags.published_results)."""
    if applications is None or applications == "":
        return []
    items = list(applications) if isinstance(applications, (list, tuple)) or hasattr(applications, "model") \
        else [applications]
    if not items:
        return []
    awards = {a.application_id: a for a in Award.objects.filter(
        application__in=[a.pk for a in items], programme__status__in=PUBLIC_STATUSES).select_related("programme")}
    return [(a, awards[a.pk]) for a in items if a.pk in awards]


def joint_names(application_ids) -> dict[int, str]:
    """Application id → its joint applicants (联合申报单位) as one line, "乙公司、丙研究院"; one query.
    The public list, the verification page and the certificate name them beside the awardee."""
    names = defaultdict(list)
    rows = Application.joint_applicants.through.objects.filter(application_id__in=list(application_ids))
    for application_id, name in rows.order_by("organisation__name", "pk").values_list("application_id",
                                                                                     "organisation__name"):
        names[application_id].append(name)
    return {key: "、".join(value) for key, value in names.items()}


@transaction.atomic
def publish(actor, programme, *, note: str = "", via: str = "web") -> Programme:
    # One check: the workflow's "publish" move asks administers_programme and the may_publish guard
    # awards registers in its AppConfig (approved determination, determining step).
    programme = transition_programme(actor, programme, "publish", note=note, via=via)
    determination = determination_for(programme)
    determination.published_at, determination.published_by = timezone.now(), actor
    determination.save()
    awards = list(Award.objects.filter(programme=programme).select_related("application__recommender"))
    audit.record(actor, "awards.publish", programme,
                 changes={"awarded": [None, sum(1 for a in awards if a.is_awarded)]}, note=note, via=via)
    _tell_applicants_and_recommenders(programme, awards)
    return programme


def _tell_applicants_and_recommenders(programme, awards):
    members = defaultdict(list)
    for m in OrganisationMembership.objects.filter(
        organisation_id__in={a.application.organisation_id for a in awards}, status=MembershipStatus.APPROVED
    ).select_related("user"):
        members[m.organisation_id].append(m.user)
    for award in awards:
        notify(members[award.application.organisation_id], "awards.published.applicant", params={
            "title": programme.title, "project": award.project_name,
            "outcome": choice("awards.Award", "tier", award.tier if award.is_awarded else "none")},
            about=award.application)
    units = {a.application.recommender_id for a in awards if a.application.recommender_id}
    parents = {a.application.recommender.parent_id for a in awards
               if a.application.recommender_id and a.application.recommender.parent_id}
    recommenders = User.objects.filter(Q(recommending_unit_id__in=units | parents), role=Role.RECOMMENDER)
    awarded = sum(1 for a in awards if a.is_awarded)
    notify(recommenders, "awards.published.recommender", params={
        "title": programme.title, "n": awarded, "year": programme.year})


@transaction.atomic
def unpublish(actor, programme, reason: str, *, via: str = "web") -> Programme:
    """Back to determination (workflow transition "unpublish"); superusers only, with a reason."""
    programme = Programme.objects.select_related("organiser").get(pk=programme.pk)
    require(may_unpublish(actor, programme))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写撤回理由。"))
    programme = transition_programme(actor, programme, "unpublish", note=reason, via=via)
    determination = determination_for(programme)
    before = determination.published_at
    determination.published_at, determination.published_by = None, None
    determination.save()
    audit.record(actor, "awards.unpublish", programme,
                 changes={"published_at": [before.isoformat() if before else None, None]}, note=reason, via=via)
    tell_administrators(programme, "awards.unpublished", reason=reason)
    return programme
