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
from ..verification import candidates, looks_like_code, normalise_code
from ..visibility import public_awards, published_programmes, report_programmes_for


def public_list(request):
    typed = request.GET.get("code", "")
    if typed.strip():
        code = normalise_code(typed)
        if looks_like_code(code):
            return redirect("awards:verify", code=code)
        return _not_found(request, typed)
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
    """证书有效 (the award, on awards/verify.html) or 未找到该证书, each on a page of its own. The
    code is read as people type it (awards.verification); the QR code's link is already exact."""
    normalised = normalise_code(code)
    wanted = candidates(normalised) if looks_like_code(normalised) else []
    found = {a.verification_code: a for a in public_awards().filter(verification_code__in=wanted)}
    award = next((found[c] for c in wanted if c in found), None)  # the code as typed first
    if award is None:
        return _not_found(request, code)
    return render(request, "awards/verify.html", {"award": award})


def _not_found(request, typed: str):
    # 404 for machines (a link checker, a crawler); the page says what to check for people.
    return render(request, "awards/verify_result.html", {"typed": typed.strip()[:40]}, status=404)


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
