"""Command-line interface: ``swis validate | did | audit | match | build | run``.

Bad input is reported as ``error: FILE:ROW: COLUMN: message`` lines on
standard error with exit status 2 and no traceback; output files are
written only when everything succeeded, and atomically.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import pandas as pd
import typer

from swis.errors import InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Reproducible analysis of the Social Workers in Schools (SWIS) pilots.")

PANEL_ARG = typer.Argument(..., help="Tidy panel CSV (authority, outcome, school, group, term, count, pupils[, printed_rate]).")
CONFIG_OPT = typer.Option(..., "--config", "-c", help="Authority config YAML (terms, reference and intervention terms, outcomes).")


def fail(err: InputError) -> None:
    """Print an input error's lines and exit with status 2."""
    typer.echo(err.render(), err=True)
    raise typer.Exit(2)


def warn(problems) -> None:
    for p in problems:
        typer.echo(str(p).replace("error:", "warning:", 1), err=True)


def write_csv(frame: pd.DataFrame, out: Optional[Path]) -> None:
    """Write to ``out`` atomically, or to standard output."""
    from swis.io import atomic_csv

    if out is None:
        frame.to_csv(sys.stdout, index=False)
    else:
        atomic_csv(frame, out)
        typer.echo(f"wrote {out}", err=True)


@app.command()
def validate(panel: Path = PANEL_ARG, config: Path = CONFIG_OPT,
             no_corrections: bool = typer.Option(False, help="Do not apply data/corrections.csv.")) -> None:
    """Check a panel against a config; exit 0 if usable, 2 with one line per problem if not."""
    from swis.config import load_config
    from swis.data import load_panel

    try:
        loaded = load_panel(panel, load_config(config), corrections=False if no_corrections else None)
    except InputError as err:
        fail(err)
    warn(loaded.warnings)
    n_schools = loaded.data["school"].nunique()
    typer.echo(f"ok: {panel}: {len(loaded.data)} rows, {n_schools} schools, outcomes {', '.join(loaded.outcomes)}")


@app.command()
def did(panel: Path = PANEL_ARG, config: Path = CONFIG_OPT,
        outcome: Optional[str] = typer.Option(None, help="One outcome (default: every outcome in the panel)."),
        out: Optional[Path] = typer.Option(None, help="Write the table to this CSV (default: standard output)."),
        correction: str = typer.Option("stata", help="Small-sample factor: stata (G/(G-1)), statsmodels, none."),
        no_corrections: bool = typer.Option(False, help="Do not apply data/corrections.csv.")) -> None:
    """Estimate the Poisson difference-in-differences model; print the tidy table as CSV."""
    from swis.config import load_config
    from swis.data import load_panel
    from swis.did import CORRECTIONS, estimate_panel

    if correction not in CORRECTIONS:
        fail(InputError.one("--correction", 0, "correction", f"expected one of {', '.join(CORRECTIONS)}"))
    try:
        loaded = load_panel(panel, load_config(config), corrections=False if no_corrections else None)
        if outcome is not None and outcome not in loaded.outcomes:
            raise InputError.one(panel, 0, "outcome", f"no rows for outcome '{outcome}'; "
                                 f"present: {', '.join(loaded.outcomes)}")
    except InputError as err:
        fail(err)
    warn(loaded.warnings)
    outcomes = [outcome] if outcome else loaded.outcomes
    table = pd.concat([estimate_panel(loaded, o, correction=correction).table for o in outcomes])
    write_csv(table, out)


@app.command()
def audit(out: Optional[Path] = typer.Option(None, help="Write the row-by-row comparison to this CSV."),
          no_corrections: bool = typer.Option(False, help="Audit the data exactly as printed.")) -> None:
    """Re-estimate every published regression table and compare, to the printed precision."""
    from swis.audit import run_audit, summary_line

    try:
        rows, verdicts = run_audit(corrections=not no_corrections)
    except InputError as err:
        fail(err)
    write_csv(rows, out)
    for v in verdicts.itertuples():
        typer.echo(f"{v.authority} {v.outcome}: {v.verdict}")
    typer.echo(summary_line(verdicts))


def _build_failed(err) -> None:
    typer.echo(f"error: {err}", err=True)
    raise typer.Exit(2 if getattr(err, "input_error", False) else 1)


@app.command()
def build(no_render: bool = typer.Option(False, help="Execute the notebooks only; do not render the HTML."),
          quiet: bool = typer.Option(False, help="No per-cell progress bars.")) -> None:
    """Execute every notebook with papermill and render the book (what `make book` runs)."""
    from swis.build import BuildError
    from swis.build import build as run_build

    try:
        index = run_build(render=not no_render, progress=not quiet)
    except BuildError as err:
        _build_failed(err)
    typer.echo(f"book: {index}" if not no_render else "notebooks executed into book/generated")


def parse_params(pairs: list[str]) -> dict:
    """``KEY=VALUE`` pairs; each VALUE is read as YAML (so lists and numbers work)."""
    import yaml

    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError.one("--param", 0, pair, "expected KEY=VALUE, e.g. panel_path=my_panel.csv")
        params[key.strip()] = yaml.safe_load(value) if value.strip() else ""
    return params


@app.command()
def run(authority: str = typer.Argument(..., help="Authority to re-run, e.g. Southampton."),
        param: list[str] = typer.Option([], "--param", "-p", help="KEY=VALUE parameter of the authority notebook."),
        no_render: bool = typer.Option(False, help="Execute only; do not render the HTML."),
        quiet: bool = typer.Option(False, help="No per-cell progress bars.")) -> None:
    """Re-run one authority's notebook with other parameters, then the synthesis, and rebuild the book."""
    from swis import paths
    from swis.build import BuildError, load_book_config
    from swis.build import build as run_build

    try:
        params = parse_params(param)
        known = load_book_config()["authorities"]
        match = [a for a in known if a.lower() == authority.lower()]
        if not match:
            raise InputError.one(paths.DATA / "book.yml", 0, "authorities",
                                 f"unknown authority '{authority}'; expected one of {', '.join(known)}")
    except InputError as err:
        fail(err)
    name = match[0]
    only = [f"authority_{name.lower()}", "synthesis"]
    if not paths.GENERATED.exists():
        only = None  # first build: every notebook
    try:
        index = run_build({name: params}, only=only, render=not no_render, progress=not quiet)
    except BuildError as err:
        _build_failed(err)
    typer.echo(f"book: {index}" if not no_render else "notebooks executed into book/generated")


def _register_match() -> None:
    """`swis match` lives in swis.cli_match; registered here so every command hangs off one app."""
    from swis.cli_match import match

    app.command("match")(match)


_register_match()


def main() -> None:
    """Entry point of the ``swis`` console script."""
    try:
        app()
    except InputError as err:  # raised outside a command's own handling
        typer.echo(err.render(), err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
