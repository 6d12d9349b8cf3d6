"""``swis validate``, ``swis did`` and ``swis audit``: check a panel, estimate, audit the published tables."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from swis.errors import InputError

PANEL_ARG = typer.Argument(
    ..., help="Tidy panel CSV (authority, outcome, school, group, term, count, pupils[, printed_rate])."
)
CONFIG_OPT = typer.Option(
    ..., "--config", "-c", help="Authority config YAML (terms, reference and intervention terms, outcomes)."
)


def write_csv(frame, out: Path | None) -> None:
    """Write to ``out`` atomically (checked beforehand by :func:`swis.io.check_outputs`), or to standard output."""
    from swis.io import write_outputs

    if out is None:
        frame.to_csv(sys.stdout, index=False)
    else:
        try:
            write_outputs({out: frame.to_csv(index=False)})
        except OSError as exc:
            raise InputError.one("--out", 0, "-", f"cannot write {out}: {exc.strerror}") from None
        typer.echo(f"wrote {out}", err=True)


def _inputs(*files: Path | None, corrections: bool = True) -> list[Path]:
    """The input files of a command, for :func:`swis.io.check_outputs` (the corrections file when applied)."""
    from swis import paths

    return [f for f in (*files, paths.CORRECTIONS if corrections else None) if f is not None]


def validate(
    panel: Path = PANEL_ARG,
    config: Path = CONFIG_OPT,
    no_corrections: bool = typer.Option(False, help="Do not apply data/corrections.csv."),
) -> None:
    """Check a panel against a config; exit 0 if usable, 2 with one line per problem if not."""
    from swis.cli import fail, warn
    from swis.config import load_config
    from swis.data.panel import load_panel

    try:
        loaded = load_panel(panel, load_config(config), corrections=False if no_corrections else None)
    except InputError as err:
        fail(err)
    warn(loaded.warnings)
    n_schools = loaded.data["school"].nunique()
    typer.echo(f"ok: {panel}: {len(loaded.data)} rows, {n_schools} schools, outcomes {', '.join(loaded.outcomes)}")


def inference_columns() -> dict[str, list[str]]:
    """Columns of each inference convention in ``swis did``'s output (the others are always written).

    Imported when asked for: the statistics stay out of every other command's start-up.
    """
    from swis.estimation.inference import bootstrap, randomization

    return {
        "crv1": ["ci_low", "ci_high", "p_value"],
        "t": ["t_df", "t_ci_low", "t_ci_high", "t_p_value"],
        "ri": list(randomization.COLUMNS),
        "bootstrap": list(bootstrap.COLUMNS),
    }


def load_for_estimation(
    panel: Path, config: Path, outcome: str | None, out: Path | None, no_corrections: bool, options
):
    """Check a command's options (``options()``, whose answer is returned), its output and its panel; the outcomes.

    Bad input ends the command with one clear message and exit 2 (``swis.cli.fail``); the panel's warnings are
    shown. Returns ``(options(), panel, outcomes asked for)``; errors after this are the program's own.
    """
    from swis.cli import fail, warn
    from swis.config import load_config
    from swis.data.panel import load_panel
    from swis.io import check_outputs

    try:
        checked = options()
        check_outputs({"--out": out}, _inputs(panel, config, corrections=not no_corrections))
        loaded = load_panel(panel, load_config(config), corrections=False if no_corrections else None)
        if outcome is not None and outcome not in loaded.outcomes:
            raise InputError.one(
                panel, 0, "outcome", f"no rows for outcome '{outcome}'; present: {', '.join(loaded.outcomes)}"
            )
    except InputError as err:
        fail(err)
    warn(loaded.warnings)
    return checked, loaded, [outcome] if outcome else loaded.outcomes


def _did_options(correction: str, inference: str, reps: int, engine: str, weights: str) -> list[str]:
    """Check ``swis did``'s options before anything is read; return the inference conventions asked for."""
    from swis.estimation.did import CORRECTIONS, ENGINES, INFERENCE
    from swis.estimation.inference.bootstrap import WEIGHTS

    asked = [part.strip() for part in inference.split(",") if part.strip()]
    checks = [
        ("--correction", correction in CORRECTIONS, f"expected one of {', '.join(CORRECTIONS)}, got '{correction}'"),
        (
            "--inference",
            bool(asked) and all(a in INFERENCE for a in asked),
            f"expected a comma-separated list of {', '.join(INFERENCE)}, got '{inference}'",
        ),
        ("--reps", reps >= 1, f"expected a whole number >= 1, got {reps}"),
        ("--engine", engine in ENGINES, f"expected one of {', '.join(ENGINES)}, got '{engine}'"),
        ("--weights", weights in WEIGHTS, f"expected one of {', '.join(WEIGHTS)}, got '{weights}'"),
    ]
    for option, ok, message in checks:
        if not ok:
            raise InputError.one(option, 0, option.removeprefix("--"), message)
    return asked


