from django.core.management.base import BaseCommand

from portal.reference import load_reference


class Command(BaseCommand):
    help = "Load Shanghai's districts, the 12 project categories, recommending units and organisers."

    def handle(self, *args, **options):
        created = load_reference()
        self.stdout.write(", ".join(f"{k}: +{v}" for k, v in created.items()))
