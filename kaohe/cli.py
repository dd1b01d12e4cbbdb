"""The `kaohe` command.

The engine's commands (`kaohe scheme`, `kaohe score`, `kaohe explain`, `kaohe whatif`) are pure Python and run
without Django; everything else is a Django management command under the project's name:
`kaohe demo`, `kaohe audit verify`, `kaohe migrate`, `kaohe db_worker`, ...
"""

import importlib
import os
import sys

ENGINE_COMMANDS = {
    "scheme": "kaohe.engine.commands.scheme",
    "score": "kaohe.engine.commands.score",
    "explain": "kaohe.engine.commands.explain",
    "whatif": "kaohe.engine.commands.whatif",
}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ENGINE_COMMANDS:
        sys.exit(importlib.import_module(ENGINE_COMMANDS[args[0]]).run(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kaohe", *args])


if __name__ == "__main__":
    main()
