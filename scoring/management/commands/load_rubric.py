from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.services.errors import DomainError
from scoring.services.rubrics import load_rubric


class Command(BaseCommand):
    help = "Load rubric YAML files (fixtures/rubrics/README.md). A bad file is refused whole, with every fault."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--replace", action="store_true", help="overwrite a rubric with the same code (if unused)")

    def handle(self, *args, **options):
        for path in options["files"]:
            try:
                rubric = load_rubric(Path(path), existing="replace" if options["replace"] else "refuse")
            except DomainError as error:
                raise CommandError(f"{path}:\n{error}") from error
            self.stdout.write(f"{path}: {rubric.code} {rubric.load_status}")
