"""Determination (成果评定, §6.4): settings, manual tier changes with a reason, approval.

Every function checks its predicate, changes state, writes the audit trail and tells the programme's
administrators. Nothing here is visible outside the organiser until publication (§5.2)."""

import base64
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.messages import choice, join, ref
from portal.models import User
from portal.models.users import Role
from portal.permissions import require
from portal.services import audit
from portal.services.errors import DomainError
from portal.services.notify import notify
from scoring.services.assignment_problem import reviewable_applications

from ..models import Award, Determination, TierOverride
from ..models.awards import AWARDED_TIERS, Tier
from ..permissions import may_approve, may_change_settings, may_determine, may_reopen
from . import ranking
from .scores import settings_for

SETTINGS_FIELDS = ["ranking_statistic", "trim_min_scores", "disagreement_threshold", "bias_z_threshold",
                   "tier_method", "first_value", "second_value", "third_value"]


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写理由。"))
    return reason


def administrators_of(programme):
    return User.objects.filter(role=Role.ADMINISTRATOR, organiser_id=programme.organiser_id, is_active=True)


def tell_administrators(programme, key: str, **params):
    notify(administrators_of(programme), key, params=params | {"title": programme.title, "programme_id": programme.pk},
           about=programme)


def determination_for(programme) -> Determination:
    return Determination.objects.get_or_create(programme=programme)[0]


@transaction.atomic
def update_settings(actor, programme, values: dict, *, via: str = "web"):
    require(may_change_settings(actor, programme))
    settings = settings_for(programme)
    for name in SETTINGS_FIELDS:
        if name in values:
            setattr(settings, name, values[name])
    try:
        entry = audit.save_with_audit(actor, settings, "awards.settings", fields=SETTINGS_FIELDS, via=via)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    if entry.changes:
        tell_administrators(programme, "awards.settings_changed")
    return settings


@transaction.atomic
def override_tier(actor, application, tier: str, reason: str, *, via: str = "web") -> TierOverride:
    """Moves ``application`` to ``tier`` (or out of the awards: Tier.NONE). A reason is required."""
    programme = application.programme
    require(may_determine(actor, programme))
    reason = _reason(reason)
    if tier not in Tier.values:
        raise DomainError(_("无效的奖项等级。"))
    row = next((r for r in ranking.build(programme).rows if r.application.pk == application.pk), None)
    if row is None:
        raise DomainError(_("该项目不在本批次的评定范围内。"))
    before = row.tier
    override, _created = TierOverride.objects.update_or_create(
        application=application, defaults={"tier": tier, "reason": reason, "decided_by": actor}
    )
    audit.record(actor, "awards.override", application, changes={"tier": [before, tier]}, note=reason, via=via)
    tell_administrators(programme, "awards.override", project=application.project_name,
                         tier=choice("awards.Award", "tier", tier), reason=reason)
    return override


@transaction.atomic
def clear_override(actor, application, reason: str, *, via: str = "web") -> None:
    """Returns the application to its proposed tier; also needs a reason."""
    require(may_determine(actor, application.programme))
    reason = _reason(reason)
    override = TierOverride.objects.filter(application=application).first()
    if override is None:
        return
    before = override.tier
    override.delete()
    audit.record(actor, "awards.override_clear", application, changes={"tier": [before, "proposed"]}, note=reason,
                 via=via)
    tell_administrators(application.programme, "awards.override_cleared", project=application.project_name,
                         reason=reason)


@dataclass(frozen=True)
class UnderScored:
    application: object
    counted: int  # counted scores: submitted, by an expert whose assignment is active
    ranked: bool = True  # False: reviewable but never assigned, so not in the ranking either


UNDER_SCORED_NAMED = 5  # names in the refusal message; the ranking page lists them all


def under_scored(programme, result=None) -> list[UnderScored]:
    """Applications with fewer counted scores than the programme's experts per application, fewest first.
    ``result`` must be the programme-wide ranking (no category or panel filter)."""
    result = result or ranking.build(programme)
    wanted = programme.experts_per_application
    found = [UnderScored(r.application, r.scores.total.n) for r in result.rows if r.scores.total.n < wanted]
    listed = {r.application.pk for r in result.rows}
    found += [UnderScored(a, 0, ranked=False) for a in reviewable_applications(programme).exclude(pk__in=listed)]
    return sorted(found, key=lambda u: (u.counted, u.application.pk))


