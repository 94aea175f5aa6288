"""Rebuild the duplicate check's index (疑似重复).

    manage.py rebuild_duplicate_index            signatures of changed or missing applications, then the index
    manage.py rebuild_duplicate_index --all      every signature computed again (after a change of method)
    manage.py rebuild_duplicate_index --scan     and every past-draft application checked again for pairs
                                                 (after lowering DUPLICATE_SIMILARITY_THRESHOLD, or a failed check)
"""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from applications import duplicates_index
from applications.models import (
    Application,
    ApplicationFingerprint,
    ApplicationStatus,
    DuplicateCandidate,
    DuplicateStatus,
)
from applications.services import duplicates

CHUNK = 500


class Command(BaseCommand):
    help = "Recompute stale MinHash signatures of submitted applications and rebuild the LSH index."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="recompute every signature")
        parser.add_argument("--scan", action="store_true", help="check every application for pairs again")

    @staticmethod
    def _store(batch) -> int:
        """One transaction per chunk: SQLite pays a disk sync per commit."""
        count = len(batch)
        if batch:
            with transaction.atomic():
                duplicates.store_many(batch)
            batch.clear()
        return count

    def handle(self, *args, all=False, scan=False, **options):
        started = time.perf_counter()
        submitted = Application.objects.exclude(status=ApplicationStatus.DRAFT)
        # Drafts never submitted have no place in the index (a returned one keeps its last submission's).
        ApplicationFingerprint.objects.filter(application__status=ApplicationStatus.DRAFT,
                                              application__submitted_at__isnull=True).delete()
        if all:
            ApplicationFingerprint.objects.all().delete()
        changed = 0
        stored = dict(ApplicationFingerprint.objects.values_list("application_id", "digest"))
        rows = submitted.values("pk", "status", *duplicates_index.CONTENT_FIELDS)
        batch = []
        for row in rows.iterator(chunk_size=CHUNK):
            if row["status"] == ApplicationStatus.RETURNED and row["pk"] in stored:
                continue  # its signature is of what was submitted, not of the edits since
            found = duplicates.compute(row)
            if found.digest != stored.get(row["pk"]):
                batch.append(found.row(row["pk"]))
            if len(batch) >= CHUNK:
                changed += self._store(batch)
        changed += self._store(batch)
        index = duplicates_index.rebuild_index()
        pairs = 0
        if scan:
            for app in submitted.iterator(chunk_size=200):
                duplicates.check_application(app)
            pairs = DuplicateCandidate.objects.filter(status=DuplicateStatus.OPEN).count()
        self.stdout.write(
            f"{changed} signatures computed, {len(index)} applications indexed"
            + (f", {pairs} open pairs found" if scan else "")
            + f" in {time.perf_counter() - started:.1f} s"
        )
