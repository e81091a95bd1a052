"""Output folders that never destroy data a user did not ask grfkit to replace.

Every folder a grfkit command writes (``simulate``, ``preprocess``, ``experiment``,
``train``, ``predict`` and ``tune --out``) carries a marker, ``.grfkit-output.json``, naming
its kind (``raw``, ``stances``, ``results``, ``model``, ``ensemble``, ``predictions`` or
``tuning``) and every file grfkit wrote into it.
:func:`check_output` accepts a new or empty folder, or an unchanged earlier
output of the same kind; anything else needs ``overwrite``, and even then its
contents are moved aside to ``NAME.replaced-<time>``, never deleted. A file,
a symbolic link, the root, home or current folder (or a parent of one), and a
folder that equals, contains or lies inside an input are always refused.
:func:`write_output` writes the new folder beside the destination and swaps
it in whole only when complete (:func:`grfkit.storage.atomic.swap_in`).
Folders written before markers existed are recognised by their content.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import shutil
import stat
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from grfkit.errors import GrfkitError, OutputError
from grfkit.storage.atomic import give_default_permissions, staging_directory, swap_in

__all__ = ["MARKER", "KINDS", "output_kind", "foreign_entries", "check_output", "write_output"]

#: Name of the marker file in every output folder.
MARKER: str = ".grfkit-output.json"
#: The kinds of output folder.
KINDS: tuple[str, ...] = ("raw", "stances", "results", "model", "ensemble", "predictions", "tuning")

_MARKER_FORMAT = "grfkit-output"
_WHAT = {"raw": "raw data folder", "stances": "stance data set", "results": "results folder", "model": "model folder",
         "ensemble": "model ensemble folder", "predictions": "predictions folder", "tuning": "tuning folder"}
# Folders written before markers existed: the file that says what they are, and every top-level name they hold.
_LEGACY_NAMES = {
    "raw": {"dataset.json", "participants.csv", "bouts.csv", "truth", "overground", "treadmill"},
    "stances": {"meta.parquet", "arrays.npz", "channels.json", "skipped.csv"},
    "results": {"results.csv", "summary.csv", "stances.csv", "curves.npz", "timings.csv", "provenance.json"},
}
_DOCUMENTS = (MARKER, "channels.json", "provenance.json", "dataset.json")


@dataclass(frozen=True)
class _Contents:
    """What one folder held at one moment: its top-level names, its JSON files, every file below it."""

    names: frozenset[str]
    documents: dict[str, dict]
    files: tuple[str, ...]


def _read_json_at(dir_fd: int, name: str) -> dict:
    try:
        handle = os.open(name, os.O_RDONLY, dir_fd=dir_fd)
        with os.fdopen(handle, "rb") as stream:
            data = json.loads(stream.read())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _contents(folder: Path) -> _Contents | None:
    """Read ``folder`` through one open handle; ``None`` if there is no folder there.

    Another process may swap a new folder in meanwhile (and delete the one it
    displaced): then the folder now at ``folder`` is read again, so that the
    answer always describes one folder that was at ``folder``, whole.
    """
    for _ in range(100):
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            return None
        try:
            names = frozenset(os.listdir(fd))
            documents = {name: _read_json_at(fd, name) for name in _DOCUMENTS}
            files = []
            for root, _, found, _ in os.fwalk(".", dir_fd=fd):
                files += [os.path.normpath(os.path.join(root, name)).replace(os.sep, "/") for name in found]
            opened = os.fstat(fd)
        finally:
            os.close(fd)
        try:
            now = os.stat(folder)
        except FileNotFoundError:
            return None
        if (now.st_dev, now.st_ino) == (opened.st_dev, opened.st_ino):  # still the folder at that path
            return _Contents(names, documents, tuple(sorted(f for f in files if f != MARKER)))
    raise OutputError("other processes keep replacing this folder", path=folder)


def _legacy_kind(contents: _Contents) -> str | None:
    """The kind of an unmarked folder grfkit wrote before markers existed, judged by its files."""
    names, docs = contents.names, contents.documents
    if names <= _LEGACY_NAMES["stances"] and docs["channels.json"].get("format") == "grfkit-stances":
        return "stances"
    if names <= _LEGACY_NAMES["results"] and "results.csv" in names and "grfkit_version" in docs["provenance.json"]:
        return "results"
    manifest = docs["dataset.json"]
    if names <= _LEGACY_NAMES["raw"] and manifest.get("format") == "grfkit-raw" and \
            manifest.get("generator") == "grfkit.simulate":
        return "raw"
    return None


def _files(folder: Path) -> list[str]:
    """Every file under ``folder`` (relative POSIX paths, sorted), without the marker."""
    found = []
    for root, _, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        found += [(rel / name).as_posix() for name in files]
    return sorted(f for f in found if f != MARKER)


def output_kind(folder: str | Path) -> str | None:
    """Return the kind of grfkit output ``folder`` is, or ``None`` if grfkit did not write it.

    Parameters
    ----------
    folder
        A folder.

    Returns
    -------
    str or None
        One of :data:`KINDS` when the folder carries a marker of that kind
        (or is an unmarked folder of that kind from an older grfkit), else
        ``None`` (also when there is no folder).
    """
    contents = _contents(Path(folder))
    if contents is None:
        return None
    marker = contents.documents[MARKER]
    if marker.get("format") == _MARKER_FORMAT and marker.get("kind") in KINDS:
        return marker["kind"]
    return _legacy_kind(contents)


def foreign_entries(folder: str | Path, kind: str) -> list[str]:
    """Return what in ``folder`` grfkit did not write as an output of ``kind`` (empty: safe to replace).

    Parameters
    ----------
    folder
        A folder.
    kind
        One of :data:`KINDS`.

    Returns
    -------
    list of str
        Relative paths of the files (or top-level names, for an unmarked
        folder) that a replacement would lose; every entry when the folder is
        not an output of ``kind``; nothing when there is no folder.
    """
    contents = _contents(Path(folder))
    if contents is None:
        return []
    names = sorted(contents.names)
    marker = contents.documents[MARKER]
    if marker.get("format") == _MARKER_FORMAT:
        if marker.get("kind") != kind:
            return names
        written = set(marker.get("files", []))
        return [f for f in contents.files if f not in written]
    return [] if _legacy_kind(contents) == kind else names


def _listing(names: list[str], limit: int = 5) -> str:
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _protected(out: Path) -> str | None:
    """Why ``out`` (absolute) may never be an output folder, or ``None``."""
    home, cwd = Path.home().resolve(), Path.cwd().resolve()
    if out == Path(out.anchor):
        return "is the root folder; name a new folder to write"
    if out == home or out in home.parents:
        return "is the home folder or holds it; name a new folder inside it"
    if out == cwd or out in cwd.parents:
        return "is the current folder or holds it; name a new folder, e.g. --out results"
    return None


def check_output(path: str | Path, kind: str, *, inputs: Iterable[str | Path] = (),
                 overwrite: bool = False) -> Path:
    """Check, before any work, that ``path`` may and can be written as an output of ``kind``.

    Creates the parent folders and writes (and removes) a test folder
    beside ``path``.

    Parameters
    ----------
    path
        The output folder (``--out``).
    kind
        One of :data:`KINDS`.
    inputs
        Folders the command reads; the output may not equal, contain or lie
        inside any of them.
    overwrite
        Allow replacing an existing folder that is not a grfkit output of
        ``kind`` (its contents are moved aside, not deleted).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputError
        If the folder may not be replaced (see the module docstring) or its
        location cannot be written (read-only, no permission, disk full).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    path = Path(path)
    try:
        mode = os.lstat(path.expanduser()).st_mode  # one look, so that a folder swapped in meanwhile is still a folder
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISLNK(mode):
        raise OutputError("is a symbolic link; name the folder itself", path=path)
    out = path.expanduser().resolve()
    reason = _protected(out)
    if reason:
        raise OutputError(reason, path=path)
    for source in inputs:
        source_abs = Path(source).expanduser().resolve()
        if out == source_abs or out in source_abs.parents:
            raise OutputError(f"is (or holds) the input folder {source}; name a new folder", path=path)
        if source_abs in out.parents:
            raise OutputError(f"lies inside the input folder {source}; name a folder outside it", path=path)
    if mode is not None and not stat.S_ISDIR(mode):
        raise OutputError(f"is an existing file, not a folder; name a folder to write the {_WHAT[kind]} to",
                          path=path)
    if mode is not None and not overwrite:
        foreign = foreign_entries(out, kind)
        if foreign:
            raise OutputError(
                f"exists and is not a grfkit {_WHAT[kind]}: it holds {len(foreign)} entries grfkit did not write "
                f"({_listing(foreign)}); name a new folder, or pass --overwrite to replace it (its contents are then "
                f"moved aside to {out.name}.replaced-<time> beside it, not deleted)",
                path=path,
            )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging_directory(out).rmdir()
    except OSError as err:
        raise OutputError(f"cannot write here ({err.strerror or err})", path=path) from err
    return path


