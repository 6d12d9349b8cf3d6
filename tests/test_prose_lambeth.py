"""The Lambeth chapter of Part Two (``book/part2/lambeth.md``): its length, its own words, and its facts.

The facts the chapter states in words (dates, counts written out) are checked here against the final report;
the numbers it pastes with ``{glue:text}`` come from ``data/facts`` and are checked by ``test_book.py``.
"""

from __future__ import annotations

import re

import pandas as pd
import prose
import pytest

from swis import paths
from swis.data.facts import load_facts

CHAPTER = prose.BOOK / "part2" / "lambeth.md"
FINAL_REPORT = "000_*.txt"
MIN_WORDS = 3500

needs_seeds = pytest.mark.skipif(
    not any(prose.SEEDS.glob(FINAL_REPORT)),
    reason=f"the reports are not beside the repository ({prose.SEEDS}): the chapter cannot be compared with them",
)

# (what the chapter says, what the final report says that supports it); compared with spacing and
# apostrophes normalised, so that line breaks in either text do not matter
EVIDENCE = [
    # the school mix, in the report's two versions
    ("six of the schools with the highest need", "six of the highest need schools"),
    ("four schools of each phase", "four secondary and two primary schools"),
    ("four schools of each phase", "The remaining two primary schools were covered by social workers"),
    ("also lists five secondary and three primary schools", "LAM_Secondary5_INT"),
    ("also lists five secondary and three primary schools", "LAM_Primary3_INT"),
    # the dates of the three phases, in the report's versions
    ("first round of fieldwork took place in May 2019", "first round of fieldwork (May 2019)"),
    ("The evaluation ran in three phases", "The evaluation was organised into three phases"),
    ("in January and February 2019", "Phase 1 (January - February 2019)"),
    ("the Lambeth chapter dates it May to June 2019", "Phase 2 (May - June 2019)"),
    ("Part One gives April to June 2019", "Implementation [April - June 2019]"),
    ("Phase 3 between November 2019 and February 2020", "Phase 3 (November 2019 – February 2020)"),
    ("dates the fieldwork to November 2019", "Table 1. Data collection November 2019"),
    ("gives the phase as November 2019 to January 2020", "phase [November 2019 – January 2020]"),
    ("between December 2019 and January 2020", "Between December 2019 and January 2020"),
    ("in post since December 2019", "in post since December 2019"),
    # the data collected, in the report's two tables
    ("asked three questions", "three main areas, evidence of feasibility, evidence of promise"),
    ("a senior manager and a team manager", "Interview with senior managers 1"),
    ("a senior manager and a team manager", "Interview with team managers 1"),
    ("two interviews with head teachers", "Interview with Head teacher 2"),
    ("apart from seven with other school staff", "Interview with school staff 7"),
    ("with seven for Lambeth", "(including headteachers and senior managers) 7 2 3 12"),
    ("three interviews with children and young people", "Interviews with Children/Young People 3 - 1 4"),
    ("NVivo 12", "NVivo 12"),
    ("a different pair of comparison schools for each outcome", "2 for each outcome"),
    ("Three outcomes were planned", "We measured three outcomes"),
    ("because Lambeth could not provide the number of pupils who live in the borough", "this data was not available"),
    ("children from neighbouring boroughs", "pupils from neighbouring boroughs would be ineligible"),
    # implementation, activities, relationships
    ("Two secondary schools, the", "In the two secondary schools where these core features"),
    ("the second to hold a post split between a primary and a secondary", "the second to occupy the post"),
    ("More than a quarter of the logged activities", "More than a quarter (28%) of the logged"),
    ("four groups for girls", "four girls' groups"),
    ("at least three of the schools observed", "at least three of the schools that were observed"),
    ("three children on its register for a single day", "there's three children in there for a day"),
    # the two corrections
    ("Pupils who were in trouble could be barred from a group", "Sometimes the children are actually in trouble"),
    ("had a social worker present for five days a week", "LAM_Secondary3_INT 5 Shares office with DSL 2"),
]


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").split())


def _chapter() -> str:
    return _norm(CHAPTER.read_text(encoding="utf-8"))


def _final_report() -> str:
    return _norm(next(prose.SEEDS.glob(FINAL_REPORT)).read_text(encoding="utf-8", errors="replace"))


def _configuration() -> pd.DataFrame:
    return pd.read_csv(paths.ROOT / "data" / "context" / "lambeth_configuration.csv")


def test_chapter_is_written_in_full():
    assert prose.word_count(CHAPTER) >= MIN_WORDS


@needs_seeds
def test_chapter_shares_no_run_of_ten_words_with_the_reports():
    assert prose.shared_runs(CHAPTER) == []


def test_the_two_wrong_statements_are_gone():
    text = _chapter().lower()
    # workers were not "often full time": two of the eight schools had a worker five days a week
    assert not re.search(r"full[ -]time", text)
    # group sessions were closed to pupils in trouble (discipline), not blocked by timetables
    assert not re.search(r"timetables?[^.]*\b(release|group)", text)
    assert "in trouble" in text


def test_the_report_inconsistencies_are_on_the_record():
    text = _chapter()
    for key in (
        "lam_based_secondary",
        "lam_based_primary",
        "lam_covered_primary",
        "p1_lam_secondary",
        "p1_lam_primary",
    ):
        assert f"facts.ipynb::{key}:" in text, key
    for dates in ("November 2019 and February 2020", "November 2019 to January 2020", "December 2019 and January 2020"):
        assert dates in text, dates
    assert "pupils who live in the borough" in text


def test_configuration_facts_follow_the_configuration_table():
    table, facts = _configuration(), load_facts().set_index("key")["value"]
    assert facts["lam_config_schools"] == len(table)
    assert facts["lam_five_day_schools"] == (table["days_per_week"] == 5).sum()
    assert facts["lam_two_worker_schools"] == (table["social_workers_during_pilot"] == 2).sum()
    # "between one and four days" in the other schools, and the primaries had the fewest
    others = table.loc[table["days_per_week"] != 5, "days_per_week"]
    assert (others.min(), others.max()) == (1, 4)
    primary = table["school"].str.contains("Primary")
    assert table.loc[primary, "days_per_week"].max() < table.loc[~primary, "days_per_week"].min()
    assert "between one and four days a week" in _chapter()


@needs_seeds
def test_configuration_table_matches_the_report():
    report = _final_report()
    start = report.index("Table 2. Summary of pilot implementation across schools")
    days = dict(re.findall(r"(LAM_\w+?_INT) (\d) ", report[start : report.index("While they were well", start)]))
    assert days == dict(zip(_configuration()["school"], _configuration()["days_per_week"].astype(str), strict=True))


@needs_seeds
@pytest.mark.parametrize(("chapter", "report"), EVIDENCE)
def test_fact_stated_in_words_is_in_the_report(chapter, report):
    assert _norm(chapter) in _chapter(), f"the chapter no longer says {chapter!r}"
    assert _norm(report) in _final_report(), f"the final report does not say {report!r}"
