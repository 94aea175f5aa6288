"""Settings come from the environment; production settings pass `check --deploy` cleanly."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings as s; django.setup(); "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']), "
    "'broker': s.CELERY_BROKER_URL, 'backend': s.CELERY_RESULT_BACKEND, 'debug': s.DEBUG, "
    "'hosts': s.ALLOWED_HOSTS, 'media': str(s.MEDIA_ROOT), 'email': s.EMAIL_BACKEND, 'key': s.SECRET_KEY}))"
)
STRIP = {"DATABASE_URL", "REDIS_URL", "DEBUG", "ALLOWED_HOSTS", "MEDIA_ROOT", "EMAIL_BACKEND", "SECRET_KEY"}


def probe(module="portal.settings", **env):
    clean = {k: v for k, v in os.environ.items() if k not in STRIP}
    clean.update(env, DJANGO_SETTINGS_MODULE=module)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_defaults_need_no_set_up():
    s = probe()
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["broker"] == "filesystem://"  # a real worker, no Redis needed
    assert s["backend"].startswith("file://")
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["debug"] is True


def test_environment_selects_postgres_redis_and_the_rest():
    s = probe(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/somedb",
        REDIS_URL="redis://127.0.0.1:6379/3",
        DEBUG="false",
        ALLOWED_HOSTS="award.example.cn, www.award.example.cn",
        MEDIA_ROOT="/srv/media",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        SECRET_KEY="k" * 60,
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "somedb"
    assert s["broker"] == s["backend"] == "redis://127.0.0.1:6379/3"
    assert s["debug"] is False
    assert s["hosts"] == ["award.example.cn", "www.award.example.cn"]
    assert s["media"] == "/srv/media"
    assert s["email"].endswith("smtp.EmailBackend")
    assert s["key"] == "k" * 60


def test_production_refuses_the_development_secret_key():
    clean = {k: v for k, v in os.environ.items() if k not in STRIP}
    clean["DJANGO_SETTINGS_MODULE"] = "portal.settings.production"
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert out.returncode != 0
    assert "SECRET_KEY" in out.stderr


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "x7#Kp2!vQ9zL@m4Rt8&Wn3$Yb6^Hc1*Jd5(Fg0)Se-Ua+Io=Pe_Lk~Zq",
    "ALLOWED_HOSTS": "award.example.cn",
    "SITE_URL": "https://award.example.cn",
    "DATABASE_URL": "postgres://portal@db:5432/portal",
    "REDIS_URL": "redis://redis:6379/0",
    "CACHE_REDIS_URL": "redis://redis-cache:6379/0",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}
DEPLOY_VARIABLES = STRIP | set(PRODUCTION) | {
    "PORTAL_NODES", "PORTAL_STORAGE", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_DEFAULT_ACL",
    "PORTAL_ACCEL_REDIRECT_PREFIX", "AWS_S3_ADDRESSING_STYLE", "DB_CONN_MAX_AGE", "LOG_FORMAT", "CACHE_REDIS_URL",
}


def check_deploy(**changes):
    env = {k: v for k, v in os.environ.items() if k not in DEPLOY_VARIABLES}
    env.update(PRODUCTION)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    out = check_deploy()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_several_nodes_with_a_bucket_pass_check_deploy():
    out = check_deploy(PORTAL_NODES="2", AWS_STORAGE_BUCKET_NAME="portal-media",
                       AWS_S3_ENDPOINT_URL="http://minio:9000", AWS_S3_ADDRESSING_STYLE="path",
                       PORTAL_ACCEL_REDIRECT_PREFIX="/protected/")
    assert out.returncode == 0, out.stdout + out.stderr


def test_production_without_redis_stops_at_the_check():
    """The per-process cache and the file-system broker a separate worker never reads."""
    out = check_deploy(REDIS_URL=None, CACHE_REDIS_URL=None)
    assert out.returncode != 0
    assert "portal.E001" in out.stderr and "portal.E002" in out.stderr


def test_several_nodes_on_local_disk_or_sqlite_stop_at_the_check():
    out = check_deploy(PORTAL_NODES="3")
    assert out.returncode != 0 and "portal.E003" in out.stderr and "portal.E004" not in out.stderr
    out = check_deploy(PORTAL_NODES="3", DATABASE_URL=None, AWS_STORAGE_BUCKET_NAME="portal-media")
    assert out.returncode != 0 and "portal.E004" in out.stderr and "portal.E003" not in out.stderr


def test_a_public_bucket_or_a_new_connection_per_request_is_refused():
    out = check_deploy(AWS_STORAGE_BUCKET_NAME="portal-media", AWS_DEFAULT_ACL="public-read")
    assert "portal.E010" in out.stderr
    out = check_deploy(AWS_STORAGE_BUCKET_NAME="portal-media", PORTAL_ACCEL_REDIRECT_PREFIX="/protected/")
    assert "portal.E013" in out.stderr  # nginx cannot proxy virtual-host addresses
    out = check_deploy(DB_CONN_MAX_AGE="0")
    assert out.returncode != 0 and "portal.W001" in out.stderr


def test_local_names_and_plain_http_links_are_warned_about():
    out = check_deploy(ALLOWED_HOSTS=None, SITE_URL=None, EMAIL_BACKEND=None)
    assert all(code in out.stderr for code in ("portal.W011", "portal.W012", "portal.W013")), out.stderr


SETTINGS_PROBE = (
    "import json, django; from django.conf import settings as s; django.setup(); "
    "print(json.dumps({'age': s.DATABASES['default']['CONN_MAX_AGE'], "
    "'health': s.DATABASES['default']['CONN_HEALTH_CHECKS'], 'options': s.DATABASES['default'].get('OPTIONS', {}), "
    "'storage': s.STORAGES['default']['BACKEND'], 'static': s.STORAGES['staticfiles']['BACKEND'], "
    "'formatter': s.LOGGING['handlers']['console']['formatter'], 'worker': s.READYZ_REQUIRE_WORKER, "
    "'cache': s.CACHES['default'].get('LOCATION'), 'broker': s.CELERY_BROKER_URL}))"
)


def settings_of(module, **env):
    clean = {k: v for k, v in os.environ.items() if k not in DEPLOY_VARIABLES}
    clean.update(env, DJANGO_SETTINGS_MODULE=module)
    out = subprocess.run([sys.executable, "-c", SETTINGS_PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_keeps_connections_logs_json_and_waits_for_a_worker():
    """The deployed configuration is the benchmarked one (benchmarks/load.py ran DB_CONN_MAX_AGE=60)."""
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SETTINGS_MODULE"}
    s = settings_of("portal.settings.production", **env)
    assert s["age"] == 60 and s["health"] is True
    assert s["formatter"] == "json" and s["worker"] is True
    assert s["static"].startswith("whitenoise") and s["storage"].endswith("FileSystemStorage")
    assert s["cache"] == "redis://redis-cache:6379/0" and s["broker"] == "redis://redis:6379/0"
    s = settings_of("portal.settings.production", **env, AWS_STORAGE_BUCKET_NAME="portal-media", LOG_FORMAT="text")
    assert s["storage"] == "portal.storage.PrivateS3Storage" and s["formatter"] == "text"


def test_development_logs_text_and_sqlite_waits_for_the_write_lock():
    s = settings_of("portal.settings")
    assert s["formatter"] == "text" and s["worker"] is False and s["age"] == 0
    assert s["options"] == {"transaction_mode": "IMMEDIATE", "timeout": 20}


@pytest.mark.django_db
def test_the_demo_runs_with_debug_off_its_static_files_served_and_its_own_chinese_error_pages(client, settings):
    """`make run` (scripts/run.sh) serves with DEBUG off: WhiteNoise serves static files from the source
    folders without collectstatic, and a missing page is the portal's Chinese 404, not Django's."""
    from pathlib import Path

    script = (Path(settings.BASE_DIR) / "scripts" / "run.sh").read_text()
    assert 'export DEBUG="${DEBUG:-false}"' in script
    settings.DEBUG = False
    settings.WHITENOISE_USE_FINDERS = True
    static = client.get("/static/portal/portal.css")
    assert static.status_code == 200 and b"".join(static.streaming_content)
    missing = client.get("/no-such-page/")
    html = missing.content.decode()
    assert missing.status_code == 404 and "页面" in html and "Django" not in html and "DEBUG" not in html
