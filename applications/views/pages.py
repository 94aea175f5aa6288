"""The applicant's pages: list, new, the tabbed form (read-only once submitted), checklist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.services.errors import DomainError
from portal.visibility import programmes_for

from ..forms import NewApplicationForm
from ..models import ApplicationStatus
from ..services import drafts
from ..services.completeness import completeness_check
from ..services.errors import StaleApplication
from ..visibility import applications_for
from .context import (
    build_forms,
    can_edit,
    first_tab_with_errors,
    page_context,
    prefetch_page,
    shown_warnings,
    tab_from,
)


def edit_url(app, tab: str = "") -> str:
    url = reverse("applications:edit", args=[app.pk])
    return f"{url}?tab={tab}" if tab else url


@login_required
def application_list(request):
    qs = applications_for(request.user).select_related("programme", "organisation", "category", "recommender")
    status = request.GET.get("status", "")
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-updated_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "applications/list.html", {
        "page": page, "status": status, "statuses": ApplicationStatus.choices,
        "may_create": request.user.role == "applicant",
    })


@login_required
def application_new(request):
    form = NewApplicationForm(request.POST or None, programmes=programmes_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            app = drafts.create_draft(request.user, form.cleaned_data["programme"], form.cleaned_data["project_name"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已创建申报草稿“%(name)s”，可随时保存。") % {"name": app.project_name})
            return redirect(edit_url(app))
    return render(request, "applications/new.html", {"form": form})


@login_required
def application_edit(request, pk):
    # The page shows the organisation's header (with its district), the category and the recommender;
    # a save needs only the programme and the organisation (a failed save reloads the row anyway).
    related = ("programme", "organisation") if request.method == "POST" else (
        "programme", "organisation__district", "category", "recommender")
    app = get_object_or_404(applications_for(request.user).select_related(*related), pk=pk)
    tab = tab_from(request)
    if request.method != "POST":
        prefetch_page(app)
        sections, team, conflicts = build_forms(app, readonly=not can_edit(request.user, app))
        return render(request, "applications/edit.html", page_context(request, app, sections, team, conflicts, tab=tab))

    try:
        drafts.check_editable(request.user, app)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(edit_url(app, tab))
    sections, team, conflicts = build_forms(app, request.POST, readonly=False)
    if all(f.is_valid() for f in sections) and team.is_valid() and conflicts.is_valid():
        data = {}
        for form in sections:
            data.update(form.section_data())
        lock_version = lock_version_from(request.POST.get("lock_version"))
        try:
            drafts.save_draft(request.user, app, data=data, team=team.rows(), conflicts=conflicts.rows(),
                              lock_version=lock_version)
        except StaleApplication as error:
            messages.error(request, str(error))
            app.refresh_from_db()
            # Both texts: the person's stays in the form, what is stored now is shown beside it.
            # The form takes the stored lock_version, so saving again is a deliberate choice.
            context = page_context(request, app, sections, team, conflicts, tab=tab)
            context["conflict_changes"] = drafts.differences(app, data=data, team=team.rows(),
                                                             conflicts=conflicts.rows())
            context["conflict_base_version"] = lock_version  # what the person's text was based on
            return render(request, "applications/edit_conflict.html", context, status=400)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("草稿已保存。"))
            return redirect(edit_url(app, tab))
    else:
        tab = first_tab_with_errors(sections, team, conflicts)
        messages.error(request, _("有内容填写有误，请按提示修改后再保存。"))
    app.refresh_from_db()  # show the stored lock_version and figures, keep the person's input
    context = page_context(request, app, sections, team, conflicts, tab=tab)
    return render(request, "applications/edit.html", context, status=400)


def lock_version_from(value):
    """The version the form was rendered with; None when the form sent none. A value that is not a
    number (a tampered or mangled form) cannot prove the page is current: -1, which matches no
    stored version, so the save is refused as a conflict and nothing stored is overwritten."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return -1


@login_required
def application_checklist(request, pk):
    app = get_object_or_404(applications_for(request.user).select_related("programme", "organisation"), pk=pk)
    return render(request, "applications/checklist.html", {
        "application": app,
        "missing": completeness_check(app) if app.is_editable else [],
        "warnings": shown_warnings(request.user, app),
        "editable": can_edit(request.user, app),
    })
