"""Benchmark: 1,000 simulated trials of 300 schools x 6 terms, each analysed by the report's difference in differences.

The timed part is the whole power calculation: drawing the trials and fitting each one (school and term fixed
effects, pooled interaction, cluster-robust standard errors), with the school effects profiled out and all
replicates solved together (:mod:`swis.power.analyse`). The same trials fitted one by one with statsmodels'
Poisson GLM with school dummies would take far longer, so a sample of them is timed and the per-fit time
scaled to 1,000; the ratio of the two is printed.

Run: ``.venv/bin/python benchmarks/bench_power.py``. Target on the project's 2-core machine: under 10 s for the
1,000 trials. It is a benchmark, not a timed test.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd
import statsmodels.api as sm

from swis.power.design import TrialDesign
from swis.power.power import simulate_power
from swis.power.simulate import simulate

DESIGN = TrialDesign(
    n_schools=300, terms_pre=3, terms_post=3, effect=0.9, baseline_rate=0.0065, sd_school=0.46, sd_term=0.18
)


def statsmodels_fit(sim, r: int) -> float:
    """One replicate fitted with statsmodels' GLM and school dummies, clustered covariance; the interaction."""
    s, t = sim.counts.shape[1:]
    d = pd.DataFrame(
        {
            "y": sim.counts[r].ravel(),
            "n": np.repeat(sim.pupils[r], t),
            "school": np.repeat(np.arange(s), t),
            "term": np.tile(np.arange(t), s),
            "int": np.repeat(sim.treated[r], t) * np.tile(sim.post, s),
        }
    )
    X = pd.get_dummies(d[["school", "term"]].astype(str), drop_first=True).astype(float)
    X["int"], X["const"] = d["int"], 1.0
    fit = sm.GLM(d["y"], X, family=sm.families.Poisson(), exposure=d["n"]).fit(
        cov_type="cluster", cov_kwds={"groups": d["school"]}, tol=1e-10
    )
    return float(fit.params["int"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of the whole simulation")
    parser.add_argument("--sample", type=int, default=10, help="replicates timed with statsmodels")
    args = parser.parse_args()
    times = []
    for k in range(args.repeat):
        start = time.perf_counter()
        result = simulate_power(DESIGN, args.reps, seed=k + 1)
        times.append(time.perf_counter() - start)
    ours = statistics.median(times)
    sim = simulate(DESIGN, args.sample, seed=99)
    start = time.perf_counter()
    for r in range(args.sample):
        statsmodels_fit(sim, r)
    per_fit = (time.perf_counter() - start) / args.sample
    theirs = per_fit * args.reps
    print(
        f"{args.reps} simulated trials of {DESIGN.n_schools} schools x {DESIGN.n_terms} terms (difference in "
        f"differences): median {ours:.2f} s over {args.repeat} runs (min {min(times):.2f}, max {max(times):.2f}); "
        f"power {result.power:.3f}"
    )
    print(
        f"statsmodels GLM with school dummies: {per_fit:.3f} s per fit ({args.sample} timed), about {theirs:.0f} s "
        f"for {args.reps}; ratio {theirs / ours:.0f}x (target: the simulation under 10 s)"
    )


if __name__ == "__main__":
    main()
