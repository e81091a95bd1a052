"""Listing and clearing grfkit's cache entries (``grfkit cache ls`` and ``grfkit cache clear``).

:func:`cache_table` lists every entry grfkit wrote in the cache folder: the
cohorts, the experiment's folds and pre-trained models, kept results folders
and the tuning's finished outer folds (``tuning/<key>``), each marked
``current`` when the running code can still use it. :func:`clear_cache`
deletes those entries (all, or the stale ones) and stale temporary folders,
and nothing else: not the user's files, not the downloaded data sets.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from grfkit.errors import GrfkitError
from grfkit.storage.cache import (
    MANIFEST_NAME,
    read_manifest,
    remove_stale_temporaries,
    size_bytes,
)

__all__ = ["cache_table", "clear_cache"]

_HEX = re.compile(r"^[0-9a-f]{24}$")
_COHORT = re.compile(r"^cohort-.+-[0-9a-f]{12}$")


@dataclass(frozen=True)
class _Entry:
    kind: str
    key: str
    path: Path
    current: bool


def _modified(path: Path) -> float:
    times = [path.stat().st_mtime]
    times += [p.stat().st_mtime for p in path.iterdir()] if path.is_dir() else []
    return max(times)


def _json(path: Path) -> dict:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return content if isinstance(content, dict) else {}


def _manifest_or_none(path: Path) -> dict | None:
    with contextlib.suppress(GrfkitError):
        return read_manifest(path)
    return None


def _cohort_entry(folder: Path, source_code: str) -> _Entry | None:
    match = _COHORT.match(folder.name)
    if match is None or not folder.is_dir():
        return None
    manifests = [m for m in (_manifest_or_none(folder / f"{part}.{MANIFEST_NAME}") for part in ("raw", "preprocessed"))
                 if m is not None]
    if manifests:
        return _Entry("cohort", folder.name, folder, all(m.get("code") == source_code for m in manifests))
    # Written by a grfkit without manifests: recognised by its layout; never current.
    if _json(folder / "raw" / "dataset.json").get("format") == "grfkit-raw":
        return _Entry("cohort", folder.name, folder, False)
    return None


def _fold_entry(folder: Path, code: str) -> _Entry | None:
    if not _HEX.match(folder.name) or not folder.is_dir():
        return None
    manifest = _manifest_or_none(folder / MANIFEST_NAME)
    if manifest is not None and manifest.get("kind") == "fold":
        key = manifest["key"]
        return _Entry("fold", f"{key.get('strategy')}/{key.get('target')}/{key.get('subject')}", folder,
                      manifest.get("code") == code)
    info = _json(folder / "fold.json")
    if info.get("key") == folder.name:  # written by a grfkit without manifests
        return _Entry("fold", f"{info.get('strategy')}/{info.get('target')}/{info.get('subject')}", folder, False)
    return None


def _pretrained_entry(folder: Path, code: str) -> _Entry | None:
    if not _HEX.match(folder.name) or not folder.is_dir():
        return None
    manifest = _manifest_or_none(folder / MANIFEST_NAME)
    if manifest is not None and manifest.get("kind") == "pretrained":
        return _Entry("pretrained", str(manifest["key"].get("target")), folder, manifest.get("code") == code)
    model = _json(folder / "model.json")
    if model.get("format") == "grfkit-model":  # written by a grfkit without manifests
        return _Entry("pretrained", str(model.get("target")), folder, False)
    return None


def _results_entry(folder: Path, code: str) -> _Entry | None:
    provenance = _json(folder / "provenance.json")
    if not (folder / "results.csv").is_file() or "code_fingerprint" not in provenance:
        return None
    return _Entry("results", folder.name, folder, provenance["code_fingerprint"] == code)


def _tuning_entry(folder: Path, code: str | None) -> _Entry | None:
    manifest = _manifest_or_none(folder / MANIFEST_NAME) if _HEX.match(folder.name) and folder.is_dir() else None
    if manifest is None or manifest.get("kind") != "tuning_fold":  # grfkit.experiment.tuning_results.CACHE_KIND
        return None
    key = manifest["key"]
    return _Entry("tuning", f"{key.get('strategy')}/{key.get('target')}/{key.get('subject')}", folder,
                  code is not None and manifest.get("code") == code)


def _tuning_code() -> str | None:
    """The code fingerprint of the tuning's cache entries; ``None`` without Optuna (none is usable then)."""
    try:
        from grfkit.experiment.tuning import tuning_code_fingerprint

        return tuning_code_fingerprint()
    except ImportError:
        return None


