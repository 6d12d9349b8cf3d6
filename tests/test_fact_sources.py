"""Every fact of ``data/facts/*.csv`` names a source that exists: a report, a part of it, and a heading, table or
numbered section that the map of the reports (``data/record/report_map.csv``) lists for that part."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from swis.data import record
from swis.data.facts import load_facts

FACTS = load_facts()
MAP = record.load_report_map()
TABLE = re.compile(r"\bTable (\d+)")
SECTION = re.compile(r"\bsection (\d+)\b")
# sources that name a kind of place every chapter of Part Two has, rather than one heading
GENERIC = {"each authority's Analysis": "analysis", "regression tables": "regression"}


def _chapter(report: str, part: str) -> pd.DataFrame:
    """The map's rows for a part of a report: a chapter of Part Two, or the rest of the report."""
    rows = MAP[MAP["report"] == report]
    if report.startswith("Final") and part.startswith("Part Two, "):
        return rows[rows["part"] == "Part Two: " + part.removeprefix("Part Two, ")]
    if report.startswith("Final"):
        return rows[~rows["part"].str.startswith("Part Two:")]
    return rows


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def source_problems(source: str) -> list[str]:
    """What is wrong with a fact's source (empty when it names places that exist).

    Examples
    --------
    >>> source_problems("Final report (May 2020), Part One, Methods, Table 2 (activity logs, total)")
    []
    >>> source_problems("Final report (May 2020), Part Two, Stockport, Table 12 (no such table)")
    ['Part Two, Stockport has no Table 12']
    >>> source_problems("Final report (May 2020), Part One, Nowhere in particular")
    ["Part One has no heading 'Nowhere in particular'"]
    """
    report = next((r for r in record.REPORTS if source.startswith(r)), None)
    if report is None:
        return [f"names neither report ({', '.join(record.REPORTS)})"]
    rest = source.removeprefix(report).lstrip(", ")
    generic = next((g for g in GENERIC if rest.startswith(f"Part Two, {g}")), None)
    if generic:  # every chapter of Part Two must have such a place
        word = GENERIC[generic]
        chapters = MAP[MAP["part"].str.startswith("Part Two: ")].groupby("part")["item"]
        return [f"{p} has no {generic}" for p, items in chapters if not items.map(_norm).str.contains(word).any()]
    first = re.split(r";", rest)[0]
    parts = [p.strip() for p in re.sub(r"\([^)]*\)", "", first).split(",")]
    part = ", ".join(parts[:2]) if parts[0] == "Part Two" and len(parts) > 1 else parts[0]
    chapter = _chapter(report, part if report.startswith("Final") else "")
    if chapter.empty:
        return [f"no part '{part}' in the {report}"]
    where = part if report.startswith("Final") else report
    items = chapter["item"].map(_norm)
    problems = []
    for number in TABLE.findall(re.sub(r"\([^)]*\)", "", first)):
        if not items.str.startswith(f"table {number} ").any():
            problems.append(f"{where} has no Table {number}")
    for number in SECTION.findall(first):
        if not items.str.startswith(f"{number} ").any():
            problems.append(f"{where} has no section {number}")
    named = parts[2 if part.startswith("Part Two, ") else 1 if report.startswith("Final") else 0 :]
    heading = next((n for n in named if n and not TABLE.match(n) and not SECTION.match(n)), "")
    headings = chapter.loc[chapter["kind"] == "heading", "item"].map(_norm)
    if heading and not TABLE.search(heading):
        wanted = _norm(heading).removeprefix("themes ")
        if not any(h.startswith(wanted) or wanted.startswith(h) for h in headings if h):
            problems.append(f"{where} has no heading '{heading}'")
    return problems


@pytest.mark.parametrize("key,source", list(zip(FACTS["key"], FACTS["source"], strict=True)), ids=list(FACTS["key"]))
def test_every_fact_names_a_source_that_exists(key, source):
    assert source_problems(source) == []


@pytest.mark.parametrize(
    "source",
    [
        "Final report (June 2020), Part One, Methods",
        "Final report (May 2020), Part Two, Stockport, Table 12 (a table the chapter does not have)",
        "Final report (May 2020), Part Two, Lambeth, section 9 (a section the chapter does not have)",
        "Final report (May 2020), Part One, A heading the report does not have",
        "Interim report (August 2019), Table 3 (the interim report has two tables)",
    ],
)
def test_a_source_that_does_not_exist_is_found(source):
    assert source_problems(source)
