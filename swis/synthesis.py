"""The overarching analysis: summary of pilots, data collected, costs, forest plot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from swis import paths
from swis.config import all_configs
from swis.did import INTERACTION

COUNT_COLUMNS = ("Lambeth", "Southampton", "Stockport")


def pilots_table() -> pd.DataFrame:
    """Table 1: the pilots, their schools and their social work teams."""
    raw = pd.read_csv(paths.CONTEXT / "pilots.csv")
    out = raw[["authority", "school_types", "schools", "social_workers"]]
    out.columns = ["Pilot area", "Types of schools", "Schools involved", "Social workers in team"]
    return out


def data_collected_table() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Table 2 with the total computed; and the rows whose printed total differs.

    Returns
    -------
    (DataFrame, DataFrame)
        The table for display (a dash where the report prints none), and
        the check of computed against printed totals.
    """
    raw = pd.read_csv(paths.CONTEXT / "data_collected.csv")
    counts = raw[list(COUNT_COLUMNS)]
    total = counts.fillna(0).sum(axis=1).astype(int)
    shown = counts.apply(lambda col: col.map(lambda v: "-" if pd.isna(v) else f"{int(v):,}"))
    table = pd.concat([raw[["data_collection"]], shown], axis=1).assign(Total=total.map(lambda v: f"{v:,}"))
    table = table.rename(columns={"data_collection": "Data collection"})
    check = raw[["data_collection", "printed_total"]].assign(computed_total=total)
    return table, check[check["computed_total"] != check["printed_total"]]


def interaction_estimates(results_dir: str | Path) -> pd.DataFrame:
    """The intervention-by-time IRR of every model, read from the authority runs' CSVs.

    Returns
    -------
    DataFrame
        ``authority, outcome, label, irr, ci_low, ci_high, p_value, estimable``,
        one row per model, in the book's order of authorities.
    """
    from swis.build import load_book_config

    results_dir = Path(results_dir)
    results_dir = results_dir if results_dir.is_absolute() else paths.ROOT / results_dir
    labels = {c.authority: c.outcomes for c in all_configs()}
    rows = []
    for authority in load_book_config()["authorities"]:
        for path in sorted((results_dir / authority.lower()).glob("estimates_*.csv")):
            t = pd.read_csv(path)
            hit = t[t["coefficient"].astype(str).str.startswith(INTERACTION)]
            for r in hit.itertuples():
                name = labels[authority][r.outcome].label
                suffix = r.coefficient.removeprefix(INTERACTION).strip(": ")
                rows.append({"authority": authority, "outcome": r.outcome,
                             "label": f"{authority}: {name}" + (f" ({suffix})" if suffix else ""),
                             "irr": r.irr, "ci_low": r.ci_low, "ci_high": r.ci_high,
                             "p_value": r.p_value, "estimable": bool(r.estimable)})
    if not rows:
        raise FileNotFoundError(f"no estimates_*.csv under {results_dir}: run the authority notebooks first")
    return pd.DataFrame(rows)


def forest_table(estimates: pd.DataFrame) -> pd.DataFrame:
    """The forest plot's numbers as a table (its text alternative)."""
    def fmt(r):
        return f"{r.irr:.2f} [{r.ci_low:.2f}, {r.ci_high:.2f}]" if r.estimable else "not estimable"

    return pd.DataFrame({"Model": estimates["label"],
                         "Intervention by time, IRR [95% CI]": [fmt(r) for r in estimates.itertuples()],
                         "p-value": [f"{r.p_value:.3f}" if r.estimable else "" for r in estimates.itertuples()]})
