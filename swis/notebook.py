"""What the authority and synthesis notebooks show, one call per cell.

The notebooks hold no logic: they build an :class:`AuthorityRun` from their
parameters and ask it for each table, figure and glue value in turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from swis import paths
from swis.audit import audit_outcome, load_published
from swis.book import myst_table, outcome_values
from swis.config import load_config
from swis.data import load_panel
from swis.did import estimate_panel
from swis.io import atomic_csv
from swis.privacy import resolve_threshold
from swis.tables import audit_display, regression_table, school_term_table

SHORT = {"s17": "s17", "s47": "s47", "days_in_care": "dic"}


def resolve(path: str | Path) -> Path:
    """A path as given, or relative to the repository root."""
    path = Path(path)
    return path if path.is_absolute() else paths.ROOT / path


@dataclass
class AuthorityRun:
    """One authority's analysis, as the notebook's parameters define it."""

    panel: object
    code: str
    output_dir: Path
    suppress_below: int
    overrides: dict
    results: dict = field(default_factory=dict)

    # -- construction -----------------------------------------------------
    @classmethod
    def from_parameters(cls, authority: str, panel_path: str, config_path: str, reference_term: str = "",
                        intervention_terms: list | None = None, options: dict | None = None) -> "AuthorityRun":
        """Load and check the panel, then estimate every outcome.

        ``options`` may hold ``outcomes`` (list), ``output_dir``,
        ``suppress_below`` (-1 automatic) and ``correction``.
        """
        options = options or {}
        config = load_config(resolve(config_path))
        if config.authority != authority:
            raise ValueError(f"config {config_path} is for {config.authority}, not {authority}")
        panel = load_panel(resolve(panel_path), config)
        overrides = {"correction": options.get("correction", "stata")}
        if reference_term:
            overrides["reference_term"] = reference_term
        if intervention_terms:
            overrides["post_terms"] = tuple(intervention_terms)
        run = cls(panel, config.code.lower(), resolve(options.get("output_dir", paths.RESULTS / authority.lower())),
                  resolve_threshold(resolve(panel_path), int(options.get("suppress_below", -1))), overrides)
        wanted = options.get("outcomes") or panel.outcomes
        for outcome in wanted:
            run.results[outcome] = estimate_panel(panel, outcome, **overrides)
        return run

    @property
    def config(self):
        return self.panel.config

    def label(self, outcome: str, kind: str) -> str:
        """Name of a numbered table or figure, e.g. ``tbl-sou-s17-panel``."""
        return f"{kind}-{self.code}-{SHORT.get(outcome, outcome)}"

    # -- tables -------------------------------------------------------------
    def data_collected_table(self):
        """Part Two Table 1 of the authority: data collected in Phase 3."""
        path = paths.CONTEXT / f"data_collected_{self.config.authority.lower()}.csv"
        if not path.exists():
            return myst_table(pd.DataFrame({"": ["No data-collection table for this authority."]}),
                              "Data collected", f"tbl-{self.code}-data-collected", index=False)
        frame = pd.read_csv(path)[["data_collection", "number"]]
        frame.columns = ["Data collection", "Number"]
        return myst_table(frame, f"{self.config.authority}: data collected in Phase 3 "
                          "(final report, Part Two, Table 1)", f"tbl-{self.code}-data-collected", index=False)

    def configuration_table(self):
        """How the pilot was configured across schools (from ``data/context``)."""
        path = paths.CONTEXT / f"{self.config.authority.lower()}_configuration.csv"
        if not path.exists():
            frame = pd.DataFrame({"": ["No configuration table for this authority."]})
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            frame = frame.drop(columns=[c for c in ("source",) if c in frame.columns])
            frame.columns = [c.replace("_", " ").capitalize() for c in frame.columns]
        return myst_table(frame, f"{self.config.authority}: configuration of the pilot across schools",
                          f"tbl-{self.code}-configuration", index=False)

    def panel_table(self, outcome: str):
        """The school-by-term table of one outcome."""
        spec = self.config.outcomes[outcome]
        caption = (f"{self.config.authority}: {spec.in_text} by term and school "
                   f"(number, pupils, average count {spec.unit})")
        return myst_table(school_term_table(self.panel, outcome, self.suppress_below), caption,
                          self.label(outcome, "tbl") + "-panel")

    def regression_table(self, outcome: str):
        """The regression estimates of one outcome."""
        res = self.results[outcome]
        caption = (f"{self.config.authority}: regression estimates of change over time in "
                   f"{self.config.outcomes[outcome].in_text} ({res.table['se_type'].iloc[0]})")
        return myst_table(regression_table(res), caption, self.label(outcome, "tbl") + "-regression",
                          index=False)

    def audit(self, outcome: str) -> tuple[pd.DataFrame, dict]:
        """Row-by-row comparison with the published table, and the verdict."""
        return audit_outcome(self.panel, outcome, load_published(), **self.overrides)

    def audit_table(self, outcome: str):
        """The published table next to ours."""
        rows, verdict = self.audit(outcome)
        if rows.empty:
            frame = pd.DataFrame({"": ["The report publishes no table for this outcome."]})
        else:
            frame = audit_display(rows)
        caption = f"{self.config.authority}: published and reproduced estimates, {self.config.outcomes[outcome].in_text}"
        return myst_table(frame, caption, self.label(outcome, "tbl") + "-audit", index=False)

    def values(self, outcome: str) -> dict:
        """Glue values of one outcome (see :func:`swis.book.outcome_values`), plus the reading."""
        res = self.results[outcome]
        values = outcome_values(res)
        values[f"{outcome}_reading"] = reading(res, self.config.outcomes[outcome].label)
        rows, verdict = self.audit(outcome)
        values[f"{outcome}_verdict"] = verdict["verdict"] if not rows.empty else "no published table to compare"
        return values

    def write_results(self, outcome: str) -> dict[str, Path]:
        """Write the estimates, the panel table and the audit as CSV; return their paths."""
        out = self.output_dir
        files = {"estimates": out / f"estimates_{outcome}.csv", "audit": out / f"audit_{outcome}.csv",
                 "panel": out / f"panel_{outcome}.csv"}
        atomic_csv(self.results[outcome].table, files["estimates"])
        atomic_csv(self.audit(outcome)[0], files["audit"])
        table = school_term_table(self.panel, outcome, self.suppress_below)
        table.columns = [" ".join(c).strip() for c in table.columns]
        atomic_csv(table.reset_index(), files["panel"])
        return files

    def downloads(self, outcome: str):
        """Markdown links to the CSV files of one outcome (when they lie in the book)."""
        from IPython.display import Markdown

        links = []
        for name, path in self.write_results(outcome).items():
            book_dir = next((p for p in path.resolve().parents if p.parent == paths.BOOK.resolve()), None)
            if book_dir is None:  # written outside the book: nothing to link
                continue
            rel = path.resolve().relative_to(book_dir)
            links.append(f"{{download}}`{name} ({path.name}) <{rel.as_posix()}>`")
        return Markdown("Download: " + " · ".join(links) if links else "Results written to " + str(self.output_dir))

    def costs_table(self):
        """This authority's column of Table 3."""
        from swis.costs import cost_display, cost_table

        costs = cost_table()
        frame = cost_display(costs[costs["authority"] == self.config.authority])
        return myst_table(frame, f"{self.config.authority}: total cost over the autumn term (£, 2019)",
                          f"tbl-{self.code}-costs")


