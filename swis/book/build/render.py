"""Rendering: Jupyter Book builds the HTML into a temporary folder, which replaces ``_build`` on success.

Failure leaves the last good book in place: the executed notebooks and the
HTML each replace their predecessor only when everything succeeded.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from swis import paths
from swis.book.build.execute import execute_all
from swis.book.build.plan import plan
from swis.config import load_book_config
from swis.errors import BuildError


def _swap(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` (directories)."""
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def jupyter_book(strict: bool = True) -> None:
    """Render the book into a temporary folder; replace ``_build`` only on success."""
    from swis.book.toc import write_toc

    write_toc()  # Jupyter Book reads _toc.yml; it is written from book/toc.yml and data/book.yml
    tmp = Path(tempfile.mkdtemp(prefix="_build.", dir=paths.ROOT))
    # the console script installed next to this interpreter (the module has no __main__ guard)
    cmd = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(paths.ROOT),
        "--path-output",
        str(tmp),
        "--builder",
        "html",
    ]
    if strict:
        cmd += ["-n", "-W", "--keep-going"]
    print("rendering the book: jupyter-book " + " ".join(cmd[1:]), file=sys.stderr, flush=True)
    done = subprocess.run(cmd, cwd=paths.ROOT)
    if done.returncode != 0 or not (tmp / "_build" / "html" / "index.html").exists():
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(f"jupyter-book build failed (exit {done.returncode}); the previous book is left in place")
    _swap(tmp / "_build", paths.BUILD)
    shutil.rmtree(tmp, ignore_errors=True)


def build(
    overrides: dict[str, dict] | None = None, only: list[str] | None = None, render: bool = True, progress: bool = True
) -> Path:
    """Execute the notebooks (all, or the runs named in ``only``) and render the book.

    Returns
    -------
    Path
        ``_build/html/index.html``.
    """
    runs = plan(load_book_config(), overrides)
    if only is not None:
        runs = [r for r in runs if r.name in only]
    keep = paths.GENERATED if only is not None else None
    staging = execute_all(runs, keep=keep, progress=progress)
    backup = paths.GENERATED.with_name("generated.previous")
    shutil.rmtree(backup, ignore_errors=True)
    if paths.GENERATED.exists():
        shutil.copytree(paths.GENERATED, backup)
    _swap(staging, paths.GENERATED)
    if render:
        try:
            jupyter_book()
        except BuildError:
            if backup.exists():
                _swap(backup, paths.GENERATED)
            raise
    shutil.rmtree(backup, ignore_errors=True)
    return paths.BUILD / "html" / "index.html"
