"""Running speed of each wearable stance: from the recording's metadata, else from the shoe IMU.

:func:`metadata_speed` gives the speed the recording states (the treadmill
belt, else the bout's speed in ``bouts.csv``).  :func:`imu_stance_speeds`
estimates it from the foot-mounted IMU by zero-velocity-update (ZUPT) stride
integration: between the foot-flat instants of consecutive stances the foot
is still at both ends, so the gravity-free acceleration in the sagittal
plane, integrated twice with the velocity drift removed, gives the stride
length; over the stride time it is the speed.  Settings live in
:class:`ImuSpeedConfig`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grfkit.errors import LengthMismatchError
from grfkit.io.schema import BoutInfo
from grfkit.preprocess.skip_reasons import REASON_NO_STRIDE

__all__ = ["ImuSpeedConfig", "metadata_speed", "imu_stance_speeds"]



@dataclass(frozen=True)
class ImuSpeedConfig:
    """Settings of the ZUPT speed estimate (:func:`imu_stance_speeds`).

    Parameters
    ----------
    search_start_frac, search_end_frac
        The foot-flat (zero-velocity) instant is sought in this part of each
        stance, fractions of the contact time.
    still_window_s
        Length of the still window, seconds: the gyroscope magnitude is
        averaged over it, and its least value marks the foot-flat instant;
        gravity, attitude and gyroscope bias are taken from its mean.
    max_still_gyro_dps
        A stance whose stillest window turns faster than this has no
        zero-velocity instant, deg/s.
    min_stride_s, max_stride_s
        Accepted stride time (initial contact to the next), seconds.
    max_stride_ratio
        A stride longer than this multiple of the median stride time of the
        stances given spans a missed contact and is not used.
    """

    search_start_frac: float = 0.1
    search_end_frac: float = 0.7
    still_window_s: float = 0.01
    max_still_gyro_dps: float = 30.0
    min_stride_s: float = 0.4
    max_stride_s: float = 2.0
    max_stride_ratio: float = 1.5


def metadata_speed(info: BoutInfo, bout_speed_mps: float | None) -> tuple[float, str] | None:
    """The running speed the recording states, and where it comes from.

    Parameters
    ----------
    info
        The bout's metadata; on a treadmill ``belt_speed_mps``.
    bout_speed_mps
        ``speed_mps`` of the bout's row of ``bouts.csv`` (NaN or ``None`` when unknown).

    Returns
    -------
    (speed_mps, source) or None
        ``source`` is ``"belt"`` or ``"bouts.csv"``; ``None`` when neither is known.

    Examples
    --------
    >>> from grfkit.io.schema import BoutInfo
    >>> info = BoutInfo("d", "P1", "b", "c", "overground", ())
    >>> metadata_speed(info, 3.2), metadata_speed(info, float("nan"))
    ((3.2, 'bouts.csv'), None)
    """
    if info.environment == "treadmill" and info.belt_speed_mps is not None:
        return float(info.belt_speed_mps), "belt"
    if (
        bout_speed_mps is not None
        and math.isfinite(float(bout_speed_mps))
        and float(bout_speed_mps) > 0
    ):
        return float(bout_speed_mps), "bouts.csv"
    return None


def _still_instants(
    t: np.ndarray, gyro_dps: np.ndarray, ic_s: np.ndarray, to_s: np.ndarray, config: ImuSpeedConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end sample of each stance's stillest window (-1 where none is still enough)."""
    rate_hz = (len(t) - 1) / (t[-1] - t[0])
    width = max(int(round(config.still_window_s * rate_hz)), 1)
    magnitude = np.linalg.norm(gyro_dps, axis=1)
    sums = np.r_[0.0, np.cumsum(magnitude)]
    mean = (sums[width:] - sums[:-width]) / width  # window starting at each sample
    starts = np.full(len(ic_s), -1)
    tc = to_s - ic_s
    lo = np.searchsorted(t, ic_s + config.search_start_frac * tc)
    hi = np.searchsorted(t, ic_s + config.search_end_frac * tc) - width
    for k, (a, b) in enumerate(zip(lo, hi, strict=True)):
        if 0 <= a < b <= len(mean):
            best = a + int(np.argmin(mean[a:b]))
            if mean[best] <= config.max_still_gyro_dps:
                starts[k] = best
    return starts, np.where(starts >= 0, starts + width, -1)


