"""Programme life cycle (申报批次): moves along portal.workflow.PROGRAMME_WORKFLOW."""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import Programme
from portal.services import audit
from portal.services.errors import InvalidTransition, PermissionDenied
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
    decision = transition.allowed(actor, programme)
    if not decision:
        raise PermissionDenied(decision.reason)
    before = programme.status
    programme.status = transition.target
    programme.save(update_fields=["status"])
    audit.record(
        actor, f"programme.{name}", programme, changes={"status": [before, programme.status]}, note=note, via=via
    )
    # Leaving review (or coming back to it) changes what experts may see: cached unread counts
    # must be recounted against the feed.
    visibility_changed(None)
    return programme
