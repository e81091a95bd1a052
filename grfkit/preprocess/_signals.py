"""Signal cores shared by the preprocessing steps (package-private).

Threshold crossings with debouncing (:func:`threshold_crossings`), the
checks of a time axis and a signal, and the runs of samples above a level:
contact detection, clock synchronisation and segmentation all build on them.
"""

from __future__ import annotations

import numpy as np

from grfkit.errors import (
    ConfigError,
    DropoutError,
    LengthMismatchError,
    NoContactError,
    TimestampError,
    UnendedContactError,
)

#: Every how many samples the robust level statistics (median, percentiles) read a signal.
STATISTICS_STRIDE = 8


def time_axis(
    n: int, sampling_rate_hz: float, time_s: np.ndarray | None, start_s: float, channel: str | None
) -> np.ndarray:
    if not sampling_rate_hz > 0:
        raise ConfigError(f"sampling_rate_hz must be positive, got {sampling_rate_hz}")
    if time_s is None:
        return start_s + np.arange(n) / sampling_rate_hz
    t = np.asarray(time_s, dtype=float)
    if t.shape != (n,):
        raise LengthMismatchError(f"time has {t.size} samples but the signal has {n}", channel=channel)
    return t


def median_interval(t: np.ndarray) -> float:
    """Typical sample interval of a time axis (the period the impulses are integrated with)."""
    return float(np.median(np.diff(t))) if len(t) > 1 else 0.0


def runs_above(x: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """First and last sample of each run of samples above ``threshold`` (before any debouncing)."""
    above = x > threshold
    change = np.flatnonzero(above[1:] != above[:-1])  # the sample before each change
    rising = above[change + 1]
    starts = change[rising] + 1  # first sample above
    ends = change[~rising]  # last sample above
    if len(x) and above[0]:
        starts = np.r_[0, starts]
    if len(x) and above[-1]:
        ends = np.r_[ends, len(x) - 1]
    return starts, ends


def threshold_crossings(
    x: np.ndarray,
    t: np.ndarray,
    threshold: float,
    rest: float,
    min_contact_s: float,
    min_flight_s: float,
    max_contact_s: float,
    channel: str | None,
    unit: str,
    period_s: float | None = None,
) -> dict[str, np.ndarray]:
    """Debounced threshold crossings of ``x`` (finite, 1-D) on the time axis ``t``, as columns.

    The columns are those of :data:`grfkit.preprocess.events.CONTACT_COLUMNS`; impulses are taken above ``rest``.

    ``period_s`` is ``median_interval(t)`` when the caller knows it already.
    """
    n = len(x)
    starts, ends = runs_above(x, threshold)
    if len(starts) == 0:
        peak = float(np.max(x)) if n else float("nan")
        raise NoContactError(
            f"never rises above the contact threshold {threshold:g} {unit} (maximum {peak:g} {unit})", channel=channel
        )

    # sub-sample crossing times; NaN where the contact is cut by the recording's edge
    ic = np.full(len(starts), np.nan)
    inner = starts > 0
    k = starts[inner]
    ic[inner] = t[k - 1] + (threshold - x[k - 1]) / (x[k] - x[k - 1]) * (t[k] - t[k - 1])
    to = np.full(len(ends), np.nan)
    inner = ends < n - 1
    k = ends[inner]
    to[inner] = t[k] + (x[k] - threshold) / (x[k] - x[k + 1]) * (t[k + 1] - t[k])

    # debounce 1: merge contacts separated by less than min_flight_s
    gaps = ic[1:] - to[:-1]
    new = np.r_[True, ~(gaps < min_flight_s)]
    first = np.flatnonzero(new)
    last = np.r_[first[1:] - 1, len(starts) - 1]
    starts, ends, ic, to = starts[first], ends[last], ic[first], to[last]

    # debounce 2: drop excursions shorter than min_contact_s (measured on samples when cut)
    span_s = np.where(np.isnan(to) | np.isnan(ic), t[ends] - t[starts], to - ic)
    keep = span_s >= min_contact_s
    starts, ends, ic, to, span_s = starts[keep], ends[keep], ic[keep], to[keep], span_s[keep]
    if len(starts) == 0:
        raise NoContactError(
            f"only excursions shorter than {min_contact_s:g} s above the contact threshold {threshold:g} {unit}",
            channel=channel,
        )
    too_long = np.flatnonzero(span_s > max_contact_s)
    if len(too_long):
        j = too_long[0]
        until = ", until the end of the recording" if ends[j] == n - 1 else ""
        raise UnendedContactError(
            f"contact from t={t[starts[j]]:.3f} s stays above {threshold:g} {unit} for {span_s[j]:.3f} s "
            f"(longer than max_contact_s={max_contact_s:g} s{until})",
            channel=channel,
        )
    # reductions over [start, end] of each contact, on the contacts' samples laid end to end
    lengths = ends + 1 - starts
    first = np.cumsum(lengths) - lengths
    samples = np.arange(lengths.sum()) + np.repeat(starts - first, lengths)
    inside = x[samples]
    peaks = np.maximum.reduceat(inside, first)
    if period_s is None:
        period_s = median_interval(t)
    impulses = np.add.reduceat(inside - rest, first) * period_s
    return {
        "ic_s": ic,
        "to_s": to,
        "ic_index": starts.astype(np.int64),
        "to_index": ends.astype(np.int64),
        "complete": ~(np.isnan(ic) | np.isnan(to)),
        "peak": peaks,
        "impulse": impulses,
    }


def finite_1d(signal: np.ndarray, channel: str | None) -> np.ndarray:
    x = np.asarray(signal, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"signal must be 1-D, got shape {x.shape}")
    bad = ~np.isfinite(x)
    if bad.any():
        raise DropoutError(
            f"{int(bad.sum())} non-finite samples (first at sample {int(np.argmax(bad))})", channel=channel
        )
    return x


def checked_signal(time_s: np.ndarray, signal: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(time_s, dtype=float)
    x = np.asarray(signal, dtype=float)
    if t.ndim != 1 or x.ndim not in (1, 2):
        raise ValueError(f"time must be 1-D and the signal 1-D or 2-D, got {t.shape} and {x.shape}")
    if x.shape[0] != t.shape[0]:
        raise LengthMismatchError(f"time has {t.shape[0]} samples but the signal has {x.shape[0]}", channel=name)
    if t.size < 2 or not (np.all(np.isfinite(t)) and np.all(np.diff(t) > 0)):
        raise TimestampError("need at least two finite, strictly increasing timestamps", channel=name)
    return t, x
