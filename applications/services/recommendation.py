"""The recommender's moves (推荐): endorse, decline, return to the applicant, send back to the
street, rank, and the organiser's reminder. Each is one function: it checks the permission
predicate of the workflow move (incl. the recommendation deadline), changes the state, writes the
audit row and notifies the people concerned."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.messages import ref
from portal.models import RecommendingUnit, User
from portal.permissions import require
from portal.services import audit
from portal.services.errors import DomainError
from portal.services.notify import notify, send_message

from ..documents.service import schedule_render
from ..models import Application, ApplicationStatus, DecisionKind, RecommendationDecision, ReturnComment, Section
from ..models.recommendation import ActualEffect, LeadingDegree
from ..permissions import may_rank, may_remind_recommenders
from ..workflow import decline_move, endorse_move
from .recommendation_queries import endorsement_count, live_endorsements, programme_progress
from .submission import applicant_users, checked_transition


def _locked(application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("programme", "organisation", "recommender__parent")
        .get(pk=application.pk)
    )


def _acting_unit(actor):
    return actor.recommending_unit if getattr(actor, "recommending_unit_id", None) else None


def _unit_users(*units):
    ids = [u.pk for u in units if u is not None]
    return list(User.objects.filter(recommending_unit_id__in=ids, is_active=True)) if ids else []


def _supersede(app, **filters):
    RecommendationDecision.objects.filter(application=app, superseded_at__isnull=True, **filters).update(
        superseded_at=timezone.now()
    )


def _change_status(actor, app, transition, *, note="", via="web"):
    before = app.status
    app.status = transition.target
    app.lock_version += 1
    app.save(update_fields=["status", "lock_version", "updated_at"])
    audit.record(actor, transition.audit_action, app, changes={"status": [before, app.status]}, note=note, via=via)
    # The printed form carries the recommender's opinion (推荐单位意见) once endorsed: the stored
    # PDF and Word of the latest submitted version are rendered again after each decision.
    latest = app.versions.order_by("-number").values_list("number", flat=True).first()
    if latest:
        schedule_render(actor, app, version=latest)


@transaction.atomic
def endorse(actor, application, *, opinion: str, actual_effect: str, leading_degree: str, completion_date,
            via: str = "web") -> RecommendationDecision:
    """推荐: with the 推荐单位意见, the assessed actual effect and leading degree, and the confirmed
    completion time. A street endorses to its district bureau, any other unit to the organiser.
    Refused beyond the programme's endorsement quota for this unit."""
    opinion = (opinion or "").strip()
    if not opinion:
        raise DomainError(_("请填写推荐单位意见。"))
    if actual_effect not in ActualEffect.values or leading_degree not in LeadingDegree.values:
        raise DomainError(_("请评估实际效果和同行业领先程度。"))
    if completion_date is None:
        raise DomainError(_("请确认项目完成时间。"))
    app = _locked(application)
    transition = checked_transition(actor, app, endorse_move(app))
    unit = RecommendingUnit.objects.select_for_update().get(pk=actor.recommending_unit_id)
    quota = app.programme.endorsement_quota
    used = endorsement_count(app.programme, unit)
    if quota is not None and used >= quota:
        raise DomainError(
            _("本单位在该批次的推荐名额为%(quota)d项，已推荐%(used)d项，不能再推荐。请先调整已推荐的项目。")
            % {"quota": quota, "used": used}
        )
    _supersede(app, unit=unit)
    last = live_endorsements(app.programme, unit).exclude(rank=None).order_by("-rank").values_list("rank", flat=True)
    row = RecommendationDecision.objects.create(
        application=app, unit=unit, kind=DecisionKind.ENDORSE, opinion=opinion, actual_effect=actual_effect,
        leading_degree=leading_degree, completion_date=completion_date, rank=(last.first() or 0) + 1,
        decided_by=actor,
    )
    _change_status(actor, app, transition, note=opinion, via=via)
    values = {"name": app.project_name, "unit": unit.name, "application_id": app.pk}
    if transition.name == "endorse_street":
        notify(_unit_users(unit.parent), "recommendation.street_endorsed.bureau", params=values, about=app)
        notify(applicant_users(app), "recommendation.street_endorsed.applicant", params=values, about=app)
    else:
        street = app.recommender if transition.name == "endorse_district" else None
        notify(_unit_users(street), "recommendation.endorsed.street", params=values, about=app)
        notify(applicant_users(app), "recommendation.endorsed.applicant", params=values, about=app)
    return row