def _entries(root: Path) -> list[_Entry]:
    from grfkit.experiment.store import code_fingerprint
    from grfkit.storage.cohort_cache import source_fingerprint

    source_code, code = source_fingerprint(), code_fingerprint()
    found: list[_Entry | None] = []
    for child in sorted(root.iterdir()):
        found.append(_cohort_entry(child, source_code))
    for experiments in (root / "experiments", root):
        for kind, recognise in (("folds", _fold_entry), ("pretrained", _pretrained_entry)):
            if (experiments / kind).is_dir():
                found += [recognise(p, code) for p in sorted((experiments / kind).iterdir())]
    if (root / "results").is_dir():
        found += [_results_entry(p, code) for p in sorted((root / "results").iterdir()) if p.is_dir()]
    # The tuning's outer folds: <cache>/tuning/<key>, or <key> in a --cache-dir given to grfkit tune.
    tuning = [p for folder in (root / "tuning", root) if folder.is_dir() for p in sorted(folder.iterdir())]
    tuning_code = _tuning_code() if any(_HEX.match(p.name) for p in tuning) else None  # imports torch and Optuna
    found += [_tuning_entry(p, tuning_code) for p in tuning]
    return [e for e in found if e is not None]


def _temporary_containers(root: Path) -> list[Path]:
    containers = [root, root / "results", root / "experiments", root / "tuning"]
    containers += [c for c in root.iterdir() if _COHORT.match(c.name) and c.is_dir()] if root.is_dir() else []
    for experiments in (root / "experiments", root):
        containers += [experiments / "folds", experiments / "pretrained"]
    return containers


def _resolve(cache_dir: str | Path | None) -> Path:
    from grfkit.storage.cohort_cache import cache_dir as grfkit_cache_dir

    return grfkit_cache_dir(cache_dir, create=False)


def cache_table(cache_dir: str | Path | None = None) -> pd.DataFrame:
    """List grfkit's cache entries: one row per cohort, fold, pre-trained model, results folder and tuned fold.

    Parameters
    ----------
    cache_dir
        The cache folder; default ``$GRFKIT_CACHE_DIR``, else ``~/.cache/grfkit``.

    Returns
    -------
    pandas.DataFrame
        Columns ``kind`` (``cohort``, ``pretrained``, ``fold``, ``results``, ``tuning``),
        ``key`` (e.g. ``combined/vgrf/OG02``), ``path``, ``size_mb``,
        ``modified`` (UTC), and ``current`` (computed by this code version,
        i.e. its code fingerprint matches; entries of other versions are
        never used again).  Empty when the folder does not exist.
    """
    root = _resolve(cache_dir)
    columns = ["kind", "key", "path", "size_mb", "modified", "current"]
    if not root.is_dir():
        return pd.DataFrame(columns=columns)
    rows = [
        {"kind": e.kind, "key": e.key, "path": str(e.path), "size_mb": size_bytes(e.path) / 1e6,
         "modified": _dt.datetime.fromtimestamp(_modified(e.path), _dt.UTC).replace(microsecond=0),
         "current": e.current}
        for e in _entries(root)
    ]
    return pd.DataFrame(rows, columns=columns)


def _protected() -> list[Path]:
    from grfkit.real.data_folder import data_dir

    return [data_dir().resolve()]


def clear_cache(cache_dir: str | Path | None = None, stale_only: bool = False) -> int:
    """Delete grfkit's cache entries (all, or those of other code versions) and stale temporary folders.

    Only folders :func:`cache_table` lists are deleted (entries grfkit wrote);
    other files in the cache folder, and the data folder of downloaded data
    sets (``grfkit.real.data_folder.data_dir()``), are never touched.

    Parameters
    ----------
    cache_dir
        The cache folder; default ``$GRFKIT_CACHE_DIR``, else ``~/.cache/grfkit``.
    stale_only
        Keep the entries this code version can use (``current``).

    Returns
    -------
    int
        Bytes freed.
    """
    root = _resolve(cache_dir)
    if not root.is_dir():
        return 0
    freed = sum(remove_stale_temporaries(c) for c in _temporary_containers(root))
    for folder in root.iterdir():  # a cohort folder whose first build was killed holds nothing now
        if _COHORT.match(folder.name) and folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()
    protected = _protected()
    for entry in _entries(root):
        if stale_only and entry.current:
            continue
        resolved = entry.path.resolve()
        if any(p == resolved or resolved in p.parents for p in protected):  # it is or holds the data folder
            continue
        size = size_bytes(entry.path)
        shutil.rmtree(entry.path)
        freed += size
    return freed
