"""The deployment files (docker-compose.yml, Dockerfile, deploy/) read as an operator would.

The Docker engine does not run here, so these parse the files; `make cluster` (tests/system/test_cluster.py)
runs the same commands without Docker. Plain functions: no database and no Django set-up.
"""

import importlib.util
import os
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"

APP_SERVICES = ("web", "worker-mail", "worker-render", "worker-default", "beat")
WORKERS = {"worker-mail": "mail", "worker-render": "render", "worker-default": "default"}
ONE_OFF = ("init", "minio-init")


def _compose():
    with COMPOSE_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _services():
    return _compose()["services"]


def _command(service):
    """A service's command (or entrypoint) as one string (it may be a list or a string)."""
    command = service.get("command") or service.get("entrypoint") or ""
    if isinstance(command, list):
        return " ".join(str(part) for part in command)
    return str(command)


def _environment(service):
    """A service's environment as a dict (mapping or KEY=VALUE list)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def _depends_on(service) -> dict:
    deps = service.get("depends_on") or {}
    return deps if isinstance(deps, dict) else {name: {"condition": "service_started"} for name in deps}


def _healthcheck_test(service) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def _module_file(dotted):
    """portal.wsgi -> ROOT/portal/wsgi.py (or a package's __init__.py)."""
    base = ROOT.joinpath(*dotted.split("."))
    module = base.with_suffix(".py")
    return module if module.exists() else base / "__init__.py"


def _nginx() -> str:
    return NGINX_CONF.read_text(encoding="utf-8")


def _size_bytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


# --- services, health checks and start order ---------------------------------------------------


def test_required_services_exist():
    services = _services()
    for name in ("nginx", *APP_SERVICES, "init", "db", "redis", "redis-cache", "minio", "minio-init"):
        assert name in services, f"service {name!r} missing from docker-compose.yml"


def test_every_long_running_service_has_a_health_check():
    for name, service in _services().items():
        if name in ONE_OFF:
            assert service.get("restart") == "no", name
            continue
        assert "healthcheck" in service, f"{name} has no health check"
        assert _healthcheck_test(service).strip(), name


def test_app_services_wait_for_init_and_healthy_backing_services():
    services = _services()
    for name in APP_SERVICES:
        deps = _depends_on(services[name])
        assert deps["init"]["condition"] == "service_completed_successfully", name
        for backing in ("db", "redis", "redis-cache", "minio"):
            assert deps[backing]["condition"] == "service_healthy", (name, backing)
    init = _depends_on(services["init"])
    assert init["db"]["condition"] == "service_healthy"
    assert init["minio-init"]["condition"] == "service_completed_successfully"
    assert _depends_on(services["minio-init"])["minio"]["condition"] == "service_healthy"
    assert _depends_on(services["nginx"])["web"]["condition"] == "service_healthy"


def test_init_runs_the_one_off_steps_and_nothing_else_migrates():
    services = _services()
    init = _command(services["init"])
    steps = ["check --deploy", "migrate --noinput", "load_reference", "load_rubrics", "collectstatic --noinput"]
    positions = [init.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), init
    for name in ("load_reference", "load_rubrics"):
        assert list(ROOT.glob(f"*/management/commands/{name}.py")), name
    for name in (*APP_SERVICES, "nginx"):
        assert "migrate" not in _command(services[name]), f"{name} must not migrate (init does)"
    # make cluster runs exactly these commands (read from this file), without Docker.
    from benchmarks.cluster import Cluster

    assert [" ".join(step) for step in Cluster.init_steps()] == [
        "check --deploy", "migrate --noinput", "load_reference", "load_rubrics", "collectstatic --noinput"]


def test_web_runs_gunicorn_with_its_config_file_and_a_real_health_check():
    web = _services()["web"]
    args = shlex.split(_command(web))
    assert args[:3] == ["gunicorn", "-c", "deploy/gunicorn.conf.py"] and args[-1] == "portal.wsgi:application"
    assert "ports" not in web, "web is reached through nginx only"
    assert (web.get("deploy") or {}).get("replicas", 1) >= 2
    test = _healthcheck_test(web)
    assert "deploy/healthcheck.py" in test and "/healthz/" in test
    assert (ROOT / "deploy" / "healthcheck.py").is_file()


def test_gunicorn_config_sets_timeouts_recycling_and_access_log(monkeypatch):
    for name in ("GUNICORN_TIMEOUT", "GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", GUNICORN_CONF)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert 10 <= conf.timeout <= 120
    assert conf.graceful_timeout > 0
    assert conf.max_requests >= 100 and 0 < conf.max_requests_jitter < conf.max_requests
    assert conf.accesslog == "-" and conf.errorlog == "-"
    assert "x-request-id" in conf.access_log_format
    # nginx must wait longer than gunicorn, so that gunicorn's timeout answers first.
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", _nginx()).group(1))
    assert read_timeout > conf.timeout


def test_one_worker_per_queue_and_each_health_check_pings_its_own_node():
    from portal.settings.queues import CELERY_TASK_QUEUES

    services = _services()
    assert {q.name for q in CELERY_TASK_QUEUES} == set(WORKERS.values())
    for name, queue in WORKERS.items():
        args = shlex.split(_command(services[name]))
        assert args[:4] == ["celery", "-A", "portal", "worker"], name
        assert args[args.index("-Q") + 1] == queue, name
        node = args[args.index("-n") + 1]
        assert node == f"{queue}@%h", name
        # $$ is compose's escape for a literal $ (the container's own HOSTNAME)
        assert f"celery -A portal inspect ping -d {queue}@$$HOSTNAME" in _healthcheck_test(services[name]), name
    assert _module_file(shlex.split(_command(services["worker-mail"]))[2]).is_file()


def test_exactly_one_beat_with_a_pid_health_check():
    services = _services()
    beats = [n for n, s in services.items() if " beat" in f" {_command(s)}" and "celery" in _command(s)]
    assert beats == ["beat"]
    beat = services["beat"]
    assert (beat.get("deploy") or {}).get("replicas", 1) == 1
    pidfile = re.search(r"--pidfile=(\S+)", _command(beat)).group(1)
    assert pidfile in _healthcheck_test(beat) and "kill -0" in _healthcheck_test(beat)
    assert any(v.endswith(":" + str(Path(pidfile).parent)) for v in beat.get("volumes", []))


# --- Redis, storage, environment ---------------------------------------------------------------


def test_broker_redis_persists_and_cache_redis_does_not():
    services = _services()
    broker = _command(services["redis"])
    assert "--appendonly yes" in broker and "noeviction" in broker
    assert any(v.endswith(":/data") for v in services["redis"].get("volumes", []))
    cache = _command(services["redis-cache"])
    assert "--appendonly no" in cache and "--save" in cache and "allkeys-lru" in cache
    assert not services["redis-cache"].get("volumes")
    for name in ("redis", "redis-cache"):
        assert "redis-cli ping" in _healthcheck_test(services[name]), name


def test_app_environment_points_at_the_backing_services():
    services = _services()
    for name in (*APP_SERVICES, "init"):
        env = _environment(services[name])
        assert env.get("DATABASE_URL", "").startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"], name
        assert env.get("REDIS_URL") == "redis://redis:6379/0", name
        assert env.get("CACHE_REDIS_URL") == "redis://redis-cache:6379/0", name
        assert env.get("DJANGO_SETTINGS_MODULE") == "portal.settings.production", name
        assert env.get("PORTAL_STORAGE") == "s3" and env.get("AWS_S3_ENDPOINT_URL") == "http://minio:9000", name
        assert env.get("PORTAL_ACCEL_REDIRECT_PREFIX") == "/protected/", name
        assert env.get("PORTAL_TRUSTED_PROXY_COUNT") == "1", name
        assert "SECRET_KEY" in env and "MEDIA_ROOT" not in env, name


def test_every_shared_variable_is_read_by_the_settings():
    """A misspelt variable would be silently ignored: each one the containers get must be read."""
    sources = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "portal" / "settings").glob("*.py"))
    sources += GUNICORN_CONF.read_text(encoding="utf-8")
    env = _environment(_services()["web"])
    unread = [name for name in env if name != "DJANGO_SETTINGS_MODULE" and f'"{name}"' not in sources]
    assert unread == []


