"""A Sphinx extension (``_config.yml``: ``extra_extensions``) fixing two faults of the HTML the theme stack writes.

- **Inline scripts written twice.** Sphinx 7.4 re-adds the extensions' inline scripts when it prepares to
  write, as ``''`` where they were first added as ``None``, so they no longer compare equal and each page
  carries two copies: ``const THEBE_JS_URL`` declared twice is a ``SyntaxError`` in every page's console
  (sphinx-thebe, always loaded by Jupyter Book 1.x), and sphinx-togglebutton's selector is set twice. Each
  page keeps the first copy of each script.
- **The reference list's role.** docutils marks the citation list ``role="list"`` and each citation
  ``role="doc-biblioentry"``, a role ARIA 1.3 deprecates and which is not a list item, so the list has none
  of the children it requires (axe-core: ``aria-required-children``, critical). Each citation becomes a
  ``listitem``.
- **A stylesheet link that depends on the build's history.** Sphinx adds ``?v=<checksum>`` to a stylesheet's
  link when the file is already in the output folder as the page is written. myst-nb copies its stylesheet
  there only when the build finishes, so a fresh render links ``mystnb.<hash>.css`` and an incremental one
  ``mystnb.<hash>.css?v=...``: two builds of one commit differ on every page. The file name already carries
  its content's hash, so the query goes.

- **Words no page has any more, in an incremental render's search index.** Sphinx re-indexes a changed page by
  removing it from every word's set of pages and adding its words again, but keeps the words whose set is left
  empty: ``searchindex.js`` then lists them with no page, where a fresh render has no such word, and two builds
  of one commit differ. Such words go.

- **Diagrams too detailed to read in the column.** A figure of class ``swis-diagram`` (the logic model, the
  team diagrams) gets a link under its image to the image itself, so that it can be opened full size.

The theme's controls that lack a matching name are named by ``_static/swis-controls.js``.
"""

from __future__ import annotations

import re
from typing import Any

#: The checksum query of myst-nb's stylesheet, whose file name already carries the hash of its content.
_MYSTNB_QUERY = re.compile(r"(mystnb\.[0-9a-f]+\.css)\?v=[0-9a-f]+")


def _script_key(script: Any) -> tuple:
    attributes = dict(getattr(script, "attributes", {}))
    return (str(getattr(script, "filename", script) or ""), tuple(sorted(attributes.items())))


def unique_scripts(scripts: list) -> list:
    """``scripts`` without repeats (an inline script added as ``None`` and as ``''`` is one script).

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> a, b = S(filename=None, attributes={"body": "const x = 1"}), S(filename="", attributes={"body": "const x = 1"})
    >>> len(unique_scripts([a, S(filename="doctools.js", attributes={}), b]))
    2
    """
    seen, out = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            out.append(script)
    return out


def citations_as_list_items(body: str) -> str:
    """The page body with each citation of a citation list marked as a list item.

    Examples
    --------
    >>> citations_as_list_items('<div class="citation" id="id1" role="doc-biblioentry">')
    '<div class="citation" id="id1" role="listitem">'
    """
    return body.replace('role="doc-biblioentry"', 'role="listitem"')


#: A diagram's figure, up to its caption: the image's address is group 2.
_DIAGRAM = re.compile(r'(<figure class="[^"]*swis-diagram[^"]*"[^>]*>.*?<img [^>]*src="([^"]+)".*?)(<figcaption)', re.S)


def full_size_links(body: str) -> str:
    """The page body with a link to each diagram's image, opened full size, above its caption.

    Examples
    --------
    >>> page = '<figure class="align-default swis-diagram"><img alt="A" src="_images/a.png" /><figcaption>'
    >>> print(full_size_links(page))  # doctest: +NORMALIZE_WHITESPACE
    <figure class="align-default swis-diagram"><img alt="A" src="_images/a.png" /><p class="swis-full-size">
    <a class="reference external" href="_images/a.png" target="_blank">Open the diagram full size</a></p><figcaption>
    """
    link = (
        r'\1<p class="swis-full-size">\n<a class="reference external" href="\2" target="_blank">'
        r"Open the diagram full size</a></p>\3"
    )
    return _DIAGRAM.sub(link, body)


def without_history(css_tag):
    """Sphinx's ``css_tag`` of a page, with no checksum query on myst-nb's stylesheet.

    Examples
    --------
    >>> tag = without_history(lambda css: f'<link href="_static/{css}?v=8cd3d715" />')
    >>> tag("mystnb.11b3.css"), tag("pygments.css")
    ('<link href="_static/mystnb.11b3.css" />', '<link href="_static/pygments.css?v=8cd3d715" />')
    """

    def tag(css) -> str:
        return _MYSTNB_QUERY.sub(r"\1", css_tag(css))

    return tag


def fix_page(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """``html-page-context``: one copy of each script, citations as list items, the same links in every build."""
    if callable(context.get("css_tag")):
        context["css_tag"] = without_history(context["css_tag"])
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        scripts[:] = unique_scripts(scripts)
    if isinstance(context.get("body"), str):
        context["body"] = full_size_links(citations_as_list_items(context["body"]))


def without_empty_words(prune):
    """Sphinx's ``IndexBuilder.prune`` that also drops the words left with no page (see above).

    Examples
    --------
    >>> class Index:
    ...     _mapping, _title_mapping = {"kept": {"a"}, "gone": {"b"}}, {"title": {"b"}}
    >>> def prune(self, docnames):
    ...     for names in (*self._mapping.values(), *self._title_mapping.values()):
    ...         names.intersection_update(docnames)
    >>> index = Index()
    >>> without_empty_words(prune)(index, ["a"])
    >>> index._mapping, index._title_mapping
    ({'kept': {'a'}}, {})
    """
    if getattr(prune, "swis_without_empty_words", False):
        return prune

    def pruned(self, docnames) -> None:
        prune(self, docnames)
        for mapping in (self._mapping, self._title_mapping):
            for word in [word for word, names in mapping.items() if not names]:
                del mapping[word]

    pruned.swis_without_empty_words = True
    return pruned


def setup(app) -> dict:
    from sphinx.search import IndexBuilder

    IndexBuilder.prune = without_empty_words(IndexBuilder.prune)
    app.connect("html-page-context", fix_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
