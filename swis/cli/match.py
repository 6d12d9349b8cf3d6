"""``swis match``: choose comparison schools from administrative data (the report's pre-trend matching).

Registered on the application by :func:`register`. Bad input
is reported as ``error: FILE:ROW: COLUMN: message`` lines on standard error,
exit status 2, no traceback, and nothing written. Outputs are written only
when everything succeeded, each atomically (a temporary file in the same
folder, then renamed).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from swis.errors import WHOLE_FILE, InputError

if TYPE_CHECKING:
    import pandas as pd


def _check_options(
    inputs: list[Path], per_school: int, outputs: dict[str, Path | None], u_test: str, standardise: str
) -> None:
    """Reject bad option values, and outputs that would overwrite the input or each other."""
    from swis.matching import STANDARDISE, U_TESTS

    if per_school < 1:
        raise InputError.one(
            "--per-school", WHOLE_FILE, "per_school", f"expected a whole number >= 1, got {per_school}"
        )
    if u_test not in U_TESTS:
        raise InputError.one("--u-test", WHOLE_FILE, "u_test", f"expected one of {', '.join(U_TESTS)}, got {u_test!r}")
    if standardise not in STANDARDISE:
        raise InputError.one(
            "--standardise", WHOLE_FILE, "standardise", f"expected one of {', '.join(STANDARDISE)}, got {standardise!r}"
        )
    from swis.io import check_outputs

    check_outputs(outputs, inputs)


def _needs_terms(data: pd.DataFrame, cfg, file: str) -> None:
    """A panel for the estimator needs every analysis term of the config."""
    absent = [t for t in cfg.terms if t not in set(data["term"])]
    if absent:
        raise InputError.one(
            file,
            WHOLE_FILE,
            "term",
            f"--panel-out needs rows for every term of the config; none for {', '.join(absent)}",
        )


def _write(outputs: list[tuple[Path | None, pd.DataFrame | None]]) -> None:
    """Write every (path, table) whose path is given, all or none (:func:`swis.io.write_outputs`)."""
    from swis.io import write_outputs

    texts = {path: frame.to_csv(index=False) for path, frame in outputs if path is not None}
    try:
        write_outputs(texts)
    except OSError as exc:
        raise InputError.one(exc.filename or "-", WHOLE_FILE, "-", f"cannot write: {exc.strerror}") from None
    for path in texts:
        typer.echo(f"wrote {path}", err=True)


AdminArg = Annotated[
    Path, typer.Argument(help="Admin CSV: school, group, year_group, term, outcome, count, pupils.", show_default=False)
]
ConfigOpt = Annotated[
    Path,
    typer.Option("--config", "-c", help="Authority config YAML (terms, autumn_terms, outcomes).", show_default=False),
]
PerSchoolOpt = Annotated[int, typer.Option(help="Comparators kept per intervention school and outcome.")]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        help="Write every pair's scores, ranks, U test, decision and reason here (default: the selected "
        "pairs to standard output)."
    ),
]
PanelOutOpt = Annotated[
    Path | None, typer.Option(help="Write the intervention schools' and selected comparators' panel, for swis did.")
]
DetailsOutOpt = Annotated[
    Path | None,
    typer.Option(help="Write the trends, standardised differences and ranks by year group of the selected pairs."),
]
UTestOpt = Annotated[str, typer.Option(help="What the U test compares between periods: ranks or differences.")]
StandardiseOpt = Annotated[
    str,
    typer.Option(
        help="Divide trend differences by the SD of the candidates' trends (candidates), of the pair's "
        "(pair), or not (none)."
    ),
]


def _report(pairs: pd.DataFrame, per_school: int, admin_csv: Path) -> None:
    """Warn about shortfalls and say what was matched, on standard error."""
    from swis.matching import shortfall

    for r in shortfall(pairs, per_school).itertuples():
        typer.echo(
            f"warning: {admin_csv}: {r.outcome}: {r.intervention_school} has {r.selected} of "
            f"{r.requested} comparators (too few candidates passed the U test)",
            err=True,
        )
    n_targets = pairs[["outcome", "intervention_school"]].drop_duplicates().shape[0]
    n_rejected = int((pairs["status"] == "rejected").sum())
    typer.echo(
        f"matched {n_targets} intervention school-outcome combinations; {int(pairs['selected'].sum())} "
        f"comparators selected, {n_rejected} candidates rejected by the U test",
        err=True,
    )


def match(
    admin_csv: AdminArg,
    config: ConfigOpt,
    per_school: PerSchoolOpt = 2,
    out: OutOpt = None,
    panel_out: PanelOutOpt = None,
    details_out: DetailsOutOpt = None,
    u_test: UTestOpt = "ranks",
    standardise: StandardiseOpt = "candidates",
) -> None:
    """Choose comparison schools by pre-intervention trends, as the report did."""
    from swis.cli import fail
    from swis.config import load_config
    from swis.data.admin import load_admin
    from swis.matching import MatchSettings, matched_panel, year_group_details
    from swis.matching import match as run_match

    outputs = {"--out": out, "--panel-out": panel_out, "--details-out": details_out}
    try:
        _check_options([admin_csv, config], per_school, outputs, u_test, standardise)
        cfg = load_config(config)
        data = load_admin(admin_csv, cfg)
        if panel_out is not None:
            _needs_terms(data, cfg, str(admin_csv))
        settings = MatchSettings(per_school=per_school, u_test=u_test, standardise=standardise)
        pairs = run_match(data, cfg, settings)
        panel = matched_panel(data, pairs, cfg) if panel_out else None
        details = year_group_details(data, pairs, cfg, settings) if details_out else None
        _write([(out, pairs), (panel_out, panel), (details_out, details)])
    except InputError as err:
        fail(err)
    _report(pairs, per_school, admin_csv)
    if out is None:
        pairs[pairs["selected"]].to_csv(sys.stdout, index=False)


def register(app: typer.Typer) -> None:
    """Add ``swis match`` to the application."""
    from swis.cli import guarded

    app.command("match")(guarded(match))
