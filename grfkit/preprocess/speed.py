"""Running speed from the waist marker.

The study used a single reflective marker on the waistband as the proxy of
running speed.  The marker is tracked on the lab clock (200 Hz) and is
missing (NaN) whenever the runner is outside the capture volume, so every
step here is NaN-aware.

Horizontal speed
    Each stretch of consecutive finite samples is low-pass filtered (zero-lag
    Butterworth, :func:`grfkit.preprocess.filtering.lowpass_zero_lag`, 6 Hz by default:
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

Trials off the target speed
    Overground, each pass of the runner over the plate row is a *trial*,
    and labs keep a trial only if it was run at the bout's target speed.
    :func:`pass_speed_check` groups a bout's plate contacts into passes
    (contacts less than :data:`PASS_GAP_S` apart belong to one pass), takes
    each pass's speed as the mean horizontal waist speed from its first
    initial contact to its last toe-off, widened by one speed window (half a
    step on each side), and compares it with the target.  **The rule:** a
    pass is kept when its speed lies within ±:data:`SPEED_TOLERANCE_FRACTION`
    (5 %) of the target; the bouts' speeds are self-selected (slow, medium,
    fast), so the target is the median speed of the bout's passes (all of
    them, whoever's foot is on a plate).  On the treadmill the belt speed is
    the target and the speed; the raw data format has no belt speed
    channel, so no treadmill stance is discarded by this rule.  On the
    simulated ci and book cohorts (seed 0, 26 Nov 2026, steady-speed plate
    row) the pass speed was within 0.7 % of the truth (mean of the true
    speeds at the pass's contacts; +0.04 ± 0.25 %), and no pass deviated
    from its bout's median by more than 3.6 %: nothing was discarded.  On
    the earlier simulator, whose runners sped up and slowed down along the
    runway, 17 of 131 ci passes were off target (16 by the true
    speeds), which cost 4 of 63 truly clean contacts.

Measured on bouts of :mod:`grfkit.simulate` (74 overground plate contacts,
6 bouts): against the generator's speed of each stance the default 0.35 s
window was off by -0.003 ± 0.020 m/s (mean ± SD, largest 0.07 m/s); a
stride-long 0.7 s window by -0.017 ± 0.029 m/s (the runner accelerates and
brakes around the lap).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grfkit.errors import (
    ConfigError,
    LengthMismatchError,
    MissingChannelError,
    TimestampError,
)
from grfkit.preprocess.filtering import _butterworth_sos, _filtfilt_lanes, _pad_length

__all__ = [
    "horizontal_speed",
    "stance_speed",
    "pass_speed_check",
    "PASS_SPEED_COLUMNS",
    "REASON_MARKER_MISSING",
    "REASON_OUTSIDE_RECORDING",
    "REASON_SPEED_OFF_TARGET",
    "REASON_PASS_SPEED_UNKNOWN",
    "SPEED_TOLERANCE_FRACTION",
    "PASS_GAP_S",
]

REASON_MARKER_MISSING = "waist marker missing over the speed window"
REASON_OUTSIDE_RECORDING = "speed window outside the marker recording"
#: Reason recorded for the contacts of a pass run off the target speed.
REASON_SPEED_OFF_TARGET = "speed off target"
#: Reason recorded for the contacts of a pass whose speed cannot be measured (followed by the cause).
REASON_PASS_SPEED_UNKNOWN = "pass speed unknown"
#: Largest accepted relative deviation of a pass's speed from the target speed (±5 %).
SPEED_TOLERANCE_FRACTION: float = 0.05
#: Plate contacts (first sample to last) closer in time than this belong to one pass, seconds.  A pass
#: over a plate row lasts about a second; a runner needs far longer to leave the runway and come back.
PASS_GAP_S: float = 2.0
#: Columns of the table returned by :func:`pass_speed_check`.
PASS_SPEED_COLUMNS: tuple[str, ...] = (
    "pass_index", "pass_speed_mps", "target_speed_mps", "speed_deviation_frac", "reason"
)
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

    Every stretch of finite samples is filtered as :func:`grfkit.preprocess.filtering.lowpass_zero_lag`
    would filter it alone, all in one go (:func:`grfkit.preprocess.filtering._filtfilt_lanes`).
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


def pass_speed_check(
    marker_table: pd.DataFrame,
    first_s: np.ndarray,
    last_s: np.ndarray,
    window_s: float = 0.35,
    *,
    target_speed_mps: float | None = None,
    tolerance_fraction: float = SPEED_TOLERANCE_FRACTION,
    max_gap_s: float = PASS_GAP_S,
    sampling_rate_hz: float = 200.0,
    cutoff_hz: float = 6.0,
    time_column: str = "time_s",
    x_column: str = "waist_x_m",
    y_column: str = "waist_y_m",
) -> pd.DataFrame:
    """Group a bout's plate contacts into passes and check each pass's speed against the target.

    The rule (see the module notes): contacts less than ``max_gap_s`` apart
    form one pass; a pass's speed is the mean horizontal waist speed from its
    first contact's start to its last contact's end, widened by ``window_s``
    (half on each side); the pass is on target when that speed lies within
    ``±tolerance_fraction`` (:data:`SPEED_TOLERANCE_FRACTION`, 5 %) of the
    target, which is ``target_speed_mps`` if given, else the median speed of
    the bout's passes (self-selected speeds).

    Parameters
    ----------
    marker_table
        Marker table (lab clock), see :func:`horizontal_speed`.
    first_s, last_s
        Start and end of each plate contact, lab seconds, in any order (e.g.
        the times of the first and last samples above threshold: finite even
        for contacts cut by the recording).
    window_s
        Widening of each pass's speed window, seconds (one step period).
    target_speed_mps
        Target speed; default: the median of the passes' speeds.
    tolerance_fraction
        Largest accepted relative deviation from the target.
    max_gap_s
        Contacts separated by a gap (end of one to start of the next) of at
        least this much start a new pass, seconds.
    sampling_rate_hz, cutoff_hz, time_column, x_column, y_column
        As for :func:`horizontal_speed`.

    Returns
    -------
    pandas.DataFrame
        One row per contact, in the order given, with :data:`PASS_SPEED_COLUMNS`:
        ``pass_index`` (0, 1, ... in time order), ``pass_speed_mps`` (NaN when the
        marker does not cover the pass), ``target_speed_mps``,
        ``speed_deviation_frac`` (pass speed over target, minus 1) and
        ``reason`` (``""``, :data:`REASON_SPEED_OFF_TARGET`, or
        :data:`REASON_PASS_SPEED_UNKNOWN` followed by ``": "`` and the cause).

    Raises
    ------
    LengthMismatchError
        If ``first_s`` and ``last_s`` differ in length.
    ConfigError
        If a time is not finite, or a window, gap, tolerance or target is not positive.
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
    t, x, y = _columns(marker_table, (time_column, x_column, y_column))
    columns = _pass_speed_check(t, x, y, first_s, last_s, window_s, target_speed_mps, tolerance_fraction,
                                max_gap_s, sampling_rate_hz, cutoff_hz, time_column)
    return pd.DataFrame(columns, columns=list(PASS_SPEED_COLUMNS))


