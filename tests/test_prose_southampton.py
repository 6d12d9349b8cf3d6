"""The Southampton chapter of Part Two and the interim-report appendix: depth, own words, facts and quotations.

Every number in these pages is either glued from ``data/facts/`` (and so not part of the prose read here) or
typed in one of the phrases below, each of which is checked against the words of the report it comes from.
Quotations (block quotes and text in curly double quotes) must be the reports' own words, and no school the
interim report names may appear in either page.
"""

from __future__ import annotations

import re

import pytest
from prose import BOOK, SEEDS, prose, shared_runs, word_count

CHAPTER = BOOK / "part2" / "southampton.md"
APPENDIX = BOOK / "appendix" / "interim_southampton.md"
FINAL = "000_a5a957d701d31b45.txt"  # the final report (May 2020)
INTERIM = "001_a12ed2a7b2d0828a.txt"  # the Southampton interim report (August 2019)

MIN_WORDS = {CHAPTER: 3500, APPENDIX: 2500}

# Numbers and dates typed in the prose: phrase as the book writes it -> (report, words of the report that support it)
TYPED = {
    CHAPTER: {
        "Secondary 1": (FINAL, "the Secondary 1 cluster of schools"),
        "Secondary 2": (FINAL, "the Secondary 2 cluster, to the west"),
        "SEMH 1 to 3": (FINAL, "SEMH 2, SEMH 3, and SEMH 1"),
        "May 2019": (FINAL, "first round of fieldwork (May 2019)"),
        "June 2019": (INTERIM, "completed the fieldwork in Southampton in June 2019"),
        "summer of 2019": (FINAL, "re-launch of the pilot that occurred during summer 2019"),
        "Phase 1, in January and February 2019": (FINAL, "Phase 1 (January - February 2019)"),
        "Phase 2, in May and June 2019": (FINAL, "Phase 2 (May - June 2019)"),
        "Phase 3, from November 2019 to February 2020": (FINAL, "Phase 3 (November 2019 - February 2020)"),
        "By Phase 3": (FINAL, "By Phase 3 a different configuration"),
        "November 2019": (FINAL, "We visited Southampton in November 2019"),
        "NVivo 12": (FINAL, "coded by a researcher using NVivo 12"),
        "autumn terms of 2016 to 2018": (FINAL, "matching, re Autumn terms 2016 - 18"),
        "autumn term of 2019": (FINAL, "from schools, re Autumn term 2019"),
        "2019 as the reference financial year": (FINAL, "with 2019 as the reference financial year"),
        "Section 17": (FINAL, "Section 17 starts"),
        "Section 47": (FINAL, "Section 47 enquiries"),
        "Year 7": (FINAL, "higher numbers in years 7 (35% of issues)"),
        "Year 11": (FINAL, "and 11 (32% of issues)"),
    },
    APPENDIX: {
        "from April 2019": (INTERIM, "12 months from 1 April 2019"),
        "launched in April 2019": (INTERIM, "The pilot was launched in April 2019"),
        "between April and June 2019": (INTERIM, "data collected between April and June 2019"),
        "in June 2019": (INTERIM, "completed the fieldwork in Southampton in June 2019"),
        "March 2020": (INTERIM, "Our final report will be published in March 2020"),
        "May 2019": (FINAL, "first round of fieldwork (May 2019)"),
        "Phase 3": (FINAL, "Phase 3 (November 2019 - February 2020)"),
        "Section 17": (INTERIM, "Section 17 (s.17) involvement"),
        "Section 47": (INTERIM, "Section 47 (s.47) enquiries"),
    },
}

_LIST_MARKER = re.compile(r"^\s*\d+\.\s", re.M)
_BLOCK = re.compile(r"(?:^>.*\n?)+", re.M)
_CURLY = re.compile(r"“([^”]*)”")
_ELLIPSIS = re.compile(r"…|\.\.\.")

needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"the reports are not beside the repository ({SEEDS}): nothing to compare with"
)


def _normal(text: str) -> str:
    """Lower case, straight quotes and hyphens, words broken across lines rejoined, single spaces."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"(\w)- (\w)", r"\1-\2", text)


def _seed(name: str) -> str:
    return _normal((SEEDS / name).read_text(encoding="utf-8", errors="replace"))


def _quotations(path) -> list[str]:
    """The passages the page quotes: block quotes (less their attribution line) and text in curly quotes."""
    text = path.read_text(encoding="utf-8")
    quotes = []
    for block in _BLOCK.findall(text):
        lines = [line.lstrip(">").strip() for line in block.splitlines()]
        body = " ".join(line for line in lines if line and not line.startswith("—"))
        quotes.append(body.strip().strip('"“”'))
    return quotes + _CURLY.findall(text)


@pytest.mark.parametrize("path", [CHAPTER, APPENDIX], ids=["chapter", "appendix"])
def test_prose_is_long_enough(path):
    assert word_count(path) >= MIN_WORDS[path]


@needs_seeds
@pytest.mark.parametrize("path", [CHAPTER, APPENDIX], ids=["chapter", "appendix"])
def test_no_run_of_ten_words_is_the_reports(path):
    assert shared_runs(path) == []


@pytest.mark.parametrize("path", [CHAPTER, APPENDIX], ids=["chapter", "appendix"])
def test_every_typed_number_is_a_checked_phrase(path):
    text = prose(_LIST_MARKER.sub("", path.read_text(encoding="utf-8")))
    for phrase in sorted(TYPED[path], key=len, reverse=True):
        assert phrase in text, f"{phrase!r} is no longer in {path.name}: drop it from TYPED"
        text = text.replace(phrase, " ")
    left = re.findall(r"\S*\d\S*", text)
    assert not left, f"numbers neither glued nor checked against the report: {left}"


@needs_seeds
@pytest.mark.parametrize("path", [CHAPTER, APPENDIX], ids=["chapter", "appendix"])
def test_typed_numbers_are_the_reports(path):
    missing = [p for p, (seed, words) in TYPED[path].items() if _normal(words) not in _seed(seed)]
    assert not missing


@needs_seeds
@pytest.mark.parametrize("path", [CHAPTER, APPENDIX], ids=["chapter", "appendix"])
def test_quotations_are_the_reports_words(path):
    seeds = _seed(FINAL) + " " + _seed(INTERIM)
    quotes = _quotations(path)
    assert quotes, "the page quotes nobody"
    for quote in quotes:
        for part in _ELLIPSIS.split(quote):
            part = _normal(part).strip(" .,;:'\"")
            assert not part or part in seeds, f"not the reports' words: {part!r}"


@needs_seeds
def test_quotations_are_few():
    assert len(_quotations(CHAPTER)) <= 8
    assert len(_quotations(APPENDIX)) <= 4


@needs_seeds
@pytest.mark.parametrize("path", [CHAPTER, APPENDIX], ids=["chapter", "appendix"])
def test_no_school_the_interim_report_names_appears(path):
    """The names are read from the interim report's table of schools, so that they are written nowhere here."""
    table = (SEEDS / INTERIM).read_text(encoding="utf-8").split("Table 1: Schools", 1)[1].split("## Methods")[0]
    generic = {"School", "Schools", "The", "Community", "Mainstream", "Size", "Type"}
    names = set()
    for row in table.splitlines()[1:]:
        first = row.split("\t")[0].split("(")[0]
        names |= {w for w in re.findall(r"\b[A-Z][a-z]+\b", first) if w not in generic}
    assert len(names) >= 5, f"could not read the table of schools: {names}"
    found = [n for n in names if re.search(rf"\b{n}\b", path.read_text(encoding="utf-8"))]
    assert not found, f"{path.name} names a school of the interim report"