@transaction.atomic
def decline(actor, application, reason: str, *, via: str = "web") -> RecommendationDecision:
    """不予推荐, with the reason (shown to the applicant)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写不予推荐的理由。"))
    app = _locked(application)
    transition = checked_transition(actor, app, decline_move(app))
    unit = _acting_unit(actor)
    _supersede(app, unit=unit)
    row = RecommendationDecision.objects.create(
        application=app, unit=unit, kind=DecisionKind.DECLINE, comment=reason, decided_by=actor
    )
    _change_status(actor, app, transition, note=reason, via=via)
    values = {"name": app.project_name, "unit": unit.name, "reason": reason, "application_id": app.pk}
    if transition.name == "decline_district":
        notify(_unit_users(app.recommender), "recommendation.declined.street", params=values, about=app)
    notify(applicant_users(app), "recommendation.declined.applicant", params=values, about=app)
    return row


@transaction.atomic
def return_to_applicant(actor, application, comment: str, sections=(), *, via: str = "web") -> RecommendationDecision:
    """退回修改: the comment is required; it may point at sections of the form (one return comment
    per section, shown beside it). Undoes the verdicts of this round; a resubmission starts over."""
    text = (comment or "").strip()
    if not text:
        raise DomainError(_("请填写退回意见，说明需要修改的内容。"))
    sections = list(dict.fromkeys(s for s in sections if s))
    if any(s not in Section.values for s in sections):
        raise DomainError(_("所选部分不存在。"))
    app = _locked(application)
    transition = checked_transition(actor, app, "return")
    street = app.recommender if app.status == ApplicationStatus.ENDORSED_BY_STREET else None
    unit = _acting_unit(actor)
    _supersede(app, kind__in=(DecisionKind.ENDORSE, DecisionKind.DECLINE))
    row = RecommendationDecision.objects.create(
        application=app, unit=unit, kind=DecisionKind.RETURN, comment=text, sections=sections, decided_by=actor
    )
    version = app.versions.order_by("-number").first()
    ReturnComment.objects.bulk_create(
        [ReturnComment(application=app, version=version, author=actor, text=text, section=s) for s in sections or [""]]
    )
    _change_status(actor, app, transition, note=text, via=via)
    values = {"name": app.project_name, "text": text, "application_id": app.pk}
    notify(applicant_users(app), "application.returned", params=values, about=app)
    notify(_unit_users(street), "recommendation.returned.street", params=values, about=app)
    return row


@transaction.atomic
def return_to_street(actor, application, comment: str, *, via: str = "web") -> RecommendationDecision:
    """退回街镇: the district bureau sends a street's endorsement back (→ submitted); the street
    reviews again and endorses, declines or returns it to the applicant."""
    text = (comment or "").strip()
    if not text:
        raise DomainError(_("请填写退回街镇的意见。"))
    app = _locked(application)
    transition = checked_transition(actor, app, "return_to_street")
    _supersede(app, unit=app.recommender)
    row = RecommendationDecision.objects.create(
        application=app, unit=_acting_unit(actor), kind=DecisionKind.RETURN_TO_STREET, comment=text,
        decided_by=actor,
    )
    _change_status(actor, app, transition, note=text, via=via)
    values = {"name": app.project_name, "text": text, "application_id": app.pk}
    notify(_unit_users(app.recommender), "recommendation.returned_to_street.street", params=values, about=app)
    notify(applicant_users(app), "recommendation.returned_to_street.applicant", params=values, about=app)
    return row


@transaction.atomic
def rank(actor, programme, unit, application_ids, *, via: str = "web") -> list[int]:
    """Orders the unit's live endorsements: ``application_ids`` must list each exactly once.
    Internal to the unit and the organiser, so nobody is notified; audited."""
    require(may_rank(actor, programme, unit))
    RecommendingUnit.objects.select_for_update().get(pk=unit.pk)  # one ranking at a time per unit
    rows = {r.application_id: r for r in live_endorsements(programme, unit)}
    wanted = [int(pk) for pk in application_ids]
    if sorted(wanted) != sorted(rows):
        raise DomainError(_("排序须包含本单位全部已推荐项目，且每项一次。请刷新页面后重试。"))
    before = list(rows)
    for position, pk in enumerate(wanted, start=1):
        rows[pk].rank = position
    RecommendationDecision.objects.bulk_update(rows.values(), ["rank"])
    audit.record(actor, "recommendation.rank", unit, changes={"order": [before, wanted]},
                 note=programme.title, via=via, programme=programme)
    return wanted


@transaction.atomic
def remind_late_recommenders(actor, programme, unit_ids=None, *, via: str = "web") -> list[RecommendingUnit]:
    """E-mails (and notifies in-app) the people of every unit with applications still waiting for
    its decision; ``unit_ids`` narrows the list. Audited on the programme, naming the units."""
    require(may_remind_recommenders(actor, programme))
    wanted = {int(pk) for pk in unit_ids} if unit_ids else None
    late = [row for row in programme_progress(programme) if row.is_late and (wanted is None or row.unit.pk in wanted)]
    deadline = programme.recommendation_deadline
    when = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") if deadline else ref("fragment.unset")
    for row in late:
        people = _unit_users(row.unit)
        values = {"title": programme.title, "n": row.pending, "deadline": when, "unit": row.unit.name,
                  "programme_id": programme.pk}
        notify(people, "recommendation.reminder", params=values)
        if row.unit.email and row.unit.email not in {p.email for p in people}:
            send_message([row.unit.email], "recommendation.reminder", **values)  # the unit's own mailbox (单位邮箱)
    if late:
        audit.record(actor, "recommendation.remind", programme,
                     changes={"units": [[], [row.unit.pk for row in late]]},
                     note="、".join(row.unit.name for row in late), via=via)
    return [row.unit for row in late]

