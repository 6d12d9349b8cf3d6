"""Choosing comparison schools by their pre-intervention trends, as the report describes.

The report matched each pilot school with comparison schools, for each outcome
separately, on the *trend* of the outcome between the autumn terms before the
pilot. This module does the same on a researcher's administrative data (one
row per school, year group, term and outcome; see :mod:`swis.data.admin`).

The procedure, for one outcome
------------------------------
1. **Trends.** In each school and year group the rate (``count / pupils *
   scale``: per 100 pupils, or per pupil for days in care) is taken in the last
   three pre-intervention autumn terms ``t-2, t-1, t``. Period 2 is the latest
   pair of years (the change from ``t-1`` to ``t``), period 1 the pair before it
   (``t-2`` to ``t-1``). A year group missing in either term of a period has no
   trend in that period. Trends are rounded to 10 decimal places, so that
   trends equal in exact arithmetic tie in floating point too.
2. **Standardised differences.** For an intervention school *i* and a candidate
   *c*, ``|trend_i - trend_c|`` in each year group and period is divided by a
   standardiser (setting ``standardise``):

   * ``"candidates"`` (default): the standard deviation of the trends of all
     candidate schools in that year group and period. A difference then counts
     the same in a year group whose rates swing widely as in a steady one.
   * ``"pair"``: the pooled standard deviation of the two schools' own trends
     across their year groups in that period.
   * ``"none"``: the raw absolute difference.

   Where the standardiser cannot be computed or is zero (one candidate, or
   identical trends) the difference is left unstandardised (divided by 1).
3. **Score.** The pair's score in a period is the mean of its standardised
   differences over the year groups both schools have in that period; lower is
   closer. Pairs with no common year group are "not comparable".
4. **Ranking.** For each intervention school the candidates are ranked by the
   period-2 score (the report's "most recent change"). Ties are broken by the
   period-1 score, then by the candidate's label in sort order, so the result
   never depends on the order of the input rows. The period-1 ranking is made
   the same way with the periods swapped.
5. **Robustness.** The report compares "the ranking of the school matches"
   from the two pairs of years with a Mann-Whitney U test and rejects a match at
   ``p < alpha`` (0.05). A U test compares two samples, so each proposed match
   needs a sample from each period. The reading taken here (setting
   ``u_test="ranks"``): in every year group the candidates are ranked by their
   standardised difference from the intervention school (average ranks for
   ties); the candidate's ranks over the year groups in period 2 are one
   sample, its ranks in period 1 the other. A candidate that is among the
   closest in the latest years but not in the earlier ones has shifted ranks,
   and the test rejects it: its likeness did not persist. The alternative
   (``u_test="differences"``) compares the standardised differences
   themselves between the two periods. (Comparing the two whole rankings of
   all candidates cannot be meant: both are the numbers 1 to *C* and their
   U test never rejects.) The test is two-sided and uses the normal
   approximation with tie and continuity corrections, as
   ``scipy.stats.mannwhitneyu(..., method="asymptotic")`` does.
6. **Selection.** Candidates are tested in rank order and the first
   ``per_school`` that pass are kept (the report: the two lowest-scoring pairs
   in Southampton and Lambeth, the single lowest in Stockport). The result is
   the same as testing every candidate; by default the candidates beyond the
   last one needed are left untested (``test_all=True`` tests them all). When
   fewer than ``per_school`` candidates pass, the pair table says so in its
   ``n_selected`` and ``shortfall`` columns.

Comparators come from the same authority's non-intervention schools and a
school is never its own comparator. A comparator may be chosen for several
intervention schools; in the estimation panel it appears once per outcome (the
school fixed effect makes repeated rows meaningless), as a ``control`` school.
Every intervention school enters the panel, matched or not. The report counts
comparators per "pilot school cluster"; here they are counted per
intervention school.

For a national file (:func:`swis.matching.national.match_national`) every school is matched against
every other school of its authority, with the same arrays and steps; the work
is vectorised over schools, candidates, year groups and outcomes, with a loop
over authorities only.

Modules, in the order of the steps: :mod:`.settings`, :mod:`.trends` (1),
:mod:`.scores` (2-4), :mod:`.robustness` (5), :mod:`.select` (6), then
:mod:`.panel` (the estimator's input), :mod:`.readings` (the alternative
readings) and :mod:`.national` (a national file).
"""

from swis.matching.national import match_national, national_trends
from swis.matching.panel import PANEL_COLUMNS, matched_panel
from swis.matching.readings import compare_readings, reading_variants
from swis.matching.robustness import mann_whitney_u
from swis.matching.scores import year_group_ranks
from swis.matching.select import Scored, match, score_arrays, score_outcome, shortfall, year_group_details
from swis.matching.settings import STANDARDISE, STATUS, U_TESTS, MatchSettings, year_group_key
from swis.matching.trends import school_rates, trends

__all__ = [
    "PANEL_COLUMNS",
    "STANDARDISE",
    "STATUS",
    "U_TESTS",
    "MatchSettings",
    "Scored",
    "compare_readings",
    "mann_whitney_u",
    "match",
    "match_national",
    "matched_panel",
    "national_trends",
    "reading_variants",
    "school_rates",
    "score_arrays",
    "score_outcome",
    "shortfall",
    "trends",
    "year_group_details",
    "year_group_key",
    "year_group_ranks",
]
