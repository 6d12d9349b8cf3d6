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
    rate = admin.assign(rate=admin["count"] / admin["pupils"] * scale)
    wide = rate.pivot_table(index="school", columns=["term", "year_group"], values="rate", aggfunc="first")
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


def _year_group_ranks(d: np.ndarray) -> np.ndarray:
    """Rank of each candidate among candidates within (period, school, year group); NaN kept."""
    return stats.rankdata(d, axis=2, nan_policy="omit")


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
    if settings.u_test == "ranks":
        r = _year_group_ranks(d)
        x, y = r[1], r[0]
    else:
        x, y = d[1], d[0]
    ii, cc = np.nonzero(tested)
    u = np.full(score[1].shape, np.nan)
    p = np.full(score[1].shape, np.nan)
    if len(ii):
        u[ii, cc], p[ii, cc] = _u_tests(x[ii, cc], y[ii, cc])
    table = pd.DataFrame({
        "intervention_school": np.repeat(targets, len(pool)), "candidate": np.tile(pool, len(targets)),
        "n_year_groups": n_years.ravel(), "score_period1": score[0].ravel(), "score_period2": score[1].ravel(),
        "rank_period1": rank1.ravel(), "rank_period2": rank2.ravel(), "u_statistic": u.ravel(), "p_value": p.ravel(),
    })
    table = table[table["intervention_school"] != table["candidate"]]
    return _select(table, settings)


def _select(table: pd.DataFrame, settings: MatchSettings) -> pd.DataFrame:
    """Status of every pair: selected, accepted (not needed), rejected, not tested."""
    table = table.sort_values(["intervention_school", "rank_period2"]).reset_index(drop=True)
    rejected = table["p_value"] < settings.alpha
    passed = table["p_value"].notna() & ~rejected
    order = passed.groupby(table["intervention_school"]).cumsum()
    selected = passed & (order <= settings.per_school)
    status = np.select([selected, passed, rejected, table["score_period2"].isna()],
                       ["selected", "accepted, not needed", "rejected", "not comparable"], "not tested")
    reason = np.select(
        [selected, passed, rejected, table["score_period2"].isna()],
        ["among the best-ranked candidates whose ranking held in both periods",
         f"passed the U test, but {settings.per_school} better-ranked candidates were kept",
         table["p_value"].map(lambda v: f"U test p = {v:.3f} < {settings.alpha}: the match did not persist"),
         "no year group with data in both schools"],
        f"beyond the shortlist of {settings.shortlist}")
    return table.assign(selected=selected, status=status, reason=reason)


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
