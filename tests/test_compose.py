"""Sanity checks for the deployment files (docker-compose.yml, Dockerfile).

Plain functions: no database and no Django setup are needed.
"""

import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"


def _compose():
    with COMPOSE_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _services():
    return _compose()["services"]


def _command(service):
    """Return a service's command as one string (it may be a list or a string)."""
    command = service.get("command", "")
    if isinstance(command, list):
        return " ".join(str(part) for part in command)
    return str(command)


def _environment(service):
    """Return a service's environment as a dict (mapping or KEY=VALUE list)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def _depends_on(service):
    deps = service.get("depends_on") or []
    return list(deps.keys()) if isinstance(deps, dict) else list(deps)


def _module_file(dotted):
    """portal.wsgi -> ROOT/portal/wsgi.py (or a package's __init__.py)."""
    base = ROOT.joinpath(*dotted.split("."))
    module = base.with_suffix(".py")
    return module if module.exists() else base / "__init__.py"


def test_required_services_exist():
    services = _services()
    for name in ("db", "redis", "web", "worker"):
        assert name in services, f"service {name!r} missing from docker-compose.yml"


def test_web_command_runs_gunicorn():
    command = _command(_services()["web"])
    assert "gunicorn portal.wsgi:application" in command
    assert "migrate --noinput" in command


def test_worker_command_runs_celery():
    assert "celery -A portal worker" in _command(_services()["worker"])


def test_web_and_worker_environment():
    services = _services()
    for name in ("web", "worker"):
        env = _environment(services[name])
        assert env.get("DATABASE_URL", "").startswith("postgres://"), name
        assert env.get("REDIS_URL", "").startswith("redis://"), name
        assert env.get("DJANGO_SETTINGS_MODULE") == "portal.settings.production", name
        assert "SECRET_KEY" in env, name
        assert env.get("MEDIA_ROOT") == "/app/media", name


def test_volumes_declared():
    volumes = _compose().get("volumes") or {}
    assert "pgdata" in volumes
    assert "media" in volumes
    services = _services()
    assert any(v.startswith("pgdata:") for v in services["db"].get("volumes", []))
    for name in ("web", "worker"):
        assert "media:/app/media" in services[name].get("volumes", []), name


def test_web_depends_on_db():
    services = _services()
    assert "db" in _depends_on(services["web"])
    deps = services["web"]["depends_on"]
    if isinstance(deps, dict):
        assert deps["db"].get("condition") == "service_healthy"
    assert "healthcheck" in services["db"]


def test_dockerfile_installs_system_packages():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", text, re.M)
    for package in ("fonts-noto-cjk", "libharfbuzz-subset0", "gettext"):
        assert re.search(rf"\b{re.escape(package)}\b", text), package
    assert "compilemessages" in text
    assert "collectstatic --noinput" in text
    assert re.search(r"^USER portal\b", text, re.M)


def test_referenced_python_modules_exist():
    services = _services()
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")

    # gunicorn WSGI entry points, e.g. "portal.wsgi:application".
    targets = set(re.findall(r"([\w.]+):application", _command(services["web"])))
    targets |= set(re.findall(r"([\w.]+):application", dockerfile))
    assert targets == {"portal.wsgi"}
    for dotted in targets:
        path = _module_file(dotted)
        assert path.is_file(), f"{dotted} -> {path} does not exist"

    # celery -A <app>
    args = shlex.split(_command(services["worker"]))
    celery_app = args[args.index("-A") + 1]
    assert _module_file(celery_app).is_file(), celery_app

    # Settings module used by compose and the Dockerfile.
    settings_module = _environment(services["web"])["DJANGO_SETTINGS_MODULE"]
    assert _module_file(settings_module).is_file(), settings_module
    assert f"DJANGO_SETTINGS_MODULE={settings_module}" in dockerfile
