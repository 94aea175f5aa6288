"""The notifier: one call fans out to the in-app feed and to e-mail (sent by Celery after commit)."""

from django.core.cache import cache
from django.db import transaction

from portal.models import Notification

UNREAD_TTL = 300  # seconds; every change below forgets the count anyway


def _unread_key(user_id) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user) -> int:
    """The number in the navigation bar's bell, read on every page: kept in the cache until the
    person's feed changes (forget_unread), so a page costs no COUNT query."""
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = user.notifications.filter(read_at__isnull=True).count()
        cache.set(key, count, UNREAD_TTL)
    return count


def forget_unread(user_ids) -> None:
    """Drops the cached counts now and again after commit (a page rendered in between could have
    cached the old count from before the transaction)."""
    keys = [_unread_key(pk) for pk in user_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def notify(recipients, subject: str, body: str = "", link: str = "") -> list[Notification]:
    """Tells each recipient (users; duplicates and inactive users are dropped)."""
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    rows = Notification.objects.bulk_create(
        [Notification(recipient=u, subject=str(subject), body=str(body), link=link) for u in people.values()]
    )
    forget_unread(people)
    emails = sorted({u.email for u in people.values() if u.email})
    if emails:
        from portal.tasks import send_email

        message = f"{body}\n\n{link}".strip() if link else str(body)
        transaction.on_commit(lambda: send_email.delay(emails, str(subject), message))
    return rows
