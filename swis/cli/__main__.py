"""``python -m swis.cli``: the same as the ``swis`` console script."""

from swis.cli import main

main()
