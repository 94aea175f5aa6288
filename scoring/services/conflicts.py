"""Conflicts of interest (回避, §5.2), four sources in one model (scoring.ConflictOfInterest):

* automatic — ``detect_conflicts(programme | application | expert)``: idempotent per rule code;
* expert — ``declare_conflict`` on an assigned application, ``declare_unit_conflict`` by unit
  name or credit code (it never tells the expert whether anything matched);
* applicant — the applicant's ConflictDeclaration rows, found by ``detect_conflicts``;
* administrator — ``set_conflict``; ``decide_conflict`` confirms or dismisses the others.

An active or confirmed conflict blocks assignment; one that meets an active assignment recuses it
and discards its score (kept in the audit trail: scoring.services.recusal).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatus
from portal.models import Programme
from portal.permissions import require
from portal.services import audit
from portal.services.errors import DomainError
from portal.services.notify import notify, visibility_changed
from scoring.models import ConflictOfInterest, ConflictSource, ConflictStatus, ExpertProfile
from scoring.models.review import BLOCKING_CONFLICT_STATUSES
from scoring.permissions import (
    CONFLICT_STATUSES,
    expert_profile_of,
    may_decide_conflict,
    may_declare_conflict,
    may_set_conflict,
)

from .conflict_detection import application_parties, experts_in_scope, find_conflicts
from .conflict_rules import normalise_org_name
from .recusal import programme_administrators, recuse_pairs

RULE_EXPERT_DECLARED = "declared"
RULE_EXPERT_UNIT = "declared_unit"
RULE_ADMINISTRATOR = "set"


@dataclass
class DetectionResult:
    created: list = field(default_factory=list)  # Finding
    recused: list = field(default_factory=list)  # Assignment


def blocking_conflicts():
    return ConflictOfInterest.objects.filter(status__in=BLOCKING_CONFLICT_STATUSES)


def blocking_conflict_subquery(expert_ref="expert_id", application_ref="application_id"):
    """Exists(...) of a blocking conflict for the outer row's (expert, application)."""
    return Exists(blocking_conflicts().filter(expert_id=OuterRef(expert_ref), application_id=OuterRef(application_ref)))


def is_blocked(expert_id: int, application_id: int) -> bool:
    return blocking_conflicts().filter(expert_id=expert_id, application_id=application_id).exists()


def _required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写回避理由。"))
    return reason[:300]


@transaction.atomic
def detect_conflicts(target, *, actor=None, via: str = "system") -> DetectionResult:
    """Runs the automatic and applicant-declared rules for a programme (its non-draft
    applications × the pool), one application (× the pool) or one expert (× applications of
    programmes still open to conflicts). Adds only missing rows: a dismissed finding stays
    dismissed. New blocking findings recuse the pair's active assignment."""
    if isinstance(target, Programme):
        apps = Application.objects.filter(programme=target).exclude(status=ApplicationStatus.DRAFT)
        experts = experts_in_scope()
    elif isinstance(target, Application):
        apps, experts = Application.objects.filter(pk=target.pk), experts_in_scope()
    elif isinstance(target, ExpertProfile):
        apps = Application.objects.filter(programme__status__in=CONFLICT_STATUSES).exclude(
            status=ApplicationStatus.DRAFT)
        experts = ExpertProfile.objects.filter(pk=target.pk)
    else:
        raise TypeError(target)
    findings = find_conflicts(apps, experts)
    existing = set(ConflictOfInterest.objects.filter(application__in=apps, expert__in=experts).values_list(
        "expert_id", "application_id", "source", "rule"))
    new = [f for f in findings if (f.expert_id, f.application_id, f.source, f.rule) not in existing]
    ConflictOfInterest.objects.bulk_create([
        ConflictOfInterest(expert_id=f.expert_id, application_id=f.application_id, source=f.source, rule=f.rule,
                           reason=f.reason[:300], status=ConflictStatus.ACTIVE)
        for f in new
    ], batch_size=500, ignore_conflicts=True)
    result = DetectionResult(created=new)
    if new:
        _record_detection(actor, target, new, via=via)
        reasons = {}
        for f in new:
            reasons.setdefault((f.application_id, f.expert_id), f.reason)
        result.recused = recuse_pairs(actor, reasons, reason_for=lambda pair: _("回避：%s") % reasons[pair], via=via)
    return result


def _record_detection(actor, target, findings, *, via: str) -> None:
    """One audit entry per programme the findings concern, carrying it: a run on an expert's profile
    spans programmes of several organisers, and each organiser's administrators read only their own."""
    programme_of_app = dict(Application.objects.filter(pk__in={f.application_id for f in findings})
                            .values_list("pk", "programme_id"))
    by_programme = {}
    for f in findings:
        by_programme.setdefault(programme_of_app.get(f.application_id), []).append(f)
    for programme_id, found in sorted(by_programme.items(), key=lambda item: item[0] or 0):
        audit.record(actor, "conflict.detect", target, via=via, programme=programme_id, changes={
            "conflicts": [None, [f"{f.expert_id}→{f.application_id} {f.source}/{f.rule}: {f.reason}" for f in found]],
        })


