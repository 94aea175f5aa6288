"""The expert's own pages: programmes with their pledge status and progress, and the list of
assigned applications of one programme. Everything comes from scoring.visibility, so conflicted
applications appear nowhere, not even in counts."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse

from scoring.models import ConfidentialityPledge, ScoreStatus
from scoring.permissions import expert_profile_of
from scoring.visibility import assignments_for, expert_programmes

from .pledge import require_pledge

SCORE_URL_NAMES = ("scoring:score_sheet", "scoring:score")


def experts_only(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if expert_profile_of(request.user) is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def score_url(assignment_pk) -> str:
    """The score sheet of an assignment (the score pages' URL name), or '' if not installed."""
    for name in SCORE_URL_NAMES:
        try:
            return reverse(name, args=[assignment_pk])
        except NoReverseMatch:
            continue
    return ""


def progress_by_programme(user) -> dict:
    rows = (assignments_for(user).order_by().values("application__programme_id")
            .annotate(total=Count("pk"), done=Count("pk", filter=Q(score__status=ScoreStatus.SUBMITTED))))
    return {r["application__programme_id"]: r for r in rows}


@experts_only
def expert_home(request):
    profile = request.user.expert_profile
    pledges = dict(ConfidentialityPledge.objects.filter(expert=profile).values_list("programme_id", "accepted_at"))
    progress = progress_by_programme(request.user)
    rows = []
    for programme in expert_programmes(request.user):
        counts = progress.get(programme.pk, {"total": 0, "done": 0})
        rows.append({"programme": programme, "accepted_at": pledges.get(programme.pk),
                     "total": counts["total"], "done": counts["done"]})
    return render(request, "scoring/expert_home.html", {"rows": rows})


@experts_only
@require_pledge("programme")
def expert_programme(request, pk):
    programme = get_object_or_404(expert_programmes(request.user), pk=pk)
    assignments = (assignments_for(request.user).filter(application__programme=programme)
                   .select_related("application__category", "application__organisation", "score")
                   .order_by("application__project_name", "pk"))
    rows = []
    for assignment in assignments:
        score = getattr(assignment, "score", None)
        rows.append({"assignment": assignment, "application": assignment.application, "score": score,
                     "done": score is not None and score.status == ScoreStatus.SUBMITTED,
                     "score_url": score_url(assignment.pk)})
    return render(request, "scoring/expert_programme.html", {
        "programme": programme, "rows": rows, "total": len(rows), "done": sum(1 for r in rows if r["done"]),
    })
