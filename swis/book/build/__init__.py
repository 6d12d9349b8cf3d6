"""Building the book: what to run (:mod:`.plan`), executing the notebooks (:mod:`.execute`) and
rendering the HTML (:mod:`.render`).

Nothing is imported here until asked for: every notebook's hidden first cell imports
:mod:`swis.book.build.record`, and a kernel should not import the whole build (render, execute, the PDF
edition) to record what it reads.
"""

__all__ = ["build"]


def __getattr__(name: str):
    """``swis.book.build.build`` (:func:`swis.book.build.render.build`), imported when first used."""
    if name == "build":
        from swis.book.build.render import build

        return build
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
