"""Running speed from the waist marker.

The study used a single reflective marker on the waistband as the proxy of
running speed.  The marker is tracked on the lab clock (200 Hz) and is
missing (NaN) whenever the runner is outside the capture volume, so every
step here is NaN-aware.

Horizontal speed
    Each stretch of consecutive finite samples is low-pass filtered (zero-lag
    Butterworth, :func:`grfkit.filtering.lowpass_zero_lag`, 6 Hz by default:
    the pelvis moves well below that, marker noise lies above) and
    differentiated with central differences; the speed is the norm of the
    horizontal (x, y) velocity.  Stretches shorter than ``min_run_s`` are
    left NaN.  Near the ends of a stretch the filter extrapolates (odd
    padding), so speeds there are less reliable than inside.

Speed of a stance
    The waist speeds up and slows down within every step (braking then
    propulsion), by about ±0.1-0.2 m/s: the instantaneous speed at initial
    contact or mid-stance is not the running speed.  A mean over a window of
    one step period averages a fluctuation that repeats every step to zero,
    whatever its phase, so :func:`stance_speed` averages the horizontal speed
    over ``window_s`` centred on the stance (midpoint of IC and TO).  The
    default 0.35 s is a typical running step period (cadence 160-190 steps
    per minute); pass per-stance step periods (e.g. from the insole contacts)
    for an exact step average.  A longer window (a stride) also averages
    left/right asymmetry but needs the marker over more of the lab.
    If any sample in the window is missing, or the window reaches beyond the
    marker recording, the stance gets NaN and a reason rather than an
    error: one stance near the edge of the capture volume must not stop a
    bout, and the pipeline reports the reason.

Measured on bouts of :mod:`grfkit.simulate` (74 overground plate contacts,
6 bouts): against the generator's speed of each stance the default 0.35 s
window was off by -0.003 ± 0.020 m/s (mean ± SD, largest 0.07 m/s); a
stride-long 0.7 s window by -0.017 ± 0.029 m/s (the runner accelerates and
brakes around the lap).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ConfigError, LengthMismatchError, MissingChannelError, TimestampError
from .filtering import _butterworth_sos, _filtfilt_lanes, _pad_length

__all__ = ["horizontal_speed", "stance_speed", "REASON_MARKER_MISSING", "REASON_OUTSIDE_RECORDING"]

REASON_MARKER_MISSING = "waist marker missing over the speed window"
REASON_OUTSIDE_RECORDING = "speed window outside the marker recording"
#: Default of ``min_run_s`` (:func:`horizontal_speed`), seconds.
_MIN_RUN_S = 0.1


def _columns(table: pd.DataFrame, names: tuple[str, ...]) -> list[np.ndarray]:
    for name in names:
        if name not in table.columns:
            raise MissingChannelError("marker table lacks a column", channel=name)
    return [table[name].to_numpy(dtype=float) for name in names]


def horizontal_speed(
    marker_table: pd.DataFrame,
    sampling_rate_hz: float = 200.0,
    cutoff_hz: float = 6.0,
    *,
    min_run_s: float = _MIN_RUN_S,
    time_column: str = "time_s",
    x_column: str = "waist_x_m",
    y_column: str = "waist_y_m",
) -> pd.DataFrame:
    """Horizontal speed of the waist marker, NaN where the marker is missing.

    Parameters
    ----------
    marker_table
        Marker table (lab clock) with the time and the x, y position columns in metres.
    sampling_rate_hz
        Marker sampling rate in hertz (used by the filter).
    cutoff_hz
        -3 dB frequency of the zero-lag low-pass filter of the position, hertz.
    min_run_s
        Stretches of finite samples shorter than this get NaN speed.
    time_column, x_column, y_column
        Column names.

    Returns
    -------
    pandas.DataFrame
        ``time_s`` and ``speed_mps``, one row per marker sample.

    Raises
    ------
    MissingChannelError
        If a column is missing.
    TimestampError
        If the timestamps are not finite and strictly increasing.

    Examples
    --------
    >>> t = np.arange(400) / 200.0
    >>> table = pd.DataFrame({"time_s": t, "waist_x_m": 3.5 * t, "waist_y_m": 0.0 * t})
    >>> bool(np.allclose(horizontal_speed(table)["speed_mps"], 3.5))
    True
    """
    t, x, y = _columns(marker_table, (time_column, x_column, y_column))
    return pd.DataFrame({"time_s": t, "speed_mps": _horizontal_speed(t, x, y, sampling_rate_hz, cutoff_hz, min_run_s,
                                                                     time_column)})


def _horizontal_speed(
    t: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    sampling_rate_hz: float,
    cutoff_hz: float,
    min_run_s: float,
    time_column: str,
) -> np.ndarray:
    """:func:`horizontal_speed` of float arrays: the speed per sample (NaN where not computed).

    Every stretch of finite samples is filtered as :func:`grfkit.filtering.lowpass_zero_lag`
    would filter it alone, all in one go (:func:`grfkit.filtering._filtfilt_lanes`).
    """
    if not (np.all(np.isfinite(t)) and np.all(np.diff(t) > 0)):
        raise TimestampError("marker timestamps must be finite and strictly increasing", channel=time_column)
    speed = np.full(len(t), np.nan)
    finite = np.isfinite(x) & np.isfinite(y)
    edges = np.diff(np.r_[0, finite.astype(np.int8), 0])
    runs = [
        slice(start, stop)
        for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True)
        if not (stop - start < 3 or t[stop - 1] - t[start] < min_run_s)
    ]
    if not runs:
        return speed
    design = (cutoff_hz, sampling_rate_hz, 2, True)  # lowpass_zero_lag's defaults
    n_sections = len(_butterworth_sos(*design))
    filtered = _filtfilt_lanes(
        [np.column_stack([x[run], y[run]]) for run in runs],
        [_pad_length(n_sections, cutoff_hz, sampling_rate_hz, run.stop - run.start) for run in runs],
        design,
    )
    for run, xy in zip(runs, filtered, strict=True):
        velocity = np.gradient(xy, t[run], axis=0)
        speed[run] = np.hypot(velocity[:, 0], velocity[:, 1])
    return speed


def stance_speed(
    marker_table: pd.DataFrame,
    ic_s: np.ndarray,
    to_s: np.ndarray,
    window_s: float | np.ndarray = 0.35,
    *,
    sampling_rate_hz: float = 200.0,
    cutoff_hz: float = 6.0,
    time_column: str = "time_s",
    x_column: str = "waist_x_m",
    y_column: str = "waist_y_m",
) -> pd.DataFrame:
    """Mean horizontal waist speed over a window centred on each stance.

    Parameters
    ----------
    marker_table
        Marker table (lab clock), see :func:`horizontal_speed`.
    ic_s, to_s
        Initial contact and toe-off of each stance, lab seconds.
    window_s
        Window length in seconds, one value or one per stance (ideally the
        step period, see the module notes).
    sampling_rate_hz, cutoff_hz, time_column, x_column, y_column
        As for :func:`horizontal_speed`.

    Returns
    -------
    pandas.DataFrame
        One row per stance: ``speed_mps`` (NaN when it cannot be computed)
        and ``reason`` (``""``, :data:`REASON_MARKER_MISSING` or
        :data:`REASON_OUTSIDE_RECORDING`).

    Raises
    ------
    LengthMismatchError
        If ``ic_s``, ``to_s`` (and an array ``window_s``) differ in length.
    ConfigError
        If a window is not positive.
    MissingChannelError, TimestampError
        As :func:`horizontal_speed`.
    """
    ic, to, window = _stance_windows(ic_s, to_s, window_s)
    t, x, y = _columns(marker_table, (time_column, x_column, y_column))
    speed, reason = _stance_speed(t, x, y, ic, to, window, sampling_rate_hz, cutoff_hz, time_column)
    return pd.DataFrame({"speed_mps": speed, "reason": reason})


def _stance_windows(
    ic_s: np.ndarray, to_s: np.ndarray, window_s: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Initial contacts, toe-offs and window lengths as float arrays of one value per stance, checked."""
    ic = np.atleast_1d(np.asarray(ic_s, dtype=float))
    to = np.atleast_1d(np.asarray(to_s, dtype=float))
    window = np.asarray(window_s, dtype=float)
    if window.ndim == 0:
        window = np.full(ic.shape, float(window))
    if not (ic.shape == to.shape == window.shape):
        raise LengthMismatchError(
            f"ic_s ({ic.size}), to_s ({to.size}) and window_s ({window.size}) must have one value per stance"
        )
    if np.any(~(window > 0)):
        raise ConfigError("window_s must be positive")
    return ic, to, window


