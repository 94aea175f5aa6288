"""Ranking the endorsed applications and exporting Annex 2 (申报汇总表), for recommenders; the
organiser's progress page and reminders. Rules in the services, files built by jobs."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.models import RecommendingUnit
from portal.permissions import administers_programme
from portal.services.errors import DomainError
from portal.visibility import jobs_for

from ..annex2.jobs import FORMATS, start_export
from ..annex2.rows import page_title
from ..permissions import may_rank, recommendation_window
from ..services import recommendation as service
from ..services.recommendation_queries import live_endorsements, programme_progress, recommender_programmes
from .recommendation import recommender_unit


def _programme(request, pk):
    return get_object_or_404(recommender_programmes(request.user), pk=pk)


def _job(request):
    """The export the person just started (?job=…), shown with its progress."""
    try:
        wanted = uuid.UUID(request.GET.get("job", ""))
    except ValueError:
        return None
    return jobs_for(request.user).filter(pk=wanted).first()


def ordered_ids(post, current: list[int]) -> list[int]:
    """The order asked for: a move button (``move=up:<id>`` / ``down:<id>``), else the rank
    numbers ``rank-<id>`` (blank or invalid ones keep their place after the numbered ones)."""
    order = list(current)
    move = post.get("move", "")
    if ":" in move:
        direction, _sep, raw = move.partition(":")
        if raw.isdigit() and int(raw) in order:
            i = order.index(int(raw))
            j = i - 1 if direction == "up" else i + 1
            if 0 <= j < len(order):
                order[i], order[j] = order[j], order[i]
        return order

    def key(item):
        position, pk = item
        raw = (post.get(f"rank-{pk}") or "").strip()
        return (int(raw) if raw.isdigit() else len(order) + 1 + position, position)

    return [pk for _position, pk in sorted(enumerate(order), key=key)]


@login_required
def ranking(request, programme_pk):
    unit = recommender_unit(request)
    programme = _programme(request, programme_pk)
    if request.method == "POST":
        current = list(live_endorsements(programme, unit).values_list("application_id", flat=True))
        try:
            service.rank(request.user, programme, unit, ordered_ids(request.POST, current))
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("推荐排序已保存。"))
        return redirect("applications:recommend_ranking", programme_pk=programme.pk)
    endorsements = live_endorsements(programme, unit).select_related("application__organisation")
    return render(request, "applications/recommend/ranking.html", {
        "unit": unit, "programme": programme, "endorsements": endorsements, "title": page_title(programme),
        "may_rank": may_rank(request.user, programme, unit), "window": recommendation_window(programme),
        "formats": FORMATS, "job": _job(request), "now": timezone.now(),
    })


@login_required
@require_POST
def export(request, programme_pk):
    """Starts an Annex 2 export: a recommender its own table; an administrator any unit's (POST
    ``unit``) or the combined table (no unit)."""
    programme = _programme(request, programme_pk)
    fmt = request.POST.get("format")
    if fmt not in FORMATS:
        raise Http404
    if request.user.is_superuser or request.user.role == "administrator":
        raw = request.POST.get("unit", "")
        unit = get_object_or_404(RecommendingUnit, pk=raw) if raw.isdigit() else None
        back = reverse("applications:recommend_progress", args=[programme.pk])
    else:
        unit = recommender_unit(request)
        back = reverse("applications:recommend_ranking", args=[programme.pk])
    try:
        job = start_export(request.user, programme, unit, fmt)
    except DomainError as error:
        raise Http404 from error
    return redirect(f"{back}?job={job.pk}")


def _administered(request, pk):
    programme = _programme(request, pk)
    if not administers_programme(request.user, programme):
        raise Http404
    return programme


@login_required
def progress(request, programme_pk):
    programme = _administered(request, programme_pk)
    rows = programme_progress(programme)
    return render(request, "applications/recommend/progress.html", {
        "programme": programme, "rows": rows, "late": [r for r in rows if r.is_late], "formats": FORMATS,
        "job": _job(request), "now": timezone.now(), "title": page_title(programme),
    })


@login_required
@require_POST
def remind(request, programme_pk):
    programme = _administered(request, programme_pk)
    wanted = [pk for pk in request.POST.getlist("unit") if pk.isdigit()]
    try:
        units = service.remind_late_recommenders(request.user, programme, wanted or None)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if units:
            messages.success(request, _("已提醒%(n)d个推荐单位：%(names)s。") % {
                "n": len(units), "names": "、".join(u.name for u in units)})
        else:
            messages.info(request, _("没有需要提醒的推荐单位。"))
    return redirect("applications:recommend_progress", programme_pk=programme.pk)
