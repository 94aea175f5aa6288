"""The expert pool for administrators: list, spreadsheet template, bulk import with its error report."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from portal.models import ProjectCategory
from scoring.forms import ExpertFilterForm, ExpertImportForm
from scoring.models import ExpertProfile
from scoring.services.expert_sheet import build_template
from scoring.services.experts import import_experts

from . import administrators_only

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@administrators_only
def expert_list(request):
    form = ExpertFilterForm(request.GET or None)
    experts = form.filter(ExpertProfile.objects.select_related("user").prefetch_related("expertise"))
    page = Paginator(experts.order_by("user__full_name", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "scoring/expert_list.html", {"form": form, "page": page})


@administrators_only
def expert_template(request):
    names = list(ProjectCategory.objects.values_list("name", flat=True))
    response = HttpResponse(build_template(names), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "专家导入模板.xlsx")
    return response


@administrators_only
def expert_import(request):
    form = ExpertImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = import_experts(request.user, form.cleaned_data["file"], via="web")
        if report.ok:
            messages.success(request, _("已导入 %(n)d 位专家，设置密码的邮件已发出。") % {"n": len(report.created)})
            return redirect("scoring:expert_list")
    return render(request, "scoring/expert_import.html", {"form": form, "report": report})
