"""Deployment checks (``manage.py check --deploy``, run by the init service before anything starts):
production refuses a configuration it cannot run on more than one process or node.

Registered by ``register_all()`` from PortalConfig.ready(). The messages are for the operator
reading a terminal, so they are English like Django's own.
"""

from django.conf import settings
from django.core.checks import Error, Warning, register

LOCAL_HOSTS = {"127.0.0.1", "localhost", "testserver", "::1", "0.0.0.0"}


def _is_local_storage() -> bool:
    return settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


def check_shared_parts(app_configs=None, **kwargs):
    """Redis for the broker and the cache; object storage and a database server for several nodes."""
    problems = []
    if str(settings.CELERY_BROKER_URL).startswith("filesystem://"):
        problems.append(Error(
            "The Celery broker is a folder on this machine's disk: a worker in another container or on "
            "another node never reads it, so e-mails and documents would wait forever.",
            hint="Set REDIS_URL (e.g. redis://redis:6379/0) for the broker.", id="portal.E001"))
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        problems.append(Error(
            "The cache lives in each process's memory: the login throttle, sessions and page caches are "
            "not shared between gunicorn workers and nodes.",
            hint="Set REDIS_URL (and CACHE_REDIS_URL for a separate cache database).", id="portal.E002"))
    nodes = getattr(settings, "PORTAL_NODES", 1)
    if nodes > 1 and _is_local_storage():
        problems.append(Error(
            f"PORTAL_NODES={nodes} but uploaded files are stored on local disk: a file uploaded through "
            "one node cannot be read by the others.",
            hint="Set PORTAL_STORAGE=s3 with AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL and keys.",
            id="portal.E003"))
    if nodes > 1 and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(Error(
            f"PORTAL_NODES={nodes} but the database is an SQLite file on one node.",
            hint="Set DATABASE_URL to the PostgreSQL server.", id="portal.E004"))
    if not settings.DATABASES["default"].get("CONN_MAX_AGE"):
        problems.append(Warning(
            "Every request opens a new database connection (CONN_MAX_AGE=0).",
            hint="Leave DB_CONN_MAX_AGE unset (60 s, the benchmarked configuration).", id="portal.W001"))
    return problems


def check_private_storage(app_configs=None, **kwargs):
    """Evidence is confidential: the bucket hands out nothing without a signature."""
    if _is_local_storage():
        return []
    options = settings.STORAGES["default"].get("OPTIONS", {})
    problems = []
    acl = str(options.get("default_acl") or "")
    if acl.startswith("public") or acl == "authenticated-read":
        problems.append(Error(f"AWS_DEFAULT_ACL={acl} would make evidence readable without the portal.",
                              hint="Leave AWS_DEFAULT_ACL unset (the bucket's private default).", id="portal.E010"))
    if not options.get("querystring_auth", True) or options.get("custom_domain"):
        problems.append(Error("Download URLs of the bucket would not be signed.",
                              hint="Keep querystring_auth on and no custom domain.", id="portal.E011"))
    if not options.get("bucket_name"):
        problems.append(Error("PORTAL_STORAGE=s3 without a bucket.", hint="Set AWS_STORAGE_BUCKET_NAME.",
                              id="portal.E012"))
    if settings.PORTAL_ACCEL_REDIRECT_PREFIX:
        config = options.get("client_config")
        style = (getattr(config, "s3", None) or {}).get("addressing_style")
        if style != "path":
            problems.append(Error(
                "X-Accel-Redirect to the bucket needs path-style addresses (/<bucket>/<key>): nginx "
                "proxies the internal location to one host.",
                hint="Set AWS_S3_ADDRESSING_STYLE=path, or unset PORTAL_ACCEL_REDIRECT_PREFIX to redirect "
                     "browsers to presigned URLs.", id="portal.E013"))
    return problems


def check_addresses(app_configs=None, **kwargs):
    """The names the site answers to and writes into e-mails and documents."""
    problems = []
    hosts = set(settings.ALLOWED_HOSTS)
    if "*" in hosts:
        problems.append(Warning("ALLOWED_HOSTS accepts any host name.",
                                hint="List the site's names, e.g. award.example.gov.cn.", id="portal.W010"))
    elif hosts <= LOCAL_HOSTS:
        problems.append(Warning("ALLOWED_HOSTS names only this machine.",
                                hint="Set ALLOWED_HOSTS to the site's public names.", id="portal.W011"))
    if not str(settings.SITE_URL).startswith("https://"):
        problems.append(Warning(
            f"SITE_URL={settings.SITE_URL}: links in e-mails and documents would not use HTTPS.",
            hint="Set SITE_URL to the public https:// address.", id="portal.W012"))
    if settings.EMAIL_BACKEND.endswith(("console.EmailBackend", "locmem.EmailBackend", "dummy.EmailBackend")):
        problems.append(Warning("E-mail goes nowhere (EMAIL_BACKEND is the console).",
                                hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST.",
                                id="portal.W013"))
    return problems


def register_all() -> None:
    for check in (check_shared_parts, check_private_storage, check_addresses):
        register(check, "portal", deploy=True)
