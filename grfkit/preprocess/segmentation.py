"""Cutting signals at the stance events and time-normalising them to 101 points.

A stance runs from initial contact (IC) to toe-off (TO).  Events are
interpolated times, not samples, so the signals are interpolated linearly
*at the events*: point 0 of a normalised stance is the signal's value at IC,
point 100 its value at TO.  :func:`segment` and :func:`time_normalise` do
it for one stance, :func:`segment_stances` for many at once;
:func:`segment_rows` lists the samples that interpolation reads, so that an
expensive signal (the resampled IMU, the filtered force) need only be
computed there (``segment_stances(..., rows=...)``).  Events outside the
signal raise :class:`~grfkit.errors.EventRangeError`; :func:`events_outside`
finds them first so they can be skipped with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from grfkit.constants import N_POINTS
from grfkit.errors import (
    EventRangeError,
    LengthMismatchError,
    MissingChannelError,
)
from grfkit.preprocess._signals import checked_signal
from grfkit.preprocess.skip_reasons import REASON_OUTSIDE_SIGNAL

__all__ = ["segment", "time_normalise", "segment_stances", "segment_rows", "events_outside"]


def _left_rows(t: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Index of the sample at or before each query time (the left end of its interpolation interval)."""
    return np.clip(np.searchsorted(t, query, side="right") - 1, 0, len(t) - 2)


def _interpolate(t: np.ndarray, x: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Linear interpolation of the rows of ``x`` (along axis 0) at times ``query`` within ``t``."""
    i = _left_rows(t, query)
    w = (query - t[i]) / (t[i + 1] - t[i])
    w = w.reshape(w.shape + (1,) * (x.ndim - 1))
    return x[i] * (1.0 - w) + x[i + 1] * w


def _check_events(t: np.ndarray, ic: np.ndarray, to: np.ndarray, name: str) -> None:
    bad = ~(np.isfinite(ic) & np.isfinite(to) & (ic < to))
    if bad.any():
        k = int(np.argmax(bad))
        raise EventRangeError(
            f"stance {k}: need finite ic_s < to_s, got {float(ic[k])!r} and {float(to[k])!r}", channel=name
        )
    outside = (ic < t[0]) | (to > t[-1])
    if outside.any():
        k = int(np.argmax(outside))
        raise EventRangeError(
            f"stance {k} ({ic[k]:.4f}-{to[k]:.4f} s) lies outside the signal's time range {t[0]:.4f}-{t[-1]:.4f} s",
            channel=name,
        )


def segment(
    time_s: np.ndarray, signal: np.ndarray, ic_s: float, to_s: float, *, name: str = "signal"
) -> tuple[np.ndarray, np.ndarray]:
    """Cut one stance out of a signal, with the values at the events as its first and last samples.

    Parameters
    ----------
    time_s
        Strictly increasing timestamps, seconds (on the clock of the events).
    signal
        Samples, shape ``(n,)`` or ``(n, n_channels)``.
    ic_s, to_s
        Initial contact and toe-off, seconds, within ``time_s``.
    name
        Signal name for error messages.

    Returns
    -------
    segment_time_s, segment_values
        ``[ic_s, samples strictly inside (ic_s, to_s), to_s]`` and the signal
        there (interpolated linearly at the two events).

    Raises
    ------
    LengthMismatchError
        If time and signal lengths differ.
    TimestampError
        If the timestamps are not strictly increasing.
    EventRangeError
        If ``ic_s >= to_s`` or an event lies outside ``time_s``.

    Examples
    --------
    >>> t = np.arange(5.0)
    >>> st, sv = segment(t, 10 * t, 0.5, 2.5)
    >>> st.tolist(), sv.tolist()
    ([0.5, 1.0, 2.0, 2.5], [5.0, 10.0, 20.0, 25.0])
    """
    t, x = checked_signal(time_s, signal, name)
    ic, to = np.array([float(ic_s)]), np.array([float(to_s)])
    _check_events(t, ic, to, name)
    inside = (t > ic[0]) & (t < to[0])
    ends = _interpolate(t, x, np.r_[ic, to])
    return np.r_[ic, t[inside], to], np.concatenate([ends[:1], x[inside], ends[1:]])


def time_normalise(segment_time_s: np.ndarray, segment_values: np.ndarray, n_points: int = N_POINTS) -> np.ndarray:
    """Resample a segment at ``n_points`` equally spaced times from its first to its last time.

    Parameters
    ----------
    segment_time_s
        Strictly increasing times of the segment, seconds (from :func:`segment`).
    segment_values
        Values, shape ``(m,)`` or ``(m, n_channels)``.
    n_points
        Number of output points (101: 0 % to 100 % of stance in 1 % steps).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_points,)`` or ``(n_points, n_channels)``; point ``k`` is the
        linear interpolation at ``t0 + k (t_end - t0) / (n_points - 1)``.

    Raises
    ------
    LengthMismatchError, TimestampError
        As :func:`segment`.

    Examples
    --------
    >>> time_normalise(np.array([0.0, 0.3, 1.0]), np.array([0.0, 3.0, 10.0]), n_points=3).tolist()
    [0.0, 5.0, 10.0]
    """
    if n_points < 2:
        raise ValueError(f"n_points must be at least 2, got {n_points}")
    t, x = checked_signal(segment_time_s, segment_values, "segment")
    query = t[0] + (t[-1] - t[0]) * np.arange(n_points) / (n_points - 1)
    query[-1] = t[-1]  # exactly the last time, whatever the rounding
    return _interpolate(t, x, query)


def _event_times(events: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The ``ic_s`` and ``to_s`` columns of an events table as float arrays; MissingChannelError without them."""
    for column in ("ic_s", "to_s"):
        if column not in events:
            raise MissingChannelError("events table lacks a column", channel=column)
    return np.asarray(events["ic_s"], dtype=float), np.asarray(events["to_s"], dtype=float)


