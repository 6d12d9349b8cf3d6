"""One writer at a time (:mod:`swis.book.build.lock`): a second writer waits (saying for whom) or refuses,
a dead writer's lock is taken over, and two concurrent builds never overlap.

The builds here are stand-ins (a function that logs when it starts and ends) so that the tests take seconds;
the lock around them is the one ``swis build`` and ``swis run`` take, called through the real CLI where it
matters. The test with two real builds of the book is marked ``book``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from swis import paths
from swis.book.build import lock as lock_module
from swis.book.build import render
from swis.book.build.lock import Busy, writer_lock
from swis.cli import app

runner = CliRunner()

#: A process that takes the lock, says so by creating ``ready``, and holds it until ``release`` exists.
HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from swis.book.build.lock import writer_lock
    lock, ready, release = map(Path, sys.argv[1:4])
    with writer_lock(lock=lock):
        ready.touch()
        while not release.exists():
            time.sleep(0.05)
    """
)


def hold(tmp_path: Path, lock: Path) -> tuple[subprocess.Popen, Path]:
    """Start a process holding ``lock``; return it and the file whose creation releases the lock."""
    ready, release = tmp_path / "ready", tmp_path / "release"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock), str(ready), str(release)])
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None, "the holder died"
        assert time.monotonic() < deadline, "the holder never took the lock"
        time.sleep(0.05)
    return proc, release


def test_a_second_writer_that_must_not_wait_is_told_who_holds_the_lock(tmp_path):
    lock = tmp_path / "writer.lock"
    proc, release = hold(tmp_path, lock)
    try:
        with pytest.raises(Busy) as busy, writer_lock(wait=False, lock=lock):
            pytest.fail("took a lock another live process holds")
        assert f"process {proc.pid} (" in str(busy.value)
        assert "-c" in str(busy.value)  # the holder's command line
    finally:
        release.touch()
        proc.wait(timeout=60)
    with writer_lock(wait=False, lock=lock):  # released when its holder ended
        assert json.loads(lock.read_text())["pid"] == os.getpid()


def test_a_second_writer_waits_naming_the_first_then_goes_on(tmp_path):
    lock = tmp_path / "writer.lock"
    proc, release = hold(tmp_path, lock)
    said = []

    def say(line):
        said.append(line)
        release.touch()  # the first writer finishes while the second waits

    with writer_lock(lock=lock, say=say):
        assert proc.wait(timeout=60) == 0  # it held the lock until it ended
    assert len(said) == 1 and said[0].startswith(f"waiting for process {proc.pid} (")


def test_the_lock_of_a_killed_writer_is_taken_over(tmp_path):
    lock = tmp_path / "writer.lock"
    proc, _ = hold(tmp_path, lock)
    proc.send_signal(signal.SIGKILL)  # no clean-up possible: the file still names the dead process
    proc.wait(timeout=60)
    assert json.loads(lock.read_text())["pid"] == proc.pid
    start = time.monotonic()
    with writer_lock(wait=False, lock=lock):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert time.monotonic() - start < 5


def test_a_half_written_description_still_gives_a_message(tmp_path):
    lock = tmp_path / "writer.lock"
    lock.write_text('{"pid": 12')  # a writer killed while describing itself
    assert lock_module.holder(lock) == "an unknown process"


#: A stand-in build: the real lock (:func:`locked_build`) around a function logging its start and end.
FAKE_BUILD = textwrap.dedent(
    """
    import json, os, sys, time
    from swis.book.build import lock, render
    lock.LOCK = lock.Path(sys.argv[1])
    log = sys.argv[2]

    def build(**options):
        with open(log, "a") as f:
            f.write(json.dumps(["start", os.getpid(), time.monotonic()]) + "\\n")
        time.sleep(1.5)
        with open(log, "a") as f:
            f.write(json.dumps(["end", os.getpid(), time.monotonic()]) + "\\n")

    render.build = build
    lock.locked_build(force=True)
    """
)


