"""`kaohe explain S.yaml FACTS.csv UNIT`: every gain and loss of one unit, with rules and facts."""

import json
import sys
from typing import TextIO

from kaohe.engine.commands.common import guarded, parser, read_cycle
from kaohe.engine.explain import explain_unit, render_text, to_json
from kaohe.engine.text_form import read_scheme


def run(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    arguments = parser("kaohe explain", "逐项说明一个单位的得分、失分及其依据。", out, err)
    arguments.add_argument("scheme", help="the scheme as YAML")
    arguments.add_argument("facts", help="facts CSV: unit, kind, value, source")
    arguments.add_argument("unit", help="the unit's code")
    arguments.add_argument("--units", help="units CSV: unit, name, group")
    arguments.add_argument("--json", action="store_true", help="print JSON instead of text")

    def body() -> int:
        args = arguments.parse_args(argv)
        scheme = read_scheme(args.scheme)
        cycle = read_cycle(scheme, args.facts, args.units)
        explanation = explain_unit(scheme, cycle, args.unit)
        if args.json:
            out.write(json.dumps(to_json(explanation), ensure_ascii=False, indent=2) + "\n")
        else:
            out.write(render_text(explanation))
        return 0

    return guarded(body, err)
