"""Executing the notebooks: the authority template expanded per outcome, then papermill, into a staging folder.

Each authority's notebook is made from the one template
``notebooks/authority.ipynb``: cells tagged ``per-outcome`` are repeated for
each outcome, and ``{{placeholders}}`` in the cells are filled in, before
papermill injects the parameters and executes it. Notebooks are executed
into a staging folder, which replaces ``book/generated`` only when every run
succeeded (:mod:`swis.book.build.render`).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat

from swis import paths
from swis.book.build import forking, schedule
from swis.book.build import log as build_log
from swis.book.build.outputs import output_problems
from swis.book.build.plan import Run
from swis.config import load_config
from swis.data.panel import load_panel
from swis.errors import BuildError


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def expand_template(nb, parameters: dict):
    """Repeat ``per-outcome`` cells for each outcome and fill the placeholders.

    Placeholders: ``authority``, ``code`` (e.g. ``sou``), ``label``
    (``sec-southampton-impact``), and in per-outcome cells ``outcome``,
    ``oc`` (short code), ``outcome_label``, ``outcome_label_lower``, ``unit``.
    """
    if "config_path" not in parameters:  # only the authority template has per-outcome blocks
        return nb
    config = load_config(paths.resolve(parameters["config_path"]))
    outcomes = parameters.get("outcomes") or load_panel(paths.resolve(parameters["panel_path"]), config).outcomes
    common = {
        "authority": config.authority,
        "code": config.code.lower(),
        "label": f"sec-{config.authority.lower()}-impact",
    }
    out = copy.deepcopy(nb)
    cells, block = [], []
    for cell in nb.cells + [None]:
        if cell is not None and "per-outcome" in cell.metadata.get("tags", []):
            block.append(cell)
            continue
        for outcome in outcomes if block else []:
            spec = config.outcomes[outcome]
            values = {
                **common,
                "outcome": outcome,
                "oc": spec.short,
                "unit": spec.unit,
                "outcome_label": spec.label,
                "outcome_label_lower": spec.in_text,
            }
            for c in block:
                new = copy.deepcopy(c)
                new.id = f"{c.id}-{spec.short}"[:64]  # unique and the same in every build
                new.source = _fill(new.source, values)
                new.metadata["tags"] = [t for t in new.metadata["tags"] if t != "per-outcome"]
                cells.append(new)
        block = []
        if cell is not None:
            cell = copy.deepcopy(cell)
            cell.source = _fill(cell.source, common)
            cells.append(cell)
    out.cells = cells
    return out


def _hide_injected(nb) -> None:
    """Keep papermill's injected-parameters cell as the record of the run, hidden from readers."""
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")


#: Cell and notebook metadata papermill and the kernel write that differ from run to run (times, temp paths).
_VOLATILE = ("duration", "end_time", "start_time", "input_path", "output_path")


def _replace_in(value, old: str, new: str):
    """``value`` (JSON-like) with every string's ``old`` replaced by ``new``."""
    return json.loads(json.dumps(value).replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1]))


def make_reproducible(nb, run: Run, staging: Path | None) -> None:
    """Strip what differs between two builds of the same inputs from an executed notebook.

    Timings and temporary paths go; the staging folder is recorded as
    ``book/generated`` (where the outputs end up), parameters as given
    (relative to the repository root); the injected cell gets a fixed id.
    """
    record = paths.relative(paths.GENERATED)
    meta = nb.metadata.get("papermill", {})
    for key in _VOLATILE:
        meta.pop(key, None)
    meta["input_path"] = paths.relative(run.template)
    meta["output_path"] = f"{record}/{run.name}.ipynb"
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for key in _VOLATILE:
            cell.metadata.get("papermill", {}).pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"
    if staging is not None:
        for old in (str(staging), paths.relative(staging)):
            meta["parameters"] = _replace_in(meta.get("parameters", {}), old, record)
            for cell in nb.cells:
                if "injected-parameters" in cell.metadata.get("tags", []):
                    cell.source = cell.source.replace(old, record)


