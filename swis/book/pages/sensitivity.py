"""The robustness page (``notebooks/sensitivity.ipynb``): does each result survive another count model, one
school fewer and a false start?"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from IPython.display import Markdown

from swis import paths
from swis.book import registry
from swis.book.myst import download_links, glue_values, myst_table, write_csvs
from swis.config import Config, authority_entries, load_config
from swis.data.panel import load_panel
from swis.estimation.sensitivity import sensitivity_panel
from swis.report import sensitivity as words


def sentence_key(config: Config, outcome: str) -> str:
    """Glue key of one outcome's sentence, e.g. ``sens_sto_s17``.

    Examples
    --------
    >>> sentence_key(load_config(paths.config_path("Stockport")), "days_in_care")
    'sens_sto_dic'
    """
    return f"sens_{config.code.lower()}_{config.outcomes[outcome].short}"


def sensitivity_tables(correction: str = "stata") -> tuple[list[Config], pd.DataFrame]:
    """The configs of the book's authorities and every model's checks (one table)."""
    configs, parts = [], []
    for e in authority_entries():
        config = load_config(paths.resolve(e.config))
        panel = load_panel(paths.resolve(e.panel), config)
        configs.append(config)
        parts += [sensitivity_panel(panel, o, correction=correction).table for o in panel.outcomes]
    return configs, pd.concat(parts, ignore_index=True)


@dataclass
class SensitivityPage:
    """Every authority's models under the checks, with the sentences and tables of the page."""

    output_dir: str
    configs: list[Config]
    table: pd.DataFrame

    @classmethod
    def from_parameters(cls, output_dir: str, correction: str = "stata") -> SensitivityPage:
        """Run every check of every model of the book's authorities."""
        configs, table = sensitivity_tables(correction)
        return cls(output_dir, configs, table)

    def _models(self, config: Config):
        t = self.table[self.table["authority"].eq(config.authority)]
        return [(o, model) for o, model in t.groupby("outcome", sort=False)]

    def survivors(self) -> pd.DataFrame:
        """Which results survive every check (:func:`swis.report.sensitivity.surviving`)."""
        return words.surviving(self.table)

    def glue(self) -> None:
        """Glue one sentence per outcome and the page's counts."""
        found = self.survivors()
        labels = {(c.authority, o): s.label for c in self.configs for o, s in c.outcomes.items()}
        kept = [
            f"{a}, {labels[(a, o)].lower()}" for a, o in found.loc[found["survives"], ["authority", "outcome"]].values
        ]
        values: dict[str, object] = {
            "sens_n_models": len(found),
            "sens_n_estimable": int(found["estimable"].sum()),
            "sens_n_survive": int(found["survives"].sum()),
            "sens_survivors": "; ".join(kept) if kept else "none",
        }
        for config in self.configs:
            for outcome, model in self._models(config):
                values[sentence_key(config, outcome)] = words.sentence(model, config.outcomes[outcome].label)
        glue_values(values)

    def _section(self, config: Config) -> str:
        labels = {o: s.label for o, s in config.outcomes.items()}
        bullets = [f"* {{glue:text}}`{sentence_key(config, o)}`" for o, _ in self._models(config)]
        table = myst_table(
            words.authority_display(self.table[self.table["authority"].eq(config.authority)], labels),
            f"{config.authority}: the intervention-by-time ratio under each check",
            registry.label("sensitivity", config.code),
            index=False,
        )
        return "\n".join([f"```{{rubric}} {config.authority}", "```", "", *bullets, "", table.data])

    def sections(self):
        """One part per authority: its sentences (glued) and its compact table."""
        return Markdown("\n\n".join(self._section(c) for c in self.configs))

    def downloads(self):
        """Write the checks and the survivors as CSV and link them."""
        frames = {"sensitivity": self.table, "sensitivity_survivors": self.survivors()}
        return download_links(write_csvs(frames, self.output_dir))
