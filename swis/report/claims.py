"""Which of the report's claims of a significant effect hold, and under which test.

The report calls an effect significant where its printed 95% interval for
the intervention-by-time rate ratio excludes one (standard errors clustered
by school, normal critical values). Those claims are read from the printed
estimates (``data/published/regression_estimates.csv``), never typed, and
each is set beside the tests that respect how few schools each model has
(:mod:`swis.report.inference`). A claim *holds* under a test when that
test rejects no effect at the 5% level in the report's direction; it holds
overall, in this book's reading, only when every test that respects the
design does (:func:`swis.report.inference.significant`).
"""

from __future__ import annotations

import math

import pandas as pd

from swis.report import format as fmt
from swis.report.inference import ALPHA, FEW_SCHOOLS, significant

#: The tests a claim is read under: name, p-value column, interval columns (None: no interval).
TESTS = (
    ("report", "p_value", ("ci_low", "ci_high")),
    ("t", "t_p_value", ("t_ci_low", "t_ci_high")),
    ("randomization", "ri_p_value", None),
    ("bootstrap", "boot_p_value", ("boot_ci_low", "boot_ci_high")),
)


def report_claims(published: pd.DataFrame) -> pd.DataFrame:
    """The interactions the report calls significant: its printed 95% interval excludes one.

    Parameters
    ----------
    published : DataFrame
        :func:`swis.data.published.load_published`.

    Returns
    -------
    DataFrame
        ``authority, outcome, printed, printed_irr, direction, source``, one row per claim.

    Examples
    --------
    >>> from swis.data.published import load_published
    >>> report_claims(load_published())[["authority", "outcome", "direction"]].values.tolist()
    [['Southampton', 's47', 'fall'], ['Stockport', 's17', 'fall'], ['Lambeth', 's47', 'fall']]
    """
    rows = published[published["kind"].eq("interaction")]
    rows = rows[(rows["ci_high"] < 1) | (rows["ci_low"] > 1)]
    return pd.DataFrame(
        {
            "authority": rows["authority"],
            "outcome": rows["outcome"],
            "printed": [
                f"{fmt.printed(r.irr_text)}, 95% CI {fmt.printed(r.ci_low_text)} to {fmt.printed(r.ci_high_text)}"
                for r in rows.itertuples()
            ],
            "printed_irr": rows["irr"],
            "direction": ["fall" if v < 1 else "rise" for v in rows["irr"]],
            "source": rows["source"],
        }
    ).reset_index(drop=True)


def _holds(row: pd.Series, p_col: str, direction: str) -> bool | None:
    """Whether one test rejects no effect in the claimed direction (None when the test has no result)."""
    p = row.get(p_col, math.nan)
    if not row["estimable"] and p_col != "ri_p_value":
        return None
    if not isinstance(p, (int, float)) or not math.isfinite(p):
        return None
    same_way = not math.isfinite(row["irr"]) or ((row["irr"] < 1) == (direction == "fall"))
    return bool(p < ALPHA and same_way)


def assess_claims(claims: pd.DataFrame, estimates: pd.DataFrame) -> pd.DataFrame:
    """Each claim beside the re-estimate under every test.

    Parameters
    ----------
    claims : DataFrame
        :func:`report_claims`.
    estimates : DataFrame
        One row per model with the interaction's ``irr, ci_*, p_value, estimable, n_clusters`` and the
        design-respecting columns (:func:`swis.book.pages.synthesis.interaction_estimates`).

    Returns
    -------
    DataFrame
        The claims' columns, the estimates' columns, ``holds_<test>`` for each of :data:`TESTS` and
        ``holds`` (the book's reading: :func:`swis.report.inference.significant`).
    """
    mine = estimates.drop_duplicates(["authority", "outcome"]).set_index(["authority", "outcome"])
    rows = []
    for c in claims.itertuples(index=False):
        key = (c.authority, c.outcome)
        if key not in mine.index:
            continue  # the authority is not in this book
        est = mine.loc[key]
        row = {**c._asdict(), **est.to_dict()}
        for name, p_col, _ in TESTS:
            row[f"holds_{name}"] = _holds(est, p_col, c.direction)
        row["holds"] = bool(significant(est)) and flag(row["holds_report"]) is True
        rows.append(row)
    return pd.DataFrame(rows)


def _p(v: float) -> str:
    return f"p = {fmt.p_value(v)}" if fmt.is_finite(v) else "no p-value"


def _ci(low: float, high: float) -> str:
    return fmt.span(low, high) if fmt.is_finite(low) and fmt.is_finite(high) else "no finite interval"


DESIGN_NAMES = {"t": "the t test", "randomization": "randomization inference", "bootstrap": "the score bootstrap"}


def flag(v) -> bool | None:
    """A holds-flag as True, False or None (no test possible), whatever pandas stored it as.

    Examples
    --------
    >>> import numpy as np
    >>> flag(np.bool_(True)), flag(None), flag(float("nan")), flag(False)
    (True, None, None, False)
    """
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return bool(v)


