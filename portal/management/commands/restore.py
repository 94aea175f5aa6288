import tarfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import restore_backup


class Command(BaseCommand):
    help = ("Restore the database and the stored files (media folder or S3 bucket) from an archive made by "
            "`manage.py backup`. The media folder is emptied, never removed.")

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, archive, yes, **options):
        path = Path(archive)
        if not path.exists():
            raise CommandError(f"找不到备份文件 {path}。(No such file.)")
        if not yes and input("当前数据与上传文件将被替换，继续？(yes/no) ").strip().lower() != "yes":
            raise CommandError("已取消。(Cancelled.)")
        try:
            manifest = restore_backup(path)
        except (ValueError, tarfile.TarError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"restored {path} (made {manifest['created_at']})"))
