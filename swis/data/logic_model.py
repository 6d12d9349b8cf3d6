"""The overarching logic model as data: ``data/logic_model.yml``, read and checked.

The file lists the assumptions and prerequisites that hold for every
pathway, one entry per pathway (A, B, C) with its context, ordered
mechanisms, outcomes and what would stop it working, and the final outcome.
Every problem names the file, the line of the offending node and its key
path (e.g. ``pathways.B.risks``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from swis.errors import InputError

#: Top-level lists of statements (the final outcome is an ordered chain).
LIST_KEYS = ("assumptions", "prerequisites", "final_outcome")
#: Lists inside each pathway; only ``risks`` may be empty.
LANE_KEYS = ("context", "mechanisms", "outcomes", "risks")


@dataclass(frozen=True)
class _Source:
    """The YAML file being checked: its name (as given) and its text."""

    file: str
    text: str

    def error(self, keys: list, message: str) -> InputError:
        """An :class:`InputError` at the line of the node ``keys`` leads to.

        Parameters
        ----------
        keys : list of str or int
            Path of mapping keys and list indices from the top of the file.
        message : str
            What is wrong and what was expected.
        """
        return InputError.one(self.file, _yaml_line(self.text, keys), _key_path(keys), message)


def _read_yaml(path: str | Path) -> tuple[_Source, object]:
    """The file as a :class:`_Source` and its parsed YAML; invalid YAML is one problem at its line."""
    source = _Source(str(path), Path(path).read_text(encoding="utf-8"))
    try:
        return source, yaml.safe_load(source.text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError.one(
            source.file, mark.line + 1 if mark else 1, "(syntax)", f"not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from None


def _key_path(keys: list) -> str:
    """``["pathways", "B", "risks", 0]`` as ``pathways.B.risks[0]``.

    Examples
    --------
    >>> _key_path(["pathways", "B", "risks", 0])
    'pathways.B.risks[0]'
    """
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "(top level)"


def _yaml_line(text: str, keys: list) -> int:
    """Line (1-based) of the node at ``keys``, or of its deepest parent that exists.

    A key is located at the line of the key itself; a list item at its own line.
    """
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return 1
    line = node.start_mark.line + 1 if node is not None else 1
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _kind(value: object) -> str:
    """A reader's name for the YAML type of ``value``."""
    if value is None:
        return "nothing (an empty value)"
    names = {dict: "a mapping (quote text that contains ': ')", list: "a list", str: "text"}
    return names.get(type(value), f"a {type(value).__name__}")


def _check_statements(value: object, keys: list, source: _Source, allow_empty: bool = False) -> None:
    """Check that ``value`` is a list of non-empty statements.

    Raises
    ------
    InputError
        At the line of the list, or of the first bad item.
    """
    expected = "a list of short statements, one per line starting with '- '"
    if not isinstance(value, list):
        raise source.error(keys, f"expected {expected}, got {_kind(value)}")
    if not value and not allow_empty:
        raise source.error(keys, f"expected {expected}, got an empty list")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise source.error(keys + [i], f"expected a short statement (text), got {_kind(item)}")


def _check_pathway(name: object, lane: object, source: _Source) -> None:
    """Check one pathway: a title and the lists of :data:`LANE_KEYS`."""
    keys = ["pathways", str(name)]
    if not isinstance(lane, dict):
        raise source.error(keys, f"expected a mapping with title, {', '.join(LANE_KEYS)}; got {_kind(lane)}")
    title = lane.get("title")
    if not isinstance(title, str) or not title.strip():
        what = "missing" if "title" not in lane else f"got {_kind(title)}"
        raise source.error(keys + ["title"], f"expected the pathway's title (text); {what}")
    for key in LANE_KEYS:
        if key not in lane:
            raise source.error(
                keys + [key],
                f"missing key '{key}': expected a list of short statements"
                + (" (write [] for none)" if key == "risks" else ""),
            )
        _check_statements(lane[key], keys + [key], source, allow_empty=key == "risks")


def load_logic_model(path: str | Path) -> dict:
    """Read the logic model from a YAML file and check its structure.

    Parameters
    ----------
    path : str or Path
        The YAML file, e.g. :data:`swis.paths.LOGIC_MODEL`.

    Returns
    -------
    dict
        ``source`` (text); ``assumptions``, ``prerequisites`` and
        ``final_outcome`` (lists of text); ``pathways``, a mapping from the
        pathway's name to ``title``, ``context``, ``mechanisms``,
        ``outcomes`` and ``risks``.

    Raises
    ------
    InputError
        For invalid YAML, or a missing or ill-typed key: the problem names the
        file, the line of the offending node (of its parent when the key is
        missing), the key path (e.g. ``pathways.B.risks``) and what was expected.

    Examples
    --------
    >>> from swis import paths
    >>> sorted(load_logic_model(paths.LOGIC_MODEL)["pathways"])
    ['A', 'B', 'C']
    """
    source, model = _read_yaml(path)
    if not isinstance(model, dict):
        raise source.error(
            [], f"expected a mapping of keys (source, {', '.join(LIST_KEYS)}, pathways); got {_kind(model)}"
        )
    if not isinstance(model.get("source"), str):
        raise source.error(["source"], "expected 'source': the report section the model comes from (text)")
    for key in LIST_KEYS:
        if key not in model:
            raise source.error([key], f"missing key '{key}': expected a list of short statements")
        _check_statements(model[key], [key], source)
    pathways = model.get("pathways")
    if not isinstance(pathways, dict) or not pathways:
        what = "missing" if "pathways" not in model else f"got {_kind(pathways)}"
        raise source.error(
            ["pathways"],
            "expected key 'pathways': a mapping of pathways (A, B, C), each with "
            f"title, {', '.join(LANE_KEYS)}; {what}",
        )
    for name, lane in pathways.items():
        _check_pathway(name, lane, source)
    return model
