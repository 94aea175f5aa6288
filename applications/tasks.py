"""Scheduled work of the applications app (the beat runs it hourly; see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task
def send_deadline_reminders() -> int:
    """Submission and recommendation deadline reminders that are due (each sent once)."""
    from applications.reminders import send_deadline_reminders as send

    return send()
