"""What an executed notebook may not hold: text written to stderr, and displays that do not render.

A warning, a progress bar or a log line a cell writes to stderr would be printed on the page (and is often
the first sign of a wrong result), so the build fails on it, naming the notebook, the cell and the message.
A cell that displays an empty Markdown, or an object with no rendering of its own, puts the object's text
form (``<IPython.core.display.Markdown object>``) on the page: the build fails on that too. A cell with
nothing to show returns ``None``.
"""

from __future__ import annotations

import re

#: The text form of an object that has no rendering of its own, e.g. ``<Foo object at 0x7f...>``.
REPR = re.compile(r"^<[\w.]+ object(?: at 0x[0-9a-fA-F]+)?>$")
#: Rendered forms myst-nb can show (in its order of preference), besides the plain text.
RICH = ("text/html", "text/markdown", "text/latex", "image/svg+xml", "image/png", "image/jpeg", "application/pdf")
#: Characters of a stderr message quoted in the error.
QUOTED = 300


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _cell_name(index: int, cell) -> str:
    """``cell 7 (banner: page.banner())``: index in the executed notebook, id and first line of the source."""
    first = next((line.strip() for line in _text(cell.get("source", "")).splitlines() if line.strip()), "")
    label = ": ".join(part for part in (cell.get("id"), first[:60]) if part)
    return f"cell {index}" + (f" ({label})" if label else "")


def _display_problem(data: dict) -> str | None:
    rich = {mime: _text(data[mime]) for mime in RICH if mime in data}
    plain = _text(data.get("text/plain", "")).strip()
    if rich and not any(value.strip() for value in rich.values()):
        return f"displays an empty {', '.join(rich)} output (return None to show nothing)"
    if not rich and REPR.match(plain):
        return f"displays an object that does not render: {plain}"
    return None


def output_problems(nb) -> list[str]:
    """One line per output of an executed notebook that must not reach the page.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook, new_output
    >>> cell = new_code_cell("x", outputs=[new_output("stream", name="stderr", text="oops")])
    >>> cell.id = "fit"
    >>> output_problems(new_notebook(cells=[cell]))
    ['cell 0 (fit: x) wrote to stderr: oops']
    """
    problems = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream" and out.get("name") == "stderr":
                message = _text(out.get("text", "")).strip()
                if len(message) > QUOTED:
                    message = message[:QUOTED] + "..."
                problems.append(f"{_cell_name(index, cell)} wrote to stderr: {message}")
            elif kind in ("display_data", "execute_result"):
                problem = _display_problem(out.get("data", {}))
                if problem:
                    problems.append(f"{_cell_name(index, cell)} {problem}")
    return problems
