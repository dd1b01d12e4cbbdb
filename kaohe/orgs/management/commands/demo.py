"""`kaohe demo`: migrate, build the demo city on the first run, print the logins, and serve."""

import atexit
import os
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, connections
from django.utils import timezone

from kaohe.accounts.models import RoleAssignment
from kaohe.audit.models import AuditEntry
from kaohe.consultation.demo import build_consultation
from kaohe.cycles.demo import build_cycles
from kaohe.orgs.demo import CITY, DEMO_PASSWORD, SCALES, build_city
from kaohe.orgs.models import OrgUnit


def _width(text: str) -> int:
    # Chinese characters take two terminal columns; str.ljust would misalign the table.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


class Command(BaseCommand):
    help = (
        f"Run the demo: migrate the configured database, fill it with the fictional city {CITY} "
        "(first run only), print the demo logins and serve the site."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        parser.add_argument("--reset", action="store_true", help="throw the database away and start again")
        parser.add_argument("--no-serve", action="store_true", help="prepare the database and exit")
        parser.add_argument("--seed", type=int, default=2026, help="seed of the generated city")
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="full",
            help="full: 24 enterprises, 12,000 members; small: a few of each",
        )

    def handle(self, *args, host, port, reset, no_serve, seed, scale, verbosity, **options):
        sqlite_file = self._sqlite_file()
        if reset and sqlite_file:
            connections.close_all()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1), stdout=self.stdout)
        if reset and not sqlite_file:
            call_command("flush", interactive=False, verbosity=0)

        if OrgUnit.objects.exists():
            self.stdout.write(
                "The database already holds organisations; nothing generated (--reset starts over)."
            )
        else:
            self.stdout.write(f"Generating {CITY} (seed {seed}, scale {scale}) ...")
            summary = build_city(seed, **SCALES[scale])
            self.stdout.write(
                f"  {summary.orgs} organisations ({summary.closed_orgs} closed), {summary.people} people, "
                f"{len(summary.logins)} accounts in {summary.seconds:.1f} s"
            )
            started = time.perf_counter()
            made = build_cycles(seed, timezone.localdate())
            consulted = build_consultation(seed, timezone.localdate())
            self.stdout.write(
                f"  {made['meetings']} meetings, {made['dues']} dues records, {made['decisions']} decisions, "
                f"{made['cases']} discipline cases, {len(made['cycles'])} assessment cycles, "
                f"a consultation round with {consulted['written'] + consulted['remarks']} suggestions "
                f"({consulted['new_users']} more accounts for its participants) "
                f"in {time.perf_counter() - started:.1f} s"
            )
        self._print_logins(host, port)
        if not no_serve:
            self._serve(host, port)

    @staticmethod
    def _sqlite_file() -> str | None:
        """The database file, or None for a server database or SQLite in memory (as in tests)."""
        name = str(connection.settings_dict["NAME"])
        if connection.vendor != "sqlite" or name == ":memory:" or "mode=memory" in name:
            return None
        return name

    def _print_logins(self, host: str, port: int) -> None:
        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Address: http://{shown_host}:{port}/"))
        if "*" not in settings.ALLOWED_HOSTS and host not in settings.ALLOWED_HOSTS:
            self.stdout.write(
                f"Note: only host names in KAOHE_ALLOWED_HOSTS are answered (now {settings.ALLOWED_HOSTS})."
            )
        if not AuditEntry.objects.filter(action="demo.load").exists():
            self.stdout.write("This database was not made by `kaohe demo`: no demo logins to show.")
            return
        rows = [["username", "password", "role", "scope"]]
        assignments = RoleAssignment.objects.select_related("user", "org").order_by("user_id", "pk")
        for ra in assignments:
            user = ra.user
            if not user.check_password(DEMO_PASSWORD):
                password = "(changed)"
            elif user.must_change_password:
                password = f"{DEMO_PASSWORD} (must change at first login)"
            else:
                password = DEMO_PASSWORD
            rows.append([user.username, password, ra.get_role_display(), ra.org.name])
        self.stdout.write("")
        for line in _table(rows):
            self.stdout.write(f"  {line}")
        self.stdout.write("")

    def _serve(self, host: str, port: int) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        # Granian forks its worker: it must not inherit this process's open database connection.
        connections.close_all()
        # Imports run as background jobs: the demo starts the worker that production runs as its own
        # service, and stops it with the server.
        worker = subprocess.Popen([sys.executable, "-m", "kaohe.cli", "db_worker", "--interval", "0.5"])
        atexit.register(worker.terminate)
        self.stdout.write("Serving (with a background job worker); Ctrl-C stops.")
        # A few threads are plenty for a demo on SQLite, which writes one transaction at a time.
        threads = min(8, 2 * (os.cpu_count() or 1) + 1)
        Granian(
            "kaohe.wsgi:application",
            interface=Interfaces.WSGI,
            address=host,
            port=port,
            blocking_threads=threads,
        ).serve()
