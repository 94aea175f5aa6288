"""Assignment for administrators: the overview per programme (per application: experts and their
status; per expert: load and done/total), one application's experts (assign, remove, reassign),
the automatic-assignment job and reminders to late experts. A fixed number of queries per page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.models import Application
from portal import jobs
from portal.models import Job
from portal.services.errors import DomainError
from portal.visibility import administered_programmes
from scoring.job_handlers import AUTO_ASSIGN
from scoring.models import Assignment, AssignmentStatus, ExpertProfile, ScoreStatus
from scoring.permissions import ASSIGNABLE_STATUSES
from scoring.review_forms import AssignExpertForm, AutoAssignForm, ReasonForm, ReassignForm, active_experts
from scoring.services import assignment as assignment_service
from scoring.services.assignment_problem import active_count, reviewable_applications
from scoring.services.conflicts import blocking_conflicts
from scoring.visibility import assignments_for, proposals_for

from . import administrators_only

ACTIVE = Q(status=AssignmentStatus.ACTIVE)
DONE = Q(status=AssignmentStatus.ACTIVE, score__status=ScoreStatus.SUBMITTED)


def _programme(request, pk):
    return get_object_or_404(administered_programmes(request.user), pk=pk)


def expert_loads(programme) -> list[dict]:
    """Per expert with any assignment in the programme: active load, submitted, ended; two queries."""
    rows = list(Assignment.objects.filter(application__programme=programme).order_by().values("expert_id").annotate(
        load=Count("pk", filter=ACTIVE), done=Count("pk", filter=DONE),
        ended=Count("pk", filter=~ACTIVE)))
    experts = ExpertProfile.objects.select_related("user").in_bulk([r["expert_id"] for r in rows])
    for row in rows:
        row["expert"] = experts[row["expert_id"]]
    return sorted(rows, key=lambda r: (-r["load"], r["expert"].name, r["expert_id"]))


@administrators_only
def assignment_overview(request, pk):
    programme = _programme(request, pk)
    k = programme.experts_per_application
    apps = reviewable_applications(programme).select_related("organisation", "category").annotate(
        active_count=active_count(),
    ).prefetch_related(Prefetch(
        "assignments", queryset=Assignment.objects.select_related("expert__user", "score").order_by("status", "pk"),
    )).order_by("project_name", "pk")
    page = Paginator(apps, 50).get_page(request.GET.get("page"))
    staffed = reviewable_applications(programme).alias(n=active_count()).filter(n__gte=k)
    summary = {"total": page.paginator.count, "staffed": staffed.count()}
    job = (Job.objects.filter(kind=AUTO_ASSIGN, requested_by=request.user, params__programme_id=programme.pk)
           .order_by("-created_at").first())
    return render(request, "scoring/assign_overview.html", {
        "programme": programme, "page": page, "k": k, "summary": summary, "loads": expert_loads(programme),
        # Every project staffed: nothing can be short (the check reads the whole pool, so skip it).
        "staffing": _staffing(programme) if summary["staffed"] < summary["total"] else None,
        "late": assignment_service.late_assignments(programme).values("expert_id").distinct().count(),
        "job": job, "proposals": proposals_for(request.user).filter(programme=programme).only(
            "pk", "programme_id", "seed", "created_at", "applied_at")[:5],  # not the pairs' JSON
        "auto_form": AutoAssignForm(),
    })


SHORT_LISTED = 10  # projects named in the warning; the rest are counted


def _staffing(programme) -> dict | None:
    """The warning when the pool cannot staff the programme (while experts can be assigned)."""
    if programme.status not in ASSIGNABLE_STATUSES:
        return None
    check = assignment_service.staffing_check(programme)
    messages_ = check.messages()
    if not messages_:
        return None
    names = Application.objects.in_bulk([s.application_id for s in check.short[:SHORT_LISTED]])
    short = [{"application": names[s.application_id], "eligible": s.eligible} for s in check.short[:SHORT_LISTED]]
    return {"messages": messages_, "short": short, "more": max(0, len(check.short) - SHORT_LISTED), "k": check.k}


@administrators_only
def assignment_application(request, pk):
    app = get_object_or_404(Application.objects.filter(programme__in=administered_programmes(request.user))
                            .select_related("programme", "organisation", "category"), pk=pk)
    assignments = (assignments_for(request.user).filter(application=app)
                   .select_related("expert__user", "score", "assigned_by").order_by("status", "pk"))
    conflicts = blocking_conflicts().filter(application=app).select_related("expert__user").order_by("expert", "pk")
    return render(request, "scoring/assign_application.html", {
        "application": app, "programme": app.programme, "assignments": assignments, "conflicts": conflicts,
        "add_form": AssignExpertForm(), "remove_form": ReasonForm(),
        "expert_choices": [(e.pk, f"{e.name}（{e.work_unit}）") for e in active_experts()],
    })


def _admin_application(request, pk):
    return get_object_or_404(Application.objects.filter(programme__in=administered_programmes(request.user))
                             .select_related("programme"), pk=pk)


def _admin_assignment(request, pk):
    return get_object_or_404(assignments_for(request.user).select_related("application__programme", "expert__user"),
                             pk=pk)


def _run(request, action, success):
    try:
        action()
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)


@administrators_only
@require_POST
def assignment_add(request, pk):
    app = _admin_application(request, pk)
    form = AssignExpertForm(request.POST)
    if form.is_valid():
        _run(request, lambda: assignment_service.assign_expert(request.user, app, form.cleaned_data["expert"]),
             _("已分配专家。"))
    else:
        messages.error(request, _("请选择专家。"))
    return redirect("scoring:assign_application", pk=app.pk)


@administrators_only
@require_POST
def assignment_remove(request, pk):
    assignment = _admin_assignment(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        _run(request, lambda: assignment_service.remove_assignment(request.user, assignment,
                                                                   form.cleaned_data["reason"]), _("已撤销分配。"))
    else:
        messages.error(request, _("请填写撤销理由。"))
    return redirect("scoring:assign_application", pk=assignment.application_id)


@administrators_only
@require_POST
def assignment_reassign(request, pk):
    assignment = _admin_assignment(request, pk)
    form = ReassignForm(request.POST)
    if form.is_valid():
        _run(request, lambda: assignment_service.reassign(
            request.user, assignment, form.cleaned_data["expert"], form.cleaned_data["reason"]), _("已更换专家。"))
    else:
        messages.error(request, _("请选择新专家并填写理由。"))
    return redirect("scoring:assign_application", pk=assignment.application_id)


@administrators_only
@require_POST
def assignment_auto(request, pk):
    programme = _programme(request, pk)
    form = AutoAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("随机种子须为非负整数。"))
    else:
        _run(request, lambda: jobs.start_job(request.user, AUTO_ASSIGN, {
            "programme_id": programme.pk, "seed": form.cleaned_data["seed"]}), _("自动分配已开始，完成后可查看方案。"))
    return redirect("scoring:assign_overview", pk=programme.pk)


@administrators_only
@require_POST
def assignment_remind(request, pk):
    programme = _programme(request, pk)
    try:
        n = assignment_service.send_reminders(request.user, programme)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已向 %(n)d 位专家发送评分提醒。") % {"n": n})
    return redirect("scoring:assign_overview", pk=programme.pk)
