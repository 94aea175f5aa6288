"""After login each role lands on its own dashboard, showing what it has to do next. The view runs
every query the page needs (the apps above portal add theirs through portal.dashboards)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from portal import dashboards
from portal.models import ProgrammeStatus, RecommendingUnit
from portal.models.users import Role
from portal.permissions import approved_membership
from portal.visibility import (
    audit_entries_for,
    membership_requests_for,
    notifications_for,
    organisations_for,
    programmes_for,
)
from portal.workflow import PROGRAMME_WORKFLOW


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "portal/home.html")


@login_required
def dashboard(request):
    user = request.user
    role = Role.ADMINISTRATOR if user.is_superuser else user.role
    context = {
        "now": timezone.now(),
        "notifications": notifications_for(user).filter(read_at__isnull=True)[:5],
        "programmes": programmes_for(user),
    }
    builder = {
        Role.APPLICANT: _applicant,
        Role.RECOMMENDER: _recommender,
        Role.EXPERT: _expert,
        Role.ADMINISTRATOR: _administrator,
    }[role]
    context.update(builder(user, context["programmes"]))
    # What the apps above portal show on this role's dashboard, queried here, never by the templates.
    dashboards.provide(role, user, context)
    return render(request, f"portal/dashboard/{role}.html", context)


def _applicant(user, programmes):
    membership = getattr(user, "membership", None)
    approved = approved_membership(user)
    return {
        "membership": membership,
        "organisation": approved.organisation if approved else None,
        "open_programmes": programmes.filter(status=ProgrammeStatus.OPEN),
        "join_requests": membership_requests_for(user),
    }


def _recommender(user, programmes):
    unit = user.recommending_unit
    return {
        "unit": unit,
        "streets": unit.children.all() if unit else RecommendingUnit.objects.none(),
        "active_programmes": programmes.filter(status__in=[ProgrammeStatus.OPEN, ProgrammeStatus.RECOMMENDING]),
    }


def _expert(user, programmes):
    return {"reviewing_programmes": programmes.filter(status=ProgrammeStatus.REVIEWING)}


def _administrator(user, programmes):
    rows = [
        {"programme": p, "transitions": PROGRAMME_WORKFLOW.available(p.status, user, p, generic_only=True)}
        for p in programmes.exclude(status=ProgrammeStatus.CLOSED)
    ]
    return {
        "programme_rows": rows,
        "join_requests": membership_requests_for(user),
        "recent_audit": audit_entries_for(user)[:8],
        "counts": {
            # The organisations this administrator keeps, not the platform's total.
            "organisations": organisations_for(user).count(),
            "units": RecommendingUnit.objects.filter(is_active=True).count(),
            "users_by_role": dict(
                user.__class__.objects.values_list("role").annotate(n=Count("pk")).values_list("role", "n")
            ),
        },
    }


def healthz(request):
    """Liveness for load balancers and the load test's ceiling: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")
