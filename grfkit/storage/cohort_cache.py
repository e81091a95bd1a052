"""Simulate-and-preprocess once, reuse everywhere: the on-disk cohort cache.

Notebooks, the experiment runner and the tests all need the same simulated
cohort and its stance data set.  :func:`prepare_cohort` builds them once per
(scale, seed, domain gap, grfkit source) and keeps them in a cache folder::

    <cache>/cohort-<scale>-seed<seed>[-<gap label>]-<fingerprint>/
        raw/            the simulated raw data folder (grfkit raw format)
        preprocessed/   the PreprocessResult (stances/, contacts.parquet, bouts.csv)

        raw.manifest.json, preprocessed.manifest.json
                        what each folder was built from (scale, seed, gap,
                        code fingerprint) and every file's SHA-256

The key includes a fingerprint of the grfkit source that simulates and
preprocesses (:func:`source_fingerprint`), so changing the simulator or the
preprocessing can never serve stale data, while changing anything else keeps
the cohorts.  Both folders are
written atomically: an interrupted build is simply redone, and a temporary
folder a killed build left behind is removed once it is an hour old.  On
reuse the preprocessed folder is checked file by file against its manifest
(SHA-256); the raw folder, which is only handed on (it is large), by its
files' sizes, and fully by SHA-256 before it is preprocessed.  A folder that
fails is rebuilt with a :class:`grfkit.storage.cache.CacheWarning` naming it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from grfkit.errors import GrfkitError
from grfkit.io.stances import StanceDataset
from grfkit.preprocess.chain import PreprocessResult, preprocess_raw
from grfkit.scales import ScaleConfig, get_scale
from grfkit.simulate import DomainGap, simulate_cohort
from grfkit.storage.cache import (
    MANIFEST_NAME,
    ensure_writable,
    load_entry,
    remove_stale_temporaries,
    storage_errors,
    verify_entry,
    write_manifest,
)
from grfkit.storage.fingerprint import package_fingerprint

__all__ = ["CACHE_DIR_ENV", "PreparedCohort", "cache_dir", "source_fingerprint", "prepare_cohort",
           "load_or_build_stances"]

#: Environment variable that sets the cache folder.
CACHE_DIR_ENV = "GRFKIT_CACHE_DIR"

T = TypeVar("T")


#: Where a cohort's computation starts: the simulator, the raw format and the preprocessing chain.
COHORT_SOURCES: tuple[str, ...] = ("simulate", "io", "preprocess/chain.py")


@lru_cache(maxsize=1)
def source_fingerprint() -> str:
    """Return a short SHA-256 of the grfkit source that simulates and preprocesses a cohort.

    It covers :data:`COHORT_SOURCES` and every grfkit module they import;
    changing anything else (models, training, the experiment, the command
    line, the book's figures) keeps the cached cohorts.

    Returns
    -------
    str
        12 hexadecimal characters; changes whenever any of those files changes.
    """
    return package_fingerprint(COHORT_SOURCES)[:12]


def cache_dir(path: str | Path | None = None, *, create: bool = True) -> Path:
    """Resolve the cache folder: ``path``, else ``$GRFKIT_CACHE_DIR``, else ``~/.cache/grfkit``.

    Parameters
    ----------
    path
        Explicit folder.
    create
        Create the folder if it does not exist.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    CacheError
        If ``create`` and the folder cannot be created (read-only, no
        permission, a file in the way), naming it.
    """
    if path is None:
        path = os.environ.get(CACHE_DIR_ENV) or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "grfkit"
    folder = Path(path).expanduser()
    return ensure_writable(folder, probe=False) if create else folder


@dataclass(frozen=True)
class PreparedCohort:
    """A simulated cohort and its preprocessing result.

    Parameters
    ----------
    raw_dir
        The raw data folder (with ``truth/``).
    result
        What :func:`grfkit.preprocess.chain.preprocess_raw` made of it.
    """

    raw_dir: Path
    result: PreprocessResult


def prepare_cohort(
    scale: str,
    seed: int,
    cache: str | Path | None = None,
    *,
    progress: bool = False,
    gap: DomainGap = DomainGap(),
) -> PreparedCohort:
    """Simulate (or reuse) the cohort at ``scale`` and ``seed`` and preprocess it (or reuse that too).

    Parameters
    ----------
    scale
        ``"ci"``, ``"book"`` or ``"paper"``.
    seed
        Cohort seed.
    cache
        Cache folder (see :func:`cache_dir`).
    progress
        Show progress bars while building.
    gap
        Which treadmill/overground differences the cohort has
        (:class:`grfkit.simulate.DomainGap`; default: all of them).

    Returns
    -------
    PreparedCohort
        Paths and the preprocessing result.

    Raises
    ------
    ConfigError
        For an unknown scale.
    CacheError
        If the cache folder cannot be written to (read-only, disk full), naming it.

    Warns
    -----
    grfkit.storage.cache.CacheWarning
        When a cached folder fails its check and is rebuilt.
    """
    config = get_scale(scale)
    variant = "" if gap == DomainGap() else f"-{gap.label}"
    root = cache_dir(cache)
    remove_stale_temporaries(root)
    folder = root / f"cohort-{config.name}-seed{seed}{variant}-{source_fingerprint()}"
    remove_stale_temporaries(folder)
    raw, pre = folder / "raw", folder / "preprocessed"
    key = {"scale": asdict(config), "seed": int(seed), "gap": asdict(gap)}
    result = _load(pre, "cohort-preprocessed", key, PreprocessResult.load, hashes=True)
    if result is not None:
        if _load(raw, "cohort-raw", key, Path, hashes=False) is None:
            _build_raw(raw, config, seed, gap, key, progress)
        return PreparedCohort(raw_dir=raw, result=result)
    if _load(raw, "cohort-raw", key, Path, hashes=True) is None:
        _build_raw(raw, config, seed, gap, key, progress)
    _replace(pre, lambda: preprocess_raw(raw, progress=progress).save(pre), "cohort-preprocessed", key)
    return PreparedCohort(raw_dir=raw, result=PreprocessResult.load(pre))


def _manifest(folder: Path) -> Path:
    return folder.with_name(f"{folder.name}.{MANIFEST_NAME}")


def _load(folder: Path, kind: str, key: dict, read: Callable[[Path], T], *, hashes: bool) -> T | None:
    return load_entry(folder, kind, key, read, manifest=_manifest(folder), hashes=hashes)


def _build_raw(raw: Path, config: ScaleConfig, seed: int, gap: DomainGap, key: dict, progress: bool) -> None:
    _replace(raw, lambda: simulate_cohort(config, seed=seed, out_dir=raw, progress=progress, gap=gap), "cohort-raw",
             key)


def _replace(folder: Path, build: Callable[[], object], kind: str, key: dict) -> None:
    """(Re)build a cohort folder, then write its manifest; storage errors become a CacheError naming it."""
    manifest = _manifest(folder)
    with storage_errors(folder):
        if manifest.exists():
            with contextlib.suppress(GrfkitError, OSError, ValueError):
                verify_entry(folder, kind, key, manifest=manifest)
                return  # another process finished it meanwhile
            # A damaged entry of grfkit's own: removed, then rebuilt from scratch.
            manifest.unlink(missing_ok=True)
            shutil.rmtree(folder, ignore_errors=True)
        build()
        write_manifest(folder, kind, key, source_fingerprint(), manifest=manifest)


def load_or_build_stances(
    scale: str,
    seed: int,
    cache: str | Path | None = None,
    *,
    progress: bool = False,
    gap: DomainGap = DomainGap(),
) -> StanceDataset:
    """Return the stance data set of the simulated cohort at ``scale`` and ``seed``.

    Parameters
    ----------
    scale, seed, cache, progress, gap
        As for :func:`prepare_cohort`.

    Returns
    -------
    StanceDataset
        Left-foot stances of both data sets (``meta["dataset"]`` is
        ``"overground"`` or ``"treadmill"``).
    """
    return prepare_cohort(scale, seed, cache, progress=progress, gap=gap).result.stances
