"""``swis new-authority``: the files a researcher fills in to add an authority to the book."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from swis.errors import WHOLE_FILE, InputError, Problem

PANEL_HEADER = "authority,outcome,school,group,term,count,pupils,printed_rate\n"

Name = Annotated[str, typer.Argument(help="The authority's name, as the book will print it, e.g. Northshire.")]
Terms = Annotated[
    str,
    typer.Option(
        help="Every term of the analysis in time order, comma-separated, e.g. 'Autumn 2017,Autumn 2018,Autumn 2019'."
    ),
]
Reference = Annotated[str, typer.Option(help="The reference term of the term effects (usually the last before).")]
Intervention = Annotated[str, typer.Option(help="The intervention term(s), comma-separated.")]
Outcomes = Annotated[str, typer.Option(help="Outcomes, comma-separated: s17, s47, days_in_care.")]
Code = Annotated[
    str | None, typer.Option(help="Three-letter code for labels (default: the name's first three letters).")
]
ConfigOut = Annotated[
    Path | None, typer.Option("--config-out", help="Where to write the config (default: data/config/<name>.yml).")
]
PanelOut = Annotated[
    Path | None, typer.Option("--panel-out", help="Where to write the empty panel (default: data/panels/<name>.csv).")
]


def _items(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def config_text(name: str, code: str, terms: list[str], reference: str, post: list[str], outcomes: list[str]) -> str:
    """The commented YAML config of a new authority."""
    from swis.config.outcomes import STANDARD_OUTCOMES

    lines = [
        f"# {name}: configuration of the difference-in-differences analysis (written by swis new-authority).",
        f"authority: {name}",
        f"code: {code}",
        "# Terms in time order, spelled exactly as in the panel's term column.",
        "terms:",
        *[f"  - {t}" for t in terms],
        "# Reference category of the term effects: usually the last term before the intervention.",
        f"reference_term: {reference}",
        "# Term(s) in which the intervention ran (the 'post' period).",
        "intervention_terms:",
        *[f"  - {t}" for t in post],
        "# Outcomes: label and unit as the book prints them; scale 100 = per 100 pupils, 1 = per pupil.",
        "outcomes:",
    ]
    for key in outcomes:
        label, unit, scale = STANDARD_OUTCOMES[key]
        lines += [f"  {key}:", f"    label: {label}", f"    unit: {unit}", f"    scale: {scale}"]
    return "\n".join(lines) + "\n"


def _check(name, terms, reference, post, outcomes, targets) -> None:
    """Refuse what would make an unusable config, and any file that exists already."""
    from swis.config import parse_config
    from swis.config.outcomes import STANDARD_OUTCOMES

    unknown = [o for o in outcomes if o not in STANDARD_OUTCOMES]
    if unknown or not outcomes:
        raise InputError.one(
            "--outcomes",
            WHOLE_FILE,
            "outcomes",
            f"expected some of {', '.join(STANDARD_OUTCOMES)}, got {', '.join(unknown) or 'none'}",
        )
    try:
        parse_config(config_text(name, "X", terms, reference, post, outcomes), "--terms/--reference/--intervention")
    except InputError as err:  # the line numbers are those of the config not yet written: not the user's
        raise InputError([Problem(p.file, WHOLE_FILE, p.column, p.message) for p in err.problems]) from None
    for path in targets:
        if path.exists():
            raise InputError.one(path, WHOLE_FILE, "-", "exists already; swis new-authority never overwrites a file")


def new_authority(
    name: Name,
    terms: Terms,
    reference: Reference,
    intervention: Intervention,
    outcomes: Outcomes = "s17,s47,days_in_care",
    code: Code = None,
    config_out: ConfigOut = None,
    panel_out: PanelOut = None,
) -> None:
    """Write a commented config and an empty panel for a new authority, then say what to do next."""
    from swis.cli import fail
    from swis.io import check_outputs, write_outputs

    slug = name.strip().lower().replace(" ", "_")
    config_path = config_out or Path("data/config") / f"{slug}.yml"
    panel_path = panel_out or Path("data/panels") / f"{slug}.csv"
    term_list, post, wanted = _items(terms), _items(intervention), _items(outcomes)
    try:
        _check(name.strip(), term_list, reference.strip(), post, wanted, [config_path, panel_path])
    except InputError as err:
        fail(err)
    label = (code or name.strip()[:3]).upper()
    try:
        for path in (config_path, panel_path):  # the usual folders may not exist yet outside a repository
            path.parent.mkdir(parents=True, exist_ok=True)
        check_outputs({"--config-out": config_path, "--panel-out": panel_path})
        write_outputs(
            {
                config_path: config_text(name.strip(), label, term_list, reference.strip(), post, wanted),
                panel_path: PANEL_HEADER,
            }
        )
    except InputError as err:
        fail(err)
    typer.echo(
        f"wrote {config_path} and {panel_path}\n"
        "next:\n"
        f"  1. add one row per outcome, school and term to {panel_path} (group: intervention or control)\n"
        f"  2. swis validate {panel_path} --config {config_path}\n"
        f"  3. swis did {panel_path} --config {config_path}\n"
        f"  4. add to authorities in data/book.yml:  - {{name: {name.strip()}, panel: {panel_path}, "
        f"config: {config_path}}}\n"
        "  5. make book  (its chapter is made from the authority template; small counts are suppressed)"
    )


def register(app: typer.Typer) -> None:
    """Add ``swis new-authority`` to the application."""
    from swis.cli import guarded

    app.command("new-authority")(guarded(new_authority))
