"""Default rates and variation for a simulated trial, estimated from the pilots' published panels.

Only terms before each pilot started are used, so nothing here is affected by the intervention. For each
outcome, with every authority's schools pooled (each authority keeps its own terms):

- ``baseline_rate``: events per pupil per term, all pre-pilot counts over all pre-pilot pupil-terms;
- ``sd_term`` (school-by-term variation) and ``sd_school`` (between-school variation): the moment estimators of
  :mod:`swis.power.moments`, which allow for the degrees of freedom the school and term fixed effects use, as
  standard deviations of the log rate (the scale :mod:`swis.power.simulate` draws on).

Uncertainty: a parametric bootstrap (seeded): panels of the pilots' own shape (schools, terms, pupils) drawn from
the fitted model at the point estimates and estimated again; percentile intervals. Each authority's weight behind
each estimate is stated (its share of the estimator's denominator; for the rate, of the pupil-terms).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from swis import paths
from swis.config import Config
from swis.config.book import pilot_panels
from swis.data.panel import COLUMNS, load_panel
from swis.data.panel import Panel as PilotPanel
from swis.data.trial import load_trial
from swis.io import part_of, reading_parts
from swis.power.moments import Moments, Panel, as_sd, draw, estimate

#: Bootstrap replicates of the calibration.
BOOT = 400


#: The pilots as last read, by what identifies that reading (see :func:`pilot_data`).
_READ: dict[tuple, list[tuple[Config, PilotPanel]]] = {}


def pilot_data(outcome: str | None = None) -> list[tuple[Config, PilotPanel]]:
    """Each pilot's settings and corrected panel (:func:`swis.config.book.pilot_panels`), read once however
    often the planning chapter asks (its rates, pupils and pilot designs all start from them), and read again
    when a setting, a panel or the corrections file has changed. The panels are shared: read them, never
    change them.

    ``outcome``: the caller uses the counts of that outcome only (and every row's schools, terms and pupils).
    The book's build then records that part of each panel as read (:func:`swis.io.reading_parts`): a count of
    another outcome changed does not re-execute the planning chapter. None: every count may be used.
    """
    found = pilot_panels()
    key = (outcome, *((repr(config), str(path), _stamp(path)) for config, path in found), _stamp(paths.CORRECTIONS))
    if key not in _READ:
        _READ.clear()
        _READ[key] = [(config, _read(path, config, outcome)) for config, path in found]
    return _READ[key]


def _read(path: Path, config: Config, outcome: str | None) -> PilotPanel:
    """One pilot's panel; with ``outcome``, declared as read in the part the caller uses (see :func:`pilot_data`)."""
    if outcome is None:
        return load_panel(path, config)
    parts = [
        part_of("authority", config.authority, tuple(c for c in COLUMNS if c != "count")),
        part_of(("authority", "outcome"), (config.authority, outcome)),
    ]
    with reading_parts(path, parts):
        return load_panel(path, config)


def _stamp(path: Path) -> tuple[int, int] | None:
    """What tells one version of a file from the next: its modification time and size (None: no file)."""
    try:
        info = Path(path).stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def pre_pilot_rows(outcome: str, phase: str | None = None) -> pd.DataFrame:
    """Rows of one outcome in the terms before each authority's pilot, every authority of the book; with
    ``phase`` (e.g. ``"Secondary"``), only schools whose anonymised label names that phase."""
    frames = []
    for config, panel in pilot_data(outcome):
        if outcome not in panel.outcomes:
            continue
        first_post = min(config.terms.index(t) for t in config.intervention_terms)
        pre = set(config.terms[:first_post])
        rows = panel.outcome(outcome)
        frames.append(rows[rows["term"].astype(str).isin(pre)].assign(term=lambda d: d["term"].astype(str)))
    rows = pd.concat(frames, ignore_index=True)[["authority", "school", "term", "count", "pupils"]]
    return rows[rows["school"].str.contains(phase, case=False)].reset_index(drop=True) if phase else rows


def pilot_panel(rows: pd.DataFrame) -> tuple[Panel, np.ndarray]:
    """The rows as a :class:`~swis.power.moments.Panel` (schools and terms coded within authorities) and counts."""
    codes = lambda s: pd.factorize(s)[0]  # noqa: E731 - integer codes in order of appearance
    panel = Panel(
        rows["pupils"].to_numpy(float),
        codes(rows["authority"]),
        codes(rows["authority"] + "|" + rows["school"]),
        codes(rows["authority"] + "|" + rows["term"]),
    )
    return panel, rows["count"].to_numpy(float)


def _values(m: Moments) -> np.ndarray:
    return np.array([m.baseline_rate, float(as_sd(m.cv2_school)), float(as_sd(m.cv2_term))])


def calibrate(outcome: str, reps: int = BOOT, seed: int = 20200501, phase: str | None = None) -> pd.DataFrame:
    """Baseline rate, ``sd_school`` and ``sd_term`` of one outcome, with parametric bootstrap 95% intervals;
    with ``phase``, from the schools of that phase only (see :func:`pre_pilot_rows`).

    Returns
    -------
    DataFrame
        One row per parameter: ``parameter, estimate, ci_low, ci_high, n_schools, n_rows`` and ``weights``
        (each authority's share behind the estimate, a dict); with ``reps=0`` no bootstrap: the interval is
        the estimate itself.

    Examples
    --------
    >>> cal = calibrate("s47", reps=20)
    >>> cal["parameter"].tolist()
    ['baseline_rate', 'sd_school', 'sd_term']
    >>> bool((cal["ci_low"] <= cal["ci_high"]).all())
    True
    """
    rows = pre_pilot_rows(outcome, phase)
    panel, y = pilot_panel(rows)
    point = estimate(panel, y)
    value = _values(point)
    boot = np.array([value])
    if reps:
        draws = draw(panel, panel.rates(y), value[1], value[2], reps, seed)
        boot = np.array([_values(estimate(panel, d)) for d in draws])
    names = pd.unique(rows["authority"])
    exposure = np.bincount(panel.authority, panel.pupils) / panel.pupils.sum()
    weights = [exposure, point.weight_school, point.weight_term]
    return pd.DataFrame(
        {
            "parameter": ["baseline_rate", "sd_school", "sd_term"],
            "estimate": value,
            "ci_low": np.quantile(boot, 0.025, axis=0),
            "ci_high": np.quantile(boot, 0.975, axis=0),
            "n_schools": panel.school.max() + 1,
            "n_rows": len(rows),
            "weights": [dict(zip(names, map(float, w), strict=True)) for w in weights],
        }
    )


def pupil_distribution(phase: str = "Secondary", outcome: str | None = None) -> tuple[float, float]:
    """Median pupils and standard deviation of log pupils of the panel's schools of one phase (label match).

    The trial randomised mainstream secondary schools, so its default pupils come from the secondary schools
    of the pilots' published tables (each school's mean over its terms and outcomes). ``outcome``: the
    outcome whose counts the caller uses (:func:`pilot_data`); the pupils are those of every row either way.

    Examples
    --------
    >>> median, sd_log = pupil_distribution()
    >>> median > 500, 0 < sd_log < 1
    (True, True)
    """
    frames = [panel.data for _, panel in pilot_data(outcome)]
    data = pd.concat(frames, ignore_index=True)
    pupils = data[data["school"].str.contains(phase, case=False)].groupby(["authority", "school"])["pupils"].mean()
    return float(pupils.median()), float(np.log(pupils).std(ddof=0))


def trial_pupils(sd_log: float) -> tuple[float, float]:
    """Pupils per school as the trial had them: the mean of its own file (pupils over schools analysed,
    ``data/published/trial.csv``), as ``(median, sd of log)`` of a log-normal with that mean and ``sd_log``.

    Examples
    --------
    >>> median, sd = trial_pupils(0.3)
    >>> round(median * np.exp(sd**2 / 2))
    1041
    """
    trial = load_trial()
    mean = float(trial.loc["analysed_pupils", "value"] / trial.loc["analysed_schools", "value"])
    return mean * float(np.exp(-(sd_log**2) / 2)), sd_log


def design_inputs(outcome: str, phase: str | None, reps: int = 0, seed: int = 20200501) -> tuple[pd.DataFrame, dict]:
    """The calibration and the design fields it sets (rate, variation, pupils): one place for the book and
    ``swis power``. Pupils: the trial's mean, spread as among the pilots' schools of ``phase``."""
    calibration = calibrate(outcome, reps, seed, phase)
    est = calibration.set_index("parameter")["estimate"]
    fields = {k: float(est[k]) for k in ("baseline_rate", "sd_school", "sd_term")}
    return calibration, {**fields, "pupils": trial_pupils(pupil_distribution(phase or "", outcome)[1])}


def authority_rates(outcome: str, phase: str | None = None) -> pd.Series:
    """Each pilot authority's pooled rate before its pilot (events per pupil per term), schools of ``phase``.

    Examples
    --------
    >>> rates = authority_rates("s47", "Secondary")
    >>> sorted(rates.index), bool((rates > 0).all())
    (['Lambeth', 'Southampton', 'Stockport'], True)
    """
    totals = pre_pilot_rows(outcome, phase).groupby("authority")[["count", "pupils"]].sum()
    return totals["count"] / totals["pupils"]
