"""Production settings: ``DJANGO_SETTINGS_MODULE=portal.settings.production``.

Must pass ``manage.py check --deploy`` with no warning; tests/portal/test_settings.py checks that it does.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, SECRET_KEY, STORAGES
from .env import env_bool, env_int, env_str
from .infrastructure import logging_config

DEBUG = False
WHITENOISE_USE_FINDERS = False  # the collected, hashed files (collectstatic in the image)
if SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Probes from the proxy and the orchestrator speak plain HTTP to the node itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
# Evidence previews opt in to SAMEORIGIN with @xframe_options_sameorigin.
X_FRAME_OPTIONS = "DENY"

# Uploaded files: local disk or the private bucket, as settings/infrastructure.py chose.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}

# Connections kept for a minute (the configuration benchmarks/load.py measured), checked before
# reuse. DB_CONN_MAX_AGE=0 goes back to one connection per request (portal/checks.py warns).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# One JSON object a line for the log collector; LOG_FORMAT=text for a person reading.
LOG_FORMAT = env_str("LOG_FORMAT", "json")
LOGGING = logging_config(LOG_FORMAT, env_str("LOG_LEVEL", "INFO"))

# A node is not ready until a Celery worker answers (READYZ_REQUIRE_WORKER=false to relax).
READYZ_REQUIRE_WORKER = env_bool("READYZ_REQUIRE_WORKER", True)
