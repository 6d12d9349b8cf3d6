"""Data: loading and checking every input file.

- :mod:`.panel`: school-by-term panels (the estimator's input)
- :mod:`.admin`: administrative files (the matching's input)
- :mod:`.corrections`: corrections of the report's printed tables
- :mod:`.published`: the report's published estimates, context tables and costs
- :mod:`.facts`: figures quoted from the reports
- :mod:`.logic_model`: the overarching logic model
- :mod:`.disclosure`: small-count suppression of local data
- :mod:`.synthetic`: SYNTHETIC administrative data for demonstrations and tests
"""
