"""The synthesis page (``notebooks/synthesis.ipynb``): the pilots side by side.

Reads the estimates the authority runs wrote, so a re-run of one authority
with new data updates this page too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from swis import paths
from swis.book import registry
from swis.book.myst import download_links, glue_figure, glue_values, myst_table, write_csvs
from swis.config import authority_entries, load_config, outcome_labels, short_name
from swis.data.published import load_data_collected, load_pilots, load_published
from swis.estimation.costs import DISCOUNT_RATE, LIFE_YEARS, TERM_MONTHS, cost_table
from swis.estimation.design import INTERACTION
from swis.report import claims, context_tables, tables
from swis.report import format as fmt
from swis.report.figures.forest import forest_figure
from swis.report.sensitivity import synthesis_sentence

#: How a model of data added to the book (not one of the report's pilots) is marked in Part One.
ADDED = "added data, not a pilot"
#: Columns of the authority runs' estimates carried to the synthesis: t(G-1), randomization, bootstrap.
DESIGN_COLUMNS = (
    "t_ci_low",
    "t_ci_high",
    "t_p_value",
    "t_df",
    "ri_p_value",
    "ri_min_p",
    "boot_ci_low",
    "boot_ci_high",
    "boot_p_value",
)


def _model_rows(entry, path: Path) -> list[dict]:
    """The interaction rows of one estimates file, labelled for the forest plot."""
    outcomes = load_config(paths.resolve(entry.config)).outcomes
    t = pd.read_csv(path)
    rows = []
    for r in t[t["coefficient"].astype(str).str.startswith(INTERACTION)].itertuples():
        notes = [r.coefficient.removeprefix(INTERACTION).strip(": ")] + ([] if entry.pilot else [ADDED])
        note = "; ".join(n for n in notes if n)
        rows.append(
            {
                "authority": entry.name,
                "outcome": r.outcome,
                "pilot": entry.pilot,
                "label": f"{entry.name}: {outcomes[r.outcome].label}" + (f" ({note})" if note else ""),
                "irr": r.irr,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "p_value": r.p_value,
                "n_clusters": getattr(r, "n_clusters", float("nan")),
                "estimable": bool(r.estimable),
                # the design-respecting results, where the authority run computed them (NaN otherwise)
                **{c: getattr(r, c, float("nan")) for c in DESIGN_COLUMNS},
            }
        )
    return rows


def printed_interactions() -> dict[tuple[str, str], str]:
    """The report's printed intervention-by-time IRR and 95% CI of each model, as printed (e.g. ``0.89 [0.07,
    11.04]``), by (authority, outcome)."""
    pub = load_published()
    pub = pub[pub["kind"] == "interaction"]
    return {
        (
            r.authority,
            r.outcome,
        ): f"{fmt.printed(r.irr_text)} [{fmt.printed(r.ci_low_text)}, {fmt.printed(r.ci_high_text)}]"
        for r in pub.itertuples()
    }


def interaction_estimates(results_dir: str | Path) -> pd.DataFrame:
    """The intervention-by-time IRR of every model, read from the authority runs' CSVs.

    Models of authorities added to the book (``data/book.yml`` entries with their own panel) are marked
    as added data, not pilots, in their label and the ``pilot`` column.

    Returns
    -------
    DataFrame
        ``authority, outcome, pilot, label, irr, ci_low, ci_high, p_value, n_clusters, estimable`` and the
        :data:`DESIGN_COLUMNS`, one row per model, in the book's order of authorities.

    Raises
    ------
    FileNotFoundError
        No authority run has written its estimates under ``results_dir``.
    """
    folder = paths.resolve(results_dir)
    rows = []
    for entry in authority_entries():
        for path in sorted((folder / entry.slug).glob("estimates_*.csv")):
            rows += _model_rows(entry, path)
    if not rows:
        raise FileNotFoundError(f"no estimates_*.csv under {paths.relative(folder)}: run the authority notebooks first")
    return pd.DataFrame(rows)


def cost_values(costs: pd.DataFrame) -> dict[str, object]:
    """Glue values of the costs: each authority's components and total, the range, and the method."""
    values: dict[str, object] = {}
    for r in costs.itertuples():
        slug = r.authority.lower()
        values.update(
            {
                f"cost_staff_{slug}": float(r.staffing),
                f"cost_ancillary_{slug}": float(r.ancillary),
                f"cost_total_{slug}": float(r.total),
            }
        )
    values.update({"life_years": LIFE_YEARS, "discount_pct": DISCOUNT_RATE * 100, "term_months": TERM_MONTHS})
    values.update(
        {
            # whole pounds as the report quotes the range (it drops the pence: £84,387.91 is "£84,387")
            "cost_min": int(costs["total"].min()),
            "cost_max": int(costs["total"].max()),
            "n_costs_reproduced": int(costs["total_reproduced"].sum()),
            "n_costs": len(costs),
        }
    )
    return values


