"""A national file: every school matched against every other school of its authority.

Authorities are independent, so they are matched in turn or shared among
worker processes; each task receives its authority's trend array explicitly
(no state is shared between processes through module globals).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from itertools import repeat

import numpy as np
import pandas as pd

from swis.matching.select import pair_arrays, pair_columns, score_arrays
from swis.matching.settings import MatchSettings
from swis.matching.trends import dense_trends, sorted_codes, term_codes

KEEP = ("tested", "selected", "all")


def national_trends(frame: pd.DataFrame, autumn_terms: list[str], scales: dict[str, float]) -> dict:
    """Trends of a national admin file as arrays, and the schools grouped by authority.

    ``frame`` has the admin columns and an ``authority`` column (categorical
    columns are used as they are, without copying their labels). Rows of
    outcomes not in ``scales`` and of terms other than the last three autumn
    terms are ignored; each school belongs to the authority of its first row.
    """
    outcomes = list(scales)
    o = term_codes(frame["outcome"], outcomes)
    keep = o >= 0
    frame, o = frame[keep] if not keep.all() else frame, o[keep]
    arr, schools, years = dense_trends(frame, autumn_terms, np.array([scales[k] for k in outcomes], float), o)
    s, _ = sorted_codes(frame["school"])
    a, authorities = sorted_codes(frame["authority"])
    authority_of = np.full(len(schools), -1, dtype=np.int64)
    authority_of[s[::-1]] = a[::-1]  # the first row of each school decides
    order = np.argsort(authority_of, kind="stable")
    bounds = np.searchsorted(authority_of[order], np.arange(len(authorities) + 1))
    blocks = [order[bounds[k] : bounds[k + 1]] for k in range(len(authorities))]
    return {
        "trend": arr,
        "schools": schools,
        "years": years,
        "outcomes": outcomes,
        "authorities": authorities,
        "blocks": blocks,
    }


def _match_block(trend: np.ndarray, settings: MatchSettings, keep: str) -> dict[str, np.ndarray]:
    """Match every school of one authority (``trend``: its schools' trends) against every other.

    Returns the kept pairs as arrays, with ``intervention_school`` and
    ``candidate`` as positions within the authority.
    """
    n = trend.shape[-1]
    local = np.arange(n)
    sc = score_arrays(trend, local, local, settings)
    off_diagonal = ~np.eye(n, dtype=bool)[None]
    mask = {"tested": sc.tested, "selected": sc.selected}.get(keep, off_diagonal)
    bb, ii, cc = np.nonzero(np.broadcast_to(mask, sc.u.shape) & off_diagonal)
    out = pair_arrays(sc, (bb, ii, cc), settings)
    out.update(outcome=bb, intervention_school=ii, candidate=cc)
    return out


def _run_blocks(
    trend: np.ndarray, blocks: list[np.ndarray], settings: MatchSettings, keep: str, workers: int
) -> list[dict[str, np.ndarray]]:
    """Match each authority's block, in turn or in ``workers`` processes."""
    arrays = (np.ascontiguousarray(trend[..., members]) for members in blocks)
    if workers <= 1:
        return [_match_block(a, settings, keep) for a in arrays]
    chunk = max(1, len(blocks) // (4 * workers))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_match_block, arrays, repeat(settings), repeat(keep), chunksize=chunk))


def match_national(
    frame: pd.DataFrame,
    autumn_terms: list[str],
    scales: dict[str, float],
    settings: MatchSettings = MatchSettings(),
    workers: int = 1,
    keep: str = "tested",
) -> pd.DataFrame:
    """Match every school of a national file against every other school of its authority, per outcome.

    The ``group`` column is not used: every school is matched, and every other
    school of its authority is a candidate. Authorities are processed in
    turn, or shared among ``workers`` processes.

    Parameters
    ----------
    frame : DataFrame
        Admin rows with an ``authority`` column (see :func:`national_trends`).
    autumn_terms : list of str
        Pre-intervention autumn terms, oldest first (the last three are used).
    scales : dict
        Rate scale of each outcome to match, e.g. ``{"s17": 100}``.
    settings : MatchSettings
    workers : int
        Processes (1: none).
    keep : {"tested", "selected", "all"}
        Pairs returned: U-tested (scores, ranks, tests and decisions), selected
        only, or every pair (for a national file, tens of millions of rows).

    Returns
    -------
    DataFrame
        ``authority, outcome`` and the columns of :func:`score_outcome`
        (labels as categories).
    """
    if keep not in KEEP:
        raise ValueError(f"keep must be 'tested', 'selected' or 'all'; got {keep!r}")
    if frame.empty:
        raise ValueError("the national file has no rows")
    data = national_trends(frame, autumn_terms, scales)
    parts = _run_blocks(data["trend"], data["blocks"], settings, keep, workers)
    for k, (part, members) in enumerate(zip(parts, data["blocks"], strict=True)):
        part.update(
            authority=np.full(len(part["outcome"]), k),
            intervention_school=members[part["intervention_school"]],
            candidate=members[part["candidate"]],
        )
    cols = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    labels = {
        "authority": data["authorities"],
        "outcome": data["outcomes"],
        "intervention_school": data["schools"],
        "candidate": data["schools"],
    }
    table = {name: pd.Categorical.from_codes(cols.pop(name), labels[name]) for name in labels}
    return pd.DataFrame({**table, **pair_columns(cols, settings)})
