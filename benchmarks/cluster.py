"""`make cluster`: the production layout on this machine, without Docker, from Debian's and PyPI's
packages only, then a paced load run through the proxy.

    nginx (deploy/nginx.conf, rendered) ─┬─ gunicorn node A (its own var folder)
                                         └─ gunicorn node B (its own var folder)
    Celery worker "render" (-Q render), Celery worker "main" (-Q mail,default), one beat
    PostgreSQL (database portal_cluster), Redis (broker db 11, cache db 12),
    moto's standalone S3 server (python -m moto.server) in place of MinIO: a private bucket.

Everything listens on 127.0.0.1 on free ports. Nothing is shared on local disk between nodes: the
files live in the bucket. The init steps are docker-compose.yml's (check --deploy, migrate,
load_reference, load_rubrics, collectstatic), with portal.settings.production.

    .venv/bin/python benchmarks/cluster.py [--seconds 60] [--applicants 50] [--experts 5] [--think 5] [--serve]

The defaults are BENCHMARKS.md's paced one-node run (benchmarks/load.py --think 5), for comparison.

--serve keeps the cluster up until Ctrl-C (and prints its addresses). tests/system/test_cluster.py uses
the Cluster class below (marker ``cluster``). Every wait is bounded.
"""

import argparse
import contextlib
import fcntl
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
PY = sys.executable
BIN = Path(PY).parent
PASSWORD = "load-test-2026"  # benchmarks/load.py's accounts
LOCK_FILE = Path("/tmp/portal-cluster.lock")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing_parts() -> list[str]:
    """What this machine lacks to run the cluster (empty: all there)."""
    missing = []
    if not _nginx_binary():
        missing.append("nginx (apt-get install nginx)")
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379)):
        with socket.socket() as s:
            s.settimeout(1)
            if s.connect_ex(("127.0.0.1", port)) != 0:
                missing.append(f"{name} on 127.0.0.1:{port}")
    try:
        import moto.server  # noqa: F401
    except ImportError:
        missing.append("moto[server] (the dev extra)")
    return missing


def _nginx_binary() -> str | None:
    for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"):
        if os.access(path, os.X_OK):
            return path
    return None


def _wait(what: str, ready, timeout: float, proc=None, log: Path | None = None):
    """Polls ``ready()`` until true; fails with the process's log tail after ``timeout`` s."""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if proc is not None and proc.poll() is not None:
            break
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} not ready after {timeout:.0f} s\n{tail}")


def _http_ok(url: str, timeout: float = 2) -> bool:
    import urllib.request

    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status == 200


