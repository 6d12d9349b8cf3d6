"""One writer at a time: the lock every command that writes the cache, ``book/generated`` or ``_build`` takes.

Two builds in one checkout (two terminals, or a terminal and ``make book``) would write the same cache
entries, staging folders and HTML; the second would also take the first one's staging folder for the
leftovers of a killed build and remove it. So a writer holds an exclusive ``flock`` on
``.swis-cache/writer.lock`` for as long as it runs, and writes into that file who it is (process id, command,
start time) so that a second writer can say whom it waits for. The kernel releases the lock when its holder
ends, however it ends (even SIGKILL or a power cut), so a lock whose process is dead is never in the way: the
next writer takes it over and overwrites the stale description. The lock file itself is never deleted: a
writer that deleted it could let a third one lock a new file while a second one holds the old.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from swis import paths

LOCK = paths.ROOT / ".swis-cache" / "writer.lock"


#: Who holds the lock, when it has not said (yet).
UNKNOWN = "an unknown process"


class Busy(Exception):
    """Another live process holds the writer lock (raised when asked not to wait)."""


def holder(lock: Path | None = None) -> str:
    """Who holds (or last held) the lock, in words: process id, command, start time.

    Examples
    --------
    >>> import tempfile
    >>> lock = Path(tempfile.mkdtemp()) / "writer.lock"
    >>> holder(lock)
    'an unknown process'
    >>> _ = lock.write_text('{"pid": 42, "command": "swis build --force", "started": "00:13:31"}')
    >>> holder(lock)
    'process 42 (swis build --force), started at 00:13:31'
    """
    try:
        about = json.loads((lock or LOCK).read_text(encoding="utf-8"))
        return f"process {about['pid']} ({about['command']}), started at {about['started']}"
    except (OSError, ValueError, KeyError, TypeError):  # not written yet, or by a writer killed mid-write
        return UNKNOWN


def _named_holder(lock: Path, patience: float = 1.0) -> str:
    """:func:`holder`, giving a holder that has just taken the lock up to ``patience`` seconds to say who it is."""
    who, deadline = holder(lock), time.monotonic() + patience
    while who == UNKNOWN and time.monotonic() < deadline:  # it writes its name just after taking the lock
        time.sleep(0.05)
        who = holder(lock)
    return who


def _command() -> str:
    """This process's command line, as the user typed it (the script's name without its folder)."""
    argv = list(sys.argv) or ["python"]
    argv[0] = Path(argv[0]).name
    return " ".join(argv)


def _open_locked(lock: Path, wait: bool, say) -> int:
    """A descriptor of ``lock`` holding its exclusive flock; raise :class:`Busy` if held and ``wait`` is false."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    told = False
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                os.close(fd)
                raise Busy(_named_holder(lock)) from None
            if not told:
                say(
                    f"waiting for {_named_holder(lock)}, which holds the writer lock, to finish with the book "
                    "(Ctrl-C to give up)"
                )
                told = True
            os.close(fd)
            time.sleep(0.5)
            continue
        except BaseException:
            os.close(fd)
            raise
        # the file locked must still be the one at the path (someone may have deleted the cache folder)
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


@contextmanager
def writer_lock(wait: bool = True, lock: Path | None = None, say=None) -> Iterator[None]:
    """Hold the writer lock for the block; wait for another writer (saying who it is) or raise :class:`Busy`.

    Examples
    --------
    >>> import tempfile
    >>> lock = Path(tempfile.mkdtemp()) / "writer.lock"
    >>> with writer_lock(lock=lock):
    ...     try:
    ...         with writer_lock(wait=False, lock=lock):
    ...             pass
    ...     except Busy as busy:
    ...         print("busy:", str(busy).split(" (")[0] == f"process {os.getpid()}")
    busy: True
    >>> with writer_lock(wait=False, lock=lock):  # released at the end of the block
    ...     print("mine")
    mine
    """
    say = say or (lambda line: print(line, file=sys.stderr, flush=True))
    fd = _open_locked(lock or LOCK, wait, say)
    try:
        about = {"pid": os.getpid(), "command": _command(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(about).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the flock


def locked_build(*args, wait: bool = True, **kwargs) -> Path:
    """:func:`swis.book.build.render.build` holding the writer lock (what ``swis build`` and ``swis run`` call).

    The lock is taken before the build cleans up leftovers, so the staging folders it removes belong to no
    live writer.
    """
    from swis.book.build.render import build

    with writer_lock(wait=wait):
        return build(*args, **kwargs)
