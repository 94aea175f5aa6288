"""Backup and restore of the whole portal: the database and the uploaded files.

One .tar.gz holds, in this order, ``manifest.json``, the database (``database.dump`` from
pg_dump's custom format on PostgreSQL; ``database.sqlite3``, a consistent copy made with SQLite's
online backup API) and ``media/``: every file of the default storage, local disk or the S3 bucket
alike, streamed one at a time (evidence can be 200 MB a file). Restore replaces the database and
the storage's files with the archive's. It empties the media folder but never removes the folder
itself: in a container it is a mounted volume that the portal's user may not delete or recreate.
An archive made on local disk restores into a bucket and the other way round.
"""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections
from django.utils import timezone

FORMAT = 1


def _database():
    db = settings.DATABASES["default"]
    return db, ("sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql")


def _pg_env(db) -> tuple[list[str], dict]:
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432), "-U", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def stored_names(storage=default_storage, folder: str = ""):
    """Every file name in ``storage`` (local folder or bucket), walking its folders."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a media folder not made yet
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from stored_names(storage, f"{folder}/{sub}" if folder else sub)


def _reader(storage, name):
    """A file object to copy from. For a bucket, the object's body streamed as it downloads
    (django-storages' own file would hold the whole object in memory first)."""
    if hasattr(storage, "bucket"):
        # django-storages has no public name → key mapping (the location prefix).
        return storage.bucket.Object(storage._normalize_name(name)).get()["Body"]  # noqa: SLF001
    return storage.open(name, "rb")


def create_backup(target: Path) -> dict:
    """Writes the archive to ``target`` and returns its manifest."""
    db, engine = _database()
    storage = default_storage
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / ("database.sqlite3" if engine == "sqlite" else "database.dump")
        if engine == "sqlite":
            connections["default"].close()
            with sqlite3.connect(db["NAME"]) as source, sqlite3.connect(dump) as copy:
                source.backup(copy)
        else:
            args, env = _pg_env(db)
            subprocess.run(["pg_dump", "-Fc", "--no-owner", *args, "-f", str(dump), db["NAME"]], env=env, check=True)
        # readyz/ holds the readiness probe's short-lived files, gone by the time they would be read.
        names = sorted(name for name in stored_names(storage) if not name.startswith("readyz/"))
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "storage": "s3" if hasattr(storage, "bucket") else "local",
            "created_at": timezone.now().isoformat(),
            "django": django.get_version(),
            "media_files": len(names),
        }
        with tarfile.open(target, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            for name in names:
                info = tarfile.TarInfo(f"media/{name}")
                info.size = storage.size(name)
                info.mtime = int(timezone.now().timestamp())
                reader = _reader(storage, name)
                try:
                    tar.addfile(info, reader)
                finally:
                    reader.close()
    return manifest


def restore_backup(source: Path) -> dict:
    """Replaces the database and the stored files with the archive's content; returns its manifest."""
    db, engine = _database()
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(source, "r:gz") as tar:
        # Every entry is checked before anything is replaced (one pass over the archive), then
        # read in order: the media are streamed into the storage, never unpacked to disk.
        for member in tar:
            _safe(member, tmp)
        members = iter(tar.getmembers())
        first = next(members, None)
        if first is None or first.name != "manifest.json":
            raise ValueError("备份文件不完整。(Not an archive made by `manage.py backup`.)")
        manifest = json.load(tar.extractfile(first))
        if manifest.get("format") != FORMAT or manifest.get("engine") != engine:
            raise ValueError(
                f"备份文件与当前数据库不符（{manifest.get('engine')} → {engine}）。"
                "(The backup does not match this database.)"
            )
        dump = next(members, None)
        expected = "database.sqlite3" if engine == "sqlite" else "database.dump"
        if dump is None or dump.name != expected:
            raise ValueError("备份文件不完整。(The archive holds no database.)")
        with tar.extractfile(dump) as handle, open(Path(tmp) / expected, "wb") as copy:
            shutil.copyfileobj(handle, copy)
        _restore_database(db, engine, Path(tmp) / expected)
        _empty_storage(default_storage)
        for member in members:
            if not member.isfile() or not member.name.startswith("media/"):
                continue
            name = member.name.removeprefix("media/")
            with tar.extractfile(member) as handle:
                saved = default_storage.save(name, File(handle, name=name))
            if saved != name:
                raise ValueError(f"无法按原名恢复 {name}。(Restored under another name: {saved}.)")
    forget_cache()
    return manifest


def _safe(member: tarfile.TarInfo, folder: str) -> tarfile.TarInfo:
    """Refuses absolute names, names leaving the folder, links and devices (tarfile's "data"
    filter; the same rules by hand on Python 3.11.0–3.11.3, which lack it)."""
    if hasattr(tarfile, "data_filter"):
        return tarfile.data_filter(member, folder)
    if member.name.startswith("/") or ".." in Path(member.name).parts or not (member.isfile() or member.isdir()):
        raise ValueError(f"备份文件含有不安全的条目 {member.name}。(Unsafe archive entry.)")
    return member


def _restore_database(db, engine, dump: Path) -> None:
    connections.close_all()
    if engine == "sqlite":
        with sqlite3.connect(dump) as backup, sqlite3.connect(db["NAME"]) as live:
            backup.backup(live)
    else:
        args, env = _pg_env(db)
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args,
             "-d", db["NAME"], str(dump)],
            env=env, check=True,
        )


def _empty_storage(storage) -> None:
    """Deletes every stored file. On local disk, the media folder's children go and the folder
    stays (a mount point cannot be removed, and its parent is usually not ours to write)."""
    if isinstance(storage, FileSystemStorage):
        root = Path(storage.location)
        root.mkdir(parents=True, exist_ok=True)
        for child in root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        return
    for name in list(stored_names(storage)):
        storage.delete(name)


def forget_cache() -> None:
    """After a restore nothing cached from the replaced database may be served (sessions read
    through the cache, unread counts, option lists, the public XLSX). Redis holds the Celery queue
    too, so only the portal's own keys (its KEY_PREFIX) go, not the whole database. A local-memory
    cache lives in each process: this clears this one; a running server's go when it restarts."""
    config = settings.CACHES["default"]
    if not config["BACKEND"].endswith("RedisCache"):
        cache.clear()
        return
    # Only a Redis cache needs the client; a restore also runs under a bare interpreter (a non-root
    # user's, tests/portal/test_backup.py) where redis-py's asyncio half cannot import.
    import redis  # noqa: PLC0415

    client = redis.Redis.from_url(config["LOCATION"])
    keys = list(client.scan_iter(match=f"{config.get('KEY_PREFIX', '')}:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start:start + 500])
