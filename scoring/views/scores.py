"""Score sheets (the application beside the score form), reopening, scoring progress and reminders.
Views only translate HTTP: the rules are in scoring.services.scores and score_progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.services.figures import economic_growth
from portal.permissions import administers_programme
from portal.services.errors import DomainError
from portal.visibility import programmes_for
from scoring.forms_scores import ReopenForm, ScoreForm
from scoring.models import Score, ScoreStatus
from scoring.services.assignment import send_reminders
from scoring.services.score_progress import score_sheets_for, scoring_progress
from scoring.services.scores import (
    ScoreRejected,
    StaleScore,
    may_reopen,
    may_score,
    reopen_score,
    rubric_criteria,
    rubric_of,
    save_score,
)
from scoring.services.suggestions import suggestions_for

from . import administrators_only
from .pledge import require_pledge


def _stored_score(assignment):
    score = Score.objects.filter(assignment=assignment).prefetch_related("items__band", "items__bonus_level").first()
    if score is not None:
        score.assignment = assignment  # already read, with its application and programme
    return score


def _context(request, assignment, rubric, criteria, score, form, **extra) -> dict:
    application = assignment.application
    is_expert = assignment.expert.user_id == request.user.pk
    decision = may_score(request.user, assignment) if is_expert else None
    editable = bool(decision) and (score is None or score.status == ScoreStatus.DRAFT)
    return {
        "assignment": assignment,
        "application": application,
        "programme": application.programme,
        "rubric": rubric,
        "score": score,
        "form": form,
        "rows": form.rows(suggestions_for(application, rubric)) if rubric else [],
        "summary": _summary(criteria, score),
        "editable": editable,
        "is_expert": is_expert,
        "refusal": decision.reason if decision is not None and not decision else "",
        "growth": economic_growth(application),
        "team": application.team_members.all(),
        "evidence_list": application.evidence.all(),
        "reopen_form": ReopenForm() if score is not None and may_reopen(request.user, score) else None,
        **extra,
    }


def _summary(criteria, score) -> list[dict]:
    """The stored sheet, criterion by criterion (read-only view; the conflict panel)."""
    if score is None:
        return []
    stored = {item.criterion_id: item for item in score.items.all()}
    return [{"criterion": c, "item": stored.get(c.pk)} for c in criteria]


@require_pledge("assignment")  # an expert sees the pledge page until the programme's pledge is accepted
def score_sheet(request, pk):
    # The district too: the organisation header beside the form and the 3.2 suggestion read it.
    assignment = get_object_or_404(score_sheets_for(request.user).select_related("application__organisation__district"),
                                   pk=pk)
    rubric = rubric_of(assignment.application.programme)
    criteria = rubric_criteria(rubric) if rubric else []
    score = _stored_score(assignment)
    if request.method != "POST":
        form = ScoreForm(criteria=criteria, score=score)
        return render(request, "scoring/score_sheet.html", _context(request, assignment, rubric, criteria, score, form))

    form = ScoreForm(request.POST, criteria=criteria, score=score)
    status, extra = 400, {}
    if form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            save_score(request.user, assignment, items=form.items(),
                       overall_comment=form.cleaned_data["overall_comment"],
                       lock_version=form.cleaned_data["lock_version"], submit=submit, rubric=rubric)
        except StaleScore as error:
            # Keep what the person typed; offer the stored version beside it and the current lock
            # version, so a second save is a deliberate choice.
            messages.error(request, str(error))
            score = _stored_score(assignment)
            data = request.POST.copy()
            data["lock_version"] = str(score.lock_version)
            form = ScoreForm(data, criteria=criteria, score=score)
            form.is_valid()
            status, extra = 409, {"conflict": True}
        except ScoreRejected as error:
            form.add_faults(error.faults)
            messages.error(request, str(error))
        except DomainError as error:
            messages.error(request, str(error))
            status = 403
        else:
            messages.success(request, _("评分已提交并锁定。") if submit else _("评分草稿已保存。"))
            return redirect("scoring:score_sheet", pk=assignment.pk)
    else:
        messages.error(request, _("有内容填写有误，请按提示修改。(Please correct the errors marked below.)"))
    context = _context(request, assignment, rubric, criteria, score, form, **extra)
    return render(request, "scoring/score_sheet.html", context, status=status)


@login_required
@require_POST
def score_reopen(request, pk):
    score = get_object_or_404(Score.objects.filter(assignment__in=score_sheets_for(request.user)), pk=pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退回理由。(A reason is required.)"))
    else:
        try:
            reopen_score(request.user, score, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("评分已退回专家修改，并已通知专家。"))
    return redirect("scoring:score_sheet", pk=score.assignment_id)


def _administered_programme(request, pk):
    programme = get_object_or_404(programmes_for(request.user), pk=pk)
    if not administers_programme(request.user, programme):
        raise Http404
    return programme


@administrators_only
def progress(request, pk):
    programme = _administered_programme(request, pk)
    context = scoring_progress(programme)
    page = Paginator(context.pop("applications"), 50).get_page(request.GET.get("page"))
    return render(request, "scoring/score_progress.html",
                  {"programme": programme, **context, "applications": page.object_list, "page": page})


@administrators_only
@require_POST
def remind(request, pk):
    programme = _administered_programme(request, pk)
    try:
        count = send_reminders(request.user, programme)  # one reminder service, shared with the assignment overview
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if count:
            messages.success(request, _("已向 %(n)d 位尚未提交评分的专家发送提醒。") % {"n": count})
        else:
            messages.info(request, _("所有专家均已提交评分，无需提醒。"))
    return redirect("scoring:scoring_progress", pk=programme.pk)