def events_outside(time_s: np.ndarray, events: Mapping[str, np.ndarray]) -> pd.Series:
    """Reason to skip each stance whose events the signal does not cover.

    Parameters
    ----------
    time_s
        Timestamps of the signal, seconds (same clock as the events).
    events
        Table with columns ``ic_s`` and ``to_s`` (a DataFrame, or a mapping of column name to array).

    Returns
    -------
    pandas.Series
        One string per stance (the index of ``events`` if it has one): ``""``
        when the stance can be cut, else
        :data:`~grfkit.preprocess.skip_reasons.REASON_OUTSIDE_SIGNAL` (also
        for NaN events or ``ic_s >= to_s``).
    """
    ic, to = _event_times(events)
    t = np.asarray(time_s, dtype=float)
    ok = np.isfinite(ic) & np.isfinite(to) & (ic < to)
    ok &= (ic >= t[0]) & (to <= t[-1]) if t.size else np.zeros_like(ok)
    return pd.Series(np.where(ok, "", REASON_OUTSIDE_SIGNAL), index=getattr(events, "index", None), dtype=object)


def segment_stances(
    time_s: np.ndarray,
    signals: np.ndarray,
    events: Mapping[str, np.ndarray],
    n_points: int = N_POINTS,
    *,
    name: str = "signal",
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Time-normalised stances of a multi-channel signal, all at once.

    Equivalent to :func:`time_normalise` of :func:`segment` for every stance
    (the same interpolation, vectorised).

    Parameters
    ----------
    time_s
        Strictly increasing timestamps, seconds, on the clock of the events.
    signals
        Samples, shape ``(n,)`` or ``(n, n_channels)``; with ``rows``, only
        the samples at those rows, shape ``(len(rows),)`` or ``(len(rows), n_channels)``.
    events
        Table with columns ``ic_s`` and ``to_s``, one row per stance (a
        DataFrame, or a mapping of column name to array).
    n_points
        Points per stance.
    name
        Signal name for error messages.
    rows
        The rows :func:`segment_rows` lists for these events and ``n_points``:
        ``signals`` holds the signal at those rows only, and the result is the
        one the whole signal would give.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_stances, n_points, n_channels)`` (``n_channels`` = 1 for a 1-D signal).

    Raises
    ------
    MissingChannelError
        If ``events`` lacks ``ic_s`` or ``to_s``.
    LengthMismatchError, TimestampError
        As :func:`segment`.
    EventRangeError
        If a stance's events are not finite, reversed, or outside ``time_s``
        (use :func:`events_outside` first to skip those with a reason).
    """
    if n_points < 2:
        raise ValueError(f"n_points must be at least 2, got {n_points}")
    ic, to = _event_times(events)
    if rows is None:
        t, x = checked_signal(time_s, signals, name)
        return _segment(t, x, ic, to, n_points, name)
    t, _ = checked_signal(time_s, time_s, name)
    x = np.asarray(signals, dtype=float)
    if len(x) != len(rows):
        raise LengthMismatchError(f"{len(rows)} rows but {len(x)} samples of the signal", channel=name)
    return _segment_at_rows(t, rows, x, ic, to, n_points, name)


def _segment(t: np.ndarray, x: np.ndarray, ic: np.ndarray, to: np.ndarray, n_points: int, name: str) -> np.ndarray:
    """:func:`segment_stances` on checked arrays: ``t`` strictly increasing, ``x`` of the same length."""
    x = x.reshape(len(x), -1)
    if len(ic) == 0:
        return np.empty((0, n_points, x.shape[1]))
    _check_events(t, ic, to, name)
    return _interpolate(t, x, _stance_queries(ic, to, n_points).ravel()).reshape(len(ic), n_points, x.shape[1])


def _segment_at_rows(
    t: np.ndarray, rows: np.ndarray, values: np.ndarray, ic: np.ndarray, to: np.ndarray, n_points: int, name: str
) -> np.ndarray:
    """:func:`_segment` of a signal known only at ``rows`` (from :func:`segment_rows` for these stances).

    The interpolation reads exactly those rows, so the result is the one the
    whole signal would give.
    """
    if values.ndim == 1:
        values = values[:, None]
    if len(ic) == 0:
        return np.empty((0, n_points, values.shape[1]))
    _check_events(t, ic, to, name)
    query = _stance_queries(ic, to, n_points).ravel()
    i = _left_rows(t, query)
    w = ((query - t[i]) / (t[i + 1] - t[i]))[:, None]
    k = np.searchsorted(rows, i)
    return (values[k] * (1.0 - w) + values[k + 1] * w).reshape(len(ic), n_points, values.shape[1])


def _stance_queries(ic: np.ndarray, to: np.ndarray, n_points: int) -> np.ndarray:
    """Times of the ``n_points`` normalised points of each stance, shape ``(n_stances, n_points)``."""
    fraction = np.arange(n_points) / (n_points - 1)
    query = ic[:, None] + (to - ic)[:, None] * fraction[None, :]
    query[:, -1] = to
    return query


def segment_rows(
    time_s: np.ndarray, events: Mapping[str, np.ndarray], n_points: int = N_POINTS, *, name: str = "time_s"
) -> np.ndarray:
    """The samples :func:`segment_stances` reads: sorted, unique row indices.

    :func:`segment_stances` interpolates each normalised point between the
    two samples around it, so its result depends on these rows of the signal
    only.  A signal that is expensive to compute everywhere (a resampled or
    filtered channel) need only be computed on them.

    Parameters
    ----------
    time_s
        Strictly increasing timestamps of the signal, seconds.
    events
        Table with columns ``ic_s`` and ``to_s``, one row per stance (within
        ``time_s``; a DataFrame, or a mapping of column name to array).
    n_points
        Points per stance.
    name
        Signal name for error messages.

    Returns
    -------
    numpy.ndarray
        Row indices (int64), ascending, without repeats; empty without stances.

    Raises
    ------
    MissingChannelError, TimestampError, EventRangeError
        As :func:`segment_stances`.

    Examples
    --------
    >>> t = np.arange(10.0)
    >>> segment_rows(t, pd.DataFrame({"ic_s": [2.5], "to_s": [4.0]}), n_points=3).tolist()
    [2, 3, 4]
    """
    if n_points < 2:
        raise ValueError(f"n_points must be at least 2, got {n_points}")
    ic, to = _event_times(events)
    t, _ = checked_signal(time_s, time_s, name)
    if len(ic) == 0:
        return np.empty(0, dtype=np.int64)
    _check_events(t, ic, to, name)
    left = _left_rows(t, _stance_queries(ic, to, n_points).ravel())
    used = np.zeros(len(t) + 1, dtype=bool)
    used[left] = True
    used[left + 1] = True
    return np.flatnonzero(used).astype(np.int64)
