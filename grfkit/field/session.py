"""A simulated field session: new runners, overground only, and a copy of it without force plates.

:func:`simulated_field_session` simulates (or takes from the cohort cache,
:func:`grfkit.storage.cohort_cache.simulated`) the overground bouts of a
cohort at a scale and seed, with no treadmill, and writes beside it a copy
that holds only what a runner would carry: the insoles and the shoe IMU
(every ``force.*`` and ``marker.*`` table left out).  The copy keeps
``truth/``, which no recording has and :func:`grfkit.field.chain.wearable_stances`
never reads, so that the estimates can be scored.  The files are hard links
where the file system allows, else copies; the copy is written atomically.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from grfkit.scales import ScaleConfig, get_scale
from grfkit.storage.atomic import atomic_directory
from grfkit.storage.cohort_cache import simulated
from grfkit.storage.output_folders import MARKER

__all__ = ["LEFT_OUT", "FieldSession", "simulated_field_session"]

#: Name patterns of the files the wearable-only copy leaves out: the lab's instruments.
LEFT_OUT: tuple[str, ...] = ("force.*", "marker.*", MARKER)
# Written last into the copy: it says the copy is complete, and of which simulation.
_COMPLETE = ".wearables-only-complete"


@dataclass(frozen=True)
class FieldSession:
    """The two folders of a simulated field session.

    Parameters
    ----------
    raw_dir
        The simulated cohort as the lab recorded it (force plates, markers,
        insoles, IMU, truth).
    wearable_dir
        The same bouts with the insoles and shoe IMU only (and ``truth/``).
    scale
        The simulated scale (``treadmill_participants`` 0).
    seed
        The cohort seed.
    """

    raw_dir: Path
    wearable_dir: Path
    scale: ScaleConfig
    seed: int


def _raw_identity(raw: Path) -> str:
    """SHA-256 of the cached raw folder's manifest: it changes whenever the folder is simulated again."""
    manifest = raw.with_name(raw.name + ".manifest.json")
    return hashlib.sha256(manifest.read_bytes()).hexdigest()


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def simulated_field_session(
    scale: str | ScaleConfig,
    seed: int,
    *,
    cache: bool | str | Path = True,
    progress: bool = False,
) -> FieldSession:
    """Simulate the overground bouts of a new cohort and a copy of them without force plates.

    Parameters
    ----------
    scale
        ``"ci"``, ``"book"``, ``"paper"`` or a :class:`grfkit.scales.ScaleConfig`:
        its overground participants, bouts and durations; no treadmill.
    seed
        Cohort seed: a seed other than the training cohort's gives other runners.
    cache
        Cohort cache folder (``True``: the default one).
    progress
        Show a progress bar while simulating.

    Returns
    -------
    FieldSession
        Both folders; the copy lies in the cached cohort's folder, beside ``raw``.

    Raises
    ------
    ConfigError
        For an unknown scale.
    CacheError
        If the cache folder cannot be written, naming it.
    """
    config = get_scale(scale) if isinstance(scale, str) else scale
    field_scale = dataclasses.replace(config, name=f"field-{config.name}", treadmill_participants=0)
    raw = simulated(field_scale, seed, cache=cache, progress=progress)
    wearables = raw.with_name("wearables-only")
    source = _raw_identity(raw)
    complete = wearables / _COMPLETE
    if not complete.is_file() or complete.read_text(encoding="utf-8") != source:
        with atomic_directory(wearables) as staged:
            shutil.copytree(raw, staged, ignore=shutil.ignore_patterns(*LEFT_OUT),
                            copy_function=_link_or_copy, dirs_exist_ok=True)
            (staged / _COMPLETE).write_text(source, encoding="utf-8")
    return FieldSession(raw_dir=raw, wearable_dir=wearables, scale=field_scale, seed=int(seed))
