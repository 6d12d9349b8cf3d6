"""From matching to estimation: the panel of intervention schools and their chosen comparators."""

from __future__ import annotations

import pandas as pd

from swis.data.synthetic import NOTE as SYNTHETIC_NOTE
from swis.data.synthetic import is_synthetic

PANEL_COLUMNS = ["authority", "outcome", "school", "group", "term", "count", "pupils", "printed_rate"]


def matched_panel(admin: pd.DataFrame, pairs: pd.DataFrame, config) -> pd.DataFrame:
    """The panel of the intervention schools and their selected comparators, in the estimator's schema.

    Counts and pupils are summed over year groups per school and term, for
    the config's terms present in the data. Every intervention school of an
    outcome is kept (the pilots are the pilots, matched or not); each
    selected comparator appears once per outcome and term as a ``control``
    school, however many intervention schools chose it. ``printed_rate`` is
    empty. Synthetic admin data add a ``source`` column saying so.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.synthetic import synthetic_authority
    >>> from swis.matching import match
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> admin = synthetic_authority(cfg, seed=1, n_candidates=30)
    >>> panel = matched_panel(admin, match(admin, cfg), cfg)
    >>> list(panel.columns)[:8] == PANEL_COLUMNS, sorted(panel["group"].unique())
    (True, ['control', 'intervention'])
    """
    terms = list(config.terms)
    frames = []
    for outcome in config.outcomes:
        rows = admin[(admin["outcome"].astype(str) == outcome) & admin["term"].astype(str).isin(terms)]
        chosen = pairs[(pairs["outcome"] == outcome) & pairs["selected"]]["candidate"].astype(str)
        keep = (rows["group"] == "intervention") | rows["school"].astype(str).isin(set(chosen))
        agg = rows[keep].groupby(["school", "group", "term"], as_index=False, observed=True)[["count", "pupils"]].sum()
        frames.append(agg.assign(outcome=outcome))
    panel = pd.concat(frames, ignore_index=True)
    panel["group"] = panel["group"].replace({"candidate": "control"})
    panel = panel.assign(
        authority=config.authority,
        printed_rate="",
        _o=panel["outcome"].map({o: k for k, o in enumerate(config.outcomes)}),
        _g=panel["group"].map({"intervention": 0, "control": 1}),
        _t=panel["term"].map({t: k for k, t in enumerate(terms)}),
    )
    panel = panel.sort_values(["_o", "_g", "school", "_t"]).reset_index(drop=True)
    if is_synthetic(admin):
        panel["source"] = SYNTHETIC_NOTE
    return panel[PANEL_COLUMNS + (["source"] if "source" in panel else [])]
