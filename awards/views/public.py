"""Public pages (no login): the published achievements with search and an archive of earlier years,
certificate verification, the annual report once published, and the published list as XLSX."""

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from portal import jobs
from portal.models import ProjectCategory

from ..forms import PublicFilterForm
from ..permissions import is_public
from ..services import exports, report
from ..visibility import public_awards, published_programmes, report_programmes_for


def public_list(request):
    code = request.GET.get("code", "").strip()
    if code and code.isalnum() and len(code) <= 16:
        return redirect("awards:verify", code=code.upper())
    awards = public_awards()
    archive = list(awards.values("programme__year").annotate(n=Count("pk")).order_by("-programme__year"))
    years = [row["programme__year"] for row in archive]
    categories = list(ProjectCategory.objects.values_list("name", flat=True))
    form = PublicFilterForm(years, categories, request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    year = data.get("year") or (years[0] if years else None)
    shown = awards.filter(programme__year=year) if year else awards.none()
    if data.get("tier"):
        shown = shown.filter(tier=data["tier"])
    if data.get("category"):
        shown = shown.filter(category_name=data["category"])
    if data.get("q"):
        q = data["q"]
        shown = shown.filter(Q(project_name__icontains=q) | Q(organisation_name__icontains=q)
                             | Q(recommender_name__icontains=q))
    shown = shown.order_by("programme__title", "programme_id", "tier", "rank", "pk")
    context = {"form": form, "year": year, "archive": archive, "awards": list(shown),
               "programmes": published_programmes().filter(year=year) if year else []}
    return render(request, "awards/public_list.html", context)


def verify(request, code):
    award = get_object_or_404(public_awards(), verification_code=code.strip().upper())
    return render(request, "awards/verify.html", {"award": award})


def report_page(request, pk):
    programme = get_object_or_404(report_programmes_for(request.user), pk=pk)
    figures = report.build(programme, viewer=request.user)
    context = {"programme": programme, "report": figures, "charts": report.charts_for(figures),
               "is_public": is_public(programme),
               "can_request_pdf": request.user.is_authenticated
               and bool(jobs.REGISTRY["awards.report_pdf"].can_request(request.user, {"programme_id": pk}))}
    return render(request, "awards/report.html", context)


def published_xlsx(request, pk):
    programme = get_object_or_404(published_programmes(), pk=pk)
    response = HttpResponse(
        exports.published_list_xlsx_cached(programme),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.published_list_name(programme)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
