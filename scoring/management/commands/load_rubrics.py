from django.core.management.base import BaseCommand

from scoring.services.rubrics import load_shipped_rubrics


class Command(BaseCommand):
    help = "Load the shipped rubrics (fixtures/rubrics/*.yaml); idempotent, existing rubrics are kept."

    def handle(self, *args, **options):
        for name, status in load_shipped_rubrics().items():
            self.stdout.write(f"{name}: {status}")
