"""The matching page (``notebooks/matching.ipynb``): the choice of comparison schools, on SYNTHETIC data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from swis import paths
from swis.book import registry
from swis.book.myst import download_links, figure_directive, glue_figure, glue_values, myst_table, write_csvs
from swis.config import Config, load_config
from swis.data.admin import load_admin
from swis.data.panel import load_panel
from swis.data.synthetic import synthetic_authority
from swis.estimation.did import estimate_panel
from swis.io import atomic_csv
from swis.matching import (
    MatchSettings,
    compare_readings,
    match,
    matched_panel,
    school_rates,
    shortfall,
    year_group_details,
)
from swis.report import matching_tables, tables
from swis.report.figures.matching import matching_trend_figure

LABEL = "SYNTHETIC data"


def matching_values(
    admin: pd.DataFrame, pairs: pd.DataFrame, panel: pd.DataFrame, settings: MatchSettings
) -> dict[str, object]:
    """Glue values of the matching page: sizes, counts of decisions, and the first selected match."""
    schools = admin.drop_duplicates("school")
    selected = pairs[pairs["selected"]]
    first = selected.iloc[0]
    uses = selected.groupby(["outcome", "candidate"]).size()
    twins = selected[selected["candidate"].str.replace("_TWIN", "_INT") == selected["intervention_school"]]
    return {
        "match_per_school": settings.per_school,
        "match_alpha": settings.alpha,
        "match_n_schools": int(len(schools)),
        "match_n_intervention": int((schools["group"] == "intervention").sum()),
        "match_n_candidates": int((schools["group"] == "candidate").sum()),
        "match_n_rows": int(len(admin)),
        "match_n_pairs": int(len(pairs)),
        "match_n_comparable": int((pairs["status"] != "not comparable").sum()),
        "match_n_targets": int(pairs[["outcome", "intervention_school"]].drop_duplicates().shape[0]),
        "match_n_tested": int(pairs["tested"].sum()),
        "match_n_rejected": int((pairs["status"] == "rejected").sum()),
        "match_n_selected": int(len(selected)),
        "match_n_distinct": int(selected.groupby("outcome")["candidate"].nunique().sum()),
        "match_n_shared": int((uses > 1).sum()),
        "match_n_missing": int(shortfall(pairs, settings.per_school)["missing"].sum()),
        "match_n_twins_found": int(len(twins)),
        "match_n_panel_schools": int(panel[["outcome", "school"]].drop_duplicates().shape[0]),
        "match_first_school": str(first["intervention_school"]),
        "match_first_candidate": str(first["candidate"]),
        "match_first_outcome": str(first["outcome"]),
        "match_first_score": float(first["score_period2"]),
        "match_first_p": float(first["p_value"]),
    }


@dataclass
class MatchingPage:
    """The matching run on a SYNTHETIC authority, and all its intermediates."""

    config: Config
    seed: int
    settings: MatchSettings
    out_dir: Path
    admin: pd.DataFrame
    pairs: pd.DataFrame
    details: pd.DataFrame
    panel: pd.DataFrame
    panel_path: Path
    did_outcome: str = ""

    @classmethod
    def from_parameters(
        cls, authority: str, seed: int, per_school: int, n_candidates: int, output_dir: str, did_outcome: str = ""
    ) -> MatchingPage:
        """Generate the synthetic authority, check it as a researcher's file is checked, and match it.

        ``did_outcome`` is the outcome whose matched panel is passed to the
        estimator (empty: the config's first outcome).
        """
        if not authority:
            raise ValueError("the parameter 'authority' is required (the authority whose config gives the terms)")
        config = load_config(paths.config_path(authority))
        settings = MatchSettings(per_school=per_school)
        out_dir = paths.resolve(output_dir)
        # the synthetic file goes through the same checks as a researcher's own file
        admin_path = atomic_csv(
            synthetic_authority(config, seed, n_candidates), out_dir / f"synthetic_admin_{authority.lower()}.csv"
        )
        admin = load_admin(admin_path, config)
        pairs = match(admin, config, settings)
        panel = matched_panel(admin, pairs, config)
        panel_path = atomic_csv(panel, out_dir / f"synthetic_matched_panel_{authority.lower()}.csv")
        return cls(
            config,
            seed,
            settings,
            out_dir,
            admin,
            pairs,
            year_group_details(admin, pairs, config, settings),
            panel,
            panel_path,
            did_outcome or next(iter(config.outcomes)),
        )

    @property
    def labels(self) -> dict[str, str]:
        """Each outcome's label, for the tables (never its key)."""
        return {key: spec.label for key, spec in self.config.outcomes.items()}

    @property
    def first(self) -> pd.Series:
        """The first selected match, opened up in the details table."""
        return self.pairs[self.pairs["selected"]].iloc[0]

    def glue(self) -> None:
        """Glue the page's values and one parallel-trend figure per outcome."""
        glue_values(
            {
                "match_authority": self.config.authority,
                "match_seed": self.seed,
                **matching_values(self.admin, self.pairs, self.panel, self.settings),
            }
        )
        for outcome in self.config.outcomes:
            rate = school_rates(self.admin, self.config, outcome)
            glue_figure(f"fig_match_{outcome}", matching_trend_figure(rate, self.pairs, self.config, outcome, LABEL))

    def score_table(self):
        """The three best-scoring candidates of each intervention school and outcome."""
        return myst_table(
            tables.grouped_rows(matching_tables.score_display(self.pairs, top=3, labels=self.labels), "Outcome"),
            f"{LABEL}: the three best-scoring candidates of each intervention school and outcome",
            registry.label("match_scores"),
            index=False,
            scroll=f"{LABEL}: best-scoring candidates (scrolls sideways)",
        )

    def tests_table(self):
        """Every U-tested candidate and the decision."""
        return myst_table(
            tables.grouped_rows(matching_tables.tests_display(self.pairs, labels=self.labels), "Outcome"),
            f"{LABEL}: every candidate tested with the Mann-Whitney U test, and the decision",
            registry.label("match_tests"),
            index=False,
            scroll=f"{LABEL}: candidates tested (scrolls sideways)",
            classes="swis-prose-last",
        )

    def selection_table(self):
        """The comparators selected."""
        return myst_table(
            tables.grouped_rows(matching_tables.selection_display(self.pairs, labels=self.labels), "Outcome"),
            f"{LABEL}: comparators selected for each intervention school and outcome",
            registry.label("match_selected"),
            index=False,
            scroll=f"{LABEL}: comparators selected (scrolls sideways)",
        )

    def details_table(self):
        """The year-group intermediates of the first selected match."""
        first = self.first
        frame = matching_tables.match_details_display(
            self.details, first["outcome"], first["intervention_school"], first["candidate"]
        )
        return myst_table(
            frame,
            f"{LABEL}: trends, standardised gaps and ranks by year group for one selected match",
            registry.label("match_details"),
            index=False,
        )

    def trend_figures(self):
        """The numbered parallel-trend figures, one per outcome."""
        from IPython.display import Markdown

        return Markdown("\n\n".join(self._trend_directive(o) for o in self.config.outcomes))

    def _trend_directive(self, outcome: str) -> str:
        spec = self.config.outcomes[outcome]
        alt = (
            f"{LABEL}. Line charts of {spec.in_text} {spec.unit} by term, one panel per intervention school: the "
            "school as a solid line, its chosen comparators dashed, the middle 80% of comparable candidates as a "
            "grey band."
        )
        caption = (
            f"{LABEL}: {spec.in_text} {spec.unit} by term, year groups summed. Each intervention school "
            "(solid) with the comparators chosen for it (dashed); the grey band spans the middle 80% of the "
            "candidates that could be scored against it, bold terms were used for matching and the shaded "
            "term is the intervention term. Not the pilots' data."
        )
        return figure_directive(f"fig_match_{outcome}", registry.label("match_trends", outcome=outcome), alt, caption)

    def readings_table(self):
        """The comparators chosen under each reading of the report."""
        frame = matching_tables.readings_display(compare_readings(self.admin, self.config, self.settings))
        return myst_table(
            frame,
            f"{LABEL}: comparators chosen under each reading of the report",
            registry.label("match_readings"),
            index=False,
        )

    def did_table(self):
        """The difference-in-differences model on the matched synthetic panel (one outcome)."""
        panel = load_panel(self.panel_path, self.config, corrections=False)
        outcome = self.did_outcome
        caption = (
            f"{LABEL}: difference-in-differences on the matched synthetic panel ({self.config.outcomes[outcome].label})"
        )
        return myst_table(
            tables.regression_table(estimate_panel(panel, outcome)), caption, registry.label("match_did"), index=False
        )

    def downloads(self):
        """Write the synthetic pairs, year-group details and matched panel as CSV and link them."""
        slug = self.config.authority.lower()
        frames = {
            f"synthetic_matching_pairs_{slug}": self.pairs,
            f"synthetic_matching_year_groups_{slug}": self.details,
            f"synthetic_matched_panel_{slug}": self.panel,
        }
        return download_links(write_csvs(frames, self.out_dir))
