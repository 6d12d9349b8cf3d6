"""A real build killed while a cache entry is half-stored (issue 32), and the same book from two folders, one of
them rebuilt incrementally after an edit that was reverted (issue 36).

Both walk a fresh copy of the repository with the executed notebooks of `make book` (only the killed run is
executed again), so they stay within a minute. The build is killed at a fixed point, not after a guessed delay:
``SWIS_TEST_HOLD_STORE`` makes the store of the named run stop half-written and say so (see
:mod:`swis.book.build.cache`), and the test kills the whole build then.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from in_copy import swis_in
from test_stranger import _build, _copy_with_executed_notebooks, _files

from swis.book.build.cache import HOLD
from swis.book.pdf import PDF_NAME

#: The run killed while it is stored: a page of its own, read by no other run, quick to execute again.
KILLED = "logic_model"


def _dry_run(root) -> list[str]:
    done = swis_in(root, "build", "--dry-run", "--no-wait")
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def _kill_while_storing(root, name: str) -> None:
    """Start ``swis build`` in ``root``, and SIGKILL it and all its processes while ``name``'s entry is stored."""
    log = (root / "killed-build.log").open("w")
    build = subprocess.Popen(
        [sys.executable, "-m", "swis.cli", "build", "--quiet"],
        cwd=root,
        env={**os.environ, "SWIS_ROOT": str(root), HOLD: name},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the build, its workers
    )
    try:
        deadline = time.monotonic() + 600
        while not list((root / ".swis-cache").glob(f".{name}.*/held")):
            assert build.poll() is None, (root / "killed-build.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the build never reached the store"
            time.sleep(0.1)  # polling a condition, not guessing a delay
    finally:
        os.killpg(build.pid, signal.SIGKILL)  # as a power cut would: no clean-up code runs
        build.wait(timeout=60)
        log.close()
    assert build.returncode == -signal.SIGKILL


def _book(root) -> dict:
    """The HTML and the executed notebooks of the copy, but the PDF and Sphinx's record of its configuration."""
    html = _files(root / "_build/html")
    # .buildinfo: Sphinx's record of its own configuration. The PDF's cover names the checkout's commit and
    # whether its tree is clean (`swis build` alone does not print it).
    html.pop(".buildinfo", None), html.pop(PDF_NAME, None)
    return {"html": html, "generated": _files(root / "book/generated")}


def _differ(one: dict, other: dict) -> dict:
    """Per part, the files present in one book only or with other bytes (nothing when the books are equal)."""
    out = {}
    for part in ("html", "generated"):
        a, b = one[part], other[part]
        names = sorted(set(a) ^ set(b)) + sorted(n for n in set(a) & set(b) if a[n] != b[n])
        if names:
            out[part] = names
    return out


@pytest.fixture(scope="module")
def killed(tmp_path_factory, built):
    """A fresh copy whose first build was killed while it stored ``KILLED``'s entry, then built again."""
    root = _copy_with_executed_notebooks(tmp_path_factory.mktemp("killed"))
    shutil.rmtree(root / ".swis-cache" / KILLED)  # so that the build executes it, and stores it
    _kill_while_storing(root, KILLED)
    half = list((root / ".swis-cache").glob(f".{KILLED}.*"))
    assert half and not (root / ".swis-cache" / KILLED).exists()  # killed mid-store, as intended
    before = _dry_run(root)
    lines = _build(root)
    return {"root": root, "dry_run": before, "lines": lines, "book": _book(root), "after": _dry_run(root)}


@pytest.mark.book
def test_a_build_killed_while_storing_an_entry_re_executes_that_run_and_builds_a_clean_book(killed, built):
    assert [line.split()[0] for line in killed["dry_run"] if line.split()[1] == f"{KILLED}:"] == ["re-execute"]
    executed = [line.split()[1] for line in killed["lines"] if line.startswith("  executing ")]
    assert executed == [KILLED]  # the half-stored entry was not reused; every other run was
    assert not list((killed["root"] / ".swis-cache").glob(f".{KILLED}.*"))  # the half-written store is gone
    assert [line for line in killed["after"] if not line.startswith("reuse ")] == [
        "render     no: nothing changed since the last render"
    ]  # the book needs nothing more
    clean = _book(built["html"].parent.parent)  # `make book` in this checkout: the same commit, elsewhere
    assert _differ(killed["book"], clean) == {}


def _sphinx_updated(root) -> str:
    """Sphinx's line of what it read again in the last render (from the build's log), without colours."""
    log = re.sub(r"\x1b\[[0-9;]*m", "", (root / ".swis-cache/build.log").read_text())
    return next(line for line in log.splitlines() if line.startswith("updating environment:"))


@pytest.mark.book
def test_an_incremental_rebuild_after_a_reverted_edit_writes_the_bytes_of_a_fresh_build(killed, built):
    """The killed copy's book was rendered afresh; an edit, an incremental build, the edit reverted and another
    incremental build must leave it byte-identical to that fresh render and to `make book`'s in this checkout."""
    root = killed["root"]
    page = root / "book/appendix/reproducibility.md"
    shipped = page.read_bytes()
    page.write_bytes(shipped + b"\nA sentence added by a test, and taken out again.\n")
    _build(root)
    assert "book/appendix/reproducibility.html" in _differ(_book(root), killed["book"])["html"]  # it sees an edit
    page.write_bytes(shipped)
    _build(root)
    assert _sphinx_updated(root).endswith("0 added, 1 changed, 0 removed")  # incremental: that page alone
    rebuilt = _book(root)
    assert _differ(rebuilt, killed["book"]) == {}  # the same folder, rendered afresh before
    assert _differ(rebuilt, _book(built["html"].parent.parent)) == {}  # another folder: `make book`'s
