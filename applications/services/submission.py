"""Submission, return for revision and resubmission: the moves of APPLICATION_WORKFLOW."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import ProgrammeStatus, User
from portal.models.organisations import MembershipStatus
from portal.models.users import Role
from portal.permissions import require
from portal.services import audit
from portal.services.errors import DomainError, InvalidTransition
from portal.services.notify import notify

from ..documents.service import schedule_render
from ..models import Application, ApplicationStatus, ApplicationVersion, DecisionKind, ReturnComment, Section
from ..models.application import organisation_header
from ..workflow import APPLICATION_WORKFLOW
from .completeness import completeness_check
from .drafts import check_programme_open
from .duplicates import on_submitted
from .errors import IncompleteApplication
from .versions import application_data


def checked_transition(actor, app: Application, name: str):
    """The workflow move ``name`` if ``app`` is in one of its sources and ``actor`` may make it
    (also used by the recommendation services)."""
    transition = APPLICATION_WORKFLOW.get(name)
    if app.status not in transition.sources:
        raise InvalidTransition(
            _("申报“%(name)s”当前状态为“%(status)s”，不能%(action)s。")
            % {"name": app.project_name, "status": app.get_status_display(), "action": transition.label}
        )
    require(APPLICATION_WORKFLOW.check(actor, app, name))
    return transition


def _check_resubmission_window(programme) -> None:
    """Returns mostly happen while the recommender reviews, after the submission deadline; a
    returned application may come back until the recommendation deadline."""
    if programme.status not in (ProgrammeStatus.OPEN, ProgrammeStatus.RECOMMENDING):
        raise InvalidTransition(
            _("批次“%(title)s”已结束推荐审核，不能重新提交。")
            % {"title": programme.title}
        )
    if programme.recommendation_deadline and timezone.now() >= programme.recommendation_deadline:
        raise InvalidTransition(_("推荐截止时间已过，不能重新提交。"))


def applicant_users(app: Application):
    """The applicant organisation's approved, active people (whom notices about ``app`` go to)."""
    return User.objects.filter(
        membership__organisation_id=app.organisation_id, membership__status=MembershipStatus.APPROVED, is_active=True
    )


def _recommenders(app: Application):
    """The chosen unit's people; for a self-declared project, the programme's administrators."""
    if app.recommender_id:
        return User.objects.filter(recommending_unit_id=app.recommender_id, is_active=True)
    return User.objects.filter(role=Role.ADMINISTRATOR, organiser_id=app.programme.organiser_id, is_active=True)


@transaction.atomic
def submit(actor, application: Application, *, via: str = "web", only_returned: bool = False) -> Application:
    """Submits a draft, or resubmits a returned application. Refuses with every missing item."""
    app = Application.objects.select_for_update().select_related("programme", "organisation").get(pk=application.pk)
    if only_returned and app.status != ApplicationStatus.RETURNED:
        raise InvalidTransition(_("只有被退回的申报可以重新提交。"))
    name = "resubmit" if app.status == ApplicationStatus.RETURNED else "submit"
    transition = checked_transition(actor, app, name)
    if name == "submit":
        check_programme_open(app.programme)
    else:
        _check_resubmission_window(app.programme)
    missing = completeness_check(app)
    if missing:
        raise IncompleteApplication(
            _("申报表尚不完整，还有%(n)d项需要补充。") % {"n": len(missing)}, missing
        )
    before = app.status
    app.organisation_snapshot = organisation_header(app.organisation)
    app.status = transition.target
    app.submitted_at = timezone.now()
    app.lock_version += 1
    app.save()
    number = (app.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    ApplicationVersion.objects.create(application=app, number=number, data=application_data(app), created_by=actor)
    schedule_render(actor, app, version=number)  # PDF and Word of this version, after commit
    on_submitted(app)  # 疑似重复: compared by content; a failure there never refuses this
    audit.record(actor, transition.audit_action, app, changes={"status": [before, app.status]},
                 note=_("第%(n)d版") % {"n": number}, via=via)
    params = {"org": app.organisation.name, "name": app.project_name, "programme": app.programme.title, "n": number,
              "application_id": app.pk}
    notify([*_recommenders(app), *applicant_users(app)],
           "application.submitted" if name == "submit" else "application.resubmitted", params=params, about=app)
    bureau = _returning_bureau(app) if name == "resubmit" else None
    if bureau is not None:
        notify(User.objects.filter(recommending_unit=bureau, is_active=True), "application.resubmitted.bureau",
               params=params | {"street": app.recommender.name}, about=app)
    return app


def _returning_bureau(app: Application):
    """The district bureau, when it (not the street) returned the application last: it waits for the
    street's review of the new version and is told of the resubmission."""
    last = app.recommendation_decisions.filter(kind=DecisionKind.RETURN).select_related("unit").order_by(
        "-decided_at", "-pk").first()
    if last is None or last.unit is None or last.unit_id == app.recommender_id:
        return None
    return last.unit if app.recommender and app.recommender.parent_id == last.unit_id else None


def resubmit(actor, application: Application, *, via: str = "web") -> Application:
    """Submits again after a return; the same checks as the first submission."""
    return submit(actor, application, via=via, only_returned=True)


@transaction.atomic
def return_for_revision(actor, application: Application, comment: str, section: str = "", *,
                        via: str = "web") -> ReturnComment:
    text = (comment or "").strip()
    if not text:
        raise DomainError(_("请填写退回意见，说明需要修改的内容。"))
    if section and section not in Section.values:
        raise DomainError(_("所选部分不存在。"))
    app = Application.objects.select_for_update().select_related("programme", "organisation").get(pk=application.pk)
    transition = checked_transition(actor, app, "return")
    before = app.status
    app.status = transition.target
    app.lock_version += 1
    app.save(update_fields=["status", "lock_version", "updated_at"])
    comment_row = ReturnComment.objects.create(
        application=app, version=app.versions.order_by("-number").first(), author=actor, text=text, section=section
    )
    audit.record(actor, transition.audit_action, app, changes={"status": [before, app.status]}, note=text, via=via)
    notify([*applicant_users(app), *_recommenders(app)], "application.returned",
           params={"name": app.project_name, "text": text, "application_id": app.pk}, about=app)
    return comment_row
