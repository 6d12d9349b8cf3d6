"""Step 6 of the matching, and the whole of it for one authority: score, rank, test, select.

:func:`score_arrays` is the vectorised core on arrays; :func:`score_outcome`
and :func:`match` run it on an authority's admin rows and return one row per
intervention-candidate pair with every intermediate number, the decision and
its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from swis.matching.robustness import u_test_in_order
from swis.matching.scores import pair_scores, rank_candidates, standardised_differences, year_group_ranks
from swis.matching.settings import STATUS, MatchSettings
from swis.matching.trends import dense_trends


@dataclass
class Scored:
    """Every intermediate array of one run.

    ``d`` (B, 2, Y, I, C) holds the standardised differences and ``sd`` the
    standardiser (broadcastable to ``d``); ``score``, ``n`` (year groups) and
    ``rank`` are (B, 2, I, C) with period 1 at index 0; ``u``, ``p``,
    ``tested``, ``selected`` and ``status`` (codes into :data:`STATUS`) are
    (B, I, C).
    """

    d: np.ndarray
    sd: np.ndarray
    score: np.ndarray
    n: np.ndarray
    rank: np.ndarray
    u: np.ndarray
    p: np.ndarray
    tested: np.ndarray
    selected: np.ndarray
    status: np.ndarray


def _decide(score: np.ndarray, p: np.ndarray, tested: np.ndarray, order: np.ndarray, settings: MatchSettings):
    """Selected pairs (the first ``per_school`` passes in rank order) and the status code of every pair."""
    with np.errstate(invalid="ignore"):
        passed, rejected = tested & (p >= settings.alpha), tested & (p < settings.alpha)
    in_order = np.take_along_axis(passed, order, axis=-1)
    keep = in_order & (np.cumsum(in_order, axis=-1) <= settings.per_school)
    selected = np.zeros_like(passed)
    np.put_along_axis(selected, order, keep, axis=-1)
    status = np.select(
        [selected, passed, rejected, tested & np.isnan(p), ~np.isfinite(score[:, 1])], [0, 1, 2, 3, 4], 5
    ).astype(np.int8)
    return selected, status


def score_arrays(
    trend: np.ndarray, targets: np.ndarray, pool: np.ndarray, settings: MatchSettings = MatchSettings()
) -> Scored:
    """Score, rank, test and select, on arrays: the vectorised core of the matching.

    Parameters
    ----------
    trend : ndarray
        Trends (B outcomes, 2 periods, Y year groups, S schools); NaN where missing.
    targets, pool : ndarray of int
        Schools to match and candidate schools (indices into S; the pool in
        label order, which breaks the last ties). A school in both is never
        paired with itself.
    settings : MatchSettings

    Returns
    -------
    Scored

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> trend = rng.normal(size=(1, 2, 5, 6))
    >>> trend[..., 5] = trend[..., 0]  # school 5 has exactly school 0's trends
    >>> sc = score_arrays(trend, np.array([0]), np.arange(1, 6), MatchSettings(per_school=1))
    >>> int(sc.rank[0, 1, 0, 4]), bool(sc.selected[0, 0, 4])
    (1, True)
    """
    d, sd = standardised_differences(
        np.asarray(trend, float), np.asarray(targets), np.asarray(pool), settings.standardise
    )
    score, n = pair_scores(d)
    rank, order = rank_candidates(score)
    u, p, tested = u_test_in_order(d, score, order, settings)
    selected, status = _decide(score, p, tested, order, settings)
    return Scored(d, sd, score, n, rank, u, p, tested, selected, status)


def pair_arrays(sc: Scored, at: tuple[np.ndarray, ...], settings: MatchSettings) -> dict[str, np.ndarray]:
    """The numeric and decision columns of the pair table for pairs ``at`` = (bb, ii, cc), as arrays."""
    bb, ii, cc = at
    n_selected = sc.selected.sum(axis=-1)[bb, ii]
    return {
        "n_year_groups_period1": sc.n[bb, 0, ii, cc],
        "n_year_groups_period2": sc.n[bb, 1, ii, cc],
        "score_period1": sc.score[bb, 0, ii, cc],
        "score_period2": sc.score[bb, 1, ii, cc],
        "rank_period1": sc.rank[bb, 0, ii, cc],
        "rank_period2": sc.rank[bb, 1, ii, cc],
        "u_statistic": sc.u[at],
        "p_value": sc.p[at],
        "tested": sc.tested[at],
        "selected": sc.selected[at],
        "status": sc.status[at],
        "n_selected": n_selected,
        "shortfall": np.maximum(settings.per_school - n_selected, 0),
    }


def pair_columns(arrays: dict[str, np.ndarray], settings: MatchSettings) -> dict:
    """Table columns from :func:`pair_arrays`: nullable ranks, status and reason as categories."""
    out = dict(arrays)
    for p in ("1", "2"):
        missing = ~np.isfinite(arrays["score_period" + p])
        ranks = np.where(missing, 0, arrays["rank_period" + p]).astype(np.int32)
        out["rank_period" + p] = pd.arrays.IntegerArray(ranks, missing)
    codes = arrays["status"]
    out["status"] = pd.Categorical.from_codes(codes, STATUS)
    reason = pd.Categorical.from_codes(codes, settings.reasons())
    order = list(out)
    order.insert(order.index("status") + 1, "reason")
    out["reason"] = reason
    return {k: out[k] for k in order}


@dataclass
class _Run:
    """One outcome's matching: arrays, and the labels their indices stand for."""

    scored: Scored
    trend: np.ndarray  # (1, 2, Y, S)
    labels: list[str]  # all schools, sorted
    targets: np.ndarray  # indices into labels
    pool: np.ndarray
    years: list[str]

    @property
    def target_labels(self) -> list[str]:
        return [self.labels[i] for i in self.targets]

    @property
    def pool_labels(self) -> list[str]:
        return [self.labels[i] for i in self.pool]


