"""The language switch: Django's set_language (the cookie, for pages), and for a signed-in person the
choice kept on their account, so that e-mails sent later by the worker are written in it."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


@require_POST
def set_language(request):
    response = django_set_language(request)
    chosen = request.POST.get("language")
    user = request.user
    if user.is_authenticated and chosen in dict(settings.LANGUAGES) and user.language != chosen:
        get_user_model().objects.filter(pk=user.pk).update(language=chosen)
    return response
