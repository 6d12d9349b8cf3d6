"""The trial's published figures (data/published/trial.csv) against the text they were checked against.

Each row keeps the figure as its source prints it (``printed``); the value the project computes with must be
that printed figure, read back. The pilots' report (the seeds) predates the trial (2020), so it can confirm
none of the trial's figures: the test checks that the file cites no seed for them and that the seeds do not
hold the trial's interval, so nobody reads a seed's number (e.g. the 268 schools of its Table 2's
administrative data) as the trial's.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from swis.data.trial import load_trial

SEEDS = Path("/tmp/shared/seeds")
TRIAL = load_trial()


def read_printed(text: str) -> float:
    """A printed figure as a number: "5.5% higher" -> 1.055, "4.5% decrease" -> 0.955, "1:1" -> 1, "278,858"."""
    pct = re.fullmatch(r"(\d+(?:\.\d+)?)% (higher|increase|lower|decrease)", text)
    if pct:
        sign = 1 if pct[2] in ("higher", "increase") else -1
        return 1 + sign * float(pct[1]) / 100
    ratio = re.fullmatch(r"(\d+):(\d+)", text)
    if ratio:
        return int(ratio[1]) / int(ratio[2])
    return float(text.replace(",", ""))


@pytest.mark.parametrize("key", TRIAL.index.tolist())
def test_each_value_is_its_printed_figure(key):
    """Exact to 1e-12: the value is the printed figure, read back (no rounding or retyping in between)."""
    assert abs(TRIAL.loc[key, "value"] - read_printed(TRIAL.loc[key, "printed"])) < 1e-12


def test_the_interval_is_checked_against_the_trials_own_text():
    """The estimate and both ends of its interval name the trial team's own abstract as what they were
    checked against; no row is left marked as not checked."""
    for key in ("s47_rate_ratio", "s47_ci_low", "s47_ci_high"):
        checked = TRIAL.loc[key, "checked"]
        assert "Westlake" in checked and "Paper 57381" in checked
    assert not TRIAL["checked"].str.contains("NOT CHECKED").any()


def test_the_trials_figures_agree_with_each_other():
    """Arms add up to the schools analysed (exactly); the estimate lies inside its interval; and the interval,
    symmetric on the log scale as a Wald interval is, has its midpoint at the estimate to within the printed
    precision (each end printed to 0.1 percentage point: 0.0015 on the ratio)."""
    v = TRIAL["value"]
    assert v["analysed_intervention"] + v["analysed_control"] == v["analysed_schools"]
    assert v["analysed_schools"] <= v["planned_schools"]
    assert v["s47_ci_low"] < v["s47_rate_ratio"] < v["s47_ci_high"]
    midpoint = np.exp((np.log(v["s47_ci_low"]) + np.log(v["s47_ci_high"])) / 2)
    assert abs(midpoint - v["s47_rate_ratio"]) < 0.0015


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds are not on this machine")
def test_the_seeds_hold_none_of_the_trials_figures_and_are_not_cited_for_them():
    """The pilots' report cannot confirm the trial: it prints neither the trial's interval nor its pupils, and
    the file cites it for nothing."""
    text = " ".join(p.read_text(errors="ignore") for p in SEEDS.glob("*.txt"))
    for key in ("s47_ci_low", "s47_ci_high", "analysed_pupils"):
        assert TRIAL.loc[key, "printed"] not in text
    assert not TRIAL["source"].str.contains("three local authorities", case=False).any()