@dataclass
class SynthesisPage:
    """Everything the synthesis page shows."""

    results_dir: str
    costs: pd.DataFrame
    estimates: pd.DataFrame
    collected: pd.DataFrame

    @classmethod
    def from_parameters(cls, results_dir: str) -> SynthesisPage:
        """Read the costs, the authority runs' estimates and the data collected."""
        return cls(results_dir, cost_table(), interaction_estimates(results_dir), load_data_collected())

    @cached_property
    def claims(self) -> pd.DataFrame:
        """The report's claims of a significant effect, each under every test (:func:`claims.assess_claims`)."""
        return claims.assess_claims(claims.report_claims(load_published()), self.estimates)

    def glue_claims(self) -> None:
        """Glue the sentences on the report's claims: a summary, a conclusion and one per claim."""
        assessed, labels = self.claims, outcome_labels(in_text=True)
        values = {
            "claims_summary": claims.claims_summary(assessed, labels),
            "claims_conclusion": claims.claims_conclusion(assessed),
            "n_claims": len(assessed),
            "n_claims_hold": int(assessed["holds"].sum()) if len(assessed) else 0,
        }
        for _, r in assessed.iterrows():
            key = f"claim_{r['authority'].lower()}_{short_name(r['outcome'])}"
            values[key] = claims.claim_sentence(r, labels[(r["authority"], r["outcome"])])
        glue_values(values)

    def claims_table(self):
        """Which of the report's claims hold, under which test."""
        return myst_table(
            claims.claims_display(self.claims, outcome_labels(in_text=True)),
            "The results the report calls statistically significant, and whether each holds under the report's "
            "convention and under the three tests that respect the number of schools",
            registry.label("claims"),
            index=False,
        )

    def sensitivity_sentence(self) -> str:
        """Which results keep their direction under every sensitivity check (from the sensitivity chapter's run)."""
        path = paths.resolve(self.results_dir) / "sensitivity" / "sensitivity_survivors.csv"
        if not path.exists():
            return "The sensitivity checks have not been run for this build."
        return synthesis_sentence(pd.read_csv(path), outcome_labels(in_text=True))

    def glue(self) -> None:
        """Glue the costs, the counts, the forest plot and the sentences on the report's claims and robustness."""
        self.glue_claims()
        glue_values({"sensitivity_summary": self.sensitivity_sentence()})
        glue_values(cost_values(self.costs))
        glue_figure("fig_forest", forest_figure(self.estimates))
        mismatch = self.collected["computed_total"] != self.collected["printed_total"]
        glue_values({"n_models": len(self.estimates), "n_collected_total_mismatch": int(mismatch.sum())})
        # the report's printed interaction estimates, for the prose to quote beside the re-estimates
        glue_values(
            {f"printed_{a.lower()}_{short_name(o)}_int": text for (a, o), text in printed_interactions().items()}
        )

    def pilots_table(self):
        """Part One, Table 1."""
        return myst_table(
            context_tables.pilots_display(load_pilots()),
            "Summary of pilots (final report, Part One, Table 1; SEMH is spelt out as social, emotional and mental "
            "health, where the report prints specialist education and mental health: see the ledger, entry SOU-4)",
            registry.label("pilots"),
            index=False,
        )

    def data_collected_table(self):
        """Part One, Table 2, with the total computed."""
        return myst_table(
            context_tables.data_collected_display(self.collected),
            "Data collected in Phase 3 (final report, Part One, Table 2); a dash where the report gives none",
            registry.label("data_collected"),
            index=False,
        )

    def forest_table(self):
        """The forest plot's numbers, with the report's printed estimate beside each re-estimate."""
        return myst_table(
            tables.forest_table(self.estimates, printed_interactions()),
            "The numbers behind the forest plot, beside the report's printed estimates (which this book re-estimates "
            "from the report's own school-by-term tables; the audit explains where they differ)",
            registry.label("forest_table"),
            index=False,
        )

    def costs_table(self):
        """Part One, Table 3."""
        return myst_table(
            context_tables.cost_display(self.costs),
            "Total costs of social workers in schools over an autumn term (£, 2019; final report, Part One, Table 3)",
            registry.label("costs"),
        )

    def downloads(self):
        """Write the page's tables as CSV and link them."""
        frames = {
            "pilots": context_tables.pilots_display(load_pilots()),
            "data_collected": context_tables.data_collected_display(self.collected),
            "interaction_estimates": self.estimates,
            "costs": self.costs,
        }
        return download_links(write_csvs(frames, f"{self.results_dir}/synthesis"))
