"""Response headers shared by every page."""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header (Django 5.2 has none built in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class CookieLocaleMiddleware:
    """Simplified Chinese unless the person chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a government portal
    speaks Chinese by default, whatever the browser, and English only on request (the cookie that
    django.views.i18n.set_language writes).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary = response.get("Vary", "")
        if "Cookie" not in patch_vary:
            response["Vary"] = f"{patch_vary}, Cookie" if patch_vary else "Cookie"
        return response


class RequestIdMiddleware:
    """Gives each request an id (the proxy's X-Request-ID when it sends one), echoed in the
    response. Logging and the Celery tasks a request starts carry it (portal/settings/infrastructure.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import uuid

        request.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response
