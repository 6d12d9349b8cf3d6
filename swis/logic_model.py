"""The overarching logic model: loaded from ``data/logic_model.yml`` and drawn.

The figure has four columns: assumptions and prerequisites; the three
pathways, each a lane from its context through its mechanisms to its
outcomes (with what can stop it working); and the final outcome. Boxes are
sized from their wrapped text, so editing the YAML never makes text overlap.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import yaml
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from swis.errors import InputError

PATHWAY_KEYS = ("title", "context", "mechanisms", "outcomes", "risks")
# Okabe-Ito based fills: readable in print and with colour-blindness.
FILL = {"assumptions": "#F0E6C8", "context": "#DCEBF7", "mechanisms": "#D5EFE3",
        "outcomes": "#FBE0CC", "risks": "#F3D1DC", "final": "#E8DDF0"}
LINE_HEIGHT = 0.0158  # figure-height units per wrapped line
WRAP = 34


def _line_of(text: str, path: list[str]) -> int:
    """YAML line (1-based) of the node at ``path``, or of its deepest existing parent."""
    node = yaml.compose(text)
    line = node.start_mark.line + 1 if node else 1
    for key in path:
        if not isinstance(node, yaml.MappingNode):
            break
        match = [(k, v) for k, v in node.value if k.value == key]
        if not match:
            break
        line = match[0][0].start_mark.line + 1
        node = match[0][1]
    return line


def _check_list(model: dict, path: list[str], text: str, file: str) -> None:
    value = model
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError.one(file, _line_of(text, path), ".".join(path), "expected a list of short statements")


def load_logic_model(path: str | Path) -> dict:
    """Read and check the logic model.

    Raises
    ------
    InputError
        A missing or ill-typed section, naming the file, its line and the key.

    Examples
    --------
    >>> from swis import paths
    >>> model = load_logic_model(paths.LOGIC_MODEL)
    >>> sorted(model["pathways"])
    ['A', 'B', 'C']
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    model = yaml.safe_load(text)
    file = str(path)
    if not isinstance(model, dict):
        raise InputError.one(file, 1, "-", "expected a YAML mapping")
    for key in ("assumptions", "prerequisites", "final_outcome"):
        _check_list(model, [key], text, file)
    pathways = model.get("pathways")
    if not isinstance(pathways, dict) or not pathways:
        raise InputError.one(file, _line_of(text, ["pathways"]), "pathways",
                             "expected a mapping of pathways (A, B, C), each with " + ", ".join(PATHWAY_KEYS))
    for name, lane in pathways.items():
        if not isinstance(lane, dict) or not isinstance(lane.get("title"), str):
            raise InputError.one(file, _line_of(text, ["pathways", str(name)]), f"pathways.{name}.title",
                                 "expected a title")
        for key in PATHWAY_KEYS[1:]:
            _check_list(model, ["pathways", str(name), key], text, file)
    return model


def logic_model_table(model: dict) -> pd.DataFrame:
    """The model as a long table (section, pathway, element): the figure's text alternative."""
    rows = [("Assumption", "", s) for s in model["assumptions"]]
    rows += [("Prerequisite", "", s) for s in model["prerequisites"]]
    for name, lane in model["pathways"].items():
        for key in PATHWAY_KEYS[1:]:
            rows += [(key.capitalize(), f"{name}: {lane['title']}", s) for s in lane[key]]
    rows += [("Final outcome", "", s) for s in model["final_outcome"]]
    return pd.DataFrame(rows, columns=["Section", "Pathway", "Element"])


def _wrapped(items: list[str], width: int = WRAP) -> str:
    return "\n".join("\n".join(textwrap.wrap("• " + s, width, subsequent_indent="  ", break_on_hyphens=False)) for s in items)


def _box(fig, x: float, top: float, w: float, text: str, fill: str, title: str = "") -> tuple[float, float]:
    """Draw a box whose height fits its text; return (top, bottom)."""
    body = (title + "\n" if title else "") + text
    height = LINE_HEIGHT * (body.count("\n") + 1) + 0.02
    fig.patches.append(FancyBboxPatch((x, top - height), w, height, boxstyle="round,pad=0.004",
                                      transform=fig.transFigure, facecolor=fill, edgecolor="#555555", lw=0.8))
    fig.text(x + 0.006, top - 0.01, body, va="top", ha="left", fontsize=7.6, transform=fig.transFigure,
             linespacing=1.25)
    return top, top - height


def _arrow(fig, start: tuple[float, float], end: tuple[float, float]) -> None:
    fig.patches.append(FancyArrowPatch(start, end, transform=fig.transFigure, arrowstyle="-|>",
                                       mutation_scale=10, color="#444444", lw=0.9))


def _lane(fig, top: float, lane: dict, name: str, xs: list[float], w: float) -> float:
    """One pathway lane; return its bottom."""
    fig.text(xs[0], top, f"Pathway {name}: {lane['title']}", fontsize=9, fontweight="bold",
             va="bottom", transform=fig.transFigure)
    bottoms, mids = [], []
    parts = [("context", "In context"), ("mechanisms", "Mechanisms"), ("outcomes", "Outcomes")]
    for x, (key, label) in zip(xs, parts):
        t, b = _box(fig, x, top - 0.005, w, _wrapped(lane[key]), FILL[key], label)
        bottoms.append(b)
        mids.append((t + b) / 2)
    for i in range(2):
        _arrow(fig, (xs[i] + w, mids[i]), (xs[i + 1], mids[i + 1]))
    low = min(bottoms)
    if lane["risks"]:
        _, low = _box(fig, xs[1], low - 0.012, 2 * w + (xs[2] - xs[1] - w), _wrapped(lane["risks"], 2 * WRAP),
                      FILL["risks"], "Unlikely to work if")
    return low


def draw_logic_model(model: dict, width: float = 14.0, height: float = 11.0) -> plt.Figure:
    """Draw the model: assumptions and prerequisites, pathways A-C, final outcome.

    Parameters
    ----------
    model : dict
        As returned by :func:`load_logic_model`.
    width, height : float
        Figure size in inches.
    """
    fig = plt.figure(figsize=(width, height))
    w = 0.18
    left, xs, right = 0.01, [0.225, 0.43, 0.635], 0.84
    _, b1 = _box(fig, left, 0.97, w, _wrapped(model["assumptions"]), FILL["assumptions"], "Assumptions")
    _box(fig, left, b1 - 0.02, w, _wrapped(model["prerequisites"]), FILL["assumptions"], "Prerequisites")
    top, lane_mids = 0.96, []
    for name, lane in model["pathways"].items():
        bottom = _lane(fig, top, lane, name, xs, w)
        lane_mids.append((xs[2] + w, (top + bottom) / 2))
        top = bottom - 0.045
    mid = 0.5 * (0.96 + top + 0.045)
    t, b = _box(fig, right, mid + 0.05, 0.15, _wrapped(model["final_outcome"], 22), FILL["final"], "Final outcome")
    for start in lane_mids:
        _arrow(fig, start, (right, (t + b) / 2))
    _arrow(fig, (left + w, 0.8), (xs[0], 0.8))
    return fig
