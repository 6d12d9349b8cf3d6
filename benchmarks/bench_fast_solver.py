"""Benchmark: the fast Poisson solver against statsmodels' GLM, and exact randomization inference.

1. A SYNTHETIC panel of 300 schools x 6 terms (3 before the pilot, 3 after; half the schools treated; school
   effects, term effects and Poisson counts drawn with a fixed seed; no real school) is fitted by each engine
   of :func:`swis.estimation.did.estimate`: the model with school and term fixed effects, pupils as exposure,
   one interaction per post term, and the report's cluster-robust covariance. Timed: the fit and its
   covariance from the same design (what the engine changes; medians of ``--repeat`` runs, at most three of
   statsmodels), and, apart, building the design in pandas (the same for both). The ratio is printed.
2. Exact randomization inference on the published Stockport days-in-care model (15 schools, 5 treated:
   3,003 assignments, each refitted): median time over ``--repeat`` runs. Target: under 2 s.

Run: ``.venv/bin/python benchmarks/bench_fast_solver.py``. Target: the fast fit at least 100 times faster.
It is a benchmark, not a timed test.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from swis import paths
from swis.config import load_config
from swis.data.panel import load_panel
from swis.estimation.design import build_design
from swis.estimation.did import DidSpec, _fit
from swis.estimation.inference.randomization import randomization_tests

TERMS = [f"T{t}" for t in range(6)]
SPEC = DidSpec(reference_term="T2", post_terms=("T3", "T4", "T5"))


def synthetic_panel(n_schools: int = 300, seed: int = 20200501) -> pd.DataFrame:
    """SYNTHETIC rows: ``school, group, term, count, pupils`` (a rare event, as Section 47 starts are)."""
    rng = np.random.default_rng(seed)
    alpha = rng.normal(np.log(0.0065), 0.46, n_schools)
    pupils = np.round(np.exp(rng.normal(np.log(900), 0.35, n_schools)))
    tau = rng.normal(0, 0.1, len(TERMS))
    treated = np.arange(n_schools) < n_schools // 2
    rows = []
    for s in range(n_schools):
        for t, term in enumerate(TERMS):
            mu = pupils[s] * np.exp(alpha[s] + tau[t] + (np.log(0.9) if treated[s] and t >= 3 else 0.0))
            rows.append(
                dict(
                    school=f"SYN{s:03d}",
                    group="intervention" if treated[s] else "control",
                    term=term,
                    count=int(rng.poisson(mu)),
                    pupils=int(pupils[s]),
                )
            )
    return pd.DataFrame(rows)


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each measurement")
    args = parser.parse_args()
    rows = synthetic_panel()
    design = build_design(rows, SPEC.reference_term, SPEC.post_terms)
    engines = {e: DidSpec(**{**SPEC.__dict__, "engine": e}) for e in ("statsmodels", "fast")}
    for spec in engines.values():
        _fit(design, spec)  # warm-up
    # statsmodels takes seconds a fit here: at most three timed runs of it
    runs = {"statsmodels": min(3, args.repeat), "fast": args.repeat}
    fit = {e: median_time(lambda s=s: _fit(design, s), runs[e]) for e, s in engines.items()}
    build = median_time(lambda: build_design(rows, SPEC.reference_term, SPEC.post_terms), args.repeat)
    print(f"SYNTHETIC panel: {rows['school'].nunique()} schools x {len(TERMS)} terms, {len(design.X.columns)} columns")
    print(f"fit + clustered covariance: statsmodels {fit['statsmodels']:.3f} s, fast {fit['fast'] * 1e3:.2f} ms")
    print(f"  ratio {fit['statsmodels'] / fit['fast']:.0f} x (target: at least 100 x)")
    print(f"building the design (pandas, the same for both engines): {build * 1e3:.0f} ms")

    cfg = load_config(paths.config_path("Stockport"))
    published = load_panel(paths.PANEL, cfg).outcome("days_in_care")
    spec = DidSpec.from_config(cfg)
    randomization_tests(published, spec)  # warm-up
    ri = median_time(lambda: randomization_tests(published, spec), args.repeat)
    (test,) = randomization_tests(published, spec)
    print(
        f"exact randomization inference, Stockport days in care: {test.n_assignments} assignments in "
        f"{ri:.3f} s (target: under 2 s)"
    )


if __name__ == "__main__":
    main()