def under_scored_message(programme, found: list[UnderScored], named: int = UNDER_SCORED_NAMED) -> str:
    """"3 个项目的有效评分少于每项 5 份：《…》（3 份）、…"."""
    names = "、".join(_("《%(name)s》（%(n)s 份）") % {"name": u.application.project_name, "n": u.counted}
                     for u in found[:named])
    if len(found) > named:
        names += _("等")
    return _("%(count)s 个项目的有效评分少于每项 %(wanted)s 份：%(names)s。") % {
        "count": len(found), "wanted": programme.experts_per_application, "names": names}


def under_scored_notice(programme) -> str | None:
    """The warning on the programme page's move into 成果评定 (registered in awards/apps.py): the
    applications still short of scores, or None. A warning only: approval asks again ("仍然批准")."""
    short = under_scored(programme)
    return under_scored_message(programme, short) if short else None


def new_code() -> str:
    """12 characters of base32 (60 random bits): unguessable, readable aloud, unique by constraint."""
    while True:
        code = base64.b32encode(secrets.token_bytes(10)).decode()[:12]
        if not Award.objects.filter(verification_code=code).exists():
            return code


def _snapshot(row) -> dict:
    application = row.application
    header = application.header
    recommender = application.recommender.name if application.recommender_id else _("自行申报")
    return {
        "programme": application.programme,
        "tier": row.tier,
        "proposed_tier": row.proposed,
        "override_reason": row.override.reason if row.override else "",
        "rank": row.rank,
        "statistic": None if row.statistic is None else round(row.statistic, 3),
        "project_name": application.project_name,
        "organisation_name": header.get("name") or application.organisation.name,
        "category_name": application.category.name if application.category_id else "",
        "recommender_name": recommender,
    }


@transaction.atomic
def approve(actor, programme, *, note: str = "", confirm_under_scored: bool | None = None,
            via: str = "web") -> Determination:
    """Freezes the ranking and tiers as Award rows (verification codes kept across re-approvals).

    When some applications have fewer counted scores than configured, a person must confirm: the web
    form passes its "仍然批准" box, and False refuses with the list. None is a caller that asks nobody
    (the demo year, scripts); either way the audit row counts the missing scores."""
    require(may_approve(actor, programme))
    result = ranking.build(programme)
    if not any(r.rank for r in result.rows):
        raise DomainError(_("尚无有效评分，不能批准评定结果。"))
    short = under_scored(programme, result)
    if short and confirm_under_scored is False:
        raise DomainError(under_scored_message(programme, short) + _("如确认仍然批准，请勾选“仍然批准”。"))
    existing = {a.application_id: a for a in Award.objects.filter(programme=programme)}
    Award.objects.filter(programme=programme).exclude(application__in=[r.application for r in result.rows]).delete()
    for row in result.rows:
        award = existing.get(row.application.pk) or Award(application=row.application)
        for name, value in _snapshot(row).items():
            setattr(award, name, value)
        if award.tier in AWARDED_TIERS and not award.verification_code:
            award.verification_code = new_code()
        award.save()
    determination = determination_for(programme)
    determination.approved_at, determination.approved_by = timezone.now(), actor
    determination.save()
    counts = result.counts()
    changes = {"tiers": [None, counts]}
    if short:
        wanted = programme.experts_per_application
        changes["unsubmitted"] = [None, sum(wanted - u.counted for u in short)]
    audit.record(actor, "awards.approve", programme, changes=changes, note=note, via=via)
    tell_administrators(programme, "awards.approved", counts=join(
        ref("fragment.tier_count", tier=choice("awards.Award", "tier", t), n=n)
        for t, n in counts.items() if t in AWARDED_TIERS))
    return determination


@transaction.atomic
def reopen(actor, programme, reason: str, *, via: str = "web") -> Determination:
    """Withdraws the approval (before publication) so tiers can change again; a reason is required."""
    require(may_reopen(actor, programme))
    reason = _reason(reason)
    determination = determination_for(programme)
    before = determination.approved_at
    determination.approved_at, determination.approved_by = None, None
    determination.save()
    audit.record(actor, "awards.reopen", programme, changes={"approved_at": [before.isoformat(), None]},
                 note=reason, via=via)
    tell_administrators(programme, "awards.reopened", reason=reason)
    return determination
