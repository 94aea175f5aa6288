"""How long aggregation takes for 2,000 applications × 5 scores × 10 criteria.

    .venv/bin/python benchmarks/aggregation.py [--applications 2000] [--experts-per 5] [--runs 3] [--db]

"Pure" is awards.aggregation and awards.tiers over plain numbers: per application the summaries of
the total, 3 section subtotals and 10 criteria, the experts' bias z-scores, the per-expert
normalisation, the ranking with the tie rule and the proposed tiers. With ``--db`` the same size is
written to a throw-away SQLite database (migrated on the fly; or DATABASE_URL) and the service that
feeds the ranking page (awards.services.ranking.build) is timed end to end, with its query count:
computed (what the first view after a change of the scores costs) and kept (every other view).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

CRITERIA = [10, 10, 15, 10, 10, 10, 10, 10, 5, 10]  # Table B.1
SECTIONS = [0, 0, 1, 1, 1, 1, 2, 2, 2, 2]


def synthetic(applications: int, per: int, experts: int, seed: int = 7):
    """(application, expert) → criterion points, with a few experts who score high or low."""
    rng = random.Random(seed)
    offsets = {e: rng.gauss(0, 0.04) for e in range(experts)}
    sheets = {}
    for a in range(applications):
        quality = rng.uniform(0.45, 0.95)
        for e in rng.sample(range(experts), per):
            sheets[(a, e)] = [round(min(m, max(0, m * (quality + offsets[e] + rng.gauss(0, 0.05)))), 1)
                              for m in CRITERIA]
    return sheets


def pure(sheets, applications: int):
    from awards import aggregation as agg
    from awards import tiers

    by_app = {}
    for (a, _e), points in sheets.items():
        by_app.setdefault(a, []).append(points)
    summaries = {}
    for a, rows in by_app.items():
        totals = [sum(r) for r in rows]
        sections = [[sum(p for p, s in zip(r, SECTIONS, strict=True) if s == k) for r in rows] for k in range(3)]
        summaries[a] = (agg.summarise(totals), [agg.summarise(s) for s in sections],
                        [agg.summarise([r[c] for r in rows]) for c in range(len(CRITERIA))])
    totals = {key: sum(points) for key, points in sheets.items()}
    agg.expert_bias(totals)
    agg.normalise(totals)
    ordered = tiers.rank([tiers.Candidate(a, s[0].trimmed_mean, (s[1][1].trimmed_mean, s[1][2].trimmed_mean), None, a)
                          for a, s in summaries.items()])
    tiers.propose([c.statistic for c in ordered], "percentages", (5, 10, 15))
    return len(ordered)


def timed(fn, runs: int) -> float:
    times = []
    for _n in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def with_database(sheets, applications: int, experts: int, runs: int):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from awards.services import ranking
    from tests.factories import ApplicationFactory, ExpertProfileFactory, b1_programme

    with transaction.atomic():
        from scoring.models import Assignment, Criterion, CriterionScore, Score

        programme = b1_programme()
        criteria = list(Criterion.objects.filter(section__rubric__programme_links__programme=programme)
                        .order_by("section__order", "order"))
        profiles = ExpertProfileFactory.create_batch(experts)
        apps = [ApplicationFactory.build(programme=programme, organisation=None, status="endorsed")
                for _n in range(applications)]
        organisation = ApplicationFactory(programme=programme).organisation
        for n, app in enumerate(apps):
            app.organisation, app.project_name = organisation, f"基准项目{n}"
        apps = ApplicationFactory._meta.model.objects.bulk_create(apps)
        assignments = Assignment.objects.bulk_create(
            Assignment(application=apps[a], expert=profiles[e]) for (a, e) in sheets)
        scores = Score.objects.bulk_create(Score(assignment=x, status="submitted", total=sum(sheets[k]))
                                           for x, k in zip(assignments, sheets, strict=True))
        CriterionScore.objects.bulk_create(
            (CriterionScore(score=s, criterion=c, points=p) for s, k in zip(scores, sheets, strict=True)
             for c, p in zip(criteria, sheets[k], strict=True)), batch_size=5000)
        def computed():
            ranking._KEPT.clear()  # the figures are kept per version since issue 16: time the computation
            return ranking.build(programme)

        seconds = timed(computed, runs)
        kept = timed(lambda: ranking.build(programme), runs)
        with CaptureQueriesContext(connection) as ctx:
            rows = len(computed().rows)
        transaction.set_rollback(True)
    return seconds, len(ctx.captured_queries), rows, kept


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--experts-per", type=int, default=5)
    parser.add_argument("--experts", type=int, default=120, help="size of the expert pool")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", action="store_true", help="also time the database-fed ranking service")
    args = parser.parse_args(argv)

    scratch = None
    if args.db and "DATABASE_URL" not in os.environ:
        scratch = tempfile.TemporaryDirectory()
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/bench.sqlite3"
    import django

    django.setup()
    sheets = synthetic(args.applications, args.experts_per, args.experts)
    n = len(sheets)
    print(f"{args.applications} applications × {args.experts_per} scores × {len(CRITERIA)} criteria "
          f"= {n * len(CRITERIA):,} criterion scores; median of {args.runs} runs")
    seconds = timed(lambda: pure(sheets, args.applications), args.runs)
    print(f"pure aggregation + bias + normalisation + ranking + tiers: {seconds * 1000:8.1f} ms")
    if args.db:
        from django.core.management import call_command

        if scratch:
            call_command("migrate", verbosity=0)
        try:
            seconds, queries, rows, kept = with_database(sheets, args.applications, args.experts, args.runs)
        finally:
            if scratch:
                scratch.cleanup()
        print(f"ranking.build from the database ({rows} rows, {queries} queries): {seconds * 1000:8.1f} ms")
        print(f"ranking.build, figures kept (nothing changed since): {kept * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
