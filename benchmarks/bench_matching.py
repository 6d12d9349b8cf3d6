"""Benchmark: match every school of a national-sized file against every other school of its authority.

England has about 24,000 state schools. The file here is SYNTHETIC
(:func:`swis.data.synthetic.make_national`): 24,000 schools in 150 authorities,
14 year groups, 3 autumn terms and 3 outcomes, about 3 million rows, made in
memory before the clock starts. The timed part is the whole matching: trends,
standardised differences and scores of every pair of schools within each
authority, the rankings in both periods, the Mann-Whitney U tests in rank
order until each school has its comparators, and the decisions.

Run: ``.venv/bin/python benchmarks/bench_matching.py`` (prints wall seconds
and peak memory). Targets on the project's 2-core machine: under 10 s and
under 2 GB. It is a benchmark, not a timed test.
"""

from __future__ import annotations

import argparse
import resource
import time

from swis.data.synthetic import make_national
from swis.matching import MatchSettings, match_national

TERMS = ("Autumn 2016", "Autumn 2017", "Autumn 2018")
SCALES = {"s17": 100.0, "s47": 100.0, "days_in_care": 1.0}


def peak_gb() -> float:
    """Peak resident memory of this process and of its largest child, in GB (ru_maxrss is KiB on Linux)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + child) / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=24_000)
    parser.add_argument("--authorities", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2, help="processes (1: none; the machine has 2 cores)")
    parser.add_argument("--per-school", type=int, default=2)
    args = parser.parse_args()
    frame = make_national(seed=1, n_schools=args.schools, n_authorities=args.authorities, terms=TERMS)
    start = time.perf_counter()
    pairs = match_national(frame, list(TERMS), SCALES, MatchSettings(per_school=args.per_school), workers=args.workers)
    seconds = time.perf_counter() - start
    n_pairs = sum(n * (n - 1) for n in frame.groupby("authority", observed=True)["school"].nunique()) * len(SCALES)
    print(f"SYNTHETIC national file: {args.schools:,} schools, {args.authorities} authorities, {len(frame):,} rows")
    print(
        f"scored {n_pairs:,} pairs, U-tested {int(pairs['tested'].sum()):,}, selected {int(pairs['selected'].sum()):,}"
    )
    print(
        f"matching: {seconds:.2f} s wall, peak memory {peak_gb():.2f} GB "
        f"({args.workers} process{'es' if args.workers > 1 else ''}; targets 10 s and 2 GB)"
    )


if __name__ == "__main__":
    main()
