"""Checking the parameters of ``swis run`` before anything executes.

Names and types come from the template's ``parameters`` cell (read with
papermill's :func:`papermill.inspect_notebook`); values are checked as the
CLI checks files: the panel and config are loaded and validated, outcomes
and terms must be the config's, the correction a known one. Relative paths
are resolved against the current directory and recorded relative to the
repository root when they lie inside it, so a build does not depend on the
machine or the folder it was started from.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from pathlib import Path

from swis import paths
from swis.errors import WHOLE_FILE, InputError, Problem

#: Parameters naming an input file, and the one naming an output folder.
INPUT_PATHS = ("panel_path", "config_path")
OUTPUT_DIR = "output_dir"
_TYPES = {"str": (str,), "int": (int,), "list": (list,)}


def template_parameters(template: Path | None = None) -> dict[str, dict]:
    """Name -> papermill's description (``inferred_type_name``, ``default``, ``help``) of a template's parameters.

    Examples
    --------
    >>> sorted(template_parameters())[:3]
    ['authority', 'config_path', 'correction']
    """
    import papermill as pm

    return pm.inspect_notebook(str(template or paths.NOTEBOOKS / "authority.ipynb"))


def _where(name: str) -> str:
    return f"--param {name}"


def _check_names_and_types(params: dict, known: dict[str, dict]) -> list[Problem]:
    problems = []
    for name, value in params.items():
        if name not in known:
            near = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
            hint = f"did you mean '{near[0]}'? " if near else ""
            problems.append(
                Problem(_where(name), WHOLE_FILE, name, f"unknown parameter; {hint}expected one of {', '.join(known)}")
            )
            continue
        kind = known[name]["inferred_type_name"]
        ok = _TYPES.get(kind, (object,))
        if isinstance(value, bool) or not isinstance(value, ok):
            problems.append(Problem(_where(name), WHOLE_FILE, name, f"expected a value of type {kind}, got {value!r}"))
        elif kind == "list" and not all(isinstance(v, (str, int, float)) for v in value):
            problems.append(Problem(_where(name), WHOLE_FILE, name, f"expected a list of names, got {value!r}"))
    return problems


def _recorded(path: Path) -> str:
    """A path as recorded in the executed notebook: relative to the root inside it, else absolute."""
    return paths.relative(path)


def _resolve_paths(params: dict, cwd: Path) -> dict:
    out = dict(params)
    for name in (*INPUT_PATHS, OUTPUT_DIR):
        if out.get(name):
            out[name] = _recorded((cwd / Path(os.path.expanduser(out[name]))).resolve())
    return out


def _check_output_dir(value: str) -> None:
    target = paths.resolve(value)
    if target.exists() and not target.is_dir():
        raise InputError.one(_where(OUTPUT_DIR), WHOLE_FILE, OUTPUT_DIR, f"{value} is a file; expected a folder")
    if target == paths.DATA.resolve() or paths.DATA.resolve() in target.parents:
        raise InputError.one(
            _where(OUTPUT_DIR),
            WHOLE_FILE,
            OUTPUT_DIR,
            f"{value} is inside data/ (inputs, never written)",
        )
    existing = next(p for p in (target, *target.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise InputError.one(_where(OUTPUT_DIR), WHOLE_FILE, OUTPUT_DIR, f"cannot create or write {value}")


def _check_values(authority: str, params: dict) -> None:
    """Load the config and the panel as ``swis validate`` does, then check outcomes, terms and options."""
    from swis.config import load_config
    from swis.data.panel import load_panel
    from swis.estimation.inference.cluster import CORRECTIONS

    config_file = paths.resolve(params.get("config_path") or paths.config_path(authority))
    config = load_config(config_file)
    if config.authority != authority:
        raise InputError.one(
            _where("config_path"), WHOLE_FILE, "config_path", f"{config_file} is the config of {config.authority}"
        )
    from swis.config.authority import _term_problems

    ref = str(params.get("reference_term") or config.reference_term)
    post = [str(t) for t in params.get("intervention_terms") or config.intervention_terms]
    problems = _term_problems(list(config.terms), ref, post, "--param", {})
    if problems:
        raise InputError(problems)
    config = dataclasses.replace(config, reference_term=ref, intervention_terms=tuple(post))
    panel = load_panel(paths.resolve(params.get("panel_path") or paths.PANEL), config)
    wrong = [str(o) for o in params.get("outcomes") or [] if str(o) not in panel.outcomes]
    if wrong:
        raise InputError.one(
            _where("outcomes"),
            WHOLE_FILE,
            "outcomes",
            f"unknown outcome(s) {', '.join(wrong)}; the panel has {', '.join(panel.outcomes)} for {authority}",
        )
    if "correction" in params and params["correction"] not in CORRECTIONS:
        raise InputError.one(
            _where("correction"), WHOLE_FILE, "correction", f"expected one of {', '.join(CORRECTIONS)}"
        )
    if params.get("suppress_below", -1) < -1:
        raise InputError.one(
            _where("suppress_below"), WHOLE_FILE, "suppress_below", "expected -1 (automatic), 0 (none) or a count"
        )


def check_run_parameters(authority: str, params: dict, cwd: Path | None = None) -> dict:
    """Check ``swis run`` parameters and return them with paths resolved (relative to the root where possible).

    Raises
    ------
    InputError
        An unknown parameter (with the nearest known name), a value of the
        wrong type, a file that is missing or invalid, an outcome or term
        that is not the config's, an unknown correction, an output folder
        that cannot be written.
    """
    known = template_parameters()
    problems = _check_names_and_types(params, known)
    if "authority" in params and params["authority"] != authority:
        problems.append(
            Problem(_where("authority"), WHOLE_FILE, "authority", "the authority is the command's first argument")
        )
    if problems:
        raise InputError(problems)
    resolved = _resolve_paths(params, Path(cwd or Path.cwd()))
    for name in INPUT_PATHS:
        if resolved.get(name):
            from swis.io import read_text

            read_text(paths.resolve(resolved[name]), name.replace("_path", ""))
    if resolved.get(OUTPUT_DIR):
        _check_output_dir(resolved[OUTPUT_DIR])
    _check_values(authority, resolved)
    return resolved


def check_book_inputs(runs) -> None:
    """Check every authority run's config and panel, as ``swis validate`` does, before anything executes.

    A problem found here (an outcome of the config without rows, say) would otherwise surface only after
    every notebook ran, as a Sphinx warning about a missing label; here it is the message of
    ``swis validate``.

    Raises
    ------
    InputError
        The problems of the first authority whose inputs are not usable.
    """
    for run in runs:
        if "config_path" in run.parameters:
            _check_values(str(run.parameters["authority"]), run.parameters)
