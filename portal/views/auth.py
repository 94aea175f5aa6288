"""Django's own login, password-change and password-reset views. The login throttle is django-axes
(settings/security.py), which guards every door that calls authenticate(), the admin's included;
the password-change and password-reset limits are portal.throttle's."""

from axes.helpers import get_cool_off
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal import throttle


def too_many_attempts(request, minutes: int):
    message = _("尝试次数过多，请%(minutes)d分钟后再试。") % {"minutes": minutes}
    return render(request, "429.html", {"message": message}, status=429)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lock-out answer (AXES_LOCKOUT_CALLABLE): the same Chinese 429 page."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 15
    return too_many_attempts(request, minutes)


class LoginView(auth_views.LoginView):
    """Kept as a named view (urls.py); django-axes does the throttling."""


class PasswordResetView(auth_views.PasswordResetView):
    """Five requests per address and three per e-mail address an hour. Over the e-mail limit the
    person still sees the usual "sent" page, so the limit does not reveal which addresses exist."""

    def post(self, request, *args, **kwargs):
        address = throttle.client_address(request)
        if throttle.RESET_PER_ADDRESS.exceeded(address):
            return too_many_attempts(request, throttle.RESET_PER_ADDRESS.window // 60)
        throttle.RESET_PER_ADDRESS.hit(address)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        if throttle.RESET_PER_EMAIL.hit(email) > throttle.RESET_PER_EMAIL.limit:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Five wrong current passwords per account and address lock the page for 15 minutes (the form
    checks the password itself, outside django-axes)."""

    def _key(self):
        return f"{self.request.user.pk}|{throttle.client_address(self.request)}"

    def post(self, request, *args, **kwargs):
        if throttle.PASSWORD_CHANGE_FAILURES.exceeded(self._key()):
            return too_many_attempts(request, throttle.PASSWORD_CHANGE_FAILURES.window // 60)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if "old_password" in form.errors:
            throttle.PASSWORD_CHANGE_FAILURES.hit(self._key())
        return super().form_invalid(form)