def _design_verdict(row: pd.Series) -> str:
    support = [DESIGN_NAMES[n] for n in DESIGN_NAMES if flag(row[f"holds_{n}"]) is True]
    against = [DESIGN_NAMES[n] for n in DESIGN_NAMES if flag(row[f"holds_{n}"]) is False]
    if row["holds"]:
        return "Every test that respects the design supports the claim."
    if not support:
        return "None of the tests that respect the design supports the claim: the data are consistent with no change."
    yes = fmt.join_words(support)
    verb = "supports" if len(support) == 1 else "support"
    but = f"{fmt.join_words(against)} does not, so this book does not call it significant"
    return f"{yes[0].upper() + yes[1:]} {verb} it but {but}."


def claim_sentence(row: pd.Series, label: str) -> str:
    """What one claim of the report says, and what each test of the re-estimate says about it.

    ``row`` is one row of :func:`assess_claims`; ``label`` is the outcome as it reads in a sentence.
    """
    head = f"The report found a significant {row['direction']} in {label} in {row['authority']} (printed rate ratio "
    head += f"{row['printed']})."
    ri = f"randomization inference gives {_p(row['ri_p_value'])}"
    low = row.get("ri_min_p", math.nan)
    if fmt.is_finite(low) and fmt.is_finite(row["ri_p_value"]):
        at_floor = row["ri_p_value"] <= low * (1 + 1e-9)
        ri += (
            ", the smallest p any result of this design can give"
            if at_floor
            else f", where no result of this design could give less than {fmt.p_value(low)}"
        )
    if not row["estimable"]:
        return (
            f"{head} That number is an artefact of separation: every intervention school recorded none in the "
            "pilot term, so the model has no finite estimate and neither the report's interval nor the t and "
            f"bootstrap intervals exist. Without an estimate, {ri}. {_design_verdict(row)}"
        )
    n = int(row["n_clusters"])
    few = f", and {n} schools are too few for that convention to be trusted alone" if n < FEW_SCHOOLS else ""
    return (
        f"{head} Re-estimated from the report's own tables, the report's convention gives {fmt.irr(row['irr'])} "
        f"({_ci(row['ci_low'], row['ci_high'])}, {_p(row['p_value'])}){few}. With t critical values on "
        f"{int(row['t_df'])} degrees of freedom the interval is {_ci(row['t_ci_low'], row['t_ci_high'])} "
        f"({_p(row['t_p_value'])}); {ri}; the score bootstrap gives {_p(row['boot_p_value'])}. "
        f"{_design_verdict(row)}"
    )


def claims_summary(assessed: pd.DataFrame, labels: dict[tuple[str, str], str]) -> str:
    """How many of the report's significant results hold under the tests that respect the design."""
    n = len(assessed)
    if n == 0:
        return "The report calls no result of these authorities statistically significant."
    names = [f"{labels.get((r.authority, r.outcome), r.outcome)} in {r.authority}" for r in assessed.itertuples()]
    held = assessed[assessed["holds"]]
    if held.empty:
        verdict = "none of them holds" if n > 2 else "neither holds" if n == 2 else "it does not hold"
    else:
        kept = [names[i] for i in range(n) if assessed["holds"].iloc[i]]
        verdict = f"{len(held)} of them hold{'s' if len(held) == 1 else ''} ({fmt.join_words(kept)})"
    listed = fmt.join_words(names)
    return (
        f"The report calls {n} result{'s' if n > 1 else ''} statistically significant ({listed}); under the "
        f"tests that respect how few schools each model has, {verdict}."
    )


def claims_conclusion(assessed: pd.DataFrame) -> str:
    """What the pilots' impact data can and cannot carry, from how many claims hold."""
    if assessed.empty:
        return "There is no claim of a significant effect to weigh."
    if assessed["holds"].any():
        return (
            "Some of the pilots' impact results hold under every test that respects the design, but each rests on "
            "a handful of schools: they show what a trial should test rather than settle it."
        )
    return (
        "None of the report's significant results holds once the tests allow for how few schools each pilot had, "
        "so the pilots' impact data are consistent with no change: they show what a trial should test, not that "
        "social workers in schools reduce referrals."
    )


def _mark(v) -> str:
    return {True: "yes", False: "no", None: "no test"}[flag(v)]


def claims_display(assessed: pd.DataFrame, labels: dict[tuple[str, str], str]) -> pd.DataFrame:
    """One row per claim of the report: what it printed, and whether the claim holds under each test."""
    return pd.DataFrame(
        {
            "Claim of the report": [
                f"{r.authority}: {labels.get((r.authority, r.outcome), r.outcome)} {r.direction}"
                for r in assessed.itertuples()
            ],
            "Printed rate ratio, 95% CI": assessed["printed"].str.replace(", 95% CI ", " (", regex=False) + ")",
            "Holds: report's convention": assessed["holds_report"].map(_mark),
            "t(G-1)": assessed["holds_t"].map(_mark),
            "Randomization": assessed["holds_randomization"].map(_mark),
            "Score bootstrap": assessed["holds_bootstrap"].map(_mark),
            "This book": assessed["holds"].map(_mark),
        }
    )
