"""Choosing comparison schools: twins found, flipped rankings rejected, ties stable, shortfalls shown."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import typer
from scipy import stats
from typer.testing import CliRunner

from swis import paths
from swis.book.pages.matching import LABEL
from swis.cli.match import match as match_command
from swis.config import load_config, term_order
from swis.data.synthetic import make_admin, make_national, synthetic_authority
from swis.matching import (
    STATUS,
    MatchSettings,
    mann_whitney_u,
    match,
    match_national,
    matched_panel,
    school_rates,
    score_arrays,
    score_outcome,
    shortfall,
    trends,
    year_group_details,
    year_group_ranks,
)
from swis.matching.scores import _order
from swis.report.figures.matching import matching_trend_figure

CFG = load_config(paths.config_path("Stockport"))
STOCKPORT = str(paths.config_path("Stockport"))
AUTUMN = list(CFG.autumn_terms)
YEARS = [f"Year {i}" for i in range(7, 12)]


def rows_from_rates(school: str, group: str, rates: dict[str, list[float]], pupils: int = 1000) -> list[dict]:
    """Admin rows with exact counts: ``rates[year_group]`` = rate per 100 pupils in each autumn term."""
    return [
        {
            "school": school,
            "group": group,
            "year_group": y,
            "term": t,
            "outcome": "s17",
            "count": r * pupils / 100,
            "pupils": pupils,
        }
        for y, series in rates.items()
        for t, r in zip(AUTUMN, series, strict=True)
    ]


def base_rows(n_noise: int = 8, seed: int = 3) -> list[dict]:
    """An intervention school with distinct trends per year group, and noisy candidates."""
    rng = np.random.default_rng(seed)
    rows = rows_from_rates("INT", "intervention", {y: [2.0, 2.0 + i * 0.3, 2.0 + i * 0.1] for i, y in enumerate(YEARS)})
    for k in range(n_noise):
        rows += rows_from_rates(
            f"C{k:02d}", "candidate", {y: list(np.round(rng.uniform(0.5, 4.0, 3), 2)) for y in YEARS}
        )
    return rows


TWIN = {y: [3.0, 3.0 + i * 0.3, 3.0 + i * 0.1] for i, y in enumerate(YEARS)}  # INT's trends at another level


def test_planted_twin_is_chosen_first():
    rows = base_rows() + rows_from_rates("TWIN", "candidate", TWIN)
    pairs = score_outcome(pd.DataFrame(rows), AUTUMN, 100, MatchSettings(per_school=1))
    best = pairs.iloc[0]
    assert best["candidate"] == "TWIN" and best["rank_period2"] == 1 and best["rank_period1"] == 1
    assert best["score_period2"] == 0 and best["score_period1"] == 0 and best["p_value"] > 0.05 and best["selected"]
    assert best["status"] == "selected" and pairs["selected"].sum() == 1


@pytest.mark.parametrize("u_test", ["ranks", "differences"])
def test_flipped_ranking_is_rejected_by_the_u_test(u_test):
    rows = base_rows(n_noise=10)
    # the intervention school's trends in the latest years, far from them in the earlier years
    flip = {y: [2.0 - 3 + 20 * (i + 1), 2.0 + i * 0.3, 2.0 + i * 0.1] for i, y in enumerate(YEARS)}
    rows += rows_from_rates("FLIP", "candidate", flip)
    pairs = score_outcome(pd.DataFrame(rows), AUTUMN, 100, MatchSettings(per_school=2, u_test=u_test))
    row = pairs.set_index("candidate").loc["FLIP"]
    assert row["rank_period2"] == 1 and row["rank_period1"] == 11
    assert row["status"] == "rejected" and row["p_value"] < 0.05 and not row["selected"]
    assert "did not persist" in row["reason"]
    # the next candidates in rank order take its place
    assert pairs["selected"].sum() == 2 and pairs.loc[pairs["selected"], "rank_period2"].min() >= 2


def test_ties_are_broken_deterministically():
    rows = base_rows() + rows_from_rates("TWIN_B", "candidate", TWIN) + rows_from_rates("TWIN_A", "candidate", TWIN)
    frame = pd.DataFrame(rows)
    first = score_outcome(frame, AUTUMN, 100)
    again = score_outcome(frame.sample(frac=1, random_state=7), AUTUMN, 100)
    assert first["candidate"].tolist()[:2] == ["TWIN_A", "TWIN_B"]  # equal scores in both periods: label order
    assert first["rank_period2"].tolist()[:2] == [1, 2]
    pd.testing.assert_frame_equal(first, again)


def test_score_ties_fall_back_to_the_other_period():
    period1, period2 = [1.0, 1.0, 0.5, np.nan], [2.0, 1.0, 3.0, np.nan]
    score = np.array([period1, period2])[None, :, None, :]  # (B=1, 2 periods, I=1, C=4)
    assert _order(score[:, 1], score[:, 0])[0, 0].tolist() == [1, 0, 2, 3]  # no ties; no score last
    # period 1: candidates 0 and 1 tie at 1.0; candidate 1 is closer in period 2
    assert _order(score[:, 0], score[:, 1])[0, 0].tolist() == [2, 1, 0, 3]


def test_order_matches_lexsort_on_random_ties():
    rng = np.random.default_rng(0)
    first = rng.integers(0, 4, (50, 30)).astype(float)
    second = rng.integers(0, 3, (50, 30)).astype(float)
    first[first == 3] = np.nan
    ref = np.lexsort(
        (np.broadcast_to(np.arange(30), first.shape), second, np.where(np.isnan(first), np.inf, first)), axis=-1
    )
    got = _order(first, second)
    finite = np.isfinite(np.take_along_axis(first, ref, -1))
    assert (got[finite] == ref[finite]).all()  # pairs without a score rank last, in any order


def test_missing_year_group_for_some_schools():
    rows = [r for r in base_rows() if not (r["school"] == "C03" and r["year_group"] == "Year 9")]
    # and one candidate lacks a year group in the oldest term only: no period-1 trend there
    rows = [r for r in rows if not (r["school"] == "C04" and r["year_group"] == "Year 8" and r["term"] == AUTUMN[0])]
    pairs = score_outcome(pd.DataFrame(rows), AUTUMN, 100).set_index("candidate")
    assert pairs.loc["C03", ["n_year_groups_period1", "n_year_groups_period2"]].tolist() == [4, 4]
    assert pairs.loc["C04", ["n_year_groups_period1", "n_year_groups_period2"]].tolist() == [4, 5]
    assert np.isfinite(pairs.loc["C03", "score_period2"])
    tr = trends(pd.DataFrame(rows), AUTUMN, 100)
    assert np.isnan(tr.loc["C03", (2, "Year 9")]) and np.isnan(tr.loc["C04", (1, "Year 8")])


def test_schools_without_a_common_year_group_are_not_comparable():
    rows = base_rows(n_noise=3)
    rows += rows_from_rates("PRIMARY", "candidate", {"Year 3": [1, 2, 3], "Year 4": [2, 2, 2]})
    pairs = score_outcome(pd.DataFrame(rows), AUTUMN, 100).set_index("candidate")
    assert pairs.loc["PRIMARY", "status"] == "not comparable" and pd.isna(pairs.loc["PRIMARY", "rank_period2"])


def test_fewer_candidates_than_requested_is_a_clear_shortfall():
    rows = rows_from_rates("INT", "intervention", {y: [2.0, 2.5, 2.2] for y in YEARS})
    rows += rows_from_rates("ONLY", "candidate", {y: [1.0, 1.4, 1.1] for y in YEARS})
    pairs = score_outcome(pd.DataFrame(rows), AUTUMN, 100, MatchSettings(per_school=2))
    assert pairs[["n_selected", "shortfall"]].values.tolist() == [[1, 1]]
    short = shortfall(pairs, 2)
    assert short.to_dict("records") == [{"intervention_school": "INT", "selected": 1, "requested": 2, "missing": 1}]


def test_no_candidate_at_all_is_an_error():
    rows = rows_from_rates("INT", "intervention", {y: [2.0, 2.5, 2.2] for y in YEARS})
    with pytest.raises(ValueError, match="one candidate"):
        score_outcome(pd.DataFrame(rows), AUTUMN, 100)


def test_school_is_never_its_own_comparator():
    admin = make_admin(4, 20, CFG)
    schools = sorted(admin["school"].unique())
    pairs = score_outcome(admin[admin["outcome"] == "s17"], AUTUMN, 100, schools=schools)
    assert not (pairs["intervention_school"] == pairs["candidate"]).any()
    assert len(pairs) == len(schools) * (len(schools) - 1)


def test_intervention_schools_are_not_candidates_and_comparators_may_repeat():
    admin = synthetic_authority(CFG, seed=2, n_candidates=25)
    pairs = match(admin, CFG)
    interventions = set(admin.loc[admin["group"] == "intervention", "school"])
    assert not set(pairs["candidate"]) & interventions
    chosen = pairs[pairs["selected"]].groupby(["outcome", "candidate"]).size()
    assert chosen.max() >= 2  # a comparator serving several intervention schools is allowed


def test_selection_is_the_same_when_every_candidate_is_tested():
    admin = synthetic_authority(CFG, seed=6, n_candidates=40)
    lazy = match(admin, CFG)
    full = match(admin, CFG, MatchSettings(test_all=True))
    assert (lazy["selected"] == full["selected"]).all()
    assert full.loc[full["status"] != "not comparable", "tested"].all()
    both = lazy["tested"]
    np.testing.assert_allclose(lazy.loc[both, "p_value"], full.loc[both, "p_value"])


def naive_scores(trend_i: np.ndarray, trend_c: np.ndarray, how: str, pool: np.ndarray) -> np.ndarray:
    """Score of each candidate, written out loop by loop (trends: (2, Y) and (C, 2, Y))."""
    out = np.full((trend_c.shape[0], 2), np.nan)
    for c in range(trend_c.shape[0]):
        for p in range(2):
            diffs = []
            for y in range(trend_i.shape[1]):
                a, b = trend_i[p, y], trend_c[c, p, y]
                if np.isnan(a) or np.isnan(b):
                    continue
                if how == "candidates":
                    sd = np.nanstd(pool[:, p, y], ddof=1)
                elif how == "pair":
                    sd = np.sqrt((np.nanvar(trend_i[p], ddof=1) + np.nanvar(trend_c[c, p], ddof=1)) / 2)
                else:
                    sd = 1.0
                diffs.append(abs(a - b) / sd)
            out[c, p] = np.mean(diffs) if diffs else np.nan
    return out


@pytest.mark.parametrize("how", ["candidates", "pair", "none"])
def test_scores_match_a_loop_by_loop_computation(how):
    rng = np.random.default_rng(11)
    trend = rng.normal(size=(1, 2, 6, 9))
    trend[0, 0, 2, 4] = np.nan
    trend[0, :, 5, 7] = np.nan
    sc = score_arrays(trend, np.array([0]), np.arange(1, 9), MatchSettings(standardise=how))
    by_school = np.moveaxis(trend[0], -1, 0)  # (S, 2, Y)
    expected = naive_scores(by_school[0], by_school[1:], how, by_school[1:])
    np.testing.assert_allclose(np.moveaxis(sc.score[0, :, 0], 0, -1), expected)


def test_year_group_ranks_are_average_ranks():
    rng = np.random.default_rng(5)
    d = np.round(rng.uniform(0, 2, (1, 2, 4, 1, 12)), 1)  # ties likely
    d[..., 3] = np.nan
    got = year_group_ranks(d, np.zeros(11, int), np.zeros(11, int), np.array([c for c in range(12) if c != 3]))
    for k, c in enumerate(c for c in range(12) if c != 3):
        for p in range(2):
            for y in range(4):
                row = d[0, p, y, 0]
                ranks = stats.rankdata(row[~np.isnan(row)])
                assert got[k, p, y] == ranks[np.flatnonzero(~np.isnan(row)).tolist().index(c)]


def test_mann_whitney_u_agrees_with_scipy():
    rng = np.random.default_rng(9)
    x = rng.integers(1, 8, (200, 7)).astype(float)
    y = rng.integers(1, 8, (200, 7)).astype(float)
    x[rng.random(x.shape) < 0.15] = np.nan
    y[:, 6] = np.nan
    u, p = mann_whitney_u(x, y)
    for k in range(200):
        a, b = x[k][~np.isnan(x[k])], y[k][~np.isnan(y[k])]
        if len(set(a) | set(b)) == 1:
            assert p[k] == 1.0
            continue
        ref = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic")
        assert u[k] == pytest.approx(ref.statistic) and p[k] == pytest.approx(ref.pvalue, rel=1e-9)


def test_year_group_details_reproduce_score_and_test():
    admin = synthetic_authority(CFG, seed=2, n_candidates=30)
    pairs = match(admin, CFG)
    details = year_group_details(admin, pairs, CFG)
    for first in pairs[pairs["selected"]].head(5).itertuples():
        d = details[
            (details["outcome"] == first.outcome)
            & (details["candidate"] == first.candidate)
            & (details["intervention_school"] == first.intervention_school)
        ]
        latest, earlier = d[d["period"] == 2], d[d["period"] == 1]
        assert latest["standardised_difference"].mean() == pytest.approx(first.score_period2, rel=1e-12)
        assert earlier["standardised_difference"].mean() == pytest.approx(first.score_period1, rel=1e-12)
        ref = stats.mannwhitneyu(
            latest["year_group_rank"].dropna(), earlier["year_group_rank"].dropna(), method="asymptotic"
        )
        assert ref.pvalue == pytest.approx(first.p_value, rel=1e-9)


def test_matched_panel_runs_through_the_estimator(tmp_path):
    from swis.data.panel import load_panel
    from swis.estimation.did import estimate_panel

    admin = synthetic_authority(CFG, seed=2, n_candidates=40)
    pairs = match(admin, CFG, MatchSettings(per_school=2))
    panel = matched_panel(admin, pairs, CFG)
    assert list(panel.columns) == [
        "authority",
        "outcome",
        "school",
        "group",
        "term",
        "count",
        "pupils",
        "printed_rate",
        "source",
    ]
    assert panel["source"].str.contains("SYNTHETIC").all() and (panel["printed_rate"] == "").all()
    # a comparator chosen for several schools appears once per outcome and term
    assert not panel.duplicated(["outcome", "school", "term"]).any()
    s17 = panel[panel["outcome"] == "s17"]
    chosen = set(pairs.loc[pairs["selected"] & (pairs["outcome"] == "s17"), "candidate"])
    assert set(s17.loc[s17["group"] == "control", "school"]) == chosen
    # counts and pupils are summed over year groups
    one = admin[
        (admin["school"] == s17["school"].iloc[0])
        & (admin["outcome"] == "s17")
        & (admin["term"] == s17["term"].iloc[0])
    ]
    assert s17[["count", "pupils"]].iloc[0].tolist() == [one["count"].sum(), one["pupils"].sum()]
    path = tmp_path / "synthetic_panel.csv"
    panel.to_csv(path, index=False)
    loaded = load_panel(path, CFG, corrections=False)
    assert set(loaded.outcomes) == {"s17", "s47", "days_in_care"}
    assert estimate_panel(loaded, "s17").table["irr"].notna().any()


def test_synthetic_data_are_labelled_and_sized_like_the_report():
    admin = synthetic_authority(load_config(paths.config_path("Southampton")), seed=1, n_candidates=40)
    assert admin["school"].str.startswith("SYN_").all() and admin["synthetic"].all() and admin.attrs["synthetic"]
    size = admin[admin["outcome"] == "s17"].groupby(["school", "term"])["pupils"].sum().groupby("school").mean()
    primary = size[size.index.str.contains("_PRI_")]
    secondary = size[size.index.str.contains("_SEC_")]
    assert primary.between(100, 650).all() and secondary.between(550, 2000).all()
    assert set(admin.loc[admin["group"] == "intervention", "school"]) == {"SYN_SOU_SEC_INT1", "SYN_SOU_SEC_INT2"}
    again = synthetic_authority(load_config(paths.config_path("Southampton")), seed=1, n_candidates=40)
    pd.testing.assert_frame_equal(admin, again)  # seeded


def test_trend_figure_is_titled_synthetic():
    import matplotlib

    matplotlib.use("Agg")
    admin = synthetic_authority(CFG, seed=2, n_candidates=20)
    fig = matching_trend_figure(school_rates(admin, CFG, "s47"), match(admin, CFG), CFG, "s47", LABEL)
    assert fig._suptitle.get_text().startswith("SYNTHETIC")


def test_term_order_merges_autumn_terms_chronologically():
    order = term_order(load_config(paths.config_path("Southampton")))
    assert order[:5] == ["2016-17 Term 1", "2017-18 Term 1", "2017-18 Term 2", "2017-18 Term 3", "2018-19 Term 1"]
    assert order[-1] == "2019-20 Term 1"


def test_settings_are_checked():
    with pytest.raises(ValueError, match="u_test"):
        MatchSettings(u_test="whole rankings")
    with pytest.raises(ValueError, match="per_school"):
        MatchSettings(per_school=0)
    assert len(MatchSettings().reasons()) == len(STATUS)


@pytest.mark.parametrize("workers", [1, 2])
def test_match_national_covers_every_authority(workers):
    frame = make_national(seed=3, n_schools=90, n_authorities=3)
    terms = ["Autumn 2016", "Autumn 2017", "Autumn 2018"]
    scales = {"s17": 100.0, "s47": 100.0, "days_in_care": 1.0}
    pairs = match_national(frame, terms, scales, MatchSettings(per_school=2), workers=workers)
    assert pairs.groupby(["authority", "outcome"], observed=True).ngroups == 9
    per_school = pairs.groupby(["authority", "outcome", "intervention_school"], observed=True)["selected"].sum()
    assert len(per_school) == 270 and (per_school <= 2).all()
    assert not (pairs["intervention_school"].astype(str) == pairs["candidate"].astype(str)).any()
    authority = frame.drop_duplicates("school").set_index("school")["authority"].astype(str)
    assert (authority.loc[pairs["candidate"].astype(str)].to_numpy() == pairs["authority"].astype(str)).all()
    # the same as matching each authority on its own
    one = frame[frame["authority"] == "SYN_LA001"].assign(school=lambda f: f["school"].astype(str))
    alone = score_outcome(one[one["outcome"] == "s47"], terms, 100, schools=sorted(one["school"].unique()))
    alone = alone[alone["tested"]].set_index(["intervention_school", "candidate"]).sort_index()
    national = pairs[(pairs["authority"] == "SYN_LA001") & (pairs["outcome"] == "s47")]
    national = (
        national.assign(
            intervention_school=national["intervention_school"].astype(str), candidate=national["candidate"].astype(str)
        )
        .set_index(["intervention_school", "candidate"])
        .sort_index()
    )
    np.testing.assert_allclose(national["p_value"], alone["p_value"])
    assert (national["selected"] == alone["selected"]).all()


# ------------------------------------------------------------------------------------------------
# The command line, through a local application


def cli():
    app = typer.Typer(add_completion=False)
    app.command("match")(match_command)

    @app.command()
    def other() -> None:  # a second command keeps "match" as a subcommand
        pass

    return app


def write_admin(tmp_path, frame, name="admin.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_cli_match_end_to_end(tmp_path):
    admin = write_admin(tmp_path, synthetic_authority(CFG, seed=5, n_candidates=25))
    out, panel, details = tmp_path / "m.csv", tmp_path / "p.csv", tmp_path / "d.csv"
    result = CliRunner().invoke(
        cli(),
        [
            "match",
            str(admin),
            "--config",
            STOCKPORT,
            "--per-school",
            "1",
            "--out",
            str(out),
            "--panel-out",
            str(panel),
            "--details-out",
            str(details),
        ],
    )
    assert result.exit_code == 0, result.output
    pairs = pd.read_csv(out)
    assert {
        "score_period1",
        "score_period2",
        "rank_period1",
        "rank_period2",
        "u_statistic",
        "p_value",
        "status",
        "reason",
        "n_selected",
        "shortfall",
    } <= set(pairs.columns)
    assert (pairs.groupby(["outcome", "intervention_school"])["selected"].sum() == 1).all()
    assert {"year_group_rank", "standardised_difference"} <= set(pd.read_csv(details).columns)
    from swis.cli import app

    did = CliRunner().invoke(app, ["did", str(panel), "--config", STOCKPORT, "--outcome", "s47"])
    assert did.exit_code == 0, did.output
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_cli_match_prints_selected_pairs_and_warns_of_shortfall(tmp_path):
    rows = rows_from_rates("INT", "intervention", {y: [2.0, 2.5, 2.2] for y in YEARS})
    rows += rows_from_rates("ONLY", "candidate", {y: [1.0, 1.4, 1.1] for y in YEARS})
    admin = write_admin(tmp_path, pd.DataFrame(rows))
    result = CliRunner().invoke(cli(), ["match", str(admin), "--config", STOCKPORT])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr and "INT has 1 of 2 comparators" in result.stderr
    assert "ONLY" in result.stdout


def test_cli_match_bad_input_exits_2_and_writes_nothing(tmp_path):
    frame = make_admin(5, 3, CFG).astype(str)
    frame.loc[0, "pupils"] = "none"
    frame.loc[3, "count"] = "-2"
    out = tmp_path / "m.csv"
    result = CliRunner().invoke(
        cli(), ["match", str(write_admin(tmp_path, frame)), "--config", STOCKPORT, "--out", str(out)]
    )
    assert result.exit_code == 2 and not out.exists()
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: {tmp_path / 'admin.csv'}:2: pupils: expected a whole number of pupils from 1 to 10,000, got 'none'",
        f"error: {tmp_path / 'admin.csv'}:5: count: expected a whole number from 0 to 100,000,000, got '-2'",
    ]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--per-school", "0"], "error: --per-school:0: per_school: expected a whole number >= 1, got 0"),
        (["--u-test", "whole"], "error: --u-test:0: u_test: expected one of ranks, differences"),
    ],
)
def test_cli_match_bad_options(tmp_path, args, expected):
    admin = write_admin(tmp_path, synthetic_authority(CFG, seed=5, n_candidates=5))
    result = CliRunner().invoke(cli(), ["match", str(admin), "--config", STOCKPORT, *args])
    assert result.exit_code == 2 and result.stderr.startswith(expected)


def test_cli_match_panel_needs_the_analysis_terms(tmp_path):
    frame = synthetic_authority(CFG, seed=5, n_candidates=5)
    admin = write_admin(tmp_path, frame[frame["term"] != "Autumn 2019"])
    panel = tmp_path / "p.csv"
    result = CliRunner().invoke(cli(), ["match", str(admin), "--config", STOCKPORT, "--panel-out", str(panel)])
    assert result.exit_code == 2 and "term: --panel-out needs rows for every term" in result.stderr
    assert not panel.exists()
