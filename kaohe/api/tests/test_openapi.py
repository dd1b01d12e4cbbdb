import json

import pytest
from django.core.management import CommandError, call_command

from kaohe.api import spec


def test_the_committed_document_is_the_generated_one():
    assert spec.SPEC_PATH.read_text(encoding="utf-8") == spec.render_openapi(), (
        "kaohe/api/openapi.json is stale: run `uv run kaohe openapi` and commit it"
    )


def test_check_passes_when_in_step(capsys):
    call_command("openapi", "--check")
    assert "up to date" in capsys.readouterr().out


def test_check_fails_and_shows_the_difference_when_stale(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "openapi.json"
    stale.write_text("{}\n", encoding="utf-8")
    monkeypatch.setattr(spec, "SPEC_PATH", stale)
    with pytest.raises(CommandError, match="out of date"):
        call_command("openapi", "--check")
    assert "+++ generated" in capsys.readouterr().err
    call_command("openapi")
    assert stale.read_text(encoding="utf-8") == spec.render_openapi()


def test_the_document_never_offers_clear_personal_numbers():
    schemas = json.loads(spec.render_openapi())["components"]["schemas"]
    out = schemas["PersonOut"]["properties"]
    assert {"phone_masked", "id_number_masked"} <= set(out)
    assert not {"phone", "id_number", "phone_enc", "id_number_enc"} & set(out)


def test_every_operation_documents_the_error_shape():
    paths = json.loads(spec.render_openapi())["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            for status in ("401", "404", "422"):
                ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorOut"), (method, path, status)