def _set_aside(old: Path, path: Path) -> Path:
    """Rename a displaced folder that grfkit did not write to a visible name beside ``path``."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        backup = path.with_name(f"{path.name}.replaced-{stamp}" + (f"-{n}" if n else ""))
        if not backup.exists():
            os.rename(old, backup)
            return backup
    raise OutputError("no free name to move the old folder to", path=path)


@contextlib.contextmanager
def write_output(path: str | Path, kind: str, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield an empty folder to fill; it replaces ``path`` as a whole when the block succeeds.

    The marker is written last; the folder is swapped in atomically.  A
    folder displaced by the swap is deleted only if it is a grfkit output of
    ``kind`` holding nothing else; otherwise (``overwrite``) it is moved to
    ``NAME.replaced-<time>`` beside ``path`` with a warning.

    Parameters
    ----------
    path
        Destination folder.
    kind
        One of :data:`KINDS`.
    overwrite
        As for :func:`check_output`.

    Yields
    ------
    pathlib.Path
        A private folder beside ``path``.  If the block raises, it is removed
        and ``path`` is untouched.

    Raises
    ------
    OutputError
        As :func:`check_output`, and when writing fails (read-only file
        system, disk full), with ``path`` named.
    """
    path = Path(path)
    check_output(path, kind, overwrite=overwrite)
    staged = None
    try:
        staged = staging_directory(path)
        yield staged
        marker = {"format": _MARKER_FORMAT, "kind": kind, "files": _files(staged),
                  "created_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
        (staged / MARKER).write_text(json.dumps(marker, indent=1), encoding="utf-8")
        give_default_permissions(staged, 0o777)
        if overwrite and foreign_entries(path, kind):
            # Straight to its visible backup name: a kill during the swap must not leave it in a hidden folder.
            with contextlib.suppress(FileNotFoundError):  # unless another writer moved it meanwhile
                backup = _set_aside(path, path)
                warnings.warn(f"the previous contents of {path} were moved to {backup}", stacklevel=3)
        for old in swap_in(staged, path):
            if not any(old.iterdir()) or not foreign_entries(old, kind):
                shutil.rmtree(old)
            else:
                backup = _set_aside(old, path)
                warnings.warn(f"the previous contents of {path} were moved to {backup}", stacklevel=3)
    except GrfkitError:
        raise
    except OSError as err:
        raise OutputError(f"writing the {_WHAT[kind]} failed ({err.strerror or err}); the previous folder, if any, "
                          "is unchanged", path=path) from err
    finally:
        if staged is not None and staged.exists():
            shutil.rmtree(staged, ignore_errors=True)

