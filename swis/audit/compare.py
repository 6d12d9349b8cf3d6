"""Reproduction audit: re-estimate every published regression table and compare.

Each published incidence rate ratio and confidence limit is compared with
ours at the precision the report printed it, in two named tiers: a value
*rounds to the printed value* when the difference is at most half a unit in
the last printed digit, and is *within one unit of the last printed digit*
when it is at most one unit (software and rounding of intermediate results
move the last digit; 55.3136 against a printed 55.32 is such a case). A
table reproduces when every value is in one of the two tiers, and its
verdict names the tier. Nothing is tuned to force a match; what differs is
reported with the difference.

The constant is the rate of the omitted (base) school in the reference
term. The report does not say which school was omitted, and its labels are
anonymised, so the constant is compared with our default base school and,
separately, with the constant every possible base school would give.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from swis import paths
from swis.config import authority_entries, load_config
from swis.data.panel import load_panel
from swis.data.published import VALUE_COLUMNS, load_published, published_table
from swis.estimation.design import CONSTANT
from swis.estimation.did import estimate_panel

#: Verdict of a model the report published no table for.
NO_TABLE = "no published table to compare with: not one of the report's pilot models"
COMPARISON_COLUMNS = [
    "authority",
    "outcome",
    "coefficient",
    "kind",
    "published_irr",
    "published_ci_low",
    "published_ci_high",
    "irr",
    "ci_low",
    "ci_high",
    "diff_irr",
    "diff_ci_low",
    "diff_ci_high",
    "reproduced",
    "agreement",
    "note",
    "source",
]

#: The tiers of agreement with a printed value, closest first.
ROUNDS = "rounds to the printed value"
WITHIN_ONE_UNIT = "within one unit of the last printed digit"
DIFFERS = "differs by more than one unit of the last printed digit"
TIERS = (ROUNDS, WITHIN_ONE_UNIT, DIFFERS)


def half_unit(text: str) -> float:
    """Half a unit in the last printed digit.

    Examples
    --------
    >>> half_unit("1.8"), half_unit("1.54E-9") == 0.5e-11
    (0.05, True)
    """
    if not text:
        return np.nan
    exponent = Decimal(text).as_tuple().exponent
    return 0.5 * 10.0**exponent


def agrees(ours: float, printed: str) -> bool:
    """Whether ``ours`` rounds to the printed number (half a unit, plus float slack).

    Examples
    --------
    >>> agrees(0.654, "0.65"), agrees(0.656, "0.65")
    (True, False)
    """
    return agreement(ours, printed) == ROUNDS


def agreement(ours: float, printed: str) -> str:
    """The tier of agreement of ``ours`` with a printed number (:data:`TIERS`).

    Examples
    --------
    >>> agreement(0.654, "0.65")
    'rounds to the printed value'
    >>> agreement(55.3136, "55.32")
    'within one unit of the last printed digit'
    >>> agreement(55.2936, "55.32")
    'differs by more than one unit of the last printed digit'
    """
    if not printed or not np.isfinite(ours):
        return DIFFERS
    gap = abs(ours - float(printed))
    unit = 2 * half_unit(printed)
    # float slack: a difference of exactly half a unit is printed either way
    if gap <= unit / 2 * (1 + 1e-9) + 1e-12:
        return ROUNDS
    return WITHIN_ONE_UNIT if gap <= unit * (1 + 1e-9) + 1e-12 else DIFFERS


def worst(tiers) -> str:
    """The furthest tier among ``tiers`` (:data:`ROUNDS` when there is none).

    Examples
    --------
    >>> worst([ROUNDS, WITHIN_ONE_UNIT, ROUNDS])
    'within one unit of the last printed digit'
    """
    return max(tiers, key=TIERS.index, default=ROUNDS)


def _compare_row(pub: pd.Series, ours: pd.Series | None) -> dict:
    out = {f"published_{c}": pub[c] for c in VALUE_COLUMNS}
    if ours is None or not bool(ours["estimable"]):
        out.update({c: np.nan for c in VALUE_COLUMNS})
        out.update({f"diff_{c}": np.nan for c in VALUE_COLUMNS})
        why = "not estimable" if ours is not None else "no such coefficient in our model"
        note = f"{why}: {ours['note'] if ours is not None else ''}".strip(": ")
        out.update(reproduced=False, agreement=DIFFERS, note=note)
        return out
    out.update({c: ours[c] for c in VALUE_COLUMNS})
    out.update({f"diff_{c}": ours[c] - pub[c] for c in VALUE_COLUMNS})
    tier = worst(agreement(ours[c], pub[f"{c}_text"]) for c in VALUE_COLUMNS)
    out.update(reproduced=tier != DIFFERS, agreement=tier, note="")
    return out


def compare_table(published: pd.DataFrame, ours: pd.DataFrame) -> pd.DataFrame:
    """Set one published table next to our estimates, row by row."""
    mine = ours.set_index("coefficient")
    rows = []
    for _, pub in published[published["kind"] != "reference"].iterrows():
        name = pub["coefficient"]
        row = mine.loc[name] if name in mine.index else None
        rows.append(
            {
                "authority": pub["authority"],
                "outcome": pub["outcome"],
                "coefficient": name,
                "kind": pub["kind"],
                **_compare_row(pub, row),
                "source": pub["source"],
            }
        )
    return pd.DataFrame(rows)


def constant_by_base_school(res, published: pd.Series, schools) -> pd.DataFrame:
    """The constant (and its CI) each possible base school of ``schools`` gives, against the published one.

    ``res`` is the table's fit (:func:`swis.estimation.did.estimate_panel`). Omitting another school is the
    same model written another way, so one fit gives every base school's constant (:func:`constant_with_base`).
    """
    rows = []
    for school in sorted(set(schools)):
        const = constant_with_base(res, school)
        tier = worst(agreement(const[c], published[f"{c}_text"]) for c in VALUE_COLUMNS)
        values = {c: const[c] for c in VALUE_COLUMNS}
        rows.append({"base_school": school, **values, "reproduced": tier != DIFFERS, "agreement": tier})
    return pd.DataFrame(rows)


def constant_with_base(res, school: str) -> dict:
    """The constant, with its interval as the report gives it, had ``school`` been the omitted (base) school.

    The same model with another school omitted: the constant becomes this fit's constant plus ``school``'s own
    effect, with variance ``V_cc + V_ss + 2 V_cs`` from the clustered covariance, which changes with the way
    the model is written exactly as the coefficients do; the other coefficients are unchanged. A school set
    aside before the fit cannot be omitted: as the fit itself would, the first school left takes its place.
    ``tests/test_audit_published.py`` checks this against fitting again with each school omitted.
    """
    params, cov = res.fit.params, res.cov
    kept = sorted(res.design.rows["school"].unique())
    key = f"school:{school if school in kept else kept[0]}"
    b, var = params[CONSTANT], cov.loc[CONSTANT, CONSTANT]
    if key in cov.columns:
        b, var = b + params[key], var + cov.loc[key, key] + 2 * cov.loc[CONSTANT, key]
    se, z = float(np.sqrt(max(var, 0.0))), res.spec.z
    return {"estimate": b, "se": se, "irr": np.exp(b), "ci_low": np.exp(b - z * se), "ci_high": np.exp(b + z * se)}


def _tier_clause(tier: str, rows: pd.DataFrame) -> str:
    """Which tier the table reaches, naming the rows that are only within one unit."""
    if tier == ROUNDS:
        return "every value rounds to the printed value"
    loose = rows.loc[rows["agreement"] == WITHIN_ONE_UNIT, "coefficient"].tolist()
    where = f" ({', '.join(loose)})" if loose else ""
    return f"every value is at least {WITHIN_ONE_UNIT}{where}"


def _verdict(cmp: pd.DataFrame, bases: pd.DataFrame) -> tuple[bool, str, str]:
    main = cmp[cmp["kind"] != "constant"]
    bad = [
        f"{r.coefficient} (not estimable here: the printed value is an artefact of separation)"
        if str(r.note).startswith("not estimable")
        else r.coefficient
        for r in main[~main["reproduced"]].itertuples()
    ]
    if bad:
        return False, DIFFERS, "does not reproduce: " + "; ".join(bad)
    const = cmp[cmp["kind"] == "constant"]
    if bool(const["reproduced"].all()):
        tier = worst(cmp["agreement"])
        return True, tier, f"reproduces: {_tier_clause(tier, cmp)}"
    matches = bases[bases["reproduced"]]
    if matches.empty:
        return False, DIFFERS, "does not reproduce: the constant, whichever school is omitted"
    tier = worst([*main["agreement"], min(matches["agreement"], key=TIERS.index)])
    return (
        True,
        tier,
        (
            f"reproduces: {_tier_clause(tier, main)}; the constant matches when the omitted school is "
            + " or ".join(matches["base_school"])
            + " (the report does not say which school it omitted)"
        ),
    )


def audit_outcome(panel, outcome: str, published: pd.DataFrame, **overrides) -> tuple[pd.DataFrame, dict]:
    """Compare one outcome's published table with our estimates.

    Returns
    -------
    (DataFrame, dict)
        Row-by-row comparison, and the table's verdict.
    """
    pub = published_table(published, panel.config.authority, outcome)
    if pub.empty:  # an authority added to the book, or an outcome the report did not model
        verdict = {
            "authority": panel.config.authority,
            "outcome": outcome,
            "reproduced": None,
            "agreement": "",
            "verdict": NO_TABLE,
            "source": "",
        }
        return pd.DataFrame(columns=COMPARISON_COLUMNS), verdict
    res = estimate_panel(panel, outcome, **overrides)
    cmp = compare_table(pub, res.table)
    const_pub = pub[pub["kind"] == "constant"]
    bases = (
        constant_by_base_school(res, const_pub.iloc[0], panel.outcome(outcome)["school"])
        if not const_pub.empty
        else pd.DataFrame(columns=["base_school", "reproduced", "agreement"])
    )
    ok, tier, text = _verdict(cmp, bases)
    verdict = {
        "authority": panel.config.authority,
        "outcome": outcome,
        "reproduced": ok,
        "agreement": tier,
        "verdict": text,
        "source": pub["source"].iloc[0] if not pub.empty else "",
    }
    return cmp, verdict


def run_audit(
    corrections: bool = True,
    published_path: str | Path | None = None,
    panel_path: str | Path | None = None,
    **overrides,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Audit every published table of every authority of the book (``data/book.yml``).

    Parameters
    ----------
    corrections : bool
        Apply ``data/corrections.csv`` (False: the data exactly as printed).
    published_path, panel_path : path, optional
        Alternative published estimates or panel.
    **overrides
        Options of :class:`swis.estimation.did.DidSpec` (e.g. ``correction="none"``).

    Returns
    -------
    (DataFrame, DataFrame)
        Row-by-row comparison, and one verdict per table.
    """
    published = load_published(published_path)
    rows, verdicts = [], []
    for e in authority_entries():
        config = load_config(paths.resolve(e.config))
        panel = load_panel(panel_path or paths.resolve(e.panel), config, corrections=None if corrections else False)
        for outcome in panel.outcomes:
            cmp, verdict = audit_outcome(panel, outcome, published, **overrides)
            rows.append(cmp)
            verdicts.append(verdict)
    rows = [r for r in rows if not r.empty] or [pd.DataFrame(columns=COMPARISON_COLUMNS)]
    return pd.concat(rows, ignore_index=True), pd.DataFrame(verdicts)


def summary_line(verdicts: pd.DataFrame) -> str:
    """The closing line of the audit, with the tier each reproduced table reaches.

    Examples
    --------
    >>> summary_line(pd.DataFrame({"reproduced": [True, False, True, None]}))
    '2 of 3 published tables reproduce'
    >>> tiers = [ROUNDS, WITHIN_ONE_UNIT, DIFFERS]
    >>> summary_line(pd.DataFrame({"reproduced": [True, True, False], "agreement": tiers})).split(" (")
    ['2 of 3 published tables reproduce', \
'1 with every value rounding to the printed value, 1 within one unit of the last printed digit)']
    """
    published = verdicts[verdicts["reproduced"].notna()]
    ok = published[published["reproduced"].astype(bool)]
    line = f"{len(ok)} of {len(published)} published tables reproduce"
    if "agreement" not in ok or ok.empty:
        return line
    n_round = int((ok["agreement"] == ROUNDS).sum())
    if n_round == len(ok):
        return f"{line}, every value of each rounding to the printed value"
    return f"{line} ({n_round} with every value rounding to the printed value, {len(ok) - n_round} {WITHIN_ONE_UNIT})"