def test_two_concurrent_builds_run_one_after_the_other(tmp_path):
    lock, log = tmp_path / "writer.lock", tmp_path / "log.jsonl"
    procs = [
        subprocess.Popen([sys.executable, "-c", FAKE_BUILD, str(lock), str(log)], stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e[0] for e in events] == ["start", "end", "start", "end"]  # never two builds at once
    assert events[0][1] == events[1][1] != events[2][1] == events[3][1]
    first = events[0][1]
    waited = [e for p, e in zip(procs, errors, strict=True) if p.pid != first]
    assert f"waiting for process {first} (" in waited[0]


@pytest.fixture
def tmp_lock(tmp_path, monkeypatch):
    """The CLI's lock moved to a temporary folder (a real build elsewhere in this checkout is not disturbed)."""
    lock = tmp_path / "writer.lock"
    monkeypatch.setattr(lock_module, "LOCK", lock)
    return lock


def staging_folders() -> list[Path]:
    return sorted([*paths.BOOK.glob("generated.*"), *paths.ROOT.glob("_build.*")])


def refused_while_held(args: list[str], tmp_path, tmp_lock):
    """The CLI run with ``args`` while another process holds the lock: exit 2 and one line naming that
    process (checked here); the result and its lines of standard error."""
    proc, release = hold(tmp_path, tmp_lock)
    try:
        result = runner.invoke(app, args)
    finally:
        release.touch()
        proc.wait(timeout=60)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: process {proc.pid} ("), lines
    return result, lines


@pytest.mark.parametrize("args", [["build", "--no-wait"], ["run", "Southampton", "--no-wait"]])
def test_the_cli_refuses_with_no_wait_while_another_process_writes(args, tmp_path, tmp_lock, monkeypatch):
    called = []
    monkeypatch.setattr(render, "build", lambda *a, **k: called.append(1))
    before = staging_folders()
    result, lines = refused_while_held(args, tmp_path, tmp_lock)
    assert "--no-wait" in lines[0] and "Traceback" not in result.output
    assert called == [] and staging_folders() == before


def test_the_cli_build_waits_for_the_running_writer(tmp_path, tmp_lock, monkeypatch):
    proc, release = hold(tmp_path, tmp_lock)
    ran = []

    def fake_build(**options):
        ran.append(release.exists())  # the holder lets go only once this file exists
        return paths.BUILD / "html" / "index.html"

    monkeypatch.setattr(render, "build", fake_build)
    timer = threading.Timer(1.0, release.touch)  # the first writer finishes while the CLI waits
    timer.start()
    result = runner.invoke(app, ["build", "--quiet"])
    timer.join()
    assert result.exit_code == 0, result.output
    assert f"waiting for process {proc.pid} (" in result.stderr
    assert ran == [True]
    proc.wait(timeout=60)


def test_a_dry_run_with_no_wait_refuses_while_another_process_writes(tmp_path, tmp_lock, monkeypatch):
    from swis.book.build import cache

    looked = []
    monkeypatch.setattr(cache, "decide", lambda *a, **k: looked.append(1) or pytest.fail("looked at the cache"))
    result, _ = refused_while_held(["build", "--dry-run", "--no-wait"], tmp_path, tmp_lock)
    assert result.stdout == "" and looked == []


def test_a_dry_run_waits_for_the_running_writer_before_it_looks(tmp_path, tmp_lock, monkeypatch):
    """What a dry run reports is read only once the writer has finished (never a half-written cache)."""
    from swis.book.build import cache

    proc, release = hold(tmp_path, tmp_lock)
    looked = []

    def decide(run, staging, force=False):
        looked.append(release.exists())  # the holder lets go only once this file exists
        return cache.Decision(True, "nothing it depends on changed")

    monkeypatch.setattr(cache, "decide", decide)
    timer = threading.Timer(1.0, release.touch)  # the writer finishes while the dry run waits
    timer.start()
    result = runner.invoke(app, ["build", "--dry-run"])
    timer.join()
    proc.wait(timeout=60)
    assert result.exit_code == 0, result.output
    assert f"waiting for process {proc.pid} (" in result.stderr
    assert looked and all(looked)
    assert result.stdout.splitlines()[0].startswith("reuse ")
    with writer_lock(wait=False, lock=tmp_lock):  # and it let go of the lock when it had answered
        pass


@pytest.mark.book
def test_two_real_builds_at_once_both_end_well_and_leave_a_finished_book(built):
    """The issue's two terminals: ``swis build --force``, and a plain build started while the first executes."""
    swis = str(Path(sys.executable).with_name("swis"))
    first = subprocess.Popen(
        [swis, "build", "--quiet", "--force", "--pdf"], cwd=paths.ROOT, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 900
    while not any(p.is_dir() for p in paths.BOOK.glob("generated.*")):  # the first one is executing
        assert first.poll() is None and time.monotonic() < deadline, "the first build never started executing"
        time.sleep(0.2)
    second = subprocess.Popen([swis, "build", "--quiet", "--pdf"], cwd=paths.ROOT, stderr=subprocess.PIPE, text=True)
    errors = [first.communicate(timeout=1800)[1], second.communicate(timeout=1800)[1]]
    assert [first.returncode, second.returncode] == [0, 0], errors
    assert f"waiting for process {first.pid} (" in errors[1]
    assert staging_folders() == []
    dry = subprocess.run([swis, "build", "--dry-run"], cwd=paths.ROOT, capture_output=True, text=True, check=True)
    assert "re-execute" not in dry.stdout and "render     no" in dry.stdout, dry.stdout
