"""Sphinx extension: the book's formulas render offline, from the MathJax shipped in book/_static.

_config.yml points ``mathjax_path`` at the MathJax 3 copy in ``book/_static/mathjax``. A plotly
figure shown with the ``notebook`` renderer carries its own ``<script src=...>`` for MathJax
3.2.2 from a CDN (plotly's ``to_html(include_mathjax="cdn")``), a second MathJax that needs the
network. This extension removes that script tag, and plotly's MathJax 2 configuration snippet
next to it, from every HTML output of a notebook when the page is read, so that each page loads
one MathJax, the book's own.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx

#: Plotly's CDN MathJax tag and the MathJax 2 configuration script that follows it.
PLOTLY_MATHJAX = re.compile(
    r"<script\s+src=\"https?://[^\"]*mathjax[^\"]*\"\s*>\s*</script>"
    r"(?:\s*<script>\s*if \(window\.MathJax && window\.MathJax\.Hub[^<]*</script>)?",
    re.IGNORECASE,
)


def strip_plotly_mathjax(html: str) -> str:
    """Remove plotly's CDN MathJax script (and its configuration snippet) from an HTML output.

    Parameters
    ----------
    html : str
        One ``text/html`` output of a notebook cell.

    Returns
    -------
    str
        The same HTML without the tags; unchanged when it has none.
    """
    return PLOTLY_MATHJAX.sub("", html)


def remove_cdn_mathjax(app: Sphinx, doctree: nodes.document) -> None:
    """Rewrite every raw HTML node of a page that loads MathJax from a CDN."""
    for node in list(doctree.findall(nodes.raw)):
        if "html" not in node.get("format", "").split():
            continue
        text = node.astext()
        cleaned = strip_plotly_mathjax(text)
        if cleaned != text:
            node.replace_self(nodes.raw(cleaned, cleaned, **node.attributes))


def setup(app: Sphinx) -> dict:
    """Register the page hook."""
    app.connect("doctree-read", remove_cdn_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
