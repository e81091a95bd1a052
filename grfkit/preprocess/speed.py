"""Running speed from the waist marker: per sample, per stance, and per pass over the plates.

The study used one reflective marker on the waistband as the proxy of
running speed.  :func:`horizontal_speed` filters each stretch of finite
marker samples (zero-lag, 6 Hz) and differentiates it;
:func:`stance_speed` averages that speed over a window of about one step
centred on each stance (the within-step fluctuation averages out);
:func:`pass_speed_check` groups a bout's plate contacts into passes and
keeps a pass only if its speed lies within ±5 % of the bout's target (the
median of its passes).  The marker is missing (NaN) outside the capture
volume, so every step is NaN-aware and reports a reason rather than failing.
The settings are those of :class:`grfkit.preprocess.config.SpeedConfig`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from grfkit.errors import (
    ConfigError,
    LengthMismatchError,
    MissingChannelError,
    TimestampError,
)
from grfkit.preprocess.config import SpeedConfig
from grfkit.preprocess.filtering import lowpass_zero_lag_runs
from grfkit.preprocess.skip_reasons import (
    REASON_MARKER_MISSING,
    REASON_OUTSIDE_RECORDING,
    REASON_PASS_SPEED_UNKNOWN,
    REASON_SPEED_OFF_TARGET,
)

__all__ = ["PASS_SPEED_COLUMNS", "horizontal_speed", "pass_speed_check", "stance_speed"]

#: Columns of the table returned by :func:`pass_speed_check`.
PASS_SPEED_COLUMNS: tuple[str, ...] = (
    "pass_index", "pass_speed_mps", "target_speed_mps", "speed_deviation_frac", "reason"
)
#: The marker table's columns: time (lab clock) and the waist marker's horizontal position.
_MARKER_COLUMNS: tuple[str, ...] = ("time_s", "waist_x_m", "waist_y_m")


def _columns(table: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    for name in _MARKER_COLUMNS:
        if name not in table:
            raise MissingChannelError("marker table lacks a column", channel=name)
    return [np.asarray(table[name], dtype=float) for name in _MARKER_COLUMNS]


def horizontal_speed(
    marker_table: Mapping[str, np.ndarray], sampling_rate_hz: float = 200.0, *, config: SpeedConfig = SpeedConfig()
) -> pd.DataFrame:
    """Horizontal speed of the waist marker, NaN where the marker is missing.

    Each stretch of finite samples is low-pass filtered (zero-lag
    Butterworth at ``config.cutoff_hz``) and differentiated with central
    differences; the speed is the norm of the horizontal velocity.  Stretches
    shorter than ``config.min_run_s`` are left NaN.  Near the ends of a
    stretch the filter extrapolates, so speeds there are less reliable.

    Parameters
    ----------
    marker_table
        Marker table (lab clock; a DataFrame, or a mapping of column name to
        array): ``time_s``, ``waist_x_m`` and ``waist_y_m``.
    sampling_rate_hz
        Marker sampling rate in hertz (used by the filter).
    config
        Filter cutoff and shortest stretch (:class:`grfkit.preprocess.config.SpeedConfig`).

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
    t, x, y = _columns(marker_table)
    return pd.DataFrame({"time_s": t, "speed_mps": _speed(t, x, y, sampling_rate_hz, config)})


def _speed(t: np.ndarray, x: np.ndarray, y: np.ndarray, sampling_rate_hz: float, config: SpeedConfig) -> np.ndarray:
    """The horizontal speed per sample of the marker's float arrays (NaN where not computed)."""
    if not (np.all(np.isfinite(t)) and np.all(np.diff(t) > 0)):
        raise TimestampError("marker timestamps must be finite and strictly increasing", channel="time_s")
    speed = np.full(len(t), np.nan)
    finite = np.isfinite(x) & np.isfinite(y)
    edges = np.diff(np.r_[0, finite.astype(np.int8), 0])
    runs = [
        slice(start, stop)
        for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True)
        if not (stop - start < 3 or t[stop - 1] - t[start] < config.min_run_s)
    ]
    if not runs:
        return speed
    filtered = lowpass_zero_lag_runs(
        [np.column_stack([x[run], y[run]]) for run in runs], config.cutoff_hz, sampling_rate_hz,
        channel="waist_x_m, waist_y_m",
    )
    for run, xy in zip(runs, filtered, strict=True):
        velocity = np.gradient(xy, t[run], axis=0)
        speed[run] = np.hypot(velocity[:, 0], velocity[:, 1])
    return speed


