"""Input-addressed execution cache: a notebook run is re-executed only when something it depends on changed.

A run depends on its template, its parameters, the ``swis`` package source, the locked dependency versions
(``requirements.lock``) and every file it read, as its kernel recorded them (:mod:`.record`), including files
another run of the same build wrote (the synthesis reads the authority runs' estimates). After a successful
run, its executed notebook, the files it wrote and the hashes of everything it read are stored in
``.swis-cache/<run>/``; a failed run stores nothing. Before a run, the stored hashes are compared with the
files as they are now: if all agree, the stored notebook and outputs are reused.

An entry is all or nothing: it is written into a temporary folder and renamed into place, and its
``entry.json`` (written last) lists the SHA-256 of every file of the entry, checked before the entry is
reused. An entry a killed build, a power cut or a full disk left incomplete or damaged is therefore never
reused: its run is executed again.

For the test that kills a real build at that point, :func:`store` honours one environment variable,
``SWIS_TEST_HOLD_STORE``: when it names the run being stored, the store stops once the entry's files are in
its temporary folder and before its ``entry.json`` is written, creates the file ``held`` in that folder, and
waits there until the process is killed. Unset (as in every ordinary build) it does nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path

from swis import paths
from swis.book.build.plan import Run
from swis.io import AND

CACHE = paths.ROOT / ".swis-cache"
#: Folders whose reads are not recorded: the package (hashed as a whole) and files of the build itself.
IGNORED = ("swis/", ".swis-cache/", "_build", "book/generated.previous")


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes ('missing' when it does not exist)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, IsADirectoryError):
        return "missing"


#: Folders a build makes next to ``book/generated`` and removes (staging, backup): never part of a key, or the
#: key of a render made during a build would differ from the same book's key afterwards.
TRANSIENT = "generated."


def tree_hash(root: Path, pattern: str) -> str:
    """SHA-256 over the relative paths and contents of the files matching ``pattern`` under ``root``."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob(pattern)):
        parts = path.relative_to(root).parts
        if path.is_file() and "__pycache__" not in parts and not any(p.startswith(TRANSIENT) for p in parts):
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


#: Between a file and the part of it a run read, in a key of an entry's ``reads``: ``<file>#<column>=<value>``,
#: then ``#<cell>,<cell>...`` when only some columns of those rows were read.
PART = "#"


def _pairs(column: str, value: str) -> list[tuple[str, str]]:
    """A part's selection as (column, value) pairs: several are joined by ``&`` (:func:`swis.io.part_of`).

    Examples
    --------
    >>> _pairs("authority", "Lambeth"), _pairs("authority&outcome", "Lambeth&s47")
    ([('authority', 'Lambeth')], [('authority', 'Lambeth'), ('outcome', 's47')])
    """
    return list(zip(column.split(AND), value.split(AND), strict=True))


def part_key(rel: str, part: list[str] | tuple[str, ...]) -> str:
    """The key of a recorded part of a file, e.g. ``data/panels/swis_panel.csv#authority=Lambeth``; a part
    selecting rows on several columns (:func:`swis.io.part_of`) has one ``column=value`` each, joined by ``&``.

    Examples
    --------
    >>> part_key("p.csv", ["authority", "Lambeth"]), part_key("p.csv", ["authority", "Lambeth", "school,group"])
    ('p.csv#authority=Lambeth', 'p.csv#authority=Lambeth#school,group')
    >>> part_key("p.csv", ["authority&outcome", "Lambeth&s47"])
    'p.csv#authority=Lambeth&outcome=s47'
    """
    column, value, *cells = part
    selection = AND.join(f"{c}={v}" for c, v in _pairs(column, value))
    return f"{rel}{PART}{selection}" + "".join(f"{PART}{c}" for c in cells)