def test_the_bucket_is_created_private_and_named_alike():
    services = _services()
    script = _command(services["minio-init"])
    assert "mc mb --ignore-existing" in script and "mc anonymous set none" in script
    bucket_var = re.search(r"local/\$\$(\w+)", script).group(1)
    assert _environment(services["minio-init"])[bucket_var] == _environment(services["web"])["AWS_STORAGE_BUCKET_NAME"]
    assert "mc ready local" in _healthcheck_test(services["minio"])


def test_volumes_declared():
    volumes = _compose().get("volumes") or {}
    for name in ("pgdata", "redisdata", "miniodata", "static"):
        assert name in volumes, name
    services = _services()
    assert any(v.startswith("pgdata:") for v in services["db"].get("volumes", []))
    assert "static:/app/staticfiles" in services["init"]["volumes"]
    assert "static:/app/staticfiles:ro" in services["nginx"]["volumes"]


# --- nginx ---------------------------------------------------------------------------------------


def test_nginx_mounts_the_config_and_is_the_only_published_port():
    services = _services()
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["nginx"]["volumes"]
    published = [name for name, s in services.items() if s.get("ports")]
    assert published == ["nginx"]


def test_nginx_body_limit_fits_one_evidence_file():
    from portal.settings.base import EVIDENCE_MAX_FILE_BYTES

    limits = re.findall(r"client_max_body_size (\w+);", _nginx())
    assert len(limits) == 1
    limit = _size_bytes(limits[0])
    assert EVIDENCE_MAX_FILE_BYTES < limit <= EVIDENCE_MAX_FILE_BYTES + 4 * 1024**2


