"""Celery: Redis when REDIS_URL is set, otherwise an embedded broker on the file system, so the
worker started by `make run` is real. Tests switch to eager mode in tests/conftest.py only.

Three queues, so that e-mails never wait behind a 1,000-row Annex 2 PDF: ``mail`` (send_email),
``render`` (every background job: documents, Annex 2, exports, automatic assignment) and
``default`` (the rest: reminders, clean-up, the sweeper). Each queue's tasks carry a soft time
limit (the task can record its failure) and a hard one (the worker child is killed; a job left
"running" is then failed by the stuck-job sweeper). One beat process runs CELERY_BEAT_SCHEDULE.
"""

from datetime import timedelta

from celery.schedules import crontab
from kombu import Queue

from .env import env_int, env_str
from .paths import VAR_DIR

REDIS_URL = env_str("REDIS_URL")
CELERY_DATA_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "data_folder_processed": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_DATA_DIR / 'results'}"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
# A task is acknowledged once done: a worker lost mid-task leaves the message for redelivery.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_ALWAYS_EAGER = False

# --- queues and routes ------------------------------------------------------------------------
MAIL_QUEUE, RENDER_QUEUE, DEFAULT_QUEUE = "mail", "render", "default"
# A worker started without -Q consumes all three (make run); production runs one worker per queue.
CELERY_TASK_QUEUES = [Queue(DEFAULT_QUEUE), Queue(MAIL_QUEUE), Queue(RENDER_QUEUE)]
CELERY_TASK_DEFAULT_QUEUE = DEFAULT_QUEUE
CELERY_TASK_ROUTES = {
    "portal.tasks.send_email": {"queue": MAIL_QUEUE},
    # Every background job (registration forms, Annex 2, awards exports, audit exports, automatic
    # assignment) runs through run_job (defined in portal.jobs; the name is the one queued messages carry).
    "portal.tasks.run_job": {"queue": RENDER_QUEUE},
}

# Task modules outside the apps' tasks.py (which Celery autodiscovers).
CELERY_IMPORTS = ["portal.maintenance", "portal.jobs"]

# --- time limits (seconds): (soft, hard) per queue ---------------------------------------------
QUEUE_TIME_LIMITS = {
    MAIL_QUEUE: (env_int("CELERY_MAIL_SOFT_TIME_LIMIT", 60), env_int("CELERY_MAIL_TIME_LIMIT", 90)),
    RENDER_QUEUE: (env_int("CELERY_RENDER_SOFT_TIME_LIMIT", 300), env_int("CELERY_RENDER_TIME_LIMIT", 360)),
    DEFAULT_QUEUE: (env_int("CELERY_DEFAULT_SOFT_TIME_LIMIT", 120), env_int("CELERY_DEFAULT_TIME_LIMIT", 180)),
}
CELERY_TASK_SOFT_TIME_LIMIT, CELERY_TASK_TIME_LIMIT = QUEUE_TIME_LIMITS[DEFAULT_QUEUE]
# Routed tasks take their queue's limits (annotations set them on the task class, read by the worker).
CELERY_TASK_ANNOTATIONS = {
    name: {"soft_time_limit": QUEUE_TIME_LIMITS[route["queue"]][0], "time_limit": QUEUE_TIME_LIMITS[route["queue"]][1]}
    for name, route in CELERY_TASK_ROUTES.items()
}

# --- the schedule (one beat process) -----------------------------------------------------------
# Reminders go out 72 h and 24 h before each deadline; the hourly run sends each one once (the
# audit trail remembers it), so a missed run only delays a reminder by an hour.
REMINDER_OFFSETS_HOURS = (72, 24)
# Job result files (后台任务结果) are kept this many days, then deleted from storage.
JOB_RESULT_TTL_DAYS = env_int("JOB_RESULT_TTL_DAYS", 7)
# The sweeper (portal.jobs.sweep_stuck_jobs) fails a job with no sign of life for this long: above
# the render queue's hard time limit, so that only a job whose worker died is failed.
JOB_STALL_SECONDS = env_int("JOB_STALL_SECONDS", 15 * 60)
JOB_SWEEP_INTERVAL_SECONDS = env_int("JOB_SWEEP_INTERVAL_SECONDS", 300)
CELERY_BEAT_SCHEDULE = {
    "application-deadline-reminders": {
        "task": "applications.tasks.send_deadline_reminders",
        "schedule": crontab(minute=5),
    },
    "scoring-deadline-reminders": {
        "task": "scoring.tasks.send_deadline_reminders",
        "schedule": crontab(minute=10),
    },
    "sweep-stuck-jobs": {
        "task": "portal.tasks.sweep_stuck_jobs",
        "schedule": timedelta(seconds=JOB_SWEEP_INTERVAL_SECONDS),
    },
    "clear-expired-sessions": {
        "task": "portal.maintenance.clear_sessions",
        "schedule": crontab(hour=3, minute=20),
    },
    "delete-expired-job-files": {
        "task": "portal.maintenance.delete_expired_job_files",
        "schedule": crontab(hour=3, minute=40),
    },
}
# The beat's own state (last run times) stays in the var folder, not the working directory.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
