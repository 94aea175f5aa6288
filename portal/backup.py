"""Backup and restore of the whole portal: the database and the uploaded files.

One .tar.gz holds ``manifest.json``, the database (``database.dump`` from pg_dump's custom format
on PostgreSQL; ``database.sqlite3``, a consistent copy made with SQLite's online backup API) and
``media/``. Restore replaces the database content and the media folder with the archive's.
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


def create_backup(target: Path) -> dict:
    """Writes the archive to ``target`` and returns its manifest."""
    db, engine = _database()
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / ("database.sqlite3" if engine == "sqlite" else "database.dump")
        if engine == "sqlite":
            connections["default"].close()
            with sqlite3.connect(db["NAME"]) as source, sqlite3.connect(dump) as copy:
                source.backup(copy)
        else:
            args, env = _pg_env(db)
            subprocess.run(["pg_dump", "-Fc", "--no-owner", *args, "-f", str(dump), db["NAME"]], env=env, check=True)
        files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "created_at": timezone.now().isoformat(),
            "django": django.get_version(),
            "media_files": len(files),
        }
        with tarfile.open(target, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            for path in files:
                tar.add(path, arcname=f"media/{path.relative_to(media).as_posix()}")
    return manifest


def restore_backup(source: Path) -> dict:
    """Replaces the database and media with the archive's content; returns its manifest."""
    db, engine = _database()
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(source, "r:gz") as tar:
        tar.extractall(tmp, filter="data")  # refuses absolute paths, links out of the folder, devices
        root = Path(tmp)
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("engine") != engine:
            raise ValueError(
                f"备份文件与当前数据库不符（{manifest.get('engine')} → {engine}）。"
                "(The backup does not match this database.)"
            )
        connections.close_all()
        if engine == "sqlite":
            with sqlite3.connect(root / "database.sqlite3") as backup, sqlite3.connect(db["NAME"]) as live:
                backup.backup(live)
        else:
            args, env = _pg_env(db)
            subprocess.run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args,
                 "-d", db["NAME"], str(root / "database.dump")],
                env=env, check=True,
            )
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.rmtree(media)
        if (root / "media").exists():
            shutil.copytree(root / "media", media)
        else:
            media.mkdir(parents=True, exist_ok=True)
    forget_cache()
    return manifest


def forget_cache() -> None:
    """After a restore nothing cached from the replaced database may be served (sessions read
    through the cache, unread counts, option lists, the public XLSX). Redis holds the Celery queue
    too, so only the portal's own keys (its KEY_PREFIX) go, not the whole database. A local-memory
    cache lives in each process: this clears this one; a running server's go when it restarts."""
    from django.core.cache import cache

    config = settings.CACHES["default"]
    if not config["BACKEND"].endswith("RedisCache"):
        cache.clear()
        return
    import redis

    client = redis.Redis.from_url(config["LOCATION"])
    keys = list(client.scan_iter(match=f"{config.get('KEY_PREFIX', '')}:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start:start + 500])
