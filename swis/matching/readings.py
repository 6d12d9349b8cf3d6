"""How the choice of comparators depends on the reading of the report's description."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from swis.matching.select import match, shortfall
from swis.matching.settings import MatchSettings

KEYS = ["outcome", "intervention_school", "candidate"]


def reading_variants(settings: MatchSettings) -> dict[str, MatchSettings]:
    """The chosen settings and the alternative readings: the other U test, pair SD, no standardisation.

    Examples
    --------
    >>> list(reading_variants(MatchSettings()))
    ['as chosen here', 'U test on differences', "standardised by the pair's SD", 'not standardised']
    """
    other_test = "differences" if settings.u_test == "ranks" else "ranks"
    return {
        "as chosen here": settings,
        f"U test on {other_test}": replace(settings, u_test=other_test),
        "standardised by the pair's SD": replace(settings, standardise="pair"),
        "not standardised": replace(settings, standardise="none"),
    }


def compare_readings(admin: pd.DataFrame, config, settings: MatchSettings = MatchSettings()) -> pd.DataFrame:
    """Match under each reading of :func:`reading_variants`; one row per reading.

    Returns
    -------
    DataFrame
        ``reading, u_test, standardise, n_selected`` (comparators selected),
        ``n_also_selected`` (of them, also selected by the chosen reading),
        ``n_rejected`` (candidates rejected by the U test) and ``n_missing``
        (comparators missing: the shortfall).
    """
    rows, base = [], None
    for name, variant in reading_variants(settings).items():
        pairs = match(admin, config, variant)
        chosen = pairs.loc[pairs["selected"], KEYS].astype(str).apply(tuple, axis=1)
        base = set(chosen) if base is None else base
        rows.append(
            {
                "reading": name,
                "u_test": variant.u_test,
                "standardise": variant.standardise,
                "n_selected": len(chosen),
                "n_also_selected": len(set(chosen) & base),
                "n_rejected": int((pairs["status"] == "rejected").sum()),
                "n_missing": int(shortfall(pairs, variant.per_school)["missing"].sum()),
            }
        )
    return pd.DataFrame(rows)
