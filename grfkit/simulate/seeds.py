"""Random generators keyed by names, so that every part of a cohort is reproducible on its own.

Each participant and each bout draws from its own generator, derived from the
cohort seed and the names that identify it (``("overground", "OG03",
"medium")``).  Adding participants, bouts or scales therefore never changes
what the existing ones draw: participant ``OG03`` of seed 7 is the same person
at every scale.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["child_rng"]


def child_rng(seed: int, *keys: str) -> np.random.Generator:
    """Return a generator derived from ``seed`` and a path of names.

    Parameters
    ----------
    seed
        Cohort seed (a non-negative integer).
    *keys
        Names that identify the consumer, e.g. ``"overground", "OG03", "medium"``.

    Returns
    -------
    numpy.random.Generator
        Independent of the generators of every other key path.

    Examples
    --------
    >>> a = child_rng(1, "overground", "OG01").normal()
    >>> b = child_rng(1, "overground", "OG01").normal()
    >>> a == b, a == child_rng(1, "overground", "OG02").normal()
    (True, False)
    """
    if int(seed) < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    spawn_key = tuple(zlib.crc32(key.encode("utf-8")) for key in keys)
    return np.random.default_rng(np.random.SeedSequence(entropy=int(seed), spawn_key=spawn_key))
