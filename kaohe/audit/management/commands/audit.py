from django.core.management.base import BaseCommand, CommandError

from kaohe.audit.actions import write_anchor
from kaohe.audit.queries import verify_chain


class Command(BaseCommand):
    help = (
        "Audit log tools. `kaohe audit verify` checks the keyed hash chain and the anchors: an edited, "
        "deleted or cut-off entry fails it. `kaohe audit anchor` records the chain's head outside the "
        "database (run it from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["verify", "anchor"])

    def handle(self, *args, what, **options):
        if what == "anchor":
            anchored = write_anchor()
            self.stdout.write(
                f"anchored entry #{anchored[0]}" if anchored else "audit log is empty: nothing to anchor"
            )
            return
        count, problems = verify_chain()
        if problems:
            for p in problems:
                self.stderr.write(f"#{p.seq}: {p.problem}")
            raise CommandError(f"audit chain BROKEN: {len(problems)} problem(s) in {count} entries")
        self.stdout.write(f"audit chain OK: {count} entries verified")
