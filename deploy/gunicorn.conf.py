"""gunicorn settings for a web node behind nginx (docker-compose.yml, make cluster).

    gunicorn -c deploy/gunicorn.conf.py portal.wsgi:application

Every value can be changed through the environment (GUNICORN_*), e.g. the bind address.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: nginx buffers request bodies (evidence uploads) and responses, so a slow client
# never holds a worker. 2–4 per core; the PDF work happens in Celery, not here.
workers = _int("GUNICORN_WORKERS", 3)
threads = _int("GUNICORN_THREADS", 1)
# A worker silent for this long is killed and replaced (a stuck request, not a slow upload).
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Keep-alive with nginx only (it reuses upstream connections).
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle each worker after about a thousand requests (memory growth never accumulates); the
# jitter keeps the workers from restarting together.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Heartbeat files in memory, not on the container's overlay disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Access log on stdout (the container's log), one line per request with the id nginx set, so a
# line here matches the application's JSON log lines of the same request.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}i)s '
    'peer=%(h)s agent="%(a)s"'
)
# The proxy in front is the only peer: gunicorn takes X-Forwarded-Proto from it (Django reads the
# same header through SECURE_PROXY_SSL_HEADER; the client address through PORTAL_TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "portal-web")
