"""How much of the real-data chapter to run: the ``ci``, ``book`` and ``paper`` scales.

The data are always read in full (they are small); the scales differ in how
many models are trained and for how long, and in how much is simulated for
the validation:

* ``ci``: seconds per model -- two held-out Hamner runners, two Alcantara
  folds, very short training; checks that everything runs;
* ``book``: the published chapter on 2 CPU cores in about 3 minutes -- all ten
  Hamner runners held out in turn, five Alcantara folds, the ``fast`` model
  preset trained for 100 steps;
* ``paper``: the ``fast`` preset's full training (at least 300 steps) and
  more simulated runners.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from grfkit.errors import ConfigError
from grfkit.model.network import ModelPreset, get_preset

__all__ = ["RealDataScale", "REAL_DATA_SCALES", "get_real_scale"]


@dataclass(frozen=True)
class RealDataScale:
    """Size of the real-data chapter's computations.

    Parameters
    ----------
    name
        Scale name.
    loso_participants
        How many Hamner runners are held out in turn (the first ones; 10 = all).
    min_steps
        Least optimiser steps of every model (the ``fast`` preset's
        ``min_steps`` is replaced by this; its epochs by 1, so training stops
        after ``min_steps`` steps on the small real data sets).
    alcantara_folds
        Folds of conditions for the Alcantara model.
    validation_participants
        Simulated runners per environment in the simulator validation.
    treadmill_duration_s, overground_duration_s
        Length of each simulated bout.
    """

    name: str
    loso_participants: int
    min_steps: int
    alcantara_folds: int
    validation_participants: int
    treadmill_duration_s: float
    overground_duration_s: float

    def preset(self) -> ModelPreset:
        """The ``fast`` model preset with this scale's training length."""
        return dataclasses.replace(get_preset("fast"), name=f"fast-{self.name}", epochs=1, min_steps=self.min_steps)


#: The predefined scales.
REAL_DATA_SCALES: dict[str, RealDataScale] = {
    "ci": RealDataScale("ci", 2, 20, 2, 2, 10.0, 30.0),
    "book": RealDataScale("book", 10, 100, 5, 6, 12.0, 60.0),
    "paper": RealDataScale("paper", 10, 300, 5, 10, 20.0, 90.0),
}


def get_real_scale(scale: str | RealDataScale) -> RealDataScale:
    """Return a scale by name (or the given scale unchanged).

    Parameters
    ----------
    scale
        ``"ci"``, ``"book"``, ``"paper"`` or a :class:`RealDataScale`.

    Raises
    ------
    ConfigError
        For an unknown name.

    Examples
    --------
    >>> get_real_scale("book").loso_participants
    10
    """
    if isinstance(scale, RealDataScale):
        return scale
    if scale not in REAL_DATA_SCALES:
        raise ConfigError(f"unknown scale {scale!r}; choose one of {sorted(REAL_DATA_SCALES)}")
    return REAL_DATA_SCALES[scale]
