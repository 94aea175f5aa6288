"""The recommender's pages: the workspace (list), the review of one application and its actions.
Views translate HTTP only: visibility from applications_for (anything else is 404), rules in
applications.services.recommendation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.models import ProgrammeStatus
from portal.models.users import Role
from portal.services.errors import DomainError

from ..forms_recommendation import (
    DeclineForm,
    EndorseForm,
    RecommenderReturnForm,
    ReturnToStreetForm,
    WorkspaceFilterForm,
)
from ..models import ApplicationStatus, RecommendationDecision, Section
from ..permissions import recommendation_window
from ..services import recommendation as service
from ..services.completeness import completeness_check
from ..services.duplicates import duplicate_entries
from ..services.eligibility import eligibility_warnings
from ..services.recommendation_queries import (
    endorsement_count,
    live_verdict,
    recommender_programmes,
    status_counts,
)
from ..visibility import applications_for
from ..workflow import APPLICATION_WORKFLOW, DECLINE_MOVES, ENDORSE_MOVES, decline_move, endorse_move
from .context import build_forms, page_context

PAGE_SIZE = 25
REVIEW_TABS = [key for key in Section.values if key != Section.CHECK]


def recommender_unit(request):
    """The signed-in recommender's unit; anyone else gets 404 here."""
    user = request.user
    if user.role != Role.RECOMMENDER or user.recommending_unit_id is None:
        raise Http404
    return user.recommending_unit


def chosen_programme(request, programmes):
    """?programme=…, else the latest programme taking applications or recommendations."""
    wanted = request.GET.get("programme")
    if wanted and wanted.isdigit():
        return get_object_or_404(programmes, pk=wanted)
    active = programmes.filter(status__in=[ProgrammeStatus.OPEN, ProgrammeStatus.RECOMMENDING])
    return active.order_by("-year", "-pk").first() or programmes.order_by("-year", "-pk").first()


def _verdicts(unit, field):
    return Subquery(
        RecommendationDecision.objects.filter(
            application=OuterRef("pk"), unit=unit, superseded_at__isnull=True, kind__in=("endorse", "decline")
        ).values(field)[:1]
    )


@login_required
def workspace(request):
    unit = recommender_unit(request)
    programmes = recommender_programmes(request.user)
    programme = chosen_programme(request, programmes)
    context = {"unit": unit, "programmes": programmes, "programme": programme, "now": timezone.now()}
    if programme is None:
        return render(request, "applications/recommend/workspace.html", context)
    base = applications_for(request.user).filter(programme=programme)
    filters = WorkspaceFilterForm(request.GET or None)
    listing = (
        filters.apply(base)
        .select_related("organisation", "category", "recommender")
        .annotate(my_verdict=_verdicts(unit, "kind"), my_rank=_verdicts(unit, "rank"))
        .order_by("-submitted_at", "-pk")
    )
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update({
        "filters": filters,
        "page": page,
        "status_tabs": _status_tabs(status_counts(base), request.GET.get("status", "")),
        "endorsed": endorsement_count(programme, unit),
        "window": recommendation_window(programme),
    })
    return render(request, "applications/recommend/workspace.html", context)


def _status_tabs(counts, chosen):
    labels = dict(ApplicationStatus.choices)
    return [{"value": value, "label": labels[value], "n": n, "active": value == chosen} for value, n in counts.items()]


def _reviewable(request, pk):
    user = request.user
    if not (user.is_superuser or user.role in (Role.RECOMMENDER, Role.ADMINISTRATOR)):
        raise Http404
    queryset = applications_for(user).select_related(
        "programme__district", "organisation__district", "category", "recommender__parent"
    )
    return get_object_or_404(queryset, pk=pk)


def review_context(request, app, **bound) -> dict:
    user = request.user
    sections, team, conflicts = build_forms(app, readonly=True)
    tab = request.GET.get("tab") if request.GET.get("tab") in REVIEW_TABS else Section.BASIC
    context = page_context(request, app, sections, team, conflicts, tab=tab)
    moves = {t.name for t in APPLICATION_WORKFLOW.available(app.status, user, app)}
    unit = user.recommending_unit if user.role == Role.RECOMMENDER else None
    verdict = live_verdict(app, app.recommender) if app.recommender_id else None
    context.update({
        "tabs": [t for t in context["tabs"] if t["key"] in REVIEW_TABS],
        "return_form": None,  # the edit page's form; the review page has its own
        "missing": completeness_check(app),
        "warnings": eligibility_warnings(app),
        "duplicates": duplicate_entries(user, app),  # 疑似重复, only what this person may know
        "decisions": app.recommendation_decisions.select_related("unit", "decided_by"),
        "previews": [e for e in context["evidence_list"] if e.is_inline],
        "unit": unit,
        "window": recommendation_window(app.programme),
        "quota": app.programme.endorsement_quota,
        "endorsed": endorsement_count(app.programme, unit) if unit else None,
        "endorse_form": bound.get("endorse") or (EndorseForm(initial={
            "completion_date": (verdict.completion_date if verdict and verdict.completion_date else None)
            or app.completion_date,
        }) if moves.intersection(ENDORSE_MOVES) else None),
        # The buttons say what they do: the labels of the moves they take (where an endorsement goes).
        "endorse_label": APPLICATION_WORKFLOW.get(endorse_move(app)).label,
        "decline_label": APPLICATION_WORKFLOW.get(decline_move(app)).label,
        "decline_form": bound.get("decline") or (DeclineForm() if moves.intersection(DECLINE_MOVES) else None),
        "applicant_return_form": bound.get("return") or (RecommenderReturnForm() if "return" in moves else None),
        "street_return_form": bound.get("street") or (ReturnToStreetForm() if "return_to_street" in moves else None),
        "street_verdict": verdict if app.status == "endorsed_by_street" else None,
    })
    return context


@login_required
def review(request, pk):
    app = _reviewable(request, pk)
    return render(request, "applications/recommend/review.html", review_context(request, app))


def _act(request, pk, form_class, key, action, success):
    """Binds ``form_class`` and runs ``action(app, data)``; a refusal re-renders the page with the
    person's input and the reason (400)."""
    app = _reviewable(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(app, form.cleaned_data)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, success)
            return redirect("applications:review", pk=app.pk)
    else:
        messages.error(request, _("请按提示填写后再提交。"))
    app.refresh_from_db()
    return render(request, "applications/recommend/review.html", review_context(request, app, **{key: form}),
                  status=400)


@login_required
@require_POST
def endorse(request, pk):
    return _act(request, pk, EndorseForm, "endorse", lambda app, d: service.endorse(request.user, app, **d),
                _("已推荐。申报单位将收到通知。"))


@login_required
@require_POST
def decline(request, pk):
    return _act(request, pk, DeclineForm, "decline", lambda app, d: service.decline(request.user, app, d["reason"]),
                _("已不予推荐。申报单位将收到通知。"))


@login_required
@require_POST
def return_to_applicant(request, pk):
    return _act(request, pk, RecommenderReturnForm, "return",
                lambda app, d: service.return_to_applicant(request.user, app, d["comment"], d["sections"]),
                _("已退回修改，申报单位将收到通知。"))


@login_required
@require_POST
def return_to_street(request, pk):
    return _act(request, pk, ReturnToStreetForm, "street",
                lambda app, d: service.return_to_street(request.user, app, d["comment"]),
                _("已退回街镇重新审核。"))


def workspace_url(programme) -> str:
    return f"{reverse('applications:recommend_workspace')}?programme={programme.pk}"
