"""Build the book: papermill runs every notebook, then Jupyter Book renders them.

Runs are described in ``data/book.yml`` (one file holds every parameter and
every seed). Each authority's notebook is made from the one template
``notebooks/authority.ipynb``: cells tagged ``per-outcome`` are repeated for
each outcome, and ``{{placeholders}}`` in the cells are filled in, before
papermill injects the parameters and executes it.

Failure leaves the last good book in place: notebooks are executed into a
staging folder and the HTML is built into a temporary folder; each replaces
its predecessor only when everything succeeded.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from swis import paths
from swis.config import load_config

BOOK_CONFIG = paths.DATA / "book.yml"
SHORT = {"s17": "s17", "s47": "s47", "days_in_care": "dic"}


class BuildError(RuntimeError):
    """A notebook or the book build failed; the message names the notebook and cell."""

    def __init__(self, message: str, input_error: bool = False):
        super().__init__(message)
        self.input_error = input_error


@dataclass(frozen=True)
class Run:
    """One notebook execution: template, output name and parameters."""

    template: Path
    name: str
    parameters: dict


def load_book_config(path: str | Path | None = None) -> dict:
    """The build's parameters (``data/book.yml``)."""
    return yaml.safe_load(Path(path or BOOK_CONFIG).read_text(encoding="utf-8"))


def authority_parameters(authority: str, overrides: dict | None = None) -> dict:
    """Default parameters of an authority's notebook, with overrides."""
    slug = authority.lower()
    params = {"authority": authority, "panel_path": str(paths.PANEL.relative_to(paths.ROOT)),
              "config_path": str(paths.config_path(authority).relative_to(paths.ROOT)),
              "output_dir": f"book/generated/results/{slug}"}
    params.update(overrides or {})
    return params


def plan(book: dict, overrides: dict[str, dict] | None = None) -> list[Run]:
    """Every notebook run of the book, in order."""
    overrides = overrides or {}
    runs = [Run(paths.NOTEBOOKS / "facts.ipynb", "facts", dict(book.get("facts") or {}))]
    for authority in book["authorities"]:
        params = authority_parameters(authority, {**book.get("authority_defaults", {}),
                                                  **overrides.get(authority, {})})
        runs.append(Run(paths.NOTEBOOKS / "authority.ipynb", f"authority_{authority.lower()}", params))
    for name in ("synthesis", "logic_model", "matching", "audit"):
        if name in book:
            runs.append(Run(paths.NOTEBOOKS / f"{name}.ipynb", name, dict(book[name] or {})))
    return runs


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
    config = load_config(paths.ROOT / parameters["config_path"])
    from swis.data import load_panel

    outcomes = parameters.get("outcomes") or load_panel(paths.ROOT / parameters["panel_path"], config).outcomes
    common = {"authority": config.authority, "code": config.code.lower(),
              "label": f"sec-{config.authority.lower()}-impact"}
    out = copy.deepcopy(nb)
    cells, block = [], []
    for cell in nb.cells + [None]:
        if cell is not None and "per-outcome" in cell.metadata.get("tags", []):
            block.append(cell)
            continue
        for outcome in outcomes if block else []:
            spec = config.outcomes[outcome]
            values = {**common, "outcome": outcome, "oc": SHORT.get(outcome, outcome), "unit": spec.unit,
                      "outcome_label": spec.label, "outcome_label_lower": spec.in_text}
            for c in block:
                new = copy.deepcopy(c)
                new.id = uuid.uuid4().hex[:8]  # every cell of a notebook needs its own id
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


def execute_run(run: Run, out_dir: Path, progress: bool = True) -> Path:
    """Expand and execute one notebook into ``out_dir``; raise BuildError on failure."""
    import papermill as pm

    nb = expand_template(nbformat.read(run.template, as_version=4), run.parameters)
    out = out_dir / f"{run.name}.ipynb"
    with tempfile.TemporaryDirectory() as tmp:
        expanded = Path(tmp) / run.template.name
        nbformat.write(nb, expanded)
        try:
            pm.execute_notebook(str(expanded), str(out), parameters=run.parameters, cwd=str(paths.ROOT),
                                progress_bar=progress, kernel_name="python3", language="python")
        except pm.PapermillExecutionError as err:
            raise BuildError(f"notebook {run.name} ({run.template.name}) failed in cell {err.cell_index} "
                             f"(execution {err.exec_count}): {err.ename}: {err.evalue}",
                             input_error=err.ename == "InputError") from None
    executed = nbformat.read(out, as_version=4)
    _hide_injected(executed)
    nbformat.write(executed, out)
    return out


def _into(run: Run, staging: Path) -> Run:
    """Point output folders under ``book/generated`` at the staging folder instead."""
    prefix = str(paths.GENERATED.relative_to(paths.ROOT))
    params = dict(run.parameters)
    for key in ("output_dir", "results_dir"):
        value = str(params.get(key, ""))
        if value == prefix or value.startswith(prefix + "/"):
            params[key] = str(staging / value[len(prefix):].lstrip("/"))
    return Run(run.template, run.name, params)


def execute_all(runs: list[Run], keep: Path | None = None, progress: bool = True) -> Path:
    """Execute runs into a staging folder (a copy of ``keep`` for runs not listed)."""
    staging = Path(tempfile.mkdtemp(prefix="generated.", dir=paths.BOOK))
    if keep is not None and keep.exists():
        shutil.copytree(keep, staging, dirs_exist_ok=True)
    try:
        for i, run in enumerate(runs, 1):
            print(f"[{i}/{len(runs)}] executing {run.template.name} -> {run.name}.ipynb", file=sys.stderr, flush=True)
            execute_run(_into(run, staging), staging, progress)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _swap(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` (directories)."""
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def jupyter_book(strict: bool = True) -> None:
    """Render the book into a temporary folder; replace ``_build`` only on success."""
    tmp = Path(tempfile.mkdtemp(prefix="_build.", dir=paths.ROOT))
    # the console script installed next to this interpreter (the module has no __main__ guard)
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(paths.ROOT), "--path-output", str(tmp),
           "--builder", "html"]
    if strict:
        cmd += ["-n", "-W", "--keep-going"]
    print("rendering the book: jupyter-book " + " ".join(cmd[1:]), file=sys.stderr, flush=True)
    done = subprocess.run(cmd, cwd=paths.ROOT)
    if done.returncode != 0 or not (tmp / "_build" / "html" / "index.html").exists():
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(f"jupyter-book build failed (exit {done.returncode}); the previous book is left in place")
    _swap(tmp / "_build", paths.BUILD)
    shutil.rmtree(tmp, ignore_errors=True)


def build(overrides: dict[str, dict] | None = None, only: list[str] | None = None,
          render: bool = True, progress: bool = True) -> Path:
    """Execute the notebooks (all, or the runs named in ``only``) and render the book.

    Returns
    -------
    Path
        ``_build/html/index.html``.
    """
    runs = plan(load_book_config(), overrides)
    if only is not None:
        runs = [r for r in runs if r.name in only]
    keep = paths.GENERATED if only is not None else None
    staging = execute_all(runs, keep=keep, progress=progress)
    backup = paths.GENERATED.with_name("generated.previous")
    shutil.rmtree(backup, ignore_errors=True)
    if paths.GENERATED.exists():
        shutil.copytree(paths.GENERATED, backup)
    _swap(staging, paths.GENERATED)
    if render:
        try:
            jupyter_book()
        except BuildError:
            if backup.exists():
                _swap(backup, paths.GENERATED)
            raise
    shutil.rmtree(backup, ignore_errors=True)
    return paths.BUILD / "html" / "index.html"
