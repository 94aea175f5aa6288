# syntax=docker/dockerfile:1
#
# Production image for the portal. The same image runs gunicorn (web), the Celery workers and
# beat, and the one-off init service; see docker-compose.yml.
#
#   docker build -t quality-award-portal .
#
# Python packages come from requirements.lock (exact versions, every file's hash checked), the
# same lock set-up and CI install from. Only its runtime part: deploy/runtime_lock.py drops the
# dev extra (pytest, ruff, moto, Playwright), keeping the versions and hashes of everything else.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# System packages:
#   fonts-noto-cjk                 CJK glyphs for generated PDFs
#   libharfbuzz-subset0, libpango* runtime libraries needed by WeasyPrint
#   gettext                        msgfmt, used by `manage.py compilemessages`
#   postgresql-client              pg_dump / psql / pg_isready for operations
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk \
        libharfbuzz-subset0 \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        gettext \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Unprivileged runtime user.
RUN groupadd --system portal \
    && useradd --system --gid portal --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin portal

# Dependencies first (a layer that changes only with the lock), then the project itself.
COPY requirements.lock pyproject.toml /app/
COPY deploy/runtime_lock.py /app/deploy/runtime_lock.py
RUN python deploy/runtime_lock.py requirements.lock pyproject.toml > /tmp/requirements.runtime.lock \
    && pip install --require-hashes --no-deps -r /tmp/requirements.runtime.lock \
    && rm /tmp/requirements.runtime.lock

COPY . /app
RUN pip install --no-deps . && pip check

# Compile translations and collect static files (into /app/staticfiles) at build time; the init
# service collects them again into the shared volume nginx serves. The values below are
# placeholders used only for this build step; real values come at runtime (see .env.example).
# The production settings reject SECRET_KEYs shorter than 50 characters.
RUN DJANGO_SETTINGS_MODULE=portal.settings.production \
    SECRET_KEY=build-only-placeholder-key-never-used-at-runtime-0123456789 \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    MEDIA_ROOT=/app/media \
    sh -c 'python manage.py compilemessages \
        && python manage.py collectstatic --noinput' \
    && rm -f /tmp/build.sqlite3

# Writable directories: static files (the init service refreshes the volume), runtime data (the
# beat's schedule and pid), and media (used only when PORTAL_STORAGE=local). Creating them here
# with the right owner means a fresh named volume mounted on one inherits that ownership.
RUN mkdir -p /app/media /app/var /app/staticfiles \
    && chown -R portal:portal /app/media /app/var /app/staticfiles

ENV DJANGO_SETTINGS_MODULE=portal.settings.production \
    MEDIA_ROOT=/app/media

USER portal

EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=6s --start-period=20s --retries=3 \
    CMD ["python", "deploy/healthcheck.py", "http://127.0.0.1:8000/healthz/"]

CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "portal.wsgi:application"]
