"""Benchmark: match every school of a national-sized file against all others in its authority.

England has about 24,000 state schools. The file here is SYNTHETIC: 24,000
schools in 150 authorities, 14 year groups, 3 autumn terms, 3 outcomes
(about 3 million rows), generated in memory (not timed). The timed part is
the matching: trends, standardised differences, scores, ranks in both
periods and the Mann-Whitney U tests of each school's shortlist, for every
school against every other school of its authority.

Run: ``.venv/bin/python benchmarks/bench_matching.py`` (prints seconds and
peak memory). Targets: under 10 s and under 2 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from swis.matching import MatchSettings, match_national

YEAR_GROUPS = ["Reception", *[f"Year {i}" for i in range(1, 14)]]
TERMS = ["Autumn 2016", "Autumn 2017", "Autumn 2018"]
OUTCOMES = {"s17": 0.02, "s47": 0.008, "days_in_care": 0.6}


def national_file(n_schools: int = 24_000, n_authorities: int = 150, seed: int = 1) -> pd.DataFrame:
    """SYNTHETIC national admin file (vectorised generation)."""
    rng = np.random.default_rng(seed)
    school = np.repeat(np.arange(n_schools), len(YEAR_GROUPS) * len(TERMS) * len(OUTCOMES))
    grid = np.array(np.meshgrid(np.arange(len(OUTCOMES)), np.arange(len(YEAR_GROUPS)), np.arange(len(TERMS)),
                                indexing="ij")).reshape(3, -1)
    outcome_i, year_i, term_i = (np.tile(g, n_schools) for g in grid)
    base = np.array(list(OUTCOMES.values()))[outcome_i]
    slope = rng.normal(0, 0.2, (n_schools, len(OUTCOMES), len(YEAR_GROUPS)))[school, outcome_i, year_i]
    pupils = rng.integers(20, 300, n_schools)[school]
    count = rng.poisson(np.clip(base * (1 + slope * term_i), 0, None) * pupils)
    labels = np.char.add("S", np.arange(n_schools).astype(str))
    return pd.DataFrame({
        "authority": (np.arange(n_schools) % n_authorities)[school],
        "school": pd.Categorical.from_codes(school, labels), "group": "candidate",
        "year_group": pd.Categorical.from_codes(year_i, YEAR_GROUPS), "term": pd.Categorical.from_codes(term_i, TERMS),
        "outcome": pd.Categorical.from_codes(outcome_i, list(OUTCOMES)), "count": count, "pupils": pupils,
    })


def run(frame: pd.DataFrame, workers: int = 2) -> int:
    """Match every school against all others in its authority, for each outcome; return pairs scored."""
    settings = MatchSettings(per_school=2, shortlist=4)
    scales = {"s17": 100.0, "s47": 100.0, "days_in_care": 1.0}
    return sum(len(t) for t in match_national(frame, TERMS, scales, settings, workers=workers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=24_000)
    parser.add_argument("--authorities", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2, help="processes (the machine has 2 cores)")
    args = parser.parse_args()
    frame = national_file(args.schools, args.authorities)
    start = time.perf_counter()
    pairs = run(frame, args.workers)
    seconds = time.perf_counter() - start
    # peak resident memory of this process plus the largest worker (ru_maxrss is in KiB on Linux)
    peak_gb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
               + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024**2
    print(f"matched {args.schools:,} schools ({len(frame):,} rows; every pair scored, {pairs:,} shortlisted pairs U-tested) "
          f"with {args.workers} workers in {seconds:.1f} s; peak memory {peak_gb:.2f} GB "
          "(this process plus its largest worker)")


if __name__ == "__main__":
    main()
