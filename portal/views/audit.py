"""The audit trail, for administrators: filterable, and per object."""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal import jobs
from portal.forms import AuditFilterForm
from portal.services.errors import DomainError
from portal.visibility import audit_entries_for, may_read_history


def _require_entries(user):
    entries = audit_entries_for(user)
    if not (user.is_superuser or user.role == "administrator"):
        raise Http404
    return entries


@login_required
def audit_list(request):
    entries = _require_entries(request.user)
    form = AuditFilterForm(request.GET or None)
    page = Paginator(form.filter(entries), 50).get_page(request.GET.get("page"))
    return render(request, "portal/audit_list.html", {"form": form, "page": page})


@login_required
def audit_for_object(request, app_label, model, object_id):
    entries = _require_entries(request.user)
    content_type = get_object_or_404(ContentType, app_label=app_label, model=model)
    model_class = content_type.model_class()
    try:
        target = model_class._default_manager.filter(pk=object_id).first() if model_class else None
    except (ValueError, ValidationError):
        raise Http404 from None
    about = entries.filter(content_type=content_type, object_id=object_id)
    # The same answer for an object that exists but is out of sight and for one that never did
    # (404), so the page is no oracle. A deleted object's history (a discarded score, say) stays
    # readable when the person's scope holds entries about it.
    if target is not None:
        if not may_read_history(request.user, target):
            raise Http404
    elif not about.exists():
        raise Http404
    page = Paginator(about, 50).get_page(request.GET.get("page"))
    return render(
        request, "portal/audit_list.html", {"page": page, "content_type": content_type, "object_id": object_id}
    )


@login_required
@require_POST
def audit_export(request):
    _require_entries(request.user)
    try:
        job = jobs.start_job(request.user, "portal.audit_export", {"action": request.POST.get("action", "")})
    except DomainError as error:
        raise Http404 from error
    return redirect("job_status", pk=job.pk)
