import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.celery import app as celery_app
from portal.models.users import Role
from tests.factories import (
    ApplicantFactory,
    OrganiserFactory,
    RecommendingUnitFactory,
    UserFactory,
)

# The Chromium fixture of the end-to-end year, shared by every browser test.
from tests.system.test_e2e_year import chromium  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _unit_test_settings(settings, tmp_path):
    """Eager Celery, in-memory e-mail and a throw-away media folder, inside unit tests only
    (``live_worker`` undoes eager mode)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # Rate-limit counters in local memory, fresh for each test (never flush the shared Redis).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False
    # A request leaves its language active in the thread (LocaleMiddleware does not reset it): the
    # next test starts in the default language whatever order pytest-django runs the folders in.
    from django.utils import translation

    translation.deactivate()


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _reload_routes():
    """Celery caches its route table and router: rebuild both from the configuration."""
    celery_app.amqp.flush_routes()
    del celery_app.amqp.router


@pytest.fixture
def live_worker(transactional_db, settings, tmp_path):
    """A real Celery worker process on the configured broker (Redis in CI, the file-system broker
    otherwise), reading and writing the test database. Use with committed data (transactional_db)."""
    celery_app.conf.task_always_eager = False
    # A queue of this test run's own, so that another run's worker on the same broker (the shared
    # file-system folder, or Redis) never takes our tasks.
    queue = f"tests-{os.getpid()}"
    saved = celery_app.conf.task_default_queue, celery_app.conf.task_routes
    celery_app.conf.task_default_queue = queue
    celery_app.conf.task_routes = {"*": {"queue": queue}}
    _reload_routes()
    env = dict(os.environ, DATABASE_URL=_database_url(), MEDIA_ROOT=str(settings.MEDIA_ROOT))
    # The worker's output goes to a file: an unread pipe fills up and blocks the worker.
    log = open(tmp_path / "worker.log", "wb")  # closed in the finally below
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=warning",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"test-{os.getpid()}@%h",
         "-Q", queue],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        celery_app.conf.task_default_queue, celery_app.conf.task_routes = saved
        _reload_routes()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        output = (tmp_path / "worker.log").read_text(errors="replace")
        if output.strip():
            print("---- celery worker output ----\n" + output[-5000:])


@pytest.fixture
def applicant(db):
    return ApplicantFactory()


@pytest.fixture
def organiser(db):
    return OrganiserFactory(name="上海市市场监督管理局")


@pytest.fixture
def administrator(organiser):
    return UserFactory(role=Role.ADMINISTRATOR, organiser=organiser)


@pytest.fixture
def recommender(db):
    return UserFactory(role=Role.RECOMMENDER, recommending_unit=RecommendingUnitFactory())


@pytest.fixture
def expert(db):
    return UserFactory(role=Role.EXPERT)


@pytest.fixture
def superuser(db):
    return UserFactory(role=Role.ADMINISTRATOR, is_superuser=True, is_staff=True)
