"""Per-authority analysis configuration (``data/config/<authority>.yml``).

A config names the authority, its terms in order, the reference term of the
term fixed effects, the intervention (post) term(s) and the outcomes with
their labels and units. Problems are reported with the YAML line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from swis.errors import InputError, Problem

#: Short names of outcomes in labels and file names, where the key itself is too long.
SHORT_NAMES = {"days_in_care": "dic"}


def short_name(key: str) -> str:
    """The outcome's short name in table and figure labels (``days_in_care`` -> ``dic``).

    Examples
    --------
    >>> short_name("days_in_care"), short_name("s47")
    ('dic', 's47')
    """
    return SHORT_NAMES.get(key, key)


@dataclass(frozen=True)
class Outcome:
    """An outcome: its key (``s17``), label, unit and rate scale (100 = per 100 pupils)."""

    key: str
    label: str
    unit: str
    scale: float

    @property
    def short(self) -> str:
        """Short name in labels, e.g. ``dic`` (see :func:`short_name`)."""
        return short_name(self.key)

    @property
    def in_text(self) -> str:
        """The label inside a sentence: 'days in care', but 'Section 17 starts'."""
        return self.label if self.label.startswith("Section") else self.label[0].lower() + self.label[1:]


@dataclass(frozen=True)
class Config:
    """The analysis settings of one authority.

    Examples
    --------
    >>> from swis import paths
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> cfg.reference_term, cfg.intervention_terms
    ('Autumn 2018', ('Autumn 2019',))
    """

    authority: str
    code: str
    terms: tuple[str, ...]
    reference_term: str
    intervention_terms: tuple[str, ...]
    outcomes: dict[str, Outcome]
    autumn_terms: tuple[str, ...] = ()
    path: str = ""
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def line_of(self, key: str) -> int:
        """YAML line of a top-level key (0 when unknown)."""
        return self.lines.get(key, 0)


def _key_lines(text: str) -> dict[str, int]:
    """Line numbers (1-based) of the top-level keys of a YAML mapping."""
    node = yaml.compose(text)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value}


def _require(raw: dict, key: str, kind: type, file: str, lines: dict) -> object:
    if key not in raw:
        raise InputError.one(file, 0, key, f"missing key '{key}' (expected a {kind.__name__})")
    value = raw[key]
    if not isinstance(value, kind) or (kind is list and not value):
        raise InputError.one(file, lines.get(key, 0), key, f"expected a non-empty {kind.__name__}, got {value!r}")
    return value


def _outcomes(raw: dict, file: str, lines: dict) -> dict[str, Outcome]:
    out = {}
    for key, spec in _require(raw, "outcomes", dict, file, lines).items():
        if not isinstance(spec, dict) or not {"label", "unit", "scale"} <= set(spec):
            raise InputError.one(
                file, lines.get("outcomes", 0), f"outcomes.{key}", "expected a mapping with 'label', 'unit' and 'scale'"
            )
        out[str(key)] = Outcome(str(key), str(spec["label"]), str(spec["unit"]), float(spec["scale"]))
    return out


def parse_config(text: str, file: str = "<config>") -> Config:
    """Parse and check a config given as YAML text; see :func:`load_config`."""
    try:
        raw = yaml.safe_load(text)
        lines = _key_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError.one(file, mark.line + 1 if mark else 0, "-", f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise InputError.one(file, 1, "-", "expected a YAML mapping of settings")
    terms = [str(t) for t in _require(raw, "terms", list, file, lines)]
    ref = str(_require(raw, "reference_term", str, file, lines))
    post = [str(t) for t in _require(raw, "intervention_terms", list, file, lines)]
    problems = []
    if len(set(terms)) != len(terms):
        problems.append(Problem(file, lines.get("terms", 0), "terms", "terms must be unique"))
    if ref not in terms:
        problems.append(
            Problem(file, lines.get("reference_term", 0), "reference_term", f"'{ref}' is not one of the config's terms")
        )
    for t in post:
        if t not in terms or t == ref:
            problems.append(
                Problem(
                    file,
                    lines.get("intervention_terms", 0),
                    "intervention_terms",
                    f"'{t}' must be one of the terms and differ from the reference term",
                )
            )
    if problems:
        raise InputError(problems)
    return Config(
        authority=str(_require(raw, "authority", str, file, lines)),
        code=str(raw.get("code", "")),
        terms=tuple(terms),
        reference_term=ref,
        intervention_terms=tuple(post),
        outcomes=_outcomes(raw, file, lines),
        autumn_terms=tuple(str(t) for t in raw.get("autumn_terms", []) or []),
        path=file,
        lines=lines,
    )


def load_config(path: str | Path) -> Config:
    """Read and check an authority's YAML config.

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    Config

    Raises
    ------
    InputError
        The file is missing, is not YAML, or lacks or misstates a setting.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError.one(path, 0, "-", f"cannot read the config: {exc.strerror}") from None
    return parse_config(text, str(path))


def term_order(config: Config) -> list[str]:
    """Every term of a config in time order: the analysis terms with the autumn terms merged in.

    An autumn term that is not an analysis term goes before the next autumn
    term that is, or, if none follows, before the first intervention term.

    Examples
    --------
    >>> from swis import paths
    >>> term_order(load_config(paths.config_path("Stockport")))
    ['Autumn 2016', 'Autumn 2017', 'Autumn 2018', 'Autumn 2019']
    """
    out, pending = list(config.terms), []
    for term in config.autumn_terms:
        if term in out:
            at = out.index(term)
            out[at:at] = pending
            pending = []
        elif term not in pending:
            pending.append(term)
    if pending:
        first_post = [t for t in config.intervention_terms if t in out]
        at = out.index(first_post[0]) if first_post else len(out)
        out[at:at] = pending
    return out