def _outcome_run(
    admin: pd.DataFrame, autumn_terms: list[str], scale: float, settings: MatchSettings, schools: list[str] | None
) -> _Run:
    """Trends, targets and pool of one outcome's rows, and the scored arrays."""
    arr, labels, years = dense_trends(admin, autumn_terms, np.array([float(scale)]), np.zeros(len(admin), int))
    first = admin.drop_duplicates("school")
    group = pd.Series(first["group"].astype(str).to_numpy(), index=first["school"].astype(str)).reindex(labels)
    group = group.to_numpy()
    if schools is None:
        targets, pool = np.flatnonzero(group == "intervention"), np.flatnonzero(group == "candidate")
    else:
        wanted = set(map(str, schools))
        targets, pool = np.array([i for i, s in enumerate(labels) if s in wanted], int), np.arange(len(labels))
    if not len(targets) or not len(pool):
        raise ValueError(
            f"matching needs at least one school to match and one candidate (got {len(targets)} and {len(pool)})"
        )
    return _Run(score_arrays(arr, targets, pool, settings), arr, labels, targets, pool, years)


def score_outcome(
    admin: pd.DataFrame,
    autumn_terms: list[str],
    scale: float,
    settings: MatchSettings = MatchSettings(),
    schools: list[str] | None = None,
) -> pd.DataFrame:
    """Score, rank, test and select every intervention-candidate pair of one outcome.

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
        Schools to match (default: the ``intervention`` schools, against the
        ``candidate`` schools). When given, every school is a candidate for
        every other.

    Returns
    -------
    DataFrame
        One row per pair, ordered by intervention school and period-2 rank:
        ``intervention_school, candidate, n_year_groups_period1/2,
        score_period1/2, rank_period1/2, u_statistic, p_value, tested,
        selected, status, reason, n_selected, shortfall``.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.synthetic import synthetic_authority
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> admin = synthetic_authority(cfg, seed=1, n_candidates=30)
    >>> pairs = score_outcome(admin[admin["outcome"] == "s17"], cfg.autumn_terms, 100)
    >>> int(pairs.groupby("intervention_school")["selected"].sum().max())
    2
    """
    run = _outcome_run(admin, list(autumn_terms), scale, settings, schools)
    sc, targets, pool = run.scored, run.target_labels, run.pool_labels
    mask = np.array(targets)[:, None] != np.array(pool)[None, :]
    bb, ii, cc = np.nonzero(mask[None])
    order = np.lexsort((cc, sc.rank[bb, 1, ii, cc], ii))
    bb, ii, cc = bb[order], ii[order], cc[order]
    frame = pd.DataFrame(
        {"intervention_school": np.array(targets, dtype=object)[ii], "candidate": np.array(pool, dtype=object)[cc]}
    )
    for name, values in pair_columns(pair_arrays(sc, (bb, ii, cc), settings), settings).items():
        frame[name] = values
    return frame


def match(admin: pd.DataFrame, config, settings: MatchSettings = MatchSettings()) -> pd.DataFrame:
    """Match every outcome of one authority's admin data; one row per intervention-candidate pair.

    Parameters
    ----------
    admin : DataFrame
        Checked admin rows (:func:`swis.data.admin.load_admin`).
    config : swis.config.Config
        Gives the autumn terms and each outcome's rate scale.
    settings : MatchSettings

    Returns
    -------
    DataFrame
        :func:`score_outcome`'s table with an ``outcome`` column first, outcomes
        in the config's order.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.synthetic import synthetic_authority
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> pairs = match(synthetic_authority(cfg, seed=1, n_candidates=30), cfg, MatchSettings(per_school=1))
    >>> int(pairs.groupby(["outcome", "intervention_school"])["selected"].sum().max())
    1
    """
    out = []
    present = set(admin["outcome"].astype(str))
    for outcome in [o for o in config.outcomes if o in present]:
        rows = admin[admin["outcome"].astype(str) == outcome]
        pairs = score_outcome(rows, list(config.autumn_terms), config.outcomes[outcome].scale, settings)
        out.append(pairs.assign(outcome=outcome))
    result = pd.concat(out, ignore_index=True)
    return result[["outcome"] + [c for c in result.columns if c != "outcome"]]


