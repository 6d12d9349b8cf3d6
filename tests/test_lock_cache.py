"""A cache entry is all or nothing: a store killed at any write, or an entry damaged afterwards, is never reused.

The store runs in a forked child process with an audit hook (:pep:`578`) that SIGKILLs it at its k-th write under the
cache folder (a file opened for writing, a rename, a removal, a new folder), for every k; each time, the next
build's decision (:func:`swis.book.build.cache.decide`, what the build asks before reusing a run) must be
either "re-execute" or "reuse" of an entry identical to one a finished store makes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from swis import paths
from swis.book.build import cache
from swis.book.build.plan import Run

#: Audit events that change the file system.
CHANGES = {"os.rename", "os.replace", "os.remove", "os.rmdir", "os.mkdir", "shutil.rmtree"}


class KillAt:
    """An audit hook counting writes under the cache folder, SIGKILLing this process at the ``k``-th (0: never)."""

    def __init__(self, k: int):
        self.k, self.writes = k, 0

    def __call__(self, event: str, args: tuple) -> None:
        if not args or not isinstance(args[0], str | bytes | os.PathLike):
            return
        path = os.fsdecode(args[1] if event in ("os.rename", "os.replace") else args[0])
        if not path.startswith(str(cache.CACHE)):
            return
        opened_for_writing = event == "open" and isinstance(args[1], str) and any(c in args[1] for c in "wax+")
        if opened_for_writing or event in CHANGES:
            self.writes += 1
            if self.writes == self.k:
                os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class Ended:
    returncode: int  # -9: killed
    writes: int  # when not killed: how many writes the store made


def store_killed_at(k: int, folder: Path, staging: Path, run: Run) -> Ended:
    """Store ``run`` in a forked child (the hook cannot be removed) killed at its ``k``-th write (0: never)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: ends here, whatever happens
        code = 3
        try:
            os.close(read)
            hook = KillAt(k)
            sys.addaudithook(hook)
            cache.store(run, staging, staging / "toy.ipynb", folder / "record.json")
            os.write(write, str(hook.writes).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        told = pipe.read()
    _, status = os.waitpid(pid, 0)
    return Ended(os.waitstatus_to_exitcode(status), int(told) if told else -1)


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A finished run's staging folder (a notebook, two outputs) and its record, and a cache of its own."""
    monkeypatch.setattr(cache, "CACHE", tmp_path / "cache")
    staging = tmp_path / "staging"
    (staging / "toy").mkdir(parents=True)
    (staging / "toy.ipynb").write_text(json.dumps({"cells": ["x" * 50_000]}))
    (staging / "toy" / "estimates.csv").write_text("term,estimate\n" + "a,1.5\n" * 5000)
    (staging / "toy" / "figure.svg").write_text("<svg/>" * 2000)
    written = [str(staging / "toy" / n) for n in ("estimates.csv", "figure.svg")]
    (tmp_path / "record.json").write_text(json.dumps({"read": [], "written": written}))
    template = paths.NOTEBOOKS / "facts.ipynb"
    return tmp_path, staging, Run(template, "toy", {"facts_dir": "data/facts"})


def kill_at_every_write(folder: Path, staging: Path, run: Run) -> list[tuple[cache.Decision, dict | None]]:
    """From the cache as it is now, store ``run`` killed at its 1st, 2nd, ... write; after each kill, the
    decision of the next build and the files of the entry it would reuse. The cache is put back each time."""
    before = folder / "cache-before"
    shutil.copytree(cache.CACHE, before) if cache.CACHE.exists() else before.mkdir()
    counted = store_killed_at(0, folder, staging, run)
    assert counted.returncode == 0
    out = []
    for k in range(1, counted.writes + 1):
        shutil.rmtree(cache.CACHE)
        shutil.copytree(before, cache.CACHE)
        killed = store_killed_at(k, folder, staging, run)
        assert killed.returncode == -signal.SIGKILL, k
        decision = cache.decide(run, staging)
        out.append((decision, cache._files(cache.CACHE / run.name) if decision.reuse else None))
    return out


def test_a_first_store_killed_at_any_write_leaves_nothing_that_would_be_reused(toy):
    folder, staging, run = toy
    outcomes = kill_at_every_write(folder, staging, run)
    assert len(outcomes) >= 6  # a folder, three files, entry.json, the rename: each a kill point
    whole = cache._files(cache.CACHE / "toy")  # as a store that was not killed leaves it
    for decision, files in outcomes:  # killed before the final rename: nothing reused; after it: the whole entry
        assert files == whole if decision.reuse else decision.reason.startswith("never executed")
    assert not outcomes[-2][0].reuse  # the kill just before the entry is renamed into place
    assert store_killed_at(0, folder, staging, run).returncode == 0
    assert sorted(p.name for p in cache.CACHE.iterdir()) == ["toy"]  # no temporary folder left behind
    assert cache.decide(run, staging).reuse


def test_a_store_over_an_old_entry_killed_at_any_write_reuses_the_old_or_the_new_whole_or_nothing(toy):
    folder, staging, run = toy
    assert store_killed_at(0, folder, staging, run).returncode == 0
    old = cache._files(cache.CACHE / "toy")
    (staging / "toy.ipynb").write_text(json.dumps({"cells": ["y" * 50_000]}))  # the run executed again
    (staging / "toy" / "figure.svg").unlink()
    outcomes = kill_at_every_write(folder, staging, run)
    new = cache._files(cache.CACHE / "toy")
    assert new != old
    assert {d.reuse for d, _ in outcomes} == {True, False}  # some kills fell before the old entry left
    for decision, files in outcomes:
        assert files in (old, new) if decision.reuse else decision.reason.startswith("never executed")


@pytest.mark.parametrize(
    "damage",
    [
        lambda e: (e / "notebook.ipynb").write_text('{"cells": ["x'),  # truncated
        lambda e: (e / "outputs" / "toy" / "estimates.csv").unlink(),  # missing
        lambda e: (e / "outputs" / "toy" / "extra.csv").write_text("a\n"),  # not the run's
        lambda e: (e / "entry.json").write_text('{"static": {'),  # unreadable
        lambda e: (e / "entry.json").write_bytes(b"\x00" * 64),  # zeros after a power cut
        lambda e: (e / "entry.json").unlink(),
    ],
    ids=["truncated-notebook", "missing-output", "extra-file", "truncated-entry", "zeroed-entry", "no-entry"],
)
def test_a_damaged_entry_is_executed_again_not_reused(toy, damage):
    folder, staging, run = toy
    assert store_killed_at(0, folder, staging, run).returncode == 0
    assert cache.decide(run, staging).reuse
    damage(cache.CACHE / "toy")
    assert cache.decide(run, staging) == cache.Decision(False, cache.DAMAGED)
    assert cache.decide(run, staging, force=True).reason == "forced"


def test_an_entry_in_the_format_before_checksums_is_executed_again(toy):
    folder, staging, run = toy
    assert store_killed_at(0, folder, staging, run).returncode == 0
    entry_file = cache.CACHE / "toy" / "entry.json"
    entry = json.loads(entry_file.read_text())
    del entry["files"]
    entry_file.write_text(json.dumps(entry))
    assert not cache.decide(run, staging).reuse
    assert os.path.isdir(cache.CACHE / "toy")


def test_a_build_in_progress_does_not_change_the_key_of_the_book(tmp_path):
    """The render key of a book is the same during a build (staging and backup folders beside
    ``book/generated``) and after it; otherwise a finished build would ask for another render."""
    book = tmp_path / "book"
    (book / "generated").mkdir(parents=True)
    (book / "generated" / "a.ipynb").write_text("{}")
    (book / "index.md").write_text("# Book\n")
    after = cache.tree_hash(book, "*")
    for transient in ("generated.previous", "generated.k2j4x9_a", "generated.partial"):
        (book / transient).mkdir()
        (book / transient / "a.ipynb").write_text('{"old": 1}')
    assert cache.tree_hash(book, "*") == after
    (book / "index.md").write_text("# Changed\n")
    assert cache.tree_hash(book, "*") != after


def test_the_hold_of_the_kill_test_is_inert_unless_it_names_the_run(toy, monkeypatch):
    """``SWIS_TEST_HOLD_STORE`` (what tests/test_killed_build.py sets) holds only the run it names."""
    import time

    folder, staging, run = toy
    monkeypatch.setenv(cache.HOLD, "another_run")
    assert store_killed_at(0, folder, staging, run).returncode == 0  # not held: it finished
    monkeypatch.setenv(cache.HOLD, run.name)
    pid = os.fork()
    if pid == 0:
        try:
            cache.store(run, staging, staging / "toy.ipynb", folder / "record.json")
        finally:
            os._exit(0)  # never reached when held
    deadline = time.monotonic() + 60
    while not list(cache.CACHE.glob(".toy.*/held")):
        assert os.waitpid(pid, os.WNOHANG) == (0, 0), "the store ended instead of waiting"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    held = next(cache.CACHE.glob(".toy.*"))
    assert sorted(p.name for p in held.iterdir()) == ["held", "notebook.ipynb", "outputs"]  # no entry.json yet
    assert cache.decide(run, staging).reuse  # the entry of the finished store is still whole
