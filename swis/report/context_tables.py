"""Tables of context for display: the pilots, data collected, configurations, costs, facts, logic model."""

from __future__ import annotations

import pandas as pd

from swis.data.logic_model import LANE_KEYS
from swis.data.published import authority_columns
from swis.report import format as fmt
from swis.report.tables import note_table

#: Names of the logic model's sections in its text alternative.
SECTION_NAMES = {
    "assumptions": "Assumption",
    "prerequisites": "Prerequisite",
    "context": "Context",
    "mechanisms": "Mechanism",
    "outcomes": "Outcome",
    "risks": "Unlikely to work if",
    "final_outcome": "Final outcome",
}
COST_ROWS = ["Staffing: team manager and social workers", "Ancillary costs (annuitised)", "Total"]


def pilots_display(pilots: pd.DataFrame) -> pd.DataFrame:
    """Part One, Table 1 with headers in words."""
    out = pilots[["authority", "school_types", "schools", "social_workers"]]
    out.columns = ["Pilot area", "Types of schools", "Schools involved", "Social workers in team"]
    return out


def data_collected_display(collected: pd.DataFrame) -> pd.DataFrame:
    """Part One, Table 2 with the computed total; a dash where the report gives no number."""
    counts = collected[authority_columns(collected)]
    shown = counts.apply(lambda col: col.map(lambda v: "-" if pd.isna(v) else fmt.number(int(v))))
    table = pd.concat([collected[["data_collection"]], shown], axis=1)
    table = table.assign(Total=collected["computed_total"].map(lambda v: fmt.number(int(v))))
    return table.rename(columns={"data_collection": "Data collection"})


def authority_data_collected_display(table: pd.DataFrame | None) -> pd.DataFrame:
    """An authority's data-collection table (Part Two, Table 1), or a line saying there is none."""
    if table is None:
        return note_table("No data-collection table for this authority.")
    out = table[["data_collection", "number"]]
    out.columns = ["Data collection", "Number"]
    return out


def configuration_display(table: pd.DataFrame | None) -> pd.DataFrame:
    """An authority's configuration table with headers in words, or a line saying there is none."""
    if table is None:
        return note_table("No configuration table for this authority.")
    out = table.drop(columns=[c for c in ("source",) if c in table.columns])
    out.columns = [c.replace("_", " ").capitalize() for c in out.columns]
    return out


def cost_display(costs: pd.DataFrame) -> pd.DataFrame:
    """Table 3 laid out like the report (rows: resource inputs; columns: authorities)."""
    wide = pd.DataFrame(
        {r.authority: [fmt.money(r.staffing), fmt.money(r.ancillary), fmt.money(r.total)] for r in costs.itertuples()},
        index=COST_ROWS,
    )
    wide.index.name = "Resource inputs (£, 2019)"
    return wide


def facts_display(facts: pd.DataFrame) -> pd.DataFrame:
    """The facts as a table for readers: key, value and source."""
    out = facts[["key", "value", "source"]].copy()
    out["value"] = out["value"].map(fmt.number)
    out.columns = ["Name in the book's source", "Value", "Source"]
    return out.reset_index(drop=True)


def logic_model_table(model: dict) -> pd.DataFrame:
    """The logic model as a long table: the figure's text alternative.

    Parameters
    ----------
    model : dict
        As returned by :func:`swis.data.logic_model.load_logic_model`.

    Returns
    -------
    pandas.DataFrame
        Columns ``Section``, ``Pathway`` and ``Element``, one row per element,
        in the order of the file (mechanisms are ordered steps).
    """
    every = "All pathways"
    rows = [(SECTION_NAMES[k], every, s) for k in ("assumptions", "prerequisites") for s in model[k]]
    for name, lane in model["pathways"].items():
        label = f"{name}: {lane['title']}"
        rows += [(SECTION_NAMES[k], label, s) for k in LANE_KEYS for s in lane[k]]
    rows += [(SECTION_NAMES["final_outcome"], every, s) for s in model["final_outcome"]]
    return pd.DataFrame(rows, columns=["Section", "Pathway", "Element"])


def software_display(versions: list[tuple[str, str]]) -> pd.DataFrame:
    """Package and version, one row each."""
    return pd.DataFrame(versions, columns=["Package", "Version"])
