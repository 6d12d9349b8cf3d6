"""What the sensitivity checks show, in words and in a compact table (numbers from
:mod:`swis.estimation.sensitivity`).

A result *survives* a check when the check leaves its direction (a ratio below or above one) in place:

``count models``
    the quasi-Poisson and negative binomial ratios both have an estimate and lie on the same side of one as
    the report's;
``one school fewer``
    every refit without one school has an estimate, and none lies on the other side of one;
``false start``
    the false start is available and its ratio is closer to one (on the log scale) than the report's, so the
    groups were not already drifting apart by as much before the pilot.

Surviving says the direction does not hang on the variance assumption, on one school or on timing; it says
nothing about statistical significance, which these checks do not test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from swis.report import format as fmt

#: The checks a result must survive, in the order sentences name them.
SURVIVAL = ("count models", "one school fewer", "false start")


def _rows(model: pd.DataFrame) -> dict[str, pd.Series]:
    """One model's rows (first interaction), by check."""
    first = model["coefficient"].iloc[0]
    return {r["check"]: r for _, r in model[model["coefficient"].eq(first)].iterrows()}


def _log(v) -> float:
    return math.log(v) if fmt.is_finite(v) and v > 0 else float("nan")


def _same_side(v, main) -> bool:
    return fmt.is_finite(v) and np.sign(_log(v)) == np.sign(_log(main))


def checks_passed(model: pd.DataFrame) -> dict[str, bool]:
    """Whether one model's result survives each check (:data:`SURVIVAL`); all False when it has no estimate.

    Examples
    --------
    >>> rows = pd.DataFrame({"coefficient": "x", "check": ["poisson", "quasi_poisson", "negative_binomial",
    ...     "leave_one_out", "placebo"], "irr": [0.5, 0.5, 0.6, np.nan, 0.9], "estimable": True,
    ...     "n_unestimable": [None, None, None, 0, None], "n_other_side": [None, None, None, 1, None]})
    >>> checks_passed(rows)
    {'count models': True, 'one school fewer': False, 'false start': True}
    """
    r = _rows(model)
    main = r["poisson"]["irr"] if r["poisson"]["estimable"] else float("nan")
    if not fmt.is_finite(main):
        return dict.fromkeys(SURVIVAL, False)
    loo, placebo = r["leave_one_out"], r["placebo"]
    return {
        "count models": all(_same_side(r[c]["irr"], main) for c in ("quasi_poisson", "negative_binomial")),
        "one school fewer": bool(loo["estimable"]) and loo["n_unestimable"] == 0 and loo["n_other_side"] == 0,
        "false start": bool(placebo["estimable"]) and abs(_log(placebo["irr"])) < abs(_log(main)),
    }


def surviving(table: pd.DataFrame) -> pd.DataFrame:
    """Which results survive every check: one row per authority and outcome of a sensitivity table.

    Columns ``authority, outcome, estimable, survives`` and ``failed`` (the checks not survived, in words).
    This is what the synthesis may quote; it never speaks of significance.

    Examples
    --------
    >>> rows = pd.DataFrame({"authority": "A", "outcome": "s47", "coefficient": "x", "check": ["poisson",
    ...     "quasi_poisson", "negative_binomial", "leave_one_out", "placebo"], "irr": [0.5, 0.5, 0.6, np.nan, 0.9],
    ...     "estimable": True, "n_unestimable": [None, None, None, 0, None],
    ...     "n_other_side": [None, None, None, 0, None]})
    >>> surviving(rows)[["outcome", "survives", "failed"]].to_dict("records")
    [{'outcome': 's47', 'survives': True, 'failed': ''}]
    """
    out = []
    for (authority, outcome), model in table.groupby(["authority", "outcome"], sort=False):
        passed = checks_passed(model)
        estimable = bool(_rows(model)["poisson"]["estimable"])
        failed = ", ".join(k for k, ok in passed.items() if not ok) if estimable else "no estimate to check"
        out.append(
            dict(
                authority=authority, outcome=outcome, estimable=estimable, survives=all(passed.values()), failed=failed
            )
        )
    return pd.DataFrame(out, columns=["authority", "outcome", "estimable", "survives", "failed"])


