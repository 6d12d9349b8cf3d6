"""Choosing comparison schools by pre-intervention trends, as the report describes.

For each outcome separately:

1. In every school and academic year group, the rate (per 100 pupils, or
   per pupil for days in care) is computed in each pre-intervention autumn
   term, and its *trend* is the change between two consecutive autumn terms:
   period 2 is the latest pair (e.g. 2017 to 2018), period 1 the pair
   before it (2016 to 2017).
2. For an intervention school *i* and a candidate *c*, the absolute
   difference of their trends in year group *y* is standardised by the
   standard deviation of the trends of all candidate schools in that year
   group and period (``standardise="candidates"``; ``"none"`` leaves the
   differences raw; where the candidates have no spread, as with a single
   candidate, the difference is left unstandardised). The report says only "standardised absolute
   differences"; standardising against the candidates' spread puts year
   groups with volatile rates on the same footing as stable ones.
3. The pair's *score* in a period is the mean of the standardised
   differences over the year groups both schools have; lower is closer.
4. Candidates are ranked by their period-2 score. Ties are broken by the
   period-1 score, then by the school label in sort order, so the result
   never depends on row order.
5. Robustness: the report compares "the ranking of the school matches"
   from the two periods with a Mann-Whitney U test and rejects a match at
   p < 0.05. The reading taken here (``u_test="ranks"``): in each year
   group, candidates are ranked by their standardised difference from the
   intervention school; the candidate's ranks over year groups in period 2
   are compared with its ranks in period 1. A candidate that is close in
   one period and far in the other has shifted ranks and is rejected. The
   alternative (``u_test="differences"``) compares the standardised
   differences themselves.
6. For each intervention school the ``per_school`` best-ranked candidates
   that pass the test are kept (the report: two in Southampton and Lambeth,
   one in Stockport). A candidate may be chosen for several intervention
   schools; it enters the estimation panel once, since the school fixed
   effect makes duplicate rows meaningless.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class MatchSettings:
    """Settings of the matching procedure (module docstring).

    Parameters
    ----------
    per_school : int
        Comparators kept per intervention school and outcome.
    alpha : float
        Significance level of the Mann-Whitney U test (reject below it).
    standardise : {"candidates", "none"}
        How absolute trend differences are standardised.
    u_test : {"ranks", "differences"}
        What the U test compares between the two periods.
    shortlist : int
        Best-ranked candidates tested per intervention school (the U test is
        run only on these; 0 tests every candidate).
    """

    per_school: int = 2
    alpha: float = 0.05
    standardise: str = "candidates"
    u_test: str = "ranks"
    shortlist: int = 10


def trends(admin: pd.DataFrame, autumn_terms: list[str], scale: float) -> pd.DataFrame:
    """Trend of each school and year group in the two periods.

    Returns
    -------
    DataFrame
        Index ``school``, columns (period, year_group) with period 1 and 2;
        NaN where a year group is missing in either term of a period.
    """
    t0, t1, t2 = autumn_terms[-3:]
    rate = admin["count"].to_numpy(float) / admin["pupils"].to_numpy(float) * scale
    index = pd.MultiIndex.from_arrays([admin["school"], admin["term"], admin["year_group"]])
    wide = pd.Series(rate, index=index).unstack(["term", "year_group"])
    p1 = wide[t1] - wide[t0]
    p2 = wide[t2] - wide[t1]
    return pd.concat({1: p1, 2: p2}, axis=1)


def _standardised(tr: pd.DataFrame, schools: list[str], candidates: list[str], how: str) -> np.ndarray:
    """|trend_i - trend_c| / sd, shape (periods, I, C, Y)."""
    years = sorted(set(tr.columns.get_level_values(1)))
    out = []
    for period in (1, 2):
        block = tr[period].reindex(columns=years)
        a = block.loc[schools].to_numpy()[:, None, :]
        b = block.loc[candidates].to_numpy()[None, :, :]
        diff = np.abs(a - b)
        if how == "candidates":
            with warnings.catch_warnings():  # a single candidate has no spread
                warnings.simplefilter("ignore", RuntimeWarning)
                sd = np.nanstd(block.loc[candidates].to_numpy(), axis=0, ddof=1)
            # no spread to standardise by (one candidate, or identical trends): leave unstandardised
            sd = np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)
            diff = diff / sd[None, None, :]
        out.append(diff)
    return np.stack(out), years


def _ranks(values: np.ndarray, candidates: np.ndarray, keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """Rank (1 = best) of each candidate along the last axis by lexicographic keys."""
    order = np.lexsort((candidates[None, :].repeat(values.shape[0], 0),) + keys, axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, order.shape[1] + 1)[None, :].repeat(order.shape[0], 0), axis=-1)
    return ranks


def _year_group_ranks(d: np.ndarray, ii: np.ndarray, cc: np.ndarray) -> np.ndarray:
    """Average rank of candidate cc among all candidates of school ii, per period and year group.

    Only the pairs tested are ranked (shape (periods, pairs, year groups));
    NaN where the pair has no data in that year group.
    """
    rows = d[:, ii]  # (periods, pairs, candidates, years)
    own = d[:, ii, cc][:, :, None, :]
    with np.errstate(invalid="ignore"):
        below = np.sum(rows < own, axis=2)
        ties = np.sum(rows == own, axis=2)
    ranks = below + (ties + 1) / 2.0
    return np.where(np.isnan(d[:, ii, cc]), np.nan, ranks)


def _u_tests(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mann-Whitney U of x against y along the last axis (NaNs dropped pair by pair)."""
    if not (np.isnan(x).any() or np.isnan(y).any()):
        res = stats.mannwhitneyu(x, y, axis=-1, alternative="two-sided", method="asymptotic")
        return res.statistic, res.pvalue
    u, p = np.full(x.shape[:-1], np.nan), np.full(x.shape[:-1], np.nan)
    for idx in np.ndindex(x.shape[:-1]):
        a, b = x[idx][~np.isnan(x[idx])], y[idx][~np.isnan(y[idx])]
        if len(a) and len(b):
            res = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic")
            u[idx], p[idx] = res.statistic, res.pvalue
    return u, p


