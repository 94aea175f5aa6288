"""Query counts and server time of the list pages on a seeded portal (2,000 applications, 300 experts).

    .venv/bin/python benchmarks/pages.py [--applications 2000] [--experts 300] [--runs 5]

Builds a throw-away SQLite database under var/ (or BENCH_DATABASE_URL), runs
``seed_demo --applications N``, adds N experts, assigns 5 experts to every submitted application
of the municipal programme through the automatic assignment service, gives every assignment a
submitted score, and then times each page with Django's test client (median of --runs, after a
warm-up) and counts its queries. Also prints the time of the automatic assignment and of the
aggregation that feeds the ranking.
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--experts", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-", dir=ROOT / "var" if (ROOT / "var").exists() else None)
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.update(DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="false", MEDIA_ROOT=f"{tmp}/media")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", applications=args.applications, stdout=open(os.devnull, "w"))
    print(f"seed_demo --applications {args.applications}: {time.perf_counter() - started:.1f} s")
    programme, reviewing_users = _review_set_up(args.experts)
    _measure(programme, reviewing_users, args.runs)


def _review_set_up(n_experts):
    from decimal import Decimal

    from django.utils import timezone

    from applications.models import Application, ApplicationStatus
    from portal.models import Programme, ProjectCategory, User
    from portal.models.programmes import ProgrammeStatus
    from portal.models.users import Role
    from scoring.models import Assignment, AssignmentStatus, ConfidentialityPledge, CriterionScore, ExpertProfile, Score
    from scoring.services.assignment import apply_proposal, create_proposal

    programme = Programme.objects.get(title__contains="上海市重点产品", year=timezone.now().year)
    admin = User.objects.get(username="city_admin")
    categories = list(ProjectCategory.objects.all())
    rng = random.Random(7)
    users = User.objects.bulk_create([
        User(username=f"bench_exp{i:03d}", full_name=f"专家{i:03d}", role=Role.EXPERT,
             email=f"e{i}@unit{i % 150}.example.org") for i in range(n_experts)
    ])
    profiles = ExpertProfile.objects.bulk_create([
        ExpertProfile(user=u, work_unit=f"评审单位{i % 150:03d}研究院") for i, u in enumerate(users)
    ])
    through = ExpertProfile.expertise.through
    through.objects.bulk_create([
        through(expertprofile_id=p.pk, projectcategory_id=c.pk)
        for p in profiles for c in rng.sample(categories, rng.randint(2, 4))
    ])
    # The recommenders have endorsed what was submitted: those (and self-declared ones) go to the experts.
    Application.objects.filter(programme=programme, status=ApplicationStatus.SUBMITTED).update(
        status=ApplicationStatus.ENDORSED)
    Programme.objects.filter(pk=programme.pk).update(status=ProgrammeStatus.REVIEWING, max_load_per_expert=60)
    programme.refresh_from_db()
    ConfidentialityPledge.objects.bulk_create([
        ConfidentialityPledge(expert=p, programme=programme, statement="bench") for p in profiles
    ])
    started = time.perf_counter()
    proposal = create_proposal(admin, programme, seed=1)
    solved = time.perf_counter() - started
    started = time.perf_counter()
    apply_proposal(admin, proposal)
    applied = time.perf_counter() - started
    submitted = Application.objects.filter(programme=programme, status=ApplicationStatus.ENDORSED).count()
    print(f"automatic assignment: {submitted} applications × {n_experts} experts × "
          f"{programme.experts_per_application}: proposal {solved:.2f} s, apply {applied:.2f} s (goal < 10 s)")
    rubric = programme.rubric_link.rubric
    criteria = [c for s in rubric.sections.prefetch_related("criteria__bands") for c in s.criteria.all()
                if c.bands.exists()]
    assignments = list(Assignment.objects.filter(application__programme=programme, status=AssignmentStatus.ACTIVE))
    scores = Score.objects.bulk_create([Score(assignment=a, status="submitted", submitted_at=timezone.now())
                                        for a in assignments], batch_size=1000)
    items, totals = [], {}
    for score in scores:
        for c in criteria:
            points = Decimal(rng.randint(max(1, c.max_points // 2), c.max_points))
            items.append(CriterionScore(score=score, criterion=c, points=points))
            totals[score.pk] = totals.get(score.pk, 0) + points
    CriterionScore.objects.bulk_create(items, batch_size=5000)
    for score in scores:
        score.total = totals[score.pk]
    Score.objects.bulk_update(scores, ["total"], batch_size=1000)
    busiest = (Assignment.objects.filter(application__programme=programme).values("expert__user__username")
               .order_by().annotate(n=django_count()).order_by("-n").first())
    print(f"scores: {len(scores)} submitted sheets, {len(items)} criterion scores")
    return programme, {"expert": busiest["expert__user__username"], "load": busiest["n"]}


def django_count():
    from django.db.models import Count

    return Count("pk")


def _measure(programme, reviewing, runs):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from portal.models import User

    pages = [
        ("applicant: my applications", "applicant", reverse("applications:list")),
        ("recommender: workspace (district bureau)", "jiading_bureau", reverse("applications:recommend_workspace")),
        ("recommender: workspace (group company)", "saic_group", reverse("applications:recommend_workspace")),
        ("administrator: applications", "city_admin", reverse("applications:list")),
        (f"expert: review home ({reviewing['load']} assigned)", reviewing["expert"], reverse("scoring:expert_home")),
        ("expert: programme list", reviewing["expert"], reverse("scoring:expert_programme", args=[programme.pk])),
        ("administrator: assignment overview", "city_admin", reverse("scoring:assign_overview", args=[programme.pk])),
        ("administrator: scoring progress", "city_admin", reverse("scoring:scoring_progress", args=[programme.pk])),
        ("administrator: ranking", "city_admin", reverse("awards:ranking", args=[programme.pk])),
    ]
    print(f"{'page':<48} {'status':>6} {'queries':>8} {'median ms':>10}")
    for label, username, url in pages:
        client = Client()
        client.force_login(User.objects.get(username=username))
        response = client.get(url)  # warm-up
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
        print(f"{label:<48} {response.status_code:>6} {len(queries):>8} {statistics.median(times) * 1000:>10.1f}")


if __name__ == "__main__":
    main()