def stance_speed(
    marker_table: Mapping[str, np.ndarray],
    ic_s: np.ndarray,
    to_s: np.ndarray,
    window_s: float | np.ndarray | None = None,
    *,
    sampling_rate_hz: float = 200.0,
    config: SpeedConfig = SpeedConfig(),
) -> pd.DataFrame:
    """Mean horizontal waist speed over a window centred on each stance.

    The waist speeds up and slows down within every step (braking, then
    propulsion); a mean over one step period averages that fluctuation out,
    whatever its phase.  The window is centred on the stance's midpoint.  If
    a sample in the window is missing, or the window reaches beyond the
    recording, the stance gets NaN and a reason rather than an error.

    Parameters
    ----------
    marker_table
        Marker table (lab clock), see :func:`horizontal_speed`.
    ic_s, to_s
        Initial contact and toe-off of each stance, lab seconds.
    window_s
        Window length in seconds, one value or one per stance (e.g. each
        stance's step period); default ``config.window_s`` (0.35 s, a typical
        running step).
    sampling_rate_hz
        Marker sampling rate in hertz.
    config
        Speed settings (:class:`grfkit.preprocess.config.SpeedConfig`).

    Returns
    -------
    pandas.DataFrame
        One row per stance: ``speed_mps`` (NaN when it cannot be computed)
        and ``reason`` (``""``, :data:`~grfkit.preprocess.skip_reasons.REASON_MARKER_MISSING` or
        :data:`~grfkit.preprocess.skip_reasons.REASON_OUTSIDE_RECORDING`).

    Raises
    ------
    LengthMismatchError
        If ``ic_s``, ``to_s`` (and an array ``window_s``) differ in length.
    ConfigError
        If a window is not positive.
    MissingChannelError, TimestampError
        As :func:`horizontal_speed`.
    """
    ic, to, window = _stance_windows(ic_s, to_s, config.window_s if window_s is None else window_s)
    t, x, y = _columns(marker_table)
    speed, reason = _window_means(t, _speed(t, x, y, sampling_rate_hz, config), ic, to, window)
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


