"""Read C3D motion-capture files (markers, force plates) with ezc3d.

``ezc3d`` turns each plate's analog channels into forces (N), moments (N mm,
about the plate's surface centre) and centre of pressure (mm) in the lab
frame, assuming the lab's Z axis points up.  :func:`read_c3d` converts
everything to SI, blanks the centre of pressure and free moment where the
vertical force is below a threshold, and returns a :class:`C3DRecording`
of tidy tables, one :class:`ForcePlate` per plate; the plates report the
reaction acting on the runner.  :func:`to_grfkit_frame` rotates a recording
into grfkit's axes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import ezc3d
import numpy as np
import pandas as pd

from grfkit.errors import (
    ConfigError,
    FileFormatError,
    LengthMismatchError,
    MissingFileError,
)
from grfkit.real.readers.frames import rotate_vector_columns, rotation_to_grfkit

__all__ = [
    "PLATE_COLUMNS",
    "ForcePlate",
    "C3DRecording",
    "read_c3d",
    "to_grfkit_frame",
]

#: Columns of each plate's table, after ``time_s``.
PLATE_COLUMNS: tuple[str, ...] = (
    "fx_n",
    "fy_n",
    "fz_n",
    "mx_nm",
    "my_nm",
    "mz_nm",
    "cop_x_m",
    "cop_y_m",
    "cop_z_m",
    "tz_nm",
)

_LENGTH_TO_METRES = {"mm": 1e-3, "cm": 1e-2, "m": 1.0}
_FORCE_TO_NEWTONS = {"N": 1.0, "kN": 1e3}


@dataclass(frozen=True)
class ForcePlate:
    """One force plate of a C3D recording.

    Parameters
    ----------
    name
        ``"plate1"``, ``"plate2"``, ... in the file's order.
    plate_type
        C3D force platform type (2: six channels Fx Fy Fz Mx My Mz).
    corners_m
        ``(4, 3)`` corner positions in the lab frame, metres, in the order
        of the file's ``FORCE_PLATFORM:CORNERS``.
    origin_m
        ``(3,)`` ``FORCE_PLATFORM:ORIGIN`` as ezc3d applies it (the sensor
        origin relative to the surface centre, in the plate's own frame), metres.
    data
        ``time_s`` then :data:`PLATE_COLUMNS`, at the analog rate: ground
        reaction force (N), moment about the plate's surface centre (N m),
        centre of pressure (m) and free moment about the vertical (N m), in
        the recording's axes.  Centre of pressure and free moment are NaN
        where the vertical force is below the reader's threshold.
    """

    name: str
    plate_type: int
    corners_m: np.ndarray
    origin_m: np.ndarray
    data: pd.DataFrame

    @property
    def centre_m(self) -> np.ndarray:
        """``(3,)`` centre of the plate's surface (mean of the corners), metres."""
        return self.corners_m.mean(axis=0)

    @property
    def bounds_m(self) -> tuple[float, float, float, float]:
        """``(x_min, x_max, y_min, y_max)`` of the plate's surface, metres."""
        return (
            float(self.corners_m[:, 0].min()),
            float(self.corners_m[:, 0].max()),
            float(self.corners_m[:, 1].min()),
            float(self.corners_m[:, 1].max()),
        )


@dataclass(frozen=True)
class C3DRecording:
    """Markers, force plates and analog channels of one C3D file.

    Parameters
    ----------
    path
        The file read.
    axes
        ``"lab"`` (the file's own axes) or ``"grfkit"`` (after :func:`to_grfkit_frame`).
    marker_rate_hz, analog_rate_hz
        Point and analog sampling rates.
    first_frame
        First frame number as ezc3d reports it; ``time_s`` is 0 at this frame.
    markers
        ``time_s`` then ``<label>_x_m``, ``<label>_y_m``, ``<label>_z_m`` per
        point label (metres; NaN where the point is invalid).
    marker_units
        The file's point unit (converted to metres in ``markers``).
    plates
        Force plates, see :class:`ForcePlate`.
    analogs
        ``time_s`` then every analog channel by its label, in its own unit
        (``analog_units``), as scaled by ezc3d.
    analog_units
        Unit of each analog channel.
    """

    path: Path
    axes: str
    marker_rate_hz: float
    analog_rate_hz: float
    first_frame: int
    markers: pd.DataFrame
    marker_units: str
    plates: tuple[ForcePlate, ...]
    analogs: pd.DataFrame
    analog_units: dict[str, str]

    @property
    def marker_names(self) -> list[str]:
        """Point labels in file order."""
        return [column[: -len("_x_m")] for column in self.markers.columns if column.endswith("_x_m")]

    def plate(self, name: str) -> ForcePlate:
        """Return the plate called ``name`` (e.g. ``"plate3"``).

        Parameters
        ----------
        name
            Plate name.

        Returns
        -------
        ForcePlate
            The plate.

        Raises
        ------
        ConfigError
            If there is no such plate.
        """
        for plate in self.plates:
            if plate.name == name:
                return plate
        raise ConfigError(f"{self.path.name} has no plate {name!r}; plates: {[p.name for p in self.plates]}")


def _unit_factor(unit: str, table: dict[str, float], what: str, path: Path) -> float:
    factor = table.get(unit.strip())
    if factor is None:
        raise FileFormatError(f"{what} unit {unit!r} is not one of {', '.join(table)}", path=path)
    return factor


def _parameter(c3d: ezc3d.c3d, group: str, name: str, path: Path) -> object:
    try:
        return c3d["parameters"][group][name]["value"]
    except KeyError:
        raise FileFormatError(f"C3D parameter {group}:{name} is missing", path=path) from None


def _labels(c3d: ezc3d.c3d, group: str, count: int, path: Path) -> list[str]:
    """Return ``count`` labels of a group, joining LABELS, LABELS2, ... (C3D stores 255 per parameter)."""
    parameters = c3d["parameters"][group]
    labels = [str(label).strip() for label in parameters.get("LABELS", {}).get("value", [])]
    extra = 2
    while f"LABELS{extra}" in parameters:
        labels += [str(label).strip() for label in parameters[f"LABELS{extra}"]["value"]]
        extra += 1
    if len(labels) < count:
        raise FileFormatError(f"{group}:LABELS names {len(labels)} of {count} channels", path=path)
    duplicates = sorted({label for label in labels[:count] if labels[:count].count(label) > 1})
    if duplicates:
        raise FileFormatError(f"repeated {group} labels: {', '.join(duplicates)}", path=path, channel=duplicates[0])
    return labels[:count]


def read_c3d(path: str | os.PathLike[str], *, cop_threshold_n: float = 10.0) -> C3DRecording:
    """Read a C3D file's markers, force plates and analog channels.

    Parameters
    ----------
    path
        The C3D file.
    cop_threshold_n
        Centre of pressure and free moment are NaN where the vertical force
        (lab Z) is below this.

    Returns
    -------
    C3DRecording
        Markers at the point rate, plates and analogs at the analog rate, all
        in SI units and in the file's own lab axes (``axes="lab"``).

    Raises
    ------
    MissingFileError
        If the file does not exist.
    FileFormatError
        If ezc3d cannot read it, a needed parameter is missing, a unit is
        unknown, or point or analog labels are missing or repeated.
    LengthMismatchError
        If the analog samples are not the point frames times the analog
        samples per frame.
    """
    path = Path(path)
    if not path.is_file():
        raise MissingFileError("file not found", path=path)
    try:
        c3d = ezc3d.c3d(str(path), extract_forceplat_data=True)
    except (OSError, RuntimeError, ValueError) as exc:
        raise FileFormatError(f"ezc3d cannot read the file: {exc}", path=path) from exc

    marker_rate = float(c3d["header"]["points"]["frame_rate"])
    analog_rate = float(c3d["header"]["analogs"]["frame_rate"])
    first_frame = int(c3d["header"]["points"]["first_frame"])
    units_value = list(_parameter(c3d, "POINT", "UNITS", path))  # type: ignore[call-overload]
    if not units_value:
        raise FileFormatError("C3D parameter POINT:UNITS is empty", path=path)
    marker_units = str(units_value[0]).strip()
    length_factor = _unit_factor(marker_units, _LENGTH_TO_METRES, "point", path)

    points = np.array(c3d["data"]["points"][:3], dtype=np.float64)  # (3, n_points, n_frames)
    residuals = c3d["data"]["meta_points"]["residuals"][0]  # (n_points, n_frames)
    points[:, residuals < 0] = np.nan
    n_frames = points.shape[2]
    labels = _labels(c3d, "POINT", points.shape[1], path)
    marker_columns: dict[str, np.ndarray] = {"time_s": np.arange(n_frames) / marker_rate}
    for index, label in enumerate(labels):
        for axis_index, axis in enumerate("xyz"):
            marker_columns[f"{label}_{axis}_m"] = points[axis_index, index] * length_factor
    markers = pd.DataFrame(marker_columns)

    analog_values = np.asarray(c3d["data"]["analogs"][0], dtype=np.float64)  # (n_channels, n_samples)
    n_samples = analog_values.shape[1]
    per_frame = round(analog_rate / marker_rate) if marker_rate > 0 else 0
    if n_samples and n_samples != n_frames * per_frame:
        raise LengthMismatchError(
            f"{n_samples} analog samples for {n_frames} point frames at {per_frame} samples per frame",
            path=path,
        )
    analog_time = np.arange(n_samples) / analog_rate
    analog_labels = _labels(c3d, "ANALOG", analog_values.shape[0], path)
    raw_units = list(c3d["parameters"]["ANALOG"].get("UNITS", {}).get("value", []))
    analog_units = {
        label: str(raw_units[index]).strip() if index < len(raw_units) else ""
        for index, label in enumerate(analog_labels)
    }
    analogs = pd.DataFrame({"time_s": analog_time} | dict(zip(analog_labels, analog_values, strict=True)))

    platforms = c3d["data"].get("platform", [])
    types = np.asarray(_parameter(c3d, "FORCE_PLATFORM", "TYPE", path) if platforms else []).ravel()
    plates = tuple(
        _plate(index, platform, int(types[index]), analog_time, path=path, cop_threshold_n=cop_threshold_n)
        for index, platform in enumerate(platforms)
    )
    return C3DRecording(
        path=path,
        axes="lab",
        marker_rate_hz=marker_rate,
        analog_rate_hz=analog_rate,
        first_frame=first_frame,
        markers=markers,
        marker_units=marker_units,
        plates=plates,
        analogs=analogs,
        analog_units=analog_units,
    )


def _plate(
    index: int,
    platform: dict[str, object],
    plate_type: int,
    time_s: np.ndarray,
    *,
    path: Path,
    cop_threshold_n: float,
) -> ForcePlate:
    name = f"plate{index + 1}"
    position_factor = _unit_factor(str(platform["unit_position"]), _LENGTH_TO_METRES, f"{name} position", path)
    force_factor = _unit_factor(str(platform["unit_force"]), _FORCE_TO_NEWTONS, f"{name} force", path)
    moment_unit = str(platform["unit_moment"]).strip()
    force_unit = str(platform["unit_force"]).strip()
    if not moment_unit.startswith(force_unit):
        raise FileFormatError(f"{name} moment unit {moment_unit!r} is not force x length", path=path)
    moment_factor = force_factor * _unit_factor(
        moment_unit[len(force_unit) :], _LENGTH_TO_METRES, f"{name} moment", path
    )
    force = np.asarray(platform["force"], dtype=np.float64) * force_factor
    moment = np.asarray(platform["moment"], dtype=np.float64) * moment_factor
    cop = np.asarray(platform["center_of_pressure"], dtype=np.float64) * position_factor
    free_moment = np.asarray(platform["Tz"], dtype=np.float64)[2] * moment_factor
    if force.shape[1] != time_s.size:
        raise LengthMismatchError(f"{name} has {force.shape[1]} samples, the analogs {time_s.size}", path=path)
    unloaded = ~(force[2] >= cop_threshold_n)
    cop[:, unloaded] = np.nan
    free_moment = np.where(unloaded, np.nan, free_moment)
    data = pd.DataFrame(
        {"time_s": time_s}
        | dict(zip(PLATE_COLUMNS[:3], force, strict=True))
        | dict(zip(PLATE_COLUMNS[3:6], moment, strict=True))
        | dict(zip(PLATE_COLUMNS[6:9], cop, strict=True))
        | {"tz_nm": free_moment}
    )
    corners = np.asarray(platform["corners"], dtype=np.float64).T * position_factor  # (4, 3)
    origin = np.asarray(platform["origin"], dtype=np.float64) * position_factor
    return ForcePlate(name=name, plate_type=plate_type, corners_m=corners, origin_m=origin, data=data)


def to_grfkit_frame(recording: C3DRecording, *, forward: str, up: str = "+z") -> C3DRecording:
    """Rotate a recording into grfkit's axes (x running direction, y left, z up).

    Parameters
    ----------
    recording
        A recording in its lab axes.
    forward
        The lab axis the runner runs along, e.g. ``"+y"`` for the Dorn et al.
        (2012) files (see :func:`grfkit.real.readers.frames.estimate_overground_axes`).
    up
        The lab axis pointing up; must be ``"+z"``, as ezc3d's force platform
        module assumes.

    Returns
    -------
    C3DRecording
        A new recording with ``axes="grfkit"``: markers, forces, moments,
        centres of pressure and plate corners rotated; analog channels and
        plate origins (plate frame) unchanged.

    Raises
    ------
    ConfigError
        If the recording is not in lab axes, ``up`` is not ``"+z"`` or the
        axes are invalid.
    """
    if recording.axes != "lab":
        raise ConfigError(f"{recording.path.name} is already in {recording.axes!r} axes")
    if up.strip().lower() != "+z":
        raise ConfigError(f"ezc3d's force platform data assume +z up, got up={up!r}")
    rotation = rotation_to_grfkit(forward, up)
    plates = tuple(
        replace(
            plate,
            corners_m=plate.corners_m @ rotation.T,
            data=rotate_vector_columns(plate.data, rotation),
        )
        for plate in recording.plates
    )
    return replace(
        recording,
        axes="grfkit",
        markers=rotate_vector_columns(recording.markers, rotation),
        plates=plates,
    )
