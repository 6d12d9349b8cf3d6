"""The PDF cover's record of the build: the commit, uncommitted changes, and a date taken from the sources.

Each test makes a small git repository of its own; none reads the project's checkout.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from swis.book.provenance import build_date, commit_epoch, provenance

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

#: 2 January 2024 23:59:30 UTC: a commit made just before midnight.
COMMITTED = 1704239970


def _repo(root: Path) -> str:
    """A repository with one commit at ``COMMITTED``; returns the commit's hash."""
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": f"@{COMMITTED} +0000",
        "GIT_COMMITTER_DATE": f"@{COMMITTED} +0000",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    run = {"cwd": root, "check": True, "capture_output": True, "env": env}
    subprocess.run(["git", "init", "-q"], **run)
    (root / "a.txt").write_text("a\n")
    subprocess.run(["git", "add", "a.txt"], **run)
    subprocess.run(["git", "commit", "-q", "-m", "one"], **run)
    return subprocess.run(["git", "rev-parse", "HEAD"], **run, text=True).stdout.strip()


def test_the_cover_names_the_commit_and_flags_uncommitted_changes(tmp_path):
    commit = _repo(tmp_path)
    assert provenance(tmp_path) == f"commit {commit}"
    (tmp_path / "a.txt").write_text("b\n")
    assert provenance(tmp_path) == f"commit {commit}, with uncommitted changes"
    (tmp_path / "new.txt").write_text("untracked files are not the book's sources\n")
    (tmp_path / "a.txt").write_text("a\n")
    assert provenance(tmp_path) == f"commit {commit}"


def test_the_date_is_the_commits_whatever_the_clock_says(tmp_path, monkeypatch):
    _repo(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert commit_epoch(tmp_path) == COMMITTED
    assert build_date(tmp_path) == dt.date(2024, 1, 2)  # UTC: the commit was at 23:59:30


def test_source_date_epoch_comes_first(tmp_path, monkeypatch):
    _repo(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(COMMITTED + 60))  # one minute later: the next day in UTC
    assert build_date(tmp_path) == dt.date(2024, 1, 3)


def test_outside_a_checkout_the_cover_says_so_and_the_date_is_today(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # no repository above tmp_path counts
    assert provenance(tmp_path) == "not built from a git checkout"
    assert commit_epoch(tmp_path) is None
    assert build_date(tmp_path) in {dt.datetime.now(dt.UTC).date() - dt.timedelta(days=d) for d in (0, 1)}


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give files away")
def test_a_checkout_owned_by_another_user_still_names_its_commit(tmp_path, monkeypatch):
    # As under sudo, or in a container whose checkout belongs to another user: git sees "dubious ownership".
    commit = _repo(tmp_path)
    for path in [tmp_path, *tmp_path.rglob("*")]:
        os.lchown(path, 4321, 4321)
    monkeypatch.delenv("SUDO_UID", raising=False)
    refused = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True)
    if refused.returncode == 0:
        pytest.skip("this machine's git configuration already trusts every directory")
    assert provenance(tmp_path) == f"commit {commit}"
    assert commit_epoch(tmp_path) == COMMITTED
