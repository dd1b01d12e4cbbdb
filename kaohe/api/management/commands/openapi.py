import difflib

from django.core.management.base import BaseCommand, CommandError

from kaohe.api import spec

DIFF_LINES = 60  # enough to see what changed; the full diff is one `kaohe openapi && git diff` away


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/v1/ to kaohe/api/openapi.json; --check: fail if it is stale."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare only; exit non-zero if different")

    def handle(self, *args, check: bool = False, **options):
        generated = spec.render_openapi()
        committed = spec.SPEC_PATH.read_text(encoding="utf-8") if spec.SPEC_PATH.exists() else ""
        if check:
            if committed != generated:
                diff = difflib.unified_diff(
                    committed.splitlines(), generated.splitlines(), "committed", "generated", lineterm=""
                )
                for line in list(diff)[:DIFF_LINES]:
                    self.stderr.write(line)
                raise CommandError(
                    f"{spec.SPEC_PATH} is out of date: run `kaohe openapi` and commit the result"
                )
            self.stdout.write(f"{spec.SPEC_PATH.name} is up to date")
            return
        if committed == generated:
            self.stdout.write(f"{spec.SPEC_PATH.name} unchanged")
            return
        spec.SPEC_PATH.write_text(generated, encoding="utf-8")
        self.stdout.write(f"wrote {spec.SPEC_PATH}")