def score_outcome(admin: pd.DataFrame, autumn_terms: list[str], scale: float,
                  settings: MatchSettings = MatchSettings(), schools: list[str] | None = None) -> pd.DataFrame:
    """Score, rank and test every intervention-candidate pair of one outcome.

    Parameters
    ----------
    admin : DataFrame
        One outcome's rows: ``school, group, year_group, term, count, pupils``.
    autumn_terms : list of str
        Pre-intervention autumn terms, oldest first (the last three are used).
    scale : float
        Rate scale (100 per 100 pupils; 1 per pupil).
    settings : MatchSettings
    schools : list of str, optional
        Schools to match (default: the intervention schools). Candidates are
        the ``candidate`` schools, or every other school when ``schools`` is
        given (a school is never its own comparator).

    Returns
    -------
    DataFrame
        One row per pair: scores and ranks in both periods, U statistic,
        p-value, status and reason.
    """
    tr = trends(admin, autumn_terms, scale)
    groups = admin.drop_duplicates("school").set_index("school")["group"]
    targets = schools or sorted(groups[groups == "intervention"].index)
    pool = sorted(groups.index) if schools else sorted(groups[groups == "candidate"].index)
    d, years = _standardised(tr, targets, pool, settings.standardise)
    same = np.array(targets)[:, None] == np.array(pool)[None, :]
    d[:, same] = np.nan
    with warnings.catch_warnings():  # pairs with no common year group give NaN, by design
        warnings.simplefilter("ignore", RuntimeWarning)
        score = np.nanmean(d, axis=-1) if d.shape[-1] else np.full(d.shape[:-1], np.nan)
    score = np.where(same[None], np.nan, score)
    n_years = np.sum(~np.isnan(d[1]) & ~np.isnan(d[0]), axis=-1)
    big = np.where(np.isnan(score), np.inf, score)
    labels = np.arange(len(pool))
    rank2 = _ranks(big[1], labels, (big[0], big[1]))
    rank1 = _ranks(big[0], labels, (big[1], big[0]))
    return _pair_table(targets, pool, d, score, n_years, rank1, rank2, settings)


