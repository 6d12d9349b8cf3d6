"""Every numbered table and figure of the book: its label, page, notebook cell and ``swis`` function.

The registry is the one source of the replication table in the README and in
the reproducibility appendix, and of the labels the pages give their tables
and figures (:func:`label`): a page cannot number a table the registry does
not know. Labels are patterns, filled in per authority (``{code}``: the
config's code in lower case) and per outcome (``{oc}``: its short name,
:func:`swis.config.short_name`).

Run ``python -m swis.book.registry`` to rewrite the README's table.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from swis import paths

#: Scopes: once in the book; per authority; per authority and outcome; per outcome of the matching's authority.
SCOPES = ("book", "authority", "outcome", "matching")


@dataclass(frozen=True)
class Entry:
    """One numbered table or figure (a pattern, for per-authority and per-outcome ones).

    Attributes
    ----------
    key : str
        Name a page asks for (:func:`label`).
    label : str
        The MyST label, e.g. ``tbl-{code}-{oc}-panel``.
    title : str
        What it shows, in words.
    page : str
        The book page (document) it appears on, e.g. ``book/generated/authority_{slug}``.
    notebook : str
        The template that makes it.
    cell : str
        The code cell of the template that shows or glues it.
    functions : tuple of str
        The ``swis`` functions that compute and lay it out.
    scope : str
        One of :data:`SCOPES`.
    """

    key: str
    label: str
    title: str
    page: str
    notebook: str
    cell: str
    functions: tuple[str, ...]
    scope: str = "book"

    @property
    def kind(self) -> str:
        """``Table`` or ``Figure``, from the label's prefix."""
        return "Figure" if self.label.startswith("fig-") else "Table"


_S, _A, _M, _U, _L, _F = ("notebooks/synthesis.ipynb", "notebooks/authority.ipynb", "notebooks/matching.ipynb",
                          "notebooks/audit.ipynb", "notebooks/logic_model.ipynb", "notebooks/facts.ipynb")
_AUTH = "book/generated/authority_{slug}"
_T, _R, _CT, _MT = "swis.report.tables", "swis.report.readings", "swis.report.context_tables", \
    "swis.report.matching_tables"

