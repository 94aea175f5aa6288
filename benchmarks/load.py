"""`make load`: people at their own pace (each pauses 2.5–7.5 s after every page and save, an
applicant's form autosaves while they edit) against gunicorn + PostgreSQL + Redis on this machine,
with this generator on the same cores; a ramp finds the largest crowd served within the goal.

    .venv/bin/python benchmarks/load.py --ramp 100,150,200,250,300,350,400   (what `make load` runs)
    .venv/bin/python benchmarks/load.py [--seconds 60] [--applicants 50] [--experts 5] [--think 5]
    .venv/bin/python benchmarks/load.py --think 0 …                          (the capacity mode: no pauses)

It creates a fresh database (LOAD_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portal_load),
migrates it, prepares the accounts (``prepare``, in a child process) and a signed-in session for
each (``sessions``), starts gunicorn on 127.0.0.1:8765 with Redis for cache and sessions
(LOAD_REDIS_URL, database 7, flushed first; --no-redis for none).

--ramp N1,N2,…: one step of --step-seconds (45) per crowd size, one expert per 15 applicants,
until a step has p95 > 300 ms, an error or a lost save (a save the server acknowledged whose text
is not in the database); then --bisect (1) step between the last pass and the failure. It prints
``capacity: N people (p95 X ms, 0 errors, 0 lost saves)`` and then what each kind of request
costs alone (CPU per request of the gunicorn workers, and with PostgreSQL and Redis, which other
users of a shared machine also load), as ratios to the signed-in floor (the notification list).
Goal (issue 16): >= 300 people.

Without --ramp: one run of --applicants and --experts for --seconds, then the notification list
and the minimal view (/healthz/) as references. Every loop is bounded in time; traffic goes to
the loopback address only. The load average is printed before and after: on a shared machine,
compare figures from the same run only.
"""

import argparse
import functools
import html
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "load-test-2026"


_TAG = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.I)
_ATTR = re.compile(r'([:\w-]+)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s>]+)))?')
_OPTION = re.compile(r"<option\b([^>]*)>", re.I)


def _attrs(text: str) -> dict:
    return {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(text)}


def scrape(page: str, form_id: str) -> list[list[str]]:
    """The fields of ``<form id=form_id>`` as a browser would post them (submit buttons, file
    inputs and unticked boxes left out; controls outside the form that name it with form= kept).

    Regular expressions over the page rather than an HTML parser: the load generator shares the
    machine's two cores with the server, and html.parser costs it ~13 ms per form page. The
    pages are the portal's own (well-formed, no nested forms); tests/system/test_load_scrape.py checks
    this against html.parser on the real pages."""
    begin = page.find(f'<form id="{form_id}"')
    end = page.find("</form>", begin) if begin >= 0 else -1
    fields = []
    for m in _TAG.finditer(page):
        inside = begin <= m.start() < end
        a = _attrs(m.group(2))
        if not (inside or a.get("form") == form_id) or "name" not in a:
            continue
        tag, name = m.group(1).lower(), a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                continue
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append([name, a.get("value", "on")])
                continue
            fields.append([name, a.get("value", "")])
        elif tag == "textarea":
            close = page.find("</textarea>", m.end())
            text = page[m.end():close]
            # A newline straight after <textarea> is not part of the value (HTML parsing rules).
            if text.startswith("\n"):
                text = text[1:]
            fields.append([name, html.unescape(text)])
        else:
            close = page.find("</select>", m.end())
            options = [_attrs(o.group(1)) for o in _OPTION.finditer(page, m.end(), close)]
            # With nothing selected a browser sends the first option.
            chosen = next((o for o in options if "selected" in o), options[0] if options else None)
            if chosen is not None:
                fields.append([name, chosen.get("value", "")])
    return fields


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies, self.errors = [], []
        self.by_kind = {}  # "GET form page" → [seconds]

    def request(self, session, method, url, kind="", **kwargs):
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
            self.by_kind.setdefault(f"{method} {kind}", []).append(elapsed)
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


THINK = {"seconds": 0.0}  # --think: a person's pause after each page and each save (0: none)


