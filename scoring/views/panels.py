"""Panels (评审组) of a programme for administrators: list, create, edit, delete."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.services.errors import DomainError
from portal.visibility import administered_programmes
from scoring.review_forms import PanelForm
from scoring.services.panels import delete_panel, save_panel
from scoring.visibility import panels_for

from . import administrators_only


@administrators_only
def panel_list(request, pk):
    programme = get_object_or_404(administered_programmes(request.user), pk=pk)
    panels = panels_for(request.user).filter(programme=programme).prefetch_related("categories", "experts__user")
    return render(request, "scoring/assign_panels.html", {"programme": programme, "panels": panels})


@administrators_only
def panel_edit(request, pk, panel_pk=None):
    programme = get_object_or_404(administered_programmes(request.user), pk=pk)
    panel = get_object_or_404(panels_for(request.user), pk=panel_pk, programme=programme) if panel_pk else None
    initial = {}
    if panel is not None:
        initial = {"name": panel.name, "categories": list(panel.categories.all()), "experts": list(panel.experts.all())}
    form = PanelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_panel(request.user, programme, panel=panel, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("评审组已保存。"))
            return redirect("scoring:panel_list", pk=programme.pk)
    return render(request, "scoring/assign_panel_form.html", {"programme": programme, "panel": panel, "form": form})


@administrators_only
@require_POST
def panel_remove(request, pk, panel_pk):
    programme = get_object_or_404(administered_programmes(request.user), pk=pk)
    panel = get_object_or_404(panels_for(request.user), pk=panel_pk, programme=programme)
    try:
        delete_panel(request.user, panel)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("评审组已删除。"))
    return redirect("scoring:panel_list", pk=programme.pk)
