"""Progress bars: text in a terminal, widgets for a person in Jupyter, nothing when unattended."""

from __future__ import annotations

import sys
import types

import pytest
from tqdm.std import tqdm

from grfkit.progress import progress_bar


class _Kernel:
    def __init__(self, allow_stdin: bool) -> None:
        self.allow_stdin = allow_stdin

    def get_parent(self, channel: str) -> dict:
        return {"content": {"allow_stdin": self.allow_stdin}}


def _in_kernel(monkeypatch: pytest.MonkeyPatch, allow_stdin: bool) -> None:
    shell = types.SimpleNamespace(kernel=_Kernel(allow_stdin))
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))


def test_outside_jupyter_the_bar_is_text_and_follows_show(monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)
    with progress_bar(total=3, show=True) as bar:
        assert type(bar) is tqdm and not bar.disable
    with progress_bar(range(3), show=False) as bar:
        assert bar.disable and list(bar) == [0, 1, 2]


def test_a_kernel_executing_unattended_shows_nothing(monkeypatch):
    _in_kernel(monkeypatch, allow_stdin=False)  # nbclient: jupyter-book, papermill, the tests
    with progress_bar(range(2), show=True) as bar:
        assert bar.disable and list(bar) == [0, 1]


def test_a_person_in_jupyter_without_ipywidgets_gets_the_text_bar(monkeypatch):
    _in_kernel(monkeypatch, allow_stdin=True)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with progress_bar(total=2, show=True) as bar:
        assert type(bar) is tqdm and not bar.disable