def _window_means(
    t: np.ndarray, speed: np.ndarray, ic: np.ndarray, to: np.ndarray, window: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean of ``speed`` over ``window`` centred on each ``(ic + to) / 2``, and the reason (object array) where none."""
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


def pass_speed_check(
    marker_table: Mapping[str, np.ndarray],
    first_s: np.ndarray,
    last_s: np.ndarray,
    *,
    sampling_rate_hz: float = 200.0,
    target_speed_mps: float | None = None,
    config: SpeedConfig = SpeedConfig(),
) -> pd.DataFrame:
    """Group a bout's plate contacts into passes and check each pass's speed against the target.

    The rule: contacts less than ``config.pass_gap_s`` apart form one pass; a
    pass's speed is the mean horizontal waist speed from its first contact's
    start to its last contact's end, widened by ``config.window_s`` (half on
    each side); the pass is on target when that speed lies within
    ``±config.tolerance_fraction`` (5 %) of the target, which is
    ``target_speed_mps`` if given, else the median speed of the bout's passes
    (self-selected speeds).  A tolerance of ``None`` puts every measured pass
    on target.

    Parameters
    ----------
    marker_table
        Marker table (lab clock), see :func:`horizontal_speed`.
    first_s, last_s
        Start and end of each plate contact, lab seconds, in any order (e.g.
        the times of the first and last samples above threshold: finite even
        for contacts cut by the recording).
    sampling_rate_hz
        Marker sampling rate in hertz.
    target_speed_mps
        Target speed; default: the median of the passes' speeds.
    config
        Speed window, tolerance, pass gap and marker filter (:class:`grfkit.preprocess.config.SpeedConfig`).

    Returns
    -------
    pandas.DataFrame
        One row per contact, in the order given, with :data:`PASS_SPEED_COLUMNS`:
        ``pass_index`` (0, 1, ... in time order), ``pass_speed_mps`` (NaN when the
        marker does not cover the pass), ``target_speed_mps``,
        ``speed_deviation_frac`` (pass speed over target, minus 1) and
        ``reason`` (``""``, ``REASON_SPEED_OFF_TARGET``, or
        ``REASON_PASS_SPEED_UNKNOWN`` of :mod:`grfkit.preprocess.skip_reasons` followed by ``": "`` and the cause).

    Raises
    ------
    LengthMismatchError
        If ``first_s`` and ``last_s`` differ in length.
    ConfigError
        If a time is not finite, or the window, gap, tolerance or target is not positive.
    MissingChannelError, TimestampError
        As :func:`horizontal_speed`.

    Examples
    --------
    >>> t = np.arange(4000) / 200.0
    >>> x = np.where(t < 10.0, 3.0 * t, 30.0 + 3.3 * (t - 10.0))  # 3.0 m/s, then 10 % faster
    >>> table = pd.DataFrame({"time_s": t, "waist_x_m": x, "waist_y_m": 0.0 * t})
    >>> first = np.array([3.0, 3.4, 13.0, 13.4, 16.0, 16.4])
    >>> out = pass_speed_check(table, first, first + 0.25, target_speed_mps=3.0)
    >>> out["pass_index"].tolist(), out["reason"].tolist()[::2]
    ([0, 0, 1, 1, 2, 2], ['', 'speed off target', 'speed off target'])
    """
    first = np.atleast_1d(np.asarray(first_s, dtype=float))
    last = np.atleast_1d(np.asarray(last_s, dtype=float))
    if first.shape != last.shape:
        raise LengthMismatchError(f"first_s ({first.size}) and last_s ({last.size}) must have one value per contact")
    if not (np.isfinite(first).all() and np.isfinite(last).all()):
        raise ConfigError("contact start and end times must be finite")
    window_s, tolerance_fraction = config.window_s, config.tolerance_fraction
    for name, value in (("window_s", window_s), ("tolerance_fraction", tolerance_fraction),
                        ("pass_gap_s", config.pass_gap_s)):
        if value is not None and not float(value) > 0:
            raise ConfigError(f"{name} must be positive, got {value}")
    if target_speed_mps is not None and not float(target_speed_mps) > 0:
        raise ConfigError(f"target_speed_mps must be positive, got {target_speed_mps}")
    n = len(first)
    order = np.argsort(first, kind="stable")
    # a pass ends where the gap from the latest end so far to the next start reaches max_gap_s
    reach = np.maximum.accumulate(last[order]) if n else last
    new_pass = np.r_[True, first[order][1:] - reach[:-1] >= config.pass_gap_s] if n else np.zeros(0, dtype=bool)
    pass_index = np.empty(n, dtype=np.int64)
    pass_index[order] = np.cumsum(new_pass) - 1
    n_passes = int(pass_index.max()) + 1 if n else 0
    start = np.full(n_passes, np.inf)
    end = np.full(n_passes, -np.inf)
    np.minimum.at(start, pass_index, first)
    np.maximum.at(end, pass_index, last)
    # the mean speed over [start - window/2, end + window/2]: a window of (end - start) + window centred on the pass
    t, x, y = _columns(marker_table)
    speed, cause = _window_means(t, _speed(t, x, y, sampling_rate_hz, config), start, end, (end - start) + window_s)
    measured = np.isfinite(speed)
    if target_speed_mps is not None:
        target = float(target_speed_mps)
    elif measured.any():
        target = float(np.median(speed[measured]))
    else:
        target = np.nan
    deviation = speed / target - 1.0
    reason = np.where(
        ~measured,
        np.array([f"{REASON_PASS_SPEED_UNKNOWN}: {c}" for c in cause], dtype=object),
        np.where(np.abs(deviation) > (np.inf if tolerance_fraction is None else tolerance_fraction),
                 REASON_SPEED_OFF_TARGET, ""),
    ).astype(object)
    return pd.DataFrame({
        "pass_index": pass_index,
        "pass_speed_mps": speed[pass_index],
        "target_speed_mps": np.full(n, target),
        "speed_deviation_frac": deviation[pass_index],
        "reason": reason[pass_index],
    }, columns=list(PASS_SPEED_COLUMNS))
