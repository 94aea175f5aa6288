"""The organiser's seal on the ranking page (证书印章): upload or remove, through awards.services.seal.

A refused upload comes back to the ranking page twice over: as the page's message, like the other
awards forms, and beside the file input (aria-describedby), carried in the session for one request
(``pop_error``), so the person finds what to fix where they fix it. The stored seal is untouched."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.services.errors import DomainError

from ..forms import SealForm
from ..services import seal
from ..visibility import determined_programmes_for

ERROR_KEY = "awards.seal_error"


def pop_error(request, programme) -> str:
    """The refusal of this programme's last upload, once."""
    kept = request.session.get(ERROR_KEY)
    if not kept or kept.get("programme") != programme.pk:
        return ""
    del request.session[ERROR_KEY]
    return kept.get("message", "")


def _back(pk):
    return redirect(reverse("awards:ranking", args=[pk]) + "#seal-heading")


@require_POST
def update_seal(request, pk):
    # As determination.programme_or_404 (imported from there, the two modules would import each other).
    programme = get_object_or_404(determined_programmes_for(request.user), pk=pk)
    form = SealForm(request.POST, request.FILES)
    removing = bool(request.POST.get("remove"))
    uploaded = form.cleaned_data.get("seal") if form.is_valid() else None
    if not removing and uploaded is None:
        error = " ".join(m for errors in form.errors.values() for m in errors) or _("请选择印章图片。")
    else:
        try:
            seal.set_seal(request.user, programme, None if removing else uploaded)
        except DomainError as refused:
            error = str(refused)
        else:
            done = _("证书印章已删除。") if removing else _("证书印章已保存，之后生成的证书将加盖此印章。")
            messages.success(request, done)
            return _back(pk)
    messages.error(request, error)
    request.session[ERROR_KEY] = {"programme": programme.pk, "message": error}
    return _back(pk)
