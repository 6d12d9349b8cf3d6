"""Tables of estimates and of their audit, laid out as the report prints them.

Every function takes numbers computed elsewhere (:mod:`swis.estimation`,
:mod:`swis.audit`, :mod:`swis.data`) and returns a DataFrame of text for
display; none fits a model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from swis.data.disclosure import suppress_counts
from swis.report import format as fmt
from swis.report.inference import interval_cell, randomization_cell

GROUP_TITLES = {"intervention": "Intervention", "control": "Control"}
#: The heading row above each group of schools in the school-by-term table.
GROUP_HEADINGS = {"Intervention": "Intervention schools", "Control": "Control schools"}
EFFECTS = {
    "term": "Term fixed effect",
    "reference": "Term fixed effect",
    "interaction": "Interaction",
    "constant": "Constant",
    "combined": "Combined (time x interaction)",
}


def school_term_data(panel, outcome: str, suppress_below: int = 0) -> pd.DataFrame:
    """One row per school and term: number, pupils and average count, as the table shows them (the CSV download).

    Parameters
    ----------
    panel : swis.data.panel.Panel
    outcome : str
    suppress_below : int
        Counts from 1 to ``suppress_below - 1`` are hidden (shown as
        ``<n``), with the average computed from them; 0 hides nothing.

    Returns
    -------
    DataFrame
        Columns ``Group``, ``School`` (as the report printed it), ``Term``, ``Number``, ``Pupils``,
        ``Average count <unit>`` and ``Printed number`` (the report's count where a correction changed it).
    """
    d = panel.outcome(outcome)
    spec = panel.config.outcomes[outcome]
    d["rate"] = d["count"] / d["pupils"] * spec.scale
    d = suppress_counts(d, suppress_below)
    d["changed"] = d["corrected"] & (d["printed_count"].astype(str) != d["count"].map(lambda v: f"{v:g}"))
    d = d.assign(group_order=d["group"].map({"intervention": 0, "control": 1})).sort_values(
        ["group_order", "school", "term"]
    )
    return pd.DataFrame(
        {
            "Group": d["group"].map(GROUP_TITLES),
            "School": d["school"],
            "Term": d["term"].astype(str),
            "Number": d["count_shown"],
            "Pupils": d["pupils"].map(fmt.count),
            f"Average count {spec.unit}": d["rate_shown"].map(
                lambda v: v if isinstance(v, str) else fmt.rate(v, spec.scale)
            ),
            "Printed number": np.where(d["changed"], d["printed_count"].astype(str), ""),
        }
    ).reset_index(drop=True)


def _count_and_rate(row) -> str:
    """``27 (2.80)``, with the printed count where a correction changed it: ``5 (2.50; printed 0)``."""
    printed = f"; printed {row.iloc[6]}" if row.iloc[6] else ""
    return f"{row.iloc[3]} ({row.iloc[5]}{printed})"


def school_term_table(panel, outcome: str, suppress_below: int = 0) -> pd.DataFrame:
    """The school-by-term table as a reader compares it: one row per school, terms across.

    Schools are grouped under a heading row (intervention, then control); each cell holds the number
    and, in brackets, the average count (per 100 pupils or per pupil, from the config). The pupils of
    each cell are in :func:`school_term_data` (the table's CSV download).

    Returns
    -------
    DataFrame
        Columns ``School`` and one per term, in the panel's order.
    """
    data = school_term_data(panel, outcome, suppress_below)
    data["cell"] = data.apply(_count_and_rate, axis=1)
    terms = list(dict.fromkeys(panel.outcome(outcome)["term"].cat.categories.astype(str)))
    terms = [t for t in terms if t in set(data["Term"])]
    blocks = []
    for group in GROUP_TITLES.values():
        rows = data[data["Group"] == group]
        if rows.empty:
            continue
        wide = rows.pivot(index="School", columns="Term", values="cell").reindex(columns=terms).fillna("")
        heading = pd.DataFrame([[""] * len(terms)], columns=terms, index=[GROUP_HEADINGS[group]])
        blocks += [heading, wide]
    out = pd.concat(blocks)
    out.index.name = "School"
    out.columns.name = None
    return out.reset_index()


def grouped_rows(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Rows grouped under a heading row for each value of column ``by`` (in order of appearance), that column dropped.

    A copy editor's layout for a long table whose first column repeats: the heading names the group once.

    Examples
    --------
    >>> t = pd.DataFrame({"Outcome": ["A", "A", "B"], "School": ["x", "y", "z"], "n": ["1", "2", "3"]})
    >>> grouped_rows(t, "Outcome").values.tolist()
    [['A', ''], ['x', '1'], ['y', '2'], ['B', ''], ['z', '3']]
    """
    rest = [c for c in frame.columns if c != by]
    blocks = []
    for value, rows in frame.groupby(by, sort=False):
        blocks += [pd.DataFrame([[value] + [""] * (len(rest) - 1)], columns=rest), rows[rest]]
    return pd.concat(blocks, ignore_index=True) if blocks else frame[rest]


def regression_table(result) -> pd.DataFrame:
    """Regression estimates laid out like the report: IRR, 95% CI and p-value.

    Term fixed effects first (the reference term marked), then the
    interaction(s), the constant, and the combined change in intervention
    schools.
    """
    t = result.table
    level = int(round(result.spec.level * 100))
    rows = []
    for r in t.itertuples():
        if r.kind == "reference":
            rows.append((r.coefficient, "Reference", "", ""))
            continue
        ci = fmt.interval(r.ci_low, r.ci_high) if r.estimable else ""
        p = fmt.p_value(r.p_value) if r.estimable else ""
        rows.append((r.coefficient, fmt.irr(r.irr), ci, p))
    out = pd.DataFrame(rows, columns=["Coefficient", "IRR", f"{level}% CI", "p-value"])
    out.insert(0, "Effect", t["kind"].map(EFFECTS).to_numpy())
    return out


def audit_display(rows: pd.DataFrame) -> pd.DataFrame:
    """Row-by-row audit, published next to reproduced, for display."""

    def pair(estimate, low, high):
        return "" if not np.isfinite(estimate) else fmt.irr_with_ci(estimate, low, high)

    out = pd.DataFrame(
        {
            "Coefficient": rows["coefficient"],
            "Published IRR [95% CI]": [
                pair(r.published_irr, r.published_ci_low, r.published_ci_high) for r in rows.itertuples()
            ],
            "Reproduced IRR [95% CI]": [
                pair(r.irr, r.ci_low, r.ci_high) if np.isfinite(r.irr) else fmt.NOT_ESTIMABLE for r in rows.itertuples()
            ],
            "Agrees at printed precision": rows["reproduced"].map(fmt.yes_no),
        }
    )
    return out.reset_index(drop=True)


def verdict_display(verdicts: pd.DataFrame, labels: dict[tuple[str, str], str] | None = None) -> pd.DataFrame:
    """One row per published table: what it is and whether it reproduces (outcomes by ``labels``, when given)."""
    keys = zip(verdicts["authority"], verdicts["outcome"], strict=True)
    return pd.DataFrame(
        {
            "Authority": verdicts["authority"],
            "Outcome": [(labels or {}).get(k, k[1]) for k in keys],
            "Published table": verdicts["source"].str.replace("Final report (May 2020), ", "", regex=False),
            "Reproduces": verdicts["reproduced"].map(fmt.yes_no),
            "Verdict": verdicts["verdict"],
        }
    )


def conventions_display(estimates: pd.DataFrame, labels: dict[tuple[str, str], str]) -> pd.DataFrame:
    """Interaction IRR [CI] of every model under each small-sample convention, one column each.

    ``estimates`` has ``authority, outcome, correction, irr, ci_low, ci_high,
    estimable`` (:func:`swis.audit.diagnostics.convention_estimates`);
    ``labels`` maps (authority, outcome) to the outcome's label.
    """
    shown = estimates.assign(
        text=[
            fmt.irr_with_ci(r.irr, r.ci_low, r.ci_high) if r.estimable else fmt.NOT_ESTIMABLE
            for r in estimates.itertuples()
        ]
    )
    wide = shown.pivot(index=["authority", "outcome"], columns="correction", values="text")
    order = list(dict.fromkeys(zip(estimates["authority"], estimates["outcome"], strict=True)))
    wide = wide.reindex(order)[list(dict.fromkeys(estimates["correction"]))].reset_index()
    wide.columns.name = None
    wide.insert(1, "Outcome", [labels[(a, o)] for a, o in zip(wide["authority"], wide["outcome"], strict=True)])
    return wide.drop(columns="outcome").rename(columns={"authority": "Authority", **CONVENTION_NAMES})


#: The corrected column of ``data/corrections.csv`` in words.
CORRECTED_COLUMNS = {
    "count": "number",
    "pupils": "pupils",
    "school": "school heading",
    "table_caption": "table caption",
    "table_footnote": "table footnote",
}
#: The small-sample conventions of :mod:`swis.estimation.inference.cluster`, as column headings.
CONVENTION_NAMES = {
    "stata": "G/(G-1), the report's (Stata)",
    "statsmodels": "G/(G-1) \u00d7 (N-1)/(N-K) (statsmodels)",
    "none": "No small-sample factor",
}


def corrections_display(corrections: pd.DataFrame, labels: dict[tuple[str, str], str] | None = None) -> pd.DataFrame:
    """The corrections file for readers: where (in words), printed and corrected value in one cell, evidence.

    ``labels`` maps (authority, outcome) to the outcome's label.
    """
    c = corrections
    outcome = [(labels or {}).get(k, k[1]) for k in zip(c["authority"], c["outcome"], strict=True)]
    where = [
        ", ".join(filter(None, [a, o, s, t])) + f": {CORRECTED_COLUMNS.get(col, col.replace('_', ' '))}"
        for a, o, s, t, col in zip(c["authority"], outcome, c["school"], c["term"], c["column"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Where": where,
            "Printed \u2192 corrected": c["printed_value"] + " \u2192 " + c["corrected_value"],
            "Applied": c["action"].map({"apply": "yes", "note": "no (documented only)"}),
            "Evidence": c["evidence"],
        }
    ).reset_index(drop=True)


def pupils_display(frame: pd.DataFrame, labels: dict[tuple[str, str], str]) -> pd.DataFrame:
    """School-terms whose pupils differ between outcome tables: one column of pupils per outcome, in words.

    ``frame`` is :func:`swis.audit.diagnostics.pupils_across_tables`'s; ``labels`` maps (authority, outcome)
    to the outcome's label. A dash where an outcome's table has no row for the school and term.
    """
    outcomes = list(dict.fromkeys(o for _, o in labels if o in frame.columns))
    out = pd.DataFrame({"Authority": frame["authority"], "School": frame["school"], "Term": frame["term"].astype(str)})
    names = {o: next(v for (a, k), v in labels.items() if k == o) for o in outcomes}
    for o in outcomes:
        out[f"Pupils, {names[o]} table"] = frame[o].map(lambda v: fmt.count(v) or "-")
    return out.reset_index(drop=True)


def search_display(search: pd.DataFrame) -> pd.DataFrame:
    """The single count changes under which a table's published estimates reproduce, headers in words."""
    return pd.DataFrame(
        {
            "School": search["school"],
            "Term": search["term"].astype(str),
            "Printed number": search["printed_count"].map(fmt.count),
            "Number under which the estimates reproduce": search["count_that_reproduces"].map(fmt.count),
        }
    ).reset_index(drop=True)


def forest_table(estimates: pd.DataFrame, printed: dict[tuple[str, str], str] | None = None) -> pd.DataFrame:
    """The forest plot's numbers as a table (its text alternative), every kind of inference beside the report's.

    ``printed`` maps (authority, outcome) to the report's printed interaction IRR and interval, as printed;
    given, it is shown beside the re-estimate for the pilots' models (empty for models the report has none of).
    """
    rows = list(estimates.itertuples())
    frame = pd.DataFrame(
        {
            "Model": estimates["label"],
            "Rate ratio": [fmt.irr(r.irr) if r.estimable else fmt.NOT_ESTIMABLE for r in rows],
            "Report's convention: 95% CI; p": [interval_cell(r, "ci_low", "ci_high", "p_value") for r in rows],
            "t(G-1): 95% CI; p": [interval_cell(r, "t_ci_low", "t_ci_high", "t_p_value") for r in rows],
            "Randomization p (smallest possible)": [randomization_cell(r) for r in rows],
            "Score bootstrap: 95% CI; p": [
                interval_cell(r, "boot_ci_low", "boot_ci_high", "boot_p_value") for r in rows
            ],
        }
    )
    if printed is not None:
        frame["As printed in the report"] = [
            printed.get((r.authority, r.outcome), "") if getattr(r, "pilot", True) else "" for r in rows
        ]
    return frame


def note_table(text: str) -> pd.DataFrame:
    """A one-cell table saying why there is nothing to show (e.g. no published table)."""
    return pd.DataFrame({"": [text]})


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text, empty where missing (for a table shown as it is)."""
    return frame.astype(str).where(frame.notna(), "")


def _signed_pct(v: float) -> str:
    return f"{v:+.0f}%" if fmt.is_finite(v) else fmt.NOT_ESTIMABLE


def combined_display(comparison: pd.DataFrame, labels: dict[tuple[str, str], str]) -> pd.DataFrame:
    """The report's stated overall changes beside its own arithmetic and the re-estimate.

    ``comparison`` is :func:`swis.audit.combined.compare_combined`'s table;
    ``labels`` maps (authority, outcome) to the outcome's label.
    """
    keys = zip(comparison["authority"], comparison["outcome"], strict=True)
    return pd.DataFrame(
        {
            "Authority": comparison["authority"],
            "Outcome": [labels.get(k, k[1]) for k in keys],
            "Stated in the report": comparison["stated_pct"].map(_signed_pct),
            "Product of the printed IRRs": comparison["report_arithmetic_pct"].map(_signed_pct),
            "Re-estimated here": comparison["computed_pct"].map(_signed_pct),
            "Difference (percentage points)": comparison["difference_pp"].map(
                lambda v: f"{v:+.1f}" if fmt.is_finite(v) else "not computed"
            ),
            "Where the report states it": comparison["source"].str.replace(
                "Final report (May 2020), ", "", regex=False
            ),
        }
    )
