"""The score cluster bootstrap: its size under a true null, enumeration, and the interval that inverts it.

No Python package offers a score bootstrap after a Poisson fit (pyfixest's wild bootstrap is for linear models),
so the oracles are the design: the rejection rate under a seeded true null, the exact enumeration of 2^G
Rademacher draws, and the agreement of the test with its own interval.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_randomization import _toy

from swis.estimation.did import INTERACTION, estimate, estimate_panel
from swis.estimation.inference.bootstrap import draws, score_bootstrap


def _test(rows, spec, **kw):
    res = estimate(rows, spec)
    row = res.get(INTERACTION)
    return score_bootstrap(res.design, INTERACTION, row["estimate"], row["se"], **kw), row


def test_score_bootstrap_size_under_a_true_null():
    # 12 schools, 6 treated, no effect; 300 data sets, 999 Webb draws each: rejection at 5 % should be 5 % up
    # to Monte Carlo error (SE 1.26 points); the clustered normal test, for contrast, is not asserted on
    reps = 300
    rejected = []
    for seed in range(reps):
        rows, spec = _toy(2000 + seed, n_schools=12, treated=6, terms=3, effect=0.0)
        test, _ = _test(rows, spec, reps=999, seed=seed, interval=False)
        rejected.append(test.p_value <= 0.05)
    rate = np.mean(rejected)
    assert abs(rate - 0.05) <= 3 * np.sqrt(0.05 * 0.95 / reps), rate


def test_enumeration_is_deterministic():
    rows, spec = _toy(4, n_schools=5, treated=2, effect=-0.5)
    a, _ = _test(rows, spec, weights="rademacher", seed=1)
    b, _ = _test(rows, spec, weights="rademacher", seed=99)
    assert a.enumerated and a.n_draws == 2**5
    assert (a.p_value, a.ci_low, a.ci_high) == (b.p_value, b.ci_low, b.ci_high)


def test_sampled_draws_follow_the_seed():
    v1, every = draws(12, "webb", 500, seed=3)
    v2, _ = draws(12, "webb", 500, seed=3)
    assert not every and v1.shape == (500, 12) and (v1 == v2).all()
    assert set(np.round(np.unique(v1) ** 2, 12)) == {0.5, 1.0, 1.5}


def test_three_schools_give_an_unbounded_interval():
    rows, spec = _toy(5, n_schools=3, treated=1, effect=-1.0)
    test, _ = _test(rows, spec, weights="rademacher")
    assert test.n_draws == 8 and test.p_value >= 0.25
    assert (test.ci_low, test.ci_high) == (0.0, np.inf)


@pytest.mark.parametrize("seed", range(6))
def test_interval_and_test_agree(seed):
    rows, spec = _toy(100 + seed, n_schools=10, treated=5, effect=-0.6)
    test, row = _test(rows, spec, reps=999, seed=seed)
    assert test.ci_low <= row["irr"] <= test.ci_high
    assert (test.p_value < 0.05) == (not test.ci_low <= 1.0 <= test.ci_high)


def test_published_panels_answer(panels):
    res = estimate_panel(panels["Stockport"], "s17", bootstrap=True)
    row = res.get(INTERACTION)
    # two of four schools treated: 6^4 = 1,296 Webb draws, every one used
    assert row["boot_n_draws"] == 1296 and 0 < row["boot_p_value"] <= 1
    separated = estimate_panel(panels["Lambeth"], "s47", bootstrap=True).get(INTERACTION)
    assert np.isnan(separated["boot_p_value"])  # not estimable: nothing to bootstrap
