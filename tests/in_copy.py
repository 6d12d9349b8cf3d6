"""Running ``swis`` in a copy of the repository, for the tests that build or check a book away from the real one.

``SWIS_ROOT`` points the package at the copy, whose own data, notebooks and cache it then reads and writes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def swis_in(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m swis.cli ARGS`` in ``root`` (with ``env`` added to this process's environment); its output
    captured as text, its exit code left to the caller to check."""
    return subprocess.run(
        [sys.executable, "-m", "swis.cli", *args],
        cwd=root,
        env={**os.environ, "SWIS_ROOT": str(root), **(env or {})},
        capture_output=True,
        text=True,
    )
