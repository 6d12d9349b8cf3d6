"""Building the book: what to run (:mod:`.plan`), executing the notebooks (:mod:`.execute`) and
rendering the HTML (:mod:`.render`)."""

from swis.book.build.render import build

__all__ = ["build"]
