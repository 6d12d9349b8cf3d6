"""What a notebook read and wrote, recorded inside its kernel with a Python audit hook (:pep:`578`).

The build adds two hidden cells to every notebook it executes: the first starts the recording, the last writes
it to ``.swis-cache/records/<run>.json``. Every file opened under the repository (outside the virtual
environment and the cache) is recorded as read, or as written when opened for writing or renamed into place,
so the cache knows exactly which data files a notebook depends on and which outputs it produced; nothing has
to be declared by hand, and nothing can be forgotten. A file opened inside :func:`swis.io.reading_part` (the
rows of one authority in a panel) is recorded as a read of that part only, unless the notebook also opened
it outside such a block. Audit hooks cannot be removed, so a hook stays in the
kernel until it exits; it only ever adds paths to two sets.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from swis.io import part_being_read

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class Recorder:
    """The files under a root that this process opens, read and written (absolute paths)."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root) + os.sep
        self.skip = tuple(os.path.join(self.root, p) for p in (".venv", ".swis-cache", ".git"))
        self.read: set[str] = set()
        self.written: set[str] = set()
        #: path -> the parts of it read inside :func:`swis.io.reading_part` (:func:`swis.io.part_being_read`)
        self.parts: dict[str, set[tuple[str, ...]]] = {}

    def _wanted(self, path) -> str | None:
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return None  # a file descriptor
        full = os.path.abspath(path)
        return full if full.startswith(self.root) and not full.startswith(self.skip) else None

    def __call__(self, event: str, args: tuple) -> None:
        """The audit hook: record opens (read or write) and renames into place (write)."""
        if event == "open":
            path, mode, flags = (list(args) + [None, None])[:3]
            full = self._wanted(path)
            if full is not None:
                writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(
                    (flags or 0) & _WRITE_FLAGS
                )
                parts = None if writing else part_being_read(full)
                if parts is not None:
                    self.parts.setdefault(full, set()).update(parts)
                else:
                    (self.written if writing else self.read).add(full)
        elif event in ("os.rename", "os.replace") and len(args) >= 2:
            full = self._wanted(args[1])
            if full is not None:
                self.written.add(full)

    def finish(self, run: str) -> Path:
        """Write what was read, in whole or in part, and written (relative to the root) to
        ``.swis-cache/records/<run>.json``."""
        base = Path(self.root)
        written = sorted({os.path.relpath(p, base) for p in self.written})
        read = sorted({os.path.relpath(p, base) for p in self.read} - set(written))
        parts = {
            os.path.relpath(p, base): sorted(map(list, which))
            for p, which in sorted(self.parts.items())
            if p not in self.read and p not in self.written  # a whole read (or a write) covers every part
        }
        out = base / ".swis-cache" / "records" / f"{run}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"read": read, "written": written, "parts": parts}, indent=1))
        return out


def start(root: str) -> Recorder:
    """Start recording the files under ``root`` this kernel opens; keep the returned recorder to finish."""
    recorder = Recorder(root)
    sys.addaudithook(recorder)
    return recorder
