"""`kaohe consultation list | register ROUND --xlsx OUT --docx OUT` for administrators.

The register written here names every participant, the anonymous ones included: the command is
the organiser's side, like the register page of its staff."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q
from django.utils import timezone

from kaohe.consultation.models import Disposition, Round
from kaohe.consultation.register import register_docx, register_xlsx


def find_round(ref: str) -> Round:
    """A round by its id, or by the first 8 or more characters of it (as `list` prints them)."""
    ref = ref.strip().lower()
    if len(ref) < 8:
        raise CommandError(
            "give the round's id or at least its first 8 characters (see `kaohe consultation list`)"
        )
    found = [
        r for r in Round.objects.select_related("draft", "organiser") if str(r.public_id).startswith(ref)
    ]
    if not found:
        raise CommandError(f"no consultation round {ref}")
    if len(found) > 1:
        raise CommandError(f"{ref} matches {len(found)} rounds; give more characters")
    return found[0]


class Command(BaseCommand):
    help = "Consultation rounds: list them, write a round's register (names shown) as xlsx or docx."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("list", help="every round with its id, organiser, status, deadline and progress")
        register = sub.add_parser("register", help="write the register of suggestions, names shown")
        register.add_argument("round")
        register.add_argument("--xlsx", type=Path)
        register.add_argument("--docx", type=Path)

    def handle(self, *args, what, **options):
        if what == "list":
            self.list_rounds()
            return
        if options["xlsx"] is None and options["docx"] is None:
            raise CommandError("give --xlsx OUT, --docx OUT or both")
        round_ = find_round(options["round"])
        if options["xlsx"] is not None:
            options["xlsx"].write_bytes(register_xlsx(round_, reveal=True))
            self.stdout.write(f"wrote {options['xlsx']}")
        if options["docx"] is not None:
            options["docx"].write_bytes(register_docx(round_, reveal=True))
            self.stdout.write(f"wrote {options['docx']}")

    def list_rounds(self) -> None:
        rounds = Round.objects.select_related("organiser").annotate(
            invited=Count("participants", distinct=True),
            responded=Count(
                "participants", filter=Q(participants__responded_at__isnull=False), distinct=True
            ),
            total=Count("suggestions", distinct=True),
            answered=Count(
                "suggestions", filter=~Q(suggestions__disposition=Disposition.PENDING), distinct=True
            ),
        )
        for r in rounds.order_by("-created_at"):
            deadline = timezone.localtime(r.deadline).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(
                f"{r.public_id}  {r.title}  {r.organiser.name}  {r.get_status_display()}  "
                f"{deadline}  participants {r.responded}/{r.invited}  "
                f"suggestions {r.answered}/{r.total}"
            )