ENTRIES: tuple[Entry, ...] = (
    Entry("pilots", "tbl-pilots", "Summary of pilots (Part One, Table 1)", "book/generated/synthesis", _S,
          "page.pilots_table()", ("swis.data.published.load_pilots", f"{_CT}.pilots_display")),
    Entry("data_collected", "tbl-data-collected", "Data collected in Phase 3 (Part One, Table 2)",
          "book/generated/synthesis", _S, "page.data_collected_table()",
          ("swis.data.published.load_data_collected", f"{_CT}.data_collected_display")),
    Entry("forest", "fig-forest", "Forest plot of every model's intervention-by-time IRR",
          "book/generated/synthesis", _S, "page.glue()",
          ("swis.book.pages.synthesis.interaction_estimates", "swis.report.figures.forest.forest_figure")),
    Entry("forest_table", "tbl-forest", "The numbers behind the forest plot", "book/generated/synthesis", _S,
          "page.forest_table()", ("swis.book.pages.synthesis.interaction_estimates", f"{_T}.forest_table")),
    Entry("costs", "tbl-costs", "Costs over the autumn term (Part One, Table 3)", "book/generated/synthesis", _S,
          "page.costs_table()", ("swis.estimation.costs.cost_table", f"{_CT}.cost_display")),
    Entry("logic_model", "fig-logic-model", "The overarching logic model", "book/generated/logic_model", _L,
          "page.glue()",
          ("swis.data.logic_model.load_logic_model", "swis.report.figures.logic_model.draw_logic_model")),
    Entry("logic_model_table", "tbl-logic-model", "The logic model as text", "book/generated/logic_model", _L,
          "page.table()", ("swis.data.logic_model.load_logic_model", f"{_CT}.logic_model_table")),
    Entry("data_collected_authority", "tbl-{code}-data-collected", "Data collected in the authority (Part Two, "
          "Table 1)", _AUTH, _A, "page.data_collected_table()",
          ("swis.data.published.context_table", f"{_CT}.authority_data_collected_display"), "authority"),
    Entry("configuration", "tbl-{code}-configuration", "How the pilot was set up in the schools", _AUTH, _A,
          "page.configuration_table()", ("swis.data.published.context_table", f"{_CT}.configuration_display"),
          "authority"),
    Entry("panel", "tbl-{code}-{oc}-panel", "School-by-term table of one outcome", _AUTH, _A,
          'page.panel_table("{{outcome}}")', ("swis.data.panel.load_panel", f"{_T}.school_term_table"), "outcome"),
    Entry("trend", "fig-{code}-{oc}-trend", "Trend of one outcome by school and term", _AUTH, _A,
          'page.glue_outcome("{{outcome}}")', ("swis.report.figures.authority.trend_figure",), "outcome"),
    Entry("regression", "tbl-{code}-{oc}-regression", "Regression estimates of one outcome", _AUTH, _A,
          'page.regression_table("{{outcome}}")', ("swis.estimation.did.estimate_panel", f"{_T}.regression_table"),
          "outcome"),
    Entry("did", "fig-{code}-{oc}-did", "Difference in differences of one outcome", _AUTH, _A,
          'page.glue_outcome("{{outcome}}")',
          ("swis.estimation.did.fitted_group_rates", "swis.report.figures.authority.did_figure"), "outcome"),
    Entry("audit", "tbl-{code}-{oc}-audit", "Published against reproduced estimates of one outcome", _AUTH, _A,
          'page.audit_table("{{outcome}}")', ("swis.audit.compare.audit_outcome", f"{_T}.audit_display"), "outcome"),
    Entry("costs_authority", "tbl-{code}-costs", "The authority's costs over the autumn term (from Part One, "
          "Table 3)", _AUTH, _A, "page.costs_table()", ("swis.estimation.costs.cost_table", f"{_CT}.cost_display"),
          "authority"),
    Entry("match_scores", "tbl-match-scores", "SYNTHETIC: best-scoring candidates", "book/generated/matching", _M,
          "page.score_table()", ("swis.matching.match", f"{_MT}.score_display")),
    Entry("match_tests", "tbl-match-tests", "SYNTHETIC: every U-tested candidate and the decision",
          "book/generated/matching", _M, "page.tests_table()", ("swis.matching.match", f"{_MT}.tests_display")),
    Entry("match_selected", "tbl-match-selected", "SYNTHETIC: comparators selected", "book/generated/matching", _M,
          "page.selection_table()", ("swis.matching.match", f"{_MT}.selection_display")),
    Entry("match_details", "tbl-match-details", "SYNTHETIC: year-group intermediates of one match",
          "book/generated/matching", _M, "page.details_table()",
          ("swis.matching.year_group_details", f"{_MT}.match_details_display")),
    Entry("match_trends", "fig-matching-trends-{oc}", "SYNTHETIC: parallel-trend check of one outcome",
          "book/generated/matching", _M, "page.trend_figures()",
          ("swis.matching.school_rates", "swis.report.figures.matching.matching_trend_figure"), "matching"),
    Entry("match_readings", "tbl-match-readings", "SYNTHETIC: comparators chosen under each reading",
          "book/generated/matching", _M, "page.readings_table()",
          ("swis.matching.compare_readings", f"{_MT}.readings_display")),
    Entry("match_did", "tbl-match-did", "SYNTHETIC: difference in differences on the matched panel",
          "book/generated/matching", _M, "page.did_table()",
          ("swis.matching.matched_panel", "swis.estimation.did.estimate_panel", f"{_T}.regression_table")),
    Entry("audit_verdicts", "tbl-audit-verdicts", "Reproduction of every published regression table",
          "book/generated/audit", _U, "page.verdicts_table()",
          ("swis.audit.compare.run_audit", f"{_T}.verdict_display")),
    Entry("corrections", "tbl-corrections", "Corrections to the printed tables", "book/generated/audit", _U,
          "page.corrections_table()", ("swis.data.corrections.load_corrections", f"{_T}.corrections_display")),
    Entry("pupils_across", "tbl-pupils-across", "Pupil numbers that differ between outcome tables",
          "book/generated/audit", _U, "page.pupils_table()",
          ("swis.audit.diagnostics.pupils_across_tables", f"{_T}.as_text")),
    Entry("single_cell_search", "tbl-audit-search", "Single count changes under which a published table "
          "reproduces", "book/generated/audit", _U, "page.search_table()",
          ("swis.audit.diagnostics.single_cell_search", f"{_T}.as_text")),
    Entry("conventions", "tbl-conventions", "Interaction IRRs under three small-sample conventions",
          "book/generated/audit", _U, "page.conventions_table()",
          ("swis.audit.diagnostics.convention_estimates", f"{_T}.conventions_display")),
    Entry("software", "tbl-software", "Software versions of the build", "book/generated/audit", _U,
          "page.software_table()", ("swis.audit.diagnostics.software_versions", f"{_CT}.software_display")),
    Entry("facts", "tbl-facts", "Every figure quoted in the prose, with its source", "book/generated/facts", _F,
          "page.table()", ("swis.data.facts.load_facts", f"{_CT}.facts_display")),
    Entry("registry", "tbl-registry", "Where each table and figure comes from", "book/generated/replication",
          "notebooks/replication.ipynb", "registry_table(book_config=book_config)", ("swis.book.registry.expand",)),
)
BY_KEY = {e.key: e for e in ENTRIES}


