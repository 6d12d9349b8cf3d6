"""The audit page (``notebooks/audit.ipynb``): every published table against its re-estimate."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from swis import paths
from swis.audit.combined import combined_sentence, run_combined_comparison
from swis.audit.compare import run_audit, summary_line
from swis.audit.diagnostics import convention_estimates, pupils_across_tables, single_cell_search, software_versions
from swis.book import registry
from swis.book.myst import download_links, glue_values, myst_table, write_csvs
from swis.config import load_config, outcome_labels
from swis.data.corrections import load_corrections
from swis.data.panel import load_panel
from swis.data.published import load_published, published_table
from swis.estimation.did import DidSpec
from swis.report import context_tables, tables


def diagnose(authority: str, outcome: str) -> pd.DataFrame:
    """Single count changes under which one published table would reproduce (empty when none is chosen)."""
    if not authority or not outcome:
        return pd.DataFrame(columns=["school", "term", "printed_count", "count_that_reproduces"])
    cfg = load_config(paths.config_path(authority))
    panel = load_panel(paths.PANEL, cfg)
    return single_cell_search(
        panel.outcome(outcome), DidSpec.from_config(cfg), published_table(load_published(), authority, outcome)
    )


@dataclass
class AuditPage:
    """The audit with and without the corrections, and the diagnostics."""

    output_dir: str
    rows: pd.DataFrame
    verdicts: pd.DataFrame
    printed_rows: pd.DataFrame
    printed_verdicts: pd.DataFrame
    diagnosed: tuple[str, str] = ("", "")
    search: pd.DataFrame = field(default_factory=pd.DataFrame)
    combined: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_parameters(
        cls, apply_corrections: bool, output_dir: str, diagnose_authority: str = "", diagnose_outcome: str = ""
    ) -> AuditPage:
        """Run the audit (as corrected, and as printed) and the diagnosis of one table."""
        rows, verdicts = run_audit(corrections=apply_corrections)
        printed_rows, printed_verdicts = run_audit(corrections=False)
        return cls(
            output_dir,
            rows,
            verdicts,
            printed_rows,
            printed_verdicts,
            (diagnose_authority, diagnose_outcome),
            diagnose(diagnose_authority, diagnose_outcome),
            run_combined_comparison(),
        )

    def glue(self) -> None:
        """Glue the summary lines and counts."""
        glue_values(
            {
                "audit_summary": summary_line(self.verdicts).capitalize(),
                "audit_summary_printed": summary_line(self.printed_verdicts),
                "audit_n_reproduced": int(self.verdicts["reproduced"].sum()),
                "audit_n_tables": len(self.verdicts),
                "n_single_cell_hits": len(self.search),
                "diagnosed_table": self._diagnosed_title(),
                "combined_sentence": combined_sentence(self.combined, outcome_labels()),
            }
        )

    def _diagnosed_title(self) -> str:
        who, what = self.diagnosed
        return f"{who}, {load_config(paths.config_path(who)).outcomes[what].label}" if who and what else "no table"

    def verdicts_table(self):
        """One verdict per published table."""
        return myst_table(
            tables.verdict_display(self.verdicts, outcome_labels()),
            "Reproduction of the published regression tables",
            registry.label("audit_verdicts"),
            index=False,
        )

    def downloads(self):
        """Write the audit tables as CSV and link them."""
        frames = {
            "audit_rows": self.rows,
            "audit_verdicts": self.verdicts,
            "audit_rows_as_printed": self.printed_rows,
            "audit_combined_changes": self.combined,
        }
        return download_links(write_csvs(frames, self.output_dir))

    def corrections_table(self):
        """The corrections applied, and the problems only documented."""
        return myst_table(
            tables.corrections_display(load_corrections(), outcome_labels()),
            "Corrections applied to the printed tables, and problems only documented",
            registry.label("corrections"),
            index=False,
        )

    def combined_table(self):
        """The overall changes the report states, beside its arithmetic and the re-estimate."""
        return myst_table(
            tables.combined_display(self.combined, outcome_labels()),
            "The overall change in the intervention schools as the report states it, as its printed IRRs give it, "
            "and as re-estimated here",
            registry.label("combined_changes"),
            index=False,
        )

    def pupils_table(self):
        """School-terms whose pupil numbers differ between outcome tables."""
        return myst_table(
            tables.pupils_display(pupils_across_tables(), outcome_labels()),
            "School-terms whose pupil numbers differ between outcome tables",
            registry.label("pupils_across"),
            index=False,
        )

    def search_table(self):
        """The single count changes of the diagnosed table."""
        return myst_table(
            tables.search_display(self.search),
            f"Single count changes under which the published estimates of {self._diagnosed_title()} reproduce",
            registry.label("single_cell_search"),
            index=False,
        )

    def conventions_table(self):
        """The interaction of every model under three small-sample conventions."""
        return myst_table(
            tables.conventions_display(convention_estimates(), outcome_labels()),
            "Intervention-by-time IRR [95% CI] under three small-sample conventions",
            registry.label("conventions"),
            index=False,
        )

    def software_table(self):
        """Versions of the software of this build."""
        return myst_table(
            context_tables.software_display(software_versions()),
            "Software versions of this build",
            registry.label("software"),
            index=False,
        )
