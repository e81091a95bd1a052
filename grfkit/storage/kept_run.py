"""Kept runs: a chapter's tables, figures and quoted facts, kept for readers without its data.

A chapter that needs data a reader may not have (chapter 6) is run once with
the data and told to *keep* what it shows: tables (CSV), figures (plotly JSON)
and facts (JSON), with a ``manifest.json`` of their provenance.  Without the
data, the chapter *recalls* them.  :func:`open_kept_run` opens one under a
folder the caller names (e.g. ``../results`` from the notebook's working
directory); :meth:`KeptRun.section` is the one gate per section: compute its
values live (and keep them), or recall them.  Writing is atomic: the staging
folder replaces the kept one only on :meth:`KeptRun.finish`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from grfkit.errors import ConfigError, MissingFileError
from grfkit.storage.atomic import atomic_directory
from grfkit.storage.provenance import git_state, machine

__all__ = ["KeptRun", "open_kept_run"]

_MANIFEST = "manifest.json"
_KIND = "grfkit kept run"


def _is_kept_run(folder: Path) -> bool:
    try:
        return json.loads((folder / _MANIFEST).read_text(encoding="utf-8")).get("kind") == _KIND
    except (OSError, ValueError, AttributeError):
        return False


class KeptRun:
    """The kept tables, figures and facts of one chapter run.

    Use :func:`open_kept_run` to make one.  In *writing* mode :meth:`keep`
    stores each object in a staging folder and :meth:`finish` puts the folder
    in place; in *reading* mode :meth:`keep` returns its value untouched and
    :meth:`recall` reads a kept object back.

    Parameters
    ----------
    folder
        The kept run's folder.
    writing
        ``True`` to keep this run's objects, ``False`` to read a kept run.
    command, parameters
        What produced this run (recorded in writing mode).
    """

    def __init__(self, folder: Path, *, writing: bool, command: str = "", parameters: Mapping[str, object] = {}):
        self.folder = Path(folder)
        self.writing = writing
        self._command = command
        self._parameters = dict(parameters)
        self._entries: dict[str, dict[str, object]] = {}
        self._manifest: dict[str, object] | None = None
        self._stack = contextlib.ExitStack()
        self._staging: Path | None = None
        if writing:
            if self.folder.exists() and not _is_kept_run(self.folder):
                raise ConfigError(f"{self.folder} exists and is not a kept run: refusing to replace it")
            self._staging = self._stack.enter_context(atomic_directory(self.folder))

    # --- reading ---------------------------------------------------------------

    @property
    def manifest(self) -> dict[str, object]:
        """The kept run's manifest: ``entries`` and ``provenance`` (reading mode).

        Raises
        ------
        MissingFileError
            If the folder holds no kept run.
        """
        if self._manifest is None:
            path = self.folder / _MANIFEST
            if not _is_kept_run(self.folder):
                raise MissingFileError(
                    f"no kept run in {self.folder.resolve()}: check the results folder passed to "
                    "open_kept_run (relative paths start at the working directory), or keep one by "
                    "running the chapter with its data and keep_results=True",
                    path=path,
                )
            self._manifest = json.loads(path.read_text(encoding="utf-8"))
        return self._manifest

    @property
    def provenance(self) -> dict[str, object]:
        """Commit, cleanliness, command, parameters, creation time and machine of the kept run."""
        return self.manifest["provenance"]

    def describe(self) -> str:
        """One line on where the kept run came from, for the page that shows it."""
        prov = self.provenance
        git = prov["git"]
        state = "clean" if git["dirty"] is False else "with uncommitted changes"
        commit = (git["commit"] or "unknown")[:10]
        return f"commit {commit} ({state}), {prov['created_utc'][:10]}, `{prov['command']}`"

    def recall(self, name: str) -> pd.DataFrame | go.Figure | dict[str, str]:
        """Read the object kept under ``name``.

        Parameters
        ----------
        name
            The name it was kept under.

        Returns
        -------
        pandas.DataFrame, plotly.graph_objects.Figure or dict
            The table (its index restored), figure or facts.

        Raises
        ------
        MissingFileError
            If there is no kept run, or it kept nothing under ``name``.
        """
        if self.writing:
            raise ConfigError(f"recall({name!r}) while keeping a run: the data must be present to keep one")
        entries = self.manifest["entries"]
        if name not in entries:
            raise MissingFileError(f"the kept run holds no {name!r}", path=self.folder / _MANIFEST)
        entry = entries[name]
        path = self.folder / entry["file"]
        if entry["type"] == "table":
            table = pd.read_csv(path)
            return table.set_index(entry["index"]) if entry["index"] else table
        if entry["type"] == "figure":
            return pio.from_json(path.read_text(encoding="utf-8"))
        return json.loads(path.read_text(encoding="utf-8"))

    @property
    def sections(self) -> dict[str, list[str]]:
        """Section name -> the names kept in it (reading mode: of the kept run)."""
        entries = self._entries if self.writing else self.manifest["entries"]
        found: dict[str, list[str]] = {}
        for name, entry in entries.items():
            if entry.get("section"):
                found.setdefault(entry["section"], []).append(name)
        return found

    def section(self, name: str, compute: Callable[[], Mapping[str, object]], *, live: bool) -> dict[str, object]:
        """One section of a chapter: its values computed here, or recalled from the kept run.

        Parameters
        ----------
        name
            The section's name, unique within the run.
        compute
            Computes the section's values from the data: a mapping of kept
            names to tables, figures or facts (as :meth:`keep` takes them).
        live
            ``True`` when the section's data are here: ``compute`` runs (and,
            when keeping, every value is kept under its name and the section);
            ``False`` to recall the section's values from the kept run.

        Returns
        -------
        dict
            Kept name -> value, computed or recalled.

        Raises
        ------
        ConfigError
            When keeping a run without the section's data.
        MissingFileError
            When recalling from a kept run that lacks the section.
        """
        if live:
            values = dict(compute())
            if self.writing:
                for key, value in values.items():
                    self.keep(key, value)
                    self._entries[key]["section"] = name
            return values
        if self.writing:
            raise ConfigError(f"section {name!r} has no data here: a kept run needs every section's data")
        if name not in self.sections:
            raise MissingFileError(
                f"the kept run holds no section {name!r}: keep it again with the chapter's data",
                path=self.folder / _MANIFEST,
            )
        return {key: self.recall(key) for key in self.sections[name]}

    # --- writing ---------------------------------------------------------------

    def keep(self, name: str, value):
        """Keep ``value`` under ``name`` (writing mode) and return it unchanged.

        Parameters
        ----------
        name
            A file-name-safe name, unique within the run.
        value
            A :class:`pandas.DataFrame` (single-level columns), a plotly
            figure, or a mapping of fact names to texts.

        Returns
        -------
        object
            ``value``, so that a cell can end with ``kept.keep("x", x)``.
        """
        if not self.writing:
            return value
        if not name.replace("_", "").replace("-", "").isalnum():
            raise ConfigError(f"kept name {name!r}: use letters, digits, '_' and '-'")
        if name in self._entries:
            raise ConfigError(f"{name!r} is kept twice in this run")
        if isinstance(value, pd.DataFrame):
            if isinstance(value.columns, pd.MultiIndex):
                raise ConfigError(f"kept table {name!r} has multi-level columns; flatten them first")
            index = [n for n in value.index.names if n is not None]
            entry = {"type": "table", "file": f"{name}.csv", "index": index}
            (value.reset_index() if index else value).to_csv(self._staging / entry["file"], index=False)
        elif isinstance(value, go.Figure):
            entry = {"type": "figure", "file": f"{name}.json"}
            (self._staging / entry["file"]).write_text(value.to_json(), encoding="utf-8")
        elif isinstance(value, Mapping):
            entry = {"type": "facts", "file": f"{name}.json"}
            text = json.dumps({str(k): str(v) for k, v in value.items()}, indent=1, ensure_ascii=False)
            (self._staging / entry["file"]).write_text(text, encoding="utf-8")
        else:
            raise ConfigError(f"cannot keep {name!r} of type {type(value).__name__}: a table, figure or facts")
        self._entries[name] = entry
        return value

    def finish(self) -> Path:
        """Write the manifest and put the kept run in place (writing mode).

        Returns
        -------
        pathlib.Path
            The kept run's folder.
        """
        if not self.writing:
            raise ConfigError("finish() is for a run that keeps its results")
        manifest = {
            "kind": _KIND,
            "provenance": {
                "command": self._command,
                "parameters": self._parameters,
                "git": git_state(),
                "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "machine": machine(),
            },
            "entries": self._entries,
        }
        (self._staging / _MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        self._stack.close()
        self.writing = False
        return self.folder


def open_kept_run(
    name: str,
    *,
    root: str | os.PathLike[str],
    keep: bool = False,
    command: str = "",
    parameters: Mapping[str, object] = {},
) -> KeptRun:
    """Open the kept run ``root/name`` for reading, or start keeping a new one.

    Parameters
    ----------
    name
        Sub-folder of ``root``, e.g. ``"real-data"``.
    keep
        ``True`` to keep this run (replacing an earlier kept run of that name
        when :meth:`KeptRun.finish` is called), ``False`` to read.
    command, parameters
        What produces this run, recorded in its provenance when keeping.
    root
        Folder of kept runs, e.g. the repository's ``results/`` (a relative
        path starts at the working directory: ``../results`` from
        ``notebooks/``).

    Returns
    -------
    KeptRun
        Reading is lazy: a missing kept run is an error only on
        :meth:`KeptRun.recall`.
    """
    return KeptRun(Path(root) / name, writing=keep, command=command, parameters=parameters)