def shortfall(pairs: pd.DataFrame, per_school: int) -> pd.DataFrame:
    """Intervention schools (per outcome, when the table has outcomes) with fewer comparators than requested.

    Examples
    --------
    >>> pairs = pd.DataFrame({"intervention_school": ["A", "A", "B"], "selected": [True, False, False]})
    >>> shortfall(pairs, 2).to_dict("records")
    [{'intervention_school': 'A', 'selected': 1, 'requested': 2, 'missing': 1}, \
{'intervention_school': 'B', 'selected': 0, 'requested': 2, 'missing': 2}]
    """
    keys = [k for k in ("outcome", "intervention_school") if k in pairs.columns]
    got = pairs.groupby(keys, observed=True, sort=True)["selected"].sum().astype(int).reset_index()
    short = got[got["selected"] < per_school].reset_index(drop=True)
    return short.assign(requested=per_school, missing=per_school - short["selected"])


DETAIL_COLUMNS = (
    "outcome",
    "intervention_school",
    "candidate",
    "period",
    "terms",
    "year_group",
    "trend_intervention",
    "trend_candidate",
    "standardiser",
    "standardised_difference",
    "year_group_rank",
)


def _pair_details(run: _Run, sel: pd.DataFrame, spans: dict[int, str]) -> pd.DataFrame:
    """Year-group intermediates of the pairs ``sel`` of one outcome's run, one row per pair, period and year group."""
    sc, years = run.scored, run.years
    ii = pd.Index(run.target_labels).get_indexer(sel["intervention_school"].astype(str))
    cc = pd.Index(run.pool_labels).get_indexer(sel["candidate"].astype(str))
    bb = np.zeros(len(ii), int)
    ranks = year_group_ranks(sc.d, bb, ii, cc)  # (P, 2, Y)
    sd = np.broadcast_to(sc.sd, sc.d.shape)[bb, :, :, ii, cc]
    trend_i = np.moveaxis(run.trend[0][..., run.targets[ii]], -1, 0)
    trend_c = np.moveaxis(run.trend[0][..., run.pool[cc]], -1, 0)
    shape = (len(ii), 2, len(years))
    grid = {
        "pair": np.arange(len(ii))[:, None, None],
        "period": np.array([1, 2])[None, :, None],
        "year": np.arange(len(years))[None, None, :],
    }
    g = {k: np.broadcast_to(v, shape).ravel() for k, v in grid.items()}
    return pd.DataFrame(
        {
            "intervention_school": np.array(run.target_labels, dtype=object)[ii][g["pair"]],
            "candidate": np.array(run.pool_labels, dtype=object)[cc][g["pair"]],
            "period": g["period"],
            "terms": [spans[p] for p in g["period"]],
            "year_group": np.array(years, dtype=object)[g["year"]],
            "trend_intervention": trend_i.ravel(),
            "trend_candidate": trend_c.ravel(),
            "standardiser": sd.ravel(),
            "standardised_difference": sc.d[bb, :, :, ii, cc].ravel(),
            "year_group_rank": ranks.ravel(),
        }
    )


def year_group_details(
    admin: pd.DataFrame,
    pairs: pd.DataFrame,
    config,
    settings: MatchSettings = MatchSettings(),
    only_selected: bool = True,
) -> pd.DataFrame:
    """The year-group intermediates behind each selected (or each tested) pair's score and U test.

    Returns
    -------
    DataFrame
        ``outcome, intervention_school, candidate, period, terms, year_group,
        trend_intervention, trend_candidate, standardiser,
        standardised_difference, year_group_rank`` (the candidate's average rank
        among all candidates in that year group and period; the samples of the
        ``ranks`` U test). The mean of ``standardised_difference`` over a
        pair's year groups in a period is its score.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.synthetic import synthetic_authority
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> admin = synthetic_authority(cfg, seed=1, n_candidates=30)
    >>> details = year_group_details(admin, match(admin, cfg), cfg)
    >>> sorted(details["period"].unique().tolist())
    [1, 2]
    """
    chosen = pairs[pairs["selected"]] if only_selected else pairs[pairs["tested"]]
    autumn = list(config.autumn_terms)
    spans = {1: f"{autumn[-3]} to {autumn[-2]}", 2: f"{autumn[-2]} to {autumn[-1]}"}
    out = []
    for outcome, sel in chosen.groupby("outcome", observed=True, sort=False):
        rows = admin[admin["outcome"].astype(str) == outcome]
        run = _outcome_run(rows, autumn, config.outcomes[outcome].scale, settings, None)
        out.append(_pair_details(run, sel, spans).assign(outcome=outcome)[list(DETAIL_COLUMNS)])
    if not out:
        return pd.DataFrame(columns=list(DETAIL_COLUMNS))
    details = pd.concat(out, ignore_index=True)
    return details[details[["trend_intervention", "trend_candidate"]].notna().any(axis=1)].reset_index(drop=True)
