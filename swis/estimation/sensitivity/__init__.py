"""Sensitivity of each difference-in-differences result: another count model, one school fewer, a false start.

For every interaction of the report's model (:mod:`swis.estimation.did`) the checks are

``poisson``
    the report's model itself (clustered by school, normal critical values), for reference;
``quasi_poisson``, ``negative_binomial``
    the same fixed effects and exposure under another variance assumption, with the estimated dispersion
    (:mod:`.count_models`);
``leave_one_out``
    each school dropped in turn: the range of the interaction, the school that moves it most, the refits on the
    other side of one and those with no estimate (:mod:`.influence`);
``placebo``
    the last pre-pilot term as a false start, post terms dropped (where there are two pre-pilot terms).

:func:`sensitivity` returns a :class:`SensitivityResult` whose ``table`` has one row per interaction and check
(:data:`COLUMNS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from swis.estimation.design import build_design
from swis.estimation.did import DidSpec, estimate
from swis.estimation.sensitivity.count_models import CountFit, negative_binomial, quasi_poisson
from swis.estimation.sensitivity.influence import LeaveOneOut, leave_one_out, placebo

CHECKS = ("poisson", "quasi_poisson", "negative_binomial", "leave_one_out", "placebo")
#: The columns of the table, in order (``swis sensitivity`` writes them).
COLUMNS = (
    "authority",
    "outcome",
    "coefficient",
    "check",
    "irr",
    "ci_low",
    "ci_high",
    "estimable",
    "dispersion",
    "dispersion_kind",
    "n_schools",
    "n_refits",
    "n_unestimable",
    "irr_min",
    "irr_max",
    "most_influential",
    "influential_irr",
    "n_other_side",
    "false_start",
    "note",
)
#: Whole-number columns (missing where they do not apply).
COUNTS = ("n_schools", "n_refits", "n_unestimable", "n_other_side")
DISPERSION = {
    "quasi_poisson": "Pearson chi2 / residual df (1 = Poisson)",
    "negative_binomial": "NB2 alpha (0 = Poisson)",
}


@dataclass
class SensitivityResult:
    """The checks of one outcome's model.

    Attributes
    ----------
    table : DataFrame
        One row per interaction and check (:data:`COLUMNS`).
    leave_one_out : list of LeaveOneOut
        Every refit, per interaction.
    """

    table: pd.DataFrame
    leave_one_out: list[LeaveOneOut]

    def get(self, check: str, coefficient: str | None = None) -> pd.Series:
        """The row of one check (of the first interaction unless ``coefficient`` is given)."""
        t = self.table[self.table["check"].eq(check)]
        return (t if coefficient is None else t[t["coefficient"].eq(coefficient)]).iloc[0]


def _count_row(name: str, check: str, fit: CountFit | None, why: str) -> dict:
    if fit is None or not np.isfinite(fit.estimate * fit.se):
        return dict(coefficient=name, check=check, estimable=False, note=f"not estimable: {why or fit.note}")
    irr, low, high = fit.interval
    return dict(
        coefficient=name,
        check=check,
        irr=irr,
        ci_low=low,
        ci_high=high,
        estimable=True,
        dispersion=fit.dispersion,
        dispersion_kind=DISPERSION[check],
        note=fit.note,
    )


def _count_rows(rows: pd.DataFrame, spec: DidSpec, names: list[str]) -> list[dict]:
    design = build_design(rows, spec.reference_term, spec.post_terms, spec.base_school)
    fitted = [n for n in names if n in design.X.columns]
    fits = {"quasi_poisson": {}, "negative_binomial": {}}
    if fitted:
        fits = {
            "quasi_poisson": quasi_poisson(design, fitted, spec.level),
            "negative_binomial": negative_binomial(design, fitted, spec.level),
        }
    n_schools = design.rows["school"].nunique()
    out = []
    for check, found in fits.items():
        for n in names:
            out.append({**_count_row(n, check, found.get(n), design.not_estimable.get(n, "")), "n_schools": n_schools})
    return out


def _main_rows(table: pd.DataFrame) -> list[dict]:
    out = []
    for r in table[table["kind"].eq("interaction")].itertuples():
        row = dict(coefficient=r.coefficient, check="poisson", estimable=bool(r.estimable), n_schools=r.n_schools)
        if r.estimable:
            row.update(irr=r.irr, ci_low=r.ci_low, ci_high=r.ci_high, note="the report's model: " + r.se_type)
        else:
            row["note"] = r.note
        out.append(row)
    return out


def _loo_row(loo: LeaveOneOut, n_schools: int) -> dict:
    return dict(
        coefficient=loo.coefficient,
        check="leave_one_out",
        estimable=bool(loo.refits["estimable"].any()),
        n_schools=n_schools - 1,
        n_refits=len(loo.refits),
        n_unestimable=loo.n_unestimable,
        note="each school dropped in turn; irr_min and irr_max over the refits with an estimate",
        **loo.summary(),
    )


def _placebo_rows(rows: pd.DataFrame, spec: DidSpec, terms: list[str], names: list[str]) -> list[dict]:
    found = placebo(rows, spec, terms)
    if found is None:
        note = "not available: fewer than two terms before the pilot"
        return [dict(coefficient=n, check="placebo", estimable=False, note=note) for n in names]
    term, r = found
    row = dict(check="placebo", false_start=term, estimable=bool(r["estimable"]), n_schools=r["n_schools"])
    if r["estimable"]:
        row.update(irr=r["irr"], ci_low=r["ci_low"], ci_high=r["ci_high"])
    note = f"pre-pilot terms only; {term} treated as the start, against the term before it; {r['note']}"
    return [{**row, "coefficient": n, "note": note.rstrip("; ")} for n in names]


def sensitivity(rows: pd.DataFrame, spec: DidSpec, terms: list[str] | None = None) -> SensitivityResult:
    """Every check of one outcome's model.

    Parameters
    ----------
    rows : DataFrame
        One outcome's panel rows (``school, group, term, count, pupils``).
    spec : DidSpec
        The report's model (reference and post terms, standard-error convention).
    terms : list of str, optional
        Every term in chronological order (default: order of appearance); the placebo needs it.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> res = sensitivity(load_panel(paths.PANEL, cfg).outcome("s17"), DidSpec.from_config(cfg), list(cfg.terms))
    >>> res.table["check"].tolist()
    ['poisson', 'quasi_poisson', 'negative_binomial', 'leave_one_out', 'placebo']
    >>> round(float(res.get("poisson")["irr"]), 2), res.get("placebo")["false_start"]
    (0.47, 'Autumn 2018')
    """
    terms = terms or list(dict.fromkeys(rows["term"].astype(str)))
    main = estimate(rows, spec, terms).table
    names = main.loc[main["kind"].eq("interaction"), "coefficient"].tolist()
    if len(spec.post_terms) > 1:  # the pooled interaction comes from a second model: the checks take the per-term
        names = [n for n in names if "pooled" not in n]
    main = main[main["coefficient"].isin(names) | main["kind"].ne("interaction")]
    loos = leave_one_out(rows, spec, main)
    out = _main_rows(main) + _count_rows(rows, spec, names)
    out += [_loo_row(loo, rows["school"].nunique()) for loo in loos]
    out += _placebo_rows(rows, spec, terms, names)
    table = pd.DataFrame(out).reindex(columns=[c for c in COLUMNS if c not in ("authority", "outcome")])
    order = {c: i for i, c in enumerate(CHECKS)}
    table = table.sort_values(["coefficient", "check"], key=lambda s: s.map(order) if s.name == "check" else s)
    table[list(COUNTS)] = table[list(COUNTS)].astype("Int64")
    return SensitivityResult(table.reset_index(drop=True), loos)


def sensitivity_panel(panel, outcome: str, **overrides) -> SensitivityResult:
    """:func:`sensitivity` for one outcome of a :class:`swis.data.panel.Panel`, with ``authority, outcome``."""
    config = panel.config
    res = sensitivity(panel.outcome(outcome), DidSpec.from_config(config, **overrides), list(config.terms))
    res.table.insert(0, "outcome", outcome)
    res.table.insert(0, "authority", config.authority)
    return res
