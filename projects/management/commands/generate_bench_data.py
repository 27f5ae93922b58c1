from django.core.management.base import BaseCommand, CommandError

from bench.generate import generate


class Command(BaseCommand):
    help = (
        "Benchmark data: one published map with N published projects (3 team members, "
        "3 metrics, 2-3 tags each) plus ~10% hidden ones. Writes into DATABASE_URL; "
        "the database must not hold the benchmark maps already."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, required=True)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, projects, seed, **options):
        try:
            seconds = generate(projects=projects, seed=seed, log=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Generated {projects:,} projects in {seconds:.1f} s.")
        )
