"""Does the interaction rest on one school, or on the timing? Leave-one-school-out refits and a false start.

Leave one school out
    The model is refitted without each school in turn (all its terms). A refit whose interaction has no
    finite estimate (no intervention school left, or separation) is counted, not fitted; the others give the
    range of the interaction, the school whose absence moves it most (on the log scale) and how many refits
    land on the other side of one from the full model.
False start (placebo)
    Only the terms before the pilot are kept, and the last of them is treated as if the pilot had started
    then, against the term before it as reference. With no effect before the pilot, its "interaction" should
    be near one; a ratio as far from one as the real one means the groups were already drifting apart.
    It needs at least two pre-pilot terms.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from swis.estimation.did import DidSpec, estimate


@dataclass(frozen=True)
class LeaveOneOut:
    """The interaction refitted without each school in turn.

    Attributes
    ----------
    coefficient : str
    refits : DataFrame
        One row per school left out: ``school, irr, estimable, note``.
    full_irr : float
        The interaction of the full model.
    """

    coefficient: str
    refits: pd.DataFrame
    full_irr: float

    @property
    def n_unestimable(self) -> int:
        return int((~self.refits["estimable"]).sum())

    def summary(self) -> dict:
        """Range, most influential school and refits on the other side of one."""
        ok = self.refits[self.refits["estimable"]]
        if ok.empty or not np.isfinite(self.full_irr):
            return dict(
                irr_min=np.nan, irr_max=np.nan, most_influential="", influential_irr=np.nan, n_other_side=np.nan
            )
        shift = (np.log(ok["irr"]) - np.log(self.full_irr)).abs()
        top = ok.loc[shift.idxmax()]
        other = np.sign(np.log(ok["irr"])) != np.sign(np.log(self.full_irr))
        return dict(
            irr_min=float(ok["irr"].min()),
            irr_max=float(ok["irr"].max()),
            most_influential=str(top["school"]),
            influential_irr=float(top["irr"]),
            n_other_side=int(other.sum()),
        )


def _interactions(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["kind"].eq("interaction")].set_index("coefficient")


def leave_one_out(rows: pd.DataFrame, spec: DidSpec, full: pd.DataFrame) -> list[LeaveOneOut]:
    """Refit without each school of ``rows``; ``full`` is the full model's table (:func:`estimate`).

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> rows = load_panel(paths.PANEL, cfg).outcome("s17")
    >>> spec = DidSpec.from_config(cfg, engine="fast")
    >>> (loo,) = leave_one_out(rows, spec, estimate(rows, spec).table)
    >>> len(loo.refits), loo.n_unestimable
    (4, 0)
    """
    full = _interactions(full)
    fast = replace(spec, engine="fast")  # flags a singular refit as not estimable, where a pseudo-inverse would not
    found = {name: [] for name in full.index}
    for school in sorted(rows["school"].unique()):
        kept = rows[rows["school"].ne(school)]
        missing = [g for g in ("intervention", "control") if not kept["group"].eq(g).any()]
        table = None if missing else _interactions(estimate(kept, fast).table)
        for name in found:
            if table is None or name not in table.index or not table.loc[name, "estimable"]:
                why = f"no {missing[0]} school left" if table is None else table.loc[name, "note"]
                found[name].append(dict(school=school, irr=np.nan, estimable=False, note=why))
            else:
                found[name].append(dict(school=school, irr=float(table.loc[name, "irr"]), estimable=True, note=""))
    return [LeaveOneOut(n, pd.DataFrame(found[n]), float(full.loc[n, "irr"])) for n in found]


def pre_terms(terms: list[str], post_terms: tuple[str, ...]) -> list[str]:
    """The terms before the first post term, in order.

    Examples
    --------
    >>> pre_terms(["A", "B", "C", "D"], ("C", "D"))
    ['A', 'B']
    """
    first = min(terms.index(t) for t in post_terms)
    return list(terms[:first])


def placebo(rows: pd.DataFrame, spec: DidSpec, terms: list[str]) -> tuple[str, pd.Series] | None:
    """The false start: (its term, the interaction row of :func:`estimate`); None with fewer than two pre terms.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> term, row = placebo(load_panel(paths.PANEL, cfg).outcome("s17"), DidSpec.from_config(cfg), list(cfg.terms))
    >>> term, bool(row["estimable"])
    ('Autumn 2018', True)
    """
    pre = pre_terms(terms, spec.post_terms)
    if len(pre) < 2:
        return None
    false_start = pre[-1]
    fake = DidSpec(
        reference_term=pre[-2],
        post_terms=(false_start,),
        correction=spec.correction,
        level=spec.level,
        engine=spec.engine,
    )
    table = estimate(rows[rows["term"].astype(str).isin(pre)], fake, pre).table
    return false_start, _interactions(table).iloc[0]
