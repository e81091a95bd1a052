"""The on-disk cohort cache behind ``simulate_cohort(..., cache=True)`` and ``preprocess_raw(..., cache=True)``.

:func:`simulated` keeps a simulated raw folder per (scale, seed, domain gap,
source fingerprint); :func:`preprocessed` keeps a preprocessing result per
(raw files, :class:`~grfkit.preprocess.config.PreprocessConfig`, source
fingerprint), the raw files known by their SHA-256 digests.  The fingerprint
(:func:`source_fingerprint`) covers the simulator and the preprocessing code
only, so changing either never serves stale data and changing anything else
keeps the cohorts.  Entries are written atomically with a manifest of every
file's SHA-256 and checked on reuse; one that fails is rebuilt with a
:class:`grfkit.storage.cache.CacheWarning`.  :func:`prepare_cohort` and
:func:`load_or_build_stances` give chapters 3-6 and the experiment both
steps in one call.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from grfkit.errors import ConfigError, GrfkitError
from grfkit.io.stances import StanceDataset
from grfkit.preprocess.chain import preprocess_raw
from grfkit.preprocess.config import PreprocessConfig
from grfkit.preprocess.results import PreprocessResult
from grfkit.scales import ScaleConfig, get_scale
from grfkit.simulate import DomainGap, simulate_cohort
from grfkit.storage.cache import (
    MANIFEST_NAME,
    ensure_writable,
    load_entry,
    read_manifest,
    remove_stale_temporaries,
    sha256_file,
    storage_errors,
    verify_entry,
    write_manifest,
)
from grfkit.storage.fingerprint import package_fingerprint
from grfkit.storage.output_folders import MARKER

__all__ = ["CACHE_DIR_ENV", "COHORT_SOURCES", "PreparedCohort", "cache_dir", "load_or_build_stances",
           "prepare_cohort", "preprocessed", "simulated", "source_fingerprint"]

#: Environment variable that sets the cache folder.
CACHE_DIR_ENV = "GRFKIT_CACHE_DIR"

T = TypeVar("T")

#: Where a cohort's computation starts: the simulator, the raw format and the preprocessing chain.
COHORT_SOURCES: tuple[str, ...] = ("simulate", "io", "preprocess/chain.py")

_RAW_KIND = "cohort-raw"
_PREPROCESSED_KIND = "cohort-preprocessed"


@lru_cache(maxsize=1)
def source_fingerprint() -> str:
    """Return a short SHA-256 of the grfkit source that simulates and preprocesses a cohort.

    It covers :data:`COHORT_SOURCES` and every grfkit module they import;
    changing anything else (models, training, the experiment, the command
    line, the book's figures, this cache's own code) keeps the cached cohorts.

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


def _root(cache: bool | str | Path | None) -> Path:
    """The cache folder a ``cache`` argument names (``True`` or ``None``: the default folder)."""
    if cache is False:
        raise ConfigError("cache=False asks for no cache")
    root = cache_dir(None if cache is True else cache)
    remove_stale_temporaries(root)
    return root


def simulated(
    scale: str | ScaleConfig,
    seed: int,
    *,
    gap: DomainGap = DomainGap(),
    cache: bool | str | Path = True,
    progress: bool = False,
) -> Path:
    """Return the raw folder of a simulated cohort from the cache, simulating it the first time.

    Parameters
    ----------
    scale
        ``"ci"``, ``"book"``, ``"paper"`` or a :class:`grfkit.scales.ScaleConfig`.
    seed
        Cohort seed.
    gap
        Which treadmill/overground differences the cohort has (:class:`grfkit.simulate.DomainGap`).
    cache
        ``True`` for the default cache folder (:func:`cache_dir`), or a folder.
    progress
        Show a progress bar while simulating.

    Returns
    -------
    pathlib.Path
        ``<cache>/cohort-<scale>-seed<seed>[-<gap>]-<fingerprint>/raw``.

    Raises
    ------
    ConfigError
        For an unknown scale.
    CacheError
        If the cache folder cannot be written to (read-only, disk full), naming it.
    """
    config = get_scale(scale) if isinstance(scale, str) else scale
    variant = "" if gap == DomainGap() else f"-{gap.label}"
    folder = _root(cache) / f"cohort-{config.name}-seed{seed}{variant}-{source_fingerprint()}"
    remove_stale_temporaries(folder)
    raw = folder / "raw"
    key = {"scale": asdict(config), "seed": int(seed), "gap": asdict(gap)}
    # sizes only: the raw folder is large and only handed on; preprocessed() checks every digest before reading it
    if _load(raw, _RAW_KIND, key, Path, hashes=False) is None:
        _replace(raw, lambda: simulate_cohort(config, seed, out_dir=raw, progress=progress, gap=gap), _RAW_KIND, key)
    return raw


