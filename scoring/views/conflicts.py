"""Conflicts of interest: the expert declares (on an assigned application, or by unit); the
administrator sees the register per programme (who is recused from what), re-runs detection,
adds, confirms and dismisses."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from applications.models import Application, ApplicationStatus
from portal.services.errors import DomainError
from portal.visibility import administered_programmes
from scoring.models import Assignment, AssignmentStatus, ConflictSource
from scoring.review_forms import ConflictAddForm, ConflictFilterForm, DeclareUnitForm, ReasonForm
from scoring.services import conflicts as conflict_service
from scoring.visibility import assignments_for, conflicts_for, expert_programmes

from . import administrators_only
from .expert_home import experts_only
from .pledge import require_pledge

# The rule that found each conflict, in words (the code stays in the database for re-detection).
RULE_LABELS = {
    "credit_code": gettext_lazy("统一社会信用代码相同"),
    "org_name": gettext_lazy("单位名称相同"),
    "past_employer": gettext_lazy("曾任职单位"),
    "group_company": gettext_lazy("同属一个集团"),
    "team_member": gettext_lazy("专家是项目团队成员"),
    "email_domain": gettext_lazy("邮箱域名相同"),
    "applicant_declared": gettext_lazy("申报单位申请回避"),
    "declared": gettext_lazy("专家申请回避"),
    "declared_unit": gettext_lazy("专家登记的利益关系单位"),
    "set": gettext_lazy("主管部门设定"),
}

# --- expert ---------------------------------------------------------------------------------


@experts_only
@require_pledge("assignment")
def conflict_declare(request, pk):
    """申请回避 on an assigned application: after this the application is gone from the expert's view."""
    assignment = get_object_or_404(assignments_for(request.user).select_related("application__programme"), pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conflict_service.declare_conflict(request.user, assignment.application, form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已申请回避，该项目已从您的评审列表中移除。"))
            return redirect("scoring:expert_home")
    return render(request, "scoring/conflict_declare.html", {"assignment": assignment, "form": form})


@experts_only
@require_pledge("programme")
def conflict_declare_unit(request, pk):
    """Declares an interest in an organisation; the answer is the same whether it applied or not."""
    programme = get_object_or_404(expert_programmes(request.user), pk=pk)
    form = DeclareUnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conflict_service.declare_unit_conflict(
                request.user, programme, unit_name=form.cleaned_data["unit_name"],
                credit_code=form.cleaned_data["credit_code"], reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已登记。如有该单位的申报项目，系统将为您安排回避。"))
            return redirect("scoring:expert_home")
    return render(request, "scoring/conflict_declare_unit.html", {"programme": programme, "form": form})


# --- administrator --------------------------------------------------------------------------


def _programme(request, pk):
    return get_object_or_404(administered_programmes(request.user), pk=pk)


def _applications(programme):
    return Application.objects.filter(programme=programme).exclude(status=ApplicationStatus.DRAFT)


@administrators_only
def conflict_list(request, pk):
    programme = _programme(request, pk)
    form = ConflictFilterForm(request.GET or None)
    conflicts = form.filter(conflicts_for(request.user).filter(application__programme=programme)).select_related(
        "expert__user", "application__organisation", "decided_by", "created_by",
    ).order_by("application__project_name", "expert__user__full_name", "pk")
    page = Paginator(conflicts, 50).get_page(request.GET.get("page"))
    recused = set(Assignment.objects.filter(application__programme=programme, status=AssignmentStatus.RECUSED)
                  .values_list("application_id", "expert_id"))
    for conflict in page.object_list:
        conflict.recused_assignment = (conflict.application_id, conflict.expert_id) in recused
        conflict.decidable = conflict.source != ConflictSource.EXPERT
        conflict.rule_label = RULE_LABELS.get(conflict.rule, "") if conflict.rule else ""
    return render(request, "scoring/conflict_list.html", {
        "programme": programme, "form": form, "page": page,
        "add_form": ConflictAddForm(applications=_applications(programme)),
    })


@administrators_only
@require_POST
def conflict_detect(request, pk):
    programme = _programme(request, pk)
    try:
        result = conflict_service.detect_conflicts(programme, actor=request.user, via="web")
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("识别完成：新增回避关系 %(n)d 条，因此回避的分配 %(r)d 个。") % {
            "n": len(result.created), "r": len(result.recused)})
    return redirect("scoring:conflict_list", pk=programme.pk)


@administrators_only
@require_POST
def conflict_add(request, pk):
    programme = _programme(request, pk)
    form = ConflictAddForm(request.POST, applications=_applications(programme))
    if form.is_valid():
        try:
            conflict_service.set_conflict(request.user, form.cleaned_data["expert"], form.cleaned_data["application"],
                                          form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已设定回避关系。"))
    else:
        messages.error(request, _("请选择专家和项目并填写理由。"))
    return redirect("scoring:conflict_list", pk=programme.pk)


@administrators_only
@require_POST
def conflict_decide(request, pk):
    conflict = get_object_or_404(conflicts_for(request.user).select_related("application__programme"), pk=pk)
    action = request.POST.get("action")
    if action not in ("confirm", "dismiss"):
        messages.error(request, _("未知操作。"))
    else:
        try:
            conflict_service.decide_conflict(request.user, conflict, confirm=action == "confirm",
                                             note=request.POST.get("note", "")[:300])
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已确认回避。") if action == "confirm" else _("已排除该回避关系。"))
    back = request.POST.get("back", "")
    url = reverse("scoring:conflict_list", args=[conflict.application.programme_id])
    return redirect(url + (back if back.startswith("?") else ""))
