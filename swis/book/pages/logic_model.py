"""The logic model page (``notebooks/logic_model.ipynb``): the figure and its text alternative; and the pilots'
team diagrams, drawn the same way and shown in their chapters (``book/part2/<authority>.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from swis import paths
from swis.book import registry
from swis.book.myst import glue_figure, myst_table, write_figure
from swis.data.logic_model import load_logic_model
from swis.data.teams import load_teams
from swis.report.context_tables import logic_model_table
from swis.report.figures.logic_model import draw_logic_model
from swis.report.figures.team import draw_team


@dataclass
class LogicModelPage:
    """The logic model of a YAML file, and the team diagrams of a folder of them."""

    model: dict
    teams: dict[str, dict] = field(default_factory=dict)
    output_dir: str = "book/generated/figures"

    @classmethod
    def from_parameters(
        cls, logic_model_path: str, teams_dir: str = "data/teams", output_dir: str = "book/generated/figures"
    ) -> LogicModelPage:
        """Read and check the logic model and every team file (paths relative to the repository root)."""
        return cls(load_logic_model(paths.resolve(logic_model_path)), load_teams(paths.resolve(teams_dir)), output_dir)

    def write_team_diagrams(self) -> None:
        """Draw each team as ``team_<name>.png`` in the figures folder, where its chapter's figure finds it."""
        folder = paths.resolve(self.output_dir)
        for name, team in self.teams.items():
            write_figure(draw_team(team), folder / f"team_{name}.png")

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
