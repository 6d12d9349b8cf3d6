"""Choosing comparison schools: planted twins are found, flipped rankings rejected, ties stable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from swis import paths
from swis.admin import load_admin
from swis.cli import app
from swis.config import load_config
from swis.errors import InputError
from swis.matching import MatchSettings, match, matched_panel, score_outcome, shortfall
from swis.synthetic import make_admin

CFG = load_config(paths.config_path("Stockport"))
AUTUMN = list(CFG.autumn_terms)
YEARS = [f"Year {i}" for i in range(7, 12)]


def rows_from_rates(school: str, group: str, rates: dict[str, list[float]], pupils: int = 1000) -> list[dict]:
    """Admin rows with exact counts: rates[year_group] = rate per 100 pupils in each autumn term."""
    return [{"school": school, "group": group, "year_group": y, "term": t, "outcome": "s17",
             "count": r * pupils / 100, "pupils": pupils} for y, series in rates.items() for t, r in zip(AUTUMN, series)]


def base_frame(n_noise: int = 8, seed: int = 3) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = rows_from_rates("INT", "intervention", {y: [2.0, 2.0 + i * 0.3, 2.0 + i * 0.1] for i, y in enumerate(YEARS)})
    for k in range(n_noise):
        rows += rows_from_rates(f"C{k:02d}", "candidate",
                                {y: list(np.round(rng.uniform(0.5, 4.0, 3), 2)) for y in YEARS})
    return rows


def test_planted_twin_is_chosen_first():
    rows = base_frame()
    rows += rows_from_rates("TWIN", "candidate", {y: [3.0, 3.0 + i * 0.3, 3.0 + i * 0.1] for i, y in enumerate(YEARS)})
    pairs = score_outcome(pd.DataFrame(rows), AUTUMN, 100, MatchSettings(per_school=1))
    best = pairs.sort_values("rank_period2").iloc[0]
    assert best["candidate"] == "TWIN" and best["score_period2"] == pytest.approx(0) and best["selected"]


def test_flipped_ranking_is_rejected_by_the_u_test():
    rows = base_frame(n_noise=10)
    # identical to the intervention school's trends in period 2, wildly different in period 1
    flip = {y: [2.0 - 3 + 20 * (i + 1), 2.0 + i * 0.3, 2.0 + i * 0.1] for i, y in enumerate(YEARS)}
    rows += rows_from_rates("FLIP", "candidate", flip)
    pairs = score_outcome(pd.DataFrame(rows), AUTUMN, 100, MatchSettings(per_school=2))
    row = pairs.set_index("candidate").loc["FLIP"]
    assert row["rank_period2"] == 1 and row["status"] == "rejected" and row["p_value"] < 0.05
    assert "did not persist" in row["reason"]


def test_ties_are_broken_deterministically():
    rows = base_frame()
    twin = {y: [3.0, 3.0 + i * 0.3, 3.0 + i * 0.1] for i, y in enumerate(YEARS)}
    rows += rows_from_rates("TWIN_B", "candidate", twin) + rows_from_rates("TWIN_A", "candidate", twin)
    frame = pd.DataFrame(rows)
    first = score_outcome(frame, AUTUMN, 100)
    again = score_outcome(frame.sample(frac=1, random_state=7), AUTUMN, 100)
    ranked = first.sort_values("rank_period2")["candidate"].tolist()
    assert ranked[:2] == ["TWIN_A", "TWIN_B"]  # equal scores: label order decides
    assert again.sort_values("rank_period2")["candidate"].tolist() == ranked


def test_missing_year_group_for_some_schools():
    rows = [r for r in base_frame() if not (r["school"] == "C03" and r["year_group"] == "Year 9")]
    pairs = score_outcome(pd.DataFrame(rows), AUTUMN, 100)
    c03 = pairs.set_index("candidate").loc["C03"]
    assert c03["n_year_groups"] == 4 and np.isfinite(c03["score_period2"])


def test_fewer_candidates_than_requested_is_a_clear_shortfall():
    rows = rows_from_rates("INT", "intervention", {y: [2.0, 2.5, 2.2] for y in YEARS})
    rows += rows_from_rates("ONLY", "candidate", {y: [1.0, 1.4, 1.1] for y in YEARS})
    pairs = score_outcome(pd.DataFrame(rows), AUTUMN, 100, MatchSettings(per_school=2))
    short = shortfall(pairs, 2)
    assert short.to_dict("records") == [{"intervention_school": "INT", "selected": 1, "requested": 2, "missing": 1}]


def test_school_is_never_its_own_comparator():
    admin = make_admin(CFG, seed=4, n_candidates=20)
    schools = sorted(admin["school"].unique())
    pairs = score_outcome(admin[admin["outcome"] == "s17"], AUTUMN, 100, schools=schools)
    assert not (pairs["intervention_school"] == pairs["candidate"]).any()


def test_matched_panel_runs_through_the_estimator(tmp_path):
    from swis.data import load_panel
    from swis.did import estimate_panel

    admin = make_admin(CFG, seed=2, n_candidates=40)
    pairs = match(admin, CFG, MatchSettings(per_school=2))
    panel = matched_panel(admin, pairs, CFG)
    path = tmp_path / "panel.csv"
    panel.to_csv(path, index=False)
    loaded = load_panel(path, CFG, corrections=False)
    assert set(loaded.outcomes) == {"s17", "s47", "days_in_care"}
    assert estimate_panel(loaded, "s17").table["irr"].notna().any()
    # a comparator chosen for several schools appears once per outcome and term
    assert not panel.duplicated(["outcome", "school", "term"]).any()


def _admin_csv(tmp_path, frame):
    path = tmp_path / "admin.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("column,value,message", [
    ("count", "many", "expected a number >= 0"), ("count", "-1", "expected a number >= 0"),
    ("pupils", "0", "pupils > 0"), ("group", "control", "unknown group"), ("outcome", "s99", "unknown outcome"),
])
def test_admin_cell_errors(tmp_path, column, value, message):
    frame = make_admin(CFG, seed=1, n_candidates=3).drop(columns="synthetic").astype(str)
    frame.loc[4, column] = value
    with pytest.raises(InputError) as info:
        load_admin(_admin_csv(tmp_path, frame), CFG)
    (p,) = info.value.problems
    assert (p.row, p.column) == (6, column) and message in p.message


def test_admin_missing_column_and_duplicates(tmp_path):
    frame = make_admin(CFG, seed=1, n_candidates=3).drop(columns="synthetic")
    with pytest.raises(InputError) as info:
        load_admin(_admin_csv(tmp_path, frame.drop(columns="year_group")), CFG)
    assert info.value.problems[0].column == "year_group"
    with pytest.raises(InputError) as info:
        load_admin(_admin_csv(tmp_path, pd.concat([frame, frame.iloc[[0]]])), CFG)
    assert "duplicate" in info.value.problems[0].message


def test_admin_needs_three_autumn_terms(tmp_path):
    frame = make_admin(CFG, seed=1, n_candidates=3).drop(columns="synthetic")
    with pytest.raises(InputError) as info:
        load_admin(_admin_csv(tmp_path, frame[frame["term"] != AUTUMN[0]]), CFG)
    assert "autumn term" in info.value.problems[0].message


def test_cli_match_end_to_end(tmp_path):
    frame = make_admin(CFG, seed=5, n_candidates=25).drop(columns="synthetic")
    admin = _admin_csv(tmp_path, frame)
    out, panel = tmp_path / "m.csv", tmp_path / "p.csv"
    result = CliRunner().invoke(app, ["match", str(admin), "--config", str(paths.config_path("Stockport")),
                                      "--per-school", "1", "--out", str(out), "--panel-out", str(panel)])
    assert result.exit_code == 0, result.stderr
    pairs = pd.read_csv(out)
    assert {"score_period1", "score_period2", "rank_period1", "rank_period2", "u_statistic", "p_value",
            "status", "reason"} <= set(pairs.columns)
    did = CliRunner().invoke(app, ["did", str(panel), "--config", str(paths.config_path("Stockport")), "--outcome", "s47"])
    assert did.exit_code == 0, did.stderr


def test_cli_match_bad_input(tmp_path):
    frame = make_admin(CFG, seed=5, n_candidates=3).drop(columns="synthetic").astype(str)
    frame.loc[0, "pupils"] = "none"
    out = tmp_path / "m.csv"
    result = CliRunner().invoke(app, ["match", str(_admin_csv(tmp_path, frame)), "--config",
                                      str(paths.config_path("Stockport")), "--out", str(out)])
    assert result.exit_code == 2 and "admin.csv:2: pupils" in result.stderr and not out.exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_match_national_covers_every_authority(workers):
    import sys

    sys.path.insert(0, str(paths.ROOT / "benchmarks"))
    from bench_matching import TERMS, national_file

    from swis.matching import match_national

    frame = national_file(n_schools=60, n_authorities=3)
    tables = match_national(frame, TERMS, {"s17": 100.0, "s47": 100.0, "days_in_care": 1.0},
                            MatchSettings(per_school=2, shortlist=4), workers=workers)
    assert len(tables) == 9  # 3 authorities x 3 outcomes
    pairs = pd.concat(tables)
    assert (pairs.groupby(["authority", "outcome", "intervention_school"], observed=True)["selected"].sum() <= 2).all()
    assert not (pairs["intervention_school"].astype(str) == pairs["candidate"].astype(str)).any()


def test_year_group_details_reproduce_the_score():
    from swis.matching import year_group_details

    admin = make_admin(CFG, seed=2, n_candidates=30)
    pairs = match(admin, CFG)
    details = year_group_details(admin, pairs, CFG)
    first = pairs[pairs["selected"]].iloc[0]
    d = details[(details["outcome"] == first["outcome"]) & (details["candidate"] == str(first["candidate"]))
                & (details["intervention_school"] == str(first["intervention_school"])) & (details["period"] == 2)]
    assert d["standardised_difference"].mean() == pytest.approx(first["score_period2"], rel=1e-9)