def _pair_table(targets, pool, d, score, n_years, rank1, rank2, settings: MatchSettings) -> pd.DataFrame:
    """Test the shortlist of each intervention school and select its comparators."""
    n_short = settings.shortlist or len(pool)
    tested = (rank2 <= n_short) & np.isfinite(score[1])
    ii, cc = np.nonzero(tested)
    u = np.full(score[1].shape, np.nan)
    p = np.full(score[1].shape, np.nan)
    if len(ii):
        both = _year_group_ranks(d, ii, cc) if settings.u_test == "ranks" else d[:, ii, cc]
        u[ii, cc], p[ii, cc] = _u_tests(both[1], both[0])
    # categorical labels: a national run builds millions of pairs, and strings would dominate its time
    table = pd.DataFrame({
        "intervention_school": pd.Categorical.from_codes(np.repeat(np.arange(len(targets)), len(pool)), targets),
        "candidate": pd.Categorical.from_codes(np.tile(np.arange(len(pool)), len(targets)), pool),
        "n_year_groups": n_years.ravel(), "score_period1": score[0].ravel(), "score_period2": score[1].ravel(),
        "rank_period1": rank1.ravel(), "rank_period2": rank2.ravel(), "u_statistic": u.ravel(), "p_value": p.ravel(),
    })
    table = table[table["intervention_school"].astype(str).to_numpy() != table["candidate"].astype(str).to_numpy()] \
        if set(targets) & set(pool) else table
    return _select(table, settings)


def _select(table: pd.DataFrame, settings: MatchSettings) -> pd.DataFrame:
    """Status of every pair: selected, accepted (not needed), rejected, not tested."""
    table = table.sort_values(["intervention_school", "rank_period2"]).reset_index(drop=True)
    rejected = table["p_value"] < settings.alpha
    passed = table["p_value"].notna() & ~rejected
    order = passed.groupby(table["intervention_school"]).cumsum()
    selected = passed & (order <= settings.per_school)
    code = np.select([selected, passed, rejected, table["score_period2"].isna()], [0, 1, 2, 3], 4)
    status = ["selected", "accepted, not needed", "rejected", "not comparable", "not tested"]
    reason = ["among the best-ranked candidates whose ranking held in both periods",
              f"passed the U test, but {settings.per_school} better-ranked candidates were kept",
              f"U test p < {settings.alpha}: the match did not persist over time",
              "no year group with data in both schools", f"beyond the shortlist of {settings.shortlist}"]
    return table.assign(selected=selected, status=pd.Categorical.from_codes(code, status),
                        reason=pd.Categorical.from_codes(code, reason))


def shortfall(pairs: pd.DataFrame, per_school: int) -> pd.DataFrame:
    """Intervention schools with fewer selected comparators than requested."""
    got = pairs.groupby("intervention_school")["selected"].sum().astype(int)
    short = got[got < per_school]
    return pd.DataFrame({"intervention_school": short.index, "selected": short.to_numpy(),
                         "requested": per_school, "missing": per_school - short.to_numpy()})


def match(admin: pd.DataFrame, config, settings: MatchSettings = MatchSettings()) -> pd.DataFrame:
    """Match every outcome in the admin data; one row per intervention-candidate pair.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.synthetic import make_admin
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> pairs = match(make_admin(cfg, seed=1, n_candidates=30), cfg, MatchSettings(per_school=1))
    >>> int(pairs.groupby(["outcome", "intervention_school"])["selected"].sum().max())
    1
    """
    out = []
    for outcome, rows in admin.groupby("outcome", sort=False):
        scale = config.outcomes[outcome].scale
        pairs = score_outcome(rows, list(config.autumn_terms), scale, settings)
        out.append(pairs.assign(outcome=outcome))
    cols = ["outcome", "intervention_school", "candidate"]
    result = pd.concat(out, ignore_index=True)
    return result[cols + [c for c in result.columns if c not in cols]]


