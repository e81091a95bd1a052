"""Virtual wearables from real lab recordings: a shoe IMU from foot markers, an insole from force.

The signals are *derived*, not measured.  Shoe IMU (:func:`virtual_shoe_imu`):
a foot frame from the heel, toe and 5th-metatarsal markers
(:func:`foot_frames`), levelled at mid-stance (:func:`mounting_offset`); the
filtered markers (:data:`MARKER_CUTOFF_HZ`) give the angular velocity
(:func:`angular_velocity_dps`) and the specific force of a point on the
lateral shoe, computed at the marker rate and resampled to 1000 Hz, so there
is no impact transient.  Insole (:func:`insole_geometry`,
:func:`insole_cop_fractions`, :func:`virtual_insole_signals`): the insole is
placed on the foot frame from the markers, and the measured vertical force
and centre of pressure drive the simulator's plantar-load and FSR model;
centres of pressure beyond the insole are clipped (their share is returned).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grfkit.constants import GRAVITY_MPS2
from grfkit.errors import ConfigError, LengthMismatchError, NoContactError
from grfkit.io.channels import (
    IMU_ACC_CHANNELS,
    IMU_GYRO_CHANNELS,
    INSOLE_COP_CHANNELS,
    fsr_channels,
)
from grfkit.io.insole import FSR_LAYOUT, insole_cop, virtual_insole
from grfkit.preprocess.filtering import lowpass_zero_lag
from grfkit.preprocess.resampling import resample_poly_array

__all__ = [
    "MARKER_CUTOFF_HZ",
    "SENSOR_AP_FRAC",
    "INSOLE_WIDTH_LENGTH_RATIO",
    "MTH5_AP_FRAC",
    "foot_frames",
    "insole_geometry",
    "orthonormalise",
    "mounting_offset",
    "angular_velocity_dps",
    "virtual_shoe_imu",
    "insole_cop_fractions",
    "virtual_insole_signals",
]

#: Low-pass cutoff applied to marker trajectories before differentiation (Hz).
MARKER_CUTOFF_HZ: float = 20.0

#: Position of the virtual IMU along the foot, from the heel (the simulated sensor's).
SENSOR_AP_FRAC: float = 0.25

#: Insole width as a fraction of its length (the simulated cohorts' ratio).
INSOLE_WIDTH_LENGTH_RATIO: float = 0.36

#: Position of the 5th metatarsal head along the insole (the layout's MTH5 sensor).
MTH5_AP_FRAC: float = next(sensor.ap_frac for sensor in FSR_LAYOUT if sensor.label == "MTH5")

_SIDES = ("left", "right")


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(norm > 0, norm, np.nan)


def _positions(name: str, values: np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 3:
        raise LengthMismatchError(f"{name} must have shape (n_frames, 3), got {array.shape}")
    return array


def foot_frames(heel: np.ndarray, toe: np.ndarray, lateral: np.ndarray, *, side: str) -> np.ndarray:
    """Orientation of a foot from its heel, toe and 5th-metatarsal markers.

    Parameters
    ----------
    heel, toe, lateral
        ``(n, 3)`` marker positions (grfkit lab axes, metres); ``lateral`` is
        on the foot's lateral side (5th metatarsal head).
    side
        ``"left"`` or ``"right"``: for a left foot the lateral side is the
        runner's left (+y of the foot frame), for a right foot its right.

    Returns
    -------
    numpy.ndarray
        ``(n, 3, 3)`` rotation matrices whose columns are the foot frame's
        ``x`` (heel to toe), ``y`` (runner's left) and ``z`` (``x × y``)
        in lab coordinates.

    Raises
    ------
    ConfigError
        For an unknown side.
    LengthMismatchError
        If the marker arrays differ in shape.

    Examples
    --------
    >>> heel = np.zeros((1, 3)); toe = np.array([[0.25, 0.0, 0.0]]); mt5 = np.array([[0.18, 0.04, 0.0]])
    >>> foot_frames(heel, toe, mt5, side="left")[0].round(3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    if side not in _SIDES:
        raise ConfigError(f"side must be 'left' or 'right', got {side!r}")
    heel, toe, lateral = (_positions(n, v) for n, v in (("heel", heel), ("toe", toe), ("lateral", lateral)))
    if not heel.shape == toe.shape == lateral.shape:
        raise LengthMismatchError(f"markers differ in shape: {heel.shape}, {toe.shape}, {lateral.shape}")
    x = _unit(toe - heel)
    out_of_axis = lateral - heel
    out_of_axis = out_of_axis - np.sum(out_of_axis * x, axis=1, keepdims=True) * x
    y = _unit(out_of_axis) * (1.0 if side == "left" else -1.0)
    z = np.cross(x, y)
    return np.stack([x, y, z], axis=2)


def orthonormalise(matrix: np.ndarray) -> np.ndarray:
    """Nearest rotation matrix (polar decomposition by SVD).

    Parameters
    ----------
    matrix
        ``(3, 3)`` matrix, e.g. a mean of rotations.

    Returns
    -------
    numpy.ndarray
        ``(3, 3)`` proper rotation.
    """
    u, _, vt = np.linalg.svd(matrix)
    rotation = u @ vt
    if np.linalg.det(rotation) < 0:
        u[:, -1] *= -1
        rotation = u @ vt
    return rotation


def insole_geometry(heel: np.ndarray, lateral: np.ndarray, frames: np.ndarray, *, side: str) -> tuple[float, float]:
    """Insole length and the lateral edge's offset from the heel-toe line, from the markers.

    Parameters
    ----------
    heel, lateral
        ``(n, 3)`` heel and 5th-metatarsal marker trajectories.
    frames
        ``(n, 3, 3)`` foot frames of the same foot.
    side
        ``"left"`` or ``"right"``.

    Returns
    -------
    insole_length_m : float
        Median distance of the 5th-metatarsal marker ahead of the heel marker
        along the foot, divided by :data:`MTH5_AP_FRAC`.
    lateral_edge_m : float
        Median distance of the 5th-metatarsal marker from the heel-toe line,
        towards the foot's lateral side (the insole's lateral edge).

    Examples
    --------
    >>> heel = np.zeros((1, 3)); frames = np.eye(3)[None]
    >>> length, edge = insole_geometry(heel, np.array([[0.16, 0.05, 0.0]]), frames, side="left")
    >>> round(length, 3), round(edge, 3)
    (0.25, 0.05)
    """
    if side not in _SIDES:
        raise ConfigError(f"side must be 'left' or 'right', got {side!r}")
    offset = _positions("lateral", lateral) - _positions("heel", heel)
    along = np.einsum("ni,ni->n", offset, frames[:, :, 0])
    across = np.einsum("ni,ni->n", offset, frames[:, :, 1]) * (1.0 if side == "left" else -1.0)
    return float(np.nanmedian(along) / MTH5_AP_FRAC), float(np.nanmedian(across))


def mounting_offset(
    frames: np.ndarray,
    time_s: np.ndarray,
    stance_ic_s: np.ndarray,
    stance_to_s: np.ndarray,
    *,
    stance_fraction: tuple[float, float] = (0.3, 0.5),
) -> np.ndarray:
    """Constant rotation that levels the foot frame at mid-stance.

    For every frame sample between ``stance_fraction`` of a stance, the
    level frame of the same heading (``x`` the horizontal projection of the
    foot's ``x``, ``z`` up) is compared with the foot frame; the mean of
    ``R_foot^T R_level`` over those samples, made a rotation again, is the
    offset, so that ``R_foot @ offset`` is level at mid-stance on average.

    Parameters
    ----------
    frames
        ``(n, 3, 3)`` foot frames (:func:`foot_frames`).
    time_s
        Time of each frame.
    stance_ic_s, stance_to_s
        Contacts of this foot (lab seconds).
    stance_fraction
        Part of each stance taken as foot-flat.

    Returns
    -------
    numpy.ndarray
        ``(3, 3)`` rotation to right-multiply the foot frames with.

    Raises
    ------
    NoContactError
        If no frame sample falls inside the mid-stance windows.
    """
    ic = np.asarray(stance_ic_s, dtype=np.float64)
    to = np.asarray(stance_to_s, dtype=np.float64)
    t = np.asarray(time_s, dtype=np.float64)
    start = ic + stance_fraction[0] * (to - ic)
    end = ic + stance_fraction[1] * (to - ic)
    inside = np.zeros(t.size, dtype=bool)
    for a, b in zip(start, end, strict=True):
        inside |= (t >= a) & (t <= b)
    inside &= np.isfinite(frames).all(axis=(1, 2))
    if not inside.any():
        raise NoContactError("no marker frame falls inside the mid-stance windows: cannot level the foot frame")
    foot = frames[inside]
    heading = foot[:, :, 0].copy()
    heading[:, 2] = 0.0
    x_level = _unit(heading)
    z_level = np.broadcast_to(np.array([0.0, 0.0, 1.0]), x_level.shape)
    level = np.stack([x_level, np.cross(z_level, x_level), z_level], axis=2)
    offsets = np.einsum("nji,njk->nik", foot, level)  # R_foot^T R_level
    return orthonormalise(offsets.mean(axis=0))


def angular_velocity_dps(frames: np.ndarray, sampling_rate_hz: float) -> np.ndarray:
    """Angular velocity in the body frame from a sequence of orientations.

    ``Ω = R^T dR/dt`` is skew-symmetric for a rotating frame; its entries are
    the body-frame angular velocity.  ``dR/dt`` uses central differences.

    Parameters
    ----------
    frames
        ``(n, 3, 3)`` rotations (columns: body axes in lab coordinates).
    sampling_rate_hz
        Frame rate.

    Returns
    -------
    numpy.ndarray
        ``(n, 3)`` angular velocity about the body's x, y, z, deg/s.

    Examples
    --------
    >>> t = np.arange(200) / 100.0
    >>> c, s = np.cos(2.0 * t), np.sin(2.0 * t)  # 2 rad/s about z
    >>> rz = np.stack([np.stack([c, -s, 0 * t], 1), np.stack([s, c, 0 * t], 1), np.tile([0.0, 0.0, 1.0], (200, 1))], 1)
    >>> bool(np.allclose(angular_velocity_dps(rz, 100.0)[5:-5, 2], np.degrees(2.0), rtol=1e-3))
    True
    """
    derivative = np.gradient(frames, 1.0 / sampling_rate_hz, axis=0)
    omega = np.einsum("nji,njk->nik", frames, derivative)
    vector = 0.5 * np.stack(
        [omega[:, 2, 1] - omega[:, 1, 2], omega[:, 0, 2] - omega[:, 2, 0], omega[:, 1, 0] - omega[:, 0, 1]], axis=1
    )
    return np.degrees(vector)


def virtual_shoe_imu(
    heel: np.ndarray,
    toe: np.ndarray,
    lateral: np.ndarray,
    time_s: np.ndarray,
    sampling_rate_hz: float,
    *,
    side: str,
    stance_ic_s: np.ndarray,
    stance_to_s: np.ndarray,
    output_rate_hz: float = 1000.0,
    cutoff_hz: float = MARKER_CUTOFF_HZ,
    sensor_ap_frac: float = SENSOR_AP_FRAC,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Accelerometer and gyroscope signals of a virtual IMU on the lateral side of a shoe.

    Parameters
    ----------
    heel, toe, lateral
        ``(n, 3)`` marker trajectories of one foot, grfkit lab axes, metres,
        without gaps.
    time_s
        Marker time stamps (uniform at ``sampling_rate_hz``).
    sampling_rate_hz
        Marker rate.
    side
        ``"left"`` or ``"right"``.
    stance_ic_s, stance_to_s
        This foot's contacts (for the mounting correction).
    output_rate_hz
        Rate of the returned table (the model's rate).
    cutoff_hz
        Zero-lag low-pass cutoff applied to the markers.
    sensor_ap_frac
        Sensor position along the foot from the heel marker.

    Returns
    -------
    table : pandas.DataFrame
        ``time_s`` (starting at the first marker sample, ``output_rate_hz``)
        then :data:`grfkit.io.channels.IMU_ACC_CHANNELS` (m/s², incl. gravity)
        and :data:`grfkit.io.channels.IMU_GYRO_CHANNELS` (deg/s), sensor frame.
    frames : numpy.ndarray
        ``(n, 3, 3)`` mounting-corrected sensor frames at the marker rate
        (for :func:`insole_geometry` and :func:`insole_cop_fractions`).

    Raises
    ------
    DropoutError
        If a marker has gaps (NaN).
    NoContactError
        If no stance gives a mid-stance window for the mounting correction.
    """
    heel, toe, lateral = (
        lowpass_zero_lag(_positions(name, v), cutoff_hz, sampling_rate_hz, channel=name)
        for name, v in (("heel", heel), ("toe", toe), ("lateral", lateral))
    )
    t = np.asarray(time_s, dtype=np.float64)
    raw_frames = foot_frames(heel, toe, lateral, side=side)
    frames = raw_frames @ mounting_offset(raw_frames, t, stance_ic_s, stance_to_s)
    length, lateral_edge = insole_geometry(heel, lateral, frames, side=side)
    sign = 1.0 if side == "left" else -1.0  # the lateral side is +y for a left foot
    point = heel + sensor_ap_frac * length * frames[:, :, 0] + sign * lateral_edge * frames[:, :, 1]
    dt = 1.0 / sampling_rate_hz
    acceleration = np.gradient(np.gradient(point, dt, axis=0), dt, axis=0)
    specific_force = acceleration + np.array([0.0, 0.0, GRAVITY_MPS2])
    acc_sensor = np.einsum("nji,nj->ni", frames, specific_force)
    gyro = angular_velocity_dps(frames, sampling_rate_hz)
    values = resample_poly_array(np.hstack([acc_sensor, gyro]), sampling_rate_hz, output_rate_hz)
    table = pd.DataFrame(values, columns=[*IMU_ACC_CHANNELS, *IMU_GYRO_CHANNELS])
    table.insert(0, "time_s", t[0] + np.arange(len(table)) / output_rate_hz)
    return table, frames


def insole_cop_fractions(
    cop_m: np.ndarray,
    cop_time_s: np.ndarray,
    heel: np.ndarray,
    frames: np.ndarray,
    marker_time_s: np.ndarray,
    *,
    side: str,
    insole_length_m: float,
    lateral_edge_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Express a measured centre of pressure in insole fractions of one foot.

    Parameters
    ----------
    cop_m
        ``(n, 2)`` or ``(n, 3)`` centre of pressure in the lab (x, y[, z]),
        NaN where undefined; a missing z is taken as 0 (the ground).
    cop_time_s
        Time of each COP sample.
    heel
        ``(m, 3)`` heel marker trajectory (the insole's heel end).
    frames
        ``(m, 3, 3)`` foot (sensor) frames, e.g. from :func:`virtual_shoe_imu`.
    marker_time_s
        Time of each marker frame; heel and frames are interpolated to the COP times.
    side
        ``"left"`` or ``"right"``.
    insole_length_m, lateral_edge_m
        From :func:`insole_geometry`; the insole's width is
        :data:`INSOLE_WIDTH_LENGTH_RATIO` times its length.

    Returns
    -------
    cop_ap_frac, cop_ml_frac : numpy.ndarray
        Along the insole (0 at the heel marker, 1 one insole length ahead)
        and across it (1 at the lateral edge, 0 one insole width medial of
        it); NaN where the COP is NaN.  Not clipped.
    """
    if side not in _SIDES:
        raise ConfigError(f"side must be 'left' or 'right', got {side!r}")
    cop = np.asarray(cop_m, dtype=np.float64)
    if cop.shape[1] == 2:
        cop = np.column_stack([cop, np.zeros(len(cop))])
    t = np.asarray(cop_time_s, dtype=np.float64)
    tm = np.asarray(marker_time_s, dtype=np.float64)
    heel_at = np.column_stack([np.interp(t, tm, heel[:, k]) for k in range(3)])
    x_at = _unit(np.column_stack([np.interp(t, tm, frames[:, k, 0]) for k in range(3)]))
    y_at = _unit(np.column_stack([np.interp(t, tm, frames[:, k, 1]) for k in range(3)]))
    offset = cop - heel_at
    along = np.einsum("ni,ni->n", offset, x_at)
    lateral = np.einsum("ni,ni->n", offset, y_at) * (1.0 if side == "left" else -1.0)
    width = INSOLE_WIDTH_LENGTH_RATIO * insole_length_m
    return along / insole_length_m, 1.0 + (lateral - lateral_edge_m) / width


def virtual_insole_signals(
    vertical_force_n: np.ndarray,
    cop_ap_frac: np.ndarray,
    cop_ml_frac: np.ndarray,
    *,
    foot: str = "left",
    rng: np.random.Generator | None = None,
) -> tuple[pd.DataFrame, float]:
    """Insole FSR counts and insole centre of pressure from force and COP fractions.

    Parameters
    ----------
    vertical_force_n
        Vertical force on the foot, 1-D, newtons (unfiltered).
    cop_ap_frac, cop_ml_frac
        Centre of pressure in insole fractions (:func:`insole_cop_fractions`);
        where NaN the foot is treated as unloaded.
    foot
        Names the FSR channels (``left_fsr01_adc`` ...).
    rng
        Converter noise (``None``: noise-free).

    Returns
    -------
    table : pandas.DataFrame
        The 16 FSR channels (counts) and :data:`grfkit.io.channels.INSOLE_COP_CHANNELS`
        computed from them (NaN while the insole is unloaded), one row per sample.
    clipped_share : float
        Share of loaded samples whose COP fell outside the insole (0-1 on
        both axes) and was clipped onto it.
    """
    force = np.asarray(vertical_force_n, dtype=np.float64)
    ap = np.asarray(cop_ap_frac, dtype=np.float64)
    ml = np.asarray(cop_ml_frac, dtype=np.float64)
    if not force.shape == ap.shape == ml.shape:
        raise LengthMismatchError(f"force {force.shape}, cop_ap {ap.shape} and cop_ml {ml.shape} differ")
    defined = np.isfinite(ap) & np.isfinite(ml) & (force > 0)
    outside = defined & ((ap < 0) | (ap > 1) | (ml < 0) | (ml > 1))
    clipped_share = float(outside.sum() / defined.sum()) if defined.any() else 0.0
    load = np.where(defined, force, 0.0)
    ap_on_insole = np.clip(np.where(defined, ap, 0.5), 0.0, 1.0)
    ml_on_insole = np.clip(np.where(defined, ml, 0.5), 0.0, 1.0)
    adc = virtual_insole(load, ap_on_insole, ml_on_insole, rng=rng)
    insole_ap, insole_ml = insole_cop(adc)
    table = pd.DataFrame(adc.astype(np.float64), columns=fsr_channels(foot))
    table[INSOLE_COP_CHANNELS[0]] = insole_ap
    table[INSOLE_COP_CHANNELS[1]] = insole_ml
    return table, clipped_share