#: Attempts at starting a notebook's kernel. Two kernels started at once can race for the same free port
#: (jupyter_client picks the ports before the kernel binds them), and the loser dies before replying; a new
#: start picks new ports.
KERNEL_STARTS = 3
_KERNEL_DIED = "Kernel died before replying to kernel_info"


def with_kernel_retries(execute, *args, **kwargs):
    """Call ``execute`` (papermill's), starting again when the kernel died before it started.

    Examples
    --------
    >>> calls = []
    >>> def flaky():
    ...     calls.append(1)
    ...     if len(calls) < 2:
    ...         raise RuntimeError("Kernel died before replying to kernel_info")
    ...     return "ran"
    >>> with_kernel_retries(flaky), len(calls)
    ('ran', 2)
    """
    for attempt in range(1, KERNEL_STARTS + 1):
        try:
            return execute(*args, **kwargs)
        except RuntimeError as err:
            if _KERNEL_DIED not in str(err) or attempt == KERNEL_STARTS:
                raise


def execute_run(run: Run, out_dir: Path, progress: bool = True, staging: Path | None = None) -> Path:
    """Expand and execute one notebook into ``out_dir``; raise BuildError on failure.

    ``staging`` is the folder standing in for ``book/generated`` during the
    build; it is recorded as ``book/generated`` (:func:`make_reproducible`).
    """
    import papermill as pm

    nb = with_recording(expand_template(nbformat.read(run.template, as_version=4), run.parameters), run.name)
    out = out_dir / f"{run.name}.ipynb"
    with tempfile.TemporaryDirectory() as tmp:
        expanded = Path(tmp) / run.template.name
        nbformat.write(nb, expanded)
        try:
            # no output path: papermill would otherwise write the whole notebook before and after every cell
            # (a second of an authority's five); the executed notebook is written once, below
            executed = with_kernel_retries(
                pm.execute_notebook,
                str(expanded),
                None,
                parameters=run.parameters,
                cwd=str(paths.ROOT),
                progress_bar=progress,
                kernel_name="python3",
                language="python",
                **_kernel_manager(),
            )
        except pm.PapermillExecutionError as err:
            raise BuildError(
                f"notebook {run.name} ({run.template.name}) failed in cell {err.cell_index} "
                f"(execution {err.exec_count}): {err.ename}: {err.evalue}\n"
                f"the kernels' output is in {build_log.where()}",
                input_error=err.ename == "InputError",
            ) from None
    problems = output_problems(executed)
    if problems:
        raise BuildError(f"notebook {run.name} ({run.template.name}): " + "; ".join(problems))
    _hide_injected(executed)
    make_reproducible(executed, run, staging)
    nbformat.write(executed, out)
    return out


def _kernel_manager() -> dict:
    """papermill's keyword for the kernel manager of this worker: the forking one when the build runs a zygote."""
    manager = forking.kernel_manager_class()
    return {"kernel_manager_class": manager} if manager is not None else {}


def _worker(log: str, progress: bool, zygote: str | None) -> None:
    """The initializer of the processes that execute notebooks: output to the log, kernels from the zygote."""
    build_log.output_to_log(log, progress)
    forking.use(zygote)


def with_recording(nb, name: str):
    """The notebook with two hidden cells that record what its kernel reads and writes (:mod:`.record`)."""
    from nbformat.v4 import new_code_cell

    first = new_code_cell(
        "from swis import paths as _swis_paths\nfrom swis.book.build.record import start as "
        "_swis_record\n\n_swis_recorder = _swis_record(str(_swis_paths.ROOT))",
        metadata={"tags": ["remove-cell"]},
    )
    # the semicolon keeps the returned path from being displayed: hidden on the page, a cell's output is
    # still in the published notebook, and a path of the machine would differ from one checkout to another
    last = new_code_cell(f"_swis_recorder.finish({name!r});", metadata={"tags": ["remove-cell"]})
    first.id, last.id = "swis-record-start", "swis-record-finish"
    out = copy.deepcopy(nb)
    out.cells = [first, *out.cells, last]
    return out


