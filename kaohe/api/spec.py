"""The OpenAPI document of /api/v1/, rendered the same way every time so its diffs are readable."""

import json
from pathlib import Path

from django.conf import settings
from django.utils import translation

from kaohe.api.api import api

SPEC_PATH = Path(__file__).with_name("openapi.json")


def render_openapi() -> str:
    # A fixed language: descriptions must not depend on who runs the command.
    with translation.override(settings.LANGUAGE_CODE):
        schema = api.get_openapi_schema()
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
