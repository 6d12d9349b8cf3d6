"""``swis build`` and ``swis run``: execute the notebooks and render the book."""

from __future__ import annotations

import typer

from swis.errors import InputError


def _build_failed(err) -> None:
    typer.echo(f"error: {err}", err=True)
    raise typer.Exit(2 if getattr(err, "input_error", False) else 1)


#: ``--no-wait`` of the commands that write the book: refuse rather than wait for another writer.
NO_WAIT = typer.Option(False, "--no-wait", help="If another swis process is writing the book, stop (exit 2).")


def _locked_build(no_wait: bool, *args, **kwargs):
    """The build, holding the writer lock (:mod:`swis.book.build.lock`); exit 2 when busy and told not to wait."""
    from swis.book.build.lock import locked_build
    from swis.errors import BuildError

    try:
        return _unless_busy(locked_build, *args, wait=not no_wait, **kwargs)
    except BuildError as err:
        _build_failed(err)


def _unless_busy(call, *args, **kwargs):
    """``call(*args, **kwargs)``, which takes the writer lock; exit 2 with one line when another process holds
    it and ``--no-wait`` was given."""
    from swis.book.build.lock import Busy

    try:
        return call(*args, **kwargs)
    except Busy as busy:
        typer.echo(
            f"error: {busy} holds the book's writer lock; nothing was done (run again without --no-wait to wait)",
            err=True,
        )
        raise typer.Exit(2) from None


def dry_run(wait: bool = True) -> None:
    """Say which notebooks a build would re-execute, and why, and whether it would render.

    It holds the writer lock while it looks, as a build would: a build under way has staged notebooks and
    half-stored cache entries, and what a dry run saw of them would be true of neither the book before that
    build nor the book after it.
    """
    from swis.book.build.lock import writer_lock

    with writer_lock(wait=wait):
        _report_plan()


def _report_plan() -> None:
    """The lines of :func:`dry_run`: reuse or re-execute for each run, and whether the book would render."""
    from swis import paths
    from swis.book.build import cache
    from swis.book.build.plan import AFTER, plan
    from swis.book.build.render import RENDER_KEY, render_key
    from swis.config import load_book_config

    for run in plan(load_book_config()):
        decision = cache.decide(run, paths.GENERATED)
        what = "reuse" if decision.reuse else "re-execute"
        later = " (after the runs it reads, so also if their outputs change)" if run.name in AFTER else ""
        typer.echo(f"{what:10} {run.name}: {decision.reason}{later}")
    same = RENDER_KEY.exists() and RENDER_KEY.read_text() == render_key()
    typer.echo("render     " + ("no: nothing changed since the last render" if same else "yes: the book changed"))


def build(
    no_render: bool = typer.Option(False, help="Execute the notebooks only; do not render the HTML."),
    quiet: bool = typer.Option(False, help="No per-cell progress bars."),
    force: bool = typer.Option(False, help="Re-execute every notebook, ignoring the cache."),
    clean: bool = typer.Option(False, help="Render from an empty folder (all pages, all warnings), as CI does."),
    dry: bool = typer.Option(False, "--dry-run", help="Only list what would re-execute and why."),
    pdf: bool = typer.Option(False, "--pdf", help="Also print the PDF edition (as `make book` does)."),
    no_wait: bool = NO_WAIT,
) -> None:
    """Execute the notebooks that changed (papermill) and render the book's HTML; with --pdf, its PDF edition
    too (what `make book` runs).

    One build at a time: a second one waits for the first, saying which process it waits for.
    """
    if dry:
        _unless_busy(dry_run, wait=not no_wait)
        return
    index = _locked_build(no_wait, render=not no_render, progress=not quiet, force=force, clean=clean, pdf=pdf)
    typer.echo(f"book: {index}" if not no_render else "notebooks executed into book/generated")


def parse_params(pairs: list[str]) -> dict:
    """``KEY=VALUE`` pairs; each VALUE is read as YAML (so lists and numbers work).

    Examples
    --------
    >>> parse_params(["outcomes=[s17, s47]", "suppress_below=5"])
    {'outcomes': ['s17', 's47'], 'suppress_below': 5}
    """
    import yaml

    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError.one("--param", 0, pair, "expected KEY=VALUE, e.g. panel_path=my_panel.csv")
        if key.strip() in params:
            raise InputError.one(f"--param {key.strip()}", 0, key.strip(), "given twice; give each parameter once")
        try:
            params[key.strip()] = yaml.safe_load(value) if value.strip() else ""
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or "not valid YAML"
            raise InputError.one(
                f"--param {key.strip()}", 0, key.strip(), f"cannot read the value {value!r}: {problem}"
            ) from None
    return params


def run(
    authority: str = typer.Argument(..., help="Authority to re-run, e.g. Southampton."),
    param: list[str] = typer.Option([], "--param", "-p", help="KEY=VALUE parameter of the authority notebook."),
    no_render: bool = typer.Option(False, help="Execute only; do not render the HTML."),
    quiet: bool = typer.Option(False, help="No per-cell progress bars."),
    no_wait: bool = NO_WAIT,
) -> None:
    """Re-run one authority's notebook with other parameters, then the synthesis, and rebuild the book."""
    from swis import paths
    from swis.book.build.params import check_run_parameters
    from swis.book.build.plan import run_name
    from swis.cli import fail
    from swis.config import authorities

    try:
        params = parse_params(param)
        known = authorities()
        match = [a for a in known if a.lower() == authority.lower()]
        if not match:
            raise InputError.one(
                paths.relative(paths.BOOK_CONFIG),
                0,
                "authorities",
                f"unknown authority '{authority}'; expected one of {', '.join(known)}",
            )
        name = match[0]
        params = check_run_parameters(name, params)
    except InputError as err:
        fail(err)
    only = [run_name(name), "synthesis"] if paths.GENERATED.exists() else None  # first build: every notebook
    index = _locked_build(no_wait, {name: params}, only=only, render=not no_render, progress=not quiet)
    typer.echo(f"book: {index}" if not no_render else "notebooks executed into book/generated")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    from swis.cli import guarded

    for command in (build, run):
        app.command()(guarded(command))
