"""The `kaohe` entry point: engine commands run without Django, the rest through Django."""

from pathlib import Path

import pytest

from kaohe.cli import main

DEFAULT_SCHEME = Path(__file__).resolve().parent.parent / "engine" / "default_scheme.yaml"


def test_engine_commands_run_through_the_kaohe_entry_point(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["scheme", "check", str(DEFAULT_SCHEME)])
    assert exit_.value.code == 0 and "valid" in capsys.readouterr().out


def test_a_bad_scheme_file_exits_non_zero_naming_the_problem(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: x\nnodes: [\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["scheme", "check", str(bad)])
    assert exit_.value.code == 1 and "bad.yaml" in capsys.readouterr().err


def test_other_commands_go_to_django(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "--help"])
    assert exit_.value.code == 0 and "verify" in capsys.readouterr().out


def test_whatif_is_wired_to_the_entry_point(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["whatif"])  # no arguments: usage, exit 2
    assert exit_.value.code == 2
