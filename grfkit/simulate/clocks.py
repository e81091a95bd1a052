"""The insole's own clock against the lab clock.

The insole system (pressure insoles and shoe IMU) timestamps its samples with
its own clock, started independently of the lab system.  Relative to the lab
clock (force plates, motion capture) it is offset by a few seconds and runs
slightly fast or slow (crystal tolerance, tens of ppm)::

    t_lab = clock_offset_s + t_insole * (1 + clock_drift_ppm * 1e-6)

Both insole (1000 Hz) and IMU (1125 Hz) tables are sampled at their nominal
rates *on the insole clock*; on the lab clock their true rates differ by the
drift.  The insole recording also starts and stops at other moments than the
lab recording: ``clock_offset_s`` is the lab time of the insole's first
sample, and the insole keeps recording a few seconds past the lab's end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from grfkit.simulate.seeds import child_rng

__all__ = [
    "ClockModel",
    "InsoleClock",
    "BoutWindow",
    "sample_clock",
    "sample_bout_window",
    "insole_to_lab",
    "lab_to_insole",
]


@dataclass(frozen=True)
class ClockModel:
    """How insole clocks are drawn for simulated bouts.

    Parameters
    ----------
    max_offset_s
        Offsets are uniform in ``[-max_offset_s, +max_offset_s]`` (negative:
        the insole started before the lab recording).
    max_drift_ppm
        Drifts are uniform in ``[-max_drift_ppm, +max_drift_ppm]``.
    extra_recording_s
        The insole records this much longer than the lab (uniform range,
        seconds), so both ends of the two recordings differ.
    """

    max_offset_s: float = 5.0
    max_drift_ppm: float = 50.0
    extra_recording_s: tuple[float, float] = (2.0, 8.0)


@dataclass(frozen=True)
class InsoleClock:
    """The insole clock of one bout.

    Parameters
    ----------
    clock_offset_s
        Lab time of insole time zero.
    clock_drift_ppm
        Rate error of the insole clock in parts per million (positive: insole
        seconds are longer than lab seconds).
    """

    clock_offset_s: float
    clock_drift_ppm: float

    def to_lab(self, t_insole_s: ArrayLike) -> np.ndarray:
        """Insole time to lab time (see :func:`insole_to_lab`)."""
        return insole_to_lab(t_insole_s, self.clock_offset_s, self.clock_drift_ppm)

    def to_insole(self, t_lab_s: ArrayLike) -> np.ndarray:
        """Lab time to insole time (see :func:`lab_to_insole`)."""
        return lab_to_insole(t_lab_s, self.clock_offset_s, self.clock_drift_ppm)


def sample_clock(rng: np.random.Generator, model: ClockModel = ClockModel()) -> InsoleClock:
    """Draw the insole clock of one bout.

    Parameters
    ----------
    rng
        Random generator.
    model
        Ranges of offset and drift.

    Returns
    -------
    InsoleClock
        Offset and drift drawn uniformly from the model's ranges.
    """
    return InsoleClock(
        clock_offset_s=float(rng.uniform(-model.max_offset_s, model.max_offset_s)),
        clock_drift_ppm=float(rng.uniform(-model.max_drift_ppm, model.max_drift_ppm)),
    )


@dataclass(frozen=True)
class BoutWindow:
    """The insole clock of one bout and the spans its recordings cover.

    Parameters
    ----------
    clock
        The true insole clock.
    insole_duration_s
        Length of the insole recording (insole clock): the lab recording's
        length plus the extra time the insole keeps recording.
    insole_end_lab_s
        Lab time of the insole recording's end.
    start_s, end_s
        Lab-time span to simulate contacts over: both recordings with 2 s to
        spare at each end.
    """

    clock: InsoleClock
    insole_duration_s: float
    insole_end_lab_s: float
    start_s: float
    end_s: float


def sample_bout_window(keys: tuple[object, ...], duration_s: float, model: ClockModel) -> BoutWindow:
    """Draw the insole clock and the insole recording's length of one bout.

    Parameters
    ----------
    keys
        The bout's generator keys (seed, data set, participant, bout); the
        clock draws from ``keys + ("clock",)``, the extra recording time from
        ``keys + ("recording",)``.
    duration_s
        Length of the lab recording.
    model
        Ranges of offset, drift and extra recording time.

    Returns
    -------
    BoutWindow
        The clock and the spans it implies.
    """
    clock = sample_clock(child_rng(*keys, "clock"), model)
    extra = float(child_rng(*keys, "recording").uniform(*model.extra_recording_s))
    insole_duration = duration_s + extra
    insole_end_lab = float(clock.to_lab(insole_duration))
    start, end = min(0.0, clock.clock_offset_s) - 2.0, max(duration_s, insole_end_lab) + 2.0
    return BoutWindow(clock, insole_duration, insole_end_lab, start, end)


def insole_to_lab(t_insole_s: ArrayLike, clock_offset_s: float, clock_drift_ppm: float) -> np.ndarray:
    """Convert insole-clock times to lab-clock times.

    Parameters
    ----------
    t_insole_s
        Times on the insole clock, seconds.
    clock_offset_s, clock_drift_ppm
        The clock model's parameters.

    Returns
    -------
    numpy.ndarray
        ``clock_offset_s + t_insole_s * (1 + clock_drift_ppm * 1e-6)``.

    Examples
    --------
    >>> round(float(insole_to_lab(100.0, 2.0, 50.0)), 9)
    102.005
    """
    return clock_offset_s + np.asarray(t_insole_s, dtype=np.float64) * (1.0 + clock_drift_ppm * 1e-6)


def lab_to_insole(t_lab_s: ArrayLike, clock_offset_s: float, clock_drift_ppm: float) -> np.ndarray:
    """Convert lab-clock times to insole-clock times (inverse of :func:`insole_to_lab`).

    Parameters
    ----------
    t_lab_s
        Times on the lab clock, seconds.
    clock_offset_s, clock_drift_ppm
        The clock model's parameters.

    Returns
    -------
    numpy.ndarray
        ``(t_lab_s - clock_offset_s) / (1 + clock_drift_ppm * 1e-6)``.
    """
    return (np.asarray(t_lab_s, dtype=np.float64) - clock_offset_s) / (1.0 + clock_drift_ppm * 1e-6)
