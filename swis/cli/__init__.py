"""Command-line interface: ``swis validate | did | audit | match | build | run``.

Bad input is reported as ``error: FILE:ROW: COLUMN: message`` lines on
standard error with exit status 2 and no traceback; output files are
written only when everything succeeded, and atomically. Each command lives
in the module of its job (:mod:`.analysis`, :mod:`.match`, :mod:`.book`)
and imports what it needs when it runs, so ``swis --help`` starts fast.
"""

from __future__ import annotations

import sys

import typer

from swis.errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Reproducible analysis of the Social Workers in Schools (SWIS) pilots.",
)


def fail(err: InputError) -> None:
    """Print an input error's lines and exit with status 2."""
    typer.echo(err.render(), err=True)
    raise typer.Exit(2)


def warn(problems) -> None:
    """Print problems that do not stop a command, as ``warning:`` lines."""
    for p in problems:
        typer.echo(str(p).replace("error:", "warning:", 1), err=True)


def _register() -> None:
    """Hang every command off the one app (imported here: each module imports ``app`` from this one)."""
    from swis.cli import analysis, authority, book, match

    for module in (analysis, match, book, authority):
        module.register(app)


_register()


def main() -> None:
    """Entry point of the ``swis`` console script."""
    try:
        app()
    except InputError as err:  # raised outside a command's own handling
        typer.echo(err.render(), err=True)
        sys.exit(2)
