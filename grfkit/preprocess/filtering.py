r"""Zero-lag low-pass Butterworth filtering with the two-pass cutoff correction.

Run forward and backward (:func:`scipy.signal.sosfiltfilt`), a Butterworth
filter has no lag, but its -3 dB point moves below the design cutoff; the
design cutoff is therefore raised by the correction of Winter (2009) and
Robertson & Dowling (2003), applied to the pre-warped frequency
(:func:`corrected_cutoff_hz`: 24.9 Hz for the study's 20 Hz, 2nd order).
:func:`lowpass_zero_lag` filters a signal, :func:`lowpass_zero_lag_at` only
the samples asked for (a window around them, padded until the filter has
forgotten; equal to filtering the whole signal up to rounding),
:func:`lowpass_zero_lag_runs` several stretches at once, and
:func:`zero_lag_response` gives the magnitude response.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import signal as sps

from grfkit.errors import ConfigError, DropoutError

__all__ = ["corrected_cutoff_hz", "lowpass_zero_lag", "lowpass_zero_lag_at", "lowpass_zero_lag_runs", "zero_lag_response"]


def corrected_cutoff_hz(
    cutoff_hz: float,
    order: int,
    n_passes: int = 2,
    sampling_rate_hz: float | None = None,
) -> float:
    """Design cutoff that gives a multi-pass Butterworth filter the wanted -3 dB point.

    Parameters
    ----------
    cutoff_hz
        Wanted -3 dB frequency of the whole (multi-pass) filter in hertz.
    order
        Order :math:`N` of the Butterworth design (one pass).  A forward-backward
        run doubles the effective order.
    n_passes
        Number of passes over the data (2 for forward-backward, zero-lag filtering).
    sampling_rate_hz
        If given, apply the correction to the pre-warped frequency of the
        bilinear transform (exact for scipy's digital design); otherwise return
        the analogue formula ``cutoff_hz / C``.

    Returns
    -------
    float
        Design cutoff :math:`f_d` in hertz (higher than ``cutoff_hz`` when ``n_passes > 1``).

    Raises
    ------
    ConfigError
        If a parameter is out of range or the corrected cutoff reaches the Nyquist frequency.

    Examples
    --------
    >>> round(corrected_cutoff_hz(20.0, order=2), 2)
    24.93
    >>> round(corrected_cutoff_hz(20.0, order=2, sampling_rate_hz=1000.0), 2)
    24.91
    """
    if not cutoff_hz > 0:
        raise ConfigError(f"cutoff_hz must be positive, got {cutoff_hz}")
    if order < 1 or n_passes < 1:
        raise ConfigError(f"order and n_passes must be at least 1, got order={order}, n_passes={n_passes}")
    factor = (2.0 ** (1.0 / n_passes) - 1.0) ** (1.0 / (2.0 * order))
    if sampling_rate_hz is None:
        return cutoff_hz / factor
    nyquist_hz = 0.5 * sampling_rate_hz
    if not cutoff_hz < nyquist_hz:
        raise ConfigError(f"cutoff {cutoff_hz} Hz must be below the Nyquist frequency {nyquist_hz} Hz")
    return sampling_rate_hz / math.pi * math.atan(math.tan(math.pi * cutoff_hz / sampling_rate_hz) / factor)


@lru_cache(maxsize=64)
def _butterworth_sos(cutoff_hz: float, sampling_rate_hz: float, order: int, correct_cutoff: bool) -> np.ndarray:
    """Second-order sections of the low-pass Butterworth design, designed once per setting.

    ``cutoff_hz`` is the wanted -3 dB frequency of the zero-lag filter when
    ``correct_cutoff`` (:func:`corrected_cutoff_hz`), else the design cutoff of
    one pass.  The array is shared: never modify it (scipy needs it writeable).
    ConfigError if the design cutoff is not between 0 and the Nyquist frequency.
    """
    if not sampling_rate_hz > 0:
        raise ConfigError(f"sampling_rate_hz must be positive, got {sampling_rate_hz}")
    design_hz = corrected_cutoff_hz(cutoff_hz, order, 2, sampling_rate_hz) if correct_cutoff else cutoff_hz
    if not 0 < design_hz < 0.5 * sampling_rate_hz:
        raise ConfigError(
            f"design cutoff {design_hz:.3f} Hz must lie between 0 and the Nyquist frequency {0.5 * sampling_rate_hz} Hz"
        )
    return sps.butter(order, design_hz, btype="low", output="sos", fs=sampling_rate_hz)


@lru_cache(maxsize=64)
def _initial_state(cutoff_hz: float, sampling_rate_hz: float, order: int, correct_cutoff: bool) -> np.ndarray:
    """:func:`scipy.signal.sosfilt_zi` of the design (steady state for a unit step), computed once."""
    return sps.sosfilt_zi(_butterworth_sos(cutoff_hz, sampling_rate_hz, order, correct_cutoff))


def _filtfilt(x: np.ndarray, padlen: int, design: tuple[float, float, int, bool]) -> np.ndarray:
    """``scipy.signal.sosfiltfilt(sos, x, axis=0, padlen=padlen)`` with the design's state computed once.

    The same steps as scipy's (odd extension, forward pass from the steady
    state of the first value, backward pass likewise) with the same
    arithmetic, so the result is identical; only the per-call set-up
    (validation, the initial-state solve) is saved.
    """
    sos = _butterworth_sos(*design)
    zi = _initial_state(*design).reshape((len(sos), 2) + (1,) * (x.ndim - 1))
    if not 0 < padlen < len(x):
        return sps.sosfiltfilt(sos, x, axis=0, padlen=padlen)
    ext = np.concatenate((2 * x[:1] - x[padlen:0:-1], x, 2 * x[-1:] - x[-2 : -(padlen + 2) : -1]), axis=0)
    y, _ = sps.sosfilt(sos, ext, axis=0, zi=zi * ext[:1])
    y, _ = sps.sosfilt(sos, y[::-1], axis=0, zi=zi * y[-1:])
    return y[::-1][padlen:-padlen]


def _filtfilt_lanes(
    signals: list[np.ndarray], padlens: list[int], design: tuple[float, float, int, bool]
) -> list[np.ndarray]:
    """:func:`_filtfilt` of several signals (each ``(n_i, channels)``) at once: the same values, two scipy calls.

    The extended signals are laid side by side as the columns of one array
    (shorter ones padded after their end, which the forward pass reaches only
    after their last sample) and filtered forward together; their forward
    outputs are reversed each from its own end and filtered backward
    together.  Each column goes through the same recursion as when filtered
    alone.
    """
    sos = _butterworth_sos(*design)
    zi = _initial_state(*design)
    if any(not 0 < padlen < len(x) for x, padlen in zip(signals, padlens, strict=True)):
        return [_filtfilt(x, padlen, design) for x, padlen in zip(signals, padlens, strict=True)]
    extended = [
        np.concatenate((2 * x[:1] - x[padlen:0:-1], x, 2 * x[-1:] - x[-2 : -(padlen + 2) : -1]), axis=0)
        for x, padlen in zip(signals, padlens, strict=True)
    ]
    lengths = [len(e) for e in extended]
    widths = np.cumsum([0] + [e.shape[1] for e in extended])
    block = np.zeros((max(lengths), int(widths[-1])))
    for e, a, b in zip(extended, widths[:-1], widths[1:], strict=True):
        block[: len(e), a:b] = e
    start = np.concatenate([e[0] for e in extended])
    forward, _ = sps.sosfilt(sos, block, axis=0, zi=zi[:, :, None] * start)
    block[:] = 0.0
    for n, a, b in zip(lengths, widths[:-1], widths[1:], strict=True):
        block[:n, a:b] = forward[n - 1 :: -1, a:b]
    end = np.concatenate([forward[n - 1, a:b] for n, a, b in zip(lengths, widths[:-1], widths[1:], strict=True)])
    backward, _ = sps.sosfilt(sos, block, axis=0, zi=zi[:, :, None] * end)
    return [
        backward[n - 1 :: -1, a:b][padlen : n - padlen]
        for n, padlen, a, b in zip(lengths, padlens, widths[:-1], widths[1:], strict=True)
    ]


@lru_cache(maxsize=64)
def _settling_samples(cutoff_hz: float, sampling_rate_hz: float, order: int, correct_cutoff: bool) -> int:
    """Samples after which the slowest pole of the design has decayed to 1e-20."""
    sos = _butterworth_sos(cutoff_hz, sampling_rate_hz, order, correct_cutoff)
    radius = max(float(np.max(np.abs(np.roots(section[3:])))) for section in sos)
    return int(math.ceil(math.log(1e-20) / math.log(radius)))


def _finite_float(signal: np.ndarray, channel: str | None) -> np.ndarray:
    x = np.asarray(signal, dtype=float)
    if np.isfinite(np.add.reduce(x, axis=None)):  # a finite sum: every sample is finite
        return x
    bad = ~np.isfinite(x)
    if bad.any():
        raise DropoutError(
            f"{int(bad.sum())} non-finite samples; the filter needs a continuous signal",
            channel=channel,
        )
    return x


def _pad_length(n_sections: int, cutoff_hz: float, sampling_rate_hz: float, n_samples: int) -> int:
    # scipy's default pad (3 * (2 * sections + 1) samples) is shorter than the filter's settling time,
    # so a ramp (e.g. a marker moving at constant speed) would bend near the ends; pad two cutoff periods
    return min(max(3 * (2 * n_sections + 1), math.ceil(2.0 * sampling_rate_hz / cutoff_hz)), n_samples - 1)


def lowpass_zero_lag(
    signal: np.ndarray,
    cutoff_hz: float,
    sampling_rate_hz: float,
    order: int = 2,
    correct_cutoff: bool = True,
    *,
    channel: str | None = None,
) -> np.ndarray:
    """Low-pass filter forward and backward (zero phase) with a Butterworth design.

    Parameters
    ----------
    signal
        Samples along axis 0, shape ``(n_samples,)`` or ``(n_samples, n_channels)``.
    cutoff_hz
        -3 dB frequency of the zero-lag filter in hertz (20 Hz for the study's force).
    sampling_rate_hz
        Sampling rate in hertz.
    order
        Order of the Butterworth design; the zero-lag filter has twice this
        order (the default 2 gives the usual "4th-order zero-lag" filter).
    correct_cutoff
        Design at :func:`corrected_cutoff_hz` so that the two-pass -3 dB point
        is ``cutoff_hz``.  Without it the -3 dB point is ``C * cutoff_hz``
        (16 Hz for 20 Hz, order 2).
    channel
        Channel name for error messages.

    Returns
    -------
    numpy.ndarray
        Filtered signal, same shape.  Edges use scipy's odd extension
        (``padtype="odd"``: the signal mirrored about its end point, which
        continues its value and slope) over two cutoff periods
        (``2 * sampling_rate_hz / cutoff_hz`` samples, longer than scipy's
        default so that the filter settles and a constant or a ramp passes
        unchanged up to the ends; shortened to the signal's length if needed).

    Raises
    ------
    DropoutError
        If the signal contains NaN or infinite values.
    ConfigError
        If the cutoff is not below the Nyquist frequency.

    Examples
    --------
    >>> x = np.full(500, 700.0)
    >>> bool(np.allclose(lowpass_zero_lag(x, 20.0, 1000.0), 700.0))
    True
    """
    x = _finite_float(signal, channel)
    design = (cutoff_hz, sampling_rate_hz, order, correct_cutoff)
    sos = _butterworth_sos(*design)
    if len(x) < 2:
        return x.copy()
    return _filtfilt(x, _pad_length(len(sos), cutoff_hz, sampling_rate_hz, len(x)), design)


def lowpass_zero_lag_runs(
    runs: list[np.ndarray], cutoff_hz: float, sampling_rate_hz: float, order: int = 2, *, channel: str | None = None
) -> list[np.ndarray]:
    """:func:`lowpass_zero_lag` of several separate stretches of a signal, all in one go.

    Each stretch is filtered exactly as :func:`lowpass_zero_lag` filters it
    alone (same padding, same recursion, identical values); laying them side
    by side saves the per-call set-up, which matters for many short stretches
    (a marker that leaves and re-enters the capture volume).

    Parameters
    ----------
    runs
        Stretches of samples, each of shape ``(n_i,)`` or ``(n_i, channels)`` with ``n_i >= 2``.
    cutoff_hz
        -3 dB frequency of the zero-lag filter in hertz.
    sampling_rate_hz
        Sampling rate in hertz.
    order
        Butterworth order of one pass.
    channel
        Channel name for error messages.

    Returns
    -------
    list of numpy.ndarray
        The filtered stretches, each 2-D ``(n_i, channels)``.

    Raises
    ------
    DropoutError
        If a stretch holds NaN or infinite values.
    ConfigError
        If the cutoff is not below the Nyquist frequency or a stretch is shorter than 2 samples.
    """
    design = (cutoff_hz, sampling_rate_hz, order, True)
    n_sections = len(_butterworth_sos(*design))
    signals = [_finite_float(run, channel).reshape(len(run), -1) for run in runs]
    if any(len(x) < 2 for x in signals):
        raise ConfigError("every stretch needs at least 2 samples")
    padlens = [_pad_length(n_sections, cutoff_hz, sampling_rate_hz, len(x)) for x in signals]
    return _filtfilt_lanes(signals, padlens, design)


def lowpass_zero_lag_at(
    signal: np.ndarray,
    rows: np.ndarray,
    cutoff_hz: float,
    sampling_rate_hz: float,
    order: int = 2,
    correct_cutoff: bool = True,
    *,
    channel: str | None = None,
) -> np.ndarray:
    """Selected samples of :func:`lowpass_zero_lag`, filtering only windows around them.

    The wanted rows are grouped into runs; each run is taken with a margin
    of the filter's settling length on both sides (see the module notes), or
    up to the signal's end where that is closer, and the windows are
    filtered laid end to end in one forward-backward pass, with the edge
    treatment of :func:`lowpass_zero_lag`.  The result equals
    ``lowpass_zero_lag(signal, ...)[rows]`` up to floating-point rounding.
    The cost is proportional to the windows, not the signal: for the few
    stances on a force plate in a two-minute recording, a small fraction.

    Parameters
    ----------
    signal
        Samples along axis 0, shape ``(n_samples,)`` or ``(n_samples, n_channels)``.
    rows
        Indices of the wanted samples, any order, repeats allowed.
    cutoff_hz, sampling_rate_hz, order, correct_cutoff, channel
        As for :func:`lowpass_zero_lag`.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(rows),)`` or ``(len(rows), n_channels)``.

    Raises
    ------
    DropoutError
        If the signal contains NaN or infinite values (anywhere, as for
        :func:`lowpass_zero_lag`).
    ConfigError
        If the cutoff is not below the Nyquist frequency.
    IndexError
        If a row is outside the signal.

    Examples
    --------
    >>> x = np.r_[np.zeros(3000), np.full(3000, 800.0)]
    >>> full = lowpass_zero_lag(x, 20.0, 1000.0)
    >>> bool(np.allclose(lowpass_zero_lag_at(x, [10, 2990, 3010], 20.0, 1000.0), full[[10, 2990, 3010]], atol=1e-9))
    True
    """
    x = np.asarray(signal)
    if x.dtype.kind not in "fiu":
        x = np.asarray(x, dtype=float)
    if x.dtype.kind == "f" and not np.isfinite(np.add.reduce(x, axis=None)):
        _finite_float(x, channel)  # DropoutError, unless only the sum overflowed
    design = (cutoff_hz, sampling_rate_hz, order, correct_cutoff)
    sos = _butterworth_sos(*design)
    index = np.asarray(rows, dtype=np.int64).ravel()
    if index.size and (index.min() < 0 or index.max() >= len(x)):
        raise IndexError(f"row out of range 0..{len(x) - 1}")
    if len(x) < 2 or index.size == 0:
        return np.asarray(x[index], dtype=float)
    padlen = _pad_length(len(sos), cutoff_hz, sampling_rate_hz, len(x))
    settle = _settling_samples(*design)
    wanted = index if np.all(index[1:] > index[:-1]) else np.unique(index)
    breaks = np.flatnonzero(np.diff(wanted) > 2 * settle) + 1
    first, last = wanted[np.r_[0, breaks]], wanted[np.r_[breaks, len(wanted)] - 1]
    start, stop = np.maximum(first - settle, 0), np.minimum(last + settle + 1, len(x))
    if np.sum(stop - start) >= len(x) - 2 * settle or np.sum(stop - start) <= padlen:  # little to save
        return _filtfilt(np.asarray(x, dtype=float), padlen, design)[index]
    # One pass over the windows laid end to end: each window's rows lie `settle` samples from its
    # ends, so neither the neighbouring window nor the odd extension at the ends of the whole
    # (which are the signal's own ends where a window reaches them) is felt there.
    offset = np.cumsum(np.r_[0, stop - start])
    pieces = np.concatenate([np.asarray(x[a:b], dtype=float) for a, b in zip(start, stop, strict=True)])
    y = _filtfilt(pieces, padlen, design)
    run = np.searchsorted(last, index)
    return y[offset[run] + index - start[run]]


def zero_lag_response(
    cutoff_hz: float,
    sampling_rate_hz: float,
    order: int = 2,
    frequencies_hz: np.ndarray | None = None,
    correct_cutoff: bool = True,
) -> np.ndarray:
    """Magnitude response of :func:`lowpass_zero_lag` (both passes together).

    Parameters
    ----------
    cutoff_hz, sampling_rate_hz, order, correct_cutoff
        As for :func:`lowpass_zero_lag`.
    frequencies_hz
        Frequencies at which to evaluate, in hertz; default 0 to the Nyquist
        frequency in 1 Hz steps.

    Returns
    -------
    numpy.ndarray
        Linear magnitude :math:`|H(f)|^2` of the forward-backward filter
        (1 at DC, 0.7071 = -3 dB at the effective cutoff); phase is zero.

    Examples
    --------
    >>> g = zero_lag_response(20.0, 1000.0, frequencies_hz=np.array([0.0, 20.0]))
    >>> np.round(g, 4).tolist()
    [1.0, 0.7071]
    """
    sos = _butterworth_sos(cutoff_hz, sampling_rate_hz, order, correct_cutoff)
    if frequencies_hz is None:
        frequencies_hz = np.arange(0.0, 0.5 * sampling_rate_hz + 0.5, 1.0)
    f = np.asarray(frequencies_hz, dtype=float)
    _, h = sps.sosfreqz(sos, worN=f, fs=sampling_rate_hz)
    return np.abs(h) ** 2
