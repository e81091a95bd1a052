"""The grfkit raw data format: one folder per data set, participant and bout.

(Reader, writer and validator to be completed by the raw-data work.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Plate", "BoutInfo", "RawBout"]


@dataclass(frozen=True)
class Plate:
    """A force plate (or treadmill belt) and its active surface in the lab frame.

    Parameters
    ----------
    name
        Column prefix in the force table, e.g. ``"plate1"`` or ``"belt"``.
    x_min_m, x_max_m, y_min_m, y_max_m
        Edges of the plate's top surface in lab coordinates.
    """

    name: str
    x_min_m: float
    x_max_m: float
    y_min_m: float
    y_max_m: float


@dataclass(frozen=True)
class BoutInfo:
    """Metadata of one bout (one continuous recording).

    Parameters
    ----------
    dataset
        ``"overground"`` or ``"treadmill"`` (or the name of a real data set).
    participant
        Participant identifier, e.g. ``"OG03"``.
    bout
        Bout identifier, unique within the participant, e.g. ``"medium"``.
    condition
        Experimental condition (speed class or speed/gradient combination).
    environment
        ``"overground"`` (force plates in the floor) or ``"treadmill"`` (instrumented belt).
    plates
        Force plates whose channels the force table holds.
    gradient_deg
        Running surface incline in degrees (positive uphill).
    belt_speed_mps
        Treadmill belt speed, ``None`` overground.
    insole_rate_hz, imu_rate_hz, force_rate_hz, marker_rate_hz
        Nominal sampling rates; ``marker_rate_hz`` is ``None`` without a marker table.
    """

    dataset: str
    participant: str
    bout: str
    condition: str
    environment: str
    plates: tuple[Plate, ...]
    gradient_deg: float = 0.0
    belt_speed_mps: float | None = None
    insole_rate_hz: float = 1000.0
    imu_rate_hz: float = 1125.0
    force_rate_hz: float = 1000.0
    marker_rate_hz: float | None = 200.0


@dataclass
class RawBout:
    """The tables of one bout, as recorded.

    Parameters
    ----------
    info
        Bout metadata.
    insole
        ``time_s`` (insole clock) and 32 FSR channels.
    imu
        ``time_s`` (insole clock) and 6 IMU channels.
    force
        ``time_s`` (lab clock) and 5 channels per plate.
    marker
        ``time_s`` (lab clock) and waist marker position, or ``None``.
    """

    info: BoutInfo
    insole: pd.DataFrame
    imu: pd.DataFrame
    force: pd.DataFrame
    marker: pd.DataFrame | None = field(default=None)
