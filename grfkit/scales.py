"""The ``ci``, ``book`` and ``paper`` scales: how much to simulate, train and evaluate.

One name sets three things: the simulated cohort's size (:class:`ScaleConfig`,
:data:`SCALES`, :func:`get_scale`), the model preset of the experiments
(:data:`SCALE_PRESETS`, :func:`preset_for_scale`) and how much the real-data
chapter trains (:class:`RealDataScale`, :func:`get_real_scale`).

``ci`` runs in seconds, for tests and continuous integration; ``book`` is what
the published book runs; ``paper`` is the study's design (15 overground runners
x 3 bouts of 2 min, 50 treadmill runners x 10 conditions).  The scales are
nested: every scale uses the paper's bout lengths and a subset of its
participants and conditions, so for a given seed each ``ci`` bout is the same
bout of the ``book`` and ``paper`` cohorts.  Chapter 1 of the book tells how
the treadmill bouts were sized.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from grfkit.errors import ConfigError

_Scale = TypeVar("_Scale")

__all__ = [
    "OVERGROUND_BOUTS",
    "TREADMILL_SPEEDS",
    "TREADMILL_GRADIENTS",
    "TREADMILL_CONDITIONS",
    "ScaleConfig",
    "SCALES",
    "get_scale",
    "SCALE_PRESETS",
    "preset_for_scale",
    "RealDataScale",
    "REAL_DATA_SCALES",
    "get_real_scale",
]

#: Overground bouts (self-selected speed classes), in recording order.
OVERGROUND_BOUTS: tuple[str, ...] = ("slow", "medium", "fast")
#: Treadmill speed classes: three personalised speeds (0.9, 1.0, 1.1 x preferred) and a fixed 12 km/h.
TREADMILL_SPEEDS: tuple[str, ...] = ("slow", "medium", "fast", "fixed")
#: Treadmill gradient classes (+1 %, +6 % and -4 % grade).
TREADMILL_GRADIENTS: tuple[str, ...] = ("downhill", "level", "uphill")
#: The 10 treadmill conditions, named ``<speed>_<gradient>``: every personalised speed at every
#: gradient, and the fixed speed on the level (the published code accepts any combination; which
#: ones the study recorded at 12 km/h is not published, so we assume the level one only).
TREADMILL_CONDITIONS: tuple[str, ...] = (
    *(f"{s}_{g}" for s in TREADMILL_SPEEDS[:3] for g in TREADMILL_GRADIENTS),
    "fixed_level",
)


@dataclass(frozen=True)
class ScaleConfig:
    """Size of a simulated cohort.

    Parameters
    ----------
    name
        Scale name, written to ``dataset.json``.
    overground_participants
        Number of overground participants (``OG01`` ...).
    overground_bouts
        Overground bouts per participant (speed classes of :data:`OVERGROUND_BOUTS`).
    overground_duration_s
        Length of each overground lab recording.
    treadmill_participants
        Number of treadmill participants (``TM01`` ...).
    treadmill_conditions
        Treadmill conditions per participant (from :data:`TREADMILL_CONDITIONS`).
    treadmill_duration_s
        Length of each treadmill lab recording.
    """

    name: str
    overground_participants: int
    overground_bouts: tuple[str, ...]
    overground_duration_s: float
    treadmill_participants: int
    treadmill_conditions: tuple[str, ...]
    treadmill_duration_s: float

    def __post_init__(self) -> None:
        if self.overground_participants < 0 or self.treadmill_participants < 0:
            raise ConfigError(f"scale {self.name!r}: participant counts must not be negative")
        unknown = [b for b in self.overground_bouts if b not in OVERGROUND_BOUTS]
        unknown += [c for c in self.treadmill_conditions if c not in TREADMILL_CONDITIONS]
        if unknown:
            raise ConfigError(
                f"scale {self.name!r}: unknown bouts/conditions {unknown}; "
                f"use {OVERGROUND_BOUTS} and {TREADMILL_CONDITIONS}"
            )
        if self.overground_duration_s < 10 or self.treadmill_duration_s < 10:
            raise ConfigError(
                f"scale {self.name!r}: recordings must last at least 10 s (the clock offset is up to 5 s)"
            )


#: The predefined scales.  ``ci``: generated in seconds; overground bouts keep the study's 2 minutes
#: because clean plate contacts are rare (about 5 per bout), so that every participant has enough for
#: leave-one-subject-out folds.  ``book``: what the published book runs, a subset of the paper's runners.
#: ``paper``: the study's design; each treadmill condition records long enough (24 s) that the treadmill
#: set has about 70 times as many left-foot stances as the overground set has clean left-foot plate
#: contacts, the ratio the study reports.
SCALES: dict[str, ScaleConfig] = {
    "ci": ScaleConfig(
        name="ci",
        overground_participants=4,
        overground_bouts=OVERGROUND_BOUTS,
        overground_duration_s=120.0,
        treadmill_participants=6,
        treadmill_conditions=("medium_level", "fast_uphill"),
        treadmill_duration_s=24.0,
    ),
    "book": ScaleConfig(
        name="book",
        overground_participants=8,
        overground_bouts=OVERGROUND_BOUTS,
        overground_duration_s=120.0,
        treadmill_participants=20,
        treadmill_conditions=("slow_downhill", "medium_level", "fast_uphill"),
        treadmill_duration_s=24.0,
    ),
    "paper": ScaleConfig(
        name="paper",
        overground_participants=15,
        overground_bouts=OVERGROUND_BOUTS,
        overground_duration_s=120.0,
        treadmill_participants=50,
        treadmill_conditions=TREADMILL_CONDITIONS,
        treadmill_duration_s=24.0,
    ),
}


def _named_scale(scale: str | _Scale, kind: type[_Scale], table: Mapping[str, _Scale]) -> _Scale:
    """``scale`` itself if it is a ``kind``, else the entry of ``table`` it names (ConfigError if none)."""
    if isinstance(scale, kind):
        return scale
    if scale not in table:
        raise ConfigError(f"unknown scale {scale!r}; choose one of {sorted(table)}")
    return table[scale]


def get_scale(scale: str | ScaleConfig) -> ScaleConfig:
    """Return a scale by name (or the given configuration unchanged).

    Parameters
    ----------
    scale
        ``"ci"``, ``"book"``, ``"paper"`` or a :class:`ScaleConfig`.

    Returns
    -------
    ScaleConfig
        The configuration.

    Raises
    ------
    ConfigError
        For an unknown scale name.

    Examples
    --------
    >>> get_scale("paper").overground_participants
    15
    """
    return _named_scale(scale, ScaleConfig, SCALES)


# --- the model preset of each scale ----------------------------------------

#: The model preset the book uses at each data scale: ``ci`` only checks that
#: everything runs (the ``"ci"`` smoke-test preset), ``book`` and ``paper``
#: use the default ``"fast"`` preset.
SCALE_PRESETS: dict[str, str] = {"ci": "ci", "book": "fast", "paper": "fast"}


def preset_for_scale(scale: str) -> str:
    """Return the model preset the book uses at a data scale (:data:`SCALE_PRESETS`).

    Parameters
    ----------
    scale
        ``"ci"``, ``"book"`` or ``"paper"``.

    Returns
    -------
    str
        Name of the model preset (:func:`grfkit.model.presets.get_preset`).

    Raises
    ------
    ConfigError
        For an unknown scale.

    Examples
    --------
    >>> preset_for_scale("book")
    'fast'
    """
    try:
        return SCALE_PRESETS[scale]
    except KeyError:
        raise ConfigError(f"unknown scale {scale!r}; choose one of {sorted(SCALE_PRESETS)}") from None


# --- the real-data chapter ------------------------------------------------
# The real data are always read in full (they are small); the scales differ in how many models are
# trained and for how long, and in how much is simulated for the validation.

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



#: The predefined scales.  ``ci``: generated in seconds; overground bouts keep the study's 2 minutes
#: because clean plate contacts are rare (about 5 per bout), so that every participant has enough for
#: leave-one-subject-out folds.  ``book``: what the published book runs, a subset of the paper's runners.
#: ``paper``: the study's design; each treadmill condition records long enough (24 s) that the treadmill
#: set has about 70 times as many left-foot stances as the overground set has clean left-foot plate
#: contacts, the ratio the study reports.
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
    return _named_scale(scale, RealDataScale, REAL_DATA_SCALES)
