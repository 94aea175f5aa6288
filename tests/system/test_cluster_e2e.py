"""The whole year in Chromium through the cluster's nginx (issue 12, "Proof on this machine"): the
steps of tests/system/test_e2e_year.py, unchanged, against benchmarks/cluster.py's layout (nginx → two
gunicorn nodes, a render and a mail/default Celery worker, beat, Redis, moto's S3 server) instead
of the live server with eager Celery.

The cluster runs on this test run's own PostgreSQL test database (committed data: transactional_db),
so the ORM sets up and checks what the pages did, and this process reads the same bucket as the
nodes, so the files the browser uploaded and downloaded are checked in the bucket itself.

Markers ``cluster`` and ``browser``. It needs PostgreSQL for the test database (DATABASE_URL, as in
CI) beside the cluster's parts and Chromium: locally it is skipped without them, under CI=true or
PORTAL_CLUSTER_TESTS=1 it fails. Screenshots and files go to test-artifacts/e2e-cluster/.
"""

import os
import time
from pathlib import Path

import pytest

from benchmarks.cluster import Cluster, missing_parts
from tests.conftest import _database_url
from tests.system import test_e2e_year as e2e
from tests.system.test_e2e_year import PROJECT, Browser, Shots, the_whole_year, tiny_pdf

# The year's own fixtures (Debian's Chromium, the console watcher, the administrators' set-up).
chromium, console, year = e2e.chromium, e2e.console, e2e.year

pytestmark = [pytest.mark.cluster, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e-cluster"
TIMEOUT_MS = 90_000  # renders and exports wait for a real worker on a shared two-core machine


def _missing() -> list[str]:
    from django.db import connection

    missing = missing_parts()
    if connection.vendor != "postgresql":
        missing.append("a PostgreSQL test database (DATABASE_URL=postgres://…) the nodes can share")
    return missing


@pytest.fixture
def cluster_on_test_db(transactional_db, settings):
    """The cluster on this test's database, with this process's storage on the cluster's bucket and
    Django's default password hashers (the nodes' own, so that accounts made here sign in there)."""
    from django.conf import global_settings

    missing = _missing()
    if missing:
        if os.environ.get("CI") == "true" or os.environ.get("PORTAL_CLUSTER_TESTS") == "1":
            pytest.fail("the cluster's year needs: " + ", ".join(missing))
        pytest.skip("the cluster's year needs: " + ", ".join(missing))
    cluster = Cluster(base=ROOT / "var" / "cluster-e2e", database_url=_database_url(), stall_seconds=120)
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    settings.STORAGES = {**settings.STORAGES, "default": _bucket_storage(cluster)}
    cluster.start()
    try:
        print(f"cluster up in {cluster.startup_seconds:.0f} s: nginx {cluster.url}")
        yield cluster
    finally:
        cluster.stop()


def _bucket_storage(cluster: Cluster) -> dict:
    from botocore.config import Config

    env = cluster.env
    return {"BACKEND": "portal.storage.PrivateS3Storage", "OPTIONS": {
        "bucket_name": env["AWS_STORAGE_BUCKET_NAME"], "endpoint_url": env["AWS_S3_ENDPOINT_URL"],
        "region_name": env["AWS_S3_REGION_NAME"], "access_key": env["AWS_ACCESS_KEY_ID"],
        "secret_key": env["AWS_SECRET_ACCESS_KEY"], "default_acl": None, "file_overwrite": False,
        "client_config": Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    }}


@pytest.fixture
def artifacts():
    if ARTIFACTS.exists():
        import shutil

        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    return Shots(ARTIFACTS)


def test_the_whole_year_in_chromium_through_the_cluster(cluster_on_test_db, chromium, artifacts, console, year):
    from applications.models import ApplicationDocument, Evidence

    cluster = cluster_on_test_db
    started = time.monotonic()
    the_whole_year(Browser(chromium, cluster.url, console, timeout_ms=TIMEOUT_MS), artifacts, console, year)
    print(f"the year through nginx took {time.monotonic() - started:.0f} s")

    # The evidence the browser uploaded through the nodes is in the bucket, byte for byte.
    evidence = {e.kind: e for e in Evidence.objects.filter(application__project_name=PROJECT)}
    assert sorted(evidence) == ["calculation", "signature_page", "test_report"]
    for kind, item in evidence.items():
        with item.file.open("rb") as fh:
            assert fh.read() == tiny_pdf(f"E2E {kind}"), kind
    # The Table A.1 PDF the browser downloaded through nginx is the object a worker wrote there.
    downloaded = (ARTIFACTS / "table-a1-v1.pdf").read_bytes()
    stored = []
    for document in ApplicationDocument.objects.filter(application__project_name=PROJECT):
        with document.file.open("rb") as fh:
            stored.append(fh.read())
    assert downloaded in stored
    # The notices went out through the mail/default worker (console back end: its log), not the
    # render worker: the applicant's, the street's and the scoring experts' among them.
    mail_log = cluster.log("worker-main").read_text(errors="replace")
    for address in ("wang.shenbao@shenjia-precision.example.com", "nanxiang@demo.example.cn",
                    "expert2@demo.example.cn", "expert3@sues.example.edu.cn"):
        assert f"To: {address}" in mail_log, address
    assert "To: " not in cluster.log("worker-render").read_text(errors="replace")
    # Nothing landed on a node's or a worker's local disk.
    local = [p for p in cluster.base.glob("*/media/**/*") if p.is_file()]
    assert not local, local
