"""One module per notebook page: each composes statistics and display for its notebook, one call per cell.

==========================  =====================================
notebook (``notebooks/``)   page module
==========================  =====================================
``authority.ipynb``         :mod:`.authority` (one run per authority)
``synthesis.ipynb``         :mod:`.synthesis`
``logic_model.ipynb``       :mod:`.logic_model`
``matching.ipynb``          :mod:`.matching`
``audit.ipynb``             :mod:`.audit`
``sensitivity.ipynb``       :mod:`.sensitivity`
``facts.ipynb``             :mod:`.facts`
``replication.ipynb``       :mod:`.replication`
==========================  =====================================
"""
