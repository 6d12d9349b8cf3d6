"""``swis sensitivity``: does each result survive another count model, one school fewer and a false start?"""

from __future__ import annotations

from pathlib import Path

import typer

from swis.cli.analysis import CONFIG_OPT, PANEL_ARG, load_for_estimation, write_csv
from swis.errors import InputError


def sensitivity(
    panel: Path = PANEL_ARG,
    config: Path = CONFIG_OPT,
    outcome: str | None = typer.Option(None, help="One outcome (default: every outcome in the panel)."),
    out: Path | None = typer.Option(None, help="Write the table to this CSV (default: standard output)."),
    correction: str = typer.Option(
        "stata", help="Small-sample factor of the clustered intervals (the report's model and the false start)."
    ),
    no_corrections: bool = typer.Option(False, help="Do not apply data/corrections.csv."),
) -> None:
    """Refit each model as quasi-Poisson and negative binomial, without each school in turn, and with a false
    start in the last term before the pilot; print one row per model and check as CSV."""
    import pandas as pd

    from swis.estimation.inference.cluster import CORRECTIONS
    from swis.estimation.sensitivity import sensitivity_panel

    def options() -> None:
        if correction not in CORRECTIONS:
            message = f"expected one of {', '.join(CORRECTIONS)}, got '{correction}'"
            raise InputError.one("--correction", 0, "correction", message)

    _, loaded, outcomes = load_for_estimation(panel, config, outcome, out, no_corrections, options)
    # errors now raised are the program's: reported as internal errors by swis.cli.guarded
    write_csv(pd.concat([sensitivity_panel(loaded, o, correction=correction).table for o in outcomes]), out)


def register(app: typer.Typer) -> None:
    """Add this module's command to the application."""
    from swis.cli import guarded

    app.command()(guarded(sensitivity))
