"""The build log: what the kernels, papermill and Jupyter Book print goes to a file, not the terminal.

``swis build`` prints its own progress only (a line per notebook, then the render). Kernels write warnings to
their standard error (``[IPKernelApp] WARNING | Kernel is running over TCP without encryption`` on every start),
Jupyter Book prints every page it reads: useful when something fails, noise otherwise. They all go to
:data:`LOG`, started afresh by each build, and a failure names it.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from swis import paths

#: The log of the last build (kept out of ``_build``, which a build replaces).
LOG = paths.ROOT / ".swis-cache" / "build.log"
#: Lines of a Sphinx log worth showing when the render fails.
_SPHINX_PROBLEM = re.compile(r"WARNING|ERROR|CRITICAL|Error|Exception")


def start() -> Path:
    """Empty the log at the start of a build (creating its folder); return its path."""
    LOG.parent.mkdir(parents=True, exist_ok=True)
    LOG.write_text("")
    return LOG


def where() -> str:
    """The log's path as the user should read it (relative to the current folder when inside it)."""
    try:
        return str(LOG.relative_to(Path.cwd()))
    except ValueError:
        return str(LOG)


def output_to_log(log: str, progress: bool = False) -> None:
    """Send this process's standard output and error, and its children's, to the end of ``log``.

    The initializer of the processes that execute notebooks: a kernel inherits the file descriptors of the
    process that starts it, so its chatter lands in the log. With ``progress``, Python-level writes to
    ``sys.stderr`` (papermill's per-cell progress bar) still reach the terminal.
    """
    Path(log).parent.mkdir(parents=True, exist_ok=True)
    terminal = os.dup(2)
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    if progress:
        sys.stderr = os.fdopen(terminal, "w", buffering=1)
    else:
        os.close(terminal)


def sphinx_problems(text: str, most: int = 20) -> list[str]:
    """The warning and error lines of a Jupyter Book log, at most ``most`` of them.

    Examples
    --------
    >>> sphinx_problems("reading sources... [ 50%] intro\\n/x/intro.md:3: WARNING: undefined label: 'a'\\n")
    ["/x/intro.md:3: WARNING: undefined label: 'a'"]
    """
    return [line for line in text.splitlines() if _SPHINX_PROBLEM.search(line)][:most]
