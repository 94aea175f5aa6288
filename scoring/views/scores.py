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
    load_items,
    may_reopen,
    may_score,
    programme_rubric,
    reopen_score,
    save_score,
)
from scoring.services.suggestions import suggestions_for
from scoring.visibility import screens_experts

from . import administrators_only
from .expert_home import after_review
from .pledge import require_pledge

# What the page shows beside the assignment, read in the same query: the programme and its rubric
# link (programme_rubric), the organisation header and the 3.2 suggestion (district), the project
# category, the recommending unit and the stored score; the expert's name only for others than the
# expert. The score's items are read only when shown (load_items).
SHEET_RELATED = ("application__programme__rubric_link", "application__organisation__district",
                 "application__category", "application__recommender", "score", "expert")
# A save needs only the rubric before save_score reads the assignment again under lock; the rest is
# read when the page is shown again after a refused save.
SAVE_ONLY = ("application__programme__rubric_link__rubric_id", "application__programme__rubric_link__assigned_at")


def _sheet(request, sheets, pk):
    related = SHEET_RELATED if screens_experts(request.user) else (*SHEET_RELATED, "expert__user")
    return get_object_or_404(sheets.select_related(None).select_related(*related), pk=pk)


def _score_of(assignment):
    try:
        return assignment.score  # select_related (SHEET_RELATED)
    except Score.DoesNotExist:
        return None


def _page(request, assignment, rubric, criteria, form, *, status=200, **extra):
    score = _score_of(assignment)
    application = assignment.application
    is_expert = assignment.expert.user_id == request.user.pk
    # For an expert, the look-up through score_sheets_for has just checked the pledge and conflicts.
    decision = may_score(request.user, assignment, screened=screens_experts(request.user)) if is_expert else None
    editable = bool(decision) and (score is None or score.status == ScoreStatus.DRAFT)
    with_form = editable and rubric is not None  # else the stored sheet is shown (score_summary.html)
    return render(request, "scoring/score_sheet.html", {
        "assignment": assignment,
        "application": application,
        "programme": application.programme,
        "rubric": rubric,
        "score": score,
        "form": form,
        "rows": form.rows(suggestions_for(application, rubric)) if with_form else [],
        "summary": _summary(criteria, score) if extra.get("conflict") or not with_form else [],
        "editable": editable,
        "is_expert": is_expert,
        "refusal": decision.reason if decision is not None and not decision else "",
        "growth": economic_growth(application),
        "team": application.team_members.all(),
        "evidence_list": application.evidence.all(),
        "reopen_form": ReopenForm() if score is not None and may_reopen(request.user, score) else None,
        **extra,
    }, status=status)


def _summary(criteria, score) -> list[dict]:
    """The stored sheet, criterion by criterion (read-only view; the conflict panel)."""
    if score is None:
        return []
    load_items(score)
    stored = {item.criterion_id: item for item in score.items.all()}
    return [{"criterion": c, "item": stored.get(c.pk)} for c in criteria]


# The view looks the assignment up before anything else, through assignments_for (which requires
# the pledge): so the gate is asked only when that look-up fails. After publication the sheet is
# closed: the expert gets the read-only "评审已结束" page instead of a 404.
@after_review("assignment")
@require_pledge("assignment", lookup_first=True)
def score_sheet(request, pk):
    sheets = score_sheets_for(request.user)
    if request.method == "POST":
        return _save(request, sheets, pk)
    assignment = _sheet(request, sheets, pk)
    rubric, criteria = programme_rubric(assignment.application.programme)
    score = _score_of(assignment)
    if score is not None:
        load_items(score)  # the form's initial values
    return _page(request, assignment, rubric, criteria, ScoreForm(criteria=criteria, score=score))


def _save(request, sheets, pk):
    found = get_object_or_404(
        sheets.select_related(None).select_related("application__programme__rubric_link").only(*SAVE_ONLY), pk=pk)
    rubric, criteria = programme_rubric(found.application.programme)
    form = ScoreForm(request.POST, criteria=criteria)  # bound: shows what was posted, not the stored score
    status, extra = 400, {}
    if form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            save_score(request.user, found, items=form.items(), overall_comment=form.cleaned_data["overall_comment"],
                       lock_version=form.cleaned_data["lock_version"], submit=submit)
        except StaleScore as error:
            messages.error(request, str(error))
            status, extra = 409, {"conflict": True}
        except ScoreRejected as error:
            form.add_faults(error.faults)
            messages.error(request, str(error))
        except DomainError as error:
            messages.error(request, str(error))
            status = 403
        else:
            messages.success(request, _("评分已提交并锁定。") if submit else _("评分草稿已保存。"))
            return redirect("scoring:score_sheet", pk=pk)
    else:
        messages.error(request, _("有内容填写有误，请按提示修改。"))
    # Refused: the page is shown again, read in full now (with the score as stored at this point).
    assignment = _sheet(request, sheets, pk)
    if extra:
        # A stale save: keep what the person typed; offer the stored version beside it and the
        # current lock version, so a second save is a deliberate choice.
        data = request.POST.copy()
        stored = _score_of(assignment)  # None when the sheet was never saved (a forged or replayed version)
        data["lock_version"] = str(stored.lock_version if stored is not None else 0)
        form = ScoreForm(data, criteria=criteria)
        form.is_valid()
    return _page(request, assignment, rubric, criteria, form, status=status, **extra)


@login_required
@require_POST
def score_reopen(request, pk):
    score = get_object_or_404(Score.objects.filter(assignment__in=score_sheets_for(request.user)), pk=pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退回理由。"))
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
