"""Tables of the trial-planning chapter, for display (numbers from :mod:`swis.power`)."""

from __future__ import annotations

import pandas as pd

from swis.report import format as fmt

PARAMETERS = {
    "baseline_rate": "Baseline rate (per pupil per term)",
    "sd_school": "Between schools (SD of log rate)",
    "sd_term": "Term to term in a school (SD of log rate)",
}


def weights_text(weights: dict[str, float]) -> str:
    """Each authority's weight behind an estimate, largest first.

    Examples
    --------
    >>> weights_text({"A": 0.1, "B": 0.895, "C": 0.005})
    'B 90%, A 10%, C 0%'
    """
    return ", ".join(f"{k} {v:.0%}" for k, v in sorted(weights.items(), key=lambda kv: -kv[1]))


def calibration_display(calibration: pd.DataFrame) -> pd.DataFrame:
    """The calibrated parameters with their parametric bootstrap intervals and each pilot's weight."""
    return pd.DataFrame(
        {
            "Parameter": calibration["parameter"].map(PARAMETERS),
            "Estimate": calibration["estimate"].map(lambda v: f"{v:.4f}"),
            "95% interval (parametric bootstrap)": [
                f"{lo:.4f} to {hi:.4f}" for lo, hi in zip(calibration["ci_low"], calibration["ci_high"], strict=True)
            ],
            "Pilots' weights": calibration["weights"].map(weights_text),
        }
    )


def mde_display(mdes: pd.DataFrame) -> pd.DataFrame:
    """Minimum detectable effects of the trial designs, with their Monte Carlo errors and the rejection rate with
    no effect (the test's real level)."""
    return pd.DataFrame(
        {
            "Design": mdes["design"],
            "Analysis": mdes["analysis_name"],
            "Rejects with no effect": [
                f"{p:.3f} ± {m:.3f}" for p, m in zip(mdes["null_rejection"], mdes["null_mcse"], strict=True)
            ],
            "SE (log rate ratio)": mdes["se_null"].map(lambda v: f"{v:.3f}"),
            "Detectable with 80% power": [
                f"{v:.3f} ± {m:.4f} ({(1 - v) * 100:.1f}% lower)"
                for v, m in zip(mdes["mde"], mdes["mde_mcse"], strict=True)
            ],
            "Simulated power at it": [
                f"{p:.2f} ± {m:.2f}" for p, m in zip(mdes["power_at_mde"], mdes["mcse_at_mde"], strict=True)
            ],
        }
    )


def sensitivity_display(sensitivity: pd.DataFrame) -> pd.DataFrame:
    """One row per assumption, one column per analysis: the fall detectable with 80% power (% lower) with its
    Monte Carlo SE.

    Examples
    --------
    >>> table = pd.DataFrame(
    ...     {"setting": ["a", "a"], "analysis_name": ["x", "y"], "mde": [0.8, 0.9], "mde_mcse": [0.002, 0.001]}
    ... )
    >>> sensitivity_display(table).values.tolist()
    [['a', '20.0% ± 0.2', '10.0% ± 0.1']]
    """
    cells = sensitivity.assign(
        cell=[
            f"{(1 - v) * 100:.1f}% ± {m * 100:.1f}"
            for v, m in zip(sensitivity["mde"], sensitivity["mde_mcse"], strict=True)
        ]
    )
    wide = cells.pivot(index="setting", columns="analysis_name", values="cell")
    order = list(dict.fromkeys(sensitivity["setting"]))
    columns = list(dict.fromkeys(sensitivity["analysis_name"]))
    return wide.loc[order, columns].rename_axis(columns=None).reset_index().rename(columns={"setting": "Assumption"})


def fmt_share(v: float) -> str:
    """A share as a percentage; an empty cell when no simulated trial rejected (nothing to average)."""
    return "" if pd.isna(v) else f"{v:.0%}"


def fmt_times(v: float) -> str:
    """An exaggeration ratio, e.g. 7.6x; empty when no simulated trial rejected."""
    return "" if pd.isna(v) else f"{v:.1f}x"


def pilots_display(pilots: pd.DataFrame, effect_names: dict[str, str]) -> pd.DataFrame:
    """What each pilot design could tell, one row per pilot and true effect (no effect first)."""
    rows = []
    for r in pilots.itertuples():
        schools = f"{r.n_schools} ({r.n_treated})"
        rows.append((r.authority, schools, "none", f"{r.size:.0%}", "", "", ""))
        for key, name in effect_names.items():
            rows.append(
                (
                    r.authority,
                    schools,
                    name,
                    f"{getattr(r, f'power_{key}'):.0%}",
                    fmt_share(getattr(r, f"type_s_{key}")),
                    fmt_times(getattr(r, f"exaggeration_{key}")),
                    fmt_times(getattr(r, f"exaggeration_ideal_{key}")),
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "Pilot",
            "Schools (SWIS)",
            "True effect",
            "Report's test rejects",
            "Of those: wrong sign",
            "Of those: exaggeration",
            "Ideal test: exaggeration",
        ],
    )


def _change(irr: float, low: float, high: float) -> str:
    """A rate ratio as a change in the rate: 0.65 [0.45, 0.94] -> "-35% (-55% to -6%)"."""
    pct = [f"{(v - 1) * 100:+.0f}%" for v in (irr, low, high)]
    return f"{pct[0]} ({pct[1]} to {pct[2]})"


