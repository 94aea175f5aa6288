"""Base settings. Everything a deployment changes comes from the environment (see .env.example).

Zero set-up defaults: SQLite, console e-mail, and a Celery broker on the local file system so that
a real worker runs without Redis. ``DATABASE_URL`` selects PostgreSQL, ``REDIS_URL`` selects Redis.
"""


from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str
from .paths import BASE_DIR, VAR_DIR  # noqa: F401  (settings.VAR_DIR: backups, tests)

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "axes",
    "portal",
    "applications",
    "scoring",
    "awards",
]

MIDDLEWARE = [
    "portal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.CookieLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]
# django-axes first, so that every door that calls authenticate() (the login page, the admin's
# login) is throttled by account and real client address (settings/security.py); the
# password-change page, which checks the password itself, is throttled in portal/views/auth.py.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Simplified Chinese by default; English available through the language switch.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "质量攻关成果平台 <noreply@example.org>")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content-Security-Policy: no inline script anywhere, everything from this origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; frame-src 'self'; frame-ancestors 'self'; "
    "base-uri 'self'; form-action 'self'"
)

PORTAL_NAME = _("上海市重点产品质量攻关成果申报评价平台")

# Outside production (`make run` serves with DEBUG off), WhiteNoise serves static files from the
# source folders, so the demo needs no collectstatic; production serves the collected, hashed copy.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)

# Applications
# Evidence (证实性材料) upload limits, per file and per application (bytes).
EVIDENCE_MAX_FILE_BYTES = env_int("EVIDENCE_MAX_FILE_BYTES", 20 * 1024 * 1024)
EVIDENCE_MAX_TOTAL_BYTES = env_int("EVIDENCE_MAX_TOTAL_BYTES", 200 * 1024 * 1024)
# 疑似重复: the exact Jaccard similarity of two applications' shingles from which a pair is shown.
DUPLICATE_SIMILARITY_THRESHOLD = float(env_str("DUPLICATE_SIMILARITY_THRESHOLD", "0.5"))

# Each concern's settings live in a module of their own, so that each reads in one sitting.
from .infrastructure import *  # noqa: E402, F403  database, cache, sessions, storage, logging
from .queues import *  # noqa: E402, F403  Celery broker, queues, routes, schedule
from .security import *  # noqa: E402, F403  login throttle, client addresses, request and import limits
