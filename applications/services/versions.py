"""Versions: the full form as plain JSON at each submission, and what changed between two."""

import datetime
import decimal
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext as _

from ..models import Application, ApplicationVersion
from ..models.application import HEADER_FIELDS
from ..sections import EDITABLE_FIELDS

FORMAT = 1  # bump if the layout of ``data`` changes, so old versions stay readable


class Change(NamedTuple):
    label: str
    before: str
    after: str


def _plain(field, value):
    if isinstance(value, models.Model):
        return str(value)  # what the form showed: the category's or unit's name
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(field, models.DecimalField) and value is not None:
        return _decimal_text(field, value)
    return value


def _decimal_text(field, value) -> str:
    """Always with the field's places (12 and 12.00 are the same figure)."""
    try:
        return str(decimal.Decimal(str(value)).quantize(decimal.Decimal(1).scaleb(-field.decimal_places)))
    except decimal.InvalidOperation:
        return str(value)


def application_data(app: Application, *, team=None, conflicts=None, evidence=None, joint=None) -> dict:
    """Everything the applicant submitted: fields, organisation header, team, files. The related
    lists may be passed in (bulk demo data builds versions without a query per application)."""
    team = app.team_members.all() if team is None else team
    conflicts = app.conflicts.all() if conflicts is None else conflicts
    evidence = app.evidence.all() if evidence is None else evidence
    fields = {}
    for name in EDITABLE_FIELDS:
        field = Application._meta.get_field(name)
        if field.many_to_many:
            fields[name] = sorted(str(o) for o in (getattr(app, name).all() if joint is None else joint))
        else:
            fields[name] = _plain(field, getattr(app, name))
    return {
        "format": FORMAT,
        "fields": fields,
        "organisation": dict(app.header),
        "team": [
            {**{c: getattr(m, c) for c in m.COLUMNS}, "text": m.as_text()} for m in team
        ],
        "conflicts": [c.as_text() for c in conflicts],
        "evidence": [
            {"id": e.pk, "kind": e.kind, "kind_label": str(e.get_kind_display()), "description": e.description,
             "original_name": e.original_name, "size": e.size}
            for e in evidence
        ],
    }


def _text(value) -> str:
    """A stored value as the person saw it: 是/否 for flags, names joined, blank for nothing."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _shown(name: str, value) -> str:
    field = Application._meta.get_field(name)
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DecimalField) and value not in (None, ""):
        return _decimal_text(field, value)
    return _text(value)


def _evidence_line(e: dict) -> str:
    return f"{e['kind_label']}：{e['original_name']}"


def diff_data(old: dict, new: dict) -> list[Change]:
    """What changed, in form order: fields, organisation header, team positions, conflicts, files."""
    changes = []
    for name in EDITABLE_FIELDS:
        before, after = old["fields"].get(name), new["fields"].get(name)
        if _shown(name, before) != _shown(name, after):
            label = str(Application._meta.get_field(name).verbose_name)
            changes.append(Change(label, _shown(name, before), _shown(name, after)))
    for key, label in HEADER_FIELDS:
        before, after = _text(old["organisation"].get(key)), _text(new["organisation"].get(key))
        if before != after:
            changes.append(Change(str(label), before, after))
    old_team, new_team = old.get("team", []), new.get("team", [])
    for i in range(max(len(old_team), len(new_team))):
        before = old_team[i]["text"] if i < len(old_team) else ""
        after = new_team[i]["text"] if i < len(new_team) else ""
        if before != after:
            changes.append(Change(_("攻关项目组成员第%(n)d位") % {"n": i + 1}, before, after))
    for key, label, line in (
        ("conflicts", _("申请回避"), str),
        ("evidence", _("证实性材料"), _evidence_line),
    ):
        before = "\n".join(line(x) for x in old.get(key, []))
        after = "\n".join(line(x) for x in new.get(key, []))
        if before != after:
            changes.append(Change(label, before, after))
    return changes


def diff_versions(v_old: ApplicationVersion, v_new: ApplicationVersion) -> list[Change]:
    return diff_data(v_old.data, v_new.data)
