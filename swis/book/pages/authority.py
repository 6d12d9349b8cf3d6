"""The authority page (``notebooks/authority.ipynb``): data, estimates, figures and audit of one authority.

The notebook builds an :class:`AuthorityPage` from its parameters and asks
it for each table, figure and glued value in turn, one call per cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from swis import paths
from swis.audit.compare import audit_outcome
from swis.book import registry
from swis.book.myst import download_links, glue_figure, glue_values, myst_table
from swis.config import load_config
from swis.data.disclosure import is_published, panel_suppression_note, resolve_threshold
from swis.data.panel import Panel, load_panel
from swis.data.published import context_table, load_published
from swis.estimation.costs import cost_table
from swis.estimation.did import DidResult, estimate_panel, fitted_group_rates
from swis.estimation.event_study import event_study
from swis.estimation.observed import observed_rates
from swis.io import atomic_csv
from swis.report import context_tables, tables
from swis.report.captions import did_caption, did_note
from swis.report.figures.authority import did_figure, trend_figure
from swis.report.inference import event_study_table, inference_table, pretrend_sentence
from swis.report.readings import outcome_values, reading


@dataclass
class AuthorityPage:
    """One authority's analysis, as the notebook's parameters define it.

    Attributes
    ----------
    panel : Panel
        The checked panel.
    output_dir : Path
        Where the results CSVs are written.
    suppress_below : int
        Small-count threshold of published tables and figures (0: none).
    overrides : dict
        Options of :class:`swis.estimation.did.DidSpec` from the parameters.
    results : dict
        Outcome -> :class:`swis.estimation.did.DidResult` (with randomization and bootstrap columns).
    event_studies : dict
        Outcome -> :class:`swis.estimation.event_study.EventStudy`.
    """

    panel: Panel
    output_dir: Path
    suppress_below: int
    overrides: dict
    results: dict[str, DidResult] = field(default_factory=dict)
    event_studies: dict = field(default_factory=dict)
    _audits: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_parameters(
        cls,
        authority: str,
        panel_path: str,
        config_path: str = "",
        reference_term: str = "",
        intervention_terms: list | None = None,
        **options,
    ) -> AuthorityPage:
        """Load and check the panel, then estimate every outcome.

        ``options`` may hold ``outcomes`` (list; empty: every outcome of the
        panel), ``output_dir`` (empty: ``results/<authority>``),
        ``suppress_below`` (-1 automatic) and ``correction``.
        """
        if not authority:
            raise ValueError("the parameter 'authority' is required (the authority's name, as in its config)")
        config = load_config(paths.resolve(config_path) if config_path else paths.config_path(authority))
        if config.authority != authority:
            raise ValueError(f"config {config_path} is for {config.authority}, not {authority}")
        panel = load_panel(paths.resolve(panel_path), config)
        overrides = {"correction": options.get("correction") or "stata"}
        if reference_term:
            overrides["reference_term"] = reference_term
        if intervention_terms:
            overrides["post_terms"] = tuple(intervention_terms)
        output_dir = paths.resolve(options.get("output_dir") or paths.RESULTS / authority.lower())
        threshold = resolve_threshold(panel, int(options.get("suppress_below", -1)))
        page = cls(panel, output_dir, threshold, overrides)
        for outcome in options.get("outcomes") or panel.outcomes:
            # every kind of inference computed once per model, and reused by the table, the reading and the files
            page.results[outcome] = estimate_panel(panel, outcome, randomization=True, bootstrap=True, **overrides)
            page.event_studies[outcome] = event_study(
                panel.outcome(outcome), page.results[outcome].spec, list(panel.config.terms)
            )
        return page

    @property
    def config(self):
        """The authority's config."""
        return self.panel.config

    def label(self, key: str, outcome: str = "") -> str:
        """The registered label of one of this page's tables or figures, e.g. ``tbl-sou-s17-panel``."""
        return registry.label(key, self.config.code, outcome)

    def _in_text(self, outcome: str) -> str:
        return self.config.outcomes[outcome].in_text

    def audit(self, outcome: str):
        """Row-by-row comparison with the published table, and the verdict (computed once)."""
        if outcome not in self._audits:
            self._audits[outcome] = audit_outcome(self.panel, outcome, load_published(), **self.overrides)
        return self._audits[outcome]

    def data_source(self) -> str:
        """Where the page's rows come from: ``report`` (exactly the rows the report printed), ``synthetic`` (the
        worked example's made-up rows) or ``local`` (anyone else's rows: an added authority, another panel)."""
        if "source" in self.panel.data and self.panel.data["source"].astype(str).str.contains("SYNTHETIC").any():
            return "synthetic"
        return "report" if is_published(self.panel) else "local"

    def opening(self):
        """The page's opening: what every table, figure and number is computed from, and where the method is.

        Examples
        --------
        >>> from swis.config import load_config
        >>> config = load_config(paths.config_path("Stockport"))
        >>> page = AuthorityPage(load_panel(paths.PANEL, config), paths.RESULTS, 0, {})
        >>> page.data_source(), "the school-by-term tables the report printed" in page.opening().data
        ('report', True)
        """
        from IPython.display import Markdown

        method = "The method is described in {ref}`sec-methods-did`"
        kind = self.data_source()
        if kind == "report":
            return Markdown(
                "Every table, figure and number below is computed by the `swis` package from the school-by-term "
                "tables the report printed (in `data/`), with the documented corrections, and the authority's "
                f"configuration. {method}, and the re-analysis is audited, table by table, in "
                "{ref}`sec-reproducibility`."
            )
        rows = (
            "a SYNTHETIC panel made for the worked example"
            if kind == "synthetic"
            else f"{self.config.authority}'s own panel: local data added to this book, not a table of the report"
        )
        n = self.suppress_below
        hidden = (
            f'Counts from 1 to {n - 1} are shown as "<{n}" in the tables, the downloads and the figures.'
            if n > 1
            else "No count is hidden."
        )
        return Markdown(
            f"Every table, figure and number below is computed by the `swis` package from {rows} "
            f"(`{_shown(self.panel.file)}`), and the authority's configuration (`{_shown(self.config.path)}`). "
            f"{hidden} {method}."
        )

    def banner(self):
        """What kind of data the page shows: nothing for the report's pilots (``None``: the cell shows nothing),
        a note for data added to the book, a warning for SYNTHETIC data."""
        from IPython.display import Markdown

        from swis.config import authority_entries, example_entry

        entries = [*authority_entries(), *([e] if (e := example_entry()) else [])]
        mine = next((e for e in entries if e.name == self.config.authority), None)
        if mine is not None and mine.pilot:
            return None
        synthetic = (
            "source" in self.panel.data and self.panel.data["source"].astype(str).str.contains("SYNTHETIC").any()
        )
        if synthetic:
            return Markdown(
                "```{danger}\n**All data on this page are SYNTHETIC**: made by `swis.data.synthetic` for "
                "the worked example, not the data of any school. Nothing here is a result of the pilots."
                "\n```"
            )
        hidden = f" Counts from 1 to {self.suppress_below - 1} are hidden." if self.suppress_below > 1 else ""
        return Markdown(
            "```{note}\nThese results come from data added to this book, not from the report's pilots; "
            f"the report published no table for them to be compared with.{hidden}\n```"
        )

    # -- tables ---------------------------------------------------------------------------------
    def data_collected_table(self):
        """Part Two Table 1 of the authority: data collected in Phase 3."""
        table = context_table(self.config.authority, "data_collected")
        caption = (
            f"{self.config.authority}: data collected in Phase 3 (final report, Part Two, Table 1)"
            if table is not None
            else "Data collected"
        )
        return myst_table(
            context_tables.authority_data_collected_display(table),
            caption,
            self.label("data_collected_authority"),
            index=False,
        )

    def configuration_table(self):
        """How the pilot was configured across schools (from ``data/context``)."""
        table = context_tables.configuration_display(context_table(self.config.authority, "configuration"))
        return myst_table(
            table,
            f"{self.config.authority}: configuration of the pilot across schools",
            self.label("configuration"),
            index=False,
        )

    def panel_table(self, outcome: str):
        """The school-by-term table of one outcome."""
        spec = self.config.outcomes[outcome]
        caption = (
            f"{self.config.authority}: {spec.in_text} by school and term, the number with the average count "
            f"{spec.unit} in brackets (the pupils of each school and term are in the CSV download beside it)."
        )
        caption = " ".join(filter(None, [caption, panel_suppression_note(self.panel, outcome, self.suppress_below)]))
        from IPython.display import Markdown

        table = tables.school_term_table(self.panel, outcome, self.suppress_below)
        region = f"{self.config.authority}: {spec.in_text} by school and term (scrolls sideways)"
        shown = myst_table(
            table, caption, self.label("panel", outcome), index=False, scroll=region, classes="swis-counts"
        )
        link = download_links({"the full data": self.write_panel(outcome)}, lead="Download ", named=True)
        return Markdown(shown.data + "\n\n" + link.data)

    def regression_table(self, outcome: str):
        """The regression estimates of one outcome."""
        res = self.results[outcome]
        caption = (
            f"{self.config.authority}: regression estimates of change over time in "
            f"{self._in_text(outcome)} ({res.table['se_type'].iloc[0]})"
        )
        return myst_table(tables.regression_table(res), caption, self.label("regression", outcome), index=False)

    def inference_table(self, outcome: str):
        """Every interaction of one outcome under each kind of inference (:mod:`swis.report.inference`)."""
        res = self.results[outcome]
        caption = (
            f"{self.config.authority}: {self._in_text(outcome)}, the intervention-by-time rate ratio under the "
            f"report's convention and three tests that respect the design ({int(res.table['n_clusters'].iloc[0])} "
            "schools)"
        )
        return myst_table(inference_table(res), caption, self.label("inference", outcome), index=False)

    def event_study_table(self, outcome: str):
        """The intervention schools' difference from the comparison schools, term by term."""
        es = self.event_studies[outcome]
        caption = (
            f"{self.config.authority}: {self._in_text(outcome)}, the intervention-by-term rate ratio of each term "
            f"against the reference term (event study). {pretrend_sentence(es)}"
        )
        return myst_table(event_study_table(es), caption, self.label("event_study", outcome), index=False)

    def audit_table(self, outcome: str):
        """The published table next to ours."""
        rows, _ = self.audit(outcome)
        frame = (
            tables.audit_display(rows)
            if not rows.empty
            else tables.note_table("The report publishes no table for this outcome.")
        )
        caption = f"{self.config.authority}: published and reproduced estimates, {self._in_text(outcome)}"
        return myst_table(frame, caption, self.label("audit", outcome), index=False)

    def costs_table(self):
        """This authority's column of Table 3 (or a line saying the report gives no costs for it)."""
        costs = cost_table()
        mine = costs[costs["authority"] == self.config.authority]
        frame = (
            context_tables.cost_display(mine)
            if not mine.empty
            else tables.note_table("The report gives no costs for this authority.")
        )
        return myst_table(
            frame,
            f"{self.config.authority}: total cost over the autumn term (£, 2019), its column of the final report's "
            "Part One, Table 3",
            self.label("costs_authority"),
            index=not mine.empty,
        )

    # -- glued values and figures, and files ----------------------------------------------------
    def values(self, outcome: str) -> dict:
        """Glue values of one outcome (:func:`swis.report.readings.outcome_values`), reading and verdict."""
        res = self.results[outcome]
        values = outcome_values(res)
        values[f"{outcome}_reading"] = reading(res, self._in_text(outcome))
        values[f"{outcome}_did_caption"] = did_caption(res, self.config.authority, self._in_text(outcome))
        rows, verdict = self.audit(outcome)
        values[f"{outcome}_verdict"] = verdict["verdict"] if not rows.empty else "no published table to compare"
        return values

    def glue_outcome(self, outcome: str) -> None:
        """Glue one outcome's values and its two figures (trend, difference in differences)."""
        glue_values(self.values(outcome))
        rates = observed_rates(self.panel, outcome, self.suppress_below)
        glue_figure(f"{outcome}_trend", trend_figure(rates, self.config, outcome))
        res = self.results[outcome]
        scale = self.config.outcomes[outcome].scale
        terms = [res.spec.reference_term, *res.spec.post_terms]
        glue_figure(
            f"{outcome}_did",
            did_figure(
                fitted_group_rates(res, scale),
                fitted_group_rates(res, scale, counterfactual=True),
                terms,
                self.config,
                outcome,
                did_note(res),
            ),
        )

    def write_results(self, outcome: str) -> dict[str, Path]:
        """Write the estimates, the audit and the panel table as CSV; return their paths."""
        out = self.output_dir
        files = {
            "estimates": out / f"estimates_{outcome}.csv",
            "audit": out / f"audit_{outcome}.csv",
            "panel": out / f"panel_{outcome}.csv",
        }
        atomic_csv(self.results[outcome].table, files["estimates"])
        atomic_csv(self.audit(outcome)[0], files["audit"])
        self.write_panel(outcome)
        return files

    def write_panel(self, outcome: str) -> Path:
        """Write the school-by-term data of one outcome (every school and term, with pupils) as CSV."""
        return atomic_csv(
            tables.school_term_data(self.panel, outcome, self.suppress_below),
            self.output_dir / f"panel_{outcome}.csv",
        )

    def downloads(self, outcome: str):
        """Write one outcome's CSV files and link them."""
        return download_links(self.write_results(outcome), lead="Download: ", named=True)


def _shown(path) -> str:
    """A file as a page may name it: relative to the repository, or only its name (never a path of the machine).

    Examples
    --------
    >>> _shown(paths.PANEL), _shown("/home/someone/panels/mine.csv")
    ('data/panels/swis_panel.csv', 'mine.csv')
    """
    shown = paths.relative(path or "")
    return Path(shown).name if Path(shown).is_absolute() else shown
