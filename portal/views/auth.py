"""Django's own login and password-reset views, with rate limits (portal.throttle)."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal import throttle


def too_many_attempts(request, minutes: int):
    message = _("尝试次数过多，请%(minutes)d分钟后再试。(Too many attempts; try again in %(minutes)d minutes.)") % {
        "minutes": minutes
    }
    return render(request, "429.html", {"message": message}, status=429)


class LoginView(auth_views.LoginView):
    """Five failed attempts per account and address (thirty per address) lock for 15 minutes."""

    def post(self, request, *args, **kwargs):
        address = throttle.client_address(request)
        account = f"{request.POST.get('username', '').strip().lower()}|{address}"
        if throttle.LOGIN_PER_ACCOUNT.exceeded(account) or throttle.LOGIN_PER_ADDRESS.exceeded(address):
            return too_many_attempts(request, throttle.LOGIN_PER_ACCOUNT.window // 60)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            throttle.LOGIN_PER_ACCOUNT.reset(account)
        else:
            throttle.LOGIN_PER_ACCOUNT.hit(account)
            throttle.LOGIN_PER_ADDRESS.hit(address)
        return response


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
            from django.http import HttpResponseRedirect

            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
