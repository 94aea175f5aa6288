"""What an autosave costs the server beside a 保存草稿 (issue 17), on one complete application.

    .venv/bin/python benchmarks/autosave.py [--runs 200]

A throw-away SQLite database under var/ (or BENCH_DATABASE_URL); Django's test client, signed in as
the applicant. Prints the median and p95 server time and the query count of: the form page (GET),
the whole form saved (POST, as the button), an autosave of one narrative field, and of one figure
of the economic table. The paced load test (benchmarks/load.py --think N) sends autosaves at a
person's rate; this is the cost of each one.
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-", dir=ROOT / "var" if (ROOT / "var").exists() else None)
    try:
        measure(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measure(args, tmp):
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.update(DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="false", MEDIA_ROOT=f"{tmp}/media",
                      ALLOWED_HOSTS="testserver")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from applications.models import Application
    from applications.services import autosave
    from tests.applications.test_applications_views import form_data
    from tests.factories import ApplicantFactory, complete_application

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    autosave.PER_PERSON_AND_APPLICATION = autosave.Limit("autosave-bench", 10**9, 60)
    app = complete_application()
    client = Client()
    client.force_login(ApplicantFactory(organisation=app.organisation))
    edit = reverse("applications:edit", args=[app.pk])
    auto = reverse("applications:autosave", args=[app.pk])

    def version():
        return str(Application.objects.values_list("lock_version", flat=True).get(pk=app.pk))

    # Each returns the request to time: (method, URL, data, expected status); inputs built untimed.
    kinds = (
        ("GET form page", lambda n: ("get", edit, None, 200)),
        ("POST form (保存草稿, whole form)", lambda n: (
            "post", edit, form_data(Application.objects.get(pk=app.pk), background=f"按钮保存{n}"), 302)),
        ("POST autosave, one narrative field", lambda n: (
            "post", auto, {"lock_version": version(), "background": f"自动保存的背景{n}" * 40}, 200)),
        ("POST autosave, one figure", lambda n: (
            "post", auto, {"lock_version": version(), "sales_after": f"{1000 + n}.5"}, 200)),
    )
    print(f"{'request':<34} {'median':>9} {'p95':>9} {'queries':>8}   ({args.runs} runs, SQLite)")
    for name, prepare in kinds:
        times, queries = [], 0
        for n in range(args.runs + 1):  # n = 0: warm-up
            method, url, data, expected = prepare(n)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = getattr(client, method)(url, data) if data is not None else client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == expected, (name, response.status_code, response.content[:300])
            if n:
                times.append(elapsed)
                queries = len(captured)
        times.sort()
        print(f"{name:<34} {statistics.median(times):>7.1f} ms {times[int(0.95 * len(times))]:>6.1f} ms {queries:>8}")


if __name__ == "__main__":
    main()