def _stride_length(
    t: np.ndarray, acc: np.ndarray, gyro_y_dps: np.ndarray, a: int, b: int, c: int, d: int
) -> float:
    """Length of the stride from still window ``[a, b)`` to ``[c, d)``, metres (ZUPT)."""
    still = acc[a:b].mean(axis=0)
    gravity = float(np.linalg.norm(still))
    pitch0 = -math.atan2(
        still[0], still[2]
    )  # about y, positive toes down; level at rest: (0, 0, g)
    bias = float(gyro_y_dps[a:b].mean())
    m = (a + b) // 2
    n = (c + d) // 2
    ts = t[m : n + 1]
    dt = np.diff(ts)
    rate = np.radians(gyro_y_dps[m : n + 1] - bias)
    pitch = pitch0 + np.r_[0.0, np.cumsum(0.5 * (rate[1:] + rate[:-1]) * dt)]
    ax, az = acc[m : n + 1, 0], acc[m : n + 1, 2]
    cp, sp = np.cos(pitch), np.sin(pitch)
    level = np.column_stack([cp * ax + sp * az, -sp * ax + cp * az - gravity])
    velocity = np.vstack(
        [np.zeros(2), np.cumsum(0.5 * (level[1:] + level[:-1]) * dt[:, None], axis=0)]
    )
    velocity -= (
        velocity[-1] * ((ts - ts[0]) / (ts[-1] - ts[0]))[:, None]
    )  # zero at both still instants
    displacement = np.sum(0.5 * (velocity[1:] + velocity[:-1]) * dt[:, None], axis=0)
    return float(np.hypot(*displacement))


def imu_stance_speeds(
    imu_time_s: np.ndarray,
    imu: np.ndarray,
    ic_s: np.ndarray,
    to_s: np.ndarray,
    *,
    config: ImuSpeedConfig = ImuSpeedConfig(),
) -> pd.DataFrame:
    """Running speed at each stance of the IMU foot, by ZUPT stride integration.

    Each stance's foot-flat instant is the stillest ``still_window_s`` of
    the gyroscope in its middle part.  For each stride (foot-flat to the next
    stance's foot-flat) the pitch is integrated from the attitude at rest
    (from gravity), the specific force rotated into the level sagittal plane
    and gravity removed; the velocity, integrated from zero, is forced to zero
    at the stride's end by removing a linear drift; the displacement's length
    over the stride time (initial contact to the next) is the stride's speed.  On a treadmill the
    stance
    foot moves with the belt at constant speed, so the same integration gives
    the speed relative to the belt.  Roll and yaw are not modelled: the foot
    is taken to move in its sagittal plane.  A stance's speed is the mean of
    the strides that start and end at it.

    Parameters
    ----------
    imu_time_s
        IMU timestamps (insole clock), seconds, strictly increasing.
    imu
        IMU readings ``(n, 6)``: accelerometer (m/s², sensor frame, ``x``
        forward, ``z`` normal to the sole) then gyroscope (deg/s).
    ic_s, to_s
        The stances of the IMU foot, in time order (insole clock).
    config
        Estimation settings.

    Returns
    -------
    pandas.DataFrame
        One row per stance: ``speed_mps`` (NaN where unknown),
        ``n_strides`` (0, 1 or 2) and ``reason`` (``""`` or
        :data:`~grfkit.preprocess.skip_reasons.REASON_NO_STRIDE`).

    Raises
    ------
    LengthMismatchError
        If the IMU table or the event arrays differ in length.
    """
    t = np.asarray(imu_time_s, dtype=float)
    x = np.asarray(imu, dtype=float)
    ic, to = np.asarray(ic_s, dtype=float), np.asarray(to_s, dtype=float)
    if x.ndim != 2 or x.shape != (len(t), 6) or len(ic) != len(to):
        raise LengthMismatchError(
            f"need IMU readings (n, 6) for n timestamps and as many IC as TO; got {x.shape} for "
            f"{len(t)} timestamps, {len(ic)} IC and {len(to)} TO"
        )
    speeds = np.full((len(ic), 2), np.nan)
    if len(ic) and len(t) > 1:
        start, end = _still_instants(t, x[:, 3:], ic, to, config)
        strides_s = np.diff(ic)
        longest_s = (
            min(config.max_stride_s, config.max_stride_ratio * float(np.median(strides_s)))
            if len(strides_s)
            else 0.0
        )
        for k, stride_s in enumerate(strides_s):
            if start[k] < 0 or start[k + 1] < 0 or not config.min_stride_s <= stride_s <= longest_s:
                continue
            length = _stride_length(
                t, x[:, :3], x[:, 4], start[k], end[k], start[k + 1], end[k + 1]
            )
            speeds[k, 1] = speeds[k + 1, 0] = length / stride_s
    n = np.isfinite(speeds).sum(axis=1)
    with np.errstate(invalid="ignore"):
        speed = np.where(n > 0, np.nansum(speeds, axis=1) / np.maximum(n, 1), np.nan)
    return pd.DataFrame(
        {"speed_mps": speed, "n_strides": n, "reason": np.where(n > 0, "", REASON_NO_STRIDE)}
    )
