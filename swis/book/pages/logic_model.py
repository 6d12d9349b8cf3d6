"""The logic model page (``notebooks/logic_model.ipynb``): the figure and its text alternative."""

from __future__ import annotations

from dataclasses import dataclass

from swis import paths
from swis.book import registry
from swis.book.myst import glue_figure, myst_table
from swis.data.logic_model import load_logic_model
from swis.report.context_tables import logic_model_table
from swis.report.figures.logic_model import draw_logic_model


@dataclass
class LogicModelPage:
    """The logic model of a YAML file."""

    model: dict

    @classmethod
    def from_parameters(cls, logic_model_path: str) -> LogicModelPage:
        """Read and check the logic model (path relative to the repository root)."""
        return cls(load_logic_model(paths.resolve(logic_model_path)))

    def glue(self) -> None:
        """Glue the drawn model as ``fig_logic_model``."""
        glue_figure("fig_logic_model", draw_logic_model(self.model))

    def table(self):
        """The model as text."""
        return myst_table(
            logic_model_table(self.model),
            "The overarching logic model as text",
            registry.label("logic_model_table"),
            index=False,
        )
