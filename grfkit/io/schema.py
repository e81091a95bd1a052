"""The grfkit raw data format: folder layout, tables, columns and bout metadata.

A raw data folder holds what a lab records, before any processing::

    RAW_DIR/
      dataset.json  participants.csv  bouts.csv
      <dataset>/<participant>/<bout>/
          bout.json  insole.parquet  imu.parquet  force.parquet  [marker.parquet]
      truth/trials.csv  truth/stances.csv        (simulated data only)

Every table may be a ``.csv`` file instead (parquet wins when both exist).
This module names the files and columns (:data:`TABLES`, :data:`PARTICIPANT_COLUMNS`,
...), holds the data classes :class:`Plate`, :class:`BoutInfo` and
:class:`RawBout`, and finds a bout's folder (:func:`bout_path`) and required
channels (:func:`required_channels`).  The book page "Raw data format" documents every column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.errors import RawDataError
from grfkit.io.channels import (
    IMU_CHANNELS,
    MARKER_CHANNELS,
    fsr_channels,
    plate_channels,
)

__all__ = [
    "FORMAT",
    "VERSION",
    "TABLES",
    "ENVIRONMENTS",
    "FOOT_STRIKES",
    "PARTICIPANT_COLUMNS",
    "BOUT_COLUMNS",
    "TRUTH_TRIAL_COLUMNS",
    "TRUTH_STANCE_COLUMNS",
    "ID_COLUMNS",
    "STANCE_KEY_COLUMNS",
    "FILE_FORMATS",
    "Plate",
    "BoutInfo",
    "RawBout",
    "BoutArrays",
    "check_folder_name",
    "bout_path",
    "required_channels",
    "table_file",
]


#: Value of ``"format"`` in ``dataset.json`` (and, optionally, ``bout.json``).
FORMAT: str = "grfkit-raw"
#: Version of the raw data format this module reads and writes.
VERSION: int = 1
#: The tables of a bout folder, in the order they are read and validated.
TABLES: tuple[str, ...] = ("insole", "imu", "force", "marker")
#: Allowed values of ``BoutInfo.environment``.
ENVIRONMENTS: tuple[str, ...] = ("overground", "treadmill")
#: Allowed values of the ``foot_strike`` column of ``participants.csv``.
FOOT_STRIKES: tuple[str, ...] = ("rearfoot", "midfoot", "forefoot")

#: Required columns of ``participants.csv`` (free extra columns are kept).
PARTICIPANT_COLUMNS: tuple[str, ...] = (
    "dataset",
    "participant",
    "sex",
    "body_mass_kg",
    "height_m",
    "insole_length_m",
    "foot_strike",
)
#: Required columns of ``bouts.csv``.
BOUT_COLUMNS: tuple[str, ...] = ("dataset", "participant", "bout", "condition", "speed_mps", "gradient_deg")
#: Required columns of ``truth/trials.csv``.
TRUTH_TRIAL_COLUMNS: tuple[str, ...] = ("dataset", "participant", "bout", "clock_offset_s", "clock_drift_ppm")
#: The columns that identify a bout (and its folder, ``dataset/participant/bout``).
ID_COLUMNS: tuple[str, ...] = ("dataset", "participant", "bout")
#: The columns that identify a stance: its bout, foot, plate and events.
STANCE_KEY_COLUMNS: tuple[str, ...] = (*ID_COLUMNS, "foot", "plate", "ic_s", "to_s")
#: Required columns of ``truth/stances.csv``.
TRUTH_STANCE_COLUMNS: tuple[str, ...] = (
    *STANCE_KEY_COLUMNS,
    "contact_start_s",
    "contact_end_s",
    "clean",
    "speed_mps",
    "reason",
)

#: File formats of a table, in order of preference when both exist.
FILE_FORMATS: tuple[str, ...] = ("parquet", "csv")



# --------------------------------------------------------------------------- data classes


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
        ``time_s`` (lab clock) and 5 channels per plate; ``None`` for a
        wearable-only recording (``read_bout(..., require_force=False)``).
    marker
        ``time_s`` (lab clock) and waist marker position, or ``None``.
    """

    info: BoutInfo
    insole: pd.DataFrame
    imu: pd.DataFrame
    force: pd.DataFrame | None
    marker: pd.DataFrame | None = field(default=None)


#: The numeric channels of a bout's tables as numpy arrays: table name -> channel -> values.
BoutArrays = dict[str, dict[str, np.ndarray]]


def check_folder_name(value: object, what: str, path: Path | None = None) -> str:
    """Return an identifier if it can be a folder name of the format.

    Parameters
    ----------
    value
        The identifier (a data set, participant, bout or plate name).
    what
        What it names, for the error message.
    path
        File the identifier comes from, named in the error.

    Returns
    -------
    str
        ``value`` unchanged.

    Raises
    ------
    RawDataError
        If ``value`` is not a non-empty string, holds a slash, backslash or
        NUL, has surrounding spaces, or is ``"."`` or ``".."``.
    """
    if not isinstance(value, str) or not value.strip():
        raise RawDataError(f"{what} must be a non-empty string, got {value!r}", path=path)
    if value in {".", ".."} or any(c in value for c in "/\\\0") or value != value.strip():
        raise RawDataError(
            f"{what} {value!r} cannot be a folder name (no slashes, no surrounding spaces, not '.' or '..')",
            path=path,
        )
    return value


def bout_path(root: str | Path, dataset: str, participant: str, bout: str) -> Path:
    """Return the folder of one bout, ``root/dataset/participant/bout``.

    Parameters
    ----------
    root
        Raw data folder.
    dataset, participant, bout
        Identifiers of the bout; each becomes one folder name.

    Returns
    -------
    pathlib.Path
        The bout folder (it need not exist).

    Raises
    ------
    RawDataError
        If an identifier is empty or not a valid folder name.

    Examples
    --------
    >>> bout_path("raw", "overground", "OG03", "medium").as_posix()
    'raw/overground/OG03/medium'
    """
    return (
        Path(root)
        / check_folder_name(dataset, "dataset")
        / check_folder_name(participant, "participant")
        / check_folder_name(bout, "bout")
    )


def required_channels(info: BoutInfo) -> dict[str, list[str]]:
    """Return the required columns of each table of a bout.

    Parameters
    ----------
    info
        Bout metadata; its plates decide the force columns and its
        ``marker_rate_hz`` whether there is a marker table.

    Returns
    -------
    dict of str to list of str
        Table name (``"insole"``, ``"imu"``, ``"force"`` and, with a marker,
        ``"marker"``) to its columns, ``"time_s"`` first.
    """
    channels = {
        "insole": ["time_s", *fsr_channels("left"), *fsr_channels("right")],
        "imu": ["time_s", *IMU_CHANNELS],
        "force": ["time_s", *(c for p in info.plates for c in plate_channels(p.name))],
    }
    if info.marker_rate_hz is not None:
        channels["marker"] = ["time_s", *MARKER_CHANNELS]
    return channels


def table_file(folder: Path, table: str) -> Path | None:
    """Return the file of a table in a bout folder, parquet preferred.

    Parameters
    ----------
    folder
        Bout folder.
    table
        Table name, one of :data:`TABLES`.

    Returns
    -------
    pathlib.Path or None
        ``folder/<table>.parquet`` or else ``folder/<table>.csv``; ``None``
        when neither file exists.
    """
    for fmt in FILE_FORMATS:
        path = folder / f"{table}.{fmt}"
        if path.is_file():
            return path
    return None
