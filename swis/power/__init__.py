"""Planning a larger trial: simulation-based power, calibrated on the pilots.

- :mod:`.design`: a trial design (schools, allocation, terms, pupils, rates, variation, effect, analysis)
- :mod:`.simulate`: simulated trials, many replicates from one seed
- :mod:`.analyse`: each replicate analysed as it would be (difference in differences, or a cluster-randomised
  comparison adjusted for the baseline rate), all replicates fitted at once
- :mod:`.power`: power with its Monte Carlo error, curves, minimum detectable effect, normal approximation
- :mod:`.calibrate`: baseline rates and variation estimated from the pilots' published panels
- :mod:`.moments`: the moment estimators behind it, corrected for the fixed effects' degrees of freedom
- :mod:`.pilots`: what the pilots' own designs could tell
- :mod:`.retro`: type S and type M errors (Gelman & Carlin 2014)
"""

from swis.power.design import TrialDesign
from swis.power.power import minimum_detectable_effect, normal_power, power_curve, simulate_power

__all__ = ["TrialDesign", "minimum_detectable_effect", "normal_power", "power_curve", "simulate_power"]
