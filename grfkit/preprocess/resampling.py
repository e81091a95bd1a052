"""Polyphase resampling of uniformly sampled signals (IMU 1125 Hz → 1000 Hz).

The IMU's 1125 Hz and the insole's 1000 Hz stand in the exact ratio 9 : 8,
so :func:`resample_poly_array` upsamples by 8, low-pass filters with
grfkit's own Kaiser-window FIR (passband to 400 Hz, at least 60 dB down from
the output's Nyquist frequency of 500 Hz, each polyphase branch at unit DC
gain) and downsamples by 9, with the FIR's delay compensated and the ends
padded along a line.  :func:`resample_poly_at` computes only the output
samples asked for, bit for bit; :func:`resample_table` resamples a table and
:func:`check_uniform_sampling` checks a time axis first.  The book's
chapter 2 explains the choices.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import signal as sps

from grfkit.errors import (
    ConfigError,
    DropoutError,
    EmptyTableError,
    MissingChannelError,
    SamplingRateError,
    TimestampError,
)

__all__ = [
    "rational_factor",
    "resampled_length",
    "resample_poly_array",
    "resample_poly_at",
    "check_uniform_sampling",
    "resample_table",
]

#: Largest denominator accepted for the rational resampling factor.
_MAX_DENOMINATOR = 10_000
#: Anti-aliasing FIR: passband edge as a fraction of the lower Nyquist frequency.
_PASSBAND_FRACTION = 0.8
#: Anti-aliasing FIR: stopband attenuation in decibels.
_STOPBAND_DB = 60.0


@lru_cache(maxsize=16)
def _antialias_fir(up: int, down: int) -> np.ndarray:
    """Kaiser FIR at the upsampled rate (unit rate = 1), branches with DC gain ``1 / up``."""
    nyquist = 0.5 / max(up, down)  # lower Nyquist frequency, in cycles per upsampled sample
    pass_edge = _PASSBAND_FRACTION * nyquist
    numtaps, beta = sps.kaiserord(_STOPBAND_DB, (nyquist - pass_edge) / 0.5)
    numtaps += 1 - numtaps % 2  # odd length: integer group delay, centred by resample_poly
    h = sps.firwin(numtaps, 0.5 * (pass_edge + nyquist), window=("kaiser", beta), fs=1.0)
    for phase in range(up):
        h[phase::up] /= up * h[phase::up].sum()
    h.setflags(write=False)
    return h


def rational_factor(source_rate_hz: float, target_rate_hz: float) -> tuple[int, int]:
    """Return the exact up/down factors that take ``source_rate_hz`` to ``target_rate_hz``.

    Parameters
    ----------
    source_rate_hz
        Sampling rate of the input in hertz.
    target_rate_hz
        Sampling rate of the output in hertz.

    Returns
    -------
    (up, down)
        Coprime integers with ``target_rate_hz / source_rate_hz == up / down``.

    Raises
    ------
    ConfigError
        If a rate is not positive or the ratio is not a simple fraction
        (denominator above 10 000).

    Examples
    --------
    >>> rational_factor(1125.0, 1000.0)
    (8, 9)
    """
    if not (source_rate_hz > 0 and target_rate_hz > 0):
        raise ConfigError(f"sampling rates must be positive, got {source_rate_hz} Hz -> {target_rate_hz} Hz")
    ratio = Fraction(target_rate_hz / source_rate_hz).limit_denominator(_MAX_DENOMINATOR)
    if not math.isclose(ratio.numerator / ratio.denominator, target_rate_hz / source_rate_hz, rel_tol=1e-9):
        raise ConfigError(f"{source_rate_hz} Hz -> {target_rate_hz} Hz is not a simple rational resampling factor")
    return ratio.numerator, ratio.denominator


def resampled_length(n_samples: int, source_rate_hz: float, target_rate_hz: float) -> int:
    """Number of output samples of :func:`resample_poly_array`: ``ceil(n_samples * up / down)``.

    Parameters
    ----------
    n_samples
        Input length.
    source_rate_hz, target_rate_hz
        Input and output sampling rates in hertz.

    Returns
    -------
    int
        Output length.
    """
    up, down = rational_factor(source_rate_hz, target_rate_hz)
    return -(-n_samples * up // down)


def resample_poly_array(
    signal: np.ndarray,
    source_rate_hz: float = 1125.0,
    target_rate_hz: float = 1000.0,
    *,
    channels: list[str] | tuple[str, ...] | None = None,
) -> np.ndarray:
    """Resample a uniformly sampled signal with a polyphase anti-aliasing filter.

    Parameters
    ----------
    signal
        Samples along axis 0: shape ``(n_samples,)`` or ``(n_samples, n_channels)``.
    source_rate_hz
        Input sampling rate in hertz (1125 Hz for the shoe IMU).
    target_rate_hz
        Output sampling rate in hertz (1000 Hz, the insole rate).
    channels
        Channel names of the columns, used in error messages.

    Returns
    -------
    numpy.ndarray
        Shape ``(ceil(n_samples * up / down), ...)``; output sample ``k`` is at
        ``k / target_rate_hz`` seconds after the first input sample.  Content
        above ``min(source, target) / 2`` is attenuated by at least 60 dB,
        content below 80 % of it passes (anti-aliasing); the edges are handled
        with ``padtype="line"`` (see the module notes).

    Raises
    ------
    DropoutError
        If the signal contains NaN or infinite values (the FIR would spread
        them); the message names the first such channel.
    ConfigError
        If the rates are not a simple rational ratio.

    Examples
    --------
    >>> x = np.ones((1125, 6)) * 9.81
    >>> y = resample_poly_array(x, 1125.0, 1000.0)
    >>> y.shape, bool(np.allclose(y, 9.81))
    ((1000, 6), True)
    """
    x = _finite_signal(signal, channels)
    up, down = rational_factor(source_rate_hz, target_rate_hz)
    if len(x) == 0:
        return x.copy()
    if up == down:
        return x.copy()
    return _resample_poly(x, up, down)


def _finite_signal(signal: np.ndarray, channels: list[str] | tuple[str, ...] | None) -> np.ndarray:
    """The signal as a 1-D or 2-D float array; DropoutError naming the first channel with NaN or inf."""
    x = np.asarray(signal, dtype=float)
    if x.ndim not in (1, 2):
        raise ValueError(f"signal must be 1-D or 2-D (n_samples, n_channels), got shape {x.shape}")
    if np.isfinite(np.add.reduce(x, axis=None)):  # a finite sum: every sample is finite
        return x
    bad = ~np.isfinite(x)
    if bad.any():
        column = int(np.argwhere(bad.reshape(len(x), -1).any(axis=0))[0, 0])
        name = channels[column] if channels is not None else f"column {column}"
        raise DropoutError(
            f"{int(bad.sum())} non-finite samples; resampling needs a continuous signal", channel=str(name)
        )
    return x


def _resample_poly(x: np.ndarray, up: int, down: int) -> np.ndarray:
    """scipy's polyphase resampling of ``x`` (along axis 0) with grfkit's FIR and line padding."""
    columns = np.ascontiguousarray(x.T)  # filtering along the last, contiguous axis is faster
    y = sps.resample_poly(columns, up, down, axis=-1, window=_antialias_fir(up, down), padtype="line")
    return np.ascontiguousarray(y.T)


def resample_poly_at(
    signal: np.ndarray,
    output_index: np.ndarray,
    source_rate_hz: float = 1125.0,
    target_rate_hz: float = 1000.0,
    *,
    channels: list[str] | tuple[str, ...] | None = None,
) -> np.ndarray:
    """Selected output samples of :func:`resample_poly_array`, computed from the input around them.

    Each output sample of a polyphase resampler is a weighted sum of the
    input samples within the FIR's reach.  Output samples at least that far
    from both ends of the signal are therefore computed from short input
    pieces that start on the resampling period (a multiple of ``down`` input
    samples, so each output keeps its polyphase branch), all pieces in one
    scipy call.  The arithmetic per output sample is the same, so the values
    are identical to ``resample_poly_array(signal, ...)[output_index]``.  When
    an index lies within the FIR's reach of either end (where the line
    padding of the whole signal enters), the whole signal is resampled.

    Parameters
    ----------
    signal
        Samples along axis 0: shape ``(n_samples,)`` or ``(n_samples, n_channels)``.
    output_index
        Indices of the wanted output samples, ``0 <= index <
        resampled_length(n_samples, ...)``, any order, repeats allowed.
    source_rate_hz, target_rate_hz
        Input and output sampling rates in hertz.
    channels
        Channel names of the columns, used in error messages.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(output_index),)`` or ``(len(output_index), n_channels)``.

    Raises
    ------
    DropoutError
        If the signal contains NaN or infinite values (checked over the whole
        signal, as :func:`resample_poly_array` does; only the pieces used
        are converted to float64).
    ConfigError
        If the rates are not a simple rational ratio.
    IndexError
        If an index is outside the output.

    Examples
    --------
    >>> x = np.sin(np.arange(4500) / 50.0)
    >>> full = resample_poly_array(x, 1125.0, 1000.0)
    >>> bool(np.array_equal(resample_poly_at(x, [5, 2000, 2001], 1125.0, 1000.0), full[[5, 2000, 2001]]))
    True
    """
    x = np.asarray(signal)
    if x.dtype.kind not in "fiu":
        x = np.asarray(x, dtype=float)
    if x.ndim not in (1, 2):
        raise ValueError(f"signal must be 1-D or 2-D (n_samples, n_channels), got shape {x.shape}")
    if x.dtype.kind == "f" and not np.isfinite(np.add.reduce(x, axis=None)):
        _finite_signal(x, channels)  # DropoutError, unless only the sum overflowed
    up, down = rational_factor(source_rate_hz, target_rate_hz)
    index = np.asarray(output_index, dtype=np.int64).ravel()
    n_out = -(-len(x) * up // down)
    if index.size and (index.min() < 0 or index.max() >= n_out):
        raise IndexError(f"output index out of range 0..{n_out - 1}")
    if index.size == 0:
        return np.empty((0, *x.shape[1:]))
    if up == down:
        return np.asarray(x[index], dtype=float)
    wanted = index if np.all(index[1:] > index[:-1]) else np.unique(index)
    # input samples on each side of an output's position that its FIR reaches (with room to spare)
    reach = -(-len(_antialias_fir(up, down)) // up) + down
    # runs of wanted outputs whose input pieces would overlap are computed as one piece
    position = wanted * down // up  # input sample at or before each wanted output
    breaks = np.flatnonzero(np.diff(position) > 2 * reach + down) + 1
    first, last = wanted[np.r_[0, breaks]], wanted[np.r_[breaks, len(wanted)] - 1]
    start = (first * down // up - reach) // down * down  # on the resampling period
    stop = start + -(-(last * down // up + reach + 1 - start) // down) * down
    if start[0] < 0 or stop[-1] > len(x):
        return _resample_poly(np.asarray(x, dtype=float), up, down)[index]
    pieces = np.concatenate([np.asarray(x[a:b], dtype=float) for a, b in zip(start, stop, strict=True)])
    y = _resample_poly(pieces, up, down)
    # output k of the piece that starts at input a (and at offset p in `pieces`) is y[p*up/down + k - a*up/down]
    offset = np.cumsum(np.r_[0, stop - start])[:-1]
    run = np.searchsorted(last, index)
    return y[(offset[run] - start[run]) // down * up + index]


def check_uniform_sampling(
    time_s: np.ndarray,
    sampling_rate_hz: float,
    *,
    tolerance: float = 0.01,
    name: str = "time_s",
) -> float:
    """Check that timestamps are finite, increasing and uniform at the stated rate.

    The typical rate (from the median interval) and the rate measured over the
    whole recording, ``(n - 1) / (t[-1] - t[0])``, must both be within
    ``tolerance`` (relative) of ``sampling_rate_hz``: a clock drift of tens of
    ppm passes, a wrong rate (e.g. 1000 Hz data declared as 1125 Hz) does not.
    No single interval may differ from the nominal period by more than half a
    period (a gap of missing samples or a jump).

    Parameters
    ----------
    time_s
        Timestamps in seconds.
    sampling_rate_hz
        The stated sampling rate in hertz.
    tolerance
        Largest accepted relative difference between measured and stated rate.
    name
        Table or channel named in error messages.

    Returns
    -------
    float
        The measured mean sampling rate in hertz.

    Raises
    ------
    TimestampError
        If timestamps are not finite, not strictly increasing, fewer than two,
        or contain a gap or jump of more than half a sample period.
    SamplingRateError
        If the measured rate differs from the stated one by more than ``tolerance``.
    """
    t = np.asarray(time_s, dtype=float)
    if t.ndim != 1 or len(t) < 2:
        raise TimestampError(f"need at least two timestamps, got {t.size}", channel=name)
    if not np.all(np.isfinite(t)):
        raise TimestampError(f"{int((~np.isfinite(t)).sum())} timestamps are not finite", channel=name)
    dt = np.diff(t)
    if np.any(dt <= 0):
        k = int(np.argmax(dt <= 0))
        raise TimestampError(f"timestamps not strictly increasing at sample {k + 1} (t={t[k + 1]!r} s)", channel=name)
    # The median interval lies between the shortest and the longest; when both pass, so does the median
    # (|1 / (dt * rate) - 1| has no maximum inside an interval), and it need not be computed.
    extremes_pass = all(
        abs(1.0 / float(step) / sampling_rate_hz - 1.0) <= tolerance * (1.0 - 1e-9) for step in (dt.min(), dt.max())
    )
    typical_hz = sampling_rate_hz if extremes_pass else 1.0 / float(np.median(dt))
    if abs(typical_hz / sampling_rate_hz - 1.0) > tolerance:
        raise SamplingRateError(
            f"timestamps are {typical_hz:.3f} Hz apart (median interval), not the stated {sampling_rate_hz:g} Hz",
            channel=name,
        )
    period_s = 1.0 / sampling_rate_hz
    worst = int(np.argmax(np.abs(dt - period_s)))
    if abs(dt[worst] - period_s) > 0.5 * period_s:
        raise TimestampError(
            f"interval of {1e3 * dt[worst]:.3f} ms after t={t[worst]:.6f} s (expected {1e3 * period_s:.3f} ms): "
            "missing samples or a time jump",
            channel=name,
        )
    measured_hz = (len(t) - 1) / (t[-1] - t[0])
    if abs(measured_hz / sampling_rate_hz - 1.0) > tolerance:
        raise SamplingRateError(
            f"measured sampling rate {measured_hz:.3f} Hz differs from the stated {sampling_rate_hz:g} Hz "
            f"by more than {100 * tolerance:g} %",
            channel=name,
        )
    return float(measured_hz)


def resample_table(
    table: pd.DataFrame,
    source_rate_hz: float,
    target_rate_hz: float,
    *,
    time_column: str = "time_s",
    name: str = "table",
    tolerance: float = 0.01,
) -> pd.DataFrame:
    """Resample every channel of a table onto a uniform grid at ``target_rate_hz``.

    The timestamps are first checked with :func:`check_uniform_sampling`.  The
    output grid starts at the table's first timestamp: ``time_s[k] = t0 + k /
    target_rate_hz``.  The grid uses the *nominal* rates, exactly as the
    recording device labels its samples, so a clock drift of the device is
    carried along unchanged (it is corrected later by the clock
    synchronisation).  Signals on another time base (e.g. the insole's, whose
    first sample is not ``t0``) can then be sampled at any time by
    interpolation (:mod:`grfkit.preprocess.segmentation` interpolates at event times).

    Parameters
    ----------
    table
        A ``time_column`` plus numeric channel columns.
    source_rate_hz
        Stated sampling rate of ``table`` in hertz.
    target_rate_hz
        Output sampling rate in hertz.
    time_column
        Name of the time column (seconds).
    name
        Table name for error messages (e.g. the file path).
    tolerance
        Relative tolerance on the measured sampling rate.

    Returns
    -------
    pandas.DataFrame
        ``time_column`` followed by the same channels, ``ceil(n * up / down)`` rows.

    Raises
    ------
    EmptyTableError, MissingChannelError
        If the table has no rows or no time column.
    TimestampError, SamplingRateError
        If the timestamps are not uniform at ``source_rate_hz``.
    DropoutError
        If a channel holds NaN values.

    Examples
    --------
    >>> t = np.arange(2250) / 1125.0
    >>> imu = pd.DataFrame({"time_s": t, "acc_z_mps2": np.full(t.size, 9.81)})
    >>> out = resample_table(imu, 1125.0, 1000.0, name="imu")
    >>> len(out), float(out["time_s"].iloc[1])
    (2000, 0.001)
    """
    if len(table) == 0:
        raise EmptyTableError("table has no rows", channel=name)
    if time_column not in table.columns:
        raise MissingChannelError(f"table {name!r} has no time column", channel=time_column)
    time_s = table[time_column].to_numpy(dtype=float)
    check_uniform_sampling(time_s, source_rate_hz, tolerance=tolerance, name=f"{name}:{time_column}")
    channels = [c for c in table.columns if c != time_column]
    values = resample_poly_array(
        table[channels].to_numpy(dtype=float),
        source_rate_hz,
        target_rate_hz,
        channels=[f"{name}:{c}" for c in channels],
    )
    out = pd.DataFrame(values, columns=channels)
    out.insert(0, time_column, time_s[0] + np.arange(len(out)) / target_rate_hz)
    return out