@transaction.atomic
def declare_conflict(user, application, reason: str, *, via: str = "web") -> ConflictOfInterest:
    """An expert declares an interest in one application (申请回避); the assignment, if any, is
    recused at once."""
    require(may_declare_conflict(user, application.programme))
    reason = _required(reason)
    profile = expert_profile_of(user)
    conflict, created = ConflictOfInterest.objects.get_or_create(
        expert=profile, application=application, source=ConflictSource.EXPERT, rule=RULE_EXPERT_DECLARED,
        defaults={"reason": reason, "created_by": user},
    )
    if not created:
        conflict.reason, conflict.status = reason, ConflictStatus.ACTIVE
        conflict.save(update_fields=["reason", "status"])
    audit.record(user, "conflict.declare", conflict, changes={"reason": [None, reason]}, via=via,
                 programme=application.programme_id)
    visibility_changed([user.pk])
    notify(programme_administrators(application.programme), "conflict.declared", params={
        "expert": profile.name, "project": application.project_name, "reason": reason}, about=application)
    recuse_pairs(user, {(application.pk, profile.pk)}, reason_for=lambda pair: _("专家申请回避：%s") % reason,
                 via=via)
    return conflict


@transaction.atomic
def declare_unit_conflict(user, programme, *, unit_name: str = "", credit_code: str = "", reason: str,
                          via: str = "web") -> None:
    """An expert names an organisation (or group) they have an interest in; every application of
    the programme by it, or jointly with it, becomes a conflict. Returns nothing on purpose: the
    expert must not learn who applied."""
    require(may_declare_conflict(user, programme))
    reason = _required(reason)
    key, code = normalise_org_name(unit_name), (credit_code or "").strip().upper()
    if not key and not code:
        raise DomainError(_("请填写单位名称（至少两个字）或统一社会信用代码。"))
    profile = expert_profile_of(user)
    apps = Application.objects.filter(programme=programme).exclude(status=ApplicationStatus.DRAFT)
    matched = []
    for app_id, parties in application_parties(apps).items():
        for party in parties:
            names = {normalise_org_name(n) for n in (*party.names, party.group_company)} - {""}
            if (code and party.credit_code.upper() == code) or (key and key in names):
                matched.append(app_id)
                break
    text = _("专家申报利益关系单位“%(unit)s”：%(reason)s") % {"unit": unit_name or code, "reason": reason}
    for app_id in matched:
        ConflictOfInterest.objects.get_or_create(
            expert=profile, application_id=app_id, source=ConflictSource.EXPERT, rule=RULE_EXPERT_UNIT,
            defaults={"reason": text[:300], "created_by": user},
        )
    visibility_changed([user.pk])
    audit.record(user, "conflict.declare_unit", profile, via=via, programme=programme, changes={
        "programme": [None, programme.pk], "unit_name": [None, unit_name], "credit_code": [None, code],
        "reason": [None, reason], "matched_applications": [None, sorted(matched)],
    })
    notify(programme_administrators(programme), "conflict.unit_declared", params={
        "expert": profile.name, "programme": programme.title, "unit": unit_name or code, "n": len(matched)},
        about=programme)
    recuse_pairs(user, {(app_id, profile.pk) for app_id in matched}, reason_for=lambda pair: text, via=via)


@transaction.atomic
def set_conflict(user, expert, application, reason: str, *, via: str = "web") -> ConflictOfInterest:
    """The administrator records a conflict (confirmed at once)."""
    require(may_set_conflict(user, application.programme))
    reason = _required(reason)
    now = timezone.now()
    conflict, created = ConflictOfInterest.objects.get_or_create(
        expert=expert, application=application, source=ConflictSource.ADMINISTRATOR, rule=RULE_ADMINISTRATOR,
        defaults={"reason": reason, "status": ConflictStatus.CONFIRMED, "created_by": user, "decided_by": user,
                  "decided_at": now},
    )
    before = None if created else conflict.status
    if not created:
        conflict.reason, conflict.status, conflict.decided_by, conflict.decided_at = (
            reason, ConflictStatus.CONFIRMED, user, now)
        conflict.save(update_fields=["reason", "status", "decided_by", "decided_at"])
    visibility_changed([expert.user_id])
    audit.record(user, "conflict.set", conflict, via=via, programme=application.programme_id, changes={
        "status": [before, ConflictStatus.CONFIRMED], "reason": [None, reason]})
    recuse_pairs(user, {(application.pk, expert.pk)}, reason_for=lambda pair: _("主管部门设定回避：%s") % reason,
                 via=via)
    return conflict


@transaction.atomic
def decide_conflict(user, conflict, *, confirm: bool, note: str = "", via: str = "web") -> ConflictOfInterest:
    """Confirms (keeps blocking) or dismisses (stops blocking) a conflict. Dismissing does not
    bring back a recused assignment: the administrator assigns again if wanted."""
    conflict = ConflictOfInterest.objects.select_for_update().select_related("application__programme").get(
        pk=conflict.pk)
    require(may_decide_conflict(user, conflict))
    before = conflict.status
    conflict.status = ConflictStatus.CONFIRMED if confirm else ConflictStatus.DISMISSED
    conflict.decided_by, conflict.decided_at = user, timezone.now()
    conflict.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(user, "conflict.confirm" if confirm else "conflict.dismiss", conflict, note=note, via=via,
                 programme=conflict.application.programme_id, changes={"status": [before, conflict.status]})
    if confirm:
        recuse_pairs(user, {(conflict.application_id, conflict.expert_id)},
                     reason_for=lambda pair: _("回避：%s") % conflict.reason, via=via)
    return conflict
