r"""Zero-lag low-pass Butterworth filtering with the two-pass cutoff correction.

A Butterworth low-pass filter of order :math:`N` and design cutoff
:math:`f_d` has the power response :math:`|H(f)|^2 = 1 / (1 + (f/f_d)^{2N})`
(in the analogue prototype), so :math:`f_d` is its -3 dB point.  Run forward
and then backward over the data (:func:`scipy.signal.sosfiltfilt`), the phase
shifts of the two passes cancel — no lag — but the magnitudes multiply: the
response is :math:`|H|^2` per pass pair, the roll-off doubles (a 2nd-order
design behaves as a 4th-order filter, -80 dB per decade) and the -3 dB point
moves *below* :math:`f_d`.  After :math:`n` passes the power response is
:math:`(1 + (f/f_d)^{2N})^{-n}`; setting it to :math:`1/2` gives the
effective cutoff

.. math::

    f_c = C \, f_d, \qquad C = \left(2^{1/n} - 1\right)^{1/(2N)},

so to obtain the cutoff :math:`f_c` one designs at :math:`f_d = f_c / C`
(Winter, *Biomechanics and Motor Control of Human Movement*, 4th ed., 2009,
and Robertson & Dowling 2003, "Design and responses of Butterworth and
critically damped digital filters", J Electromyogr Kinesiol 13:569-573,
eq. 1, both for :math:`N = 2`: :math:`C = (2^{1/n} - 1)^{0.25} = 0.802` for
:math:`n = 2`; the exponent :math:`1/(2N)` generalises it to any order).  For the study's 20 Hz zero-lag filter
of a 2nd-order design this gives a design cutoff of 24.9 Hz.

The formula holds for the analogue prototype.  A digital Butterworth made by
the bilinear transform has :math:`|H|^2 = 1 / (1 + (\tan(\pi f / f_s) /
\tan(\pi f_d / f_s))^{2N})`, so the exact digital correction applies :math:`C`
to the *pre-warped* frequency: :math:`\tan(\pi f_d / f_s) = \tan(\pi f_c /
f_s) / C`.  :func:`corrected_cutoff_hz` uses that exact form when it is given
the sampling rate (the two differ by 0.1 % for 20 Hz at 1000 Hz, by several
percent when the cutoff approaches the Nyquist frequency).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import signal as sps

from .errors import ConfigError, DropoutError

__all__ = ["corrected_cutoff_hz", "butterworth_sos", "lowpass_zero_lag", "zero_lag_response"]


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


def butterworth_sos(
    cutoff_hz: float,
    sampling_rate_hz: float,
    order: int = 2,
    correct_cutoff: bool = True,
) -> np.ndarray:
    """Second-order sections of the low-pass Butterworth design used by :func:`lowpass_zero_lag`.

    Parameters
    ----------
    cutoff_hz
        Wanted -3 dB frequency in hertz of the zero-lag (two-pass) filter if
        ``correct_cutoff``, else the design cutoff of one pass.
    sampling_rate_hz
        Sampling rate in hertz.
    order
        Order of the design (one pass).
    correct_cutoff
        Apply the two-pass correction of :func:`corrected_cutoff_hz`.

    Returns
    -------
    numpy.ndarray
        SOS array for :func:`scipy.signal.sosfiltfilt`.

    Raises
    ------
    ConfigError
        If the (corrected) cutoff is not between 0 and the Nyquist frequency.
    """
    if not sampling_rate_hz > 0:
        raise ConfigError(f"sampling_rate_hz must be positive, got {sampling_rate_hz}")
    design_hz = corrected_cutoff_hz(cutoff_hz, order, 2, sampling_rate_hz) if correct_cutoff else cutoff_hz
    if not 0 < design_hz < 0.5 * sampling_rate_hz:
        raise ConfigError(
            f"design cutoff {design_hz:.3f} Hz must lie between 0 and the Nyquist frequency {0.5 * sampling_rate_hz} Hz"
        )
    return sps.butter(order, design_hz, btype="low", output="sos", fs=sampling_rate_hz)


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
    x = np.asarray(signal, dtype=float)
    bad = ~np.isfinite(x)
    if bad.any():
        raise DropoutError(
            f"{int(bad.sum())} non-finite samples; the filter needs a continuous signal",
            channel=channel,
        )
    sos = butterworth_sos(cutoff_hz, sampling_rate_hz, order, correct_cutoff)
    if len(x) < 2:
        return x.copy()
    # scipy's default pad (3 * (2 * sections + 1) samples) is shorter than the filter's settling time,
    # so a ramp (e.g. a marker moving at constant speed) would bend near the ends; pad two cutoff periods
    padlen = min(max(3 * (2 * len(sos) + 1), math.ceil(2.0 * sampling_rate_hz / cutoff_hz)), len(x) - 1)
    return sps.sosfiltfilt(sos, x, axis=0, padlen=padlen)


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
    sos = butterworth_sos(cutoff_hz, sampling_rate_hz, order, correct_cutoff)
    if frequencies_hz is None:
        frequencies_hz = np.arange(0.0, 0.5 * sampling_rate_hz + 0.5, 1.0)
    f = np.asarray(frequencies_hz, dtype=float)
    _, h = sps.sosfreqz(sos, worN=f, fs=sampling_rate_hz)
    return np.abs(h) ** 2
