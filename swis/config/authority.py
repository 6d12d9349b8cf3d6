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
#: Most events (or days) per pupil on roll in one term, unless the config states ``max_per_pupil``: a count
#: above pupils x this bound is refused as a typing error. Events (Section 17/47 starts): one per pupil;
#: days in care: 184, the days in half a year (no term is longer).
MAX_PER_PUPIL = {"days_in_care": 184.0}
DEFAULT_MAX_PER_PUPIL = 1.0


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping (PyYAML keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (first on line {seen[key]})", key_node.start_mark
                )
            if isinstance(key, (str, int, float, bool)):
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str, file: str) -> object:
    """Parse YAML text with duplicate keys refused; a syntax error is one problem with its line.

    Examples
    --------
    >>> try:
    ...     load_yaml("a: 1\\nb: 2\\na: 3\\n", "x.yml")
    ... except InputError as err:
    ...     print(err)
    error: x.yml:3: -: not valid YAML: duplicate key 'a' (first on line 1)
    """
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        what = " ".join(str(getattr(exc, a)) for a in ("context", "problem") if getattr(exc, a, None))
        raise InputError.one(file, mark.line + 1 if mark else 0, "-", f"not valid YAML: {what or exc}") from None


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
    """An outcome: its key (``s17``), label, unit, rate scale (100 = per 100 pupils) and count bound.

    ``max_per_pupil`` bounds a count: at most pupils x this many events (or
    days) in a term (:data:`MAX_PER_PUPIL`).
    """

    key: str
    label: str
    unit: str
    scale: float
    max_per_pupil: float = DEFAULT_MAX_PER_PUPIL

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
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value}


_KINDS = {list: "list", str: "text", dict: "mapping"}


def _require(raw: dict, key: str, kind: type, file: str, lines: dict) -> object:
    if key not in raw:
        raise InputError.one(file, 0, key, f"missing key '{key}' (expected a {_KINDS[kind]})")
    value = raw[key]
    if not isinstance(value, kind) or (kind is not str and not value) or (kind is str and not value.strip()):
        raise InputError.one(file, lines.get(key, 0), key, f"expected a non-empty {_KINDS[kind]}, got {value!r}")
    if kind is list and any(isinstance(v, (list, dict)) or v is None for v in value):
        raise InputError.one(file, lines.get(key, 0), key, f"expected a list of names, got {value!r}")
    return value


def _positive(spec: dict, name: str, default: float | None) -> float | None:
    """A positive number from an outcome's mapping, or None if it is not one."""
    value = spec.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e9:
        return None
    return float(value)


def _outcome(key: object, spec: object, file: str, line: int) -> Outcome:
    where = f"outcomes.{key}"
    if not isinstance(key, str) or not key.strip():
        raise InputError.one(file, line, where, f"expected an outcome name, got {key!r}")
    if not isinstance(spec, dict) or not {"label", "unit", "scale"} <= set(spec):
        raise InputError.one(file, line, where, "expected a mapping with 'label', 'unit' and 'scale'")
    for name in ("label", "unit"):
        if not isinstance(spec[name], str) or not spec[name].strip():
            raise InputError.one(file, line, f"{where}.{name}", f"expected text, got {spec[name]!r}")
    scale = _positive(spec, "scale", None)
    if scale is None:
        raise InputError.one(
            file, line, f"{where}.scale", f"expected a number > 0 (100: per 100 pupils), got {spec['scale']!r}"
        )
    bound = _positive(spec, "max_per_pupil", MAX_PER_PUPIL.get(key, DEFAULT_MAX_PER_PUPIL))
    if bound is None:
        raise InputError.one(
            file, line, f"{where}.max_per_pupil", f"expected a number > 0, got {spec['max_per_pupil']!r}"
        )
    return Outcome(key, spec["label"], spec["unit"], scale, bound)


def _outcomes(raw: dict, file: str, lines: dict) -> dict[str, Outcome]:
    specs = _require(raw, "outcomes", dict, file, lines)
    return {str(k): _outcome(k, v, file, lines.get("outcomes", 0)) for k, v in specs.items()}


def _term_problems(terms: list, ref: str, post: list, file: str, lines: dict) -> list[Problem]:
    """Terms unique; the reference one of them; intervention terms among them and after the reference."""
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
        elif ref in terms and terms.index(t) < terms.index(ref):
            problems.append(
                Problem(
                    file,
                    lines.get("intervention_terms", 0),
                    "intervention_terms",
                    f"'{t}' comes before the reference term '{ref}' in the list of terms; "
                    "intervention terms must follow it",
                )
            )
    return problems


def parse_config(text: str, file: str = "<config>") -> Config:
    """Parse and check a config given as YAML text; see :func:`load_config`."""
    raw = load_yaml(text, file)
    lines = _key_lines(text)
    if not isinstance(raw, dict):
        raise InputError.one(file, 1, "-", "expected a YAML mapping of settings")
    authority = str(_require(raw, "authority", str, file, lines)).strip()
    terms = [str(t) for t in _require(raw, "terms", list, file, lines)]
    ref = str(_require(raw, "reference_term", str, file, lines))
    post = [str(t) for t in _require(raw, "intervention_terms", list, file, lines)]
    autumn = raw.get("autumn_terms") or []
    if not isinstance(autumn, list) or any(isinstance(v, (list, dict)) for v in autumn):
        raise InputError.one(file, lines.get("autumn_terms", 0), "autumn_terms", f"expected a list, got {autumn!r}")
    if not isinstance(raw.get("code", ""), (str, type(None))):
        raise InputError.one(file, lines.get("code", 0), "code", f"expected text, got {raw['code']!r}")
    problems = _term_problems(terms, ref, post, file, lines)
    if problems:
        raise InputError(problems)
    return Config(
        authority=authority,
        code=str(raw.get("code") or ""),
        terms=tuple(terms),
        reference_term=ref,
        intervention_terms=tuple(post),
        outcomes=_outcomes(raw, file, lines),
        autumn_terms=tuple(str(t) for t in autumn),
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
    from swis.io import read_text

    return parse_config(read_text(path, "YAML config"), str(path))


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
