"""State changes: submit (or resubmit) and return for revision. POST only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.services.errors import DomainError

from ..forms import ReturnForm
from ..models import Section
from ..services import submission
from ..visibility import applications_for
from .pages import edit_url


@login_required
@require_POST
def submit(request, pk):
    app = get_object_or_404(applications_for(request.user), pk=pk)
    try:
        app = submission.submit(request.user, app)
    except DomainError as error:  # incl. IncompleteApplication: the checklist tab lists the items
        messages.error(request, str(error))
        return redirect(edit_url(app, Section.CHECK))
    number = app.versions.count()
    messages.success(request, _("已提交第%(n)d版，推荐单位将收到通知。提交后申报表为只读。") % {"n": number})
    return redirect(edit_url(app))


@login_required
@require_POST
def return_for_revision(request, pk):
    app = get_object_or_404(applications_for(request.user), pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(edit_url(app))
    try:
        submission.return_for_revision(request.user, app, form.cleaned_data["comment"], form.cleaned_data["section"])
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已退回修改，申报单位将收到通知。"))
    return redirect(edit_url(app))
