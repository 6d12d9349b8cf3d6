"""Observed rates by school and term, and each group's rate, for the trend figures.

No model is fitted: a school's rate is its count over its pupils (x the
outcome's scale), and a group's rate pools its schools (their counts over
their pupils), the pupil-weighted mean of the school rates. Small counts
are hidden as in every published table (:func:`swis.data.disclosure.suppress_counts`),
and a group's rate is hidden in a term where any of its schools is, so that
the group's rate never gives a hidden count away.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from swis.data.disclosure import suppress_counts


@dataclass(frozen=True)
class ObservedRates:
    """Observed rates of one outcome of one authority.

    Attributes
    ----------
    schools : DataFrame
        ``group, school, term, rate``: one row per school and term; ``rate`` is NaN where hidden.
    groups : DataFrame
        ``group, term, rate, schools``: the group's pooled rate (NaN where hidden) and its number of schools.
    terms : list of str
        The terms present, in the config's order.
    pilot_terms : list of str
        The terms of the pilot (the config's intervention terms) among them.
    """

    schools: pd.DataFrame
    groups: pd.DataFrame
    terms: list[str]
    pilot_terms: list[str]


def _group_rates(d: pd.DataFrame, scale: float) -> pd.DataFrame:
    sums = d.groupby(["group", "term"], observed=True).agg(
        count=("count", "sum"), pupils=("pupils", "sum"), schools=("school", "nunique"), hidden=("hidden", "any")
    )
    rate = sums["count"] / sums["pupils"].astype(float) * scale
    sums["rate"] = np.where(sums["hidden"], np.nan, rate)
    return sums.reset_index()[["group", "term", "rate", "schools"]]


def observed_rates(panel, outcome: str, suppress_below: int = 0) -> ObservedRates:
    """Each school's rate and each group's pooled rate, by term, small counts hidden.

    Parameters
    ----------
    panel : swis.data.panel.Panel
    outcome : str
    suppress_below : int
        Counts from 1 to ``suppress_below - 1`` are hidden (0: none).

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> panel = load_panel(paths.PANEL, load_config(paths.config_path("Southampton")))
    >>> rates = observed_rates(panel, "s47")
    >>> sorted(rates.groups["group"].unique()), rates.pilot_terms
    (['control', 'intervention'], ['2019-20 Term 1'])
    >>> one = rates.groups.query("group == 'intervention'")["schools"].unique().tolist()
    >>> one  # one pilot school: its rate is the group's
    [1]
    """
    cfg = panel.config
    scale = cfg.outcomes[outcome].scale
    d = panel.outcome(outcome)
    d["term"] = d["term"].astype(str)
    d["rate"] = d["count"] / d["pupils"].astype(float) * scale
    d = suppress_counts(d, suppress_below)
    d["hidden"] = d["suppressed"] != ""
    terms = [t for t in cfg.terms if t in set(d["term"])]
    schools = d.assign(rate=d["rate_plot"])[["group", "school", "term", "rate"]].reset_index(drop=True)
    pilot = [t for t in cfg.intervention_terms if t in terms]
    return ObservedRates(schools, _group_rates(d, scale), terms, pilot)
