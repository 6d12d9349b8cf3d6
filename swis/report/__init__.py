"""Display: every number format (:mod:`.format`), colour (:mod:`.style`), table (:mod:`.tables`,
:mod:`.context_tables`, :mod:`.matching_tables`), sentence (:mod:`.readings`, :mod:`.sensitivity`) and figure
(:mod:`.figures`) the book shows.

Display never fits a model: it is given estimates and lays them out.
"""
