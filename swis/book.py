"""Values and tables the notebooks glue into the book.

Notebooks call these functions and glue the results; the prose pastes them
with ``{glue:text}``, so no number in the book is typed by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from swis.did import INTERACTION

SIGNIFICANCE = {True: "statistically significant", False: "not statistically significant"}


def _direction(irr: float) -> str:
    if not np.isfinite(irr):
        return "not estimable"
    return "decrease" if irr < 1 else "increase"


def _pct(irr: float) -> float:
    return float(abs(irr - 1) * 100) if np.isfinite(irr) else float("nan")


def outcome_values(result, alpha: float = 0.05) -> dict[str, object]:
    """Glue values of one outcome, keyed ``<outcome>_<name>``.

    Keys: ``int_irr``, ``int_ci_low``, ``int_ci_high``, ``int_p``,
    ``time_*`` (change in control schools), ``combined_*`` (change in
    intervention schools), ``*_pct_abs``, ``*_direction``,
    ``significance``, ``n_intervention`` and ``n_control``.
    """
    t = result.table.set_index("coefficient")
    o = t["outcome"].iloc[0]
    post = result.spec.post_terms[0]
    parts = {"int": t.loc[[c for c in t.index if c.startswith(INTERACTION)][0]],
             "time": t.loc[post],
             "combined": t[t["kind"] == "combined"].iloc[0]}
    values: dict[str, object] = {}
    for name, row in parts.items():
        for col in ("irr", "ci_low", "ci_high"):
            values[f"{o}_{name}_{col}"] = float(row[col])
        values[f"{o}_{name}_p"] = float(row["p_value"])
        values[f"{o}_{name}_pct_abs"] = _pct(row["irr"])
        values[f"{o}_{name}_direction"] = _direction(row["irr"])
    est = bool(parts["int"]["estimable"])
    values[f"{o}_significance"] = SIGNIFICANCE[bool(parts["int"]["p_value"] < alpha)] if est else "not estimable"
    rows = result.design.rows.drop_duplicates("school")
    all_rows = pd.concat([result.design.rows, result.design.dropped]).drop_duplicates("school")
    values[f"{o}_n_intervention"] = int((all_rows["group"] == "intervention").sum())
    values[f"{o}_n_control"] = int((all_rows["group"] == "control").sum())
    values[f"{o}_n_schools_fitted"] = int(len(rows))
    return values


def glue_values(values: dict[str, object]) -> None:
    """Glue every value under its key, without displaying it."""
    from myst_nb import glue

    for key, value in values.items():
        glue(key, value, display=False)


def _cell(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    return text.replace("|", "\\|").replace("\n", " ") or " "


def myst_table(frame: pd.DataFrame, caption: str, name: str, index: bool = True):
    """A DataFrame as a numbered MyST ``list-table`` (cite it with ``{numref}``).

    Multi-level column headers become several header rows (a level's label
    is written once, above the first of its columns). The notebook shows
    the returned object; myst-nb parses it as MyST markdown.

    Examples
    --------
    >>> md = myst_table(pd.DataFrame({"a": [1]}), "A table", "tbl-a")
    >>> print(md.data.splitlines()[0])
    ```{list-table} A table
    """
    from IPython.display import Markdown

    data = frame.reset_index() if index else frame
    if isinstance(frame.columns, pd.MultiIndex):
        levels = [list(frame.columns.get_level_values(i)) for i in range(frame.columns.nlevels)]
        names = list(frame.index.names) if index else []
        headers = []
        for depth, level in enumerate(levels):
            shown = [v if j == 0 or level[j - 1] != v or depth == len(levels) - 1 else ""
                     for j, v in enumerate(level)]
            lead = [n or "" for n in names] if depth == len(levels) - 1 else [""] * len(names)
            headers.append(lead + shown)
    else:
        headers = [[str(c) for c in data.columns]]
    body = [[_cell(v) for v in row] for row in data.itertuples(index=False)]
    if not body:  # a list-table needs a body row
        body = [["(none)"] + [" "] * (len(headers[-1]) - 1)]
    lines = [f"```{{list-table}} {caption}", f":name: {name}", f":header-rows: {len(headers)}", ""]
    for row in headers + body:
        lines.append(f"* - {_cell(row[0])}")
        lines += [f"  - {_cell(v)}" for v in row[1:]]
    lines.append("```")
    return Markdown("\n".join(lines))


def download_links(frames: dict[str, pd.DataFrame], out_dir: str | Path):
    """Write each table as CSV into ``out_dir`` and link it with ``{download}``.

    Links are relative to the book folder that holds ``out_dir`` (the
    executed notebooks sit there); tables written outside the book are
    listed by path instead.
    """
    from IPython.display import Markdown

    from swis import paths
    from swis.io import atomic_csv

    out_dir = Path(out_dir) if Path(out_dir).is_absolute() else paths.ROOT / out_dir
    links = []
    for name, frame in frames.items():
        path = atomic_csv(frame, out_dir / f"{name}.csv").resolve()
        book_dir = next((p for p in path.parents if p.parent == paths.BOOK.resolve()), None)
        links.append(f"{{download}}`{path.name} <{path.relative_to(book_dir).as_posix()}>`" if book_dir
                     else f"`{path}`")
    return Markdown("Download the tables as CSV: " + " · ".join(links))
