"""Programme life cycle (申报批次): moves along portal.workflow.PROGRAMME_WORKFLOW."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Programme, ProgrammeStatus
from portal.permissions import administers_programme, require
from portal.services import audit
from portal.services.errors import DomainError, InvalidTransition
from portal.services.notify import visibility_changed
from portal.workflow import PROGRAMME_WORKFLOW


@transaction.atomic
def transition_programme(actor, programme: Programme, name: str, *, note: str = "", via: str = "web") -> Programme:
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    transition = PROGRAMME_WORKFLOW.get(name)
    if transition is None or programme.status not in transition.sources:
        raise InvalidTransition(
            _("批次“%(title)s”当前状态为“%(status)s”，不能执行该操作。")
            % {"title": programme.title, "status": programme.get_status_display()}
        )
    require(PROGRAMME_WORKFLOW.check(actor, programme, name))
    before = programme.status
    programme.status = transition.target
    programme.save(update_fields=["status"])
    audit.record(
        actor, transition.audit_action, programme, changes={"status": [before, programme.status]}, note=note, via=via
    )
    # Leaving review (or coming back to it) changes what experts may see: cached unread counts
    # must be recounted against the feed.
    visibility_changed(None)
    return programme


# The organiser's settings of a programme (programme page), and from which step each may no longer change:
# the quota belongs to recommendation, panel size and loads to the expert assignment; nothing changes once
# the results are published.
SETTINGS_FIELDS = ("submission_deadline", "recommendation_deadline", "scoring_deadline", "endorsement_quota",
                   "experts_per_application", "min_load_per_expert", "max_load_per_expert")
RECOMMENDATION_STEPS = (ProgrammeStatus.DRAFT, ProgrammeStatus.OPEN, ProgrammeStatus.RECOMMENDING)
ASSIGNMENT_STEPS = RECOMMENDATION_STEPS + (ProgrammeStatus.REVIEWING,)
FROZEN_STEPS = (ProgrammeStatus.PUBLISHED, ProgrammeStatus.CLOSED)


def _shown(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if hasattr(value, "tzinfo") and value else value


@transaction.atomic
def update_settings(actor, programme: Programme, values: dict, *, via: str = "web") -> Programme:
    """Deadlines, the recommenders' quota, experts per project and their loads. Refuses (DomainError)
    someone who does not administer the programme, a setting its step has passed, deadlines out of
    order and a minimum load above the maximum; writes one audit row with what changed."""
    require(administers_programme(actor, programme))
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    changes = {name: [getattr(programme, name), values[name]] for name in SETTINGS_FIELDS
               if name in values and values[name] != getattr(programme, name)}
    if not changes:
        return programme
    if programme.status in FROZEN_STEPS:
        raise DomainError(_("成果已公布，批次设置不能再修改。"))
    if "endorsement_quota" in changes and programme.status not in RECOMMENDATION_STEPS:
        raise DomainError(_("推荐审核已结束，推荐名额不能再修改。"))
    loads = {"experts_per_application", "min_load_per_expert", "max_load_per_expert"}
    if loads & changes.keys() and programme.status not in ASSIGNMENT_STEPS:
        raise DomainError(_("专家评价已结束，评审专家人数和评审数不能再修改。"))
    for name, (_before, after) in changes.items():
        setattr(programme, name, after)
    if programme.experts_per_application < 1:
        raise DomainError(_("每个项目至少需要 1 位评审专家。"))
    if programme.min_load_per_expert > programme.max_load_per_expert:
        raise DomainError(_("每位专家最少评审数不能大于最多评审数。"))
    try:
        programme.clean()  # the deadlines in order: submission, recommendation, scoring
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    programme.save(update_fields=list(changes))
    audit.record(actor, "programme.settings", programme,
                 changes={name: [_shown(before), _shown(after)] for name, (before, after) in changes.items()},
                 via=via)
    return programme
