"""Check that the plotly figures of a built Jupyter Book render in a browser, offline.

The book embeds each figure as HTML plus JavaScript; a figure can still come out blank (a MIME type
that myst-nb dropped, plotly.js missing from the page, a script error). This script opens every
page that holds a figure in headless Chromium, lets its scripts run, and reads back the DOM that
the browser built. A figure counts as rendered when plotly has drawn it: its
``plotly-graph-div`` has become a ``js-plotly-plot`` holding ``<svg class="main-svg">``.

It fails (exit status 1) when

* a page under ``--figure-pages-under`` (default ``notebooks``, the executed notebooks) has no
  figure at all,
* a page has fewer drawn figures than figure containers,
* a page shows myst-nb's dropped-output text ("unknown mime type") or a raw plotly JSON bundle,
* a page asks for anything from the network (Chromium's net log, with every host name made
  unresolvable, lists each request the page made; a ``<script>``, ``<link>``, ``<img>`` or
  ``<iframe>`` with an ``http(s)://`` address counts even before it runs),
* a formula stays unrendered (a Sphinx math element that MathJax did not turn into
  ``<mjx-container>``).

Usage::

    python tools/check_book_render.py _build/html [--screenshot-dir DIR]

Every page is opened; Chromium runs with no network access needed: the pages must carry
everything they draw with.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

# Chromium flags for a sandbox without network: no first-run UI, no background fetches that a
# closed network would refuse, a throwaway profile. --no-sandbox because CI runs as root.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    # No host name resolves: a page that reaches for the network fails to, and says so in the log.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
# Pages Sphinx writes that never hold notebook output.
SKIPPED_PAGES = {"genindex.html", "search.html", "py-modindex.html"}
SKIPPED_DIRS = {"_static", "_sources", "_images", "_downloads", "reports"}

FIGURE_CONTAINER = re.compile(r"""<div[^>]*\bclass="[^"]*\bplotly-graph-div\b""")
DRAWN_FIGURE = re.compile(r"""<div[^>]*\bclass="[^"]*\bjs-plotly-plot\b""")
MAIN_SVG = re.compile(r"""<svg[^>]*\bclass="[^"]*\bmain-svg\b""")
DROPPED_OUTPUT = re.compile(r"unknown mime type|application/vnd\.plotly\.v1\+json", re.IGNORECASE)
# A Sphinx math element (inline or display) whose content is not MathJax's output.
UNRENDERED_MATH = re.compile(
    r"""<(?:span|div)[^>]*\bclass="math notranslate nohighlight"[^>]*>(?!\s*<mjx-container)"""
)
# A resource the page loads from another host, in the HTML as built.
EXTERNAL_RESOURCE = re.compile(
    r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]+)"'
)
NETWORK_SCHEMES = ("http://", "https://", "ws://", "wss://")


class PageVerdict(NamedTuple):
    """What the browser drew on one page.

    Attributes
    ----------
    page : str
        Page path relative to the HTML root.
    n_figures : int
        Figure containers in the page as built (static HTML).
    n_drawn : int
        Figures plotly drew in the browser's DOM.
    n_svg : int
        ``main-svg`` elements in the browser's DOM.
    problems : tuple of str
        Human-readable reasons the page fails; empty when it passes.
    """

    page: str
    n_figures: int
    n_drawn: int
    n_svg: int
    problems: tuple[str, ...]


def page_requests(net_log: str) -> list[str]:
    """The network addresses a page asked for, from Chromium's net log.

    Parameters
    ----------
    net_log : str
        The JSON Chromium wrote with ``--log-net-log``.

    Returns
    -------
    list of str
        Sorted, unique ``http(s)``/``ws(s)`` URLs of requests the page started; Chromium's own
        background requests (initiator "not an origin") are left out.
    """
    try:
        events = json.loads(net_log).get("events", [])
    except json.JSONDecodeError:  # a log cut short when the browser was killed
        events = []
    urls = set()
    for event in events:
        params = event.get("params") or {}
        url, initiator = params.get("url", ""), params.get("initiator")
        if url.startswith(NETWORK_SCHEMES) and initiator not in (None, "not an origin"):
            urls.add(url)
    return sorted(urls)


def book_pages(html_dir: Path) -> list[Path]:
    """List the content pages of a built book.

    Parameters
    ----------
    html_dir : Path
        The HTML output folder (``_build/html``).

    Returns
    -------
    list of Path
        Every ``.html`` page, sorted, without Sphinx's index/search pages and static folders.
    """
    pages = []
    for path in sorted(html_dir.rglob("*.html")):
        relative = path.relative_to(html_dir)
        if relative.name in SKIPPED_PAGES or SKIPPED_DIRS.intersection(relative.parts[:-1]):
            continue
        pages.append(path)
    return pages


def count_figures(html: str) -> int:
    """Count plotly figure containers in a page's HTML.

    Parameters
    ----------
    html : str
        Page source as built, or a DOM dump.

    Returns
    -------
    int
        Number of ``<div class="plotly-graph-div">`` elements.

    Examples
    --------
    >>> count_figures('<div id="a" class="plotly-graph-div" style="height:525px"></div>')
    1
    """
    return len(FIGURE_CONTAINER.findall(html))


def judge_page(
    page: str,
    built_html: str,
    dom_html: str | None,
    *,
    figures_required: bool,
    requests: Sequence[str] = (),
) -> PageVerdict:
    """Decide whether one page's figures rendered.

    Parameters
    ----------
    page : str
        Page path relative to the HTML root, for messages.
    built_html : str
        The page as the build wrote it.
    dom_html : str or None
        The DOM after the browser ran the page's scripts; None when the page was not opened
        (it has no figure).
    figures_required : bool
        Whether the page must hold at least one figure (executed notebook pages).
    requests : sequence of str, optional
        Network addresses the page asked for in the browser (:func:`page_requests`).

    Returns
    -------
    PageVerdict
        Counts and the list of problems (empty when the page passes).
    """
    n_figures = count_figures(built_html)
    dom = dom_html or ""
    n_drawn = len(DRAWN_FIGURE.findall(dom))
    n_svg = len(MAIN_SVG.findall(dom))
    problems = []
    if figures_required and n_figures == 0:
        problems.append("no plotly figure in the page (output dropped, or the notebook draws none)")
    if n_figures and n_drawn < n_figures:
        problems.append(f"{n_figures - n_drawn} of {n_figures} plotly figures were not drawn")
    if n_figures and n_svg == 0:
        problems.append("no <svg class='main-svg'> in the rendered page")
    for text, where in ((built_html, "built page"), (dom, "rendered page")):
        match = DROPPED_OUTPUT.search(text)
        if match:
            problems.append(f"{where} contains {match.group(0)!r}")
    for url in sorted(set(EXTERNAL_RESOURCE.findall(built_html))):
        problems.append(f"built page loads {url} from the network")
    for url in requests:
        problems.append(f"page requested {url} from the network")
    n_unrendered = len(UNRENDERED_MATH.findall(dom)) if dom_html is not None else 0
    if n_unrendered:
        problems.append(f"{n_unrendered} formulas were not rendered by MathJax")
    return PageVerdict(page, n_figures, n_drawn, n_svg, tuple(problems))


def find_chromium() -> str:
    """Locate a Chromium executable.

    Returns
    -------
    str
        Path of ``chromium``, ``chromium-browser`` or ``google-chrome``.

    Raises
    ------
    FileNotFoundError
        If none is on the PATH.
    """
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise FileNotFoundError("no chromium on PATH (Debian: apt-get install chromium)")


def run_chromium(
    browser: str, page: Path, extra: list[str], budget_ms: int, timeout_s: float
) -> tuple[str, str]:
    """Open one page in headless Chromium and return its standard output.

    Parameters
    ----------
    browser : str
        Chromium executable.
    page : Path
        The HTML file to open.
    extra : list of str
        Action flags (``--dump-dom`` or ``--screenshot=...``).
    budget_ms : int
        Virtual time the page's scripts get before the DOM is read.
    timeout_s : float
        Wall-clock limit for the browser process.

    Returns
    -------
    stdout : str
        What Chromium printed on standard output (the DOM for ``--dump-dom``).
    net_log : str
        Chromium's net log of the visit (JSON; read it with :func:`page_requests`).

    Raises
    ------
    subprocess.CalledProcessError
        If Chromium exits with an error.
    subprocess.TimeoutExpired
        If it runs past ``timeout_s``.
    """
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        command = [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget_ms}",
            f"--log-net-log={Path(profile) / 'net-log.json'}",
            *extra,
            page.resolve().as_uri(),
        ]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=True,
            stdin=subprocess.DEVNULL,
        )
        net_log = Path(profile) / "net-log.json"
        log_text = net_log.read_text(errors="replace") if net_log.is_file() else "{}"
    return result.stdout, log_text


def main(argv: list[str] | None = None) -> int:
    """Run the check; see the module docstring.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 when every figure rendered, 1 otherwise.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html_dir", type=Path, help="built HTML folder, e.g. _build/html")
    parser.add_argument(
        "--figure-pages-under",
        default="notebooks",
        help="pages below this folder (relative to html_dir) must hold a figure",
    )
    parser.add_argument("--screenshot-dir", type=Path, help="save a PNG of every figure page here")
    parser.add_argument("--budget-ms", type=int, default=30000, help="virtual time for scripts")
    parser.add_argument("--timeout-s", type=float, default=300.0, help="wall time per page")
    args = parser.parse_args(argv)

    pages = book_pages(args.html_dir)
    if not pages:
        print(f"check_book_render: no HTML pages in {args.html_dir}", file=sys.stderr)
        return 1
    browser = find_chromium()
    required_root = args.html_dir / args.figure_pages_under
    if args.screenshot_dir:
        args.screenshot_dir.mkdir(parents=True, exist_ok=True)

    verdicts = []
    for path in pages:
        relative = path.relative_to(args.html_dir).as_posix()
        built = path.read_text(encoding="utf-8", errors="replace")
        required = required_root in path.parents
        dom, net_log = run_chromium(browser, path, ["--dump-dom"], args.budget_ms, args.timeout_s)
        if count_figures(built):
            if args.screenshot_dir:
                png = args.screenshot_dir / (relative.replace("/", "__").removesuffix(".html") + ".png")
                run_chromium(
                    browser,
                    path,
                    [f"--screenshot={png.resolve()}", "--window-size=1280,2400"],
                    args.budget_ms,
                    args.timeout_s,
                )
        verdict = judge_page(relative, built, dom, figures_required=required,
                             requests=page_requests(net_log))
        verdicts.append(verdict)
        status = "FAIL" if verdict.problems else "ok"
        print(
            f"{status:4} {relative}: {verdict.n_figures} figures, {verdict.n_drawn} drawn, "
            f"{verdict.n_svg} main-svg"
        )
        for problem in verdict.problems:
            print(f"     - {problem}")

    n_figures = sum(v.n_figures for v in verdicts)
    failed = [v for v in verdicts if v.problems]
    if n_figures == 0:
        print("check_book_render: the book holds no plotly figure at all", file=sys.stderr)
        return 1
    print(
        f"check_book_render: {len(verdicts)} pages, {n_figures} figures, "
        f"{len(failed)} pages failing"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
