"""The `kaohe` command: Django's management commands under the project's own name.

`kaohe demo`, `kaohe audit verify`, `kaohe migrate`, `kaohe db_worker`, ... all run here.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kaohe", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
