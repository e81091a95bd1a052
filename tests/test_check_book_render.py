"""The book render check (tools/check_book_render.py) tells drawn figures from blank ones.

These tests feed it small HTML strings; `make check-book` runs it on the real book in Chromium.
"""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def check(load_tool):
    return load_tool("check_book_render")


BUILT = '<p>text</p><div id="f1" class="plotly-graph-div" style="height:525px"></div>'
DRAWN = (
    '<div id="f1" class="plotly-graph-div js-plotly-plot">'
    '<div class="svg-container"><svg class="main-svg" width="700"></svg></div></div>'
)


def test_count_figures_counts_plotly_containers(check):
    assert check.count_figures(BUILT + BUILT.replace("f1", "f2")) == 2
    assert check.count_figures("<div class='other'></div>") == 0


def test_drawn_figure_passes(check):
    verdict = check.judge_page("notebooks/a.html", BUILT, DRAWN, figures_required=True)
    assert verdict.problems == ()
    assert (verdict.n_figures, verdict.n_drawn, verdict.n_svg) == (1, 1, 1)


def test_figure_that_plotly_did_not_draw_fails(check):
    verdict = check.judge_page("notebooks/a.html", BUILT, BUILT, figures_required=True)
    assert any("not drawn" in problem for problem in verdict.problems)
    assert any("main-svg" in problem for problem in verdict.problems)


def test_notebook_page_without_any_figure_fails(check):
    verdict = check.judge_page("notebooks/a.html", "<p>no figure</p>", None, figures_required=True)
    assert any("no plotly figure" in problem for problem in verdict.problems)


def test_text_page_without_figure_passes(check):
    verdict = check.judge_page("book/intro.html", "<p>intro</p>", None, figures_required=False)
    assert verdict.problems == ()


def test_dropped_mime_type_text_fails(check):
    built = BUILT + "<pre>skipping unknown mime type: application/vnd.plotly.v1+json</pre>"
    verdict = check.judge_page("notebooks/a.html", built, DRAWN, figures_required=True)
    assert any("unknown mime type" in problem for problem in verdict.problems)


def test_book_pages_skips_sphinx_pages_and_static_files(check, tmp_path):
    for relative in ("index.html", "search.html", "genindex.html", "_static/x.html", "notebooks/a.html"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<html></html>")
    pages = [p.relative_to(tmp_path).as_posix() for p in check.book_pages(tmp_path)]
    assert pages == ["index.html", "notebooks/a.html"]


def test_page_that_loads_a_script_from_the_network_fails(check):
    built = '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
    verdict = check.judge_page("book/intro.html", built, "<p></p>", figures_required=False)
    assert any("cdn.jsdelivr.net" in problem for problem in verdict.problems)


def test_requests_the_browser_logged_fail_the_page(check):
    url = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/3.2.2/es5/tex-svg.min.js"
    verdict = check.judge_page("notebooks/a.html", BUILT, DRAWN, figures_required=True, requests=[url])
    assert verdict.problems == (f"page requested {url} from the network",)


def test_page_requests_keeps_the_page_s_requests_only(check):
    events = [
        {"params": {"url": "https://cdn.example.org/x.js", "initiator": "null"}},
        {"params": {"url": "https://update.googleapis.com/u", "initiator": "not an origin"}},
        {"params": {"url": "file:///book/_static/mathjax/tex-chtml-full.js", "initiator": "null"}},
        {"params": {"url": "https://cdn.example.org/x.js", "initiator": "null"}},
    ]
    assert check.page_requests(json.dumps({"events": events})) == ["https://cdn.example.org/x.js"]
    assert check.page_requests('{"events": [') == []


def test_unrendered_formula_fails_and_rendered_one_passes(check):
    raw = '<p>A <span class="math notranslate nohighlight">\\(t_\\mathrm{lab}\\)</span></p>'
    rendered = (
        '<p>A <span class="math notranslate nohighlight"><mjx-container class="MathJax" '
        'jax="CHTML"></mjx-container></span></p>'
    )
    failing = check.judge_page("notebooks/b.html", raw, raw, figures_required=False)
    assert failing.problems == ("1 formulas were not rendered by MathJax",)
    assert check.judge_page("notebooks/b.html", raw, rendered, figures_required=False).problems == ()