def _into(run: Run, staging: Path) -> Run:
    """Point every parameter naming a path under ``book/generated`` at the staging folder instead.

    Any parameter, whatever its name: a folder a run writes into must be the build's staging folder (the
    book's own is replaced only when the whole build succeeds), and one it reads from holds there what this
    build has made so far (the staging folder starts as a copy of the book's).

    Examples
    --------
    >>> run = Run(Path("nb.ipynb"), "x", {"figures_to": "book/generated/figures", "panel_path": "data/p.csv"})
    >>> _into(run, Path("/tmp/stage")).parameters
    {'figures_to': '/tmp/stage/figures', 'panel_path': 'data/p.csv'}
    """
    prefix = str(paths.GENERATED.relative_to(paths.ROOT))
    params = dict(run.parameters)
    for key, value in params.items():
        if isinstance(value, str) and (value == prefix or value.startswith(prefix + "/")):
            params[key] = str(staging / value[len(prefix) :].lstrip("/"))
    return Run(run.template, run.name, params)


def _execute_one(run: Run, staging: Path, progress: bool) -> tuple[str, float]:
    """Execute one run into the staging folder and store it in the cache (a process-pool task)."""
    from swis.book.build import cache

    start = time.perf_counter()
    out = execute_run(_into(run, staging), staging, progress, staging=staging)
    seconds = time.perf_counter() - start
    cache.store(run, staging, out, cache.CACHE / "records" / f"{run.name}.json", seconds)
    return run.name, seconds


def keep_unchanged_times(staging: Path, previous: Path) -> int:
    """Give each file of ``staging`` whose bytes equal those of the same file in ``previous`` that file's
    modification time; returns how many kept their time.

    Sphinx re-reads a page whose source is newer than its last reading. A notebook executed again (``--force``,
    or because something it read changed) is written anew even when its bytes are the same, and would make
    the next render read it again: keeping the time of unchanged files keeps the incremental render to the
    pages that changed.

    Examples
    --------
    >>> import os, tempfile
    >>> old, new = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    >>> for folder, text in ((old, "same"), (new, "same")):
    ...     _ = (folder / "a.ipynb").write_text(text)
    >>> _ = (old / "b.ipynb").write_text("old"); _ = (new / "b.ipynb").write_text("new")
    >>> os.utime(old / "a.ipynb", (0, 0)); os.utime(old / "b.ipynb", (0, 0))
    >>> keep_unchanged_times(new, old), (new / "a.ipynb").stat().st_mtime, (new / "b.ipynb").stat().st_mtime > 0
    (1, 0.0, True)
    """
    kept = 0
    for path in staging.rglob("*"):
        before = previous / path.relative_to(staging)
        same_size = path.is_file() and before.is_file() and path.stat().st_size == before.stat().st_size
        if same_size and path.read_bytes() == before.read_bytes():
            stat = before.stat()
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            kept += 1
    return kept


def execute_all(
    runs: list[Run],
    keep: Path | None = None,
    progress: bool = True,
    force: bool = False,
    workers: int | None = None,
    zygote: Callable[[], str | None] | None = None,
    on_idle: Callable[[], None] | None = None,
) -> tuple[Path, list[dict]]:
    """Execute runs into a staging folder (a copy of ``keep`` for runs not listed), reusing cached runs.

    Runs that read other runs' outputs (:data:`swis.book.build.plan.AFTER`) wait for the runs they read
    (:mod:`.schedule`). ``zygote``: the address of a fork server the caller started
    (:func:`swis.book.build.forking.zygote`); without it, one is started at the first run to execute and
    stopped at the end. ``on_idle``: called once when every run is under way and a worker is free
    (:func:`swis.book.build.schedule.run_all`). Returns the staging folder and one line per run: reused or
    executed, why, and how long it took.
    """
    workers = workers or os.cpu_count() or 1
    staging = Path(tempfile.mkdtemp(prefix="generated.", dir=paths.BOOK))
    if keep is not None and keep.exists():
        shutil.copytree(keep, staging, dirs_exist_ok=True)
    try:
        with contextlib.ExitStack() as stack:
            if zygote is None:
                zygote = stack.enter_context(forking.zygote(build_log.LOG))
            report = schedule.run_all(runs, staging, force, progress, workers, zygote, on_idle)
        keep_unchanged_times(staging, paths.GENERATED)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging, report
