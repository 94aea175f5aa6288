"""The administrator's determination pages: ranking, per-application scores, settings, tier changes,
approval, publication. Every programme comes from awards.visibility: others answer 404 (no login
redirect either, so nothing leaks to the anonymous)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.models import Application
from portal.kept import MISSING, Kept
from portal.services import audit
from portal.services.errors import DomainError

from .. import permissions as rules
from .. import tiers as tier_rules
from ..forms import OverrideForm, RankingFilterForm, ReasonForm, SealForm, SettingsForm
from ..models.awards import Tier
from ..services import determination, publication, ranking, seal, tier_proposal
from ..visibility import determined_programmes_for
from .seal import pop_error


def programme_or_404(request, pk):
    return get_object_or_404(determined_programmes_for(request.user), pk=pk)


# The rendered ranking table beside the signature of what it shows (ranking.Ranking.signature),
# the filter and the language (portal.kept says why and why it cannot go stale).
_TABLES = Kept("ranking tables")


def _ranking_table(programme, result, selection: dict) -> str:
    key = (result.signature, tuple(sorted(selection.items())), get_language())
    html = _TABLES.get(programme.pk, key)
    if html is MISSING:
        html = _TABLES.put(programme.pk, render_to_string("awards/_ranking_table.html",
                                                          {"programme": programme, "ranking": result}), key)
    return html


def _proposal_values(settings, proposal) -> dict:
    """Every settings field as the form posts it: the current ones, with the proposed tier rule."""
    values = {name: getattr(settings, name) for name in determination.SETTINGS_FIELDS}
    first, second, third = proposal.values
    return values | {"tier_method": "counts", "first_value": first, "second_value": second, "third_value": third}


def ranking_page(request, pk):
    programme = programme_or_404(request, pk)
    filters = RankingFilterForm(programme, request.GET or None)
    selection = filters.selection()
    result = ranking.build(programme, **selection)
    # Warnings and the proposal are programme-wide, whatever the filter shows.
    whole = ranking.build(programme) if any(selection.values()) else result
    short = determination.under_scored(programme, whole)
    proposal = tier_proposal.for_ranking(whole)
    user = request.user
    context = {
        "under_scored": short,
        "under_scored_message": determination.under_scored_message(programme, short) if short else "",
        "proposal": proposal,
        "proposal_matches": proposal.matches(result.settings),
        "proposal_values": _proposal_values(result.settings, proposal),
        "pass_mark": f"{tier_rules.PASS_MARK:g}",
        "programme": programme,
        "ranking": result,
        "ranking_table": _ranking_table(programme, result, selection),
        "filters": filters,
        "settings_form": SettingsForm(instance=result.settings),
        "seal": {"form": SealForm(), "preview": seal.preview_data_uri(result.settings),
                 "error": pop_error(request, programme), "accept": seal.ACCEPT},
        "tiers": Tier.choices,
        "can": {
            "settings": rules.may_change_settings(user, programme),
            "determine": rules.may_determine(user, programme),
            "reopen": rules.may_reopen(user, programme),
            "publish": rules.may_publish(user, programme),
            "unpublish": rules.may_unpublish(user, programme),
        },
        "history": audit.history(programme).filter(action__startswith="awards.")[:10],
    }
    return render(request, "awards/ranking.html", context)


def application_scores(request, pk, application_pk):
    programme = programme_or_404(request, pk)
    result = ranking.build(programme)
    row = next((r for r in result.rows if r.application.pk == application_pk), None)
    if row is None:
        raise Http404
    labels = result.data.expert_labels(anonymise=False)
    sheets = row.scores.scores
    context = {
        "programme": programme, "row": row, "ranking": result, "tiers": Tier.choices,
        "experts": [labels.get(s.expert_id, "") for s in sheets],
        "criteria": [(c, [s.points.get(c.pk) for s in sheets], row.scores.criteria[c.pk])
                     for c in result.data.criteria],
        "sections": [(section, [s.sections[i] for s in sheets], row.scores.sections[i])
                     for i, section in enumerate(result.data.sections)],
        "can_determine": rules.may_determine(request.user, programme),
        "history": audit.history(row.application).filter(action__startswith="awards."),
    }
    return render(request, "awards/application_scores.html", context)


def _form_errors(request, form) -> None:
    """The form's own messages ("请填写理由。", "理由最多 1000 字…"), each once."""
    for message in dict.fromkeys(m for errors in form.errors.values() for m in errors):
        messages.error(request, message)


def _done(request, call, success: str):
    try:
        call()
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)


@require_POST
def update_settings(request, pk):
    programme = programme_or_404(request, pk)
    form = SettingsForm(request.POST, instance=determination.settings_for(programme))
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("awards:ranking", pk=pk)
    _done(request, lambda: determination.update_settings(request.user, programme, form.cleaned_data),
          _("评定设置已保存。"))
    return redirect("awards:ranking", pk=pk)


@require_POST
def override(request, pk, application_pk):
    programme = programme_or_404(request, pk)
    application = get_object_or_404(Application.objects.filter(programme=programme), pk=application_pk)
    form = OverrideForm(request.POST)
    if request.POST.get("clear"):
        reason = ReasonForm(request.POST)
        if reason.is_valid():
            _done(request, lambda: determination.clear_override(request.user, application,
                                                                reason.cleaned_data["reason"]),
                  _("已恢复为拟定等级。"))
        else:
            _form_errors(request, reason)
    elif form.is_valid():
        _done(request, lambda: determination.override_tier(request.user, application, form.cleaned_data["tier"],
                                                           form.cleaned_data["reason"]),
              _("奖项等级已调整。"))
    else:
        _form_errors(request, form)
    return redirect("awards:application_scores", pk=pk, application_pk=application_pk)


@require_POST
def approve(request, pk):
    programme = programme_or_404(request, pk)
    # Through the page, approving with scores missing needs "仍然批准" ticked (the service refuses otherwise).
    confirmed = request.POST.get("confirm_under_scored") == "1"
    _done(request, lambda: determination.approve(request.user, programme, note=request.POST.get("note", ""),
                                                 confirm_under_scored=confirmed),
          _("评定结果已批准。"))
    return redirect("awards:ranking", pk=pk)


def _with_reason(request, pk, call, success):
    programme = programme_or_404(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        _done(request, lambda: call(request.user, programme, form.cleaned_data["reason"]), success)
    else:
        _form_errors(request, form)
    return redirect("awards:ranking", pk=pk)


@require_POST
def reopen(request, pk):
    return _with_reason(request, pk, determination.reopen, _("已撤回批准，可重新调整等级。"))


@require_POST
def publish(request, pk):
    programme = programme_or_404(request, pk)
    _done(request, lambda: publication.publish(request.user, programme, note=request.POST.get("note", "")),
          _("成果已公布，已通知申报单位和推荐单位。"))
    return redirect("awards:ranking", pk=pk)


@require_POST
def unpublish(request, pk):
    return _with_reason(request, pk, publication.unpublish, _("已撤回公布，批次回到成果评定阶段。"))
