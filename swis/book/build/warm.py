"""A Jupyter Book process started before the render: it imports Sphinx, Jupyter Book, the theme and the book's
extensions while the last notebooks run, then renders when it is given its command line.

Rendering after a data edit is short (a few pages), and about half a second of it was the new process importing
what a render needs. The build starts this process (:class:`WarmRender`) once every notebook has been handed to
a worker and a core is free (:func:`swis.book.build.schedule.run_all`), so the imports cost no time the
notebooks needed. The render itself is Jupyter Book's own command line, run in that process: the same program
with the same arguments, folder, environment and log as a new process would have. A process that is never
asked to render (nothing to render, or the build failed) is killed; if it died, the render starts a new one.

Run as ``python -m swis.book.build.warm``: it reads one line, the command line's arguments as a JSON list, from
standard input; an empty line or the end of its input ends it without rendering.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from swis import paths

#: What a render imports, in the order a render imports it (each ignored when it cannot be imported: the render
#: then imports it itself and reports what it must).
PRELOAD = (
    "jupyter_book.cli.main",
    "jupyter_book.sphinx",
    "sphinx.application",
    "sphinx.builders.html",
    "sphinx.writers.html5",
    "sphinx.search.en",
    "myst_parser.sphinx_ext.main",
    "myst_nb.sphinx_ext",
    "sphinx_togglebutton",
    "sphinx_copybutton",
    "sphinx_comments",
    "sphinx_external_toc",
    "sphinx_thebe",
    "sphinx_design",
    "sphinx_multitoc_numbering",
    "sphinx_jupyterbook_latex",
    "sphinx_book_theme",
    "pydata_sphinx_theme",
    "sphinxcontrib.bibtex",
)


class WarmRender:
    """The build's Jupyter Book process, started by :meth:`start` and used once by :meth:`run`."""

    def __init__(self, log: Path):
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the process (once); its output goes to the build log. Nothing happens if it cannot start."""
        if self.process is not None:
            return
        with contextlib.suppress(OSError), open(self.log, "ab") as out:
            # -P: the package as installed, not a folder of the working directory (as the jupyter-book command)
            cmd = [sys.executable, "-P", "-m", "swis.book.build.warm"]
            self.process = subprocess.Popen(cmd, cwd=paths.ROOT, stdin=subprocess.PIPE, stdout=out, stderr=out)

    def run(self, args: list[str]) -> subprocess.Popen | None:
        """Hand ``args`` (Jupyter Book's arguments) to the started process; the process now rendering, or None
        when there is none alive (the caller starts Jupyter Book itself)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return None
        try:
            process.stdin.write((json.dumps(args) + "\n").encode())
            process.stdin.close()
        except OSError:
            _end(process)
            return None
        return process

    def stop(self) -> None:
        """Kill a process that was started and never asked to render (it has written nothing)."""
        if self.process is not None:
            _end(self.process)
            self.process = None


def _end(process: subprocess.Popen) -> None:
    process.kill()
    with contextlib.suppress(OSError):
        process.stdin.close()
    process.wait()


@contextlib.contextmanager
def warm_render(log: Path):
    """For the block, a :class:`WarmRender` (started by whoever calls its ``start``); killed at the end if unused."""
    warm = WarmRender(log)
    try:
        yield warm
    finally:
        warm.stop()


def preload() -> None:
    """Import :data:`PRELOAD` (each that can be)."""
    for name in PRELOAD:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def main() -> None:
    """Preload, then run Jupyter Book with the arguments read from standard input (or end without them)."""
    preload()
    line = sys.stdin.readline()
    if not line.strip():
        sys.stdout.flush()
        os._exit(0)
    from jupyter_book.cli.main import main as jupyter_book

    sys.argv = ["jupyter-book", *json.loads(line)]
    sys.exit(jupyter_book())


if __name__ == "__main__":
    main()