def matched_panel(admin: pd.DataFrame, pairs: pd.DataFrame, config) -> pd.DataFrame:
    """The selected schools' panel in the estimator's schema (year groups summed).

    Terms are those of ``config.terms`` present in the admin data. Each
    school appears once per outcome, however many intervention schools
    chose it.
    """
    rows = []
    for outcome, chosen in pairs[pairs["selected"]].groupby("outcome"):
        schools = set(chosen["intervention_school"]) | set(chosen["candidate"])
        d = admin[(admin["outcome"] == outcome) & admin["school"].isin(schools) & admin["term"].isin(config.terms)]
        agg = d.groupby(["school", "group", "term"], as_index=False)[["count", "pupils"]].sum()
        rows.append(agg.assign(outcome=outcome))
    panel = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["school", "group", "term", "count", "pupils", "outcome"])
    panel["group"] = panel["group"].replace({"candidate": "control"})
    panel["authority"] = config.authority
    panel["printed_rate"] = ""
    order = {t: i for i, t in enumerate(config.terms)}
    panel = panel.sort_values(["outcome", "group", "school", "term"], key=lambda s: s.map(order) if s.name == "term" else s)
    return panel[["authority", "outcome", "school", "group", "term", "count", "pupils", "printed_rate"]]


def trend_figure(admin: pd.DataFrame, pairs: pd.DataFrame, config, outcome: str, label: str = "SYNTHETIC data"):
    """Parallel-trend check: each intervention school against its selected comparators.

    Rates are summed over year groups (events / pupils) in each term of the
    data; one panel per intervention school.
    """
    import matplotlib.pyplot as plt

    chosen = pairs[(pairs["outcome"] == outcome) & pairs["selected"]]
    targets = sorted(chosen["intervention_school"].unique())
    terms = [t for t in dict.fromkeys([*config.autumn_terms, *config.terms]) if t in set(admin["term"])]
    d = admin[admin["outcome"] == outcome].groupby(["school", "term"])[["count", "pupils"]].sum()
    rate = (d["count"] / d["pupils"] * config.outcomes[outcome].scale).unstack("term").reindex(columns=terms)
    fig, axes = plt.subplots(1, max(len(targets), 1), figsize=(4.2 * max(len(targets), 1), 3.4),
                             layout="constrained", squeeze=False, sharey=True)
    for ax, school in zip(axes[0], targets):
        ax.plot(range(len(terms)), rate.loc[school], "-o", color="#D55E00", label=school)
        for cand in chosen.loc[chosen["intervention_school"] == school, "candidate"]:
            ax.plot(range(len(terms)), rate.loc[cand], "--s", color="#0072B2", alpha=0.8, label=cand)
        ax.set_xticks(range(len(terms)), terms, rotation=35, ha="right", fontsize=8)
        ax.legend(fontsize=7, frameon=False)
        ax.set_title(school, fontsize=9)
    axes[0][0].set_ylabel(f"{config.outcomes[outcome].label} {config.outcomes[outcome].unit}")
    fig.suptitle(f"{label}: {config.outcomes[outcome].in_text}, intervention schools (solid) and chosen comparators (dashed)",
                 fontsize=10)
    return fig


def selection_display(pairs: pd.DataFrame) -> pd.DataFrame:
    """Selected comparators with their scores, ranks and test, for display."""
    sel = pairs[pairs["selected"]]
    return pd.DataFrame({
        "Outcome": sel["outcome"], "Intervention school": sel["intervention_school"], "Comparator": sel["candidate"],
        "Year groups": sel["n_year_groups"], "Score (latest years)": sel["score_period2"].round(3),
        "Score (earlier years)": sel["score_period1"].round(3), "Rank (latest)": sel["rank_period2"],
        "Rank (earlier)": sel["rank_period1"], "U": sel["u_statistic"], "p-value": sel["p_value"].round(3),
    }).reset_index(drop=True)


