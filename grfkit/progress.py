"""Progress bars: widgets when a person runs a notebook, text in a terminal, nothing in the book.

:func:`progress_bar` is the one place grfkit makes a progress bar. In a Jupyter kernel that a
person drives (JupyterLab, Notebook) it is ``tqdm.auto``'s widget; in a kernel that executes a
notebook unattended (nbclient: the book build, papermill, the notebook tests) it is switched
off, so that neither text nor widget state ends up in a built page; elsewhere (the command line)
it is tqdm's text bar on standard error. ``progress=False`` switches it off everywhere.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable

from tqdm.std import tqdm

__all__ = ["progress_bar"]


def _kernel_request_allows_input() -> bool | None:
    """Whether the cell running now may ask for input: ``None`` outside a Jupyter kernel.

    A front end a person uses sends ``allow_stdin=True`` with every execute request; nbclient
    (and so jupyter-book, papermill and the notebook tests) sends ``False``.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return None
    parent = kernel.get_parent("shell") or {}
    return bool(parent.get("content", {}).get("allow_stdin", False))


def progress_bar(iterable: Iterable | None = None, *, show: bool = True, **options) -> tqdm:
    """Return a progress bar suited to where grfkit runs.

    Parameters
    ----------
    iterable : iterable, optional
        What to iterate over (``None`` for a bar updated by hand).
    show : bool, optional
        ``False`` switches the bar off (the functions' ``progress`` argument).
    **options
        Passed to tqdm (``total``, ``desc``, ``unit``, ``leave``, ...).

    Returns
    -------
    tqdm.std.tqdm
        A widget bar (``tqdm.auto``) in a Jupyter kernel that a person drives and that has
        ipywidgets; a disabled bar in a kernel that executes a notebook unattended; tqdm's text
        bar elsewhere (and in a kernel without ipywidgets, so that tqdm warns of nothing).
    """
    interactive = _kernel_request_allows_input()
    if interactive is False:
        return tqdm(iterable, disable=True, **options)
    if interactive and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm as auto_tqdm

        return auto_tqdm(iterable, disable=not show, **options)
    return tqdm(iterable, disable=not show, **options)
