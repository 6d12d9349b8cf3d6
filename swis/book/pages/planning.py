"""The planning page (``notebooks/planning.ipynb``): power of a larger trial, calibrated on the pilots."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from swis.book import registry
from swis.book.myst import glue_figure, glue_values, myst_table
from swis.config import authority_configs
from swis.data.published import load_published
from swis.data.trial import load_trial
from swis.power.calibrate import BOOT, authority_rates, design_inputs
from swis.power.design import TrialDesign, even_strata
from swis.power.pilots import pilot_power
from swis.power.power import minimum_detectable_effect, power_curve, power_from_se, se_from_interval
from swis.report import format as fmt
from swis.report import power_tables
from swis.report.figures.power import ANALYSIS_NAMES, TABLE_NAMES, power_figure

#: Effects of the curves, and numbers of schools of the second curve.
EFFECTS = [0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0]
SCHOOLS = [20, 60, 100, 140, 200, 268, 400]


#: Other assumptions of the sensitivity table: correlations of term effects a term apart, authority SDs.
RHOS = (0.3, 0.6, 0.9)
AUTHORITY_SDS = (0.0, 0.6)
#: Entries that come from null trials' standard errors alone (the sensitivity table, the curves at the ends of
#: the variation's intervals) simulate the page's ``reps`` over this: a standard error's Monte Carlo error is
#: small (shown beside each in the table).
SE_ONLY_SHARE = 4

#: The designs of the detectable-effect table, in order: their keys in glued names.
DESIGN_KEYS = ("planned", "analysed", "upper")


def trial_designs(base: TrialDesign, trial: pd.DataFrame, calibration: pd.DataFrame) -> dict[str, TrialDesign]:
    """The trial as planned (schools, 1:1) and as analysed (schools in each arm), from its publications, each
    randomised within its local authorities (as even strata); and as analysed with the variation at the upper
    ends of its calibration intervals (the plausible worst case)."""
    planned = int(trial.loc["planned_schools", "value"])
    analysed = int(trial.loc["analysed_schools", "value"])
    authorities = int(trial.loc["local_authorities", "value"])
    as_analysed = replace(
        base,
        n_schools=analysed,
        n_treated=int(trial.loc["analysed_intervention", "value"]),
        strata=even_strata(analysed, authorities),
    )
    high = calibration.set_index("parameter")["ci_high"]
    return {
        f"Planned: {planned} schools, 1:1": replace(
            base, n_schools=planned, n_treated=planned // 2, strata=even_strata(planned, authorities)
        ),
        f"Analysed: {analysed} schools, {as_analysed.treated_count} with SWIS": as_analysed,
        "Analysed, variation at its intervals' upper ends": replace(
            as_analysed, sd_school=float(high["sd_school"]), sd_term=float(high["sd_term"])
        ),
    }


def mde_table(designs: dict[str, TrialDesign], reps: int, seed: int) -> pd.DataFrame:
    """Minimum detectable effect and rejection rate with no effect, for each design and analysis.

    No power at the trial's own estimate: power computed at an observed effect adds nothing to its interval
    (Hoenig & Heisey 2001, The American Statistician 55(1), "The abuse of power").
    """
    rows = []
    for key, (name, design) in zip(DESIGN_KEYS, designs.items(), strict=True):
        for analysis in TABLE_NAMES:
            d = replace(design, analysis=analysis)
            rows.append(
                {
                    "key": key,
                    "design": name,
                    "analysis": analysis,
                    "analysis_name": TABLE_NAMES[analysis],
                    **minimum_detectable_effect(d, reps=reps, seed=seed),
                }
            )
    return pd.DataFrame(rows)


def sensitivity_table(design: TrialDesign, mdes: pd.DataFrame, reps: int, seed: int) -> pd.DataFrame:
    """Detectable effects of ``design`` (the analysed trial) under other assumptions: term effects correlated
    from term to term (each of :data:`RHOS`) and other between-authority SDs (:data:`AUTHORITY_SDS`), from the
    standard errors of ``reps`` simulated null trials each; the first rows are the design's own, from ``mdes``."""
    name = f"as above (term correlation {design.rho_term:.1f}, authority SD {design.sd_authority:.1f})"
    own = mdes[mdes["key"] == "analysed"].assign(setting=name, rho_term=design.rho_term)
    rows = [own.assign(sd_authority=design.sd_authority)]
    changes = [{"rho_term": r} for r in RHOS] + [{"sd_authority": v} for v in AUTHORITY_SDS]
    for change in changes:
        d = replace(design, **change)
        ((field, value),) = change.items()
        name = f"term correlation {value:.1f}" if field == "rho_term" else f"authority SD {value:.1f}"
        for analysis in TABLE_NAMES:
            out = minimum_detectable_effect(replace(d, analysis=analysis), reps=reps, seed=seed, check=False)
            rows.append(
                pd.DataFrame(
                    [
                        {
                            "setting": name,
                            "analysis": analysis,
                            "analysis_name": TABLE_NAMES[analysis],
                            "reps": reps,
                            **out,
                        }
                    ]
                ).assign(rho_term=d.rho_term, sd_authority=d.sd_authority)
            )
    return pd.concat(rows, ignore_index=True)


