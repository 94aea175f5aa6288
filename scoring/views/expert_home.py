"""The expert's own pages: programmes with their pledge status and progress, and the list of
assigned applications of one programme. Everything comes from scoring.visibility, so conflicted
applications appear nowhere, not even in counts.

An expert's own navigation never ends in a 404: an expert account not yet in the pool gets a page
saying whom to ask, and once a programme's results are published its task list and sheets answer
with a read-only "评审已结束" page (which tasks: scoring.visibility.ended_assignments_for)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse

from portal.models.users import Role
from scoring.models import ConfidentialityPledge, ScoreStatus
from scoring.permissions import expert_profile_of
from scoring.services.expert_access import organiser_contacts
from scoring.visibility import assignments_for, ended_assignments_for, ended_programmes_for, expert_programmes

from .pledge import require_pledge

SCORE_URL_NAMES = ("scoring:score_sheet", "scoring:score")


def no_profile_page(request):
    """An expert account without an expert profile: not in the pool yet, so nothing to review."""
    return render(request, "scoring/expert_no_profile.html", {"contacts": organiser_contacts()},
                  status=200 if request.method in ("GET", "HEAD") else 403)


def experts_only(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if expert_profile_of(request.user) is None:
            if request.user.role == Role.EXPERT:
                return no_profile_page(request)
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def ended_review_page(request, programme, assignments, current=None):
    rows = [{"assignment": a, "application": a.application, "score": getattr(a, "score", None),
             "done": getattr(a, "score", None) is not None and a.score.status == ScoreStatus.SUBMITTED}
            for a in assignments]
    return render(request, "scoring/review_ended.html", {
        "programme": programme, "rows": rows, "current": current, "done": sum(1 for r in rows if r["done"]),
    }, status=200 if request.method in ("GET", "HEAD") else 403)


def after_review(kind: str):
    """For an expert, a task list (``kind`` "programme") or a sheet ("assignment") that answers
    404 because its programme's results are published becomes the read-only "评审已结束" page.
    Asked only after the 404, so pages of a review in progress cost nothing more."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except Http404:
                if expert_profile_of(request.user) is None:
                    raise
                ended = ended_assignments_for(request.user).select_related(
                    "application__programme", "score").order_by("application__project_name", "pk")
                pk = kwargs["pk"]
                current = None
                if kind == "assignment":
                    current = ended.filter(pk=pk).first()
                    if current is None:
                        raise
                    pk = current.application.programme_id
                mine = list(ended.filter(application__programme_id=pk))
                if not mine:
                    raise
                return ended_review_page(request, mine[0].application.programme, mine, current)

        return wrapper

    return decorator


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
    return render(request, "scoring/expert_home.html", {"rows": rows, "ended": ended_programmes_for(request.user)})


@after_review("programme")
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
