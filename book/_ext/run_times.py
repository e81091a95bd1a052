"""Sphinx extension: the run-times table, read when the book is built from a kept timing run.

``tools/time_chapters.py`` (``make time-chapters``) writes ``run_times.csv`` (notebook, scale,
wall seconds) and ``provenance.json`` (commit, command, machine, load) into one folder. The
directive ``run-times-table`` shows that table, one row per chapter and one column per scale,
followed by its provenance; without a kept run it says how to make one.

Usage in a MyST page::

    ```{run-times-table} results/run-times
    ```
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def minutes_seconds(wall_s: float) -> str:
    """Format seconds as ``m:ss`` (``h:mm:ss`` from one hour on).

    Parameters
    ----------
    wall_s : float
        Seconds.

    Returns
    -------
    str
        The rounded time, e.g. ``"2:05"`` for 125.4 s.
    """
    minutes, seconds = divmod(round(wall_s), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def table_lines(rows: list[dict[str, str]]) -> list[str]:
    """A MyST pipe table: one row per notebook, one column per scale (in order of first use).

    Parameters
    ----------
    rows : list of dict
        Rows of ``run_times.csv``.

    Returns
    -------
    list of str
        Markdown lines.
    """
    scales = list(dict.fromkeys(row["scale"] for row in rows))
    notebooks = list(dict.fromkeys(row["notebook"] for row in rows))
    times = {(row["notebook"], row["scale"]): float(row["wall_s"]) for row in rows}
    lines = ["| Chapter | " + " | ".join(f"`{scale}` scale" for scale in scales) + " |",
             "|---|" + "---:|" * len(scales)]
    for notebook in notebooks:
        cells = [minutes_seconds(times[notebook, scale]) if (notebook, scale) in times else "–"
                 for scale in scales]
        lines.append(f"| {{doc}}`/notebooks/{notebook}` | " + " | ".join(cells) + " |")
    return lines


def provenance_lines(provenance: dict) -> list[str]:
    """Sentences that say where the times come from.

    Parameters
    ----------
    provenance : dict
        Content of ``provenance.json``.

    Returns
    -------
    list of str
        Markdown lines.
    """
    git = provenance.get("git", {})
    commit = git.get("commit") or "unknown"
    dirty = " (with uncommitted changes)" if git.get("dirty") else ""
    host = provenance.get("machine", {})
    loads = [entry["load_1min_before"] for entry in provenance.get("load", [])]
    load = f"{min(loads):.1f}–{max(loads):.1f}" if loads else "unknown"
    return [
        f"Measured at commit `{commit[:10]}`{dirty}, from {provenance.get('started_utc', '?')} "
        f"to {provenance.get('finished_utc', '?')} (UTC), with `{provenance.get('command', '?')}`, "
        f"one notebook at a time, on {host.get('cpu_count', '?')} CPU cores "
        f"({host.get('platform', '?')}, Python {host.get('python', '?')}, "
        f"PyTorch {host.get('torch', '?')}). The 1-minute load average before each chapter "
        f"was {load}.",
    ]


class RunTimesDirective(SphinxDirective):
    """Show the kept run times (argument: their folder, relative to the book's root)."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        folder = Path(self.env.srcdir) / self.arguments[0]
        table, provenance = folder / "run_times.csv", folder / "provenance.json"
        if table.is_file() and provenance.is_file():
            self.env.note_dependency(str(table))
            self.env.note_dependency(str(provenance))
            with table.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
            lines = table_lines(rows) + [""] + provenance_lines(json.loads(provenance.read_text()))
        else:
            lines = ["```{note}", f"No run times are kept in `{self.arguments[0]}` yet: run",
                     '`make time-chapters SCALES="ci book"` from a clean commit.', "```"]
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source=self.get_source_info()[0]),
                                self.content_offset, container)
        return container.children


def setup(app: Sphinx) -> dict:
    """Register the directive."""
    app.add_directive("run-times-table", RunTimesDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
