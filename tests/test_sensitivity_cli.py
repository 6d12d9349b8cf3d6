"""``swis sensitivity``: every published model answers; bad input is one message, exit 2, nothing written."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import toy_rows
from typer.testing import CliRunner

from swis import paths
from swis.cli import app
from swis.estimation.sensitivity import CHECKS, COLUMNS

runner = CliRunner()
MODELS = [
    ("Southampton", "s17"),
    ("Southampton", "s47"),
    ("Southampton", "days_in_care"),
    ("Stockport", "s17"),
    ("Stockport", "s47"),
    ("Stockport", "days_in_care"),
    ("Lambeth", "s17"),
    ("Lambeth", "s47"),
]


@pytest.mark.parametrize("authority,outcome", MODELS)
def test_answers_for_every_published_model(tmp_path, authority, outcome):
    out = tmp_path / "sensitivity.csv"
    config = str(paths.config_path(authority))
    args = ["sensitivity", str(paths.PANEL), "--config", config, "--outcome", outcome, "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    table = pd.read_csv(out)
    assert list(table.columns) == list(COLUMNS)
    assert table["check"].tolist() == list(CHECKS)
    assert set(table["authority"]) == {authority} and set(table["outcome"]) == {outcome}
    assert table.loc[table["check"].eq("placebo"), "false_start"].notna().all()  # two or more pre-pilot terms


def test_every_outcome_by_default_to_standard_output():
    result = runner.invoke(app, ["sensitivity", str(paths.PANEL), "--config", str(paths.config_path("Lambeth"))])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0].split(",")[:4] == ["authority", "outcome", "coefficient", "check"]
    assert len(lines) == 1 + 2 * len(CHECKS)


def test_bad_panel_is_one_message_and_writes_nothing(tmp_path, toy):
    rows = toy_rows()
    rows.loc[0, "pupils"] = "0"
    panel, config = toy(rows)
    out = tmp_path / "never.csv"
    result = runner.invoke(app, ["sensitivity", str(panel), "--config", str(config), "--out", str(out)])
    assert result.exit_code == 2 and not out.exists()
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {panel}:2: pupils:") and "Traceback" not in result.output


@pytest.mark.parametrize(
    "extra,expected",
    [
        (["--outcome", "s17"], "no rows for outcome 's17'; present: s47"),
        (["--correction", "bogus"], "expected one of stata, statsmodels, none, got 'bogus'"),
    ],
)
def test_bad_options_exit_2(toy, extra, expected):
    panel, config = toy()
    result = runner.invoke(app, ["sensitivity", str(panel), "--config", str(config), *extra])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and line.endswith(expected)


def test_out_may_not_overwrite_an_input(toy):
    panel, config = toy()
    before = panel.read_bytes()
    result = runner.invoke(app, ["sensitivity", str(panel), "--config", str(config), "--out", str(panel)])
    assert result.exit_code == 2 and "an input of this command" in result.stderr
    assert panel.read_bytes() == before


def test_toy_panel_answers(toy):
    panel, config = toy()
    result = runner.invoke(app, ["sensitivity", str(panel), "--config", str(config)])
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1 + len(CHECKS)
