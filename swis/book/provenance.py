"""Where and when the book was built from, for the PDF edition's cover: the commit, whether the tree had
uncommitted changes, and the commit's date.

Both are the sources' and not the machine's, so that two builds of one commit print the same cover: the date is
``SOURCE_DATE_EPOCH`` or the commit's (as reproducible-builds.org recommends), and git is asked in a way that
works however the build was started (:func:`git`).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from swis import paths


def git(root: Path, *args: str) -> str:
    """What ``git`` prints, run in ``root`` and trusting it as a safe directory.

    Git refuses a checkout owned by another user ("dubious ownership"), as when a build runs under ``sudo``
    or in a container whose checkout belongs to someone else. The build already runs this checkout's own code,
    so trusting its git configuration adds no risk, and the cover names the commit however it was started.
    """
    command = ["git", "-c", f"safe.directory={Path(root).resolve()}", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def provenance(root: Path = paths.ROOT) -> str:
    """Which commit the book was built from, for the cover (and whether the tree had uncommitted changes)."""
    try:
        commit = git(root, "rev-parse", "HEAD")
        dirty = git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "not built from a git checkout"
    return f"commit {commit}" + (", with uncommitted changes" if dirty else "")


def commit_epoch(root: Path = paths.ROOT) -> int | None:
    """The time of the checked-out commit (seconds since 1970, UTC), or None outside a git checkout."""
    try:
        return int(git(root, "log", "-1", "--format=%ct"))
    except (OSError, ValueError, subprocess.CalledProcessError):
        return None


def build_date(root: Path = paths.ROOT) -> dt.date:
    """The day the cover prints (UTC): ``SOURCE_DATE_EPOCH`` when set, else the day of the checked-out commit,
    else today.

    As reproducible-builds.org recommends, the date is the sources' and not the clock's: two builds of one
    commit print the same cover whatever the hour, midnight between them included.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or commit_epoch(root)
    return (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)).date()
