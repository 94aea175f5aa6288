"""The person's own feed."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.services.notify import forget_unread
from portal.visibility import notifications_for


@login_required
def notification_list(request):
    page = Paginator(notifications_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request):
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    forget_unread([request.user.pk])
    return redirect("notifications")
