"""The scheme's canonical text form: YAML, Chinese text as is, readable by a party-affairs officer.

`dump_scheme` writes only what differs from the defaults, in the models' field order, so the text
stays short and the same scheme always gives the same text: load(dump(s)) == s and
dump(load(dump(s))) == dump(s). Problems name the node path and the line.
"""

from importlib import resources
from pathlib import Path

from kaohe.engine import yaml_text
from kaohe.engine.errors import SchemeError
from kaohe.engine.scheme import Scheme
from kaohe.engine.validation import parse_scheme

DEFAULT_SCHEME = "default_scheme.yaml"


def load_scheme(text: str) -> Scheme:
    """A validated Scheme from YAML text; SchemeError (YamlError for bad YAML) lists every problem."""
    positions: yaml_text.Positions = {}
    data = yaml_text.parse(text, positions)
    return parse_scheme(data, yaml_text.line_finder(positions))


def dump_scheme(scheme: Scheme) -> str:
    return yaml_text.dump(scheme.model_dump(mode="python", exclude_defaults=True))


def read_scheme(path: str | Path) -> Scheme:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise SchemeError([f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"]) from None
    except OSError as error:
        raise SchemeError([f"{path}: {error.strerror or error}"]) from None
    try:
        return load_scheme(text)
    except SchemeError as error:
        raise SchemeError([f"{path}: {p}" for p in error.problems]) from None


def default_scheme_text() -> str:
    return resources.files("kaohe.engine").joinpath(DEFAULT_SCHEME).read_text(encoding="utf-8")


def default_scheme() -> Scheme:
    return load_scheme(default_scheme_text())
