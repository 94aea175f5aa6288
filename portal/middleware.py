"""Response headers shared by every page."""

from django.conf import settings
from django.utils import translation

from portal import request_context
from portal.downloads import download_origin


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header (Django 5.2 has none built in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = with_download_origin(policy)
        return response


def with_download_origin(policy: str) -> str:
    """Evidence previews (an iframe, an image) load through the download view, which redirects to a
    presigned URL of the bucket when storage is S3: frames and images may come from its origin."""
    origin = download_origin()
    if not origin:
        return policy
    directives = []
    for directive in policy.split(";"):
        name = directive.strip().split(" ", 1)[0]
        directives.append(f"{directive.rstrip()} {origin}" if name in ("img-src", "frame-src") else directive)
    return ";".join(directives)


class CookieLocaleMiddleware:
    """Simplified Chinese unless the person chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a government portal
    speaks Chinese by default, whatever the browser, and English only on request (the cookie that
    django.views.i18n.set_language writes).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
    response. Every log line of the request, and of the Celery tasks it queues, carries it
    (portal/request_context.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = "".join(ch for ch in request.headers.get("X-Request-ID", "")[:64] if ch.isalnum() or ch in "-_.")
        request.request_id = offered or request_context.new_id()
        token = request_context.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
