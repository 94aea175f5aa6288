"""Scheduled work of the scoring app (the beat runs it hourly; see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task
def send_deadline_reminders() -> int:
    """Scoring deadline reminders that are due (each sent once)."""
    from scoring.reminders import send_deadline_reminders as send

    return send()
