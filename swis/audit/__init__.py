"""The reproduction audit: published tables against re-estimates (:mod:`.compare`) and
diagnostics of what does not reproduce (:mod:`.diagnostics`)."""
