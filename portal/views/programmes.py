"""Programmes (申报批次): list, detail, and the administrator's moves along the workflow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.forms import ProgrammeSettingsForm
from portal.models import Programme
from portal.permissions import administers_programme
from portal.services import audit, programmes
from portal.services.errors import DomainError
from portal.visibility import programmes_for
from portal.workflow import PROGRAMME_WORKFLOW


@login_required
def programme_list(request):
    return render(request, "portal/programme_list.html", {"programmes": programmes_for(request.user)})


@login_required
def programme_detail(request, pk):
    """The programme; its administrator also sets deadlines, the quota and experts per project here
    (a POST of the settings form: portal.services.programmes.update_settings)."""
    programme = get_object_or_404(programmes_for(request.user), pk=pk)
    settings_form = None
    if administers_programme(request.user, programme) and programme.status not in programmes.FROZEN_STEPS:
        # A copy: a refused form must not show its values as the programme's in the page.
        settings_form = ProgrammeSettingsForm(request.POST if request.method == "POST" else None,
                                              instance=Programme.objects.get(pk=programme.pk))
    if request.method == "POST":
        if settings_form is None:
            raise PermissionDenied
        if settings_form.is_valid():
            try:
                programmes.update_settings(request.user, programme, settings_form.cleaned_data)
            except DomainError as error:
                settings_form.add_error(None, str(error))
            else:
                messages.success(request, _("批次设置已保存。"))
                return redirect("programme_detail", pk=programme.pk)
    transitions = PROGRAMME_WORKFLOW.available(programme.status, request.user, programme, generic_only=True)
    context = {
        "programme": programme,
        "accepted_units": programme.accepted_units.select_related("district", "parent"),
        "transitions": transitions,
        # Each move with the apps' warnings about it (e.g. awards: applications short of scores before
        # 成果评定); asked only for the moves shown, since a notice may cost queries.
        "moves": [(t, PROGRAMME_WORKFLOW.notices(t.name, programme)) for t in transitions],
        "history": audit.history(programme)[:20] if request.user.is_superuser or request.user.role == "administrator"
        else [],
        "settings_form": settings_form,
    }
    return render(request, "portal/programme_detail.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def programme_transition(request, pk, name):
    programme = get_object_or_404(programmes_for(request.user), pk=pk)
    transition = PROGRAMME_WORKFLOW.get(name)
    if transition is not None and not transition.generic:
        messages.error(request, _("该操作请在成果评定页面进行。"))
        return redirect("programme_detail", pk=programme.pk)
    try:
        programme = programmes.transition_programme(request.user, programme, name, note=request.POST.get("note", ""))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("批次“%(title)s”已进入“%(status)s”。")
            % {"title": programme.title, "status": programme.get_status_display()},
        )
    return redirect("programme_detail", pk=programme.pk)