def pause(until, low=0.5, high=1.5) -> bool:
    """Think time, uniformly low–high × --think. False when the phase ends first: the person stops
    there (rather than everyone's next request firing together at the end of the phase)."""
    if THINK["seconds"] <= 0:
        return True
    wait = random.uniform(low, high) * THINK["seconds"]
    if time.monotonic() + wait >= until:
        time.sleep(max(0.0, until - time.monotonic()))
        return False
    time.sleep(wait)
    return True


def arrive(until) -> bool:
    """With think time, people start at random moments of the first pause (a ramp, as locust's
    spawn rate), not all in the same millisecond."""
    return pause(until, 0.0, 1.0)


AUTOSAVE = {"every": 20.0}  # --autosave-every: seconds of a person's editing between two background saves


def edit(session, path, field, tag, until, rec, last, state) -> bool:
    """The pause between opening the form and pressing 保存草稿 is editing: the page's autosave
    (application-form.js) sends the changed field once per AUTOSAVE["every"] s of it, counted over
    the person's whole session, with the version the last answer gave. False when the phase ends."""
    if THINK["seconds"] <= 0:
        return True
    left = random.uniform(0.5, 1.5) * THINK["seconds"]
    while left > 0:
        step = min(left, AUTOSAVE["every"] - state["clock"])
        if time.monotonic() + step >= until:
            time.sleep(max(0.0, until - time.monotonic()))
            return False
        time.sleep(step)
        left -= step
        state["clock"] += step
        if state["clock"] >= AUTOSAVE["every"]:
            state["clock"], state["autosaves"] = 0.0, state["autosaves"] + 1
            value = f"{tag} 第{state['saves'] + 1}次保存前的自动保存{state['autosaves']}"
            answer = rec.request(session, "POST", f"{BASE}{path}autosave/", kind="autosave", data={
                "csrfmiddlewaretoken": state["csrf"], "lock_version": state["lock"], field: value},
                headers={"Referer": BASE + path, "X-Requested-With": "XMLHttpRequest"})
            if answer is not None and answer.status_code == 200:
                state["lock"] = str(answer.json()["lock_version"])
                last[tag] = value
    return True


def applicant_loop(session, path, field, tag, until, rec, last):
    n = 0
    state = {"clock": random.uniform(0, AUTOSAVE["every"]), "autosaves": 0, "saves": 0}
    if not arrive(until):
        return
    while time.monotonic() < until:
        page = rec.request(session, "GET", BASE + path, kind="application form")
        if page is None or page.status_code != 200:
            continue
        fields = scrape(page.text, "application-form")
        values = dict(fields)
        state.update(lock=values.get("lock_version", ""), csrf=values.get("csrfmiddlewaretoken", ""), saves=n)
        if not edit(session, path, field, tag, until, rec, last, state):
            return
        n += 1
        value = f"{tag} 第{n}次保存"
        # The form carries the version its autosaves moved it to.
        data = [(k, value if k == field else state["lock"] if k == "lock_version" else v) for k, v in fields]
        saved = rec.request(session, "POST", BASE + path, kind="application form", data=data,
                            headers={"Referer": BASE + path})
        if saved is not None and saved.status_code == 302:
            last[tag] = value
        if not pause(until):
            return


def expert_loop(session, paths, tag, until, rec, last):
    n = 0
    if not arrive(until):
        return
    while time.monotonic() < until:
        for path in paths:
            page = rec.request(session, "GET", BASE + path, kind="score sheet")
            if page is None or page.status_code != 200:
                continue
            n += 1
            value = f"{tag} 第{n}次评分"
            data = [(k, value if k == "overall_comment" else v) for k, v in scrape(page.text, "score-form")]
            data.append(("action", "save"))
            if not pause(until):
                return
            saved = rec.request(session, "POST", BASE + path, kind="score sheet", data=data,
                                headers={"Referer": BASE + path})
            if saved is not None and saved.status_code == 302:
                last[f"{tag}:{path}"] = value
            if not pause(until):
                return


def page_loop(path):
    def loop(session, until, rec):
        while time.monotonic() < until:
            rec.request(session, "GET", BASE + path)
    return loop


TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """Seconds of CPU (user + system) a process has used, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _pids(pattern: str) -> list[int]:
    out = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in out]


class CpuMeter:
    """CPU used during a phase by the gunicorn workers, PostgreSQL, Redis and this generator:
    where the machine's two cores went, per request."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid

    def snapshot(self) -> dict:
        """{group: {pid: CPU seconds}}; the generator is this process."""
        workers = [int(p) for p in Path(f"/proc/{self.server_pid}/task/{self.server_pid}/children")
                   .read_text().split()]
        return {
            "gunicorn": {p: _cpu(p) for p in workers + [self.server_pid]},
            "postgres": {p: _cpu(p) for p in _pids("^postgres")},
            "redis": {p: _cpu(p) for p in _pids("^redis-server")},
            "generator": {0: time.process_time()},
        }

    @staticmethod
    def per_request(before: dict, after: dict, requests_done: int) -> dict:
        """Milliseconds per request by group, over the processes alive at the end of the phase (a
        process started during it counts whole; one that ended during it is not counted)."""
        n = max(requests_done, 1)
        return {group: sum(cpu - before[group].get(pid, 0.0) for pid, cpu in after[group].items()) * 1000 / n
                for group in before}


def phase(name, sessions, target_for, seconds, meter):
    """Runs one loop per session for ``seconds``; prints and returns its figures."""
    rec = Recorder()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=fn, args=(*a, until, rec), daemon=True)
               for fn, a in (target_for(kind, session, rest) for kind, session, rest in sessions)]
    before = meter.snapshot()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    cpu = meter.per_request(before, meter.snapshot(), len(rec.latencies))
    lat = sorted(rec.latencies)
    p = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else (lambda q: 0)
    rate = len(lat) / seconds
    print(f"{name:<26} {len(lat):>6} req {rate:>7.1f} req/s  p50 {p(0.5):>6.1f} ms  p95 {p(0.95):>6.1f} ms  "
          f"errors {len(rec.errors)}")
    if len(rec.by_kind) > 1:
        for kind, times in sorted(rec.by_kind.items()):
            times.sort()
            print(f"{'':<26}   {kind:<24} {len(times):>6} req  p50 {times[len(times) // 2] * 1000:>6.1f} ms  "
                  f"p95 {times[min(len(times) - 1, int(0.95 * len(times)))] * 1000:>6.1f} ms")
    print(f"{'':<26} CPU per request: gunicorn {cpu['gunicorn']:.1f} ms, PostgreSQL {cpu['postgres']:.1f} ms, "
          f"Redis {cpu['redis']:.1f} ms, generator {cpu['generator']:.1f} ms")
    return {"rate": rate, "p95": p(0.95), "errors": rec.errors, "cpu": cpu}


