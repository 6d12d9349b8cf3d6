"""Command-line interface: ``swis validate | did | sensitivity | audit | match | build | run | power | new-authority``.

Bad input is reported as ``error: FILE:ROW: COLUMN: message`` lines on
standard error with exit status 2 and no traceback; output files are
written only when everything succeeded, and atomically. Each command lives
in the module of its job (:mod:`.analysis`, :mod:`.sensitivity`, :mod:`.match`, :mod:`.book`)
and imports what it needs when it runs, so ``swis --help`` starts fast.
"""

from __future__ import annotations

import functools
import sys
import tempfile
import traceback

import click
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


def internal_error(exc: BaseException) -> None:
    """Report an unexpected error as such: the traceback goes to a log file, one line to the user; exit 1."""
    fd, log = tempfile.mkstemp(prefix="swis-error-", suffix=".log")
    with open(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(traceback.format_exception(exc)))
    typer.echo(
        f"internal error: {type(exc).__name__} (a bug in swis, not a problem with your input); nothing was "
        f"written. The details are in {log}; please attach that file to a bug report.",
        err=True,
    )
    raise typer.Exit(1)


def guarded(command):
    """Wrap a command so that no traceback reaches the user.

    Bad input (:class:`~swis.errors.InputError`) is one message per problem,
    exit 2; an interruption exits 130; anything else is an internal error
    (:func:`internal_error`).
    """

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (typer.Exit, click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise
        except InputError as err:
            fail(err)
        except KeyboardInterrupt:
            typer.echo("interrupted; nothing was written", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 (the point: no traceback, ever)
            internal_error(exc)

    return wrapper


def _register() -> None:
    """Hang every command off the one app (imported here: each module imports ``app`` from this one)."""
    from swis.cli import analysis, authority, book, match, power, sensitivity

    for module in (analysis, sensitivity, match, book, power, authority):
        module.register(app)


_register()


def main() -> None:
    """Entry point of the ``swis`` console script."""
    try:
        app()
    except InputError as err:  # raised outside a command's own handling
        typer.echo(err.render(), err=True)
        sys.exit(2)
