"""The scheme's YAML, read and written with PyYAML (its C parser, libyaml, when installed).

Reading gives plain data (dict, list, str, int, Decimal, bool, None) and the line of every key and
list item, so that validation problems can name their line. Numbers are int or Decimal, never
float, so 0.1 stays exactly 0.1. PyYAML reads YAML 1.1: `yes`/`no`/`on`/`off` are booleans, and
dates are kept as the text written (a scheme has no date fields). Refused with a YamlError naming
line and column, rather than guessed: several documents; anchors, aliases and tags (& * !) -
aliases can blow a small text up into a huge one; duplicate keys; keys that are lists or mappings;
integers with a leading zero (octal to YAML 1.1 readers, decimal to others); .nan and .inf;
nesting deeper than any scheme needs.

Writing is `yaml.dump` in block style with Chinese as is, keys in the data's order, short lists of
single values on one line, and Decimals as plain numbers. What it writes reads back to equal data.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode

from kaohe.engine.errors import YamlError

MAX_DEPTH = 100  # nesting deeper than any scheme needs is refused, not left to blow the stack
Positions = dict[tuple[int, object], int]  # (id(container), key or index or None) -> line

_TAG = "tag:yaml.org,2002:"
_FLOW_LIST_CHARS = 60  # a list of single values this short is written on one line: [a, b, c]
_WIDTH = 1 << 30  # never fold a long line (Chinese text has no spaces to fold at anyway)


def _error(mark: Any, message: str) -> YamlError:
    return YamlError(message, mark.line + 1, mark.column + 1)


# -- reading ---------------------------------------------------------------------------------------


# libyaml's parser when PyYAML was built with it, else the pure-Python one; mypy cannot follow a base
# class chosen at import time.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's safe loader, building plain data and positions straight from the parser's events.

    Building from events (rather than `compose`) sees anchors, aliases and tags where they are
    written, so they are refused at their own position, and no node graph is built.
    """

    def __init__(self, text: str, positions: Positions) -> None:
        super().__init__(text)
        self.positions = positions
        self.mark: Any = None  # where the last event started, for errors with no mark of their own

    def document(self) -> Any:
        self.get_event_of(StreamStartEvent)
        if self.check_event(StreamEndEvent):
            return None
        self.get_event_of(DocumentStartEvent)
        value = self.value(0)
        self.get_event_of(DocumentEndEvent)
        if not self.check_event(StreamEndEvent):
            raise _error(self.peek_event().start_mark, "only one document is read; remove the second '---'")
        return value

    def get_event_of(self, kind: type) -> Any:
        event = self.get_event()
        self.mark = event.start_mark
        assert isinstance(event, kind), event  # the parser guarantees the order of events
        return event

    def value(self, depth: int) -> Any:
        event: Any = self.get_event()
        mark = self.mark = event.start_mark
        if isinstance(event, AliasEvent):
            raise _error(mark, "anchors, aliases and tags (& * !) are not supported; write the value out")
        if event.anchor is not None or event.tag is not None:
            raise _error(mark, "anchors, aliases and tags (& * !) are not supported")
        if isinstance(event, ScalarEvent):
            tag = self.resolve(ScalarNode, event.value, event.implicit)
            end: Any = event.end_mark  # libyaml's marks are a class of their own, alike in use
            return self.construct_object(ScalarNode(tag, event.value, mark, end, event.style))
        assert isinstance(event, CollectionStartEvent), event
        if depth >= MAX_DEPTH:
            raise _error(mark, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(event, SequenceStartEvent):
            items: list[Any] = []
            self.positions[(id(items), None)] = mark.line + 1
            while not self.check_event(SequenceEndEvent):
                self.positions[(id(items), len(items))] = self.peek_event().start_mark.line + 1
                items.append(self.value(depth + 1))
            self.get_event()
            return items
        assert isinstance(event, MappingStartEvent), event
        mapping: dict[Any, Any] = {}
        self.positions[(id(mapping), None)] = mark.line + 1
        while not self.check_event(MappingEndEvent):
            key_mark = self.peek_event().start_mark
            if not self.check_event(ScalarEvent, AliasEvent):
                raise _error(key_mark, "a key must be a single value, not a list or mapping")
            key = self.value(depth + 1)
            if key in mapping:
                raise _error(key_mark, f"duplicate key {key!r}")
            self.positions[(id(mapping), key)] = key_mark.line + 1
            mapping[key] = self.value(depth + 1)
        self.get_event()
        return mapping

    def construct_decimal(self, node: ScalarNode) -> Decimal:
        """A float's text as an exact Decimal: 0.1 is 0.1; 1_000.5 and 1:30.5 as YAML 1.1 reads them."""
        text = node.value.replace("_", "")
        if text.lower().lstrip("+-") in (".inf", ".nan"):
            raise _error(node.start_mark, f"{node.value!r} is not a number the engine can use")
        if ":" not in text:
            return Decimal(text)
        value = Decimal(0)
        for part in text.lstrip("+-").split(":"):  # sexagesimal: 1:30.5 is 90.5
            value = value * 60 + Decimal(part)
        return -value if text.startswith("-") else value

    def construct_int(self, node: ScalarNode) -> int:
        digits = node.value.replace("_", "").lstrip("+-")
        if len(digits) > 1 and digits[0] == "0" and digits[1] not in "bx":
            raise _error(
                node.start_mark,
                f"{node.value!r} has a leading zero, which YAML readers disagree on (octal or not); quote it",
            )
        try:
            return int(yaml.constructor.SafeConstructor.construct_yaml_int(self, node))
        except ValueError:  # more digits than Python converts to an int
            raise _error(node.start_mark, "a number with too many digits") from None


_Loader.add_constructor(_TAG + "float", _Loader.construct_decimal)
_Loader.add_constructor(_TAG + "int", _Loader.construct_int)
for _tag in ("timestamp", "merge", "value"):  # "2026-01-01", "<<" and "=" stay the text written
    _Loader.add_constructor(_TAG + _tag, yaml.constructor.SafeConstructor.construct_yaml_str)


def parse(text: str, positions: Positions | None = None) -> Any:
    """The data of one YAML document; `positions` is filled with the line of every key and item."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text, positions if positions is not None else {})
        return loader.document()
    except YamlError:
        raise
    except yaml.MarkedYAMLError as error:
        raise _marked_error(error, text) from None
    except (yaml.reader.ReaderError, UnicodeError) as error:
        raise _character_error(text, error) from None
    except (yaml.YAMLError, ValueError, ArithmeticError, RecursionError) as error:
        mark = loader.mark if loader is not None else None
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise YamlError(f"not readable as YAML: {type(error).__name__}: {error}", line, column) from None
    finally:
        if loader is not None:
            loader.dispose()


def _marked_error(error: yaml.MarkedYAMLError, text: str) -> YamlError:
    problem = error.problem or error.context or "not readable as YAML"
    mark, message = error.problem_mark or error.context_mark, problem
    if error.context and error.problem:
        where = error.context_mark
        if where is not None and error.context.endswith("simple key"):  # a key with no ':' after it
            mark, message = where, f"{problem} ({error.context})"
        elif where is not None:
            message = f"{problem} ({error.context}, line {where.line + 1}, column {where.column + 1})"
    lines = text.splitlines()
    marks = [m for m in (error.problem_mark, error.context_mark) if m is not None]
    if "':'" in problem or "mapping values" in problem:
        near = {m.line for m in marks} | {m.line - 1 for m in marks}
        if any(_colon_typo(lines[n]) for n in near if 0 <= n < len(lines)):
            message += "; use ':' rather than '：'"
    if any(lines[m.line][m.column : m.column + 1] == "\t" for m in marks if m.line < len(lines)):
        message += "; indent with spaces, not tabs"
    return YamlError(message, 1, 1) if mark is None else _error(mark, message)


def _colon_typo(line: str) -> bool:
    """Whether the line reads "key：value", the full-width colon of a Chinese keyboard for ':'."""
    head, colon, _ = line.partition("：")
    return bool(colon) and ":" not in head and "#" not in head


def _character_error(text: str, error: Exception) -> YamlError:
    """The first character YAML does not allow, by line and column (reader errors give an offset)."""
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if found is None:
        return YamlError(f"not readable as YAML: {error}", 1, 1)
    head = (text[: found.start()] + "x").splitlines()  # "x" stands for the character itself
    line, column = len(head), len(head[-1])
    return YamlError(f"character U+{ord(found.group()):04X} is not allowed", line, column)


def line_finder(positions: Positions) -> Callable[[object, object], int | None]:
    """A lookup of the line a key or item of parsed data came from."""

    def line_of(container: object, key: object) -> int | None:
        try:
            return positions.get((id(container), key))
        except TypeError:  # an unhashable key cannot have been a YAML key
            return None

    return line_of


# -- writing ---------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """The pure-Python dumper, so that the text is the same with or without libyaml."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # "key:\n  - item" rather than "key:\n- item"


def _represent_decimal(dumper: _Dumper, value: Decimal) -> Any:
    if not value.is_finite():
        raise ValueError(f"cannot write {value} as YAML: not a finite number")
    text = format(abs(value) if value.is_zero() else value, "f")  # no exponent: 1E+3 is 1000
    return dumper.represent_scalar(_TAG + ("float" if "." in text else "int"), text)


def _represent_str(dumper: _Dumper, text: str) -> Any:
    # PyYAML writes U+0085 (NEL) raw in single quotes and literal blocks, where readers take it for a
    # line break; double quotes escape it as \N.
    style = '"' if "\x85" in text else "|" if "\n" in text else None
    return dumper.represent_scalar(_TAG + "str", text, style=style)


def _represent_list(dumper: _Dumper, items: list[Any] | tuple[Any, ...]) -> Any:
    single = all(isinstance(item, str | int | Decimal | None) for item in items)
    short = sum(len(str(item)) + 2 for item in items) <= _FLOW_LIST_CHARS
    flow = bool(items) and single and short and not any("\n" in str(item) for item in items)
    return dumper.represent_sequence(_TAG + "seq", items, flow_style=flow)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(tuple, _represent_list)


def dump(data: Any) -> str:
    """YAML text for data made of dicts, lists, tuples, str, int, Decimal, bool and None."""
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=_WIDTH,
    )
    return text
