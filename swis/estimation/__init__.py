"""Statistics: design matrices (:mod:`.design`), the Poisson fit (:mod:`.poisson`), inference
(:mod:`.inference`), the difference-in-differences model (:mod:`.did`), its sensitivity checks
(:mod:`.sensitivity`) and costs (:mod:`.costs`).

Nothing here formats a number for a reader; that is :mod:`swis.report`.
"""
