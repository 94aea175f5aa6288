"""The notifier: one call fans out to the in-app feed and to e-mail (sent by Celery after commit)."""

from django.db import transaction

from portal.models import Notification


def notify(recipients, subject: str, body: str = "", link: str = "") -> list[Notification]:
    """Tells each recipient (users; duplicates and inactive users are dropped)."""
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    rows = Notification.objects.bulk_create(
        [Notification(recipient=u, subject=str(subject), body=str(body), link=link) for u in people.values()]
    )
    emails = sorted({u.email for u in people.values() if u.email})
    if emails:
        from portal.tasks import send_email

        message = f"{body}\n\n{link}".strip() if link else str(body)
        transaction.on_commit(lambda: send_email.delay(emails, str(subject), message))
    return rows
