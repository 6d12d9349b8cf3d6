"""A Sphinx extension (``_config.yml``: ``extra_extensions``): each page's doctree unpickled once, not once per
numbered reference to it.

Sphinx 7.4 resolves every ``{numref}`` by unpickling the whole doctree of the page the target is on
(``StandardDomain._resolve_numref_xref`` calls ``env.get_doctree``), only to look up the target node by its
id. The book has about three hundred numbered references, many to the large authority pages, so a render
spent most of its time (about two thirds, profiled) unpickling the same doctrees again and again. While it
resolves a numbered reference, this extension hands Sphinx each page's doctree from a cache kept for the
build. Resolving only reads the target node (its type, ids and number), and the doctrees on disk no longer
change once the pages are read, so the cache cannot change what is written; the other callers of
``get_doctree``, which transform the tree they get, still get a fresh copy.
"""

from __future__ import annotations

from typing import Any

from sphinx.domains.std import StandardDomain

_ORIGINAL = StandardDomain._resolve_numref_xref


def _resolve_numref_xref(self, env, *args: Any, **kwargs: Any):
    """Sphinx's resolution, with ``env.get_doctree`` answered from the build's cache of read-only trees."""
    cache = env.__dict__.setdefault("_swis_numref_doctrees", {})
    fresh = type(env).get_doctree

    def get_doctree(docname: str):
        if docname not in cache:
            cache[docname] = fresh(env, docname)
        return cache[docname]

    env.get_doctree = get_doctree  # an instance attribute, shadowing the method only during this call
    try:
        return _ORIGINAL(self, env, *args, **kwargs)
    finally:
        del env.get_doctree


def _forget(app, env, *args: Any) -> None:
    """Drop the cache when pages are read again (an incremental render in the same process)."""
    env.__dict__.pop("_swis_numref_doctrees", None)


def setup(app) -> dict:
    StandardDomain._resolve_numref_xref = _resolve_numref_xref
    app.connect("env-before-read-docs", _forget)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
