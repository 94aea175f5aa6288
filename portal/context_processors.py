"""Template context shared by every page."""

from django.conf import settings

from portal.services.notify import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = unread_count(user)
    return {"portal_name": settings.PORTAL_NAME, "unread_notifications": unread}
