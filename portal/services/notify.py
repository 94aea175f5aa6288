"""The notifier: one call fans out to the in-app feed and to e-mail (sent by Celery after commit).

A notification names the object it is about (``about=``): the feed, the dashboard and the unread
count leave it out once the person can no longer see that object (portal.visibility.notifications_for).
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from portal.messages import MESSAGES, absolute, render
from portal.models import Notification
from portal.tasks import send_email
from portal.visibility import about_label, notifications_for

UNREAD_TTL = 300  # seconds; every change below forgets the count anyway
_GENERATION_KEY = "notifications:unread:generation"


def _generation() -> int:
    """Bumped when visibility changes for many people at once (forget_unread(None)): every cached
    count made before is ignored, without knowing whose they were."""
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = 0
        cache.add(_GENERATION_KEY, generation, None)
    return generation


def _unread_key(user_id, generation=None) -> str:
    return f"notifications:unread:{_generation() if generation is None else generation}:{user_id}"


def unread_count(user) -> int:
    """The number in the navigation bar's bell, read on every page: kept in the cache until the
    person's feed or what they may see changes (forget_unread), so a page costs no COUNT query.
    Counted through notifications_for, so it never counts what the feed leaves out."""
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = notifications_for(user).filter(read_at__isnull=True).count()
        cache.set(key, count, UNREAD_TTL)
    return count


def forget_unread(user_ids) -> None:
    """Drops the cached counts now and again after commit (a page rendered in between could have
    cached the old count from before the transaction). ``None``: everyone's (a change of what many
    people may see, e.g. a programme leaving review)."""
    if user_ids is None:
        def bump():
            try:
                cache.incr(_GENERATION_KEY)
            except ValueError:
                cache.set(_GENERATION_KEY, 1, None)

        bump()
        transaction.on_commit(bump)
        return
    generation = _generation()
    keys = [_unread_key(pk, generation) for pk in user_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def visibility_changed(user_ids=None) -> None:
    """What these people (None: anyone) may see has changed (a conflict, an assignment ended): their
    cached unread counts may now include notifications the feed leaves out."""
    forget_unread(user_ids)


def notify(recipients, subject: str, body: str = "", link: str = "", *, about=None,
           params: dict | None = None) -> list[Notification]:
    """Tells each recipient (users; duplicates and inactive users are dropped). ``subject``: a key
    of the catalogue (portal.messages) with its ``params`` (plain JSON values): the feed shows it in
    the reader's language, the e-mail is written in the recipient's. (Text instead of a key is still
    accepted and stored as it is, for callers not yet moved to the catalogue.) ``about``: the object
    the notification concerns (an application, a programme…), so it disappears from the feed of
    anyone who may no longer see that object."""
    about_model, about_id = about_label(about)
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    key, params = (str(subject), params or {}) if str(subject) in MESSAGES else ("", {})
    if key:
        # The source (Chinese) text is kept too: the admin and any row whose entry is later removed.
        source = render(key, params, settings.LANGUAGE_CODE)
        if source is None:  # a caller's mistake: say which, rather than store a notification nobody can read
            raise ValueError(f"notification {key!r}: the parameters {sorted(params)} do not fit its text or link")
        subject, body, link = source.subject, source.body, source.link
    rows = Notification.objects.bulk_create(
        [Notification(recipient=u, subject=str(subject)[:200], body=str(body), link=link, about_model=about_model,
                      about_id=about_id, message_key=key, params=params) for u in people.values()]
    )
    forget_unread(people)
    mailed = sorted(pk for pk, u in people.items() if u.email)
    if mailed:
        if key:
            transaction.on_commit(lambda: send_email.delay(mailed, message=key, params=params))
        else:
            text = "\n\n".join(part for part in (str(body), absolute(link)) if part)
            emails = sorted({people[pk].email for pk in mailed})
            transaction.on_commit(lambda: send_email.delay(emails, str(subject), text))
    return rows


def send_message(addresses, key: str, **params) -> None:
    """E-mail only, after commit, in the portal's default language (a unit's mailbox, an invitation
    whose link is a credential and must not sit in a feed)."""
    addresses = sorted({a for a in addresses if a})
    if addresses:
        transaction.on_commit(lambda: send_email.delay(addresses, message=key, params=params))
