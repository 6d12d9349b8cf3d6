"""swis: reproducible analysis of the Social Workers in Schools (SWIS) pilots.

The package holds all logic; notebooks in ``notebooks/`` only call it.
"""

__version__ = "0.1.0"
