"""Reading CSV files cell by cell, and writing outputs all-or-nothing, with the user's normal permissions.

Input files are checked before pandas sees them (:func:`read_csv_text`): a
path that is not a regular file, text that is not UTF-8 (a byte-order mark
and Windows line endings are accepted), a duplicated column name, or a row
with more or fewer cells than the header is one clear problem naming the
file and line. Outputs (:func:`check_outputs`, :func:`write_outputs`) are
checked before any work is done, are never an input of the same command, and
are written together or not at all.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from pathlib import Path

import pandas as pd

from swis.errors import WHOLE_FILE, InputError, Problem

#: CSV line of the first data row (line 1 is the header).
FIRST_LINE = 2
#: Largest input file read (bytes): far above any panel or admin file, far below a mistaken disk image.
MAX_BYTES = 200 * 1024 * 1024


def read_text(path: str | Path, what: str = "file") -> str:
    """The text of a UTF-8 input file (a BOM is dropped), or one clear problem.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> try:
    ...     read_text(folder, "panel")
    ... except InputError as err:
    ...     print(str(err).replace(folder, "DIR"))
    error: DIR:0: -: is a directory; expected a panel file
    """
    path = Path(path)
    problem = None
    if not path.exists():
        problem = "file not found"
    elif path.is_dir():
        problem = f"is a directory; expected a {what} file"
    elif not path.is_file():
        problem = f"is not a regular file; expected a {what} file"
    elif path.stat().st_size > MAX_BYTES:
        problem = f"is larger than {MAX_BYTES // 2**20} MB; expected a {what} file"
    if problem:
        raise InputError.one(path, WHOLE_FILE, "-", problem)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.one(path, WHOLE_FILE, "-", f"cannot read the {what}: {exc.strerror}") from None
    if b"\x00" in data:
        raise InputError.one(path, WHOLE_FILE, "-", f"is a binary file; expected a {what} as UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError.one(
            path, line, "-", f"not UTF-8 text (byte {data[exc.start]:#04x}); save the {what} as UTF-8"
        ) from None


def _check_shape(rows: list[list[str]], file: str) -> None:
    """Header present, no duplicated column name, every row as long as the header."""
    if not rows or not any(c.strip() for c in rows[0]):
        raise InputError.one(file, WHOLE_FILE, "-", "empty file; expected a CSV header line")
    header = [c.strip() for c in rows[0]]
    problems = [
        Problem(file, 1, name, f"duplicate column name (column {i + 1}); each column must appear once")
        for i, name in enumerate(header)
        if name in header[:i]
    ]
    for line, row in enumerate(rows[1:], FIRST_LINE):
        if row and len(row) != len(header):
            hint = " (an unquoted comma inside a number such as 1,040?)" if len(row) > len(header) else ""
            problems.append(
                Problem(file, line, "-", f"expected {len(header)} cells as in the header, got {len(row)}{hint}")
            )
    if problems:
        raise InputError(problems)


def read_csv_text(path: str | Path) -> pd.DataFrame:
    """Read a CSV with every cell as text, indexed by CSV line, so bad cells can be reported by row.

    Raises
    ------
    InputError
        The file is missing, not a regular file, not UTF-8 text, has a
        duplicated column name or a row with the wrong number of cells.
    """
    text = read_text(path, "CSV")
    file = str(path)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError.one(file, WHOLE_FILE, "-", f"not a readable CSV file: {exc}") from None
    _check_shape(rows, file)
    header = [c.strip() for c in rows[0]]
    body = [[c.strip() for c in r] for r in rows[1:]]
    lines = [i for i, r in enumerate(body, FIRST_LINE) if r]
    frame = pd.DataFrame([r for r in body if r], columns=header, dtype=str)
    frame.index = pd.Index(lines) if lines else pd.RangeIndex(FIRST_LINE, FIRST_LINE)
    return frame


#: Parts of files being read, outermost first, as (absolute path, parts): see :func:`reading_part`.
_PARTS: list[tuple[str, tuple[tuple[str, ...], ...]]] = []

#: Between the columns (and between the values) of a part that selects rows on more than one column.
AND = "&"


def part_of(column: str | tuple[str, ...], value: str | tuple[str, ...], cells: tuple[str, ...] = ()) -> tuple:
    """A part of a CSV file as recorded: ``(column, value)`` or ``(column, value, "cell,cell")``; a selection
    on several columns has them (and their values) joined by :data:`AND`.

    Examples
    --------
    >>> part_of("authority", "Stockport"), part_of(("authority", "outcome"), ("Stockport", "s47"), ("count",))
    (('authority', 'Stockport'), ('authority&outcome', 'Stockport&s47', 'count'))
    """
    column, value = (AND.join(x) if isinstance(x, tuple) else x for x in (column, value))
    return (column, value, ",".join(cells)) if cells else (column, value)


@contextlib.contextmanager
def reading_part(path: str | Path, column: str, value: str, cells: tuple[str, ...] = ()):
    """Declare that what is read of ``path`` inside this block is only its rows whose ``column`` is ``value``
    (and of those, only the ``cells`` columns, when given).

    The book's build records every file a notebook opens (:mod:`swis.book.build.record`); an open inside
    this block is recorded as a read of that part of the file, so that a change to other rows (another
    authority's count in the report's panel) or other columns (a count, where only the schools' labels are
    read) does not re-execute the notebook. Use it only where nothing outside the part can change the result:
    e.g. :func:`swis.data.panel.load_panel` keeps the rows of one authority.

    Examples
    --------
    >>> with reading_part("data/panels/swis_panel.csv", "authority", "Stockport"):
    ...     part_being_read(os.path.abspath("data/panels/swis_panel.csv"))
    (('authority', 'Stockport'),)
    >>> with reading_part("data/panels/swis_panel.csv", "authority", "Stockport", ("school", "group")):
    ...     part_being_read(os.path.abspath("data/panels/swis_panel.csv"))
    (('authority', 'Stockport', 'school,group'),)
    >>> part_being_read(os.path.abspath("data/panels/swis_panel.csv")) is None
    True
    """
    with reading_parts(path, [part_of(column, value, cells)]):
        yield


@contextlib.contextmanager
def reading_parts(path: str | Path, parts: list[tuple]):
    """Declare that what the caller makes of what is read of ``path`` inside this block depends only on
    ``parts`` of it (each made by :func:`part_of`).

    A declaration wins over those made inside it: the caller knows which part of what a function reads its own
    result depends on. The planning chapter, say, uses one outcome's counts of the rows
    :func:`swis.data.panel.load_panel` reads, and every row's pupils. Declare no less than is used: a change
    outside the parts will not re-execute the notebook.

    Examples
    --------
    >>> fewer = [part_of("authority", "Stockport", ("school",))]
    >>> with reading_parts("data/panels/swis_panel.csv", fewer), reading_part("data/panels/swis_panel.csv",
    ...                                                                     "authority", "Stockport"):
    ...     part_being_read(os.path.abspath("data/panels/swis_panel.csv"))
    (('authority', 'Stockport', 'school'),)
    """
    _PARTS.append((os.path.abspath(path), tuple(parts)))
    try:
        yield
    finally:
        _PARTS.pop()


def part_being_read(full: str) -> tuple[tuple[str, ...], ...] | None:
    """The parts of the file at absolute path ``full`` being read now (the outermost declaration's), or None:
    each (column, value), or (column, value, comma-separated cells)."""
    for path, parts in _PARTS:
        if path == full:
            return parts
    return None


def _umask() -> int:
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_outputs(outputs: dict[str, Path | None], inputs: list[Path] | tuple = ()) -> None:
    """Refuse, before any work, outputs that cannot be written or would overwrite an input or each other.

    Parameters
    ----------
    outputs : dict
        Option name (``--out``) -> path, or None when not asked for.
    inputs : list of Path
        The command's input files.

    Raises
    ------
    InputError
        An output that is an input or another output, is a directory, or
        whose folder does not exist, is not a folder or is not writable.
    """
    seen: list[tuple[Path, str]] = [(Path(p), f"an input of this command ({p})") for p in inputs]
    problems = []
    for option, path in outputs.items():
        if path is None:
            continue
        path = Path(path)
        clash = next((what for other, what in seen if _same(path, other)), None)
        parent = path.parent if str(path.parent) else Path(".")
        if clash:
            problem = f"{path} is also {clash}; choose another file (an input is never overwritten)"
        elif path.is_dir():
            problem = f"{path} is a directory; expected a file name"
        elif path.exists() and not path.is_file():
            problem = f"{path} is not a regular file"
        elif not parent.exists():
            problem = f"folder {parent} does not exist"
        elif not parent.is_dir():
            problem = f"{parent} is not a folder"
        elif not os.access(parent, os.W_OK | os.X_OK):
            problem = f"folder {parent} is not writable"
        else:
            problem = ""
        if problem:
            problems.append(Problem(option, WHOLE_FILE, "-", problem))
        seen.append((path, f"the output of {option}"))
    if problems:
        raise InputError(problems)


def write_outputs(texts: dict[Path, str]) -> list[Path]:
    """Write several files all-or-nothing: every one, or none (earlier contents restored).

    Each is first written to a temporary file next to it, created with the
    permissions of a normal file (0666 less the umask: 0644 usually); the
    temporary files are then renamed over the targets. If anything fails,
    the targets already replaced get their previous content back and every
    temporary file is removed.
    """
    mode = 0o666 & ~_umask()
    staged: list[tuple[Path, str, str | None]] = []  # target, temporary file, backup of the old content
    done: list[tuple[Path, str | None]] = []
    try:
        for path, text in texts.items():
            path = Path(path)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
            staged.append((path, tmp, None))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            os.chmod(tmp, mode)
        for i, (path, tmp, _) in enumerate(staged):
            backup = None
            if path.exists():
                fd, backup = tempfile.mkstemp(prefix=f".{path.name}.old.", dir=path.parent)
                os.close(fd)
                os.replace(path, backup)
            staged[i] = (path, tmp, backup)
            done.append((path, backup))
            os.replace(tmp, path)
    except BaseException:
        for path, backup in reversed(done):
            if backup is not None:
                os.replace(backup, path)
            else:
                path.unlink(missing_ok=True)
        for _, tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for _, backup in done:
        if backup is not None:
            Path(backup).unlink(missing_ok=True)
    return list(texts)


def atomic_write_text(text: str, path: str | Path) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder (created if missing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_outputs({path: text})
    return path


def atomic_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame as CSV (no index) atomically."""
    return atomic_write_text(frame.to_csv(index=False), path)
