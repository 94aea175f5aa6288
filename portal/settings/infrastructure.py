"""The parts behind the portal: database, cache and sessions, file storage, static files, logging.

Zero set-up defaults (SQLite, local memory, local disk, plain-text logs); the environment selects
the real parts (see .env.example).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_str
from .paths import BASE_DIR, VAR_DIR

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,  # a kept connection the server dropped is replaced, not an error
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so that a real Celery worker process can share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
    # Each transaction takes the write lock when it begins, and a second writer waits up to 20 s
    # for it: two people saving at once both succeed instead of one getting "database is locked".
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Uploaded evidence never lives under static/: it is served only through permission-checked views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

# Evidence, generated documents and job files: local disk (MEDIA_ROOT) by default; a private
# S3-compatible bucket when PORTAL_STORAGE=s3 (or a bucket name is given). Several web and worker
# nodes need the bucket: local disk is one node's (portal/checks.py refuses it with PORTAL_NODES > 1).
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
PORTAL_STORAGE = (env_str("PORTAL_STORAGE") or ("s3" if AWS_STORAGE_BUCKET_NAME else "local")).strip().lower()
if PORTAL_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured(f"PORTAL_STORAGE must be local or s3, not {PORTAL_STORAGE!r}.")
# How long a presigned download URL lives: it is made after the permission check, for one click.
PORTAL_DOWNLOAD_URL_EXPIRY = env_int("PORTAL_DOWNLOAD_URL_EXPIRY", 60)
if PORTAL_STORAGE == "s3":
    from botocore.config import Config as _Config

    _addressing = env_str("AWS_S3_ADDRESSING_STYLE", "auto")  # "path" for MinIO, "virtual" for OSS/COS/OBS
    _default_storage = {
        "BACKEND": "portal.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "public_endpoint_url": env_str("AWS_S3_PUBLIC_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "location": env_str("AWS_LOCATION"),  # a key prefix, when the bucket is shared
            # Private: no ACL header unless one is asked for (objects take the bucket's private
            # default; buckets with ACLs disabled refuse any), never public (portal/checks.py).
            "default_acl": env_str("AWS_DEFAULT_ACL") or None,
            "querystring_auth": True,
            "querystring_expire": PORTAL_DOWNLOAD_URL_EXPIRY,
            "file_overwrite": False,  # a name already taken gets a suffix, as on local disk
            # A file opened for reading spills to a temporary file past 10 MB (0 would hold a
            # 200 MB object in memory).
            "max_memory_size": 10 * 1024 * 1024,
            "custom_domain": None,  # a custom domain would hand out unsigned URLs
            "client_config": _Config(
                signature_version="s3v4",
                s3={"addressing_style": _addressing},
                # botocore ≥ 1.36 adds CRC checksums that OSS, COS, OBS and older MinIO refuse.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Set when nginx is in front: downloads answer X-Accel-Redirect to this internal location after
# the permission check (portal/downloads.py shows the nginx block). Empty: Django streams them.
PORTAL_ACCEL_REDIRECT_PREFIX = env_str("PORTAL_ACCEL_REDIRECT_PREFIX")
# How many web/worker nodes the deployment runs; more than one needs shared storage and Redis.
PORTAL_NODES = env_int("PORTAL_NODES", 1)

REDIS_URL = env_str("REDIS_URL")
# The cache holds rate-limit counters: shared through Redis when there is one. CACHE_REDIS_URL
# keeps it apart from the Celery broker (another database or instance, which may evict keys).
CACHE_REDIS_URL = env_str("CACHE_REDIS_URL") or REDIS_URL
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_REDIS_URL, "KEY_PREFIX": "portal"}
        if CACHE_REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# With a shared cache, sessions are read from it and written through to the database: a page
# costs no session query. Not with the per-process local-memory cache, where signing out in one
# worker would leave the session alive in another's memory.
if CACHE_REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# /readyz/ asks a Celery worker to answer (production: yes; development: the worker is optional).
READYZ_REQUIRE_WORKER = env_bool("READYZ_REQUIRE_WORKER", False)
READYZ_TIMEOUT = float(env_str("READYZ_TIMEOUT", "2"))


def logging_config(fmt: str, level: str) -> dict:
    """Plain text for a person at a terminal; JSON (one object a line) for a log collector. Every
    line carries the time, level, logger and the id of the request (or task) it belongs to."""
    formatters = {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,  # ISO 8601, UTC
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "portal.request_context.RequestIdFilter"}},
        "formatters": {fmt: formatters[fmt]},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["request_id"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own console handler (DEBUG only) would print each of its lines a second time.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "django.db.backends": {"level": "WARNING"},
        },
    }


LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = logging_config(LOG_FORMAT, env_str("LOG_LEVEL", "INFO"))
