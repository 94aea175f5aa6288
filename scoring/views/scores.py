"""Score sheets (the application beside the score form), reopening, scoring progress and reminders.
Views only translate HTTP: the sheet is loaded by scoring.sheets.load_sheet, the rules are in
scoring.permissions (may_score, may_reopen), scoring.services.scores and score_progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.services.figures import economic_growth
from portal.models import Programme
from portal.services.errors import DomainError
from portal.visibility import administered_programmes
from scoring.forms_scores import ReopenForm, ScoreForm
from scoring.models import Score
from scoring.permissions import may_reopen
from scoring.services.assignment import send_reminders
from scoring.services.score_progress import scoring_progress
from scoring.services.scores import ScoreRejected, StaleScore, load_items, reopen_score, save_score
from scoring.services.suggestions import suggestions_for
from scoring.sheets import PledgeRequired, load_sheet
from scoring.visibility import score_sheets_for

from . import PROGRAMME_HEADER, administrators_only
from .expert_home import after_review
from .pledge import pledge_page


def _page(request, sheet, form, *, status=200, **extra):
    score, rubric, decision = sheet.score, sheet.rubric, sheet.decision
    application = sheet.assignment.application
    with_form = sheet.editable and rubric is not None  # else the stored sheet is shown (score_summary.html)
    return render(request, "scoring/score_sheet.html", {
        "assignment": sheet.assignment,
        "application": application,
        "programme": application.programme,
        "rubric": rubric,
        "score": score,
        "form": form,
        "rows": form.rows(suggestions_for(application, rubric)) if with_form else [],
        "summary": _summary(sheet.criteria, score) if extra.get("conflict") or not with_form else [],
        "editable": sheet.editable,
        "is_expert": sheet.is_expert,
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


def _sheet(request, pk, *, saving=False):
    """scoring.sheets.load_sheet, 404 outside what the person may open."""
    sheet = load_sheet(request.user, pk, saving=saving)
    if sheet is None:
        raise Http404
    return sheet


# After publication the sheet is closed: the expert gets the read-only "评审已结束" page instead
# of a 404. An expert who has not accepted the programme's pledge gets the pledge page
# (load_sheet asks the gate, scoring.permissions.pledge_gate, only when its look-up fails).
@after_review("assignment")
@login_required
def score_sheet(request, pk):
    try:
        if request.method == "POST":
            return _save(request, _sheet(request, pk, saving=True))
        sheet = _sheet(request, pk)
    except PledgeRequired as needed:
        return pledge_page(request, Programme.objects.get(pk=needed.programme_id), next_url=request.get_full_path())
    score = sheet.score
    if score is not None:
        load_items(score)  # the form's initial values
    return _page(request, sheet, ScoreForm(criteria=sheet.criteria, score=score))


def _save(request, sheet):
    pk = sheet.assignment.pk
    form = ScoreForm(request.POST, criteria=sheet.criteria)  # bound: shows what was posted, not the stored score
    status, extra = 400, {}
    if form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            save_score(request.user, sheet.assignment, items=form.items(),
                       overall_comment=form.cleaned_data["overall_comment"],
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
    # Refused: the page is shown again, read afresh now (with the score as stored at this point).
    sheet = _sheet(request, pk)
    if extra:
        # A stale save: keep what the person typed; offer the stored version beside it and the
        # current lock version, so a second save is a deliberate choice.
        data = request.POST.copy()
        stored = sheet.score  # None when the sheet was never saved (a forged or replayed version)
        data["lock_version"] = str(stored.lock_version if stored is not None else 0)
        form = ScoreForm(data, criteria=sheet.criteria)
        form.is_valid()
    return _page(request, sheet, form, status=status, **extra)


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


@administrators_only
def progress(request, pk):
    programme = get_object_or_404(administered_programmes(request.user).select_related(*PROGRAMME_HEADER), pk=pk)
    context = scoring_progress(programme)
    page = Paginator(context.pop("applications"), 50).get_page(request.GET.get("page"))
    return render(request, "scoring/score_progress.html",
                  {"programme": programme, **context, "applications": page.object_list, "page": page})


@administrators_only
@require_POST
def remind(request, pk):
    programme = get_object_or_404(administered_programmes(request.user).select_related(*PROGRAMME_HEADER), pk=pk)
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
