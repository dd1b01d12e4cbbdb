from django.core.management.base import BaseCommand, CommandError

from kaohe.audit.queries import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `kaohe audit verify` checks the hash chain: edited or deleted rows fail it."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["verify"])

    def handle(self, *args, **options):
        count, problems = verify_chain()
        if problems:
            for p in problems:
                self.stderr.write(f"#{p.seq}: {p.problem}")
            raise CommandError(f"audit chain BROKEN: {len(problems)} problem(s) in {count} entries")
        self.stdout.write(f"audit chain OK: {count} entries verified")
