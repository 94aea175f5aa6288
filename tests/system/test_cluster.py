"""The production layout on this machine (benchmarks/cluster.py): nginx → two gunicorn nodes with
separate var folders and no shared local media, a render worker and a mail/default worker, one beat,
PostgreSQL, Redis and moto's S3 server. Everything goes through nginx, as people's browsers would.

Marker ``cluster``: run by `make test` (CI installs nginx through scripts/setup.sh) and `make cluster`.
Locally it is skipped only when a part is missing (nginx, PostgreSQL, Redis); under CI=true or
PORTAL_CLUSTER_TESTS=1 (.ci/run, make cluster) a missing part fails. One module-scoped cluster,
every wait bounded; about four minutes in all (two of them starting the cluster and its accounts).
"""

import os
import re
import time
from pathlib import Path

import pytest

from benchmarks.cluster import Cluster, missing_parts, paced_load, report, session, sign_in

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / "test-artifacts" / "cluster.txt"
DEMO_PASSWORD = "demo2026"  # portal.demo.DEMO_PASSWORD


@pytest.fixture(scope="module")
def cluster():
    missing = missing_parts()
    if missing:
        if os.environ.get("CI") == "true" or os.environ.get("PORTAL_CLUSTER_TESTS") == "1":
            pytest.fail("the cluster needs: " + ", ".join(missing))
        pytest.skip("the cluster needs: " + ", ".join(missing))
    c = Cluster(base=ROOT / "var" / "cluster-test")
    c.start(prepare=(16, 2))
    try:
        c.plan = c.accounts()
        c.applicants = [row for row in c.plan if row[0] == "applicant"]
        ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
        ARTIFACT.write_text(f"cluster up in {c.startup_seconds:.0f} s\n", encoding="utf-8")
        yield c
    finally:
        c.stop()


def _note(line: str):
    print(line)
    with ARTIFACT.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def _csrf(s):
    return s.cookies["csrftoken"]


def _wait_for(what, read, done, timeout=90.0, every=0.05):
    until = time.monotonic() + timeout
    value = None
    while time.monotonic() < until:
        value = read()
        if done(value):
            return value
        time.sleep(every)
    raise AssertionError(f"{what}: still {value!r} after {timeout:.0f} s")


def _job_status(cluster, job_id):
    rows = cluster.sql("SELECT status, error FROM portal_job WHERE id = %s", job_id)
    return rows[0] if rows else (None, None)


def _request_render(s, base, app_path) -> str:
    s.get(base + app_path, timeout=30)
    response = s.post(f"{base}{app_path}documents/render/", data={"csrfmiddlewaretoken": _csrf(s)},
                      allow_redirects=False, timeout=60)
    assert response.status_code == 302, response.status_code
    return re.search(r"/jobs/([0-9a-f-]{36})/", response.headers["Location"]).group(1)


def test_both_nodes_are_ready_behind_the_proxy(cluster):
    import requests

    for base in (cluster.url, cluster.pinned["a"], cluster.pinned["b"]):
        response = requests.get(base + "/readyz/", timeout=30)
        assert response.status_code == 200, (base, response.text[:500])
        assert response.headers["X-Request-ID"]
    assert requests.get(cluster.url + "/nginx-health", timeout=10).text == "ok\n"
    assert requests.get(cluster.url + "/media/anything.pdf", timeout=10).status_code == 404


def test_evidence_uploaded_through_node_a_downloads_through_node_b(cluster):
    _kind, user, app_path, *_ = cluster.applicants[0]
    node_a = cluster.nodes["a"]
    s, status = sign_in(node_a, user)  # straight to gunicorn node A
    assert status == 302
    s.get(node_a + app_path, timeout=30)
    content = b"%PDF-1.4\n" + os.urandom(3 * 1024 * 1024) + b"\n%%EOF\n"
    response = s.post(f"{node_a}{app_path}evidence/", allow_redirects=False, timeout=120,
                      data={"csrfmiddlewaretoken": _csrf(s), "kind": "test_report", "description": "检测报告"},
                      files={"file": ("检测报告.pdf", content, "application/pdf")})
    assert response.status_code == 302
    app_id = int(app_path.strip("/").split("/")[-1])
    (evidence_id,) = cluster.sql("SELECT max(id) FROM applications_evidence WHERE application_id = %s", app_id)[0]
    assert evidence_id, "the upload was not stored"
    download = f"/applications/evidence/{evidence_id}/download/"

    # Node B, through nginx pinned to it (the same session: sessions live in Redis and PostgreSQL).
    via_b = s.get(cluster.pinned["b"] + download, timeout=60)
    assert via_b.status_code == 200
    assert via_b.content == content
    assert re.fullmatch(r"[0-9a-f]{32}", via_b.headers["X-Request-ID"])  # nginx's id, echoed by Django
    # Node B answered with X-Accel-Redirect to the bucket (nginx fetched it): no bytes from a node.
    direct_b = s.get(cluster.nodes["b"] + download, timeout=60)
    assert direct_b.status_code == 200 and direct_b.content == b""
    assert direct_b.headers["X-Accel-Redirect"].startswith(f"/protected/{cluster.bucket}/")
    # The internal location is not reachable from outside, and no node keeps a local copy.
    assert s.get(cluster.url + direct_b.headers["X-Accel-Redirect"], timeout=30).status_code == 404
    for node in ("node-a", "node-b"):
        assert not [p for p in (cluster.base / node / "media").rglob("*") if p.is_file()], node
    # Someone else gets 404 on every node.
    other, status = sign_in(cluster.url, cluster.applicants[1][1])
    assert status == 302
    assert other.get(cluster.url + download, timeout=30).status_code == 404