def _stance_speed(
    t: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    ic_s: np.ndarray,
    to_s: np.ndarray,
    window_s: float | np.ndarray,
    sampling_rate_hz: float = 200.0,
    cutoff_hz: float = 6.0,
    time_column: str = "time_s",
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`stance_speed` of the marker's float arrays (same defaults): speed and reason (object array) per stance."""
    ic, to, window = _stance_windows(ic_s, to_s, window_s)
    speed = _horizontal_speed(t, x, y, sampling_rate_hz, cutoff_hz, _MIN_RUN_S, time_column)
    missing = np.isnan(speed)
    sums = np.r_[0.0, np.cumsum(np.where(missing, 0.0, speed))]
    gaps = np.r_[0, np.cumsum(missing)]
    centre = 0.5 * (ic + to)
    first = np.searchsorted(t, centre - 0.5 * window, side="left")
    stop = np.searchsorted(t, centre + 0.5 * window, side="right")
    n = stop - first
    outside = (centre - 0.5 * window < t[0]) | (centre + 0.5 * window > t[-1]) | ~np.isfinite(centre)
    first_ok = np.where(outside, 0, first)
    stop_ok = np.where(outside, 0, stop)
    holey = ~outside & ((gaps[stop_ok] - gaps[first_ok]) > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (sums[stop_ok] - sums[first_ok]) / n
    good = ~outside & ~holey & (n > 0)
    reason = np.where(outside, REASON_OUTSIDE_RECORDING, np.where(good, "", REASON_MARKER_MISSING))
    return np.where(good, mean, np.nan), reason.astype(object)
