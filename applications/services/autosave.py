"""Autosave: the form's background saves while a person types (static/applications/application-form.js).

An autosave is a draft save like the 保存草稿 button (drafts.apply_draft: the same checks, the
same optimistic locking, only the fields sent are changed) with two differences:

- it must name the version it was based on: a background save never overwrites blindly;
- the audit trail records it once per editing session (one ``application.autosave`` row per
  application and person in SESSION), not per keystroke pause. The first autosave's before/after
  is in that row; the button's saves and the submission keep recording everything.

Autosaves make no ApplicationVersion: versions are made on submission only (submission.py).
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import AuditEntry
from portal.services import audit
from portal.throttle import Limit

from ..models import Application
from . import drafts
from .errors import StaleApplication

ACTION = "application.autosave"  # portal/activity.py names it in the activity lists
SESSION = datetime.timedelta(minutes=30)
# A 3 s pause after typing, a tab switch or a field left: a person sends at most a few a minute.
# The limit stops a runaway script, not a fast typist (the browser keeps the text and retries).
PER_PERSON_AND_APPLICATION = Limit("autosave", 40, 60)


def throttle_key(actor, application) -> str:
    return f"{actor.pk}:{application.pk}"


@transaction.atomic
def autosave(actor, application: Application, *, data: dict, team: list[dict] | None = None,
             conflicts: list[dict] | None = None, lock_version: int | None, via: str = "web") -> Application:
    """Saves the fields in ``data`` (and the team / conflict tables when given, each as a whole)
    if ``lock_version`` is still the stored one; raises StaleApplication otherwise."""
    if lock_version is None:
        raise StaleApplication(_("自动保存须注明所依据的版本。"))
    app, changes = drafts.apply_draft(actor, application, data=data, team=team, conflicts=conflicts,
                                      lock_version=lock_version)
    # After apply_draft: the application's row is locked, so two autosaves of one person cannot
    # both find no row and both write one.
    if changes and not _recorded_recently(actor, app):
        audit.record(actor, ACTION, app, changes=changes, via=via,
                     note=_("自动保存；此后%(minutes)d分钟内的自动保存不再逐条记录。") % {
                         "minutes": SESSION.seconds // 60})
    return app


def _recorded_recently(actor, app: Application) -> bool:
    return AuditEntry.objects.filter(
        action=ACTION, actor=actor, at__gte=timezone.now() - SESSION,
        content_type=ContentType.objects.get_for_model(Application), object_id=str(app.pk),
    ).exists()
