"""Settings come from the environment; production settings pass `check --deploy` cleanly."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def test_production_settings_pass_check_deploy_without_warnings():
    env = {k: v for k, v in os.environ.items() if k not in STRIP}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY="x7#Kp2!vQ9zL@m4Rt8&Wn3$Yb6^Hc1*Jd5(Fg0)Se-Ua+Io=Pe_Lk~Zq",
        ALLOWED_HOSTS="award.example.cn",
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout
