"""The pilots' team diagrams as data: ``data/teams/<authority>.yml``, read and checked.

Each file names the report's figure it stands in for and the passages its
content is taken from, lists the team from the top down (a role and short
notes on it) and the schools the team served (the report's label, short
notes and the number of social workers the report gives, if any). Every
problem names the file, the line of the offending node and its key path
(e.g. ``schools[2].notes``), as for the logic model.
"""

from __future__ import annotations

from pathlib import Path

from swis.data.logic_model import _check_statements, _kind, _read_yaml, _Source


def _check_text(value: object, keys: list, source: _Source, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise source.error(keys, f"expected {what} (text), got {_kind(value)}")


def _check_entries(team: dict, key: str, name: str, source: _Source) -> None:
    """Check a list of mappings with a ``name`` (or ``role``) and ``notes``."""
    entries = team.get(key)
    if not isinstance(entries, list) or not entries:
        raise source.error([key], f"expected '{key}': a list of entries with {name} and notes; got {_kind(entries)}")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise source.error([key, i], f"expected a mapping with {name} and notes, got {_kind(entry)}")
        _check_text(entry.get(name), [key, i, name], source, f"the {name}")
        _check_statements(entry.get("notes"), [key, i, "notes"], source)
        workers = entry.get("social_workers")
        if key == "schools" and not (workers is None or (isinstance(workers, int) and workers > 0)):
            raise source.error(
                [key, i, "social_workers"], f"expected a whole number of social workers or null, got {workers!r}"
            )


def load_team(path: str | Path) -> dict:
    """Read one team file and check its structure.

    Parameters
    ----------
    path : str or Path
        The YAML file, e.g. ``data/teams/southampton.yml``.

    Returns
    -------
    dict
        ``figure`` (text), ``drawn_from`` (list of text), ``team`` (list of
        ``role`` and ``notes``) and ``schools`` (list of ``name``, ``notes``
        and ``social_workers``, a whole number or None) and
        ``social_workers_label``, what those numbers count.

    Raises
    ------
    InputError
        For invalid YAML, or a missing or ill-typed key: the file, the line,
        the key path and what was expected.

    Examples
    --------
    >>> from swis import paths
    >>> team = load_team(paths.TEAMS_DIR / "lambeth.yml")
    >>> [t["role"] for t in team["team"]]
    ['Social care managers', 'SWIS social workers']
    """
    source, team = _read_yaml(path)
    if not isinstance(team, dict):
        raise source.error([], f"expected a mapping of keys (figure, drawn_from, team, schools); got {_kind(team)}")
    _check_text(team.get("figure"), ["figure"], source, "the report's figure this diagram stands in for")
    _check_statements(team.get("drawn_from"), ["drawn_from"], source)
    _check_entries(team, "team", "role", source)
    _check_entries(team, "schools", "name", source)
    _check_text(team.get("social_workers_label"), ["social_workers_label"], source, "what the schools' numbers count")
    for school in team["schools"]:
        school.setdefault("social_workers", None)
    return team


def load_teams(folder: str | Path) -> dict[str, dict]:
    """Every team file of ``folder``, by the file's name (``southampton``), in name order."""
    return {path.stem: load_team(path) for path in sorted(Path(folder).glob("*.yml"))}
