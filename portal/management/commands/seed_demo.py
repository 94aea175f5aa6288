import random

from django.core.management.base import BaseCommand

from portal import demo


class Command(BaseCommand):
    help = "Create the demo programmes and one demo account per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=0,
                            help="also generate this many realistic applications (for benchmarks)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed for generated data")

    def handle(self, *args, applications, seed, **options):
        result = demo.seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo accounts (password: %s):" % demo.DEMO_PASSWORD))
        for spec in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {spec.username:<15} {spec.description}")
        for programme in result["programmes"]:
            self.stdout.write(f"Programme: {programme.title} [{programme.get_status_display()}]")
        if applications:
            rng = random.Random(seed)
            from applications.demo import generate_applications

            made = generate_applications(applications, rng)
            self.stdout.write(f"Generated applications: {made}")
