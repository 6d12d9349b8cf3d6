"""The command line: exact forms, exit codes, messages, and nothing half-written."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from conftest import toy_rows
from typer.testing import CliRunner

from swis import paths
from swis.cli import app

runner = CliRunner()
SOU = str(paths.config_path("Southampton"))


def test_validate_ok():
    result = runner.invoke(app, ["validate", str(paths.PANEL), "--config", SOU])
    assert result.exit_code == 0 and result.stdout.startswith("ok:")


def test_validate_bad_input_exit_2_one_line_per_problem(toy):
    rows = toy_rows()
    rows.loc[2, "count"] = "x"
    rows.loc[3, "group"] = "other"
    panel, config = toy(rows)
    result = runner.invoke(app, ["validate", str(panel), "--config", str(config)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: {panel}:4: count: expected a whole number from 0 to 100,000,000, got 'x'",
        f"error: {panel}:5: group: unknown group; expected 'intervention' or 'control', got 'other'",
    ]


def test_no_traceback_from_the_console_script(toy):
    rows = toy_rows().drop(columns=["term"])
    panel, config = toy(rows)
    done = subprocess.run(
        [sys.executable, "-m", "swis.cli", "validate", str(panel), "--config", str(config)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.startswith(f"error: {panel}:1: term: missing column")


def test_bad_config_reports_its_line(tmp_path, toy):
    panel, _ = toy()
    config = tmp_path / "bad.yml"
    config.write_text("authority: Toyton\nterms:\n  - A\nreference_term: B\nintervention_terms: [A]\noutcomes: {}\n")
    result = runner.invoke(app, ["validate", str(panel), "--config", str(config)])
    assert result.exit_code == 2 and f"error: {config}:4: reference_term:" in result.stderr


def test_did_writes_csv_with_required_columns(tmp_path):
    out = tmp_path / "res.csv"
    result = runner.invoke(app, ["did", str(paths.PANEL), "--config", SOU, "--outcome", "s47", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    table = pd.read_csv(out)
    assert {"outcome", "coefficient", "irr", "ci_low", "ci_high", "p_value", "estimable"} <= set(table.columns)
    row = table.set_index("coefficient").loc["Intervention by time"]
    assert round(row["irr"], 2) == 0.65 and "Stata" in row["se_type"]


@pytest.mark.parametrize("config", ["southampton", "stockport", "lambeth"])
def test_did_inference_columns_with_both_engines(tmp_path, config):
    path = str(paths.config_path(config.title()))
    tables = {}
    for engine in ("fast", "statsmodels"):
        out = tmp_path / f"{engine}.csv"
        args = ["did", str(paths.PANEL), "--config", path, "--inference", "crv1,t,ri,bootstrap", "--engine", engine]
        result = runner.invoke(app, [*args, "--reps", "100", "--out", str(out)])  # quick: sampled past 100
        assert result.exit_code == 0, result.stderr
        tables[engine] = pd.read_csv(out)
    fast, ref = tables["fast"], tables["statsmodels"]
    ri = ["ri_p_value", "ri_p_value_t", "ri_min_p", "ri_n_assignments", "ri_n_separated"]
    assert set(ri + ["t_ci_low", "t_ci_high", "ci_low", "ci_high"]) <= set(fast.columns)
    inter = fast["kind"].eq("interaction")
    assert inter.any() and fast.loc[inter, "ri_p_value"].between(0, 1).all()
    assert fast.loc[~inter, "ri_p_value"].isna().all()
    boot = ["boot_p_value", "boot_ci_low", "boot_ci_high", "boot_n_draws"]
    estimable = inter & fast["estimable"]
    assert fast.loc[estimable, "boot_p_value"].between(0, 1).all()
    assert (fast.loc[estimable, "boot_ci_low"] <= fast.loc[estimable, "irr"]).all()
    pd.testing.assert_frame_equal(fast[boot], ref[boot], rtol=1e-6)
    pd.testing.assert_frame_equal(fast[ri], ref[ri], rtol=1e-9)
    pd.testing.assert_series_equal(fast["estimate"], ref["estimate"], rtol=0, atol=1e-8)


def test_did_inference_chooses_columns(tmp_path):
    out = tmp_path / "res.csv"
    args = ["did", str(paths.PANEL), "--config", SOU, "--inference", "t", "--engine", "fast", "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    columns = set(pd.read_csv(out).columns)
    assert {"t_ci_low", "t_ci_high", "t_p_value", "t_df"} <= columns
    assert not columns & {"ci_low", "ci_high", "p_value", "ri_p_value"}


def test_did_bad_input_writes_nothing(tmp_path, toy):
    rows = toy_rows()
    rows.loc[0, "pupils"] = "0"
    panel, config = toy(rows)
    out = tmp_path / "never.csv"
    result = runner.invoke(app, ["did", str(panel), "--config", str(config), "--out", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert not list(tmp_path.glob(".never.csv*"))


def test_did_unknown_outcome(toy):
    panel, config = toy()
    result = runner.invoke(app, ["did", str(panel), "--config", str(config), "--outcome", "s17"])
    assert result.exit_code == 2 and "outcome" in result.stderr


def test_audit_one_verdict_per_table_and_closing_line(tmp_path):
    out = tmp_path / "audit.csv"
    result = runner.invoke(app, ["audit", "--out", str(out)])
    assert result.exit_code == 0
    *verdicts, summary = result.stdout.strip().splitlines()
    # one line per published table: "<authority> <outcome>: <verdict>", the verdict starting with one of two words
    assert len(verdicts) == 8
    kinds = [line.split(": ", 1)[1].split(";")[0].split(":")[0] for line in verdicts]
    assert set(kinds) <= {"reproduces", "does not reproduce"}
    # reference: the six Southampton and Stockport tables reproduce, Lambeth's two do not (tests/test_did.py)
    assert sorted(line.split(":")[0] for line, k in zip(verdicts, kinds, strict=True) if k == "does not reproduce") == [
        "Lambeth s17",
        "Lambeth s47",
    ]
    assert kinds.count("reproduces") == 6
    assert summary == "6 of 8 published tables reproduce, every value of each rounding to the printed value"
    table = pd.read_csv(out)
    assert {
        "authority",
        "outcome",
        "coefficient",
        "published_irr",
        "published_ci_low",
        "published_ci_high",
        "irr",
        "ci_low",
        "ci_high",
        "reproduced",
    } <= set(table.columns)


@pytest.mark.parametrize("pair", ["novalue", "=x"])
def test_run_rejects_malformed_params(pair):
    result = runner.invoke(app, ["run", "Southampton", "--param", pair, "--no-render"])
    assert result.exit_code == 2 and "KEY=VALUE" in result.stderr


def test_run_rejects_unknown_authority():
    result = runner.invoke(app, ["run", "Atlantis", "--no-render"])
    assert result.exit_code == 2 and "unknown authority" in result.stderr