def test_nginx_forwards_the_client_address_scheme_and_request_id():
    conf = _nginx()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert re.search(r"proxy_set_header X-Forwarded-Proto \$\w+;", conf)
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    assert "proxy_set_header Host $host;" in conf
    assert re.search(r"proxy_next_upstream error timeout", conf)
    assert "non_idempotent" not in conf  # a POST is never replayed on a second node
    assert "server web:8000" in conf


def test_nginx_protected_downloads_are_internal_only():
    conf = _nginx()
    block = re.search(r"location /protected/ \{(.*?)\n    \}", conf, re.S)
    assert block, "no /protected/ location"
    body = block.group(1)
    assert re.search(r"^\s*internal;", body, re.M)
    assert "proxy_pass http://minio:9000/;" in body
    assert 'proxy_set_header Cookie "";' in body and 'proxy_set_header Authorization "";' in body
    assert re.search(r"location /media/ \{\s*return 404;", conf)
    assert "TLS" in conf and "listen 443 ssl" in conf  # the documented placeholder


def test_nginx_protected_location_has_every_directive_the_portal_asks_for():
    """portal.downloads.nginx_location() is the portal's own statement of the block it needs."""
    from portal.downloads import nginx_location

    block = re.search(r"location /protected/ \{(.*?)\n    \}", _nginx(), re.S).group(1)
    ours = {line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")}
    ours = {re.sub(r"\s*# cluster: .*$", "", line) for line in ours}
    wanted = nginx_location("/protected/", s3_endpoint="http://minio:9000").splitlines()[1:-1]
    assert [line.strip() for line in wanted if line.strip() not in ours] == []


@pytest.mark.parametrize("marker", ["web nodes", "listen", "static root", "s3 endpoint", "s3 host"])
def test_nginx_lines_the_cluster_replaces_are_marked(marker):
    assert len(re.findall(rf"# cluster: {marker}$", _nginx(), re.M)) == 1


# --- the image ---------------------------------------------------------------------------------


def test_dockerfile_installs_system_packages():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", text, re.M)
    for package in ("fonts-noto-cjk", "libharfbuzz-subset0", "gettext"):
        assert re.search(rf"\b{re.escape(package)}\b", text), package
    assert "compilemessages" in text
    assert "collectstatic --noinput" in text
    assert re.search(r"^USER portal\b", text, re.M)


def test_dockerfile_installs_from_the_lock_with_hashes():
    text = DOCKERFILE.read_text(encoding="utf-8")
    installs = re.findall(r"pip install ([^\n&\\]*)", text)
    assert any("--require-hashes --no-deps -r" in args for args in installs)
    assert "pip install --no-deps ." in text
    # Nothing else resolves versions on its own.
    assert all("--no-deps" in args or "--upgrade pip" in args for args in installs), installs
    assert "deploy/runtime_lock.py requirements.lock pyproject.toml" in text


def test_runtime_lock_keeps_runtime_packages_with_hashes_and_drops_dev_tools():
    spec = importlib.util.spec_from_file_location("runtime_lock", ROOT / "deploy" / "runtime_lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    entries = module.runtime_entries((ROOT / "requirements.lock").read_text(), (ROOT / "pyproject.toml").read_text())
    names = {e["name"] for e in entries}
    for needed in ("django", "celery", "gunicorn", "weasyprint", "psycopg", "django-storages", "boto3", "kombu",
                   "redis", "whitenoise", "django-axes", "python-json-logger", "botocore", "pydyf"):
        assert needed in names, needed
    for dev in ("pytest", "ruff", "moto", "playwright", "factory-boy", "hypothesis"):
        assert dev not in names, dev
    assert all(any("--hash=sha256:" in line for line in e["lines"]) for e in entries)


def test_referenced_python_modules_exist():
    services = _services()
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    targets = set(re.findall(r"([\w.]+):application", _command(services["web"])))
    targets |= set(re.findall(r"([\w.]+):application", dockerfile))
    assert targets == {"portal.wsgi"}
    for dotted in targets:
        assert _module_file(dotted).is_file(), dotted
    settings_module = _environment(services["web"])["DJANGO_SETTINGS_MODULE"]
    assert _module_file(settings_module).is_file(), settings_module
    assert f"DJANGO_SETTINGS_MODULE={settings_module}" in dockerfile


def test_the_cluster_renders_this_nginx_file_into_a_config_nginx_accepts(tmp_path):
    """benchmarks/cluster.py changes only the marked lines: three servers (both nodes, and one
    pinned to each), the S3 endpoint and the static folder; Debian's nginx accepts the result."""
    import shutil
    import subprocess

    from benchmarks.cluster import Cluster

    cluster = Cluster(base=tmp_path)
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx").mkdir()
    conf = cluster.nginx_config()
    assert len(re.findall(r"^\s*listen 127\.0\.0\.1:\d+;$", conf, re.M)) == 3
    assert "web:8000" not in conf and "minio:9000" not in conf
    assert conf.count(f"proxy_pass http://{cluster.s3}/;") == 3
    assert conf.count("client_max_body_size 21m;") == 3
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx is None:
        assert os.environ.get("CI") != "true", "CI installs nginx (scripts/setup.sh)"
        return  # rendering checked above; nginx itself is checked wherever it is installed
    path = tmp_path / "nginx" / "nginx.conf"
    path.write_text(conf, encoding="utf-8")
    result = subprocess.run([nginx, "-t", "-c", str(path), "-p", str(tmp_path / "nginx"), "-e",
                             str(tmp_path / "logs" / "error.log")], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
