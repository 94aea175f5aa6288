# syntax=docker/dockerfile:1
#
# Production image for the portal (Django + gunicorn; the same image runs the
# celery worker, see docker-compose.yml).
#
#   docker build -t portal .
#   docker run --env-file .env -p 8000:8000 portal
#
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

COPY . /app

# Install the project and its dependencies (gunicorn, celery, ... are declared
# in pyproject.toml; the `dev` extra is deliberately not installed).
RUN pip install --upgrade pip \
    && pip install .

# Compile translations and collect static files (into /app/staticfiles, served
# by WhiteNoise) at build time. The values below are placeholders used only for
# this build step; real values are supplied at runtime (see .env.example).
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

# Writable directories for uploads (mounted as a volume) and runtime data.
# Creating /app/media here with the right owner means a fresh named volume
# mounted on it inherits that ownership.
RUN mkdir -p /app/media /app/var \
    && chown -R portal:portal /app/media /app/var

ENV DJANGO_SETTINGS_MODULE=portal.settings.production \
    MEDIA_ROOT=/app/media

USER portal

EXPOSE 8000

CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
