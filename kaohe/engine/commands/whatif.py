"""`kaohe whatif OLD.yaml NEW.yaml FACTS.csv`: two scheme versions on the same facts, unit by unit."""

import sys
from pathlib import Path
from typing import TextIO

from kaohe.engine.commands.common import guarded, parser, read_facts, read_units
from kaohe.engine.errors import FactError
from kaohe.engine.text_form import read_scheme
from kaohe.engine.whatif import changes_csv, compare, render_text


def run(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    arguments = parser("kaohe whatif", "比较两个方案版本在同一事实上的得分、等次、排名及变化原因。", out, err)
    arguments.add_argument("old", help="the old scheme as YAML")
    arguments.add_argument("new", help="the new scheme as YAML")
    arguments.add_argument("facts", help="facts CSV: unit, kind, value, source")
    arguments.add_argument("--units", help="units CSV: unit, name, group (default: the units the facts name)")
    arguments.add_argument("--out", help="also write the changes as CSV (one row per unit and changed node)")
    arguments.add_argument("--unit", help="show one unit, with every node that changed")

    def body() -> int:
        args = arguments.parse_args(argv)
        old, new = read_scheme(args.old), read_scheme(args.new)
        units = read_units(args.units)
        facts = read_facts(args.facts)
        try:
            whatif = compare(old, new, facts, units)
        except FactError as error:
            raise FactError([f"{args.facts}: {p}" for p in error.problems]) from None
        if args.unit is not None:
            whatif.unit(args.unit)  # an unknown unit is bad input, before anything is written
        out.write(render_text(whatif, args.unit))
        if args.out:
            try:
                # Excel opens a UTF-8 CSV with Chinese text correctly only when it starts with a BOM.
                Path(args.out).write_text(changes_csv(whatif, args.unit), encoding="utf-8-sig")
            except OSError as error:
                raise FactError([f"{args.out}: {error.strerror or error}"]) from None
            out.write(f"changes written to {args.out}\n")
        return 0

    return guarded(body, err)
