from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.backup import create_backup


class Command(BaseCommand):
    help = ("Back up the database (pg_dump or an SQLite online copy) and every stored file (the media folder "
            "or the S3 bucket) into one .tar.gz.")

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="archive path (default: var/backups/portal-<time>.tar.gz)")

    def handle(self, *args, output=None, **options):
        default = settings.VAR_DIR / "backups" / f"portal-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
        target = Path(output) if output else default
        target.parent.mkdir(parents=True, exist_ok=True)
        manifest = create_backup(target)
        summary = f"{manifest['engine']}, {manifest['media_files']} files from {manifest['storage']} storage"
        self.stdout.write(self.style.SUCCESS(f"{target} ({summary})"))
