"""``swis power``: simulated power of a trial design, calibrated on the pilots unless told otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from swis.errors import WHOLE_FILE, InputError

Opt = typer.Option


def book_defaults() -> dict:
    """The defaults the book plans with, in one place: the ``planning`` block of ``data/book.yml`` (outcome,
    terms before and after, simulated trials, seed, authority SD, term correlation) and the trial's planned schools
    (``data/published/trial.csv``).

    Examples
    --------
    >>> d = book_defaults()
    >>> sorted(d)
    ['outcome', 'phase', 'reps', 'rho_term', 'schools', 'sd_authority', 'seed', 'terms_post', 'terms_pre']
    """
    from swis.config.book import load_book_config
    from swis.data.trial import load_trial

    plan = load_book_config()["planning"]
    return {
        "outcome": str(plan["outcome"]),
        "phase": str(plan["phase"]),
        "schools": int(load_trial().loc["planned_schools", "value"]),
        "terms_pre": int(plan["terms_pre"]),
        "terms_post": int(plan["terms_post"]),
        "reps": int(plan["reps"]),
        "seed": int(plan["seed"]),
        "sd_authority": float(plan["sd_authority"]),
        "rho_term": float(plan["rho_term"]),
    }


def _or_book(**given) -> list:
    """Each value given, or the book's default where it is None (in the order given)."""
    return [v if v is not None else book_defaults()[k] for k, v in given.items()]


def _strata(text: str) -> tuple[int, ...]:
    """``--strata 12,14,10`` as whole numbers, or an InputError saying what was expected."""
    try:
        return tuple(int(s) for s in text.split(","))
    except ValueError:
        raise InputError.one(
            "--strata", WHOLE_FILE, "strata", f"expected whole numbers separated by commas, got {text!r}"
        ) from None


def _design(outcome: str, values: dict):
    """The design asked for: calibrated defaults for the outcome, overridden by the options given."""
    from swis.power.calibrate import design_inputs
    from swis.power.design import TrialDesign

    _, calibrated = design_inputs(outcome, book_defaults()["phase"])
    median, sd_log = calibrated.pop("pupils")
    given = {k: v for k, v in values.items() if v is not None}
    strata = _strata(given.pop("strata")) if "strata" in given else ()
    # without --schools, the strata say how many there are; without either, the trial's planned number
    given.setdefault("n_schools", sum(strata) if strata else book_defaults()["schools"])
    fields = {
        **calibrated,
        **given,
        "strata": strata,
        "pupils": (given.pop("pupils_median", median), given.pop("pupils_sd", sd_log)),
    }
    fields.pop("pupils_median", None), fields.pop("pupils_sd", None)
    try:
        return TrialDesign(**fields)
    except ValueError as exc:
        raise InputError.one("swis power", WHOLE_FILE, "design", str(exc)) from None


BOOK = "default: the book's, data/book.yml planning"
OutcomeOpt = Annotated[
    str | None,
    Opt(help=f"Outcome whose pilot rates and variation are the defaults: s17, s47, days_in_care ({BOOK})."),
]
Schools = Annotated[
    int | None,
    Opt("--schools", help="Schools in the trial (default: the strata's total, else the trial's planned number)."),
]
Treated = Annotated[
    int | None,
    Opt(help="Schools given the intervention (default: half; with --strata, shared in proportion to the strata)."),
]
TermsPre = Annotated[int | None, Opt(help=f"Terms before the intervention ({BOOK}).")]
TermsPost = Annotated[int | None, Opt(help=f"Terms after it starts ({BOOK}).")]
Effect = Annotated[float, Opt(help="True rate ratio (1: no effect).")]
Design = Annotated[
    str,
    Opt(
        help="Analysis: did (the report's difference in differences), crt (baseline-adjusted comparison) or "
        "crt_strata (the same with an intercept per stratum)."
    ),
]
Reps = Annotated[int | None, Opt(help=f"Simulated trials ({BOOK}).")]
Seed = Annotated[int | None, Opt(help=f"Seed; a run is reproducible bit for bit ({BOOK}).")]
Rate = Annotated[float | None, Opt(help="Events per pupil per term (default: the pilots').")]
SdSchool = Annotated[float | None, Opt(help="SD of the school effect on the log rate (default: the pilots').")]
SdTerm = Annotated[float | None, Opt(help="SD of the school-by-term effect on the log rate (default: the pilots').")]
PupilsMedian = Annotated[
    float | None,
    Opt(help="Median pupils per school (default: from the trial's pupils per school, data/published/trial.csv)."),
]
PupilsSd = Annotated[float | None, Opt(help="SD of log pupils (default: the pilots' schools of the book's phase).")]
SdAuthority = Annotated[
    float | None,
    Opt(help=f"SD of the stratum (authority) effect on the log rate; needs --strata to matter ({BOOK}: assumed)."),
]
RhoTerm = Annotated[float | None, Opt(help=f"Correlation of a school's term effects one term apart, AR(1) ({BOOK}).")]
Strata = Annotated[str | None, Opt(help="Schools per stratum, e.g. 12,14,10 (allocation balanced within each).")]
Alpha = Annotated[float, Opt(help="Two-sided level.")]
Out = Annotated[Path | None, Opt(help="Write the design and its power as a one-row CSV.")]


