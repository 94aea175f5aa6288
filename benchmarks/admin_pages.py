"""The administrator's heavy pages at 2,000 applications × 300 experts, each beside the signed-in floor.

    .venv/bin/python benchmarks/admin_pages.py [--applications 2000] [--experts 300] [--runs 7]
        [--database PATH] [--profile NAME]

Seeds like benchmarks/pages.py (``seed_demo --applications N``, N experts, the automatic assignment
of every endorsed application of the municipal programme, a submitted score on every assignment),
then times, with Django's test client signed in as the city administrator (median of --runs after a
warm-up, runs interleaved so that the machine's noise hits every page alike):

* the anchor: the notification list, the simplest signed-in page (the floor);
* the ranking page (the whole programme on one page), the assignment overview and scoring progress;
* the ranking page again right after a score is saved ("after a save": the kept aggregation is
  rebuilt once; this is the first view after every change of the scores).

Goal: each page ≤ 300 ms. ``--database PATH`` keeps the seeded SQLite file and reuses it on the next
run (seeding takes minutes); ``--profile ranking`` prints a pyinstrument profile of one page (if
pyinstrument is installed; it is not a project dependency).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_MS = 300


def _setup(database: str | None, applications: int, experts: int):
    tmp = tempfile.mkdtemp(prefix="bench-admin-")
    path = Path(database) if database else Path(tmp) / "bench.sqlite3"
    fresh = not path.exists()
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.update(DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="false", MEDIA_ROOT=f"{tmp}/media")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if fresh:
        from benchmarks.pages import _review_set_up

        started = time.perf_counter()
        call_command("seed_demo", applications=applications, stdout=open(os.devnull, "w"))
        print(f"seed_demo --applications {applications}: {time.perf_counter() - started:.1f} s")
        _review_set_up(experts)
    from django.utils import timezone

    from portal.models import Programme

    return Programme.objects.get(title__contains="上海市重点产品", year=timezone.now().year)


def _pages(programme):
    from django.urls import reverse

    return {
        "anchor: notifications (signed-in floor)": reverse("notifications"),
        "ranking (whole programme)": reverse("awards:ranking", args=[programme.pk]),
        "assignment overview": reverse("scoring:assign_overview", args=[programme.pk]),
        "scoring progress": reverse("scoring:scoring_progress", args=[programme.pk]),
    }


def _save_a_score(programme):
    """A change of the scores through the score service: a submitted sheet is reopened and submitted
    again with one point more (or less) on its first criterion, as the administrator and the expert would."""
    from decimal import Decimal

    from scoring.models import CriterionKind, Score, ScoreStatus
    from scoring.services import scores as score_service

    score = (Score.objects.filter(assignment__application__programme=programme, status=ScoreStatus.SUBMITTED)
             .select_related("assignment__expert__user").order_by("?").first())
    score = score_service.reopen_score(_admin(), score, reason="基准测试")
    _rubric, criteria = score_service.programme_rubric(programme)
    given = {item.criterion_id: item.points for item in score.items.all()}
    items = []
    for n, criterion in enumerate(criteria):
        if criterion.kind == CriterionKind.BONUS or criterion.pk not in given:
            items.append(score_service.ItemInput(criterion.pk, no_bonus=True))
            continue
        points = given[criterion.pk]
        if n == 0:
            points = points - 1 if points >= 1 else points + 1
        band = next(b for b in criterion.bands.all() if b.min_points <= points <= b.max_points)
        items.append(score_service.ItemInput(criterion.pk, band_id=band.pk, points=Decimal(points), comment="基准"))
    score_service.save_score(score.assignment.expert.user, score.assignment, items=items,
                             lock_version=score.lock_version, submit=True)


def _admin():
    from portal.models import User

    return User.objects.get(username="city_admin")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=4000,
                        help="seed_demo's size; about half of them reach the review (4000: ~2,020)")
    parser.add_argument("--experts", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database", help="keep the seeded SQLite database here and reuse it")
    parser.add_argument("--profile", help="profile one page (ranking, overview, progress) with pyinstrument")
    args = parser.parse_args(argv)
    programme = _setup(args.database, args.applications, args.experts)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from applications.models import Application

    client = Client()
    client.force_login(_admin())
    pages = _pages(programme)
    if args.profile:
        from pyinstrument import Profiler

        url = next(u for label, u in pages.items() if label.startswith(args.profile))
        client.get(url)
        with Profiler() as profiler:
            client.get(url)
        print(profiler.output_text(unicode=True, color=False))
        return 0

    times = {label: [] for label in pages}
    queries = {}
    for url in pages.values():
        assert client.get(url).status_code == 200, url  # warm-up
    for _run in range(args.runs):
        for label, url in pages.items():
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times[label].append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
            queries[label] = len(ctx.captured_queries)
    after_save = []
    ranking_url = pages["ranking (whole programme)"]
    for _run in range(max(3, args.runs // 2)):
        _save_a_score(programme)
        started = time.perf_counter()
        client.get(ranking_url)
        after_save.append(time.perf_counter() - started)

    endorsed = Application.objects.filter(programme=programme, assignments__isnull=False).distinct().count()
    anchor = statistics.median(times["anchor: notifications (signed-in floor)"])
    print(f"{endorsed} applications under review × {args.experts} experts; median of {args.runs} runs")
    print(f"{'page':<42} {'queries':>7} {'median ms':>10} {'× anchor':>9}  goal ≤ {GOAL_MS} ms")
    worst = 0.0
    for label, values in times.items():
        ms = statistics.median(values) * 1000
        if not label.startswith("anchor"):
            worst = max(worst, ms)
        print(f"{label:<42} {queries[label]:>7} {ms:>10.1f} {ms / anchor / 1000:>9.1f}")
    ms = statistics.median(after_save) * 1000
    print(f"{'ranking, first view after a score save':<42} {'':>7} {ms:>10.1f} {ms / anchor / 1000:>9.1f}")
    print(f"slowest page: {worst:.1f} ms ({'met' if worst <= GOAL_MS else 'not met'}: goal ≤ {GOAL_MS} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