def label(key: str, code: str = "", outcome: str = "") -> str:
    """The label of a registered table or figure, filled in.

    Parameters
    ----------
    key : str
        The entry's key (:attr:`Entry.key`).
    code : str
        The authority's code (any case), for per-authority labels.
    outcome : str
        The outcome's key, for per-outcome labels.

    Raises
    ------
    KeyError
        The key is not registered.

    Examples
    --------
    >>> label("panel", "SOU", "days_in_care")
    'tbl-sou-dic-panel'
    """
    from swis.config import short_name

    return BY_KEY[key].label.format(code=code.lower(), oc=short_name(outcome) if outcome else "")


def _places(entry: Entry, book: dict) -> list[tuple[str, str, str]]:
    """(authority, code, outcome) of each table or figure an entry stands for."""
    from swis.config import authority_configs, load_config

    if entry.scope == "authority":
        return [(c.authority, c.code, "") for c in authority_configs(book)]
    if entry.scope == "outcome":
        return [(c.authority, c.code, o) for c in authority_configs(book) for o in c.outcomes]
    if entry.scope == "matching":
        cfg = load_config(paths.config_path(book["matching"]["authority"])) if "matching" in book else None
        return [(cfg.authority, "", o) for o in cfg.outcomes] if cfg else []
    return [("", "", "")]


def expand(book: dict | None = None) -> list[dict]:
    """Every table and figure of the book, labels filled in for the book's authorities and outcomes.

    Returns
    -------
    list of dict
        ``key, label, title, page, notebook, cell, functions`` per table or figure.
    """
    from swis.config import load_book_config

    book = book or load_book_config()
    out = []
    for e in ENTRIES:
        for authority, code, outcome in _places(e, book):
            out.append({"key": e.key, "label": label(e.key, code, outcome), "title": e.title,
                        "page": e.page.format(slug=authority.lower()), "notebook": e.notebook, "cell": e.cell,
                        "functions": e.functions})
    return out


def readme_table() -> str:
    """The README's replication table: one row per registered table or figure (labels as patterns)."""
    lines = ["| Label | What it shows | Notebook (template) and cell | `swis` functions |", "| --- | --- | --- | --- |"]
    for e in ENTRIES:
        funcs = ", ".join(f"`{f}`" for f in e.functions)
        lines.append(f"| `{e.label}` | {e.title} | `{e.notebook}`: `{e.cell}` | {funcs} |")
    return "\n".join(lines)


#: Markers around the generated table in the README.
README_START = "<!-- registry:start (generated by `python -m swis.book.registry`; do not edit) -->"
README_END = "<!-- registry:end -->"


def readme_with_table(text: str) -> str:
    """The README text with the table between the markers replaced by :func:`readme_table`."""
    head, _, rest = text.partition(README_START)
    _, _, tail = rest.partition(README_END)
    return f"{head}{README_START}\n{readme_table()}\n{README_END}{tail}"


def main() -> None:
    """Rewrite the README's replication table (``python -m swis.book.registry``)."""
    from swis.io import atomic_write_text

    text = paths.README.read_text(encoding="utf-8")
    if README_START not in text:
        sys.exit(f"error: {paths.README}: no line '{README_START}'")
    atomic_write_text(readme_with_table(text), paths.README)


if __name__ == "__main__":
    main()