def experts_for(people: int) -> int:
    """The ramp's mix: one expert for every 15 applicants (150 + 10 in the first paced figures)."""
    return max(1, people // 16)


def _start(args, applicants, experts):
    """A fresh database with the accounts, gunicorn on it, and a signed-in session per person:
    (env, plan rows with their sessions, the server process)."""
    env = dict(os.environ, DATABASE_URL=args.database_url, DEBUG="false", ALLOWED_HOSTS="127.0.0.1",
               DB_CONN_MAX_AGE="60", LOG_LEVEL="WARNING")
    if args.no_redis:
        env.pop("REDIS_URL", None)
    else:  # as deployed: Redis for the cache and the sessions (a database of its own, flushed first)
        env["REDIS_URL"] = args.redis_url
        subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], check=True, capture_output=True)
    db_name = args.database_url.rsplit("/", 1)[1]
    admin_url = args.database_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {db_name}"], check=True)
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {db_name}"], check=True)
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([py, __file__, "prepare", "--applicants", str(applicants), "--experts",
                          str(experts)], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    plan = [line.split("\t") for line in out.stdout.strip().splitlines()]
    out = subprocess.run([py, __file__, "sessions"], cwd=ROOT, env=env, check=True, capture_output=True, text=True,
                         input="\n".join(row[1] for row in plan))
    cookie, *keys = out.stdout.strip().splitlines()
    server = subprocess.Popen([str(Path(py).parent / "gunicorn"), "portal.wsgi:application", "-b", f"127.0.0.1:{PORT}",
                               "-w", str(args.workers), "--log-level", "warning"], cwd=ROOT, env=env,
                              start_new_session=True)
    for _ in range(100):
        try:
            requests.get(f"{BASE}/healthz/", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.2)
    sessions = []
    for (kind, user, *rest), line in zip(plan, keys, strict=True):
        username, key = line.split("\t")
        assert username == user, (username, user)
        session = requests.Session()
        session.cookies.set(cookie, key)
        sessions.append((kind, session, rest))
    return env, sessions, server


def _stop(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(20)


def _lost(env, last) -> int:
    check = subprocess.run([sys.executable, __file__, "verify"], cwd=ROOT, env=env, input="\n".join(
        f"{k}\t{v}" for k, v in last.items()), capture_output=True, text=True, check=True)
    return int(check.stdout.strip() or 0)


def _scenario(last):
    def target(kind, session, rest):  # each loop records its last acknowledged save in ``last``
        if kind == "applicant":
            return functools.partial(applicant_loop, last=last), (session, rest[0], rest[1], rest[2])
        return functools.partial(expert_loop, last=last), (session, rest[1].split(","), rest[0])
    return target


def run(args):
    env, sessions, server = _start(args, args.applicants, args.experts)
    last = {}
    try:
        meter = CpuMeter(server.pid)
        think = f"{THINK['seconds']:g} s" if THINK["seconds"] else "none"
        print(f"gunicorn {args.workers} workers, Redis {'off' if args.no_redis else 'on'}; "
              f"{args.applicants} applicants, {args.experts} experts, think time {think}; "
              f"load average before {_loadavg()}")
        main = phase(f"scenario ({args.seconds} s)", sessions, _scenario(last), args.seconds, meter)
        signed_in = phase("signed-in page (reference)", sessions,
                          lambda k, s, r: (page_loop("/notifications/"), (s,)), args.ceiling_seconds, meter)
        ceiling = phase("minimal view (ceiling)", sessions,
                        lambda k, s, r: (page_loop("/healthz/"), (s,)), args.ceiling_seconds, meter)
    finally:
        _stop(server)
    lost = _lost(env, last)
    rate, p95 = main["rate"], main["p95"]
    print(f"saves acknowledged {len(last)} (last per form), lost saves {lost}")
    print(f"throughput ratio {rate / ceiling['rate']:.0%} of the minimal view; p95 {p95:.0f} ms (goal <= 300); "
          f"the signed-in reference page reaches {signed_in['rate'] / ceiling['rate']:.0%}")
    for line in (main["errors"] + signed_in["errors"] + ceiling["errors"])[:10]:
        print("  error:", line)
    ok = not main["errors"] and lost == 0 and p95 <= 300
    print("RESULT:", "0 errors, 0 lost saves, p95 <= 300 ms" if ok else "errors, lost saves or p95 > 300 ms")
    return 0


def _loadavg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def ramp(args):
    """Paced people, step after step, until p95 > 300 ms, an error or a lost save; then the capacity
    line, and what each kind of request costs the server beside the signed-in floor."""
    steps = sorted({int(n) for n in args.ramp.split(",")})
    top = max(steps)
    env, sessions, server = _start(args, top - experts_for(top), experts_for(top))
    applicants = [s for s in sessions if s[0] == "applicant"]
    experts = [s for s in sessions if s[0] == "expert"]
    last, passed, failed, results = {}, None, None, []
    started = time.monotonic()
    try:
        meter = CpuMeter(server.pid)
        print(f"gunicorn {args.workers} workers, Redis {'off' if args.no_redis else 'on'}; paced: each person pauses "
              f"{THINK['seconds'] / 2:g}–{THINK['seconds'] * 1.5:g} s after every page and save, an applicant "
              f"autosaves every {AUTOSAVE['every']:g} s of editing; {args.step_seconds} s a step; "
              f"load average before {_loadavg()}")
        # Every worker has read its templates and opened its connections before the first step.
        cost_by_kind(applicants, experts, meter, 1.0, 1, threads=4)
        queue = list(steps)
        while queue:
            people = queue.pop(0)
            n_exp = experts_for(people)
            crowd = applicants[:people - n_exp] + experts[:n_exp]
            result = phase(f"{people} people ({people - n_exp}+{n_exp})", crowd, _scenario(last),
                           args.step_seconds, meter)
            result["lost"] = _lost(env, last)
            ok = not result["errors"] and result["lost"] == 0 and result["p95"] <= 300
            print(f"{'':<26} lost saves {result['lost']} of {len(last)}; load average {_loadavg()} → "
                  f"{'pass' if ok else 'FAIL'}")
            for line in result["errors"][:3]:
                print("  error:", line)
            results.append((people, ok, result))
            if ok:
                passed = (people, result)
                continue
            failed = people
            queue = []
            low = passed[0] if passed else 0
            if args.bisect and failed - low > 20:  # one step between the last pass and the failure
                args.bisect -= 1
                queue = [int(round((low + failed) / 2, -1))]
        print(f"(ramp {time.monotonic() - started:.0f} s)")
        costs = cost_by_kind(applicants, experts, meter, args.cost_seconds, args.cost_rounds)
    finally:
        _stop(server)
    if passed:
        people, result = passed
        print(f"capacity: {people} people (p95 {result['p95']:.0f} ms, 0 errors, 0 lost saves)"
              + (f"; {failed} people failed" if failed else f"; the ramp ({top}) did not reach the limit"))
    else:
        print(f"capacity: fewer than {min(people for people, _ok, _r in results)} people (every step failed)")
    _print_costs(costs)
    return 0


def _fixed_post(session, path, form_id, changed, value, extra=()):
    """A POST of the form as last shown, saved again and again: the lock version moves by one with
    each acknowledged save, so no GET is needed between them (a GET would be counted in the phase)."""
    page = session.get(BASE + path, timeout=30)
    fields = scrape(page.text, form_id)
    state = {"lock": dict(fields).get("lock_version", "0"), "n": 0}

    def send(rec):
        state["n"] += 1
        data = [(k, f"{value}{state['n']}" if k == changed else state["lock"] if k == "lock_version" else v)
                for k, v in fields] + list(extra)
        answer = rec.request(session, "POST", BASE + path, data=data, headers={"Referer": BASE + path})
        if answer is not None and answer.status_code == 302:
            state["lock"] = str(int(state["lock"]) + 1)
    return send


def _autosave(session, path, field):
    page = session.get(BASE + path, timeout=30)
    values = dict(scrape(page.text, "application-form"))
    state = {"lock": values.get("lock_version", "0"), "n": 0}

    def send(rec):
        state["n"] += 1
        answer = rec.request(session, "POST", f"{BASE}{path}autosave/", data={
            "csrfmiddlewaretoken": values.get("csrfmiddlewaretoken", ""), "lock_version": state["lock"],
            field: f"单项自动保存{state['n']}"},
            headers={"Referer": BASE + path, "X-Requested-With": "XMLHttpRequest"})
        if answer is not None and answer.status_code == 200:
            state["lock"] = str(answer.json()["lock_version"])
    return send


def _get(session, path):
    return lambda rec: rec.request(session, "GET", BASE + path)


COST_KINDS = {  # kind → (who, how to make one thread's request function)
    "floor: GET /notifications/": ("applicant", lambda s, r: _get(s, "/notifications/")),
    "GET application form": ("applicant", lambda s, r: _get(s, r[0])),
    "POST application form (save)": ("applicant", lambda s, r: _fixed_post(
        s, r[0], "application-form", r[1], "整表保存")),
    "POST autosave (one field)": ("applicant", lambda s, r: _autosave(s, r[0], r[1])),
    "GET score sheet": ("expert", lambda s, r: _get(s, r[1].split(",")[0])),
    "POST score sheet (save)": ("expert", lambda s, r: _fixed_post(
        s, r[1].split(",")[0], "score-form", "overall_comment", "评分保存", [("action", "save")])),
    "GET /healthz/ (ceiling)": ("applicant", lambda s, r: _get(s, "/healthz/")),
}


SPREAD = {"POST autosave (one field)": 30}  # kind → people per thread


def _round_robin(senders):
    turn = {"n": 0}

    def send(rec):
        turn["n"] += 1
        senders[turn["n"] % len(senders)](rec)
    return send


def cost_by_kind(applicants, experts, meter, seconds, rounds, threads=2) -> dict:
    """Each kind of request alone, back to back from ``threads`` people (capacity mode), for
    ``seconds``; the kinds interleaved, ``rounds`` times: CPU per request by process group."""
    found = {kind: [] for kind in COST_KINDS}
    for _round in range(rounds):
        for i, (kind, (who, make)) in enumerate(COST_KINDS.items()):
            people = (applicants if who == "applicant" else experts)
            # Fresh people each round (a form saved by two threads at once would conflict).
            chosen = [people[(i * threads + _round * threads * len(COST_KINDS) + t) % len(people)]
                      for t in range(min(threads, len(people)))]
            senders = [make(session, rest) for _k, session, rest in chosen]
            if kind in SPREAD:  # one person's autosaves are limited (40 a minute): each thread goes round many
                pool = [make(session, rest) for _k, session, rest in people[:SPREAD[kind] * threads]]
                senders = [_round_robin(pool[t::threads]) for t in range(threads)]
            rec = Recorder()
            until = time.monotonic() + seconds

            def loop(send, rec=rec, until=until):
                while time.monotonic() < until:
                    send(rec)

            workers = [threading.Thread(target=loop, args=(send,), daemon=True) for send in senders]
            before = meter.snapshot()
            for t in workers:
                t.start()
            for t in workers:
                t.join(seconds + 60)
            cpu = meter.per_request(before, meter.snapshot(), len(rec.latencies))
            found[kind].append({**cpu, "n": len(rec.latencies), "errors": len(rec.errors),
                                "first_error": rec.errors[0] if rec.errors else ""})
    return found


def _print_costs(costs):
    import statistics

    def median(kind, key):
        return statistics.median(run[key] for run in costs[kind])

    floor = "floor: GET /notifications/"
    floor_app = median(floor, "gunicorn")
    floor_all = statistics.median(r["gunicorn"] + r["postgres"] + r["redis"] for r in costs[floor])
    rounds = len(costs[floor])
    print(f"CPU per request by kind (each alone, 2 people back to back, median of {rounds} interleaved rounds; "
          f"load average {_loadavg()}):")
    print(f"  {'kind':<30} {'requests':>8} {'gunicorn':>9} {'× floor':>8} {'+PG+Redis':>10} {'× floor':>8} "
          f"{'errors':>6}")
    for kind, runs in costs.items():
        app = median(kind, "gunicorn")
        server = statistics.median(r["gunicorn"] + r["postgres"] + r["redis"] for r in runs)
        errors = sum(r["errors"] for r in runs)
        print(f"  {kind:<30} {sum(r['n'] for r in runs):>8} {app:>7.1f}ms {app / floor_app:>8.2f} "
              f"{server:>8.1f}ms {server / floor_all:>8.2f} {errors:>6}")
        if errors:
            print(f"  {'':<30} first error: {next(r['first_error'] for r in runs if r['errors'])}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", nargs="?", default="run", choices=["run", "prepare", "sessions", "verify"])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--ceiling-seconds", type=int, default=15)
    parser.add_argument("--applicants", type=int, default=50)
    parser.add_argument("--experts", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--think", type=float, default=5.0,
                        help="a person pauses 0.5–1.5 × this many seconds after each page and save "
                             "(default 5: 2.5–7.5 s, people's pace; 0: no pause, the capacity mode)")
    parser.add_argument("--autosave-every", type=float, default=20.0,
                        help="with --think: seconds of an applicant's editing between two autosaves (default 20)")
    parser.add_argument("--ramp", help="people per step, e.g. 100,150,200,250,300,350,400: steps until one fails "
                                       "(p95 > 300 ms, an error or a lost save), then the capacity line")
    parser.add_argument("--step-seconds", type=int, default=45, help="with --ramp: seconds a step (default 45)")
    parser.add_argument("--bisect", type=int, default=1,
                        help="with --ramp: steps tried between the last pass and the failure (default 1)")
    parser.add_argument("--cost-seconds", type=float, default=4.0,
                        help="with --ramp: seconds of each kind of request alone, for its CPU (default 4)")
    parser.add_argument("--cost-rounds", type=int, default=3, help="with --ramp: rounds of those (default 3)")
    parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--database-url", default=os.environ.get(
        "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_load"))
    args = parser.parse_args()
    if args.command == "run":
        THINK["seconds"] = args.think
        AUTOSAVE["every"] = args.autosave_every
        return ramp(args) if args.ramp else run(args)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings

    from benchmarks import load_data

    if args.command == "prepare":
        for row in load_data.prepare(args.applicants, args.experts, PASSWORD):
            print("\t".join(row))
    elif args.command == "sessions":
        print(settings.SESSION_COOKIE_NAME)
        for username, key in load_data.sessions(sys.stdin.read().split()):
            print(f"{username}\t{key}")
    else:
        print(load_data.lost_saves([line.split("\t", 1) for line in sys.stdin.read().splitlines() if line]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
