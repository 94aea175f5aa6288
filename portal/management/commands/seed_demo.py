import random

from django.core.management.base import BaseCommand

from applications.demo import generate_applications
from portal import demo
from portal.demo_year import OTHER_APPLICANTS, REVIEWERS, seed_demo_year


class Command(BaseCommand):
    help = ("Create the demo accounts and a whole programme year: open, in expert review, published "
            "(idempotent).")

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=0,
                            help="also generate this many realistic applications (for benchmarks)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed for generated data")

    def handle(self, *args, applications, seed, **options):
        result = seed_demo_year()
        self.stdout.write(self.style.SUCCESS("Demo accounts (password: %s):" % demo.DEMO_PASSWORD))
        for spec in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {spec.username:<15} {spec.description}")
        reviewers = f"{REVIEWERS[0][0]}–{REVIEWERS[-1][0][-1]}"
        applicants = f"{OTHER_APPLICANTS[0].username}–{OTHER_APPLICANTS[-1].username[-1]}"
        self.stdout.write(f"  {reviewers:<15} 专家库中的其他评审专家")
        self.stdout.write(f"  {applicants:<15} 其他申报单位（{OTHER_APPLICANTS[0].org_name}等）")
        programmes = [*result["programmes"], result["reviewing"], *result["published"]]
        for programme in programmes:
            self.stdout.write(f"Programme: {programme.title} [{programme.get_status_display()}]")
        if applications:
            rng = random.Random(seed)
            made = generate_applications(applications, rng)
            self.stdout.write(f"Generated applications: {made}")