def with_variation_range(
    by_effect: pd.DataFrame, design: TrialDesign, calibration: pd.DataFrame, mdes: pd.DataFrame, reps: int, seed: int
) -> pd.DataFrame:
    """The power curve over the effect, with the power at the lower and upper ends of the variation's bootstrap
    intervals beside it (``power_low_var``, ``power_high_var``): each from the standard error of simulated null
    trials of ``design`` with the variation at that end (:func:`~swis.power.power.power_from_se`); the upper
    end's are the detectable-effect table's ``upper`` rows."""
    low = calibration.set_index("parameter")["ci_low"]
    least = replace(design, sd_school=float(low["sd_school"]), sd_term=float(low["sd_term"]))
    out = []
    for analysis, rows in by_effect.groupby("analysis", sort=False):
        se_low = minimum_detectable_effect(replace(least, analysis=analysis), reps=reps, seed=seed, check=False)
        se_high = mdes.set_index(["key", "analysis"]).loc[("upper", analysis), "se_null"]
        out.append(
            rows.assign(
                power_low_var=power_from_se(rows["effect"], se_low["se_null"], design.alpha),
                power_high_var=power_from_se(rows["effect"], float(se_high), design.alpha),
            )
        )
    return pd.concat(out).loc[by_effect.index]


def comparison_rows(outcome: str, trial: pd.DataFrame) -> pd.DataFrame:
    """The pilots' printed interactions for ``outcome`` beside the trial's estimate, with their sources."""
    pub = load_published()
    rows = []
    for config in authority_configs():
        hit = pub[(pub["authority"] == config.authority) & (pub["outcome"] == outcome) & (pub["kind"] == "interaction")]
        for r in hit.itertuples():
            low_ok = r.irr >= 1e-3  # a printed 1.43E-08 is a separation artefact, not an estimate
            note = "" if low_ok else f" (printed {fmt.printed(r.irr_text)}, an artefact of separation)"
            rows.append(
                {
                    "study": f"Pilot: {config.authority}{note}",
                    "irr": r.irr if low_ok else np.nan,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                    "schools": "",
                    "printed": (r.irr_text, r.ci_low_text, r.ci_high_text),
                    "interval": "clustered, the report's convention",
                    "source": r.source,
                }
            )
    t = trial
    printed = tuple(f"{t.loc[k, 'value']:g}" for k in ("s47_rate_ratio", "s47_ci_low", "s47_ci_high"))
    rows.append(
        {
            "study": "Trial (SWIS against usual services)",
            "irr": t.loc["s47_rate_ratio", "value"],
            "ci_low": t.loc["s47_ci_low", "value"],
            "ci_high": t.loc["s47_ci_high", "value"],
            "printed": printed,
            "schools": f"{int(t.loc['analysed_schools', 'value'])}",
            "interval": "as published",
            "source": t.loc["s47_rate_ratio", "source"],
        }
    )
    return pd.DataFrame(rows)


def effect_of(trial: pd.DataFrame) -> float:
    """The trial's estimated rate ratio."""
    return float(trial.loc["s47_rate_ratio", "value"])