def preprocessed(
    raw_dir: str | Path,
    *,
    config: PreprocessConfig = PreprocessConfig(),
    cache: bool | str | Path = True,
    progress: bool = False,
    workers: int | None = None,
) -> PreprocessResult:
    """Return the preprocessing result of a raw folder from the cache, preprocessing it the first time.

    The entry is keyed by the SHA-256 digests of the raw folder's files (for
    a raw folder of this cache, those its manifest records), ``config`` and
    :func:`source_fingerprint`.  It lies beside a cached raw folder
    (``preprocessed/`` for the default config, ``preprocessed-<hash>/`` for
    others), or in ``<cache>/cohort-folder-<digest>-<fingerprint>/`` for any
    other raw folder.  A cached raw folder whose files no longer match their
    digests is simulated again before it is preprocessed.

    Parameters
    ----------
    raw_dir
        Folder in the grfkit raw data format.
    config
        Chain settings.
    cache
        ``True`` for the default cache folder (:func:`cache_dir`), or a folder.
    progress, workers
        As for :func:`grfkit.preprocess.chain.preprocess_raw`.

    Returns
    -------
    PreprocessResult
        As :func:`grfkit.preprocess.chain.preprocess_raw` computes it.

    Raises
    ------
    GrfkitError
        Invalid ``participants.csv``/``bouts.csv`` of the raw folder.
    CacheError
        If the cache folder cannot be written to, naming it.
    """
    raw = Path(raw_dir)
    root = _root(cache)
    raw_key = _cached_raw_key(raw)
    if raw_key is not None:
        base, files = raw.parent, read_manifest(_manifest(raw))["files"]
    else:
        files = {p.relative_to(raw).as_posix(): {"sha256": sha256_file(p)} for p in sorted(raw.rglob("*"))
                 if p.is_file()}
        base = root / f"cohort-folder-{_digest(_file_digests(files))[:12]}-{source_fingerprint()}"
    remove_stale_temporaries(base)
    settings = asdict(config)
    pre = base / ("preprocessed" if config == PreprocessConfig() else f"preprocessed-{_digest(settings)[:12]}")
    key = {"raw_files": _digest(_file_digests(files)), "config": settings}
    result = _load(pre, _PREPROCESSED_KIND, key, PreprocessResult.load, hashes=True)
    if result is not None:
        return result
    if raw_key is not None and _load(raw, _RAW_KIND, raw_key, Path, hashes=True) is None:
        scale, seed, gap = _scale_of(raw_key["scale"]), int(raw_key["seed"]), DomainGap(**raw_key["gap"])
        _replace(raw, lambda: simulate_cohort(scale, seed, out_dir=raw, progress=progress, gap=gap), _RAW_KIND,
                 raw_key)
        key["raw_files"] = _digest(_file_digests(read_manifest(_manifest(raw))["files"]))
    _replace(pre, lambda: preprocess_raw(raw, config=config, progress=progress, workers=workers).save(pre),
             _PREPROCESSED_KIND, key)
    return PreprocessResult.load(pre)


def _cached_raw_key(raw: Path) -> dict | None:
    """The key of a raw folder this cache simulated (from its manifest), ``None`` for any other folder."""
    with contextlib.suppress(GrfkitError, OSError, ValueError, KeyError):
        content = read_manifest(_manifest(raw))
        if content["kind"] == _RAW_KIND:
            return content["key"]
    return None


def _scale_of(settings: Mapping[str, object]) -> ScaleConfig:
    """The :class:`ScaleConfig` whose ``asdict`` (as JSON) is ``settings``."""
    return ScaleConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in settings.items()})


def _file_digests(files: Mapping[str, Mapping[str, object]]) -> dict[str, str]:
    """Each file's SHA-256, less the output marker (it records when the folder was written, not what it holds)."""
    return {name: str(info["sha256"]) for name, info in files.items() if name != MARKER}


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


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
    """Simulate and preprocess the cohort at ``scale`` and ``seed``, both through the cache.

    The two front-door calls in one:
    ``simulate_cohort(scale, seed, gap=gap, cache=cache)`` then
    ``preprocess_raw(raw_dir, cache=cache)`` (the default config).

    Parameters
    ----------
    scale
        ``"ci"``, ``"book"`` or ``"paper"``.
    seed
        Cohort seed.
    cache
        Cache folder (default: :func:`cache_dir`).
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
    where = True if cache is None else cache
    raw = simulate_cohort(scale, seed, gap=gap, cache=where, progress=progress)
    return PreparedCohort(raw_dir=raw, result=preprocess_raw(raw, cache=where, progress=progress))


def load_or_build_stances(
    scale: str,
    seed: int,
    cache: str | Path | None = None,
    *,
    progress: bool = False,
    gap: DomainGap = DomainGap(),
) -> StanceDataset:
    """Return the stance data set of the simulated cohort at ``scale`` and ``seed`` (:func:`prepare_cohort`).

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


def _manifest(folder: Path) -> Path:
    return folder.with_name(f"{folder.name}.{MANIFEST_NAME}")


def _load(folder: Path, kind: str, key: dict, read: Callable[[Path], T], *, hashes: bool) -> T | None:
    return load_entry(folder, kind, key, read, manifest=_manifest(folder), hashes=hashes)


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
