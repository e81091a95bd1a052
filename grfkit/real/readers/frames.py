"""Lab axes of real recordings and their rotation into the grfkit convention.

grfkit's lab frame: ``x`` anteroposterior (+ running direction), ``y``
mediolateral (+ the runner's left), ``z`` vertical (+ up).  Labs differ: an
OpenSim file has X forward, Y up, Z to the right; the Dorn et al. (2012) C3D
files have Y forward, Z up, X to the right.  Axes are written as signed
labels, ``"+x"``, ``"-y"``, ..., in the lab's own coordinates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from grfkit.errors import ConfigError, MissingChannelError

__all__ = [
    "rotation_to_grfkit",
    "vector_column_triplets",
    "rotate_vector_columns",
    "estimate_overground_axes",
]

_AXIS_INDEX = {"x": 0, "y": 1, "z": 2}
_AXIS_LABEL = re.compile(r"^([+-])([xyz])$")


def _axis_vector(label: str) -> np.ndarray:
    match = _AXIS_LABEL.match(label.strip().lower())
    if match is None:
        raise ConfigError(f"axis must be one of +x, -x, +y, -y, +z, -z, got {label!r}")
    vector = np.zeros(3)
    vector[_AXIS_INDEX[match.group(2)]] = 1.0 if match.group(1) == "+" else -1.0
    return vector


def rotation_to_grfkit(forward: str, up: str) -> np.ndarray:
    """Return the rotation matrix from a lab frame into the grfkit frame.

    Parameters
    ----------
    forward
        The lab axis pointing in the running direction, e.g. ``"+y"``.
    up
        The lab axis pointing up, e.g. ``"+z"``.

    Returns
    -------
    numpy.ndarray
        ``(3, 3)`` proper rotation ``R`` (determinant +1): a lab vector
        ``v`` is ``R @ v`` in grfkit axes.  Rows are grfkit's x (forward),
        y (left = up x forward) and z (up) in lab coordinates.

    Raises
    ------
    ConfigError
        If an axis label is malformed or ``forward`` and ``up`` are parallel.

    Examples
    --------
    >>> rotation_to_grfkit("+x", "+y")  # OpenSim: X forward, Y up, Z right
    array([[ 1.,  0.,  0.],
           [ 0.,  0., -1.],
           [ 0.,  1.,  0.]])
    """
    x_axis = _axis_vector(forward)
    z_axis = _axis_vector(up)
    if abs(float(x_axis @ z_axis)) > 0.0:
        raise ConfigError(f"forward {forward!r} and up {up!r} must be different lab axes")
    y_axis = np.cross(z_axis, x_axis)
    return np.vstack([x_axis, y_axis, z_axis]) + 0.0  # + 0.0 turns -0.0 into 0.0


def vector_column_triplets(columns: Iterable[str]) -> list[tuple[str, str, str]]:
    """Find column triplets ``<name>_x<unit>``, ``<name>_y<unit>``, ``<name>_z<unit>``.

    Parameters
    ----------
    columns
        Table column names, e.g. ``["time_s", "LHEEL_x_m", "LHEEL_y_m", "LHEEL_z_m"]``.

    Returns
    -------
    list of tuple of str
        ``[("LHEEL_x_m", "LHEEL_y_m", "LHEEL_z_m")]``, in column order.
        Force components ``fx_n``/``fy_n``/``fz_n`` and moments ``mx_nm``...
        are matched too (prefix letter before the axis).
    """
    names = list(columns)
    present = set(names)
    triplets = []
    for name in names:
        cut = name.rfind("x_")  # the unit suffix (_m, _n, _nm) holds no "x_"
        if cut < 0:
            continue
        y_name = f"{name[:cut]}y{name[cut + 1 :]}"
        z_name = f"{name[:cut]}z{name[cut + 1 :]}"
        if y_name in present and z_name in present:
            triplets.append((name, y_name, z_name))
    return triplets


def rotate_vector_columns(table: pd.DataFrame, rotation: np.ndarray) -> pd.DataFrame:
    """Rotate every x/y/z column triplet of a table.

    Parameters
    ----------
    table
        Table with triplets as found by :func:`vector_column_triplets`
        (marker positions, forces, moments, centre of pressure).
    rotation
        ``(3, 3)`` rotation, e.g. from :func:`rotation_to_grfkit`.

    Returns
    -------
    pandas.DataFrame
        A copy with every triplet rotated (``R @ v`` row by row); other
        columns unchanged.
    """
    triplets = vector_column_triplets(table.columns)
    if not triplets:
        return table.copy()
    columns = [column for triplet in triplets for column in triplet]
    values = table.loc[:, columns].to_numpy(dtype=np.float64).reshape(len(table), len(triplets), 3)
    rotated = dict(zip(columns, (values @ rotation.T).reshape(len(table), len(columns)).T, strict=True))
    return pd.DataFrame(
        {column: rotated[column] if column in rotated else table[column].to_numpy() for column in table.columns},
        index=table.index,
    )


def estimate_overground_axes(
    markers: pd.DataFrame,
    *,
    pelvis_marker: str,
    foot_marker: str,
    min_travel_m: float = 1.0,
) -> tuple[str, str]:
    """Estimate the running direction and the up axis of an overground trial from markers.

    The running direction is the lab axis along which the pelvis marker
    travels furthest between its first and last valid sample (signed by the
    direction of travel); up is the axis along which the pelvis sits furthest
    from the foot marker on average.  This needs a runner who crosses the
    capture volume, not a treadmill.

    Parameters
    ----------
    markers
        Marker table with ``<marker>_x_m``, ``<marker>_y_m``, ``<marker>_z_m`` columns (metres).
    pelvis_marker
        A pelvis or sacrum marker, e.g. ``"SACR"``.
    foot_marker
        A foot marker, e.g. ``"LHEEL"``.
    min_travel_m
        Least distance the pelvis must travel for the running direction to be trusted.

    Returns
    -------
    tuple of str
        ``(forward, up)`` as signed axis labels, e.g. ``("+y", "+z")``.

    Raises
    ------
    MissingChannelError
        If a marker's columns are absent or it has fewer than two valid samples.
    ConfigError
        If the pelvis travels less than ``min_travel_m`` (a treadmill trial?)
        or both estimates fall on the same axis.
    """

    def positions(marker: str) -> np.ndarray:
        columns = [f"{marker}_{axis}_m" for axis in "xyz"]
        missing = [column for column in columns if column not in markers.columns]
        if missing:
            raise MissingChannelError(f"marker {marker!r} has no column {missing[0]!r}", channel=missing[0])
        return markers.loc[:, columns].to_numpy(dtype=np.float64)

    pelvis = positions(pelvis_marker)
    foot = positions(foot_marker)
    valid = np.flatnonzero(np.all(np.isfinite(pelvis), axis=1))
    if valid.size < 2:
        raise MissingChannelError(f"marker {pelvis_marker!r} has fewer than two valid samples", channel=pelvis_marker)
    travel = pelvis[valid[-1]] - pelvis[valid[0]]
    forward_index = int(np.argmax(np.abs(travel)))
    if abs(travel[forward_index]) < min_travel_m:
        raise ConfigError(
            f"marker {pelvis_marker!r} travels only {abs(travel[forward_index]):.2f} m: "
            "no running direction can be read from a trial that does not cross the lab"
        )
    height = np.nanmean(pelvis - foot, axis=0)
    up_index = int(np.argmax(np.abs(height)))
    if forward_index == up_index:
        raise ConfigError("the running direction and the up axis estimates fall on the same lab axis")
    axes = "xyz"
    forward = f"{'+' if travel[forward_index] > 0 else '-'}{axes[forward_index]}"
    up = f"{'+' if height[up_index] > 0 else '-'}{axes[up_index]}"
    return forward, up
