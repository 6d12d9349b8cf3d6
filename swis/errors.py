"""Error types: bad input, reported as ``error: FILE:ROW: COLUMN: message``, and a failed build.

Every check on user-supplied files raises :class:`InputError`. The CLI turns
it into one line per problem and exit status 2, with no traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Row number used when a problem concerns a whole file rather than a line.
WHOLE_FILE = 0


@dataclass(frozen=True)
class Problem:
    """One problem in an input file.

    Parameters
    ----------
    file : str
        The file as the user named it.
    row : int
        Line number in the file (1 is the CSV header; 0 means the whole file).
    column : str
        The column or configuration key concerned.
    message : str
        What is wrong and what was expected.
    """

    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"error: {self.file}:{self.row}: {self.column}: {self.message}"


class InputError(Exception):
    """One or more problems in user-supplied input.

    Examples
    --------
    >>> err = InputError([Problem("panel.csv", 3, "count", "expected a number, got 'x'")])
    >>> print(err)
    error: panel.csv:3: count: expected a number, got 'x'
    """

    #: The most problems listed; the rest are counted in one closing line.
    MAX_SHOWN = 25

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.render())

    @classmethod
    def one(cls, file: str | Path, row: int, column: str, message: str) -> InputError:
        """Build an error holding a single problem."""
        return cls([Problem(str(file), row, column, message)])

    def render(self) -> str:
        """All problems, one per line, the excess summarised."""
        lines = [str(p) for p in self.problems[: self.MAX_SHOWN]]
        extra = len(self.problems) - self.MAX_SHOWN
        if extra > 0:
            lines.append(f"error: ... and {extra} more problem(s) of the same kinds")
        return "\n".join(lines)


class BuildError(RuntimeError):
    """A notebook or the book build failed; the message names the notebook and cell.

    ``input_error`` is true when the failure was an :class:`InputError` raised
    inside a notebook, so the CLI can exit with status 2 as for any bad input.
    """

    def __init__(self, message: str, input_error: bool = False):
        super().__init__(message)
        self.input_error = input_error