def comparison_display(rows: pd.DataFrame) -> pd.DataFrame:
    """Pilot estimates beside the trial's result, as printed, with the change they mean and their sources."""
    return pd.DataFrame(
        {
            "Study": rows["study"],
            "Rate ratio [95% CI], as printed": [
                f"{p[0]} [{p[1]}, {p[2]}]" if pd.notna(r.irr) else fmt.NOT_ESTIMABLE
                for p, r in zip(rows["printed"], rows.itertuples(), strict=True)
            ],
            "Change in the rate": [
                _change(r.irr, r.ci_low, r.ci_high) if pd.notna(r.irr) else "" for r in rows.itertuples()
            ],
            "Schools": rows["schools"],
            "Interval": rows["interval"],
            "Source": rows["source"],
        }
    )


def sizes_sentence(pilots: pd.DataFrame) -> str:
    """How often each pilot design's test rejects with no effect, in words.

    Examples
    --------
    >>> sizes_sentence(pd.DataFrame({"authority": ["A", "B"], "size": [0.51, 0.14]}))
    "in 51% of simulated trials of A's design and 14% of B's"
    """
    parts = [
        f"{r.size:.0%} of simulated trials of {r.authority}'s design" if k == 0 else f"{r.size:.0%} of {r.authority}'s"
        for k, r in enumerate(pilots.itertuples())
    ]
    return "in " + fmt.join_words(parts)


def errors_sentence(pilots: pd.DataFrame, key: str) -> str:
    """The exaggeration and wrong-sign rate among the report's test's rejections in each pilot design, in words.

    Examples
    --------
    >>> df = pd.DataFrame({"authority": ["A"], "exaggeration_tenth": [14.6], "type_s_tenth": [0.32]})
    >>> errors_sentence(df, "tenth")
    "about 15-fold in A's design, pointing the wrong way 32% of the time"
    """
    return fmt.join_words(
        [
            f"about {getattr(r, f'exaggeration_{key}'):.0f}-fold in {r.authority}'s design, pointing the wrong "
            f"way {getattr(r, f'type_s_{key}'):.0%} of the time"
            for r in pilots.itertuples()
        ]
    )


def _pct(v: float) -> str:
    return f"{abs(v - 1) * 100:.1f}%"


def interval_sentence(irr: float, low: float, high: float) -> str:
    """What a rate ratio's 95% interval excludes at the 5% level and what it leaves open, in words.

    Examples
    --------
    >>> print(interval_sentence(1.055, 0.955, 1.166))  # doctest: +NORMALIZE_WHITESPACE
    at the 5% level it excludes a fall in the rate of more than 4.5% and a rise of more than 16.6%;
    it does not exclude no change, a fall of up to 4.5% or a rise of up to 16.6%
    >>> print(interval_sentence(0.8, 0.7, 0.9))  # doctest: +NORMALIZE_WHITESPACE
    at the 5% level it excludes no change, a fall in the rate of more than 30.0% and a fall of less than 10.0%;
    it does not exclude a fall of between 10.0% and 30.0%
    """
    if low < 1 < high:
        return (
            f"at the 5% level it excludes a fall in the rate of more than {_pct(low)} and a rise of more than "
            f"{_pct(high)}; it does not exclude no change, a fall of up to {_pct(low)} or a rise of up to {_pct(high)}"
        )
    if high <= 1:
        return (
            f"at the 5% level it excludes no change, a fall in the rate of more than {_pct(low)} and a fall of less "
            f"than {_pct(high)}; it does not exclude a fall of between {_pct(high)} and {_pct(low)}"
        )
    return (
        f"at the 5% level it excludes no change, a rise in the rate of less than {_pct(low)} and a rise of more "
        f"than {_pct(high)}; it does not exclude a rise of between {_pct(low)} and {_pct(high)}"
    )


def se_check_sentence(trial_se: float, simulated_se: float) -> str:
    """The simulated standard error set against the one the trial's interval implies, in words.

    Examples
    --------
    >>> se_check_sentence(0.051, 0.046)
    'the simulation is 10% more optimistic than the trial turned out'
    >>> se_check_sentence(0.051, 0.0561)
    'the simulation is 10% more pessimistic than the trial turned out'
    """
    ratio = simulated_se / trial_se - 1
    if abs(ratio) < 0.005:
        return "the simulation agrees with the trial"
    word = "pessimistic" if ratio > 0 else "optimistic"
    return f"the simulation is {abs(ratio):.0%} more {word} than the trial turned out"


def strata_sentence(plain_pct: float, strata_pct: float) -> str:
    """How the authorities' intercepts change the baseline-adjusted comparison's detectable fall (in % lower),
    in words: the same within half a percentage point, else which way it moves.

    Examples
    --------
    >>> strata_sentence(12.3, 11.2)
    'with them it detects a smaller fall, about 11% against 12% without them'
    >>> strata_sentence(12.3, 12.1)
    'with them or without, it detects a fall of about 12%'
    """
    if abs(plain_pct - strata_pct) < 0.5:
        return f"with them or without, it detects a fall of about {strata_pct:.0f}%"
    word = "smaller" if strata_pct < plain_pct else "larger"
    return f"with them it detects a {word} fall, about {strata_pct:.0f}% against {plain_pct:.0f}% without them"
