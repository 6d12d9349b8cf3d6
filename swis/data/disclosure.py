"""Disclosure control by provenance: the report's published data in full, any other data with small counts hidden.

Whether a panel is the report's already-published data is decided by its
content, never by its path: the rows of each authority, normalised
(:func:`fingerprint`), hash to the value recorded in
``data/panels/published_fingerprints.csv``. The report's tables are public,
so the book shows them in full. Any other panel (a researcher's local data,
or the published file edited) is treated as confidential: counts from 1 to
``threshold - 1`` are hidden, with their rates, in every published table and
figure (primary suppression), and in each term and group at least two cells
are hidden when any is (secondary suppression), so that no group total for a
term, and no difference of totals, reveals a hidden cell. The model is
still fitted to the full data; only what is shown is suppressed.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from swis import paths
from swis.io import read_csv_text

#: Threshold applied to any panel other than the report's published one.
LOCAL_THRESHOLD = 10
#: Where the fingerprints of the published panels are recorded (authority, sha256, source).
FINGERPRINTS = paths.DATA / "panels" / "published_fingerprints.csv"
_COLUMNS = ("authority", "outcome", "school", "group", "term", "count", "pupils")


def fingerprint(data: pd.DataFrame) -> str:
    """SHA-256 of a panel's rows, normalised: the data columns only, cells stripped, numbers as integers, sorted.

    The same rows give the same fingerprint whatever the file's name, folder,
    column order, row order, line endings, quoting or printed rates.
    ``printed_count`` / ``printed_school`` (the values before corrections)
    are used when present, so the fingerprint is of the data as published.

    Examples
    --------
    >>> a = pd.DataFrame({"authority": ["X"], "outcome": ["s17"], "school": ["A"], "group": ["control"],
    ...                   "term": ["T1"], "count": [3], "pupils": ["100.0"]})
    >>> fingerprint(a) == fingerprint(a.assign(pupils=[100])[list(reversed(a.columns))])
    True
    """
    d = data.copy()
    for col, printed in (("count", "printed_count"), ("school", "printed_school")):
        if printed in d:
            d[col] = d[printed]
    d = d[list(_COLUMNS)].astype(str).apply(lambda s: s.str.strip())
    for col in ("count", "pupils"):
        d[col] = pd.to_numeric(d[col]).map(lambda v: f"{v:.0f}")
    text = d.sort_values(list(_COLUMNS)).to_csv(index=False, lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def published_fingerprints() -> dict[str, str]:
    """Authority -> fingerprint of the rows the report published (``data/panels/published_fingerprints.csv``)."""
    table = read_csv_text(FINGERPRINTS)
    return dict(zip(table["authority"], table["sha256"], strict=True))


def is_published(panel) -> bool:
    """True when a loaded :class:`~swis.data.panel.Panel` holds exactly the report's published rows."""
    return published_fingerprints().get(panel.config.authority) == fingerprint(panel.data)


def resolve_threshold(panel, requested: int = -1) -> int:
    """The suppression threshold for a panel, from its content.

    Parameters
    ----------
    panel : swis.data.panel.Panel
        The loaded panel being analysed.
    requested : int
        -1 for automatic (0 for the report's published data, else
        :data:`LOCAL_THRESHOLD`); any other value is used as given.

    Examples
    --------
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> panel = load_panel(paths.PANEL, load_config(paths.config_path("Stockport")))
    >>> resolve_threshold(panel), resolve_threshold(panel, requested=5)
    (0, 5)
    """
    if requested >= 0:
        return requested
    return 0 if is_published(panel) else LOCAL_THRESHOLD


def is_suppressed(count: pd.Series, threshold: int) -> pd.Series:
    """Counts that must not be shown: 1 <= count < threshold."""
    return (count >= 1) & (count < threshold)


def secondary(rows: pd.DataFrame, hide: pd.Series, by: list[str]) -> pd.Series:
    """Add cells to ``hide`` so that no group of ``by`` has exactly one hidden cell.

    With one hidden cell, the group's total (or the total less the shown
    cells) would give it away; the smallest other count of the group is
    hidden with it.
    """
    hide = hide.copy()
    keys = [k for k in by if k in rows]
    # group members by position-free index lists; ``indices`` (not ``groups``) has no key-shape change pending
    groups = (
        [rows.index[i] for i in rows.groupby(keys, observed=True, sort=False).indices.values()]
        if keys
        else [rows.index]
    )
    for index in groups:
        if hide[index].sum() == 1 and len(index) > 1:
            others = rows.loc[index][~hide[index]]
            nonzero = others[others["count"] > 0]  # a hidden zero next to one hidden count would protect little
            hide[(nonzero if len(nonzero) else others)["count"].idxmin()] = True
    return hide


def suppress_counts(rows: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Add ``count_shown``, ``rate_shown`` and ``rate_plot`` with small counts hidden, and ``suppressed``.

    Hidden cells read ``<threshold``; ``rate_shown`` is the rate, or the same
    marker where the count is hidden; ``rate_plot`` is NaN there.
    ``suppressed`` is ``primary``, ``secondary`` or empty.
    """
    out = rows.copy()
    primary = is_suppressed(out["count"], threshold) if threshold > 0 else pd.Series(False, index=out.index)
    hide = secondary(out, primary, ["outcome", "term", "group"]) if threshold > 0 else primary
    marker = f"<{threshold}"
    out["count_shown"] = np.where(hide, marker, out["count"].map(lambda v: f"{v:,.0f}"))
    out["rate_shown"] = [marker if h else r for h, r in zip(hide, out["rate"], strict=True)]
    out["rate_plot"] = np.where(hide, np.nan, out["rate"])
    out["suppressed"] = np.where(primary, "primary", np.where(hide, "secondary", ""))
    return out


def suppression_note(rows: pd.DataFrame, threshold: int) -> str:
    """What was hidden, in one sentence for a caption (empty when nothing was).

    Examples
    --------
    >>> rows = pd.DataFrame({"count": [0, 3, 12, 40], "rate": [0.0, 0.5, 2.0, 3.0], "term": ["T"] * 4})
    >>> suppression_note(suppress_counts(rows, 10), 10)
    'Local data: counts from 1 to 9 are hidden (<10) in 1 cell, and 1 more cell so that no total reveals them.'
    """
    if threshold <= 0:
        return ""
    primary = int((rows["suppressed"] == "primary").sum())
    extra = int((rows["suppressed"] == "secondary").sum())
    cells = lambda n: f"{n} cell" + ("" if n == 1 else "s")  # noqa: E731
    note = f"Local data: counts from 1 to {threshold - 1} are hidden (<{threshold}) in {cells(primary)}"
    if extra:
        note += f", and {extra} more {cells(extra).split(' ', 1)[1]} so that no total reveals them"
    return note + "."


def panel_suppression_note(panel, outcome: str, threshold: int) -> str:
    """:func:`suppression_note` for one outcome of a loaded panel (what its table and figure hide)."""
    if threshold <= 0:
        return ""
    d = panel.outcome(outcome)
    d["rate"] = d["count"] / d["pupils"]
    return suppression_note(suppress_counts(d, threshold), threshold)
