"""What the engine's commands share: argument parsing that returns instead of exiting, and input files."""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TextIO

from kaohe.engine.errors import EngineError, FactError
from kaohe.engine.facts import Cycle, Fact, Unit, build_cycle, read_facts_csv, read_units_csv
from kaohe.engine.scheme import Scheme


class Usage(Exception):
    """Bad arguments; argparse has printed the message."""

    def __init__(self, status: int) -> None:
        self.status = status


def parser(prog: str, description: str, out: TextIO, err: TextIO) -> argparse.ArgumentParser:
    """An ArgumentParser (and sub-parsers) that write to the given streams and raise, never exit."""

    class Parser(argparse.ArgumentParser):
        def _print_message(self, message: str, file: object = None) -> None:
            if message:
                (err if file is sys.stderr else out).write(message)

        def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
            if message:
                err.write(message)
            raise Usage(status)

        def error(self, message: str) -> NoReturn:
            self.print_usage(err)
            self.exit(2, f"{self.prog}: error: {message}\n")

    return Parser(prog=prog, description=description)


SAVE_AS_UTF8 = "save it from Excel as “CSV UTF-8（逗号分隔）” (另存为) and try again"


def read_text(path: str) -> str:
    """A CSV file's text; problems name the file once."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise FactError(
            [f"{path}: not UTF-8 text ({error.reason} at byte {error.start}); {SAVE_AS_UTF8}"]
        ) from None
    except OSError as error:
        raise FactError([f"{path}: {error.strerror or error}"]) from None


def read_facts(path: str) -> list[Fact]:
    text = read_text(path)
    try:
        return read_facts_csv(text)
    except FactError as error:
        raise FactError([f"{path}: {p}" for p in error.problems]) from None


def read_units(path: str | None) -> list[Unit] | None:
    """The units CSV; a unit listed twice is named by its row in this file."""
    if path is None:
        return None
    text = read_text(path)
    try:
        return read_units_csv(text)
    except FactError as error:
        raise FactError([f"{path}: {p}" for p in error.problems]) from None


def read_cycle(scheme: Scheme, facts_path: str, units_path: str | None) -> Cycle:
    """The cycle of a facts CSV (and units CSV); each problem is prefixed with the file it is in."""
    units = read_units(units_path)
    facts = read_facts(facts_path)
    try:
        return build_cycle(scheme, facts, units)
    except FactError as error:
        raise FactError([f"{facts_path}: {p}" for p in error.problems]) from None


def guarded(body: Callable[[], int], err: TextIO) -> int:
    """Runs a command body: bad input prints every problem and gives 1, bad usage gives 2."""
    try:
        return body()
    except Usage as usage:
        return usage.status
    except EngineError as error:
        problems = getattr(error, "problems", None) or [str(error)]
        for problem in problems:
            err.write(f"{problem}\n")
        return 1
