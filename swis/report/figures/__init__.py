"""Every figure the book shows: authority chapters (:mod:`.authority`), the forest plot (:mod:`.forest`),
the matching's parallel-trend check (:mod:`.matching`) and the logic model (:mod:`.logic_model`).

Figures draw numbers they are given; none fits a model.
"""
