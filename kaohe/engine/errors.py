"""The engine's error types: every bad input ends in one of these, never in a bare exception."""


class EngineError(Exception):
    """Base of every error the engine raises on bad input."""


class PointsError(EngineError, ValueError):
    """A number that cannot be an exact amount (too many decimals, NaN, infinity, not a number).

    A ValueError too, so pydantic turns it into a field error with its location.
    """


class SchemeError(EngineError):
    """A scheme that does not parse or does not validate; `problems` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems) if self.problems else "invalid scheme")


class YamlError(SchemeError):
    """Text that is not in the YAML form the engine reads, with the 1-based line and column."""

    def __init__(self, message: str, line: int, column: int) -> None:
        self.message = message
        self.line = line
        self.column = column
        super().__init__([f"line {line}, column {column}: {message}"])


class FactError(EngineError):
    """Facts that cannot be used with a scheme; `problems` names the row, unit and kind of each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems) if self.problems else "invalid facts")
