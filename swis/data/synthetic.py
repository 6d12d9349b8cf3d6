"""SYNTHETIC administrative data, for demonstrating and testing the choice of comparison schools.

The evaluation chose its comparison schools from administrative records of a
few hundred schools that were never published. This module *generates*
stand-in data of the same shape and of similar magnitude to the report's
published tables: Section 17 and Section 47 starts of a few per 100 pupils a
term, days in care of up to about two per pupil a term, primary schools of
roughly 130-600 pupils and secondary schools of roughly 600-1900. Every frame
it returns is marked SYNTHETIC: school labels start ``SYN_``, a ``synthetic``
column is true on every row, and ``DataFrame.attrs["synthetic"]`` is set.
Nothing here describes a real school, and no result computed from these data
is a result of the pilots.

The model, per school *s*, outcome *o* and year group *y*: the expected rate
per pupil in a term at time *t* (in academic years) is ``base_o * level_so *
year_soy * exp(slope_soy * t)``, with log-normal level and year-group factors
and normal slopes. Section 17 and 47 starts are Poisson counts; days in care
come from a Poisson number of children in care, each for part of a term. No
effect of the intervention is built in.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from swis.config import term_order

MARK = "SYN"
NOTE = "SYNTHETIC data made by swis.data.synthetic; not the pilots' data"
YEARS = {
    "primary": ["Reception", *[f"Year {i}" for i in range(1, 7)]],
    "secondary": [f"Year {i}" for i in range(7, 12)],
}
#: Pupils on roll of a whole school (low, high).
SIZE = {"primary": (130, 600), "secondary": (600, 1900)}
#: Expected events per pupil per term in a typical school (days for days in care).
BASE_RATE = {"s17": 0.018, "s47": 0.009, "days_in_care": 0.45}
DAYS_PER_CHILD = 70  # mean days in care, in a term, of a child in care
TERM_DAYS = 91


def is_synthetic(admin: pd.DataFrame) -> bool:
    """Whether admin data carry the ``synthetic`` marker of this module."""
    return bool(admin.attrs.get("synthetic")) or (
        "synthetic" in admin.columns and admin["synthetic"].astype(str).str.lower().isin(["true", "1"]).any()
    )


def term_time(label: str) -> float:
    """Time of a term in academic years (``Autumn 2017`` = 2017.0, ``2017-18 Term 2`` = 2017.33).

    Examples
    --------
    >>> term_time("Autumn 2018"), round(term_time("2018-19 Term 3"), 2), round(term_time("Spring 2019"), 2)
    (2018.0, 2018.67, 2018.33)
    """
    year = re.search(r"(\d{4})", label)
    if not year:
        raise ValueError(f"cannot place term {label!r} in time")
    start = float(year.group(1))
    within = re.search(r"[Tt]erm\s*(\d)", label)
    if within:
        return start + (int(within.group(1)) - 1) / 3
    lower = label.lower()
    return start - 1 + (1 / 3 if "spring" in lower else 2 / 3) if ("spring" in lower or "summer" in lower) else start


def _draw_school(rng: np.random.Generator, phase: str, outcomes: list[str]) -> dict:
    """Size and underlying rates of one school (shared by a planted twin)."""
    n_years = len(YEARS[phase])
    shape = (len(outcomes), n_years)
    return {
        "phase": phase,
        "size": int(rng.integers(*SIZE[phase])),
        "level": rng.lognormal(0, 0.4, (len(outcomes), 1)),
        "year": rng.lognormal(0, 0.35, shape),
        "slope": rng.normal(0, 0.2, shape),
    }


def _rows(
    rng: np.random.Generator, school: dict, label: str, group: str, terms: list[str], outcomes: list[str]
) -> pd.DataFrame:
    """Rows of one school: every outcome x year group x term, with random counts."""
    years = YEARS[school["phase"]]
    t = np.array([term_time(x) for x in terms])
    t = t - t.min()
    base = np.array([BASE_RATE[o] for o in outcomes])[:, None, None]
    rate = base * (school["level"] * school["year"])[:, :, None] * np.exp(school["slope"][:, :, None] * t)
    per_year = school["size"] / len(years) * rng.uniform(0.85, 1.15, (1, len(years), 1))
    pupils = np.rint(per_year * rng.uniform(0.97, 1.03, (1, 1, len(terms)))).astype(int)
    pupils = np.broadcast_to(pupils, rate.shape)
    count = rng.poisson(rate * pupils)
    days = [k for k, o in enumerate(outcomes) if o == "days_in_care"]
    for k in days:  # days in care: a few children, each in care for part of the term
        children = rng.poisson(rate[k] * pupils[k] / DAYS_PER_CHILD)
        count[k] = rng.binomial(children * TERM_DAYS, DAYS_PER_CHILD / TERM_DAYS)
    o, y, k = np.meshgrid(np.arange(len(outcomes)), np.arange(len(years)), np.arange(len(terms)), indexing="ij")
    return pd.DataFrame(
        {
            "school": label,
            "group": group,
            "year_group": np.array(years)[y.ravel()],
            "term": np.array(terms)[k.ravel()],
            "outcome": np.array(outcomes)[o.ravel()],
            "count": count.ravel(),
            "pupils": pupils.ravel(),
        }
    )


def _finish(frames: list[pd.DataFrame]) -> pd.DataFrame:
    out = pd.concat(frames, ignore_index=True).assign(synthetic=True)
    out.attrs["synthetic"] = True
    return out


def make_admin(seed: int, n_candidates: int, config, secondary_share: float = 0.2) -> pd.DataFrame:
    """SYNTHETIC candidate schools of one authority (group ``candidate``), seeded.

    Parameters
    ----------
    seed : int
        Seed of the generator (the book's seed is in ``data/book.yml``).
    n_candidates : int
        Number of candidate schools.
    config : swis.config.Config
        Gives the authority code, the outcomes and the terms (autumn terms and
        analysis terms).
    secondary_share : float
        Expected share of secondary schools (the rest are primaries).

    Returns
    -------
    DataFrame
        ``school, group, year_group, term, outcome, count, pupils, synthetic``.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> admin = make_admin(1, 10, load_config(paths.config_path("Lambeth")))
    >>> bool(admin["school"].str.startswith("SYN_LAM_").all()), bool(admin["synthetic"].all())
    (True, True)
    """
    rng = np.random.default_rng([seed, 0])
    terms, outcomes = term_order(config), list(config.outcomes)
    frames = []
    for k in range(n_candidates):
        phase = "secondary" if rng.random() < secondary_share else "primary"
        label = f"{MARK}_{config.code}_{phase[:3].upper()}_C{k + 1:03d}"
        frames.append(_rows(rng, _draw_school(rng, phase, outcomes), label, "candidate", terms, outcomes))
    return _finish(frames)


def pilot_mix(authority: str) -> dict[str, int]:
    """Phases of an authority's intervention schools, as labelled in the report's published panel.

    Examples
    --------
    >>> pilot_mix("Stockport")
    {'primary': 6, 'secondary': 1}
    """
    from swis import paths
    from swis.io import reading_part

    columns = ("authority", "school", "group")  # of this authority's rows: neither counts nor other authorities
    with reading_part(paths.PANEL, "authority", authority, columns):
        panel = pd.read_csv(paths.PANEL, dtype=str, usecols=list(columns))
    labels = panel.loc[(panel["authority"] == authority) & (panel["group"] == "intervention"), "school"]
    labels = {s.upper() for s in labels if s.upper().endswith("_INT")}
    mix = {phase: sum(phase.upper() in s for s in labels) for phase in YEARS}
    return {p: n for p, n in mix.items() if n} or {"secondary": 2}


def plant_pilots(
    admin: pd.DataFrame, config, seed: int, twins: bool = True, mix: dict[str, int] | None = None
) -> pd.DataFrame:
    """Add SYNTHETIC intervention schools like the pilot's, each with a planted twin candidate.

    Parameters
    ----------
    admin : DataFrame
        Synthetic candidates (:func:`make_admin`).
    config : swis.config.Config
    seed : int
    twins : bool
        For each intervention school add a candidate (``..._TWIN<k>``) with the
        same underlying rates and trends, whose counts differ only by chance:
        the candidate matching should find.
    mix : dict, optional
        Intervention schools per phase (default: :func:`pilot_mix`).

    Returns
    -------
    DataFrame
        ``admin`` with the intervention schools (``..._INT<k>``) and twins added.
    """
    rng = np.random.default_rng([seed, 1])
    terms, outcomes = term_order(config), list(config.outcomes)
    frames = [admin]
    k = 0
    for phase, n in (mix or pilot_mix(config.authority)).items():
        for _ in range(n):
            k += 1
            school = _draw_school(rng, phase, outcomes)
            stem = f"{MARK}_{config.code}_{phase[:3].upper()}"
            frames.append(_rows(rng, school, f"{stem}_INT{k}", "intervention", terms, outcomes))
            if twins:
                twin = dict(school, size=int(rng.integers(*SIZE[phase])))
                frames.append(_rows(rng, twin, f"{stem}_TWIN{k}", "candidate", terms, outcomes))
    return _finish([f.drop(columns="synthetic", errors="ignore") for f in frames])


def synthetic_authority(config, seed: int = 20200501, n_candidates: int = 60, twins: bool = True) -> pd.DataFrame:
    """A whole SYNTHETIC authority: candidates, pilot-like intervention schools and their twins.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> admin = synthetic_authority(load_config(paths.config_path("Southampton")), seed=3, n_candidates=20)
    >>> sorted(admin.loc[admin["group"] == "intervention", "school"].unique())
    ['SYN_SOU_SEC_INT1', 'SYN_SOU_SEC_INT2']
    """
    return plant_pilots(make_admin(seed, n_candidates, config), config, seed, twins=twins)


def make_national(
    seed: int = 1,
    n_schools: int = 24_000,
    n_authorities: int = 150,
    terms: tuple[str, ...] = ("Autumn 2016", "Autumn 2017", "Autumn 2018"),
) -> pd.DataFrame:
    """A SYNTHETIC national admin file: every school with all 14 year groups (Reception to Year 13).

    For the matching benchmark: ``n_schools`` schools spread evenly over
    ``n_authorities`` authorities (``authority`` column), three outcomes,
    ``terms`` (the autumn terms), generated with whole-array operations.
    Labels are categories, as a large file would be held.

    Examples
    --------
    >>> national = make_national(n_schools=30, n_authorities=3)
    >>> len(national), national["authority"].nunique(), bool(national["synthetic"].all())
    (3780, 3, True)
    """
    rng = np.random.default_rng([seed, 2])
    years = ["Reception", *[f"Year {i}" for i in range(1, 14)]]
    outcomes = list(BASE_RATE)
    shape = (n_schools, len(outcomes), len(years))
    t = np.array([term_time(x) for x in terms])
    base = np.array([BASE_RATE[o] for o in outcomes])[None, :, None, None]
    rate = (
        base
        * (rng.lognormal(0, 0.4, shape[:2])[..., None] * rng.lognormal(0, 0.35, shape))[..., None]
        * np.exp(rng.normal(0, 0.2, shape)[..., None] * (t - t.min()))
    )
    pupils = np.rint(rng.integers(20, 140, (n_schools, 1, len(years), 1)) * rng.uniform(0.97, 1.03, (1, 1, 1, len(t))))
    pupils = np.broadcast_to(pupils.astype(np.int64), rate.shape)
    count = rng.poisson(rate * pupils)
    k = outcomes.index("days_in_care")
    count[:, k] = rng.binomial(
        rng.poisson(rate[:, k] * pupils[:, k] / DAYS_PER_CHILD) * TERM_DAYS, DAYS_PER_CHILD / TERM_DAYS
    )
    s, o, y, k = (g.ravel() for g in np.indices(rate.shape))
    schools = [f"{MARK}_S{i:05d}" for i in range(n_schools)]
    authorities = [f"{MARK}_LA{i:03d}" for i in range(n_authorities)]
    frame = pd.DataFrame(
        {
            "authority": pd.Categorical.from_codes(s % n_authorities, authorities),
            "school": pd.Categorical.from_codes(s, schools),
            "group": pd.Categorical.from_codes(np.zeros(len(s), int), ["candidate"]),
            "year_group": pd.Categorical.from_codes(y, years),
            "term": pd.Categorical.from_codes(k, list(terms)),
            "outcome": pd.Categorical.from_codes(o, outcomes),
            "count": count.ravel(),
            "pupils": pupils.ravel(),
            "synthetic": np.ones(len(s), dtype=bool),
        }
    )
    frame.attrs["synthetic"] = True
    return frame
