"""The Stockport chapter of Part Two (book/part2/stockport.md and its conclusions page): length, own words, facts.

Every number in the chapter's prose (digits or a number word) is either glued from the notebooks (and so not
part of the prose) or belongs to one of the phrases in ``FACTS``, each paired with the words of the final report
that support it. Quotations must be the report's words.
"""

from __future__ import annotations

import re

import prose
import pytest

CHAPTER = prose.BOOK / "part2" / "stockport.md"
CONCLUSIONS = prose.BOOK / "part2" / "stockport_conclusions.md"
PAGES = [CHAPTER, CONCLUSIONS]
MIN_WORDS = 3500
NEEDS_SEEDS = pytest.mark.skipif(
    not prose.SEEDS.is_dir(), reason=f"the reports are not beside the repository ({prose.SEEDS} is absent)"
)
FINAL_REPORT = "000_*.txt"

# (phrase of the chapter's prose, words of the final report that support it)
FACTS = [
    # Introduction and background; the team as the introduction and section 1 describe it
    (
        "lists six social workers three senior practitioners",
        "The SWIS team includes six social workers, three senior practitioners",
    ),
    ("counts seven social workers two of whom worked part time", "It included seven social workers3"),
    ("counts seven social workers two of whom worked part time", "Two of these worked part time"),
    ("added up to six full time equivalents", "the team comprised six full time equivalent posts"),
    # interim findings and the study design
    ("spring 2019", "(March - June 2019)"),
    ("from march to june 2019", "(March - June 2019)"),
    ("ran in three phases", "The evaluation was organised into three phases"),
    ("in january and february 2019", "Phase 1 (January - February 2019)"),
    ("may and june 2019", "Phase 2 (May - June 2019)"),
    ("from november 2019 to february 2020", "Phase 3 (November 2019 – February 2020)"),
    ("nvivo 12", "using NVivo 12"),
    ("three outcomes", "We measured three outcomes"),
    ("section 17", "Section 17 starts"),
    ("section 47", "Section 47 enquiries"),
    (
        "as many as six others two for each outcome",
        "could have up to six different comparator schools, two for each outcome",
    ),
    ("the change over 2017 to 2018", "in the two years prior to the intervention (2017-2018)"),
    ("from the 2017 18 data", "identified by using 2017-18 data"),
    ("from the 2016 17 data", "identified by using 2016-17 data"),
    ("below 0 05", "a p-value of below 0.05"),
    ("a ratio of 1 5 means a rate half as large again", "a rate ratio of 1.5 is interpreted as a 50% increase"),
    ("a ratio of 0 5 a rate halved", "a rate ratio of 0.5 is interpreted as a 50% decrease"),
    # data collected: Part Two Table 1 and Part One Table 2
    ("two head teachers", "(head teacher x2, school nurse, deputy DSL)"),
    ("the autumn term of 2019", "Administrative records from schools, re Autumn term 2019"),
    (
        "its table 1 records four interviews with social workers",
        "Interview with social workers and senior practitioners2 4",
    ),
    ("and four observations of social work practice", "Observations of social work practice 4"),
    ("its table 2", "Table 2: Data collected in Phase 3"),
    ("gives five and three", "Interviews with social workers 5 7 5 17"),
    ("gives five and three", "Observations of social work practice 10 1 3 14"),
    ("four and four", "Observations of social work practice 4"),
    ("headed november 2019", "Table 1: Data collection November 2019"),
    # how the pilot was implemented
    ("two secondary schools and nine primary schools", "There were two secondary schools and nine primary schools"),
    ("seven social workers was linked to two schools", "all but one of whom worked with two schools"),
    ("or two primaries", "one secondary and one primary school, or two primary schools"),
    (
        "three senior practitioners each oversaw up to four schools",
        "three senior practitioners overseeing up to four schools each",
    ),
    (
        "the two secondaries and one large primary with high need had two social workers",
        "(two secondary schools and one large high need primary school) were assigned two social workers each",
    ),
    ("linked to two primaries", "One social worker who works with two primary schools"),
    ("about three times a week", "on site about three times a week"),
    ("a fortnight might pass", "it could be two weeks before I see them again"),
    # what social workers did
    ("under five minutes", "brief queries that took under 5 minutes"),
    ("its figure 1", "Figure 1: Person making enquiry"),
    ("its figure 2", "Figure 2: Time spent on logged activity"),
    ("around half of the contacts", "Around half of all contact listed"),
    (
        "half of all enquiries took between five and thirty minutes",
        "Half of all enquiries resulted in between 5 minutes and 30 minutes of work",
    ),
    ("more than an hour", "only a minority took more than an hour"),
    ("a twice weekly drop in", "as part of the secondary school twice a week"),
    ("the three younger children", "got the three younger children into school"),
    ("around half a dozen parents", "We've had a half a dozen parents each time"),
    ("the previous eight months", "the past eight months"),
    # opportunities and challenges
    ("two buses", "before catching two buses to their own school"),
    ("half an hour", "go and do something else for half an hour"),
    # the difference the pilot appeared to make
    (
        "one pilot school and three comparison schools had no starts in any of the three terms",
        "three control schools each registering no Section 47 starts in any of the three terms",
    ),
    (
        "two comparison schools recorded no days in care in any term",
        "two schools reported no days in care in any of the terms of data collection",
    ),
    ("different numbers of pupils", "STO_Primary9_INT STO_Primary2_INT STO_Secondary2_INT STO_Primary8_INT"),
    ("different numbers of pupils", "Autumn 2019 6 309 1.94 0 209 0.00 10 1040 0.96"),
    ("different numbers of pupils", "STO_Primary9_INT STO_Secondary2_INT STO_Primary2_INT"),
    ("different numbers of pupils", "Autumn 2019 2 309 0.01 615 699 0.88"),
]

