"""Shared fixtures: the shipped configs and panel, and small panels written to tmp_path."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from swis import paths
from swis.config import load_config
from swis.data.panel import load_panel


@pytest.fixture(scope="session")
def configs():
    return {a: load_config(paths.config_path(a)) for a in ("Southampton", "Stockport", "Lambeth")}


@pytest.fixture(scope="session")
def panels(configs):
    return {a: load_panel(paths.PANEL, c) for a, c in configs.items()}


def toy_rows(post_terms=("Autumn 2019",), terms=("Autumn 2017", "Autumn 2018", "Autumn 2019")) -> pd.DataFrame:
    """A small valid panel: two intervention and two control schools, one outcome."""
    rows = []
    counts = {"A_INT": [8, 9, 4, 3], "B_INT": [6, 7, 3, 2], "C_COMP": [7, 8, 8, 9], "D_COMP": [5, 6, 7, 6]}
    for school, series in counts.items():
        for term, count in zip(terms, series, strict=False):  # three terms use the first three counts
            rows.append(
                {
                    "authority": "Toyton",
                    "outcome": "s47",
                    "school": school,
                    "group": "intervention" if school.endswith("INT") else "control",
                    "term": term,
                    "count": count,
                    "pupils": 500,
                    "printed_rate": "",
                }
            )
    return pd.DataFrame(rows).astype(str)  # as read from a CSV: every cell text


def toy_config_text(
    terms=("Autumn 2017", "Autumn 2018", "Autumn 2019"), reference="Autumn 2018", post=("Autumn 2019",)
) -> str:
    terms_yaml = "\n".join(f"  - {t}" for t in terms)
    post_yaml = "\n".join(f"  - {t}" for t in post)
    return f"""authority: Toyton
code: TOY
terms:
{terms_yaml}
reference_term: {reference}
intervention_terms:
{post_yaml}
outcomes:
  s47:
    label: Section 47 starts
    unit: per 100 pupils
    scale: 100
"""


@pytest.fixture
def toy(tmp_path: Path):
    """Write a toy panel and config; return a function (rows -> (panel path, config path))."""
    config = tmp_path / "toy.yml"
    config.write_text(toy_config_text())

    def write(rows: pd.DataFrame | None = None, text: str | None = None) -> tuple[Path, Path]:
        panel = tmp_path / "panel.csv"
        if text is not None:
            panel.write_text(text)
        else:
            (toy_rows() if rows is None else rows).to_csv(panel, index=False)
        return panel, config

    return write


@pytest.fixture(scope="session")
def built():
    """The book `make book` built: its executed notebooks and HTML (tests marked ``book`` run after it)."""
    index = paths.BUILD / "html" / "index.html"
    if not paths.GENERATED.is_dir() or not index.exists():
        pytest.fail("no built book: run `make book` before `make check` (tests marked `book` read its output)")
    return {"generated": paths.GENERATED, "html": index.parent}
