"""`kaohe scheme check S.yaml`, `kaohe scheme default`, `kaohe scheme facts S.yaml`,
`kaohe scheme export S.yaml --xlsx T.xlsx`, `kaohe scheme import T.xlsx [--out S.yaml]`."""

import sys
from pathlib import Path
from typing import TextIO

from kaohe.engine.commands.common import guarded, parser
from kaohe.engine.facts import write_facts_csv, write_units_csv
from kaohe.engine.generate import random_facts, random_units
from kaohe.engine.points import format_points
from kaohe.engine.scheme_xlsx import read_xlsx_file, write_xlsx_file
from kaohe.engine.text_form import default_scheme_text, dump_scheme, read_scheme


def run(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    arguments = parser("kaohe scheme", "检查、导出评分方案，生成样例事实。", out, err)
    commands = arguments.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate a scheme; print every problem with its path")
    check.add_argument("scheme", help="the scheme as YAML")
    default = commands.add_parser("default", help="write the built-in 2026 municipal SOE scheme")
    default.add_argument("--out", help="file to write (default: standard output)")
    facts = commands.add_parser("facts", help="generate random facts for a scheme, as CSV")
    facts.add_argument("scheme")
    facts.add_argument("--units", type=int, default=20, help="how many units (default 20)")
    facts.add_argument("--seed", type=int, default=0)
    facts.add_argument("--out", help="facts CSV to write (default: standard output)")
    facts.add_argument("--units-out", help="also write the units (code, name, peer group) as CSV")
    export = commands.add_parser("export", help="write a scheme as the published xlsx table")
    export.add_argument("scheme", help="the scheme as YAML")
    export.add_argument("--xlsx", required=True, help="the workbook to write")
    import_ = commands.add_parser("import", help="read a scheme from the xlsx table; print or write its YAML")
    import_.add_argument("xlsx", help="the workbook to read")
    import_.add_argument("--out", help="YAML file to write (default: standard output)")

    def body() -> int:
        args = arguments.parse_args(argv)
        if args.command == "check":
            scheme = read_scheme(args.scheme)
            places = list(scheme.walk())
            leaves = sum(1 for p in places if not p.node.children and p.category != "veto")
            vetoes = sum(1 for p in places if p.node.veto is not None)
            panel = scheme.panel_reads()
            panel_text = (
                f", {len(panel)} panel items ({scheme.panel.method})" if panel and scheme.panel else ""
            )
            out.write(
                f"{args.scheme}: valid - {scheme.title} ({scheme.year}, version {scheme.version}), "
                f"{format_points(scheme.total_points)} points, {len(scheme.nodes)} first-level nodes, "
                f"{leaves} scoring items, {vetoes} vetoes, {len(scheme.facts)} fact kinds{panel_text}\n"
            )
            return 0
        if args.command == "default":
            _write(args.out, default_scheme_text(), out)
            return 0
        if args.command == "export":
            scheme = read_scheme(args.scheme)
            write_xlsx_file(scheme, args.xlsx)
            out.write(f"{args.scheme} -> {args.xlsx}: {scheme.title} (version {scheme.version})\n")
            return 0
        if args.command == "import":
            scheme = read_xlsx_file(args.xlsx)
            _write(args.out, dump_scheme(scheme), out)
            if args.out:
                out.write(f"{args.xlsx} -> {args.out}: {scheme.title} (version {scheme.version})\n")
            return 0
        scheme = read_scheme(args.scheme)
        if args.units < 1:
            arguments.error("--units must be at least 1")
        units = random_units(args.units, seed=args.seed)
        _write(args.out, write_facts_csv(random_facts(scheme, units, seed=args.seed)), out)
        if args.units_out:
            _write(args.units_out, write_units_csv(units), out)
        return 0

    return guarded(body, err)


def _write(path: str | None, text: str, out: TextIO) -> None:
    if path is None:
        out.write(text)
    else:
        Path(path).write_text(text, encoding="utf-8")
