"""Simulate-and-preprocess once, reuse everywhere: the on-disk cohort cache.

Notebooks, the experiment runner and the tests all need the same simulated
cohort and its stance data set.  :func:`prepare_cohort` builds them once per
(scale, seed, domain gap, grfkit source) and keeps them in a cache folder::

    <cache>/cohort-<scale>-seed<seed>[-<gap label>]-<fingerprint>/
        raw/            the simulated raw data folder (grfkit raw format)
        preprocessed/   the PreprocessResult (stances/, contacts.parquet, bouts.csv)

The key includes a fingerprint of grfkit's own source code, so changing the
simulator or the preprocessing can never serve stale data.  Both folders are
written atomically: an interrupted build is simply redone.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .pipeline import PreprocessResult, preprocess_raw
from .simulate import DomainGap, get_scale, simulate_cohort
from .stances import StanceDataset

__all__ = ["CACHE_DIR_ENV", "PreparedCohort", "cache_dir", "source_fingerprint", "prepare_cohort",
           "load_or_build_stances"]

#: Environment variable that sets the cache folder.
CACHE_DIR_ENV = "GRFKIT_CACHE_DIR"


@lru_cache(maxsize=1)
def source_fingerprint() -> str:
    """Return a short SHA-256 of every ``.py`` file of the installed grfkit package.

    Returns
    -------
    str
        12 hexadecimal characters; changes whenever any grfkit source changes.
    """
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_dir(path: str | Path | None = None) -> Path:
    """Resolve the cache folder: ``path``, else ``$GRFKIT_CACHE_DIR``, else ``~/.cache/grfkit``.

    Parameters
    ----------
    path
        Explicit folder.

    Returns
    -------
    pathlib.Path
        The folder (created if missing).
    """
    if path is None:
        path = os.environ.get(CACHE_DIR_ENV) or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "grfkit"
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class PreparedCohort:
    """A simulated cohort and its preprocessing result.

    Parameters
    ----------
    raw_dir
        The raw data folder (with ``truth/``).
    result
        What :func:`grfkit.pipeline.preprocess_raw` made of it.
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
    """
    config = get_scale(scale)
    variant = "" if gap == DomainGap() else f"-{gap.label}"
    folder = cache_dir(cache) / f"cohort-{config.name}-seed{seed}{variant}-{source_fingerprint()}"
    raw = folder / "raw"
    pre = folder / "preprocessed"
    if not (raw / "dataset.json").is_file():
        simulate_cohort(config, seed=seed, out_dir=raw, progress=progress, gap=gap)
    if not (pre / "bouts.csv").is_file():
        preprocess_raw(raw, progress=progress).save(pre)
    return PreparedCohort(raw_dir=raw, result=PreprocessResult.load(pre))


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