def tests_display(pairs: pd.DataFrame) -> pd.DataFrame:
    """Every candidate that was tested, with the U test and the decision."""
    t = pairs[pairs["p_value"].notna()]
    return pd.DataFrame({
        "Outcome": t["outcome"], "Intervention school": t["intervention_school"], "Candidate": t["candidate"],
        "Rank (latest)": t["rank_period2"], "Rank (earlier)": t["rank_period1"], "U": t["u_statistic"],
        "p-value": t["p_value"].round(3), "Decision": t["status"],
    }).reset_index(drop=True)


_NATIONAL: dict = {}


def _national_group(key) -> pd.DataFrame:
    frame, terms, scales, settings, keep = (_NATIONAL[k] for k in ("frame", "terms", "scales", "settings", "keep"))
    authority, outcome = key
    rows = frame.loc[key]
    schools = sorted(rows["school"].unique())
    pairs = score_outcome(rows, terms, scales[outcome], settings, schools=schools)
    if keep == "tested":  # scores of untested pairs are dropped to keep a national run small
        pairs = pairs[pairs["p_value"].notna()]
    return pairs.assign(authority=authority, outcome=outcome)


def match_national(frame: pd.DataFrame, autumn_terms: list[str], scales: dict[str, float],
                   settings: MatchSettings = MatchSettings(), workers: int = 2,
                   keep: str = "tested") -> list[pd.DataFrame]:
    """Match every school against every other school of its authority, for each outcome.

    ``frame`` is an admin file with an ``authority`` column (a national
    file). Authorities are processed in parallel by ``workers`` forked
    processes (the data are shared, not copied, on fork). ``keep="tested"``
    returns the shortlisted pairs (scores, ranks, U tests, decisions);
    ``keep="all"`` every pair, which for a national file runs to millions.

    Returns
    -------
    list of DataFrame
        One pair table per authority and outcome (see :func:`score_outcome`).
    """
    import multiprocessing as mp

    indexed = frame.set_index(["authority", "outcome"]).sort_index()
    keys = list(dict.fromkeys(indexed.index))
    _NATIONAL.update(frame=indexed, terms=autumn_terms, scales=scales, settings=settings, keep=keep)
    try:
        if workers <= 1:
            return [_national_group(k) for k in keys]
        with mp.get_context("fork").Pool(workers) as pool:
            return pool.map(_national_group, keys, chunksize=max(1, len(keys) // (8 * workers)))
    finally:
        _NATIONAL.clear()


def year_group_details(admin: pd.DataFrame, pairs: pd.DataFrame, config, settings: MatchSettings = MatchSettings(),
                       only_selected: bool = True) -> pd.DataFrame:
    """Per year group intermediates of each (selected) pair: trends and standardised differences.

    Returns
    -------
    DataFrame
        ``outcome, intervention_school, candidate, year_group, period, trend_intervention,
        trend_candidate, sd_candidates, standardised_difference``.
    """
    rows = []
    chosen = pairs[pairs["selected"]] if only_selected else pairs[pairs["p_value"].notna()]
    for outcome, sel in chosen.groupby("outcome", observed=True):
        data = admin[admin["outcome"] == outcome]
        tr = trends(data, list(config.autumn_terms), config.outcomes[outcome].scale)
        groups = data.drop_duplicates("school").set_index("school")["group"]
        pool = groups[groups == "candidate"].index
        for period in (1, 2):
            block = tr[period]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                sd = block.loc[block.index.intersection(pool)].std(ddof=1)
            sd = sd.where(np.isfinite(sd) & (sd > 0), 1.0) if settings.standardise == "candidates" else sd * 0 + 1.0
            for r in sel.itertuples():
                i, c = str(r.intervention_school), str(r.candidate)
                diff = (block.loc[i] - block.loc[c]).abs() / sd
                rows.append(pd.DataFrame({"outcome": outcome, "intervention_school": i, "candidate": c,
                                          "year_group": block.columns, "period": period,
                                          "trend_intervention": block.loc[i].to_numpy(),
                                          "trend_candidate": block.loc[c].to_numpy(),
                                          "sd_candidates": sd.to_numpy(), "standardised_difference": diff.to_numpy()}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
