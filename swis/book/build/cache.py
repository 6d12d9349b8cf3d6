"""Input-addressed execution cache: a notebook run is re-executed only when something it depends on changed.

A run depends on its template, its parameters, the ``swis`` package source, the locked dependency versions
(``requirements.lock``) and every file it read, as its kernel recorded them (:mod:`.record`), including files
another run of the same build wrote (the synthesis reads the authority runs' estimates). After a successful
run, its executed notebook, the files it wrote and the hashes of everything it read are stored in
``.swis-cache/<run>/``; a failed run stores nothing. Before a run, the stored hashes are compared with the
files as they are now: if all agree, the stored notebook and outputs are reused.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from swis import paths
from swis.book.build.plan import Run

CACHE = paths.ROOT / ".swis-cache"
#: Folders whose reads are not recorded: the package (hashed as a whole) and files of the build itself.
IGNORED = ("swis/", ".swis-cache/", "_build", "book/generated.previous")


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes ('missing' when it does not exist)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, IsADirectoryError):
        return "missing"


def tree_hash(root: Path, pattern: str) -> str:
    """SHA-256 over the relative paths and contents of the files matching ``pattern`` under ``root``."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob(pattern)):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def static_key(run: Run) -> dict[str, str]:
    """What every run depends on besides the files it reads: template, parameters, package, locked versions."""
    return {
        "template": file_hash(run.template),
        "parameters": json.dumps(run.parameters, sort_keys=True),
        "swis": tree_hash(paths.ROOT / "swis", "*.py"),
        "lock": file_hash(paths.ROOT / "requirements.lock"),
    }


def _where(rel: str, staging: Path) -> Path:
    """A recorded path now: files of ``book/generated`` are read from the build's staging folder."""
    generated = paths.relative(paths.GENERATED) + "/"
    return staging / rel[len(generated) :] if rel.startswith(generated) else paths.ROOT / rel


@dataclass(frozen=True)
class Decision:
    """Whether a run can be reused, and why not when it cannot."""

    reuse: bool
    reason: str


def decide(run: Run, staging: Path, force: bool = False) -> Decision:
    """Compare a run's stored inputs with the current ones."""
    stored = CACHE / run.name / "entry.json"
    if force:
        return Decision(False, "forced")
    if not stored.exists():
        return Decision(False, "never executed (or its last execution failed)")
    entry = json.loads(stored.read_text())
    for key, value in static_key(run).items():
        if entry["static"].get(key) != value:
            return Decision(False, f"{key} changed")
    for rel, digest in entry["reads"].items():
        if file_hash(_where(rel, staging)) != digest:
            return Decision(False, f"{rel} changed")
    return Decision(True, "nothing it depends on changed")


def _relative_outputs(record: dict, staging: Path) -> list[tuple[str, Path]]:
    """Files the run wrote that still exist, as (path under book/generated, file in the staging folder)."""
    prefix = paths.relative(staging) + "/"
    out = []
    for rel in record["written"]:
        if rel.startswith(prefix) and (paths.ROOT / rel).is_file():
            out.append((rel[len(prefix) :], paths.ROOT / rel))
    return out


def store(run: Run, staging: Path, notebook: Path, record_path: Path) -> None:
    """Keep a successful run: its inputs' hashes, its executed notebook and the files it wrote."""
    record = json.loads(record_path.read_text())
    prefix = paths.relative(staging) + "/"
    generated = paths.relative(paths.GENERATED) + "/"
    reads = {}
    for rel in record["read"]:
        if rel.startswith(IGNORED):
            continue
        as_generated = generated + rel[len(prefix) :] if rel.startswith(prefix) else rel
        reads[as_generated] = file_hash(_where(as_generated, staging))
    tmp = Path(tempfile.mkdtemp(prefix=f".{run.name}.", dir=CACHE))
    (tmp / "outputs").mkdir()
    shutil.copy2(notebook, tmp / "notebook.ipynb")
    for rel, path in _relative_outputs(record, staging):
        (tmp / "outputs" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, tmp / "outputs" / rel)
    (tmp / "entry.json").write_text(json.dumps({"static": static_key(run), "reads": reads}, indent=1))
    target = CACHE / run.name
    old = target.with_name(f".{run.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def restore(run: Run, staging: Path) -> Path:
    """Put a stored run's executed notebook and outputs into the staging folder."""
    source = CACHE / run.name
    shutil.copytree(source / "outputs", staging, dirs_exist_ok=True)
    notebook = staging / f"{run.name}.ipynb"
    shutil.copy2(source / "notebook.ipynb", notebook)
    return notebook