NUMBER_WORDS = frozenset(
    ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "fifteen", "twenty")
    + ("thirty", "forty", "fifty", "hundred", "thousand", "half", "quarter", "dozen", "fortnight", "twice", "thrice")
)

_QUOTE = re.compile(r"“([^”]*)”")
_ELLIPSIS = re.compile(r"…|\.\.\.")


def _joined(text: str) -> str:
    return " ".join(prose.words(text))


def _chapter_text() -> str:
    return CHAPTER.read_text(encoding="utf-8")


def _report() -> str:
    (path,) = sorted(prose.SEEDS.glob(FINAL_REPORT))
    return " " + _joined(path.read_text(encoding="utf-8", errors="replace")) + " "


def quotations(text: str) -> list[str]:
    """The chapter's marked quotations: text in curly double quotes and block quotes (without attributions)."""
    text = re.sub(r"^(`{3,}|:{3,}).*?^\1\s*$", "", text, flags=re.S | re.M)
    quoted = _QUOTE.findall(text)
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        s = line.strip()
        if s.startswith(">"):
            body = s.lstrip(">").strip()
            if body and not body.startswith("—"):
                block.append(body)
        elif block:
            quoted.append(" ".join(block))
            block = []
    return quoted


def test_chapter_is_at_the_reports_depth():
    assert prose.word_count(CHAPTER) >= MIN_WORDS


@NEEDS_SEEDS
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_chapter_shares_no_run_of_ten_words_with_the_reports(page):
    assert prose.shared_runs(page) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_no_prose_line_is_hidden_from_the_checks(page):
    """`prose` skips lines starting with "(" (cross-reference labels): no line of prose may start with one."""
    lines = page.read_text(encoding="utf-8").splitlines()
    hidden = [line for line in lines if line.startswith("(") and not re.fullmatch(r"\([\w-]+\)=", line)]
    assert hidden == []


def test_every_fact_phrase_is_in_the_chapter():
    text = " " + _joined(prose.prose(_chapter_text())) + " "
    missing = [book for book, _ in FACTS if f" {_joined(book)} " not in text]
    assert missing == []


@NEEDS_SEEDS
def test_every_fact_is_supported_by_the_report():
    report = _report()
    unsupported = [(book, seed) for book, seed in FACTS if f" {_joined(seed)} " not in report]
    assert unsupported == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_number_in_the_prose_is_a_checked_fact(page):
    text = " " + _joined(prose.prose(page.read_text(encoding="utf-8"))) + " "
    for book in sorted({b for b, _ in FACTS}, key=len, reverse=True):
        text = text.replace(f" {_joined(book)} ", " ")
    left = [w for w in text.split() if re.search(r"\d", w) or w in NUMBER_WORDS]
    assert left == [], "numbers in the prose that are neither glued nor listed in FACTS"


@NEEDS_SEEDS
def test_quotations_are_the_reports_words():
    report = _report()
    quotes = quotations(_chapter_text())
    assert len(quotes) >= 5
    wrong = []
    for quote in quotes:
        for part in _ELLIPSIS.split(quote):
            if prose.words(part) and f" {_joined(part)} " not in report:
                wrong.append(part)
    assert wrong == []


def test_quotations_name_no_one():
    """Quotations are attributed to a role, never to a person or a named school."""
    attributions = [line for line in _chapter_text().splitlines() if line.strip().startswith("> —")]
    allowed = re.compile(
        r"^> — (Social worker|Senior practitioner|Manager|School staff|Young person|School nurse)"
        r"(, (interview|focus group))?$"
    )
    assert attributions and all(allowed.match(a.strip()) for a in attributions)
    assert not re.search(r"STO_\w+", " ".join(quotations(_chapter_text())))
