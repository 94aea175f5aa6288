"""Celery as production runs it: three queues and their routes, time limits per queue, a beat
schedule naming only tasks the workers know, and the nightly clean-up tasks."""

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from portal import maintenance
from portal.celery import app as celery_app
from portal.models import Job, JobStatus
from tests.conftest import _reload_routes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def published_queue():
    """The queue each task is published to, with eager mode off and the broker call replaced."""
    celery_app.conf.task_always_eager = False
    _reload_routes()  # as configured, whatever an earlier test did
    with mock.patch.object(celery_app.amqp, "send_task_message") as send:
        def queue_of(task, *args):
            send.reset_mock()
            task.apply_async(args)
            return send.call_args.kwargs["queue"].name
        yield queue_of


def test_each_task_lands_on_its_queue(published_queue):
    from applications.tasks import send_deadline_reminders as app_reminders
    from portal.jobs import run_job
    from portal.tasks import ping, send_email, sweep_stuck_jobs

    assert published_queue(send_email, ["a@example.cn"], "主题", "正文") == "mail"
    assert published_queue(run_job, "00000000-0000-0000-0000-000000000000") == "render"
    assert published_queue(ping, "x") == "default"
    for task in (sweep_stuck_jobs, app_reminders, maintenance.clear_sessions,
                 maintenance.delete_expired_job_files_task):
        assert published_queue(task) == "default", task.name


def test_a_worker_without_q_consumes_all_three_queues():
    assert {q.name for q in celery_app.conf.task_queues} == {"default", "mail", "render"}
    assert celery_app.conf.task_default_queue == "default"
    run_sh = (ROOT / "scripts" / "run.sh").read_text()
    assert "-Q default,mail,render" in run_sh and " -B" in run_sh  # make run: every queue and the beat


def test_time_limits_per_queue():
    from portal.jobs import run_job
    from portal.tasks import ping, send_email

    assert (run_job.soft_time_limit, run_job.time_limit) == (300, 360)
    assert (send_email.soft_time_limit, send_email.time_limit) == (60, 90)
    assert (celery_app.conf.task_soft_time_limit, celery_app.conf.task_time_limit) == (120, 180)
    assert (ping.soft_time_limit, ping.time_limit) == (120, 180)  # the rest: the default queue's
    for task in (run_job, send_email):
        assert task.soft_time_limit < task.time_limit  # the soft limit lets the task record its failure
    assert celery_app.conf.task_acks_late is True


def test_beat_schedule_names_only_tasks_a_worker_registers():
    """In a fresh process, as a worker starts: autodiscovery and CELERY_IMPORTS, then every
    scheduled name must resolve in the registry."""
    code = (
        "import django, json; django.setup()\n"
        "from portal.celery import app\n"
        "app.loader.import_default_modules()\n"
        "names = {e['task'] for e in app.conf.beat_schedule.values()}\n"
        "print(json.dumps({'scheduled': sorted(names), 'missing': sorted(n for n in names if n not in app.tasks)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "portal.settings"})
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["missing"] == []
    assert set(result["scheduled"]) == {
        "applications.tasks.send_deadline_reminders", "scoring.tasks.send_deadline_reminders",
        "portal.tasks.sweep_stuck_jobs", "portal.maintenance.clear_sessions",
        "portal.maintenance.delete_expired_job_files",
    }


JOB_KINDS = {
    "portal.audit_export", "applications.render_documents", "applications.annex2", "scoring.auto_assign",
    "awards.score_sheet", "awards.ranking_pdf", "awards.published_list", "awards.certificate",
    "awards.certificates_zip", "awards.report_pdf",
}


def test_a_worker_process_knows_the_runner_and_every_job_kind():
    """In a fresh process, as `celery -A portal worker` starts (portal.celery, then django.setup()
    through Celery's Django fix-up, then autodiscovery): the runner under the name queued messages
    carry, and every kind, registered by the apps' ready() with nothing imported for its side effect."""
    code = (
        "import json\n"
        "from portal.celery import app\n"
        "app.loader.init_worker()\n"  # what the worker does: django.setup() and the task modules
        "from portal.jobs import REGISTRY\n"
        "print(json.dumps({'kinds': sorted(REGISTRY), 'runner': 'portal.tasks.run_job' in app.tasks,\n"
        "                  'route': app.amqp.router.route({}, 'portal.tasks.run_job')['queue'].name}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "portal.settings"})
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(result["kinds"]) >= JOB_KINDS
    assert result["runner"] and result["route"] == "render"


def test_the_runner_keeps_the_task_name_queued_messages_carry():
    from portal.jobs import REGISTRY, run_job

    assert run_job.name == "portal.tasks.run_job" and run_job.name in celery_app.tasks
    assert set(REGISTRY) >= JOB_KINDS  # this process too (pytest-django ran django.setup())


def test_sweeper_runs_every_few_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stuck-jobs"]
    assert entry["schedule"] <= timedelta(minutes=10)


@pytest.mark.django_db
def test_expired_job_files_are_deleted_through_the_storage(settings):
    settings.JOB_RESULT_TTL_DAYS = 7
    now = timezone.now()

    def job(days_ago):
        j = Job.objects.create(kind="portal.audit_export", status=JobStatus.SUCCEEDED,
                               finished_at=now - timedelta(days=days_ago))
        j.result.save("result.xlsx", ContentFile(b"data"))
        return j

    old, fresh = job(8), job(2)
    unfinished = Job.objects.create(kind="portal.audit_export", status=JobStatus.RUNNING)
    old_name = old.result.name
    assert default_storage.exists(old_name)

    # Through the storage API (the S3 bucket in production), never a local path.
    with mock.patch.object(default_storage, "delete", wraps=default_storage.delete) as delete:
        assert maintenance.delete_expired_job_files_task.delay().get() == 1
    delete.assert_called_once_with(old_name)

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert not old.result and old.status == JobStatus.SUCCEEDED
    assert default_storage.exists(fresh.result.name)
    assert Job.objects.filter(pk=unfinished.pk).exists()
    assert maintenance.delete_expired_job_files() == 0  # nothing left to do


@pytest.mark.django_db
def test_clear_sessions_task_deletes_expired_sessions():
    Session.objects.create(session_key="expired" * 4, session_data="x", expire_date=timezone.now() - timedelta(days=1))
    Session.objects.create(session_key="current" * 4, session_data="x", expire_date=timezone.now() + timedelta(days=1))
    maintenance.clear_sessions.delay().get()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current" * 4]
