"""The walkthrough page (``notebooks/walkthrough.ipynb``): the researcher workflows, run by the build itself.

Each step is a ``swis`` command exactly as a researcher types it from the repository's root, run at build
time in a scratch copy of the example files; the page shows the command and what it printed or wrote. A
step that fails, or a matched panel that differs from the one the worked example's chapter analyses, fails the
build: the documentation cannot drift from the code. All data are SYNTHETIC (``data/example``).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from swis import paths
from swis.config import load_config
from swis.report import format as fmt


@dataclass(frozen=True)
class Step:
    """One command and what it produced."""

    command: list[str]
    stdout: str
    stderr: str


def _run(workdir: Path, args: list[str]) -> Step:
    """Run ``swis ARGS`` in ``workdir``; raise with its message if it fails (so the build fails)."""
    env = {**os.environ, "SWIS_ROOT": str(paths.ROOT), "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-m", "swis.cli", *args], cwd=workdir, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"walkthrough step failed: swis {' '.join(args)}: {done.stderr.strip()}")
    return Step(["swis", *args], done.stdout.replace(str(workdir), "."), done.stderr.replace(str(workdir), "."))


def _console(step: Step, out: str = "both") -> str:
    text = {"stdout": step.stdout, "stderr": step.stderr, "both": step.stderr + step.stdout}[out].rstrip()
    return "```console\n$ " + shlex.join(step.command) + ("\n" + text if text else "") + "\n```"


@dataclass
class WalkthroughPage:
    """The steps of the walkthrough, run in a scratch folder."""

    workdir: Path
    config_path: str
    admin_path: str
    panel_path: str
    name: str
    outcome: str

    @classmethod
    def from_parameters(
        cls, example_config: str, example_admin: str, example_panel: str, outcome: str = ""
    ) -> WalkthroughPage:
        """Copy the example files into a scratch folder (removed with the page), keeping their paths relative
        to the repository root. ``outcome`` is the one estimated in the walkthrough (default: the first)."""
        workdir = Path(tempfile.mkdtemp(prefix="swis-walkthrough-"))
        for rel in (example_config, example_admin, example_panel):
            (workdir / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(paths.resolve(rel), workdir / rel)
        config = load_config(paths.resolve(example_config))
        page = cls(
            workdir,
            example_config,
            example_admin,
            example_panel,
            config.authority,
            outcome or next(iter(config.outcomes)),
        )
        weakref.finalize(page, shutil.rmtree, workdir, ignore_errors=True)
        return page

    def scaffold(self):
        """``swis new-authority``: the files to fill in, and the config it writes."""
        from IPython.display import Markdown

        cfg = load_config(paths.resolve(self.config_path))
        step = _run(
            self.workdir,
            [
                "new-authority",
                self.name,
                "--terms",
                ",".join(cfg.terms),
                "--reference",
                cfg.reference_term,
                "--intervention",
                ",".join(cfg.intervention_terms),
                "--outcomes",
                ",".join(cfg.outcomes),
            ],
        )
        written = (self.workdir / "data" / "config" / f"{self.name.lower()}.yml").read_text()
        return Markdown(_console(step) + "\n\nThe config it wrote:\n\n```yaml\n" + written + "```")

    def match(self):
        """``swis match``: comparison schools chosen from the administrative file, as a panel for the estimator."""
        from IPython.display import Markdown

        step = _run(
            self.workdir,
            [
                "match",
                self.admin_path,
                "--config",
                self.config_path,
                "--per-school",
                "2",
                "--out",
                "pairs.csv",
                "--panel-out",
                "my_panel.csv",
            ],
        )
        made = (self.workdir / "my_panel.csv").read_bytes()
        if made != paths.resolve(self.panel_path).read_bytes():
            raise RuntimeError(
                f"swis match no longer produces {self.panel_path}: regenerate it (data/example/README.md)"
            )
        head = pd.read_csv(self.workdir / "my_panel.csv").head(4).drop(columns=["source"]).to_csv(index=False)
        return Markdown(
            _console(step, "stderr") + "\n\nThe first rows of the panel it wrote (identical to "
            f"`{self.panel_path}`, which the worked example's chapter analyses):\n\n```text\n{head}```"
        )

    def validate(self):
        """``swis validate`` on the matched panel."""
        from IPython.display import Markdown

        return Markdown(_console(_run(self.workdir, ["validate", "my_panel.csv", "--config", self.config_path])))

    def estimate(self):
        """``swis did`` on the matched panel: one interaction per intervention term and a pooled one."""
        from IPython.display import Markdown

        outcome = self.outcome
        step = _run(
            self.workdir,
            ["did", "my_panel.csv", "--config", self.config_path, "--outcome", outcome, "--out", f"{outcome}.csv"],
        )
        table = pd.read_csv(self.workdir / f"{outcome}.csv")
        rows = table[table["kind"].isin(["interaction", "combined"])]
        shown = "\n".join(
            f"{r.coefficient}: {fmt.irr_with_ci(r.irr, r.ci_low, r.ci_high)}"
            if r.estimable
            else f"{r.coefficient}: {fmt.NOT_ESTIMABLE}"
            for r in rows.itertuples()
        )
        return Markdown(
            _console(step, "stderr") + "\n\nIts interactions and combined changes (IRR [95% CI], the "
            f"report's standard-error convention):\n\n```text\n{shown}\n```"
        )

    def book_entry(self):
        """The ``example`` entry of ``data/book.yml``, as the file holds it: the form of an added authority."""
        from IPython.display import Markdown

        text = paths.BOOK_CONFIG.read_text(encoding="utf-8")
        block = text[text.index("example:") :].split("\n\n")[0]
        return Markdown("```yaml\n" + block.rstrip() + "\n```")
