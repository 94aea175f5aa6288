"""`make load`: 50 applicants opening and saving drafts and 5 experts scoring, for 60 s, against
gunicorn + PostgreSQL on this machine; then the same server's throughput on a minimal view.

    .venv/bin/python benchmarks/load.py [--seconds 60] [--applicants 50] [--experts 5]

It creates a fresh database (LOAD_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portal_load),
migrates it, prepares the accounts (``prepare``, in a child process), starts gunicorn on
127.0.0.1:8765, signs everyone in, runs the scenario and prints throughput, p50/p95 latency,
errors and lost saves (a save the server acknowledged whose text is not in the database at the
end). Traffic goes to the loopback address only; every loop is bounded in time.
Goal: 0 errors, 0 lost saves, p95 <= 300 ms, throughput >= 40% of the minimal view's.
"""

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "load-test-2026"


class FormScraper(HTMLParser):
    """The fields of one <form id=…> as a browser would post them (first submit button ignored)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields, self._textarea, self._select = form_id, False, [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id if self.form_id else "csrfmiddlewaretoken" not in str(a)
        if not self.inside and not (a.get("form") == self.form_id and self.form_id):
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append([name, a.get("value", "on" if a.get("type") == "checkbox" else "")])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = [name, None, None]
        elif tag == "option" and self._select is not None:
            if self._select[2] is None:
                self._select[2] = a.get("value", "")
            if "selected" in a:
                self._select[1] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, chosen, _first = self._select
            if chosen is not None:
                self.fields.append([name, chosen])
            self._select = None


def scrape(html: str, form_id: str) -> list[list[str]]:
    parser = FormScraper(form_id)
    parser.feed(html)
    return parser.fields


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies, self.errors = [], []

    def request(self, session, method, url, **kwargs):
        started = time.perf_counter()
        try:
            response = session.request(method, url, allow_redirects=False, timeout=30, **kwargs)
        except requests.RequestException as error:
            with self.lock:
                self.errors.append(f"{method} {url}: {error}")
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies.append(elapsed)
            if response.status_code >= 400:
                self.errors.append(f"{method} {url}: HTTP {response.status_code}")
        return response


def sign_in(username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{BASE}/accounts/login/", timeout=30)
    token = session.cookies["csrftoken"]
    response = session.post(f"{BASE}/accounts/login/", timeout=60, allow_redirects=False, data={
        "username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302, f"login {username}: {response.status_code}"
    return session


def applicant_loop(session, path, field, tag, until, rec, last):
    n = 0
    while time.monotonic() < until:
        page = rec.request(session, "GET", BASE + path)
        if page is None or page.status_code != 200:
            continue
        fields = scrape(page.text, "application-form")
        n += 1
        value = f"{tag} 第{n}次保存"
        data = [(k, value if k == field else v) for k, v in fields]
        saved = rec.request(session, "POST", BASE + path, data=data, headers={"Referer": BASE + path})
        if saved is not None and saved.status_code == 302:
            last[tag] = value


def expert_loop(session, paths, tag, until, rec, last):
    n = 0
    while time.monotonic() < until:
        for path in paths:
            page = rec.request(session, "GET", BASE + path)
            if page is None or page.status_code != 200:
                continue
            n += 1
            value = f"{tag} 第{n}次评分"
            data = [(k, value if k == "overall_comment" else v) for k, v in scrape(page.text, "score-form")]
            data.append(("action", "save"))
            saved = rec.request(session, "POST", BASE + path, data=data, headers={"Referer": BASE + path})
            if saved is not None and saved.status_code == 302:
                last[f"{tag}:{path}"] = value


def minimal_loop(session, until, rec):
    while time.monotonic() < until:
        rec.request(session, "GET", f"{BASE}/healthz/")


def summarise(name, rec, seconds):
    lat = sorted(rec.latencies)
    p = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else (lambda q: 0)
    rate = len(lat) / seconds
    print(f"{name:<22} {len(lat):>7} req  {rate:>8.1f} req/s  p50 {p(0.5):>6.1f} ms  p95 {p(0.95):>6.1f} ms  "
          f"errors {len(rec.errors)}")
    return rate, p(0.95)


def run(args):
    env = dict(os.environ, DATABASE_URL=args.database_url, DEBUG="false", ALLOWED_HOSTS="127.0.0.1",
               DB_CONN_MAX_AGE="60", LOG_LEVEL="WARNING")
    env.pop("REDIS_URL", None) if args.no_redis else None
    db_name = args.database_url.rsplit("/", 1)[1]
    admin_url = args.database_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {db_name}"], check=True)
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {db_name}"], check=True)
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([py, __file__, "prepare", "--applicants", str(args.applicants), "--experts",
                          str(args.experts)], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    plan = [line.split("\t") for line in out.stdout.strip().splitlines()]
    workers = str(args.workers)
    server = subprocess.Popen([str(Path(py).parent / "gunicorn"), "portal.wsgi:application", "-b", f"127.0.0.1:{PORT}",
                               "-w", workers, "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True)
    try:
        for _ in range(100):
            try:
                requests.get(f"{BASE}/healthz/", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        sessions = [(kind, sign_in(user), rest) for kind, user, *rest in plan]
        print(f"gunicorn {workers} workers; {args.applicants} applicants, {args.experts} experts, {args.seconds} s")
        rec, last = Recorder(), {}
        until = time.monotonic() + args.seconds
        threads = []
        for kind, session, rest in sessions:
            if kind == "applicant":
                target = (applicant_loop, (session, rest[0], rest[1], rest[2], until, rec, last))
            else:
                target = (expert_loop, (session, rest[1].split(","), rest[0], until, rec, last))
            threads.append(threading.Thread(target=target[0], args=target[1], daemon=True))
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.seconds + 60)
        rate, p95 = summarise("scenario", rec, args.seconds)
        floor = Recorder()
        until = time.monotonic() + args.ceiling_seconds
        threads = [threading.Thread(target=minimal_loop, args=(s, until, floor), daemon=True) for _k, s, _r in sessions]
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.ceiling_seconds + 60)
        ceiling, _ = summarise("minimal view (ceiling)", floor, args.ceiling_seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
    check = subprocess.run([py, __file__, "verify"], cwd=ROOT, env=env, input="\n".join(
        f"{k}\t{v}" for k, v in last.items()), capture_output=True, text=True, check=True)
    lost = int(check.stdout.strip() or 0)
    print(f"saves acknowledged {len(last)} (last per form), lost saves {lost}")
    print(f"throughput ratio {rate / ceiling:.0%} of the minimal view (goal >= 40%); p95 {p95:.0f} ms (goal <= 300)")
    for line in rec.errors[:10]:
        print("  error:", line)
    ok = not rec.errors and lost == 0 and p95 <= 300 and rate >= 0.4 * ceiling
    print("RESULT:", "goal met" if ok else "goal NOT met")
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", nargs="?", default="run", choices=["run", "prepare", "verify"])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--ceiling-seconds", type=int, default=15)
    parser.add_argument("--applicants", type=int, default=50)
    parser.add_argument("--experts", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get(
        "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_load"))
    args = parser.parse_args()
    if args.command == "run":
        return run(args)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from benchmarks import load_data

    if args.command == "prepare":
        for row in load_data.prepare(args.applicants, args.experts, PASSWORD):
            print("\t".join(row))
    else:
        print(load_data.lost_saves([line.split("\t", 1) for line in sys.stdin.read().splitlines() if line]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
