"""Scheduled work of the scoring app (the beat runs it hourly; see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from scoring import reminders


@shared_task
def send_deadline_reminders() -> int:
    """Scoring deadline reminders that are due (each sent once)."""
    return reminders.send_deadline_reminders()