def _pct(irr: float) -> str:
    return f"{abs(irr - 1) * 100:.0f}%"


def reading(result, label: str) -> str:
    """A plain-language reading of one model, every number from the estimates.

    Examples
    --------
    The Stockport Section 17 model reads, in part: "In the control schools
    the rate fell by 25% ...".
    """
    t = result.table.set_index("coefficient")
    ref, post = result.spec.reference_term, result.spec.post_terms[0]
    time = t.loc[post]
    inter = t[t["kind"] == "interaction"].iloc[0]
    comb = t[t["kind"] == "combined"].iloc[0]
    word = lambda irr: "fell" if irr < 1 else "rose"  # noqa: E731
    text = (f"Between {ref} and {post}, the rate of {label} in the control schools {word(time['irr'])} "
            f"by {_pct(time['irr'])} (IRR {time['irr']:.2f}, 95% CI {time['ci_low']:.2f} to {time['ci_high']:.2f}). ")
    if not inter["estimable"]:
        return text + ("The intervention-by-time interaction cannot be estimated: "
                       f"{inter['note'].removeprefix('not estimable: ')}. The data cannot say how much larger "
                       "the change was in the intervention schools, only that their count fell to zero.")
    sig = "statistically significant" if inter["p_value"] < 0.05 else "not statistically significant"
    return text + (
        f"Relative to that change, the intervention schools' rate was multiplied by {inter['irr']:.2f} "
        f"(95% CI {inter['ci_low']:.2f} to {inter['ci_high']:.2f}, p = {inter['p_value']:.3f}), a difference that is "
        f"{sig} at the 5% level. Combining the two, the rate in the intervention schools {word(comb['irr'])} by "
        f"{_pct(comb['irr'])} (IRR {comb['irr']:.2f}, 95% CI {comb['ci_low']:.2f} to {comb['ci_high']:.2f}).")


def glue_outcome(run: AuthorityRun, outcome: str) -> None:
    """Glue one outcome's values and its two figures (trend, difference in differences)."""
    import matplotlib.pyplot as plt
    from myst_nb import glue

    from swis.book import glue_values
    from swis.figures import did_figure, trend_figure

    glue_values(run.values(outcome))
    trend = trend_figure(run.panel, outcome, run.suppress_below)
    glue(f"{outcome}_trend", trend, display=False)
    did = did_figure(run.results[outcome], run.config, outcome)
    glue(f"{outcome}_did", did, display=False)
    plt.close("all")
