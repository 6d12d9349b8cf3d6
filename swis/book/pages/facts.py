"""The facts page (``notebooks/facts.ipynb``): every figure quoted from the reports, glued under its key; and
the record of the reports (``data/record/``): the ledger of their contradictions and the map of what the book
covers where."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from swis import paths
from swis.book import registry
from swis.book.myst import glue_values, myst_table
from swis.data import record
from swis.data.facts import load_facts
from swis.report.context_tables import facts_display


@dataclass
class FactsPage:
    """The facts of ``data/facts/*.csv``."""

    facts: pd.DataFrame
    ledger: pd.DataFrame | None = None
    report_map: pd.DataFrame | None = None

    @classmethod
    def from_parameters(cls, facts_dir: str, record_dir: str = "data/record") -> FactsPage:
        """Read and check every fact file of ``facts_dir`` and the record of ``record_dir`` (both relative to
        the repository root)."""
        folder = paths.resolve(record_dir)
        return cls(
            load_facts(paths.resolve(facts_dir)),
            record.load_contradictions(folder / "contradictions.csv"),
            record.load_report_map(folder / "report_map.csv"),
        )

    def glue(self) -> None:
        """Glue every fact under its key (not displayed)."""
        glue_values(dict(zip(self.facts["key"], self.facts["value"], strict=True)))

    def table(self):
        """Every fact with its value and source."""
        return myst_table(
            facts_display(self.facts),
            "Every figure quoted in the prose, with its source",
            registry.label("facts"),
            index=False,
        )

    def ledger_table(self, key: str):
        """One section of the ledger of contradictions (``data/record/contradictions.csv``), by its key in
        :data:`LEDGER_KEYS` (``across``, ``sou``, ``sto``, ``lam``)."""
        section = {k: s for s, k in LEDGER_KEYS.items()}[key]
        return myst_table(
            record.ledger_display(self.ledger, section),
            registry.entry(f"ledger_{key}").title,
            registry.label(f"ledger_{key}"),
            index=False,
        )

    def map_table(self, key: str):
        """The map of one report (``data/record/report_map.csv``), by its key in :data:`MAP_KEYS` (``final``,
        ``interim``): each heading, table and figure and where the book covers it."""
        report = {k: r for r, k in MAP_KEYS.items()}[key]
        return myst_table(
            record.map_display(self.report_map, report),
            registry.entry(f"map_{key}").title,
            registry.label(f"map_{key}"),
            index=False,
        )


#: Registry keys of the ledger's sections (``ledger_<key>``).
LEDGER_KEYS = {"Across the report": "across", "Southampton": "sou", "Stockport": "sto", "Lambeth": "lam"}
#: Registry keys of the map's reports (``map_<key>``).
MAP_KEYS = {"Final report (May 2020)": "final", "Interim report (August 2019)": "interim"}