@dataclass
class PlanningPage:
    """Calibration, the trial's designs, power curves, and what the pilots could tell, for one outcome."""

    outcome: str
    phase: str
    label: str
    base: TrialDesign
    calibration: pd.DataFrame
    trial: pd.DataFrame
    mdes: pd.DataFrame
    by_effect: pd.DataFrame
    by_schools: pd.DataFrame
    pilots: pd.DataFrame
    sensitivity: pd.DataFrame

    @classmethod
    def from_parameters(
        cls,
        outcome: str,
        phase: str,
        terms_pre: int,
        terms_post: int,
        reps: int,
        curve_reps: int,
        seed: int,
        sd_authority: float = 0.0,
        rho_term: float = 0.0,
    ) -> PlanningPage:
        """Calibrate on the pilots, then simulate the trial's designs, the curves and the pilots' designs."""
        calibration, fields = design_inputs(outcome, phase, reps=BOOT, seed=seed)
        base = TrialDesign(terms_pre=terms_pre, terms_post=terms_post, rho_term=rho_term, **fields)
        pilots = pilot_power(outcome, base, {"trial": effect_of(load_trial()), "tenth": 0.9}, reps, seed)
        base = replace(base, sd_authority=sd_authority)  # the pilots are one authority each: none for them
        trial = load_trial()
        designs = trial_designs(base, trial, calibration)
        analysed = list(designs.values())[1]
        mdes = mde_table(designs, reps, seed)
        both = tuple(ANALYSIS_NAMES)
        by_effect = power_curve(analysed, EFFECTS, "effect", curve_reps, seed, both)
        by_effect = with_variation_range(by_effect, analysed, calibration, mdes, max(reps // SE_ONLY_SHARE, 2), seed)
        by_schools = power_curve(replace(analysed, effect=0.9), SCHOOLS, "n_schools", curve_reps, seed, both)
        label = next(c.outcomes[outcome].label for c in authority_configs() if outcome in c.outcomes)
        return cls(
            outcome,
            phase,
            label,
            base,
            calibration,
            trial,
            mdes,
            by_effect,
            by_schools,
            pilots,
            sensitivity_table(analysed, mdes, max(reps // SE_ONLY_SHARE, 2), seed),
        )

    @property
    def sensitivity_reps(self) -> int:
        """Simulated null trials behind each entry of the sensitivity table (other than the design's own)."""
        return int(self.sensitivity["reps"].dropna().iloc[0])

    def range_values(self) -> dict:
        """Power of the baseline-adjusted comparison at a 10% lower rate: simulated at the calibrated variation,
        and at the ends of the variation's intervals."""
        row = self.by_effect[(self.by_effect["analysis"] == "crt") & np.isclose(self.by_effect["effect"], 0.9)].iloc[0]
        return {
            "plan_power_tenth": float(row["power"] * 100),
            "plan_power_tenth_low_var": float(row["power_low_var"] * 100),
            "plan_power_tenth_high_var": float(row["power_high_var"] * 100),
        }

    def glue(self) -> None:
        """Glue the chapter's numbers and the power figure."""
        t = self.trial["value"]
        cal = self.calibration.set_index("parameter")["estimate"]
        trial_se = se_from_interval(float(t["s47_ci_low"]), float(t["s47_ci_high"]))
        mde = self.mdes.set_index(["key", "analysis"])
        analysed_crt = mde.loc[("analysed", "crt")]
        rates = authority_rates(self.outcome, self.phase)
        values = {
            "plan_outcome": self.label.lower() if not self.label.startswith("Section") else self.label,
            "plan_terms_pre": self.base.terms_pre,
            "plan_terms_post": self.base.terms_post,
            "plan_rate_per_100": float(cal["baseline_rate"] * 100),
            "plan_sd_school": float(cal["sd_school"]),
            "plan_sd_term": float(cal["sd_term"]),
            "plan_pupils": float(self.base.pupils[0]),
            "plan_n_calibration_schools": int(self.calibration["n_schools"].iloc[0]),
            "trial_planned": int(t["planned_schools"]),
            "trial_analysed": int(t["analysed_schools"]),
            "trial_pct_higher": float((t["s47_rate_ratio"] - 1) * 100),
            "trial_se": trial_se,
            "trial_authorities": int(t["local_authorities"]),
            "plan_se_check": power_tables.se_check_sentence(trial_se, float(analysed_crt["se_null"])),
            "plan_phase": self.phase.lower(),
            "plan_sd_authority": self.base.sd_authority,
            "plan_rho_term": self.base.rho_term,
            "plan_rhos": fmt.join_words([f"{r:.1f}" for r in RHOS]),
            "plan_sd_authorities": fmt.join_words([f"{v:.1f}" for v in AUTHORITY_SDS]),
            "plan_sensitivity_reps": self.sensitivity_reps,
            **self.range_values(),
            "plan_authority_ratio": float(rates.max() / rates.min()),
            "plan_strata_sentence": power_tables.strata_sentence(
                float((1 - mde.loc[("analysed", "crt"), "mde"]) * 100),
                float((1 - mde.loc[("analysed", "crt_strata"), "mde"]) * 100),
            ),
            "plan_pupils_mean": float(self.base.pupils[0] * np.exp(self.base.pupils[1] ** 2 / 2)),
            "trial_interval": power_tables.interval_sentence(
                float(t["s47_rate_ratio"]), float(t["s47_ci_low"]), float(t["s47_ci_high"])
            ),
        }
        for r in self.mdes.itertuples():
            values[f"plan_mde_pct_{r.analysis}_{r.key}"] = float((1 - r.mde) * 100)
            values[f"plan_null_pct_{r.analysis}_{r.key}"] = float(r.null_rejection * 100)
            values[f"plan_se_{r.analysis}_{r.key}"] = float(r.se_null)
        for r in self.calibration.itertuples():
            values[f"plan_{r.parameter}_high"] = float(r.ci_high)
            top = max(r.weights, key=r.weights.get)
            values[f"plan_{r.parameter}_top"] = top
            values[f"plan_{r.parameter}_top_pct"] = float(r.weights[top] * 100)
        values["plan_pilot_sizes"] = power_tables.sizes_sentence(self.pilots)
        values["plan_pilot_errors"] = power_tables.errors_sentence(self.pilots, "tenth")
        glue_values(values)
        glue_figure("fig_power", power_figure(self.by_effect, self.by_schools, self.label))

    def calibration_table(self):
        """The calibrated parameters."""
        return myst_table(
            power_tables.calibration_display(self.calibration),
            f"{self.label}: rates and variation estimated from the pilots' terms before the pilot",
            registry.label("power_calibration"),
            index=False,
        )

    def mde_table(self):
        """Minimum detectable effects of the trial's designs."""
        return myst_table(
            power_tables.mde_display(self.mdes),
            f"{self.label}: what the trial could detect, by design and analysis (simulated)",
            registry.label("power_mde"),
            index=False,
        )

    def sensitivity_table(self):
        """Detectable effects of the analysed design under other assumptions."""
        return myst_table(
            power_tables.sensitivity_display(self.sensitivity),
            f"{self.label}: the fall the analysed design detects with 80% power under other assumptions (simulated)",
            registry.label("power_sensitivity"),
            index=False,
        )

    def pilots_table(self):
        """What each pilot's design could tell."""
        names = {"trial": "Trial's estimate", "tenth": "10% lower"}
        return myst_table(
            power_tables.pilots_display(self.pilots, names),
            f"{self.label}: what each pilot's own design could tell (simulated, analysed as the report did)",
            registry.label("power_pilots"),
            index=False,
        )

    def comparison_table(self):
        """The pilots' estimates beside the trial's."""
        rows = comparison_rows(self.outcome, self.trial)
        sizes = {f"Pilot: {r.authority}": f"{r.n_schools} ({r.n_treated} pilot)" for r in self.pilots.itertuples()}
        rows["schools"] = [
            sizes.get(s.split(" (")[0], s2) for s, s2 in zip(rows["study"], rows["schools"], strict=True)
        ]
        return myst_table(
            power_tables.comparison_display(rows),
            f"{self.label}: the pilots' estimates and the trial's",
            registry.label("power_comparison"),
            index=False,
        )
