"""Reviewing and applying an automatic-assignment proposal: per application the proposed experts,
per expert the load, the unstaffed applications with their reasons."""

from collections import defaultdict

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.models import Application
from portal.services.errors import DomainError
from scoring.models import Assignment, AssignmentStatus, ExpertProfile
from scoring.services import assignment as assignment_service
from scoring.visibility import proposals_for

from . import administrators_only


@administrators_only
def proposal_detail(request, pk):
    proposal = get_object_or_404(proposals_for(request.user).select_related("programme", "created_by"), pk=pk)
    by_app = defaultdict(list)
    for app_id, expert_id in proposal.pairs:
        by_app[app_id].append(expert_id)
    unstaffed = {row["application"]: row for row in proposal.unstaffed}
    app_ids = set(by_app) | set(unstaffed)
    apps = Application.objects.filter(pk__in=app_ids).select_related("organisation", "category").in_bulk()
    expert_ids = {e for ids in by_app.values() for e in ids}
    loads = proposal.parameters.get("loads", {})
    experts = ExpertProfile.objects.select_related("user").in_bulk(expert_ids | {int(e) for e in loads})
    existing = defaultdict(list)
    for assignment in Assignment.objects.filter(application_id__in=app_ids, status=AssignmentStatus.ACTIVE
                                                ).select_related("expert__user").order_by("pk"):
        existing[assignment.application_id].append(assignment.expert)
    rows = [{
        "application": apps.get(app_id), "application_id": app_id, "existing": existing.get(app_id, []),
        "experts": [experts.get(e) for e in by_app.get(app_id, [])], "unstaffed": unstaffed.get(app_id),
    } for app_id in sorted(app_ids, key=lambda a: (a not in unstaffed, getattr(apps.get(a), "project_name", ""), a))]
    new_load = defaultdict(int)
    for _app, expert_id in proposal.pairs:
        new_load[expert_id] += 1
    load_rows = sorted(({"expert": experts.get(int(e)), "load": n, "new": new_load.get(int(e), 0)}
                        for e, n in loads.items() if n), key=lambda r: (-r["load"], r["expert"].name if r["expert"]
                                                                        else ""))
    values = [r["load"] for r in load_rows]
    return render(request, "scoring/assign_proposal.html", {
        "proposal": proposal, "programme": proposal.programme, "rows": rows, "load_rows": load_rows,
        "spread": (min(values), max(values)) if values else None,
    })


@administrators_only
@require_POST
def proposal_apply(request, pk):
    proposal = get_object_or_404(proposals_for(request.user), pk=pk)
    try:
        result = assignment_service.apply_proposal(request.user, proposal)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("scoring:proposal_detail", pk=proposal.pk)
    messages.success(request, _("已应用分配方案：新增 %(n)d 个分配，跳过 %(s)d 个。") % {
        "n": len(result.created), "s": len(result.skipped)})
    for app_id, expert_id, reason in result.skipped[:20]:
        messages.warning(request, _("跳过 项目%(a)s → 专家%(e)s：%(r)s") % {"a": app_id, "e": expert_id, "r": reason})
    return redirect("scoring:assign_overview", pk=proposal.programme_id)