def did(
    panel: Path = PANEL_ARG,
    config: Path = CONFIG_OPT,
    outcome: str | None = typer.Option(None, help="One outcome (default: every outcome in the panel)."),
    out: Path | None = typer.Option(None, help="Write the table to this CSV (default: standard output)."),
    correction: str = typer.Option("stata", help="Small-sample factor: stata (G/(G-1)), statsmodels, none."),
    inference: str = typer.Option(
        "crv1",
        help="Comma-separated conventions: crv1 (the report's clustered interval, normal critical values), "
        "t (clustered, t with G-1 degrees of freedom), ri (randomization inference on the interactions), "
        "bootstrap (score wild cluster bootstrap of the interactions, with the interval inverting it).",
    ),
    reps: int = typer.Option(
        10_000, help="Randomization and bootstrap: enumerate every assignment or draw up to this many, else draw it."
    ),
    seed: int = typer.Option(1, help="Seed of the randomization and bootstrap draws (used only when sampled)."),
    weights: str = typer.Option("webb", help="Bootstrap weights: webb (six-point) or rademacher."),
    engine: str = typer.Option(
        "statsmodels",
        help="Solver of the model: statsmodels (the reference) or fast (profiled Newton); the randomization "
        "refits always use the fast solver, whose p-values equal the reference's (tests/test_randomization.py).",
    ),
    no_corrections: bool = typer.Option(False, help="Do not apply data/corrections.csv."),
) -> None:
    """Estimate the Poisson difference-in-differences model; print the tidy table as CSV."""
    import pandas as pd

    from swis.estimation.did import estimate_panel

    asked, loaded, outcomes = load_for_estimation(
        panel, config, outcome, out, no_corrections, lambda: _did_options(correction, inference, reps, engine, weights)
    )
    # errors now raised are the program's: reported as internal errors by swis.cli.guarded
    options = dict(correction=correction, engine=engine, reps=reps, seed=seed, weights=weights)
    options.update(randomization="ri" in asked, bootstrap="bootstrap" in asked)
    table = pd.concat([estimate_panel(loaded, o, **options).table for o in outcomes])
    dropped = [c for name, cols in inference_columns().items() if name not in asked for c in cols]
    write_csv(table.drop(columns=[c for c in dropped if c in table.columns]), out)


def audit(
    out: Path | None = typer.Option(None, help="Write the row-by-row comparison to this CSV."),
    no_corrections: bool = typer.Option(False, help="Audit the data exactly as printed."),
) -> None:
    """Re-estimate every published regression table and compare, to the printed precision."""
    from swis import paths
    from swis.audit.compare import run_audit, summary_line
    from swis.cli import fail
    from swis.io import check_outputs

    try:
        from swis.config import authority_entries

        entries = authority_entries()
        inputs = _inputs(
            paths.PUBLISHED_ESTIMATES,
            paths.CORRECTIONS,
            *(paths.resolve(e.panel) for e in entries),
            *(paths.resolve(e.config) for e in entries),
        )
        check_outputs({"--out": out}, inputs)
        rows, verdicts = run_audit(corrections=not no_corrections)
    except InputError as err:
        fail(err)
    write_csv(rows, out)
    for v in verdicts.itertuples():
        typer.echo(f"{v.authority} {v.outcome}: {v.verdict}")
    typer.echo(summary_line(verdicts))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    from swis.cli import guarded

    for command in (validate, did, audit):
        app.command()(guarded(command))
