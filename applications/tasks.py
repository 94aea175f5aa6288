"""Scheduled work of the applications app (the beat runs it hourly; see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from applications import reminders


@shared_task
def send_deadline_reminders() -> int:
    """Submission and recommendation deadline reminders that are due (each sent once)."""
    return reminders.send_deadline_reminders()
