"""The outcomes the evaluation analyses, as a new authority's config declares them."""

from __future__ import annotations

#: Key -> (label, unit, scale): rates per 100 pupils for starts, per pupil for days in care (the report's units).
STANDARD_OUTCOMES = {
    "s17": ("Section 17 starts", "per 100 pupils", 100),
    "s47": ("Section 47 starts", "per 100 pupils", 100),
    "days_in_care": ("Days in care", "per pupil", 1),
}