def _pass_speed_check(
    t: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    first_s: np.ndarray,
    last_s: np.ndarray,
    window_s: float,
    target_speed_mps: float | None = None,
    tolerance_fraction: float = SPEED_TOLERANCE_FRACTION,
    max_gap_s: float = PASS_GAP_S,
    sampling_rate_hz: float = 200.0,
    cutoff_hz: float = 6.0,
    time_column: str = "time_s",
) -> dict[str, np.ndarray]:
    """:func:`pass_speed_check` of the marker's float arrays: the columns :data:`PASS_SPEED_COLUMNS`."""
    first = np.atleast_1d(np.asarray(first_s, dtype=float))
    last = np.atleast_1d(np.asarray(last_s, dtype=float))
    if first.shape != last.shape:
        raise LengthMismatchError(f"first_s ({first.size}) and last_s ({last.size}) must have one value per contact")
    if not (np.isfinite(first).all() and np.isfinite(last).all()):
        raise ConfigError("contact start and end times must be finite")
    for name, value in (("window_s", window_s), ("tolerance_fraction", tolerance_fraction),
                        ("max_gap_s", max_gap_s)):
        if not float(value) > 0:
            raise ConfigError(f"{name} must be positive, got {value}")
    if target_speed_mps is not None and not float(target_speed_mps) > 0:
        raise ConfigError(f"target_speed_mps must be positive, got {target_speed_mps}")
    n = len(first)
    order = np.argsort(first, kind="stable")
    # a pass ends where the gap from the latest end so far to the next start reaches max_gap_s
    reach = np.maximum.accumulate(last[order]) if n else last
    new_pass = np.r_[True, first[order][1:] - reach[:-1] >= max_gap_s] if n else np.zeros(0, dtype=bool)
    pass_index = np.empty(n, dtype=np.int64)
    pass_index[order] = np.cumsum(new_pass) - 1
    n_passes = int(pass_index.max()) + 1 if n else 0
    start = np.full(n_passes, np.inf)
    end = np.full(n_passes, -np.inf)
    np.minimum.at(start, pass_index, first)
    np.maximum.at(end, pass_index, last)
    # the mean speed over [start - window/2, end + window/2]: a window of (end - start) + window centred on the pass
    speed, cause = _stance_speed(t, x, y, start, end, (end - start) + window_s, sampling_rate_hz, cutoff_hz,
                                 time_column)
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
        np.where(np.abs(deviation) > tolerance_fraction, REASON_SPEED_OFF_TARGET, ""),
    ).astype(object)
    return {
        "pass_index": pass_index,
        "pass_speed_mps": speed[pass_index],
        "target_speed_mps": np.full(n, target),
        "speed_deviation_frac": deviation[pass_index],
        "reason": reason[pass_index],
    }