def part_hash(path: Path, column: str, value: str, cells: tuple[str, ...] = ()) -> str:
    """SHA-256 of what a run that keeps the rows of a CSV file whose ``column`` is ``value`` reads of it
    (several columns and their values joined by ``&``: the rows where each has its value).

    That is the header, those rows with their line numbers (only their ``cells`` columns, when given), and
    what the reader checks in every row: the values of each ``column`` that occur (a misspelt authority
    anywhere is refused) and that every row has as many cells as the header. Rows are read as
    :func:`swis.io.read_csv_text` reads them (cells stripped, line numbers of the CSV records), so the hash
    changes when what the run read could have changed, and not when only another part's cells did. A file that
    cannot be read that way is hashed whole: whatever changed, the run is executed again and reports it.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "panel.csv"
    >>> _ = f.write_text("authority,count\\nA,1\\nB,2\\n")
    >>> before = part_hash(f, "authority", "A")
    >>> _ = f.write_text("authority,count\\nA,1\\nB,3\\n")
    >>> part_hash(f, "authority", "A") == before, part_hash(f, "authority", "B") == before
    (True, False)
    >>> labels = part_hash(f, "authority", "B", ("authority",))
    >>> _ = f.write_text("authority,count\\nA,1\\nB,4\\n")
    >>> part_hash(f, "authority", "B", ("authority",)) == labels  # a count changed, not a label
    True
    """
    import csv
    import io

    try:
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
        header = [c.strip() for c in rows[0]]
        selection = _pairs(column, value)
        at = [header.index(c) for c, _ in selection]
        wanted = [v for _, v in selection]
        body = [(line, row) for line, row in enumerate(rows[1:], 2) if row]
        whole = all(len(row) == len(header) for _, row in body)
        values = [sorted({row[i].strip() for _, row in body if len(row) > i}) for i in at]
        keep = [header.index(c) for c in cells] if cells else range(len(header))
        kept = [
            [str(line), *(row[i].strip() for i in keep)] for line, row in body if [row[i].strip() for i in at] == wanted
        ]
    except (OSError, UnicodeDecodeError, csv.Error, IndexError, ValueError):
        return "whole:" + file_hash(path)
    values = values[0] if len(at) == 1 else values  # one column: as hashed before selections of several
    return hashlib.sha256(json.dumps([header, whole, values, kept]).encode("utf-8")).hexdigest()


def parse_key(key: str) -> tuple[str, tuple[str, str, tuple[str, ...]] | None]:
    """A recorded read's file, and the part of it read (column, value, cells), or None for the whole file:
    the inverse of :func:`part_key`.

    Examples
    --------
    >>> parse_key("p.csv"), parse_key("p.csv#authority=Lambeth#school,group")
    (('p.csv', None), ('p.csv', ('authority', 'Lambeth', ('school', 'group'))))
    >>> parse_key("p.csv#authority=Lambeth&outcome=s47")
    ('p.csv', ('authority&outcome', 'Lambeth&s47', ()))
    """
    rel, sep, part = key.partition(PART)
    if not sep:
        return rel, None
    selection, _, cells = part.partition(PART)
    pairs = [pair.partition("=") for pair in selection.split(AND)]
    column, value = (AND.join(p[i] for p in pairs) for i in (0, 2))
    return rel, (column, value, tuple(cells.split(",")) if cells else ())


def read_hash(key: str, staging: Path) -> str:
    """The hash of a recorded read now: a whole file, or a part of one (``<file>#<column>=<value>``)."""
    rel, part = parse_key(key)
    return file_hash(_where(rel, staging)) if part is None else part_hash(_where(rel, staging), *part)


def _where(rel: str, staging: Path) -> Path:
    """A recorded path now: files of ``book/generated`` are read from the build's staging folder."""
    generated = paths.relative(paths.GENERATED) + "/"
    return staging / rel[len(generated) :] if rel.startswith(generated) else paths.ROOT / rel


def _described(key: str) -> str:
    """A recorded read in words, e.g. ``the rows of data/panels/swis_panel.csv with authority Stockport``."""
    from swis.report.format import join_words

    rel, part = parse_key(key)
    if part is None:
        return rel
    column, value, cells = part
    which = f"the {join_words(list(cells))} of " if cells else ""
    return f"{which}the rows of {rel} with " + join_words([f"{c} {v}" for c, v in _pairs(column, value)])


@dataclass(frozen=True)
class Decision:
    """Whether a run can be reused, and why not when it cannot."""

    reuse: bool
    reason: str


