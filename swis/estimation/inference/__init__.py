"""Inference after the Poisson fit: standard-error conventions (:mod:`.cluster`)."""

from swis.estimation.inference.cluster import CORRECTIONS, Correction, clustered_cov

__all__ = ["CORRECTIONS", "Correction", "clustered_cov"]