def _side(main: float) -> str:
    return "below" if main < 1 else "above"


def _count_clause(r: dict[str, pd.Series], main: float) -> str:
    q, nb = r["quasi_poisson"], r["negative_binomial"]
    if not (q["estimable"] and nb["estimable"]):
        return "has no estimate under the other count models"
    same = all(_same_side(x["irr"], main) for x in (q, nb))
    where = f"stays {_side(main)} one" if same else "does not stay on one side of one"
    return (
        f"{where} under the quasi-Poisson and negative binomial models ({fmt.irr(q['irr'])} and "
        f"{fmt.irr(nb['irr'])}; Pearson dispersion {fmt.irr(q['dispersion'])}, where a Poisson model assumes 1)"
    )


def _loo_clause(loo: pd.Series) -> str:
    n, bad = int(loo["n_refits"]), int(loo["n_unestimable"])
    if not loo["estimable"]:
        return f"has no estimate in any of the {n} refits with one school left out"
    other = int(loo["n_other_side"])
    missing = f", {bad} with no estimate" if bad else ""
    return (
        f"ranges from {fmt.irr(loo['irr_min'])} to {fmt.irr(loo['irr_max'])} when one school at a time is left "
        f"out ({other} of {n} refits on the other side of one{missing}; furthest without {loo['most_influential']})"
    )


def _placebo_clause(p: pd.Series, main: float) -> str:
    if not isinstance(p["false_start"], str):
        return "cannot be set against a false start (fewer than two terms before the pilot)"
    if not p["estimable"]:
        return f"has no estimate at a false start in {p['false_start']}"
    size = "a smaller" if abs(_log(p["irr"])) < abs(_log(main)) else "at least as large a"
    return f"is {fmt.irr(p['irr'])} at a false start in {p['false_start']}, {size} departure from one"


def sentence(model: pd.DataFrame, label: str) -> str:
    """What the checks show for one outcome, in one sentence (see the module docstring for *survives*).

    Examples
    --------
    >>> rows = pd.DataFrame({"coefficient": "x", "check": ["poisson", "quasi_poisson", "negative_binomial",
    ...     "leave_one_out", "placebo"], "irr": [0.5, 0.5, 0.6, np.nan, 0.9], "ci_low": [0.3, 0.2, 0.3, np.nan, 0.5],
    ...     "ci_high": [0.8, 1.2, 1.1, np.nan, 1.6], "estimable": True, "dispersion": [np.nan, 2.0, 0.1, np.nan,
    ...     np.nan], "n_refits": [None, None, None, 4, None], "n_unestimable": [None, None, None, 0, None],
    ...     "n_other_side": [None, None, None, 1, None], "irr_min": [None, None, None, 0.3, None],
    ...     "irr_max": [None, None, None, 1.1, None], "most_influential": [None, None, None, "S2", None],
    ...     "influential_irr": [None, None, None, 1.1, None], "false_start": [None, None, None, None, "T3"]})
    >>> print(sentence(rows, "Section 47 starts"))  # doctest: +NORMALIZE_WHITESPACE
    Section 47 starts: the report's ratio of 0.50 stays below one under the quasi-Poisson and negative binomial
    models (0.50 and 0.60; Pearson dispersion 2.00, where a Poisson model assumes 1), ranges from 0.30 to
    1.10 when one school at a time is left out (1 of 4 refits on the other side of one; furthest without S2),
    and is 0.90 at a false start in T3, a smaller departure from one. It does not survive every check (one
    school fewer).
    """
    r = _rows(model)
    main = r["poisson"]["irr"] if r["poisson"]["estimable"] else float("nan")
    if not fmt.is_finite(main):
        return (
            f"{label}: the report's model has no estimate of the pilot's effect, so there is no result to check; "
            f"the model also {_loo_clause(r['leave_one_out'])}."
        )
    passed = checks_passed(model)
    count, loo = _count_clause(r, main), _loo_clause(r["leave_one_out"])
    failed = [k for k, ok in passed.items() if not ok]
    ending = "It survives every check." if not failed else f"It does not survive every check ({', '.join(failed)})."
    placebo = _placebo_clause(r["placebo"], main)
    return f"{label}: the report's ratio of {fmt.irr(main)} {count}, {loo}, and {placebo}. {ending}"