def _checked(outcome: str, reps: int, values: dict):
    """The design, or an InputError naming the option at fault."""
    from swis.config import authority_configs

    known = {o for c in authority_configs() for o in c.outcomes}
    if outcome not in known:
        raise InputError.one(
            "--outcome", WHOLE_FILE, "outcome", f"expected one of {', '.join(sorted(known))}, got {outcome!r}"
        )
    if reps < 1:
        raise InputError.one("--reps", WHOLE_FILE, "reps", f"expected a whole number >= 1, got {reps}")
    return _design(outcome, values)


def _run(trial, reps: int, seed: int):
    """Simulate with a progress bar (on standard error; it disappears when done)."""
    from rich.console import Console
    from rich.progress import Progress

    from swis.power.power import simulate_power

    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(f"simulating {reps} trials", total=reps)
        return simulate_power(trial, reps, seed, progress=lambda done: bar.update(task, completed=done))


def power(
    outcome: OutcomeOpt = None,
    schools: Schools = None,
    treated: Treated = None,
    terms_pre: TermsPre = None,
    terms_post: TermsPost = None,
    effect: Effect = 0.9,
    design: Design = "did",
    reps: Reps = None,
    seed: Seed = None,
    baseline_rate: Rate = None,
    sd_school: SdSchool = None,
    sd_term: SdTerm = None,
    pupils_median: PupilsMedian = None,
    pupils_sd: PupilsSd = None,
    strata: Strata = None,
    sd_authority: SdAuthority = None,
    rho_term: RhoTerm = None,
    alpha: Alpha = 0.05,
    out: Out = None,
) -> None:
    """Simulate a trial many times, analyse each as it would be analysed, and report the power."""
    from swis.cli import fail

    outcome, terms_pre, terms_post, reps, seed, sd_authority, rho_term = _or_book(
        outcome=outcome,
        terms_pre=terms_pre,
        terms_post=terms_post,
        reps=reps,
        seed=seed,
        sd_authority=sd_authority,
        rho_term=rho_term,
    )
    values = dict(
        n_schools=schools,
        n_treated=treated,
        terms_pre=terms_pre,
        terms_post=terms_post,
        effect=effect,
        analysis=design,
        baseline_rate=baseline_rate,
        sd_school=sd_school,
        sd_term=sd_term,
        pupils_median=pupils_median,
        pupils_sd=pupils_sd,
        strata=strata,
        sd_authority=sd_authority,
        rho_term=rho_term,
        alpha=alpha,
    )
    try:
        trial = _checked(outcome, reps, values)
    except InputError as err:
        fail(err)
    _report(_run(trial, reps, seed), outcome, out)


def _report(result, outcome: str, out: Path | None) -> None:
    """The power in one line, and the design with it as a one-row CSV when asked."""
    import pandas as pd

    from swis.cli import fail
    from swis.io import atomic_csv

    d = result.design
    typer.echo(
        f"power {result.power:.3f} (Monte Carlo SE {result.mcse:.3f}) for a rate ratio of {d.effect:g} with "
        f"{d.n_schools} schools ({d.treated_count} treated), {d.analysis}, {result.reps} simulated trials"
    )
    if out is not None:
        try:
            atomic_csv(pd.DataFrame([{"outcome": outcome, **result.row()}]), out)
        except OSError as exc:
            fail(InputError.one(out, WHOLE_FILE, "-", f"cannot write the file: {exc.strerror}"))
        typer.echo(f"wrote {out}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``swis power`` to the application."""
    from swis.cli import guarded

    app.command("power")(guarded(power))
