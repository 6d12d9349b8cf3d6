"""The later trial's published figures (``data/published/trial.csv``), each with its publication.

A ``printed`` column keeps each figure as the source it was checked against prints it (read back by the tests),
and a ``checked`` column says what it was checked against; a figure that could not be checked against
the trial's own text says so.
"""

from __future__ import annotations

import pandas as pd

from swis import paths

TRIAL = paths.PUBLISHED / "trial.csv"


def load_trial() -> pd.DataFrame:
    """Every figure, indexed by key: ``value, unit, source, checked``.

    Examples
    --------
    >>> int(load_trial().loc["analysed_schools", "value"])
    268
    """
    return pd.read_csv(TRIAL).set_index("key")
