"""`kaohe score` scores with the vectorised evaluator and writes exactly the reference's CSV."""

import io
import re

import pytest

from kaohe.engine.commands import scheme as scheme_command
from kaohe.engine.commands import score as score_command
from kaohe.engine.commands.common import read_cycle
from kaohe.engine.fast import score_cycle_fast
from kaohe.engine.reference import score_cycle
from kaohe.engine.text_form import read_scheme


def run(command, argv):
    out, err = io.StringIO(), io.StringIO()
    status = command.run(argv, out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("units", "seed"), [(40, 1), (300, 3)])
def test_the_fast_csv_equals_the_reference_csv_on_generated_facts(tmp_path, units, seed):
    scheme_path, facts_path, units_path, results_path = (
        tmp_path / name for name in ("S.yaml", "F.csv", "U.csv", "R.csv")
    )
    assert run(scheme_command, ["default", "--out", str(scheme_path)])[0] == 0
    argv = ["facts", str(scheme_path), "--units", str(units), "--seed", str(seed), "--out", str(facts_path)]
    assert run(scheme_command, [*argv, "--units-out", str(units_path)])[0] == 0

    scheme = read_scheme(str(scheme_path))
    cycle = read_cycle(scheme, str(facts_path), str(units_path))
    reference = score_command.results_csv(scheme, score_cycle(scheme, cycle))
    assert score_command.fast_results_csv(scheme, score_cycle_fast(scheme, cycle)) == reference

    status, out, err = run(score_command, [str(scheme_path), str(facts_path), "--units", str(units_path)])
    assert (status, err) == (0, "")
    assert out == reference

    argv = [str(scheme_path), str(facts_path), "--units", str(units_path), "--out", str(results_path)]
    status, out, err = run(score_command, argv)
    assert (status, err) == (0, "")
    assert results_path.read_text(encoding="utf-8-sig") == reference
    assert re.fullmatch(
        rf"{units} units scored with soe-party-building v1: .+; {re.escape(str(results_path))}; \d+\.\d s\n",
        out,
    )
