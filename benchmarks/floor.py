"""The form pages beside the signed-in floor, in one run: Table A.1 and the expert's score sheet,
each opened (GET) and saved (POST 保存草稿), against the notification list (issue 16, goal 2).

    .venv/bin/python benchmarks/floor.py [--runs 60] [--crispy] [--profile sheet|sheet-save|form|form-save]

A throw-away SQLite database under var/ (or --database-url, PostgreSQL, with --redis-url) with the load test's data
(benchmarks/load_data.prepare: the demo seed, one applicant's draft, one expert's two assignments
on Table B.1); Django's test client, DEBUG off. The five requests run interleaved, round after
round, so that the shared machine's noise hits them alike; each is timed in CPU seconds of this
process (the server's share: the client's own work is the same few steps for every request) and in
wall time. Prints the medians and each request's ratio to the floor. Goal: ≤ 3× the floor each.
``--crispy`` adds both GETs rendered as before portal.templatetags.fastfields (crispy's
``|as_crispy_field`` / ``|as_crispy_errors`` and Django's widget templates; the same page templates),
interleaved with the rest, and prints fastfields' saving (issue 15 item 9).
``--profile`` prints a pyinstrument profile of one request (pyinstrument is not a project dependency).
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL = 3.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--crispy", action="store_true",
                        help="also time both GETs rendered with crispy instead of fastfields")
    parser.add_argument("--profile", choices=["sheet", "sheet-save", "form", "form-save", "floor"])
    parser.add_argument("--database-url", help="a PostgreSQL database to (re)create and use, as deployed "
                                               "(e.g. postgres://postgres@127.0.0.1:5432/portal_floor); default SQLite")
    parser.add_argument("--redis-url", help="Redis for the cache and sessions, as deployed (its database is flushed)")
    args = parser.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="bench-floor-", dir=ROOT / "var" if (ROOT / "var").exists() else None)
    try:
        return measure(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _requests(client, applicant_path, sheet_path):
    """name → a function returning (method, URL, data, expected status); inputs are built untimed
    from the page as the person last saw it (load.scrape, as the load test posts them)."""
    from benchmarks.load import scrape

    def page(path, form_id):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return scrape(response.content.decode(), form_id)

    def form_save(n):
        fields = page(applicant_path, "application-form")
        data = {}
        for k, v in fields:
            data.setdefault(k, []).append(f"基准测试保存{n}" if k == "background" else v)
        return "post", applicant_path, data, 302

    def sheet_save(n):
        fields = page(sheet_path, "score-form")
        data = {}
        for k, v in fields:
            data.setdefault(k, []).append(f"基准测试评分{n}" if k == "overall_comment" else v)
        data["action"] = ["save"]
        return "post", sheet_path, data, 302

    return {
        "floor: notifications": lambda n: ("get", "/notifications/", None, 200),
        "Table A.1 form GET": lambda n: ("get", applicant_path, None, 200),
        "Table A.1 form save": form_save,
        "score sheet GET": lambda n: ("get", sheet_path, None, 200),
        "score sheet save": sheet_save,
    }


def _complete(plan) -> None:
    """The applications as people meet them: every Table A.1 field filled, a category, a team of five
    and a piece of evidence; the reviewed ones with the organisation snapshot their submission keeps
    (the load test's drafts and review set carry only a name)."""
    from applications.models import Application
    from applications.models.application import organisation_header
    from portal.models import ProjectCategory
    from tests.factories import COMPLETE_FIELDS, EvidenceFactory, TeamMemberFactory

    applicant = next(row for row in plan if row[0] == "applicant")
    expert = next(row for row in plan if row[0] == "expert")
    pks = [int(applicant[2].strip("/").split("/")[-1])]
    pks += [_application_of(int(p.split("/assignments/")[1].split("/")[0]))
            for p in expert[3].split(",")]
    category = ProjectCategory.objects.order_by("pk").first()
    for n, pk in enumerate(pks):
        Application.objects.filter(pk=pk).update(**COMPLETE_FIELDS, category=category)
        app = Application.objects.get(pk=pk)
        if n:  # the reviewed ones were submitted: the organisation as it was then is kept on them
            app.organisation_snapshot = organisation_header(app.organisation)
            app.save(update_fields=["organisation_snapshot"])
        TeamMemberFactory.create_batch(5, application=app)
        EvidenceFactory(application=app)


CRISPY = " (crispy)"


def _crispy_switch() -> dict:
    """Makes each fastfields filter a switch between itself and what the templates used before it
    (crispy's filters, Django's widget templates), so both run in one process on the same data;
    set ``state["crispy"]``. Installed before any template is compiled (a compiled template keeps
    the filter functions it found at {% load %})."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_errors, as_crispy_field

    from portal.templatetags import fastfields

    state = {"crispy": False}
    before = {"fast_field": as_crispy_field, "fast_errors": as_crispy_errors, "fast_widget": str,
              "fast_hidden": lambda bf: bf.as_hidden(), "fast_hidden_form": str}
    for name, crispy in before.items():
        fast = fastfields.register.filters[name]

        def switch(value, fast=fast, crispy=crispy):
            return crispy(value) if state["crispy"] else fast(value)

        switch.is_safe = getattr(fast, "is_safe", False)
        fastfields.register.filters[name] = switch
    # Filters that place widgets themselves (fast_cells) render them through Django's templates too.
    fast_render = fastfields.render_widget

    def render_widget(bf, css=None):
        return str(bf) if state["crispy"] and css is None else fast_render(bf, css)

    fastfields.render_widget = render_widget
    return state


def _application_of(pk: int) -> int:
    from scoring.models import Assignment

    return Assignment.objects.values_list("application_id", flat=True).get(pk=pk)


def measure(args, tmp) -> int:
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.pop("REDIS_URL", None)
    if args.database_url:
        import subprocess

        name, admin = args.database_url.rsplit("/", 1)[1], args.database_url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    if args.redis_url:
        import subprocess

        os.environ["REDIS_URL"] = args.redis_url
        subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], check=True, capture_output=True)
    os.environ.update(DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="false", MEDIA_ROOT=f"{tmp}/media",
                      ALLOWED_HOSTS="testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from benchmarks import load_data
    from portal.models import User

    setup_test_environment()
    switch = _crispy_switch() if args.crispy else None
    call_command("migrate", verbosity=0)
    plan = list(load_data.prepare(1, 1, "floor-bench-2026"))
    _complete(plan)
    applicant = next(row for row in plan if row[0] == "applicant")
    expert = next(row for row in plan if row[0] == "expert")
    clients = {}
    for username in (applicant[1], expert[1]):
        clients[username] = Client()
        clients[username].force_login(User.objects.get(username=username))
    sheet_path = expert[3].split(",")[0]
    applicant_requests = _requests(clients[applicant[1]], applicant[2], sheet_path)
    expert_requests = _requests(clients[expert[1]], applicant[2], sheet_path)
    # Who asks: the floor and the form as the applicant, the sheet as the expert.
    plan = {name: (clients[applicant[1]] if "sheet" not in name else clients[expert[1]],
                   (expert_requests if "sheet" in name else applicant_requests)[name])
            for name in applicant_requests}
    if args.crispy:
        plan["Table A.1 form GET" + CRISPY] = plan["Table A.1 form GET"]
        plan["score sheet GET" + CRISPY] = plan["score sheet GET"]

    def once(name, n):
        client, prepare = plan[name]
        if switch is not None:
            switch["crispy"] = name.endswith(CRISPY)
        method, url, data, expected = prepare(n)
        with CaptureQueriesContext(connection) as captured:
            cpu, wall = time.process_time(), time.perf_counter()
            response = client.get(url) if method == "get" else client.post(url, data)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        assert response.status_code == expected, (name, response.status_code, response.content[:500])
        return cpu, wall, len(captured)

    if args.profile:
        name = {"sheet": "score sheet GET", "sheet-save": "score sheet save", "form": "Table A.1 form GET",
                "form-save": "Table A.1 form save", "floor": "floor: notifications"}[args.profile]
        for n in range(5):
            once(name, n)
        try:
            from pyinstrument import Profiler  # optional: not a project dependency
        except ImportError:
            print("pyinstrument is not installed: FLOOR_CPROFILE=cumulative (or tottime) gives cProfile's view")
        else:
            with Profiler(interval=0.0002) as profiler:
                for n in range(20):
                    once(name, n)
            print(profiler.output_text(unicode=True, color=False))
        if os.environ.get("FLOOR_SQL"):  # the queries of one request
            with CaptureQueriesContext(connection) as captured:
                once(name, 99)
            for query in captured.captured_queries:
                print(query["sql"][:300])
        if os.environ.get("FLOOR_TEMPLATES"):  # inclusive time by template
            from django.template import base

            spent, original = {}, base.Template._render

            def timed(self, context):
                started = time.process_time()
                try:
                    return original(self, context)
                finally:
                    spent[self.name] = spent.get(self.name, 0.0) + time.process_time() - started

            base.Template._render = timed
            for n in range(40):
                once(name, n)
            base.Template._render = original
            for template, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
                print(f"{template:<50} {seconds / 40 * 1000:7.2f} ms")
        if os.environ.get("FLOOR_CPROFILE"):  # a flat profile too, by own time
            import cProfile
            import pstats

            with cProfile.Profile() as flat:
                for n in range(20):
                    once(name, n)
            pstats.Stats(flat).sort_stats(os.environ["FLOOR_CPROFILE"]).print_stats(45)
        return 0

    cpu = {name: [] for name in plan}
    wall = {name: [] for name in plan}
    queries = {}
    for n in range(args.runs + 3):  # three warm-up rounds
        for name in plan:
            c, w, q = once(name, n)
            if n >= 3:
                cpu[name].append(c)
                wall[name].append(w)
                queries[name] = q
    load = os.getloadavg()
    floor_cpu = statistics.median(cpu["floor: notifications"])
    floor_wall = statistics.median(wall["floor: notifications"])
    where = ("PostgreSQL" if args.database_url else "SQLite") + (" + Redis" if args.redis_url else "")
    print(f"median of {args.runs} interleaved rounds, {where}, DEBUG off; load average {load[0]:.1f} {load[1]:.1f}")
    print(f"{'request':<28} {'queries':>7} {'CPU ms':>8} {'× floor':>8} {'wall ms':>8} {'× floor':>8}"
          f"   goal ≤ {GOAL:g}×")
    worst = 0.0
    for name in plan:
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        ratio = c / floor_cpu
        verdict = "" if name.startswith("floor") or name.endswith(CRISPY) else (
            "met" if ratio <= GOAL else "NOT met")
        print(f"{name:<28} {queries[name]:>7} {c * 1000:>8.2f} {ratio:>8.2f} {w * 1000:>8.2f} {w / floor_wall:>8.2f}"
              f"   {verdict}")
        if "sheet" in name and not name.endswith(CRISPY):
            worst = max(worst, ratio)
    print(f"score sheet, worst of GET and save: {worst:.2f}× the floor ({'met' if worst <= GOAL else 'not met'}: "
          f"goal ≤ {GOAL:g}×)")
    for name in ("Table A.1 form GET", "score sheet GET") if args.crispy else ():
        fast, slow = statistics.median(cpu[name]), statistics.median(cpu[name + CRISPY])
        print(f"{name}: fastfields {fast * 1000:.2f} ms ({fast / floor_cpu:.2f}× floor), crispy {slow * 1000:.2f} ms "
              f"({slow / floor_cpu:.2f}× floor): {slow / fast:.2f}× as long with crispy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