def _with_ci(row: pd.Series) -> str:
    return fmt.irr_with_ci(row["irr"], row["ci_low"], row["ci_high"]) if row["estimable"] else fmt.NOT_ESTIMABLE


def _dispersion(v: float) -> str:
    """A dispersion to two decimals (an alpha at its lower bound shows as 0.00, not as 1e-08)."""
    return f"{v:.2f}" if fmt.is_finite(v) else fmt.NOT_ESTIMABLE


def _loo_cell(loo: pd.Series) -> str:
    n, bad = int(loo["n_refits"]), int(loo["n_unestimable"])
    missing = f", {bad} with no estimate" if bad else ""
    if not loo["estimable"]:
        return f"no estimate in any of {n} refits"
    return f"{fmt.span(loo['irr_min'], loo['irr_max'])} ({n} refits{missing})"


def _display_row(model: pd.DataFrame, label: str) -> dict[str, str]:
    r = _rows(model)
    loo, placebo = r["leave_one_out"], r["placebo"]
    passed = checks_passed(model)
    failed = [k for k, ok in passed.items() if not ok]
    if not r["poisson"]["estimable"]:
        verdict = "no estimate to check"
    else:
        verdict = "yes" if not failed else f"no ({', '.join(failed)})"
    return {
        "Outcome": label,
        "Report's model": _with_ci(r["poisson"]),
        "Quasi-Poisson": _with_ci(r["quasi_poisson"]),
        "Pearson dispersion": _dispersion(r["quasi_poisson"]["dispersion"]),
        "Negative binomial": _with_ci(r["negative_binomial"]),
        "NB alpha": _dispersion(r["negative_binomial"]["dispersion"]),
        "One school fewer": _loo_cell(loo),
        "School that moves it most": f"{loo['most_influential']} ({fmt.irr(loo['influential_irr'])})"
        if loo["estimable"]
        else "",
        "False start": f"{_with_ci(placebo)} in {placebo['false_start']}"
        if isinstance(placebo["false_start"], str)
        else "not available",
        "Survives every check": verdict,
    }


def authority_display(table: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """One authority's compact table: a row per check, a column per outcome (``labels``: key -> label).

    Intervals: the report's model and the false start clustered by school (normal critical values);
    quasi-Poisson t on the residual degrees of freedom; negative binomial model-based.
    """
    columns = {labels.get(o, o): _display_row(model, "") for o, model in table.groupby("outcome", sort=False)}
    shown = pd.DataFrame(columns).drop(index="Outcome")
    shown.index.name = "Check"
    return shown.reset_index()


def synthesis_sentence(survivors: pd.DataFrame, labels: dict[tuple[str, str], str]) -> str:
    """Which results keep their direction under every check, for the synthesis (never a claim of significance).

    ``survivors`` is :func:`surviving`'s table; ``labels`` maps (authority, outcome) to the outcome in a sentence.

    Examples
    --------
    >>> found = pd.DataFrame({"authority": ["A", "A", "B"], "outcome": ["s17", "s47", "s47"],
    ...                       "estimable": [True, True, False], "survives": [True, False, False]})
    >>> synthesis_sentence(found, {("A", "s17"): "Section 17 starts"})
    'Of the 2 models with an estimate to check, 1 keeps its direction under every check (Section 17 starts in A).'
    """
    est = survivors[survivors["estimable"].astype(bool)]
    kept = est[est["survives"].astype(bool)]
    if est.empty:
        return "No model has an estimate to check."
    names = [f"{labels.get((r.authority, r.outcome), r.outcome)} in {r.authority}" for r in kept.itertuples()]
    n = len(est)
    if kept.empty:
        return f"Of the {n} models with an estimate to check, none keeps its direction under every check."
    verb = "keeps its" if len(kept) == 1 else "keep their"
    listed = names[0] if len(names) == 1 else "; ".join(names)
    return f"Of the {n} models with an estimate to check, {len(kept)} {verb} direction under every check ({listed})."