def test_a_pdf_rendered_by_a_worker_downloads_through_the_other_node(cluster):
    _kind, user, app_path, *_ = cluster.applicants[1]
    s, status = sign_in(cluster.pinned["a"], user)
    assert status == 302
    job_id = _request_render(s, cluster.pinned["a"], app_path)
    status, error = _wait_for("render", lambda: _job_status(cluster, job_id), lambda v: v[0] in ("succeeded", "failed"))
    assert status == "succeeded", error
    pdf = s.get(f"{cluster.pinned['b']}/jobs/{job_id}/download/", timeout=60)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-") and len(pdf.content) > 10_000
    assert "attachment" in pdf.headers["Content-Disposition"]


def test_thirty_addresses_failing_lock_nobody_out_and_six_from_one_lock_that_pair_only(cluster):
    base = cluster.url
    # 30 failed logins for one account, each from its own address (127.0.0.2 … 127.0.0.31).
    for n in range(2, 32):
        _s, status = sign_in(base, "expert1", "wrong-password", source=f"127.0.0.{n}")
        assert status == 200, (n, status)
    for source in ("127.0.0.2", "127.0.0.31", "127.0.0.40"):
        _s, status = sign_in(base, "expert1", DEMO_PASSWORD, source=source)
        assert status == 302, source

    # Six from one address: the fifth failure locks (AXES_FAILURE_LIMIT=5, answered 429), the sixth
    # stays locked, and only that account at that address is.
    statuses = [sign_in(base, "expert2", "wrong-password", source="127.0.0.50")[1] for _ in range(6)]
    assert statuses == [200] * 4 + [429, 429], statuses
    assert sign_in(base, "expert2", DEMO_PASSWORD, source="127.0.0.50")[1] == 429
    assert sign_in(base, "expert2", DEMO_PASSWORD, source="127.0.0.51")[1] == 302
    assert sign_in(base, "jiading_bureau", DEMO_PASSWORD, source="127.0.0.50")[1] == 302
    # A client cannot pick its address: nginx appends the real peer, the header's head is ignored.
    s = session(base, "127.0.0.50")
    s.get(f"{base}/accounts/login/", timeout=30)
    response = s.post(f"{base}/accounts/login/", allow_redirects=False, timeout=60,
                      headers={"X-Forwarded-For": "10.9.8.7"},
                      data={"username": "expert2", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": _csrf(s)})
    assert response.status_code == 429


def test_a_worker_killed_mid_render_the_sweeper_fails_the_job_and_the_retry_completes(cluster):
    _kind, user, app_path, *_ = cluster.applicants[2]
    s, status = sign_in(cluster.url, user)
    assert status == 302
    for _attempt in range(3):  # a render can finish before the kill lands: then again
        job_id = _request_render(s, cluster.url, app_path)
        state, _error = _wait_for("render start", lambda job_id=job_id: _job_status(cluster, job_id),
                                  lambda v: v[0] in ("running", "succeeded", "failed"), timeout=60, every=0.01)
        if state == "running":
            cluster.kill("worker-render")
            if _job_status(cluster, job_id)[0] == "running":
                break
            cluster.start_worker("render", "render")
    else:
        pytest.fail("no render could be caught running")

    # The beat's sweeper (every 2 s here, JOB_STALL_SECONDS=12) marks it failed.
    started = time.monotonic()
    state, error = _wait_for("sweeper", lambda: _job_status(cluster, job_id), lambda v: v[0] != "running",
                             timeout=60, every=0.5)
    assert state == "failed" and error
    _note(f"worker killed mid-render: the sweeper failed the job after {time.monotonic() - started:.0f} s")

    cluster.start_worker("render", "render")  # as compose's restart policy would
    page = s.get(f"{cluster.url}/jobs/{job_id}/", timeout=30)
    assert page.status_code == 200 and f"/jobs/{job_id}/retry/" in page.text
    retry = s.post(f"{cluster.url}/jobs/{job_id}/retry/", data={"csrfmiddlewaretoken": _csrf(s)},
                   allow_redirects=False, timeout=60)
    assert retry.status_code == 302
    state, error = _wait_for("retry", lambda: _job_status(cluster, job_id), lambda v: v[0] in ("succeeded", "failed"))
    assert state == "succeeded", error
    assert s.get(f"{cluster.url}/jobs/{job_id}/download/", timeout=60).content.startswith(b"%PDF-")


def test_a_web_node_killed_during_a_paced_load_run_loses_no_saved_work(cluster):
    people = [row for row in cluster.plan if row[0] == "expert"] + cluster.applicants[4:]
    killed = {}

    def kill_node_a(elapsed):
        if elapsed >= 7 and not killed:
            cluster.kill("node-a")
            killed["at"] = elapsed

    figures = paced_load(cluster, people, seconds=20, think=1.0, during=kill_node_a)
    _note(report(figures, f"node A SIGKILLed at {killed['at']:.0f} s of a 20 s paced run ({len(people)} people, "
                          "think 1 s)"))
    for line in figures["errors"][:10]:
        _note(f"  failed: {line}")
    assert figures["lost"] == 0, "a save the portal acknowledged is not in the database"
    # At most the requests in flight on node A when it died (each person has one at a time).
    assert len(figures["errors"]) <= len(people)
    assert figures["saves"] >= len(people) // 2 and figures["answered"] > 5 * len(people)

    cluster.start_web("a")  # back for anything after this test
