from django.conf import settings
from django.core.management.base import BaseCommand

from portal.downloads import nginx_location


class Command(BaseCommand):
    help = ("Print the nginx `internal` location that PORTAL_ACCEL_REDIRECT_PREFIX downloads need: an alias to "
            "MEDIA_ROOT, or a proxy to the bucket's AWS_S3_ENDPOINT_URL (from the settings unless given).")

    def add_arguments(self, parser):
        parser.add_argument("--prefix", default=settings.PORTAL_ACCEL_REDIRECT_PREFIX or "/protected/")
        parser.add_argument("--media-root", help="the media folder as nginx sees it (default: MEDIA_ROOT)")
        parser.add_argument("--s3-endpoint", help="the S3 endpoint as nginx reaches it (default: AWS_S3_ENDPOINT_URL)")

    def handle(self, *args, prefix, media_root=None, s3_endpoint=None, **options):
        storage = settings.STORAGES["default"]
        if s3_endpoint is None and not storage["BACKEND"].endswith("FileSystemStorage"):
            s3_endpoint = storage.get("OPTIONS", {}).get("endpoint_url") or ""
        self.stdout.write(nginx_location(prefix, media_root=media_root or str(settings.MEDIA_ROOT),
                                         s3_endpoint=s3_endpoint or ""))
