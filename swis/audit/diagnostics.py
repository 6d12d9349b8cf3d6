"""Diagnostics beyond the verdicts: what a table that does not reproduce is consistent with,
how the intervals move under other standard-error conventions, and the software of the build.
"""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

import pandas as pd

from swis import paths
from swis.audit.compare import agrees
from swis.config import authority_entries, load_config
from swis.data.panel import cross_table_pupils, load_panel
from swis.estimation.design import INTERACTION
from swis.estimation.did import estimate, estimate_panel
from swis.estimation.inference.cluster import CORRECTIONS

#: Packages whose versions the reproducibility appendix lists.
PACKAGES = (
    "swis",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "pandera",
    "matplotlib",
    "papermill",
    "jupyter-book",
    "myst-nb",
    "sphinx",
    "sphinxcontrib-bibtex",
)


def single_cell_search(
    rows: pd.DataFrame, spec, published: pd.DataFrame, deltas: tuple[int, ...] = (-2, -1, 1, 2)
) -> pd.DataFrame:
    """Single count changes under which the published point estimates reproduce.

    A diagnostic for a table that does not reproduce: every count is moved
    by each of ``deltas`` in turn and the model refitted; a change is listed
    when every published term effect and interaction then agrees at the
    printed precision. It says what data the published regression is
    consistent with; it changes nothing.
    """
    pub = published[published["kind"].isin(["term", "interaction"])]
    hits = []
    for idx in rows.index:
        for delta in deltas:
            trial = rows.copy()
            trial.loc[idx, "count"] += delta
            if trial.loc[idx, "count"] < 0:
                continue
            table = estimate(trial, spec).table.set_index("coefficient")
            if all(
                name in table.index and agrees(table.loc[name, "irr"], text)
                for name, text in zip(pub["coefficient"], pub["irr_text"], strict=True)
            ):
                r = rows.loc[idx]
                hits.append(
                    {
                        "school": r["school"],
                        "term": str(r["term"]),
                        "printed_count": r["count"],
                        "count_that_reproduces": r["count"] + delta,
                    }
                )
    return pd.DataFrame(hits, columns=["school", "term", "printed_count", "count_that_reproduces"])


def convention_estimates(**overrides) -> pd.DataFrame:
    """The interaction of every model of the book under each small-sample convention.

    Returns
    -------
    DataFrame
        ``authority, outcome, correction, irr, ci_low, ci_high, estimable``.
    """
    rows = []
    for e in authority_entries():
        config = load_config(paths.resolve(e.config))
        panel = load_panel(paths.resolve(e.panel), config)
        for outcome in panel.outcomes:
            for name in CORRECTIONS:
                r = estimate_panel(panel, outcome, correction=name, **overrides).get(INTERACTION)
                rows.append(
                    {
                        "authority": config.authority,
                        "outcome": outcome,
                        "correction": name,
                        **{c: r[c] for c in ("irr", "ci_low", "ci_high", "estimable")},
                    }
                )
    return pd.DataFrame(rows)


def pupils_across_tables() -> pd.DataFrame:
    """School-terms of the report's panel whose pupil numbers differ between outcome tables, every authority."""
    frames = [
        cross_table_pupils(load_panel(paths.resolve(e.panel), load_config(paths.resolve(e.config))).data)
        for e in authority_entries()
    ]
    return pd.concat(frames)


def software_versions() -> list[tuple[str, str]]:
    """(package, version) of Python and of the packages the analysis and the book use."""
    rows = [("python", platform.python_version())]
    for name in PACKAGES:
        try:
            rows.append((name, version(name)))
        except PackageNotFoundError:
            rows.append((name, "not installed"))
    return rows
