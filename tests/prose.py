"""Reading the book's Markdown as prose: word counts and runs of words shared with the reports.

Used by the per-chapter prose tests (``tests/test_prose_*.py``). Prose is what a reader reads as the book's
own text: headings, tables, code and directive blocks, MyST roles (glued numbers, references) and marked
quotations (block quotes starting ``>`` and text inside curly double quotes) are not counted.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
# the reports, as plain text (shared/ sits beside the repository, in development and in CI)
SEEDS = ROOT.parent / "shared" / "seeds"

_FENCE = re.compile(r"^(`{3,}|:{3,}).*?^\1\s*$", re.S | re.M)
_ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
_CODE = re.compile(r"`[^`]*`")
_QUOTED = re.compile(r"“[^”]*”")
_LABEL = re.compile(r"^\([\w-]+\)=$")  # a MyST target such as (sec-southampton-impact)=
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def prose(text: str, keep_quotes: bool = False) -> str:
    """The prose of a MyST Markdown text (see the module docstring for what is left out).

    Examples
    --------
    >>> prose("# Title\\n\\nSome {glue:text}`x` words “quoted here” stay.\\n\\n| a | b |\\n> said\\n")
    'Some  words  stay.'
    """
    text = _FENCE.sub("", text)
    lines = []
    for line in text.splitlines():
        s = line.strip()
        heading_or_block = s.startswith(("#", "|", "```", ":::", "<")) or _LABEL.match(s)
        if heading_or_block or (s.startswith(">") and not keep_quotes):
            continue
        lines.append(s)
    out = _CODE.sub("", _ROLE.sub("", " ".join(lines)))
    if not keep_quotes:
        out = _QUOTED.sub("", out)
    return " ".join(out.split(" ")).strip()


def words(text: str) -> list[str]:
    """Lower-case word tokens (letters, digits, an apostrophe inside a word).

    Examples
    --------
    >>> words("The pilot's schools, in 2019.")
    ['the', "pilot's", 'schools', 'in', '2019']
    """
    return _WORD.findall(text.lower().replace("’", "'"))


def word_count(path: Path) -> int:
    """Number of prose words in a book file."""
    return len(words(prose(path.read_text(encoding="utf-8"))))


@cache
def seed_ngrams(n: int = 10) -> frozenset[tuple[str, ...]]:
    """Every run of ``n`` words in the reports (empty if the reports are not beside the repository)."""
    grams: set[tuple[str, ...]] = set()
    for f in sorted(SEEDS.glob("*.txt")):
        w = words(f.read_text(encoding="utf-8", errors="replace"))
        grams.update(tuple(w[i : i + n]) for i in range(len(w) - n + 1))
    return frozenset(grams)


def shared_runs(path: Path, n: int = 10) -> list[str]:
    """Runs of ``n`` or more prose words of a book file that also occur in the reports, outside quotations."""
    w = words(prose(path.read_text(encoding="utf-8")))
    grams = seed_ngrams(n)
    return [" ".join(w[i : i + n]) for i in range(len(w) - n + 1) if tuple(w[i : i + n]) in grams]
