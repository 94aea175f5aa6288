"""Rubrics for administrators: list and upload, the rubric as a table, copy, YAML download, and
linking a programme to its rubric."""

import yaml
from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from portal.services.errors import DomainError
from portal.visibility import administered_programmes
from scoring.forms import AssignRubricForm, RubricUploadForm
from scoring.models import Criterion, ProgrammeRubric, Rubric
from scoring.services import rubrics as service
from scoring.services.rubric_format import InvalidRubric

from . import PROGRAMME_HEADER, administrators_only

LOAD_STATUS = {"created": _lazy("已导入"), "unchanged": _lazy("内容相同，未改动"), "replaced": _lazy("已覆盖"),
               "kept": _lazy("已保留")}


@administrators_only
def rubric_list(request):
    form = RubricUploadForm(request.POST or None, request.FILES or None)
    faults = []
    if request.method == "POST" and form.is_valid():
        existing = "replace" if form.cleaned_data["replace"] else "refuse"
        try:
            rubric = service.load_rubric(form.cleaned_data["file"], actor=request.user, existing=existing, via="web")
        except InvalidRubric as error:
            faults = error.faults
        except DomainError as error:
            faults = [str(error)]
        else:
            messages.success(request, _("评分细则“%(code)s”：%(status)s") % {
                "code": rubric.code, "status": LOAD_STATUS.get(rubric.load_status, rubric.load_status)})
            return redirect("scoring:rubric_detail", pk=rubric.pk)
    rubrics = Rubric.objects.annotate(programme_count=Count("programme_links"))
    return render(request, "scoring/rubric_list.html", {"rubrics": rubrics, "form": form, "faults": faults})


def table_rows(rubric: Rubric) -> list[dict]:
    """One row per band (or bonus level), with the section and criterion cells spanning their rows,
    as the standard prints Table B.1."""
    rows = []
    for section in rubric.sections.all():
        first_of_section = len(rows)
        for criterion in section.criteria.all():
            lines = [(b.descriptor, b.points_label) for b in criterion.bands.all()] or [
                (f"{v.label}：{v.description}" if v.description else v.label, str(v.value))
                for v in criterion.bonus_levels.all()
            ] or [("—", "")]
            for index, (descriptor, points) in enumerate(lines):
                rows.append({"criterion": criterion if index == 0 else None, "criterion_span": len(lines),
                             "descriptor": descriptor, "points": points, "section": None})
        if len(rows) > first_of_section:
            rows[first_of_section].update(section=section, section_span=len(rows) - first_of_section)
    return rows


@administrators_only
def rubric_detail(request, pk):
    criteria = Criterion.objects.prefetch_related("bands", "bonus_levels")
    rubric = get_object_or_404(
        Rubric.objects.prefetch_related(Prefetch("sections__criteria", queryset=criteria)), pk=pk
    )
    links = ProgrammeRubric.objects.filter(rubric=rubric)
    visible = links.filter(programme__in=administered_programmes(request.user)).select_related("programme")
    context = {
        "rubric": rubric,
        "rows": table_rows(rubric),
        "faults": service.stored_faults(rubric),
        "programme_links": visible,
        "in_use": links.exists(),
        "suggested_code": service.free_copy_code(rubric),
    }
    return render(request, "scoring/rubric_detail.html", context)


@administrators_only
@require_POST
def rubric_copy(request, pk):
    rubric = get_object_or_404(Rubric, pk=pk)
    try:
        copy = service.copy_rubric(rubric, request.POST.get("code", ""), actor=request.user,
                                   name=request.POST.get("name", "").strip())
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("scoring:rubric_detail", pk=rubric.pk)
    messages.success(request, _("已复制为“%(code)s”，可在管理后台修改。") % {"code": copy.code})
    return redirect("scoring:rubric_detail", pk=copy.pk)


def _compact(spec: dict) -> dict:
    """The canonical form without empty or default fields, for a readable file."""
    for section in spec["sections"]:
        if not section["note"]:
            del section["note"]
        for criterion in section["criteria"]:
            for key, default in (("description", ""), ("kind", "normal"), ("bands", []), ("levels", [])):
                if criterion[key] == default:
                    del criterion[key]
            for level in criterion.get("levels", []):
                if not level["description"]:
                    del level["description"]
    return spec


@administrators_only
def rubric_yaml(request, pk):
    rubric = get_object_or_404(Rubric, pk=pk)
    text = yaml.safe_dump(_compact(service.rubric_to_dict(rubric)), allow_unicode=True, sort_keys=False, width=200)
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{rubric.code}.yaml")
    return response


@administrators_only
def programme_rubric(request, pk):
    programme = get_object_or_404(administered_programmes(request.user).select_related(*PROGRAMME_HEADER), pk=pk)
    link = ProgrammeRubric.objects.filter(programme=programme).select_related("rubric").first()
    form = AssignRubricForm(request.POST or None, programme=programme,
                            initial={"rubric": link.rubric_id if link else None})
    if request.method == "POST" and form.is_valid():
        try:
            link = service.assign_rubric(request.user, programme, form.cleaned_data["rubric"])
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("批次“%(title)s”的评分细则：%(rubric)s") % {
                "title": programme.title, "rubric": link.rubric})
            return redirect("scoring:programme_rubric", pk=programme.pk)
    return render(request, "scoring/programme_rubric.html", {"programme": programme, "link": link, "form": form})
