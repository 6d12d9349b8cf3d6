"""SYNTHETIC administrative data for demonstrating and testing the matching.

The report's matching data (administrative records of a few hundred schools)
are not published. This generator makes data of similar magnitude to the
published tables (Section 17 and 47 starts of a few per 100 pupils a term;
days in care up to about two per pupil), seeded and labelled synthetic in
its school labels and its ``synthetic`` column. Nothing here is data about
real schools.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRIMARY = ["Reception", *[f"Year {i}" for i in range(1, 7)]]
SECONDARY = [f"Year {i}" for i in range(7, 12)]
BASE_RATE = {"s17": 0.02, "s47": 0.008, "days_in_care": 0.6}  # per pupil per term


def _terms(config) -> list[str]:
    return list(dict.fromkeys([*config.autumn_terms, *config.terms]))


def _school_rows(rng, label: str, group: str, phase: str, terms: list[str], slopes: dict) -> list[dict]:
    years = SECONDARY if phase == "secondary" else PRIMARY
    size = rng.integers(120, 380) if phase == "secondary" else rng.integers(20, 85)
    rows = []
    for outcome, base in BASE_RATE.items():
        level = base * rng.lognormal(0, 0.4)
        for y, year in enumerate(years):
            for t, term in enumerate(terms):
                rate = max(level * (1 + slopes[outcome][y % len(slopes[outcome])] * t), 0.0)
                pupils = int(size + rng.integers(-10, 11))
                count = rng.poisson(rate * pupils)
                rows.append({"school": label, "group": group, "year_group": year, "term": term,
                             "outcome": outcome, "count": int(count), "pupils": pupils})
    return rows


def make_admin(config, seed: int = 20200501, n_candidates: int = 60, n_intervention: int = 3,
               plant: bool = True) -> pd.DataFrame:
    """SYNTHETIC admin data for one authority's config.

    Parameters
    ----------
    config : swis.config.Config
        Gives the terms (autumn terms and analysis terms).
    seed : int
        Seed of the generator (the book's seed lives in ``data/book.yml``).
    n_candidates, n_intervention : int
        Numbers of candidate and intervention schools.
    plant : bool
        Add, for each intervention school, a candidate with the same
        underlying trends (``..._PLANTED``), which matching should find.

    Returns
    -------
    DataFrame
        ``school, group, year_group, term, outcome, count, pupils, synthetic``.
    """
    rng = np.random.default_rng(seed)
    terms = _terms(config)
    rows = []
    for i in range(n_intervention + n_candidates):
        group = "intervention" if i < n_intervention else "candidate"
        phase = "secondary" if rng.random() < 0.3 else "primary"
        slopes = {o: rng.normal(0, 0.25, 7) for o in BASE_RATE}
        label = f"SYN_{config.code}_{'INT' if group == 'intervention' else 'CAND'}{i + 1:03d}"
        rows += _school_rows(rng, label, group, phase, terms, slopes)
        if plant and group == "intervention":
            twin = np.random.default_rng(seed + 1000 + i)
            rows += _school_rows(twin, label.replace("INT", "CAND") + "_PLANTED", "candidate", phase, terms, slopes)
    return pd.DataFrame(rows).assign(synthetic=True)
