"""Background work of the shared core. Thin: arguments are plain values, the work is elsewhere.

The runner of background jobs, ``portal.tasks.run_job`` by its task name, lives in portal.jobs next
to what it runs."""

import os
import socket

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from portal import jobs
from portal.messages import email_text, render
from portal.models import User


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(self, recipients: list, subject: str = "", body: str = "", message: str = "",
               params: dict | None = None) -> int:
    """Sends one message to each recipient (separately, so addresses are not disclosed).

    ``message``: a catalogue key (portal.messages), written here, at send time, in each recipient's
    language with its link made absolute; recipients are then user ids (their address and language
    are read now) or plain addresses (the portal's default language). Without it, ``subject`` and
    ``body`` are sent as they are."""
    if not message:
        return sum(send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients)
    ids = [r for r in recipients if isinstance(r, int)]
    people = [(u.email, u.language or settings.LANGUAGE_CODE)
              for u in User.objects.filter(pk__in=ids, is_active=True).exclude(email="").order_by("pk")]
    people += [(r, settings.LANGUAGE_CODE) for r in recipients if isinstance(r, str)]
    sent = 0
    for address, language in people:
        rendered = render(message, params or {}, language)
        if rendered is not None:
            sent += send_mail(rendered.subject, email_text(rendered), settings.DEFAULT_FROM_EMAIL, [address])
    return sent


@shared_task
def ping(value: str) -> dict:
    """Echo, for health checks and the real-worker test."""
    return {"echo": value, "pid": os.getpid(), "host": socket.gethostname()}


@shared_task
def sweep_stuck_jobs() -> int:
    """Fails background jobs that have stopped making progress (run periodically by Celery beat)."""
    return jobs.sweep_stuck_jobs()
