"""The book: MyST helpers (:mod:`.myst`), the registry of tables and figures (:mod:`.registry`),
one module per notebook page (:mod:`.pages`) and the build (:mod:`.build`)."""
