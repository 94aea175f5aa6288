"""`manage.py backup` and `manage.py restore` round-trip a populated portal: rows and files."""

import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from portal.demo import seed_demo
from portal.models import AuditEntry, Organisation, User
from tests.factories import OrganisationFactory

ROOT = Path(__file__).resolve().parents[2]


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


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def mounted_media():
    """A media folder as a container mounts it: the portal's user owns the folder but may not write
    its parent, so the folder itself can be emptied, never removed. As root the restore runs as
    `nobody` on a tmpfs mounted there (when mounting is allowed; else the folder is chowned to it,
    the parent staying root's 0755); as another user the parent is made read-only. Yields (media
    folder, private work folder, command prefix, a function that locks the parent)."""
    base = Path(tempfile.mkdtemp(prefix="restore-mount-", dir="/tmp"))
    base.chmod(0o755)
    media, work = base / "media", base / "work"
    media.mkdir()
    work.mkdir(mode=0o700)
    root = os.geteuid() == 0
    mounted = False
    if root:
        nobody = pwd.getpwnam("nobody")
        for path in (media, work):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        prefix = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
        # A real mount when this machine allows one (a container without CAP_SYS_ADMIN does not):
        # then even a writable parent could not remove the folder.
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size=16m,mode=0755,uid={nobody.pw_uid},gid={nobody.pw_gid}", "tmpfs",
             str(media)], capture_output=True).returncode == 0
    else:
        prefix = []
    try:
        yield media, work, prefix, (lambda: None if root else base.chmod(0o555))
    finally:
        if mounted:
            subprocess.run(["umount", str(media)], check=False)
        base.chmod(0o755)
        subprocess.run(["rm", "-rf", str(base)], check=False)


def _give(path: Path, like: Path):
    stat = like.stat()
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.chown(item, stat.st_uid, stat.st_gid)


@pytest.mark.django_db(transaction=True)
def test_restore_as_a_non_root_user_empties_the_mounted_media_folder_and_keeps_it(settings, tmp_path, mounted_media):
    """`restore` once did shutil.rmtree(MEDIA_ROOT): on a mounted volume it emptied the folder and
    then failed to remove it, so the database came back and the evidence did not."""
    from django.db import connection

    media, work, prefix, lock_parent = mounted_media
    OrganisationFactory(name="备份前的单位有限公司")
    default_storage.save("evidence/report.pdf", ContentFile(b"%PDF-1.7 evidence"))
    archive = work / "portal.tar.gz"
    call_command("backup", output=str(archive))
    OrganisationFactory(name="备份后才有的单位有限公司")

    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_REDIS_URL", "DATABASE_URL"}}
    sqlite = connection.vendor == "sqlite"
    if sqlite:  # a copy the unprivileged user may write (SQLite writes a journal beside it)
        connection.close()
        shutil.copy(connection.settings_dict["NAME"], work / "db.sqlite3")
        env["DATABASE_URL"] = f"sqlite:///{work / 'db.sqlite3'}"
    else:
        env["DATABASE_URL"] = _database_url()
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", MEDIA_ROOT=str(media), PORTAL_VAR_DIR=str(work / "var"),
               HOME=str(work))
    print("media folder is a mount point:", os.path.ismount(media))
    (media / "evidence").mkdir()
    (media / "evidence" / "stale.pdf").write_bytes(b"stale")
    (media / "left-over.txt").write_text("stale")
    _give(work, media)
    _give(media, media)
    lock_parent()
    inode = media.stat().st_ino

    out = subprocess.run([*prefix, sys.executable, str(ROOT / "manage.py"), "restore", str(archive), "--yes"],
                         cwd=work, env=env, capture_output=True, text=True)

    assert out.returncode == 0, out.stdout + out.stderr
    assert media.is_dir() and media.stat().st_ino == inode  # the same folder, not a new one
    assert sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()) == ["evidence/report.pdf"]
    assert (media / "evidence" / "report.pdf").read_bytes() == b"%PDF-1.7 evidence"
    if sqlite:
        with sqlite3.connect(work / "db.sqlite3") as db:
            names = {row[0] for row in db.execute("SELECT name FROM portal_organisation")}
    else:
        names = set(Organisation.objects.values_list("name", flat=True))
    assert "备份前的单位有限公司" in names and "备份后才有的单位有限公司" not in names


pytest_plugins = ["tests.s3server"]  # fixtures: moto_endpoint, s3 (a boto3 client), s3_bucket


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_cover_the_bucket(tmp_path, s3, s3_bucket):
    kept = default_storage.save("evidence/kept.pdf", ContentFile(b"%PDF-1.7 kept"))
    job = default_storage.save("jobs/2026/12/汇总表.pdf", ContentFile(b"%PDF-1.7 job"))
    archive = tmp_path / "portal.tar.gz"
    call_command("backup", output=str(archive))
    with tarfile.open(archive) as tar:
        assert {f"media/{kept}", f"media/{job}"} <= set(tar.getnames())

    default_storage.delete(kept)
    default_storage.save("evidence/stray.pdf", ContentFile(b"after the backup"))
    call_command("restore", str(archive), yes=True)

    objects = s3.list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert sorted(item["Key"] for item in objects) == sorted([kept, job])
    assert s3.get_object(Bucket=s3_bucket, Key=kept)["Body"].read() == b"%PDF-1.7 kept"
    grants = s3.get_object_acl(Bucket=s3_bucket, Key=kept)["Grants"]
    assert not [g for g in grants if "URI" in g["Grantee"]]  # restored objects are private too


@pytest.mark.django_db(transaction=True)
def test_an_archive_from_local_disk_restores_into_the_bucket(tmp_path, settings, s3, s3_bucket):
    bucket_storages = settings.STORAGES
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    name = default_storage.save("evidence/local.pdf", ContentFile(b"%PDF-1.7 local"))
    archive = tmp_path / "portal.tar.gz"
    call_command("backup", output=str(archive))
    settings.STORAGES = bucket_storages
    call_command("restore", str(archive), yes=True)
    assert s3.get_object(Bucket=s3_bucket, Key=name)["Body"].read() == b"%PDF-1.7 local"


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_archive_whose_media_leave_the_folder_before_replacing_anything(tmp_path, settings):
    import io

    from django.core.management.base import CommandError

    good = tmp_path / "good.tar.gz"
    call_command("backup", output=str(good))
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(good) as source, tarfile.open(evil, "w:gz") as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member))
        info = tarfile.TarInfo("media/../../escaped.txt")
        info.size = 3
        target.addfile(info, io.BytesIO(b"bad"))
    OrganisationFactory(name="坏备份之后的单位有限公司")
    with pytest.raises(CommandError):
        call_command("restore", str(evil), yes=True)
    assert not (Path(settings.MEDIA_ROOT).parent.parent / "escaped.txt").exists()
    # Refused before anything was replaced.
    assert Organisation.objects.filter(name="坏备份之后的单位有限公司").exists()