def _files(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder`` but ``entry.json``."""
    return {
        p.relative_to(folder).as_posix(): file_hash(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "entry.json"
    }


#: Why a stored entry that is not whole is not reused.
DAMAGED = "its cache entry is incomplete or damaged (an interrupted or failed write)"


def stored_entry(name: str) -> dict | None:
    """A run's stored entry, or None when there is none or it is not whole (a file missing, changed or extra)."""
    folder = CACHE / name
    try:
        entry = json.loads((folder / "entry.json").read_text(encoding="utf-8"))
        whole = entry["files"] == _files(folder) and "notebook.ipynb" in entry["files"]
        return entry if whole and isinstance(entry["static"], dict) and isinstance(entry["reads"], dict) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def decide(run: Run, staging: Path, force: bool = False) -> Decision:
    """Compare a run's stored inputs with the current ones."""
    if force:
        return Decision(False, "forced")
    if not (CACHE / run.name).exists():
        return Decision(False, "never executed (or its last execution failed)")
    entry = stored_entry(run.name)
    if entry is None:
        return Decision(False, DAMAGED)
    for key, value in static_key(run).items():
        if entry["static"].get(key) != value:
            return Decision(False, f"{key} changed")
    for key, digest in entry["reads"].items():
        if read_hash(key, staging) != digest:
            return Decision(False, f"{_described(key)} changed")
    return Decision(True, "nothing it depends on changed")


def _relative_outputs(record: dict, staging: Path) -> list[tuple[str, Path]]:
    """Files the run wrote that still exist, as (path under book/generated, file in the staging folder)."""
    prefix = paths.relative(staging) + "/"
    out = []
    for rel in record["written"]:
        if rel.startswith(prefix) and (paths.ROOT / rel).is_file():
            out.append((rel[len(prefix) :], paths.ROOT / rel))
    return out


def _remove_unfinished(name: str) -> None:
    """Remove the temporary folders of this run's earlier stores that were killed before they finished.

    Only this run's: stores of other runs may be under way (one writer holds the lock, with several
    workers), but one run is stored by one worker at a time.
    """
    for folder in CACHE.glob(f".{name}.*"):
        shutil.rmtree(folder, ignore_errors=True)


def last_seconds(name: str) -> float | None:
    """How long a run's last stored execution took (None when unknown), to start the longest runs first."""
    try:
        return float(json.loads((CACHE / name / "entry.json").read_text(encoding="utf-8"))["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


#: The environment variable naming a run whose store is held half-written (for the kill test; see above).
HOLD = "SWIS_TEST_HOLD_STORE"


def _hold_if_asked(name: str, tmp: Path) -> None:
    """Wait half-written until killed when :data:`HOLD` names this run; otherwise do nothing."""
    if os.environ.get(HOLD) != name:
        return
    (tmp / "held").touch()  # the test kills the build once it sees this file
    while True:
        signal.pause()


def store(run: Run, staging: Path, notebook: Path, record_path: Path, seconds: float | None = None) -> None:
    """Keep a successful run: its inputs' hashes, its executed notebook, the files it wrote and how long it took.

    All or nothing: written into a temporary folder, ``entry.json`` last (with every file's hash), then
    renamed into place.
    """
    record = json.loads(record_path.read_text())
    prefix = paths.relative(staging) + "/"
    generated = paths.relative(paths.GENERATED) + "/"
    reads = {}
    for rel in record["read"]:
        if rel.startswith(IGNORED):
            continue
        as_generated = generated + rel[len(prefix) :] if rel.startswith(prefix) else rel
        reads[as_generated] = file_hash(_where(as_generated, staging))
    for rel, parts in record.get("parts", {}).items():
        if not rel.startswith(IGNORED):
            for part in parts:
                key = part_key(rel, part)
                reads[key] = read_hash(key, staging)
    CACHE.mkdir(parents=True, exist_ok=True)
    _remove_unfinished(run.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{run.name}.", dir=CACHE))
    (tmp / "outputs").mkdir()
    shutil.copy2(notebook, tmp / "notebook.ipynb")
    for rel, path in _relative_outputs(record, staging):
        (tmp / "outputs" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, tmp / "outputs" / rel)
    _hold_if_asked(run.name, tmp)
    entry = {"static": static_key(run), "reads": reads, "files": _files(tmp), "seconds": seconds}
    (tmp / "entry.json").write_text(json.dumps(entry, indent=1), encoding="utf-8")
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
