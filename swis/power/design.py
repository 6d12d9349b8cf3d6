"""A trial design to simulate: schools, allocation, terms, pupils, rates, variation, effect and analysis."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ANALYSES = ("did", "crt", "crt_strata")


@dataclass(frozen=True)
class TrialDesign:
    """Everything that defines a simulated trial and how it is analysed.

    Parameters
    ----------
    n_schools : int
        Schools in the trial.
    n_treated : int or None
        Schools given the intervention; None for 1:1 (half, rounded down), within each stratum when
        ``strata`` is given.
    terms_pre, terms_post : int
        Terms observed before and after the intervention starts.
    baseline_rate : float
        Expected events per pupil per term in a typical school (days per pupil for days in care).
    sd_school : float
        Standard deviation of the school effect on the log rate (between-school variation).
    sd_term : float
        Standard deviation of the school-by-term effect on the log rate (overdispersion from term to term).
    rho_term : float
        Correlation of a school's term effects one term apart (AR(1): ``rho_term ** k`` at ``k`` terms apart);
        0 for term effects independent from term to term.
    sd_authority : float
        Standard deviation of the authority (stratum) effect on the log rate, shared by a stratum's schools in
        every term; ignored without ``strata`` (no authorities to differ).
    effect : float
        Rate ratio of the intervention in the post terms (1: no effect).
    pupils : tuple of float
        Pupils on roll per school: ``(median, sd of log)``, drawn log-normally, rounded.
    strata : tuple of int
        Schools per stratum (e.g. per local authority); empty for none. Their sum must be ``n_schools``.
    analysis : {"did", "crt"}
        The report's difference-in-differences (Poisson with school and term fixed effects, pooled
        intervention-by-post interaction, cluster-robust SE by school) or a cluster-randomised comparison of
        the post-period rate adjusted for the school's baseline rate (Poisson, robust SE), or the same with
        a fixed effect for each stratum (``crt_strata``: the analysis that respects stratified randomisation).
    alpha : float
        Two-sided level of the test.
    """

    n_schools: int = 280
    n_treated: int | None = None
    terms_pre: int = 3
    terms_post: int = 2
    baseline_rate: float = 0.01
    sd_school: float = 0.5
    sd_term: float = 0.3
    rho_term: float = 0.0
    sd_authority: float = 0.0
    effect: float = 1.0
    pupils: tuple[float, float] = (1000.0, 0.3)
    strata: tuple[int, ...] = field(default_factory=tuple)
    analysis: str = "did"
    alpha: float = 0.05

    def __post_init__(self):
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))

    def problems(self) -> list[str]:
        """What is wrong with the design (empty when nothing is)."""
        out = []
        if self.n_schools < 2:
            out.append(f"n_schools must be at least 2, got {self.n_schools}")
        treated = self.treated_count
        if not 1 <= treated < self.n_schools:
            out.append(f"n_treated must lie between 1 and n_schools - 1, got {treated}")
        if self.terms_pre < 1 or self.terms_post < 1:
            out.append("terms_pre and terms_post must each be at least 1")
        if not (self.baseline_rate > 0 and np.isfinite(self.baseline_rate)):
            out.append(f"baseline_rate must be a positive number, got {self.baseline_rate}")
        if min(self.sd_school, self.sd_term, self.sd_authority) < 0:
            out.append("sd_school, sd_term and sd_authority must be >= 0")
        if not -1 < self.rho_term < 1:
            out.append(f"rho_term must lie strictly between -1 and 1, got {self.rho_term}")
        if not (self.effect > 0 and np.isfinite(self.effect)):
            out.append(f"effect must be a positive rate ratio, got {self.effect}")
        if self.pupils[0] <= 0 or self.pupils[1] < 0:
            out.append("pupils must be (median > 0, sd of log >= 0)")
        if self.strata and sum(self.strata) != self.n_schools:
            out.append(f"strata must add up to n_schools ({self.n_schools}), got {sum(self.strata)}")
        elif self.strata and min(self.strata) < 2:
            out.append(f"each stratum needs at least 2 schools, got {','.join(map(str, self.strata))}")
        if self.analysis not in ANALYSES:
            out.append(f"analysis must be one of {', '.join(ANALYSES)}, got {self.analysis!r}")
        if not 0 < self.alpha < 1:
            out.append(f"alpha must lie between 0 and 1, got {self.alpha}")
        return out

    @property
    def treated_count(self) -> int:
        """Schools treated (1:1 when not given)."""
        if self.n_treated is not None:
            return self.n_treated
        if self.strata:
            return sum(s // 2 for s in self.strata)
        return self.n_schools // 2

    @property
    def treated_per_stratum(self) -> tuple[int, ...]:
        """Schools treated in each stratum: half of each, or ``n_treated`` shared in proportion to the strata's
        sizes (largest remainders), so that the allocation stays balanced within strata.

        Examples
        --------
        >>> TrialDesign(n_schools=20, strata=(10, 10), n_treated=10).treated_per_stratum
        (5, 5)
        >>> TrialDesign(n_schools=20, strata=(4, 6, 10), n_treated=7).treated_per_stratum
        (1, 2, 4)
        """
        if not self.strata:
            return (self.treated_count,)
        if self.n_treated is None:
            return tuple(s // 2 for s in self.strata)
        share = np.array(self.strata) * self.n_treated / self.n_schools
        base = np.floor(share).astype(int)
        extra = np.argsort(-(share - base), kind="stable")[: self.n_treated - base.sum()]
        base[extra] += 1
        return tuple(int(k) for k in base)

    @property
    def stratum(self) -> np.ndarray:
        """Each school's stratum, 0, 1, ... in order (all 0 without strata).

        Examples
        --------
        >>> TrialDesign(n_schools=5, strata=(2, 3)).stratum.tolist()
        [0, 0, 1, 1, 1]
        """
        return np.repeat(np.arange(len(self.strata or (1,))), self.strata or (self.n_schools,))

    @property
    def n_terms(self) -> int:
        """Terms in all."""
        return self.terms_pre + self.terms_post

    @property
    def post(self) -> np.ndarray:
        """1.0 in the post terms, 0.0 before."""
        return np.r_[np.zeros(self.terms_pre), np.ones(self.terms_post)]


def even_strata(n_schools: int, n_strata: int) -> tuple[int, ...]:
    """``n_schools`` shared among ``n_strata`` strata as evenly as whole schools allow, larger strata first.

    Examples
    --------
    >>> even_strata(268, 21)[:3], len(even_strata(268, 21)), sum(even_strata(268, 21))
    ((13, 13, 13), 21, 268)
    """
    size, extra = divmod(n_schools, n_strata)
    return tuple(size + 1 if k < extra else size for k in range(n_strata))
