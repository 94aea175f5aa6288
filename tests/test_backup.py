"""`manage.py backup` and `manage.py restore` round-trip a populated portal: rows and files."""

import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from portal.demo import seed_demo
from portal.models import AuditEntry, Organisation, User
from tests.factories import OrganisationFactory


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_back_rows_and_files(tmp_path):
    seed_demo()
    kept = OrganisationFactory(name="备份前的单位有限公司")
    stored = default_storage.save("evidence/report.pdf", ContentFile(b"%PDF-1.7 evidence"))
    counts = (User.objects.count(), Organisation.objects.count(), AuditEntry.objects.count())
    archive = tmp_path / "portal.tar.gz"

    call_command("backup", output=str(archive))
    assert archive.stat().st_size > 0

    # Damage: delete a row and a file, add a stray row.
    kept.delete()
    default_storage.delete(stored)
    OrganisationFactory(name="备份后才有的单位有限公司")

    call_command("restore", str(archive), yes=True)

    assert Organisation.objects.filter(name="备份前的单位有限公司").exists()
    assert not Organisation.objects.filter(name="备份后才有的单位有限公司").exists()
    assert (User.objects.count(), Organisation.objects.count(), AuditEntry.objects.count()) == counts
    assert User.objects.get(username="applicant").check_password("demo2026")
    with default_storage.open(stored) as fh:
        assert fh.read() == b"%PDF-1.7 evidence"


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_missing_archive(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "nope.tar.gz"), yes=True)


@pytest.mark.django_db(transaction=True)
def test_restore_forgets_what_the_cache_held_from_the_replaced_database(tmp_path):
    from django.core.cache import cache

    archive = tmp_path / "portal.tar.gz"
    call_command("backup", output=str(archive))
    cache.set("notifications:unread:1", 7)
    call_command("restore", str(archive), yes=True)
    assert cache.get("notifications:unread:1") is None


def test_forgetting_a_shared_redis_cache_keeps_the_celery_queue(settings):
    """Only the portal's keys go: the same Redis database holds the Celery broker's lists."""
    import redis

    from portal.backup import forget_cache

    url = "redis://127.0.0.1:6379/11"
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("no Redis on 127.0.0.1:6379 (CI has one)")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                                   "KEY_PREFIX": "portal"}}
    client.flushdb()
    client.set("portal:1:notifications:unread:1", b"7")
    client.set("portal:1:choices:generation", b"3")
    client.lpush("celery", b"a queued task")
    forget_cache()
    assert client.get("portal:1:notifications:unread:1") is None
    assert client.get("portal:1:choices:generation") is None
    assert client.lrange("celery", 0, -1) == [b"a queued task"]
    client.flushdb()