class Cluster:
    """Starts and stops the whole layout. Attributes after start(): ``url`` (nginx, both nodes),
    ``pinned`` ({"a": url, "b": url}: nginx locked to one node, same locations), ``nodes``
    ({"a": url, "b": url}: gunicorn directly), ``env`` (the shared environment), ``db_url``.

    ``database_url``: an existing PostgreSQL database to run on (a test process's own test
    database), neither created nor dropped here; by default ``db_name`` is made afresh and dropped."""

    def __init__(self, base: Path | None = None, *, web_workers: int = 2, stall_seconds: int = 12,
                 sweep_seconds: int = 2, db_name: str = "portal_cluster", redis_dbs=(11, 12),
                 database_url: str | None = None):
        self.base = base or ROOT / "var" / "cluster"
        self.web_workers = web_workers
        self.own_database = database_url is None
        self.db_url = database_url or f"postgres://postgres@127.0.0.1:5432/{db_name}"
        self.db_name = self.db_url.rsplit("/", 1)[1].split("?")[0]
        self.redis_urls = [f"redis://127.0.0.1:6379/{n}" for n in redis_dbs]
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports = {name: free_port() for name in ("nginx", "pin_a", "pin_b", "node_a", "node_b", "s3")}
        self.url = f"http://127.0.0.1:{self.ports['nginx']}"
        self.pinned = {n: f"http://127.0.0.1:{self.ports['pin_' + n]}" for n in "ab"}
        self.nodes = {n: f"http://127.0.0.1:{self.ports['node_' + n]}" for n in "ab"}
        self.s3 = f"127.0.0.1:{self.ports['s3']}"
        self.bucket = "portal-cluster"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "AWS_", "DATABASE_"))},
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.url,
            # nginx passes Host without the port (as in production on 443); a browser's Origin here
            # carries the cluster's port, so it is named as trusted (as CSRF_TRUSTED_ORIGINS is in .env).
            "CSRF_TRUSTED_ORIGINS": self.url,
            # Plain HTTP on the loopback (no certificate here); everything else as deployed.
            "SECURE_SSL_REDIRECT": "False",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": self.db_url,
            "DB_CONN_MAX_AGE": "60",
            "REDIS_URL": self.redis_urls[0],
            "CACHE_REDIS_URL": self.redis_urls[1],
            "PORTAL_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": f"http://{self.s3}",
            "AWS_S3_ADDRESSING_STYLE": "path",
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "cluster-access-key",
            "AWS_SECRET_ACCESS_KEY": "cluster-secret-key",
            "PORTAL_ACCEL_REDIRECT_PREFIX": "/protected/",
            "PORTAL_NODES": "2",
            "PORTAL_TRUSTED_PROXY_COUNT": "1",
            "STATIC_ROOT": str(self.base / "static"),
            "JOB_STALL_SECONDS": str(stall_seconds),
            "JOB_SWEEP_INTERVAL_SECONDS": str(sweep_seconds),
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
            "READYZ_REQUIRE_WORKER": "true",
            "PYTHONUNBUFFERED": "1",
        }
        self._lock = None
        self._prepare = None

    # --- the parts ---------------------------------------------------------------------------

    def node_env(self, name: str) -> dict:
        """A node's environment: its own var and media folders (media stays empty: S3)."""
        folder = self.base / name
        (folder / "var").mkdir(parents=True, exist_ok=True)
        (folder / "media").mkdir(parents=True, exist_ok=True)
        return {**self.env, "PORTAL_VAR_DIR": str(folder / "var"), "MEDIA_ROOT": str(folder / "media")}

    def log(self, name: str) -> Path:
        return self.base / "logs" / f"{name}.log"

    def _spawn(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        handle = open(self.log(name), "ab")  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(args, cwd=ROOT, env=env or self.node_env(name), stdout=handle,
                                stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()
        self.procs[name] = proc
        return proc

    def manage(self, *args: str, timeout: float = 600, input: str | None = None) -> str:
        out = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=self.node_env("init"), capture_output=True,
                             text=True, timeout=timeout, input=input)
        if out.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
        return out.stdout

    def spawn_s3(self):
        self._spawn("s3", [PY, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.ports["s3"])], self.env)

    def start_s3(self):
        """Waits for moto's server and creates the private bucket (what minio-init does)."""
        if "s3" not in self.procs:
            self.spawn_s3()
        _wait("moto S3 server", lambda: _http_ok(f"http://{self.s3}/moto-api/"), 60, self.procs["s3"], self.log("s3"))
        import boto3

        client = boto3.client("s3", endpoint_url=f"http://{self.s3}", region_name="us-east-1",
                              aws_access_key_id="cluster-access-key", aws_secret_access_key="cluster-secret-key")
        client.create_bucket(Bucket=self.bucket)  # private: no ACL, no policy (as minio-init)
        client.put_public_access_block(Bucket=self.bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})

    def reset_database_and_redis(self):
        admin = self.db_url.rsplit("/", 1)[0] + "/postgres"
        if self.own_database:  # a given database is someone else's (a test run's): kept as it is
            for sql in (f"DROP DATABASE IF EXISTS {self.db_name} WITH (FORCE)", f"CREATE DATABASE {self.db_name}"):
                subprocess.run(["psql", admin, "-qc", sql], check=True, capture_output=True, timeout=60)
        for url in self.redis_urls:
            subprocess.run(["redis-cli", "-u", url, "flushdb"], check=True, capture_output=True, timeout=30)

    @staticmethod
    def init_steps() -> list[list[str]]:
        """The manage.py commands of docker-compose.yml's init service, in its order."""
        import shlex

        import yaml

        compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
        command = compose["services"]["init"]["command"][-1]
        steps = [shlex.split(step) for step in command.split("&&")]
        if not steps or any(step[:2] != ["python", "manage.py"] for step in steps):
            raise RuntimeError(f"docker-compose.yml's init is not a chain of manage.py commands: {command!r}")
        return [step[2:] for step in steps]

    def init(self):
        """docker-compose.yml's init service: the same commands (those that do not write the
        database, the deploy checks and collectstatic, beside the ones that do)."""
        steps = self.init_steps()
        beside = [s for s in steps if s[0] in ("check", "collectstatic")]
        side = [subprocess.Popen([PY, "manage.py", *args], cwd=ROOT, env=self.node_env("init"),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for args in beside]
        for args in steps:
            if args not in beside:
                self.manage(*args)
        for proc in side:
            out, _ = proc.communicate(timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(f"{' '.join(proc.args[2:])} failed:\n{out[-3000:]}")
            if proc.args[2] == "check":
                self.deploy_check_output = out

    def start_web(self, node: str, wait: bool = True):
        env = {**self.node_env(f"node-{node}"), "GUNICORN_BIND": f"127.0.0.1:{self.ports['node_' + node]}",
               "GUNICORN_WORKERS": str(self.web_workers), "GUNICORN_PROC_NAME": f"portal-cluster-{node}",
               "GUNICORN_ACCESS_LOG": str(self.log(f"access-{node}"))}
        self._spawn(f"node-{node}", [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "portal.wsgi:application"],
                    env)
        if wait:
            self.wait_web(node)

    def wait_web(self, node: str):
        _wait(f"web node {node}", lambda: _http_ok(self.nodes[node] + "/healthz/"), 90, self.procs[f"node-{node}"],
              self.log(f"node-{node}"))

    def start_worker(self, name: str, queues: str, wait: bool = True):
        self._spawn(f"worker-{name}", [
            str(BIN / "celery"), "-A", "portal", "worker", "-Q", queues, "-n", f"{name}@cluster",
            "--concurrency=1", "--loglevel=WARNING", "--without-gossip", "--without-mingle"])
        if wait:
            self.wait_worker(name)

    def wait_worker(self, name: str):
        _wait(f"worker {name}", lambda: self.ping_worker(name), 90, self.procs[f"worker-{name}"],
              self.log(f"worker-{name}"))

    def ping_worker(self, name: str) -> bool:
        """`celery inspect ping -d name@cluster` (compose's health check), through a bare Celery
        client on the broker: no Django start-up per ping."""
        from celery import Celery

        # Not the current app: in a test process that would replace the portal's own Celery app (eager
        # mode, routes) for every task sent after the cluster is gone.
        client = Celery(broker=self.env["REDIS_URL"], set_as_current=False)
        try:
            return bool(client.control.ping(destination=[f"{name}@cluster"], timeout=1))
        finally:
            client.close()

    def start_beat(self):
        folder = self.base / "beat"
        folder.mkdir(parents=True, exist_ok=True)
        self._spawn("beat", [str(BIN / "celery"), "-A", "portal", "beat", "--loglevel=WARNING",
                             f"--pidfile={folder / 'beat.pid'}", f"--schedule={folder / 'schedule'}"])

    def nginx_config(self) -> str:
        """deploy/nginx.conf with only its "# cluster:" lines changed, once for both nodes and once
        pinned to each node (same locations), inside a main file for a non-root, foreground nginx."""
        template = NGINX_TEMPLATE.read_text(encoding="utf-8")

        def render(upstream: str, servers: list[str], port: int) -> str:
            text = template
            replacements = {
                r"^\s*server web:8000 .*# cluster: web nodes$": "\n".join(
                    f"    server {s} max_fails=1 fail_timeout=10s;" for s in servers),
                r"^\s*listen 80 default_server;.*# cluster: listen$": f"    listen 127.0.0.1:{port};",
                r"^\s*alias /app/staticfiles/;.*# cluster: static root$": f"        alias {self.base / 'static'}/;",
                r"^\s*proxy_pass http://minio:9000/;.*# cluster: s3 endpoint$": f"        proxy_pass http://{self.s3}/;",
                r"^\s*proxy_set_header Host minio:9000;.*# cluster: s3 host$":
                    f"        proxy_set_header Host {self.s3};",
            }
            for pattern, line in replacements.items():
                text, n = re.subn(pattern, line.replace("\\", "\\\\"), text, flags=re.M)
                if n != 1:
                    raise RuntimeError(f"deploy/nginx.conf: the line {pattern!r} is not there once")
            return text.replace("upstream portal_web {", f"upstream {upstream} {{").replace(
                "proxy_pass http://portal_web;", f"proxy_pass http://{upstream};")

        a, b = (f"127.0.0.1:{self.ports['node_a']}", f"127.0.0.1:{self.ports['node_b']}")
        sites = "\n".join([render("portal_web", [a, b], self.ports["nginx"]),
                           render("portal_web_a", [a], self.ports["pin_a"]),
                           render("portal_web_b", [b], self.ports["pin_b"])])
        folder = self.base / "nginx"
        temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in
                         ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        user = "user root;\n" if os.geteuid() == 0 else ""  # the workers keep the caller's rights
        return (f"{user}daemon off;\nworker_processes 2;\npid {folder / 'nginx.pid'};\n"
                f"error_log {self.log('nginx-error')} warn;\n"
                "events { worker_connections 1024; }\n"
                "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
                f"    access_log {self.log('nginx-access')};\n    sendfile on;\n{temp}\n{sites}\n}}\n")

    def start_nginx(self):
        folder = self.base / "nginx"
        folder.mkdir(parents=True, exist_ok=True)
        conf = folder / "nginx.conf"
        conf.write_text(self.nginx_config(), encoding="utf-8")
        nginx = _nginx_binary()
        args = [nginx, "-c", str(conf), "-p", str(folder), "-e", str(self.log("nginx-error"))]
        test = subprocess.run([*args, "-t", "-q"], capture_output=True, text=True, timeout=30)
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t: {test.stderr}")
        proc = self._spawn("nginx", args, self.env)
        _wait("nginx", lambda: _http_ok(self.url + "/nginx-health"), 30, proc, self.log("nginx-error"))

    # --- the whole ---------------------------------------------------------------------------

    def start(self, prepare: tuple[int, int] | None = None):
        """Starts everything; ``prepare=(applicants, experts)`` also makes benchmarks/load.py's
        accounts (then read them with ``accounts()``)."""
        LOCK_FILE.touch(exist_ok=True)
        self._lock = open(LOCK_FILE, "w")  # held while the cluster runs
        until = time.monotonic() + 900
        while True:  # one cluster at a time on this machine: they share the database name and Redis dbs
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > until:
                    raise RuntimeError("another cluster run holds /tmp/portal-cluster.lock") from None
                time.sleep(1)
        if self.base.exists():
            subprocess.run(["rm", "-rf", str(self.base)], check=True)
        (self.base / "logs").mkdir(parents=True)
        try:
            self.started = time.monotonic()
            self.spawn_s3()
            self.reset_database_and_redis()
            self.start_s3()
            self.init()
            if prepare:  # accounts for the tests, made while the processes start
                self._prepare = subprocess.Popen(
                    [PY, str(ROOT / "benchmarks" / "load.py"), "prepare", "--applicants", str(prepare[0]),
                     "--experts", str(prepare[1])], cwd=ROOT, env=self.node_env("init"), stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, text=True)
            for node in "ab":
                self.start_web(node, wait=False)
            self.start_worker("render", "render", wait=False)
            self.start_worker("main", "mail,default", wait=False)
            self.start_beat()
            for node in "ab":
                self.wait_web(node)
            self.wait_worker("render")
            self.wait_worker("main")
            self.start_nginx()
            # Ready as a load balancer sees it: database, cache, broker, bucket and a worker answer.
            # (The worker ping waits READYZ_TIMEOUT, 2 s, for every worker to answer.)
            _wait("readiness (/readyz/ through nginx)", lambda: _http_ok(self.url + "/readyz/", timeout=15), 90)
            self.startup_seconds = time.monotonic() - self.started
        except BaseException:
            self.stop()
            raise
        return self

    def kill(self, name: str, sig=signal.SIGKILL):
        """Kills a part and all its processes (gunicorn's or Celery's children too) at once."""
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(30)

    def stop(self):
        if self._prepare is not None and self._prepare.poll() is None:
            self._prepare.kill()
            self._prepare.wait(30)
        for name in reversed(list(self.procs)):
            self.kill(name, signal.SIGTERM) if name != "nginx" else self.kill(name, signal.SIGQUIT)
        for name, proc in self.procs.items():
            if proc.poll() is None:
                self.kill(name, signal.SIGKILL)
        self.procs.clear()
        if self.own_database:
            admin = self.db_url.rsplit("/", 1)[0] + "/postgres"
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {self.db_name} WITH (FORCE)"],
                           capture_output=True, timeout=60)
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- helpers for tests and the load run --------------------------------------------------

    def accounts(self) -> list[list[str]]:
        """The plan of the accounts start(prepare=...) made: [kind, username, ...] per person."""
        out, err = self._prepare.communicate(timeout=600)
        if self._prepare.returncode != 0:
            raise RuntimeError(err[-3000:])
        return [line.split("\t") for line in out.strip().splitlines()]

    def prepare_accounts(self, applicants: int, experts: int) -> list[list[str]]:
        """benchmarks/load.py's accounts (demo data, applicants with drafts, experts with sheets)."""
        out = subprocess.run([PY, str(ROOT / "benchmarks" / "load.py"), "prepare", "--applicants", str(applicants),
                              "--experts", str(experts)], cwd=ROOT, env=self.node_env("init"), capture_output=True,
                             text=True, timeout=600)
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-3000:])
        return [line.split("\t") for line in out.stdout.strip().splitlines()]

    def lost_saves(self, acknowledged: dict) -> int:
        out = subprocess.run([PY, str(ROOT / "benchmarks" / "load.py"), "verify"], cwd=ROOT,
                             env=self.node_env("init"), input="\n".join(f"{k}\t{v}" for k, v in acknowledged.items()),
                             capture_output=True, text=True, timeout=300, check=True)
        return int(out.stdout.strip() or 0)

    def sql(self, query: str, *params):
        import psycopg

        with psycopg.connect(self.db_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            return conn.execute(query, params).fetchall()


# --- the paced load run through the proxy ---------------------------------------------------------


def session(base: str, source: str | None = None):
    """A requests session that keeps the portal's Secure cookies over the loopback's plain HTTP (as a
    browser does for 127.0.0.1), optionally from a given source address (127.0.0.0/8 is all ours)."""
    import requests
    from requests.adapters import HTTPAdapter

    class LoopbackSession(requests.Session):
        def send(self, request, **kwargs):
            response = super().send(request, **kwargs)
            for cookie in self.cookies:  # requests would not send a Secure cookie back over http://
                cookie.secure = False
            return response

    s = LoopbackSession()
    if source:
        class Bound(HTTPAdapter):
            def init_poolmanager(self, *args, **kwargs):
                kwargs["source_address"] = (source, 0)
                super().init_poolmanager(*args, **kwargs)

        s.mount("http://", Bound())
    return s


def sign_in(base: str, username: str, password: str = PASSWORD, source: str | None = None):
    """(session, status of the login POST): 302 signed in, 200 refused, 429 locked out."""
    s = session(base, source)
    s.get(f"{base}/accounts/login/", timeout=30)
    response = s.post(f"{base}/accounts/login/", allow_redirects=False, timeout=60, data={
        "username": username, "password": password, "csrfmiddlewaretoken": s.cookies["csrftoken"]})
    return s, response.status_code


def paced_load(cluster: Cluster, plan, seconds: float, think: float, during=None) -> dict:
    """benchmarks/load.py's applicant and expert loops through nginx, paced (``think`` s), for
    ``seconds``; ``during(elapsed)`` is called every 0.2 s from the main thread (to kill a node).
    Returns the figures: requests, p50/p95 (ms), errors, acknowledged saves, lost saves."""
    import functools
    import threading

    from benchmarks import load

    load.BASE = cluster.url
    load.THINK["seconds"] = think
    rec, last = load.Recorder(), {}
    people = []
    for kind, user, *rest in plan:
        s, status = sign_in(cluster.url, user)
        assert status == 302, f"sign-in {user}: {status}"
        people.append((kind, s, rest))
    until = time.monotonic() + seconds
    threads = []
    for kind, s, rest in people:
        if kind == "applicant":
            target = functools.partial(load.applicant_loop, last=last)
            args = (s, rest[0], rest[1], rest[2], until, rec)
        else:
            target = functools.partial(load.expert_loop, last=last)
            args = (s, rest[1].split(","), rest[0], until, rec)
        threads.append(threading.Thread(target=target, args=args, daemon=True))
    started = time.monotonic()
    for t in threads:
        t.start()
    while time.monotonic() < until:
        if during is not None:
            during(time.monotonic() - started)
        time.sleep(0.2)
    for t in threads:
        t.join(seconds + 60)
    lat = sorted(rec.latencies)
    pct = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else (lambda q: 0.0)
    return {"requests": len(lat) + len([e for e in rec.errors if "HTTP" not in e]), "answered": len(lat),
            "p50": pct(0.5), "p95": pct(0.95), "rate": len(lat) / seconds, "errors": list(rec.errors),
            "saves": len(last), "lost": cluster.lost_saves(last)}


def report(figures: dict, label: str) -> str:
    return (f"{label}: {figures['answered']} answered ({figures['rate']:.1f} req/s), p50 {figures['p50']:.0f} ms, "
            f"p95 {figures['p95']:.0f} ms, failed requests {len(figures['errors'])}, "
            f"saves acknowledged {figures['saves']}, lost saves {figures['lost']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--applicants", type=int, default=50)
    parser.add_argument("--experts", type=int, default=5)
    parser.add_argument("--think", type=float, default=5.0)
    parser.add_argument("--serve", action="store_true", help="keep the cluster up until Ctrl-C")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    missing = missing_parts()
    if missing:
        print("missing:", ", ".join(missing))
        return 1
    cluster = Cluster()
    cluster.start(prepare=None if args.serve else (args.applicants, args.experts))
    try:
        print(f"cluster up in {cluster.startup_seconds:.0f} s: nginx {cluster.url} → nodes "
              f"{cluster.nodes['a']}, {cluster.nodes['b']}; S3 http://{cluster.s3}; logs {cluster.base / 'logs'}")
        if args.serve:
            print("Ctrl-C stops it.")
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
            return 0
        plan = cluster.accounts()
        figures = paced_load(cluster, plan, args.seconds, args.think)
        print(f"paced load through nginx, 2 web nodes × {cluster.web_workers} gunicorn workers, "
              f"{args.applicants} applicants + {args.experts} experts, think {args.think:g} s, {args.seconds} s")
        print(report(figures, "RESULT"))
        for line in figures["errors"][:10]:
            print("  error:", line)
        return 0 if not figures["errors"] and figures["lost"] == 0 else 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
