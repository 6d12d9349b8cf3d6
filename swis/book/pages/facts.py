"""The facts page (``notebooks/facts.ipynb``): every figure quoted from the reports, glued under its key."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from swis import paths
from swis.book import registry
from swis.book.myst import glue_values, myst_table
from swis.data.facts import load_facts
from swis.report.context_tables import facts_display


@dataclass
class FactsPage:
    """The facts of ``data/facts/*.csv``."""

    facts: pd.DataFrame

    @classmethod
    def from_parameters(cls, facts_dir: str) -> FactsPage:
        """Read and check every fact file of ``facts_dir`` (relative to the repository root)."""
        return cls(load_facts(paths.resolve(facts_dir)))

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
