"""Writing the audit trail. Every service (and the admin, imports and tasks through them) calls
``record``; views never write audit rows themselves."""

import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models

from portal.models import AuditEntry, Programme
from portal.text import clean_text


def _plain(value):
    """A JSON-safe form of a field value, readable in the audit view."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return sorted(_plain(v) for v in value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    return value


def snapshot(obj: models.Model, fields=None) -> dict:
    """The concrete field values (and many-to-many pks, once saved) of ``obj``."""
    data = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in ("id", "password", "last_login") or getattr(field, "auto_now", False):
            continue  # secrets and bookkeeping timestamps are noise in a before/after record
        data[field.name] = _plain(getattr(obj, field.attname))
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            if fields is not None and field.name not in fields:
                continue
            data[field.name] = _plain(list(getattr(obj, field.name).values_list("pk", flat=True)))
    return data


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields whose value changed."""
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


# How to reach an object's programme, tried in order: its own programme_id, then the attribute
# paths that the apps which own such objects register in their AppConfig.ready() (portal does not
# know their models): "application.programme_id", "assignment.application.programme_id", …
PROGRAMME_PATHS = ["programme_id"]


def register_programme_path(path: str) -> None:
    """Let an app say how its objects lead to their programme (idempotent: ready() may run twice)."""
    if path not in PROGRAMME_PATHS:
        PROGRAMME_PATHS.append(path)


def programme_of(obj) -> int | None:
    """The id of the programme ``obj`` belongs to, or None for shared objects (organisations…)."""
    if isinstance(obj, Programme):
        return obj.pk
    for path in PROGRAMME_PATHS:
        value = obj
        try:
            for part in path.split("."):
                value = getattr(value, part)
        except (AttributeError, models.ObjectDoesNotExist):
            continue
        if value is not None:
            return value
    return None


_FROM_OBJECT = object()  # record(programme=...) not given: found from the object (programme_of)


def _programme_id(programme) -> int | None:
    return programme.pk if isinstance(programme, models.Model) else programme


def record(actor, action: str, obj: models.Model, *, changes=None, note: str = "", via: str = "web",
           programme=_FROM_OBJECT):
    """Appends one row to the audit trail and returns it. ``programme`` (a Programme or its id) is
    the programme the entry concerns: administrators read only their own organiser's programmes'
    entries (portal.visibility.audit_entries_for). Pass it whenever the object does not lead to it
    (an expert's profile, a recommending unit); without it, programme_of(obj) is asked."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        programme_id=programme_of(obj) if programme is _FROM_OBJECT else _programme_id(programme),
        actor=actor_obj,
        actor_name=(actor_obj.display_name if actor_obj else "系统"),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=clean_text(str(obj))[:200],
        changes=_cleaned(changes or {}),
        note=clean_text(str(note or "")),
        via=via,
    )


def _cleaned(value):
    """Audit rows are immutable: text in them is cleaned once, here, so that no row can ever stop
    the audit export (a note typed into a page without a form, a name pasted from Word)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): _cleaned(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_cleaned(v) for v in value]
    return value


def history(obj: models.Model):
    """The audit rows about one object, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True), object_id=str(obj.pk)
    ).select_related("actor")


def save_with_audit(actor, obj: models.Model, action: str, *, fields=None, note="", via="web",
                    programme=_FROM_OBJECT):
    """Saves ``obj`` (already changed in memory) and records what changed against the database."""
    before = {}
    if obj.pk is not None:
        stored = type(obj)._default_manager.filter(pk=obj.pk).first()
        if stored is not None:
            before = snapshot(stored, fields)
    obj.full_clean()
    obj.save()
    changes = diff(before, snapshot(obj, fields))
    return record(actor, action, obj, changes=changes, note=note, via=via, programme=programme)
