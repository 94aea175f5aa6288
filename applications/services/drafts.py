"""Creating and saving a draft. Saving never asks for required fields: a half-filled form is
normal, and applications.services.completeness decides what a submission needs."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import ProgrammeStatus
from portal.permissions import approved_membership, require
from portal.services import audit
from portal.services.errors import DomainError, InvalidTransition
from portal.text import clean_text

from ..models import Application, ConflictDeclaration, TeamMember
from ..models.people import MAX_CONFLICTS, MAX_TEAM_MEMBERS
from ..permissions import may_create_application, may_edit_application
from ..sections import EDITABLE_FIELDS
from .errors import StaleApplication
from .versions import application_data, diff_data


def check_editable(actor, app: Application) -> None:
    """Raises unless ``actor`` may change ``app`` now (its members, while draft or returned)."""
    require(may_edit_application(actor, app))
    if not app.is_editable:
        raise InvalidTransition(
            _("申报表当前状态为“%(status)s”，不能修改；被退回修改后方可编辑。"
              )
            % {"status": app.get_status_display()}
        )


def check_programme_open(programme) -> None:
    if programme.status != ProgrammeStatus.OPEN:
        raise InvalidTransition(
            _("批次“%(title)s”当前不在开放申报阶段。")
            % {"title": programme.title}
        )
    if programme.submission_deadline and timezone.now() >= programme.submission_deadline:
        raise InvalidTransition(
            _("批次“%(title)s”已于%(deadline)s截止申报。")
            % {"title": programme.title,
               "deadline": timezone.localtime(programme.submission_deadline).strftime("%Y-%m-%d %H:%M")}
        )


@transaction.atomic
def create_draft(actor, programme, project_name: str, *, via: str = "web") -> Application:
    require(may_create_application(actor, programme))
    check_programme_open(programme)
    name = clean_text(project_name or "").strip()
    if not name:
        raise DomainError(_("请填写项目名称。"))
    organisation = approved_membership(actor).organisation
    if Application.objects.filter(programme=programme, organisation=organisation, project_name=name).exists():
        raise DomainError(
            _("本单位在该批次已有名为“%(name)s”的项目，一个项目只能申报一次。")
            % {"name": name}
        )
    app = Application.objects.create(
        programme=programme, organisation=organisation, created_by=actor, project_name=name
    )
    audit.record(actor, "application.create", app,
                 changes={"programme": [None, programme.title], "project_name": [None, name]}, via=via)
    return app


def _audit_state(app: Application, members, declared) -> dict:
    return {
        **audit.snapshot(app, fields=EDITABLE_FIELDS),
        "team": [m.as_text() for m in members],
        "conflicts": [c.as_text() for c in declared],
    }


def _team_rows(team: list[dict]) -> list[TeamMember]:
    return [TeamMember(order=i, **{c: clean_text(row.get(c) or "") for c in TeamMember.COLUMNS})
            for i, row in enumerate(team, start=1)]


def _conflict_rows(conflicts: list[dict]) -> list[ConflictDeclaration]:
    return [ConflictDeclaration(**{k: clean_text(row.get(k) or "") for k in ConflictDeclaration.COLUMNS})
            for row in conflicts]


def _same_rows(stored, given, columns) -> bool:
    """The stored rows (in their order) hold exactly the given values: nothing to rewrite."""
    return [[getattr(r, c) for c in columns] for r in stored] == [[getattr(r, c) for c in columns] for r in given]


# What the database itself guarantees for a row it holds: its foreign keys exist, its CHECK and
# UNIQUE constraints hold. For values a save leaves as they were read (under the row lock), asking
# again would only repeat queries, so _full_clean skips exactly those checks.
_FOREIGN_KEYS = [f for f in Application._meta.concrete_fields if f.is_relation]


def _constraint_fields(constraint) -> set[str] | None:
    """The fields a constraint reads, or None when not known (then it is always checked)."""
    if isinstance(constraint, models.CheckConstraint):
        return set(constraint.condition.referenced_base_fields)
    if isinstance(constraint, models.UniqueConstraint) and constraint.fields and not constraint.expressions:
        condition = constraint.condition.referenced_base_fields if constraint.condition is not None else set()
        return {*constraint.fields, *constraint.include, *condition}
    return None


def _full_clean(app: Application, stored: dict) -> None:
    """Model.full_clean (the same checks in the same order, the same collected errors), minus
    what the database guarantees for fields still holding the values read (``stored``: attname →
    value): that an unchanged foreign key exists, that a constraint over unchanged fields holds."""
    changed = {f.name for f in Application._meta.concrete_fields if getattr(app, f.attname) != stored[f.attname]}
    errors = {}
    try:
        app.clean_fields(exclude={f.name for f in _FOREIGN_KEYS if f.name not in changed})
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        app.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    failed = {name for name in errors if name != NON_FIELD_ERRORS}  # checked no further, as in full_clean
    try:
        app.validate_unique(exclude=failed)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    using = router.db_for_write(Application, instance=app)
    for model_class, constraints in app.get_constraints():  # Model.validate_constraints, constraint by constraint
        for constraint in constraints:
            fields = _constraint_fields(constraint)
            if fields is not None and not fields & changed:
                continue
            try:
                constraint.validate(model_class, app, exclude=failed, using=using)
            except ValidationError as error:
                if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_draft(actor, application: Application, *, data: dict, team: list[dict] | None = None,
               conflicts: list[dict] | None = None, lock_version: int | None = None,
               via: str = "web") -> Application:
    """Applies ``data`` (field → value, only EDITABLE_FIELDS), and replaces the team (ordered list
    of dicts with TeamMember.COLUMNS) and the conflict declarations when given. Fields not in
    ``data`` keep their stored values (an autosave sends only what changed).

    ``lock_version`` is the value the person's form was rendered with: if someone saved in
    between, the save is refused instead of silently overwriting their work.

    Only the application's row is locked (not its programme's: saves of different applications
    do not wait for each other). Team, conflict and joint-applicant rows are rewritten only when
    they changed; the audit row records the same before/after as always.
    """
    app, changes = apply_draft(actor, application, data=data, team=team, conflicts=conflicts,
                               lock_version=lock_version)
    audit.record(actor, "application.save_draft", app, changes=changes, via=via)
    return app


def apply_draft(actor, application: Application, *, data: dict, team: list[dict] | None = None,
                conflicts: list[dict] | None = None, lock_version: int | None = None) -> tuple[Application, dict]:
    """save_draft without its audit row: returns the saved application and what changed
    ({field: [before, after]}). For callers inside a transaction that audit in their own way
    (applications.services.autosave)."""
    app = (Application.objects.select_for_update(of=("self",)).select_related("programme", "organisation")
           .get(pk=application.pk))
    check_editable(actor, app)
    if lock_version is not None and lock_version != app.lock_version:
        raise StaleApplication(_("申报表已被他人修改，本次未保存；请核对两份内容后再保存。"
                                 ))
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if team is not None and len(team) > MAX_TEAM_MEMBERS:
        raise DomainError(_("攻关项目组成员最多%(max)d名。") % {"max": MAX_TEAM_MEMBERS})
    if conflicts is not None and len(conflicts) > MAX_CONFLICTS:
        raise DomainError(_("申请回避最多%(max)d项。") % {"max": MAX_CONFLICTS})

    members, declared = list(app.team_members.all()), list(app.conflicts.all())
    before = _audit_state(app, members, declared)
    stored = {f.attname: getattr(app, f.attname) for f in Application._meta.concrete_fields}
    many = {}
    for name, value in data.items():
        if Application._meta.get_field(name).many_to_many:
            many[name] = list(value)
        else:
            setattr(app, name, clean_text(value))  # the forms normalise already; imports and scripts too
    _check_channel(app)
    if any(org.pk == app.organisation_id for org in many.get("joint_applicants", [])):
        raise DomainError(_("联合申报单位不能是本单位。"))
    try:
        _full_clean(app, stored)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    app.lock_version += 1
    app.save()
    after_many = {}
    for name, value in many.items():
        pks = sorted(obj.pk for obj in value)
        if pks == before.get(name):
            after_many[name] = before[name]  # the same organisations: nothing to write or read back
        else:
            getattr(app, name).set(value)
            after_many.update(audit.snapshot(app, fields=[name]))
    after_team, after_conflicts = before["team"], before["conflicts"]
    if team is not None:
        rows = _team_rows(team)
        if not _same_rows(members, rows, ("order", *TeamMember.COLUMNS)):
            app.team_members.all().delete()
            for row in rows:
                row.application = app
            TeamMember.objects.bulk_create(rows)
        after_team = [m.as_text() for m in rows]
    if conflicts is not None:
        rows = _conflict_rows(conflicts)
        if not _same_rows(declared, rows, ConflictDeclaration.COLUMNS):
            app.conflicts.all().delete()
            for row in rows:
                row.application = app
            ConflictDeclaration.objects.bulk_create(rows)
        after_conflicts = [c.as_text() for c in rows]
    after = {**audit.snapshot(app, fields=[f for f in EDITABLE_FIELDS if f not in many]), **after_many,
             "team": after_team, "conflicts": after_conflicts}
    return app, audit.diff(before, after)


def _check_channel(app: Application) -> None:
    """The recommender must be one the programme accepts; self-declared only where allowed."""
    if app.self_declared:
        if not app.programme.allow_self_declared:
            raise DomainError(_("该批次不接受自行申报。"))
        app.recommender = None
    elif app.recommender_id and not app.programme.accepted_units.filter(pk=app.recommender_id).exists():
        raise DomainError(
            _("推荐单位“%(unit)s”不受理该批次。")
            % {"unit": app.recommender}
        )


def differences(app: Application, *, data: dict, team: list[dict] | None = None,
                conflicts: list[dict] | None = None) -> list:
    """Where the person's form (cleaned ``data``, team and conflict rows) differs from what is
    stored now, as versions.Change(label, before=stored, after=the person's): the two texts a
    refused (stale) save shows side by side. Fields the form did not send count as unchanged."""
    stored = application_data(app)
    fields = dict(stored["fields"])
    for name, value in data.items():
        if Application._meta.get_field(name).many_to_many:
            fields[name] = sorted(str(obj) for obj in value)
        elif isinstance(value, models.Model):
            fields[name] = str(value)
        else:
            fields[name] = value.isoformat() if hasattr(value, "isoformat") else value
    mine = {**stored, "fields": fields}
    if team is not None:
        mine["team"] = [{"text": member.as_text()} for member in _team_rows(team)]
    if conflicts is not None:
        mine["conflicts"] = [row.as_text() for row in _conflict_rows(conflicts)]
    return diff_data(stored, mine)
