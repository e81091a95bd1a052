r"""Insole ↔ lab clock synchronisation from contact onsets.

The insoles (and the shoe IMU) run on their own clock; force plates and the
marker system on the lab clock.  grfkit models the two clocks as

.. math::

    t_\mathrm{lab} = \mathrm{offset} + t_\mathrm{insole}\,(1 + \mathrm{drift} \cdot 10^{-6}),

with an offset of up to several seconds and a drift of tens of ppm (a few
milliseconds over a two-minute bout).  Both are estimated post hoc, as in the
study, by aligning the insole load with the measured vertical force.

What is aligned
---------------
The summed FSR load is a non-linear, saturating and participant-dependent
function of the force, and its shape over a stance differs from the force
curve (the FSRs see the pressure distribution, heel first).  What both
signals share is *when* each contact starts: the force leaves zero at
touch-down and so does the FSR load.  Toe-off is less trustworthy in an
insole (foam and sensors unload with a lag, FSRs show hysteresis and creep),
so grfkit aligns **contact onsets** (:func:`contact_onsets`):

* lab onsets: contacts of the total vertical force (all plates, or the
  treadmill belt) at 20 N, zero offset removed
  (:func:`grfkit.preprocess.events.detect_contacts`);
* insole onsets: contacts of the load at a low relative threshold (0.5 % of
  the load range, but at least 5 noise standard deviations above the floor;
  per foot when the feet are given as separate columns, which keeps the
  threshold low; :func:`grfkit.preprocess.events.detect_load_contacts`);
* each threshold crossing is extrapolated back to the signal's resting level
  along the chord to the crossing of a 3 times higher level, so that a 20 N
  crossing and an insole crossing both estimate the instant of touch-down.

A low insole threshold matters: a sensor lag (foam, FSR) makes the insole
load start quadratically after touch-down, and the delay of a threshold
crossing then grows with the square root of the threshold.

Measured accuracy (error of the fitted clock over the whole bout):

* synthetic step trains of ``tests/test_synchronisation.py`` (2-minute
  bouts, offsets 0-5 s, drifts within ±60 ppm, step-time variability
  0.5-3 %, insole noise 0.3 % of its range, per-foot loads): mean offset
  bias -0.2 ms for a linear insole response and +0.5 ms for a saturating
  power-law one, worst case 0.73 ms, for treadmill (every contact) and
  overground (plate contacts in bursts of 2-4, every 8-10 s) bouts alike;
* bouts of :mod:`grfkit.simulate` (60 s; insole with a 3 ms sensor lag):
  overground -0.1 to -0.9 ms (10 bouts, worst case 1.06 ms), treadmill
  +2.0 to +2.2 ms (6 bouts).  The treadmill error comes from the measured
  force: the simulated belt frame resonates (45 Hz, damping ratio 0.12),
  which delays the measured onsets by about 2 ms.  The 20 N
  events detected on that force are delayed alike (initial contact by about
  2.4 ms), so insole segments cut at those events mapped with this clock
  stay aligned with the force segments.
* a plain cross-correlation of the raw curves, for comparison, was unbiased
  for a linear synthetic insole but 0.5 ms off for the saturating one, and in
  one overground bout locked onto the neighbouring step (371 ms off):
  stance-long curves tell the true lag from a shift by one step poorly.

Step 1: global cross-correlation with an ambiguity test
--------------------------------------------------------
Each onset train is a sum of impulses; their cross-correlation with a
Gaussian kernel of standard deviation ``kernel_s`` (3 ms) is computed from
the onset time differences (:func:`_onset_correlation`; cost proportional to
the number of onset pairs within the searched lags, not to the samples).
Divided by the number of lab onsets, the correlation at lag :math:`L` is the
fraction of lab onsets that have an insole onset within about ``kernel_s``
of them when the insole is shifted by :math:`L`: 1.0 at the true offset (the
insole sees every step, overground plates only some).  The clock drift
stretches the insole time axis; the search therefore runs over a grid of
drifts fine enough that the misalignment it leaves across the recording
stays below ``kernel_s / 2`` (the number of drifts grows with the
recording's length: 9 for 2 minutes at the default ±100 ppm).

Running is nearly periodic, so a shift by one step period (or a stride)
also lines contacts up with contacts.  What breaks the tie is the
variability of step times: shifted by one step, contact *k* meets contact
*k + 1*, and their spacing differs from the lag by the step-time variation
(several ms, plus changes in speed around an overground lap), which the
narrow kernel penalises.  The **peak ratio** is the height of the best peak
divided by the best peak more than ``exclusion_fraction`` of a step period
away (any drift).  Below ``min_peak_ratio`` the alignment is ambiguous and
:class:`~grfkit.errors.SyncError` is raised with both numbers.  On the
synthetic bouts, perfectly regular steps gave ratios of 1.06-1.10; a
step-time variability of 0.5 % gave at least 1.32 overground and 2.4 on the
treadmill, 3 % gave 2.6 and 5.6; simulated bouts gave 1.9-2.5 overground and
2.5-4.1 on the treadmill.  A best peak matching less than
``min_match_fraction`` of the lab onsets means there is no alignment at all
(SyncError too).

Step 2: refinement and drift
----------------------------
With the coarse offset and drift, each lab onset is paired with the nearest
mapped insole onset (within a few ``kernel_s``).  Each pair is a local lag
measurement; the model is linear in the insole time,
:math:`t_\mathrm{lab} - t_\mathrm{insole} = \mathrm{offset} + \mathrm{drift}
\cdot t_\mathrm{insole}`, so a least-squares line through the pairs gives
offset and drift.  The fit is made robust by discarding pairs whose residual
exceeds 4 robust standard deviations (median absolute deviation, at least
0.5 ms) — e.g. a plate contact that starts late because the heel landed off
the plate — then refitted, re-paired with the refined clock model and
refitted again.  If the pairs span less than ``min_drift_span_s`` of insole
time the drift cannot be told from the offset: it is set to 0 with a warning.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from grfkit.errors import ConfigError, LengthMismatchError, NoContactError, SyncError
from grfkit.preprocess.events import (
    _finite_1d,
    _threshold_crossings,
    _time_axis,
    load_levels,
    unloaded_level,
)

__all__ = ["ClockSync", "insole_to_lab_time", "lab_to_insole_time", "contact_onsets", "synchronise_clocks"]


@dataclass(frozen=True)
class ClockSync:
    """Estimated relation between the insole clock and the lab clock.

    Parameters
    ----------
    offset_s
        Lab time at insole time zero, seconds.
    drift_ppm
        Rate of the lab clock relative to the insole clock minus one, in
        parts per million: ``t_lab = offset_s + t_insole * (1 + drift_ppm * 1e-6)``.
    peak_ratio
        Height of the global correlation peak over the best peak more than
        the exclusion zone (a fraction of a step period) away; ``inf`` when
        there is no other peak.  Large is unambiguous.
    residual_s
        Root-mean-square residual of the paired onsets around the fitted clock model, seconds.
    n_windows
        Number of onset pairs (local lag measurements) in the final fit.
    """

    offset_s: float
    drift_ppm: float
    peak_ratio: float
    residual_s: float
    n_windows: int


def insole_to_lab_time(t_insole_s: np.ndarray | float, sync: ClockSync) -> np.ndarray | float:
    """Map insole-clock times to the lab clock.

    Parameters
    ----------
    t_insole_s
        Times on the insole clock, seconds.
    sync
        Clock relation from :func:`synchronise_clocks`.

    Returns
    -------
    numpy.ndarray or float
        ``sync.offset_s + t_insole_s * (1 + sync.drift_ppm * 1e-6)``.

    Examples
    --------
    >>> insole_to_lab_time(10.0, ClockSync(2.5, 100.0, 3.0, 1e-4, 20))
    12.501
    """
    scale = 1.0 + sync.drift_ppm * 1e-6
    if np.ndim(t_insole_s):
        return sync.offset_s + np.asarray(t_insole_s, dtype=float) * scale
    return sync.offset_s + float(t_insole_s) * scale


def lab_to_insole_time(t_lab_s: np.ndarray | float, sync: ClockSync) -> np.ndarray | float:
    """Map lab-clock times to the insole clock (inverse of :func:`insole_to_lab_time`).

    Parameters
    ----------
    t_lab_s
        Times on the lab clock, seconds.
    sync
        Clock relation from :func:`synchronise_clocks`.

    Returns
    -------
    numpy.ndarray or float
        ``(t_lab_s - sync.offset_s) / (1 + sync.drift_ppm * 1e-6)``.
    """
    scale = 1.0 + sync.drift_ppm * 1e-6
    if np.ndim(t_lab_s):
        return (np.asarray(t_lab_s, dtype=float) - sync.offset_s) / scale
    return (float(t_lab_s) - sync.offset_s) / scale


def contact_onsets(
    time_s: np.ndarray,
    signal: np.ndarray,
    sampling_rate_hz: float,
    *,
    threshold_n: float | None = None,
    threshold_fraction: float = 0.005,
    channel: str = "signal",
) -> np.ndarray:
    """Contact onset times of a force (absolute threshold) or a load (relative threshold).

    Each contact is found by :func:`grfkit.preprocess.events.detect_contacts` (force,
    zero offset removed by :func:`grfkit.preprocess.events.unloaded_level`) or
    :func:`grfkit.preprocess.events.detect_load_contacts` (load).  Its threshold crossing
    ``t1`` (level ``a``) is then extrapolated back to the resting level ``b``
    (zero for the force once its offset is removed, the load's resting level
    from :func:`grfkit.preprocess.events.load_levels`) along the chord to the crossing
    ``t3`` of the level ``b + 3 (a - b)``: ``onset = t1 - (t3 - t1) / 2``.
    This estimates the instant the signal leaves rest — touch-down — in the
    same way for both signals, whatever their units and threshold (without it,
    a 20 N force crossing and an insole crossing differ by the time the force
    needs to climb between the two levels).  Where the upper level is not
    reached within 80 samples the crossing itself is used.

    Parameters
    ----------
    time_s
        Timestamps, seconds.
    signal
        Shape ``(n,)``, or ``(n, k)`` for ``k`` separate loads (e.g. left and
        right insole sums) whose onsets are pooled.
    sampling_rate_hz
        Nominal sampling rate in hertz.
    threshold_n
        Absolute threshold in newtons (force); if ``None`` use ``threshold_fraction``.
    threshold_fraction
        Relative threshold (:func:`grfkit.preprocess.events.load_levels`; never below 5
        noise standard deviations).
    channel
        Name for error messages.

    Returns
    -------
    numpy.ndarray
        Sorted onset times (contacts cut by the recording's start excluded).

    Raises
    ------
    LengthMismatchError
        If ``time_s`` and ``signal`` differ in length.
    NoContactError, DropoutError, UnendedContactError
        From the contact detection.
    """
    return _contact_onsets(
        time_s,
        signal,
        sampling_rate_hz,
        threshold_n=threshold_n,
        threshold_fraction=threshold_fraction,
        channel=channel,
    )


def _contact_onsets(
    time_s: np.ndarray,
    signal: np.ndarray,
    sampling_rate_hz: float,
    *,
    threshold_n: float | None = None,
    threshold_fraction: float = 0.005,
    channel: str | Sequence[str] = "signal",
    period_s: float | None = None,
) -> np.ndarray:
    """:func:`contact_onsets`; ``period_s`` is the median sample interval of ``time_s`` when already known.

    ``channel`` names the signal in errors, or each of its columns (a sequence).
    """
    x = np.asarray(signal, dtype=float)
    t = np.asarray(time_s, dtype=float)
    if x.shape[0] != t.shape[0]:
        raise LengthMismatchError(f"time has {t.shape[0]} samples but the signal has {x.shape[0]}",
                                  channel=channel if isinstance(channel, str) else ", ".join(channel))
    columns = x.reshape(len(x), -1)
    onsets = []
    for k in range(columns.shape[1]):
        if not isinstance(channel, str):
            name = channel[k]
        else:
            name = channel if columns.shape[1] == 1 else f"{channel}[{k}]"
        column = _finite_1d(columns[:, k], name)
        t_axis = _time_axis(len(column), sampling_rate_hz, t, 0.0, name)
        if threshold_n is not None:
            column = column - unloaded_level(column, threshold_n)
            rest, level = 0.0, threshold_n
        else:
            rest, level = load_levels(column, threshold_fraction, channel=name)
        found = _threshold_crossings(
            column, t_axis, level, rest, 0.05, 0.01, 1.0, name, "N" if threshold_n is not None else "units", period_s
        )
        finite = np.isfinite(found["ic_s"])
        crossing = found["ic_s"][finite]
        upper = _up_crossings(column, t, rest + 3.0 * (level - rest), found["ic_index"][finite], window=80)
        onsets.append(np.where(np.isfinite(upper), crossing - 0.5 * (upper - crossing), crossing))
    return np.sort(np.concatenate(onsets))


def _up_crossings(x: np.ndarray, t: np.ndarray, level: float, first: np.ndarray, window: int) -> np.ndarray:
    """Interpolated first crossing of ``level`` in ``x[first : first + window]`` (NaN if none)."""
    if len(first) == 0:
        return np.empty(0)
    index = np.minimum(first[:, None] + np.arange(window)[None, :], len(x) - 1)
    above = x[index] > level
    found = above.any(axis=1)
    i = np.maximum(index[np.arange(len(first)), np.argmax(above, axis=1)], 1)
    crossing = t[i - 1] + (level - x[i - 1]) / (x[i] - x[i - 1]) * (t[i] - t[i - 1])
    return np.where(found, crossing, np.nan)


def _onset_correlation(
    lab_on: np.ndarray, insole_on: np.ndarray, max_offset_s: float, kernel_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Cross-correlation of two onset trains, Gaussian kernel, at lags ``|lag| <= max_offset_s``.

    The correlation of two impulse trains is a sum over all pairs of onsets
    of the kernel evaluated at (lab onset - insole onset - lag).  It is
    computed from the pairwise differences that fall within the searched lags
    (histogram on a ``kernel_s / 2`` grid, impulses split linearly between
    bins, then convolved with the sampled kernel), which costs time in
    proportion to the number of onset pairs rather than samples.  Normalised
    by the number of lab onsets: 1.0 when every lab onset has an insole onset
    at exactly that lag.  The lags (read-only) are the same for every call
    with the same ``max_offset_s`` and ``kernel_s``.
    """
    grid = _lag_grid(max_offset_s, kernel_s)
    histogram = _onset_histogram(lab_on, insole_on, grid)
    return grid.lag, _correlation_at(histogram, grid, 0, len(grid.lag), len(lab_on))


@dataclass(frozen=True)
class _LagGrid:
    """The lag grid of :func:`_onset_correlation`: histogram bins, kernel taps and the searched bins."""

    resolution_s: float
    reach_s: float
    n_bins: int
    taps: np.ndarray
    lag: np.ndarray  # lags of the searched bins (read-only)
    first: int  # histogram bin of lag[0]


@lru_cache(maxsize=8)
def _lag_grid(max_offset_s: float, kernel_s: float) -> _LagGrid:
    resolution_s = kernel_s / 2
    reach_s = max_offset_s + 4 * kernel_s
    n_bins = int(math.ceil(2 * reach_s / resolution_s)) + 2
    taps = np.exp(-0.5 * (np.arange(-8, 9) * resolution_s / kernel_s) ** 2)
    lag = np.arange(n_bins) * resolution_s - reach_s
    searched = np.flatnonzero(np.abs(lag) <= max_offset_s)  # one run: the lags increase
    lag = lag[searched]
    lag.setflags(write=False)
    return _LagGrid(resolution_s, reach_s, n_bins, taps, lag, int(searched[0]) if len(searched) else 0)


def _onset_histogram(lab_on: np.ndarray, insole_on: np.ndarray, grid: _LagGrid) -> np.ndarray:
    """Onset pair differences on the lag grid (each split linearly between its two bins)."""
    reach_s, resolution_s, n_bins = grid.reach_s, grid.resolution_s, grid.n_bins
    lo = np.searchsorted(insole_on, lab_on - reach_s)
    hi = np.searchsorted(insole_on, lab_on + reach_s)
    counts = hi - lo
    lab_index = np.repeat(np.arange(len(lab_on)), counts)
    insole_index = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts - lo, counts)
    position = (lab_on[lab_index] - insole_on[insole_index] + reach_s) / resolution_s
    lower = np.floor(position).astype(np.int64)
    weight = position - lower
    return np.bincount(lower, 1.0 - weight, n_bins) + np.bincount(lower + 1, weight, n_bins)


def _correlation_at(histogram: np.ndarray, grid: _LagGrid, start: int, stop: int, n_lab: int) -> np.ndarray:
    """Correlation at the searched lags ``start:stop``: the histogram convolved with the kernel, over ``n_lab``.

    Only the bins needed are convolved ("valid" mode): each value is the same
    dot product of 17 values that a convolution of the whole histogram
    computes, so the numbers are identical.  (The searched lags stay a kernel
    length away from the histogram's ends, where "same" mode would shorten
    the dot products; should they not, the whole histogram is convolved.)
    """
    a, b = grid.first + start, grid.first + stop
    if a < 8 or b + 8 > len(histogram):
        return np.convolve(histogram, grid.taps, mode="same")[a:b] / n_lab
    return np.convolve(histogram[a - 8 : b + 8], grid.taps, mode="valid") / n_lab


def _pairs(
    lab_times: np.ndarray, insole_times: np.ndarray, offset_s: float, drift: float, window_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pair each lab event with the nearest mapped insole event within ``window_s``.

    Returns the insole times of the pairs and the local lags ``t_lab - t_insole``.
    """
    if len(insole_times) == 0 or len(lab_times) == 0:
        return np.empty(0), np.empty(0)
    mapped = offset_s + insole_times * (1 + drift)
    after = np.clip(np.searchsorted(mapped, lab_times), 1, max(len(mapped) - 1, 1))
    before = np.maximum(after - 1, 0)
    after = np.minimum(after, len(mapped) - 1)
    nearest = np.where(np.abs(mapped[before] - lab_times) < np.abs(mapped[after] - lab_times), before, after)
    paired = np.abs(mapped[nearest] - lab_times) <= window_s
    x = insole_times[nearest[paired]]
    return x, lab_times[paired] - x


def _robust_line(x: np.ndarray, y: np.ndarray, fit_slope: bool) -> tuple[float, float, np.ndarray]:
    """Least-squares line with one round of outlier rejection; returns intercept, slope, inlier mask."""
    inliers = np.ones(len(x), dtype=bool)
    for _ in range(2):
        if fit_slope:
            slope, intercept = np.polyfit(x[inliers], y[inliers], 1)
        else:
            slope, intercept = 0.0, float(np.mean(y[inliers]))
        residual = y - (intercept + slope * x)
        mad = np.median(np.abs(residual[inliers] - np.median(residual[inliers])))
        limit = max(4.0 * 1.4826 * mad, 5e-4)
        new = np.abs(residual) <= limit
        if new.sum() < 2 or np.array_equal(new, inliers):
            break
        inliers = new
    return float(intercept), float(slope), inliers


def synchronise_clocks(
    insole_time_s: np.ndarray,
    insole_load: np.ndarray,
    lab_time_s: np.ndarray,
    lab_force_n: np.ndarray,
    *,
    insole_rate_hz: float = 1000.0,
    lab_rate_hz: float = 1000.0,
    threshold_n: float = 20.0,
    insole_threshold_fraction: float = 0.005,
    max_offset_s: float = 30.0,
    max_drift_ppm: float = 100.0,
    kernel_s: float = 0.003,
    exclusion_fraction: float = 0.5,
    min_peak_ratio: float = 1.25,
    min_match_fraction: float = 0.5,
    min_drift_span_s: float = 10.0,
) -> ClockSync:
    """Estimate the insole clock's offset and drift against the lab clock.

    See the module notes for the method.

    Parameters
    ----------
    insole_time_s
        Insole timestamps (insole clock), seconds.
    insole_load
        Insole load, shape ``(n,)`` (sum of both insoles' FSR counts) or
        ``(n, 2)`` (one sum per foot; preferred: the threshold can be lower
        — on simulated overground bouts the error was about half — and
        onsets stay visible even without a flight phase).
    lab_time_s
        Force timestamps (lab clock), seconds.
    lab_force_n
        Total measured vertical force in newtons: sum of all plates'
        ``fz`` (overground) or the belt's (treadmill).
    insole_rate_hz, lab_rate_hz
        Nominal sampling rates in hertz.
    threshold_n
        Force threshold for lab onsets, newtons.
    insole_threshold_fraction
        Relative threshold for insole onsets (fraction of the load range).
    max_offset_s
        Largest offset searched, seconds (offset at the insole's first sample).
    max_drift_ppm
        Largest clock drift searched, ppm.
    kernel_s
        Standard deviation of the Gaussian onset kernel, seconds: larger than
        the onset timing noise, smaller than the step-time variability.
    exclusion_fraction
        Half-width of the zone around the best peak, as a fraction of the
        median step period, outside which the second peak is sought.
    min_peak_ratio
        Smallest accepted peak ratio.
    min_match_fraction
        Smallest accepted correlation peak (fraction of lab onsets matched).
    min_drift_span_s
        Smallest insole-time span of the paired onsets for which the drift is fitted.

    Returns
    -------
    ClockSync
        Offset, drift, peak ratio, residual and number of onset pairs.

    Raises
    ------
    SyncError
        If the recordings cannot overlap within ``max_offset_s``, too few
        onsets are found (also when a signal has no contact at all), no lag
        matches ``min_match_fraction`` of the lab onsets (no peak), the peak
        ratio is below ``min_peak_ratio`` (ambiguous), or fewer than two
        onsets pair up.
    DropoutError, UnendedContactError, LengthMismatchError
        From the onset detection of either signal (NaN samples, a load or
        force stuck above threshold, time and signal of different lengths).
    """
    return _synchronise_clocks(
        insole_time_s,
        insole_load,
        lab_time_s,
        lab_force_n,
        insole_rate_hz=insole_rate_hz,
        lab_rate_hz=lab_rate_hz,
        threshold_n=threshold_n,
        insole_threshold_fraction=insole_threshold_fraction,
        max_offset_s=max_offset_s,
        max_drift_ppm=max_drift_ppm,
        kernel_s=kernel_s,
        exclusion_fraction=exclusion_fraction,
        min_peak_ratio=min_peak_ratio,
        min_match_fraction=min_match_fraction,
        min_drift_span_s=min_drift_span_s,
    )


#: Widest clock drift, ppm, that a failed synchronisation looks for to explain itself.
DIAGNOSTIC_MAX_DRIFT_PPM: float = 5000.0


def _drift_search(
    lab_on: np.ndarray,
    ins_on: np.ndarray,
    t_ref: float,
    max_offset_s: float,
    max_drift_ppm: float,
    kernel_s: float,
    min_drift_ppm: float = 0.0,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Drifts (fractions) with ``min_drift_ppm <= |drift| <= max_drift_ppm`` and the onset correlation at each.

    The grid is fine enough that the misalignment a drift step leaves over
    the recording stays below ``kernel_s / 2``; zero drift is on it.
    """
    span_s = float(ins_on[-1] - ins_on[0])
    n_drifts = int(math.ceil(2 * max_drift_ppm * 1e-6 * span_s / kernel_s)) + 1
    n_drifts += 1 - n_drifts % 2  # odd: zero drift is on the grid
    drifts = np.linspace(-max_drift_ppm, max_drift_ppm, n_drifts) * 1e-6
    drifts = drifts[np.abs(drifts) >= min_drift_ppm * 1e-6]
    scores = [  # per drift: correlation at each lag
        _onset_correlation(lab_on, t_ref + (ins_on - t_ref) * (1 + drift), max_offset_s, kernel_s)[1]
        for drift in drifts
    ]
    return drifts, scores


def _raise_if_drift_beyond(
    lab_on: np.ndarray,
    ins_on: np.ndarray,
    t_ref: float,
    max_offset_s: float,
    max_drift_ppm: float,
    kernel_s: float,
    min_match_fraction: float,
) -> None:
    """SyncError naming the drift if one beyond ``max_drift_ppm`` (up to :data:`DIAGNOSTIC_MAX_DRIFT_PPM`) aligns.

    Called only when no drift within the searched range aligns the onsets,
    so that a clock running far off (a wrong rate in the insole's firmware, a
    resampled export) is not reported as a mere lack of a correlation peak.
    """
    if max_drift_ppm >= DIAGNOSTIC_MAX_DRIFT_PPM:
        return
    drifts, scores = _drift_search(
        lab_on, ins_on, t_ref, max_offset_s, DIAGNOSTIC_MAX_DRIFT_PPM, kernel_s, min_drift_ppm=max_drift_ppm
    )
    if not len(drifts):
        return
    best = [float(score.max()) for score in scores]
    k = int(np.argmax(best))
    if best[k] >= min_match_fraction:
        raise SyncError(
            f"clock drift of about {drifts[k] * 1e6:+.0f} ppm between the insole and the lab clock "
            f"({100 * best[k]:.0f} % of the {len(lab_on)} force contacts then meet an insole contact): beyond what "
            f"synchronisation corrects, max_drift_ppm = {max_drift_ppm:g} ppm (crystal clocks drift tens of ppm). "
            "Check the insole timestamps (a wrong sampling rate in the export?)"
        )


def _synchronise_clocks(
    insole_time_s: np.ndarray,
    insole_load: np.ndarray,
    lab_time_s: np.ndarray,
    lab_force_n: np.ndarray,
    *,
    insole_rate_hz: float = 1000.0,
    lab_rate_hz: float = 1000.0,
    threshold_n: float = 20.0,
    insole_threshold_fraction: float = 0.005,
    max_offset_s: float = 30.0,
    max_drift_ppm: float = 100.0,
    kernel_s: float = 0.003,
    exclusion_fraction: float = 0.5,
    min_peak_ratio: float = 1.25,
    min_match_fraction: float = 0.5,
    min_drift_span_s: float = 10.0,
    insole_period_s: float | None = None,
    lab_period_s: float | None = None,
    insole_channels: Sequence[str] | None = None,
) -> ClockSync:
    """:func:`synchronise_clocks`; the periods are the median sample intervals of the time axes when known.

    ``insole_channels`` names the columns of ``insole_load`` in errors (default ``insole load[k]``).
    """
    if not (kernel_s > 0 and max_offset_s > 0 and max_drift_ppm >= 0):
        raise ConfigError("kernel_s and max_offset_s must be positive and max_drift_ppm non-negative")
    t_ins = np.asarray(insole_time_s, dtype=float)
    t_lab = np.asarray(lab_time_s, dtype=float)
    if len(t_ins) < 2 or len(t_lab) < 2:
        raise SyncError("need at least two insole and two force samples")
    # can the recordings overlap at all within the searched offsets?
    gap_s = max(t_lab[0] - (t_ins[-1] + max_offset_s), (t_ins[0] - max_offset_s) - t_lab[-1])
    if gap_s > 0:
        raise SyncError(
            f"no overlap: insole {t_ins[0]:.3f}-{t_ins[-1]:.3f} s and force {t_lab[0]:.3f}-{t_lab[-1]:.3f} s "
            f"are more than max_offset_s={max_offset_s:g} s apart"
        )
    try:
        lab_on = _contact_onsets(
            t_lab, lab_force_n, lab_rate_hz, threshold_n=threshold_n, channel="total vertical force",
            period_s=lab_period_s,
        )
        ins_on = _contact_onsets(
            t_ins, insole_load, insole_rate_hz, threshold_fraction=insole_threshold_fraction,
            channel="insole load" if insole_channels is None else insole_channels, period_s=insole_period_s,
        )
    except NoContactError as error:
        raise SyncError(f"no correlation peak: {error}") from error
    if len(lab_on) < 2 or len(ins_on) < 2:
        raise SyncError(f"too few contact onsets to align: {len(lab_on)} in the force, {len(ins_on)} in the insole")
    step_period_s = float(np.median(np.diff(ins_on)))

    # ---- step 1: global correlation over lags and a grid of drifts
    t_ref = float(t_ins[0])
    lag = _lag_grid(max_offset_s, kernel_s).lag  # offsets at the insole's first sample, shared by all drifts
    if len(lag) == 0:
        raise SyncError(f"no lag within max_offset_s={max_offset_s:g} s brings the onsets into overlap")
    drifts, scores = _drift_search(lab_on, ins_on, t_ref, max_offset_s, max_drift_ppm, kernel_s)
    peaks = [int(np.argmax(score)) for score in scores]
    k_best = int(np.argmax([score[i] for score, i in zip(scores, peaks, strict=True)]))
    best_score = float(scores[k_best][peaks[k_best]])
    best_lag = float(lag[peaks[k_best]])
    best_drift = float(drifts[k_best])
    if not best_score >= min_match_fraction:
        _raise_if_drift_beyond(lab_on, ins_on, t_ref, max_offset_s, max_drift_ppm, kernel_s, min_match_fraction)
        raise SyncError(
            f"no correlation peak: at best {100 * max(best_score, 0):.0f} % of the {len(lab_on)} force contacts "
            f"meet an insole contact (need {100 * min_match_fraction:.0f} %)"
        )
    exclusion_s = exclusion_fraction * step_period_s
    outside = np.abs(lag - best_lag) > exclusion_s
    inside = np.flatnonzero(~outside)
    if len(inside) and inside[-1] - inside[0] + 1 == len(inside):  # the usual case: one zone around the peak
        a, b = int(inside[0]), int(inside[-1]) + 1
        second = max(max(float(score[:a].max(initial=0.0)), float(score[b:].max(initial=0.0))) for score in scores)
    else:
        second = max(float(np.max(score[outside], initial=0.0)) for score in scores)
    peak_ratio = best_score / second if second > 0 else math.inf
    if peak_ratio < min_peak_ratio:
        raise SyncError(
            f"ambiguous alignment: correlation peak {best_score:.3f} at offset {best_lag:.4f} s, second peak "
            f"{second:.3f} more than {exclusion_fraction:g} step periods ({step_period_s:.3f} s) away; "
            f"ratio {peak_ratio:.2f} < min_peak_ratio {min_peak_ratio:g} (too little step-to-step variability?)"
        )

    # ---- step 2: pair onsets, robust line fit of the local lags, re-pair, refit
    offset_s = best_lag - best_drift * t_ref  # model offset (at insole time zero)
    drift = best_drift
    window_s = 3.0 * kernel_s
    for _ in range(2):
        x, y = _pairs(lab_on, ins_on, offset_s, drift, window_s)
        if len(x) < 2:
            raise SyncError(f"only {len(x)} force contact(s) pair with an insole contact")
        fit_slope = (x.max() - x.min()) >= min_drift_span_s
        centre = float(np.mean(x))
        intercept, slope, inliers = _robust_line(x - centre, y, fit_slope)
        offset_s, drift = intercept - slope * centre, slope
        residual = y - (offset_s + drift * x)
        window_s = max(5.0 * float(np.sqrt(np.mean(residual[inliers] ** 2))), 0.003)
    if not fit_slope:
        warnings.warn(
            f"paired contacts span only {x.max() - x.min():.1f} s of insole time (< min_drift_span_s="
            f"{min_drift_span_s:g} s): clock drift not estimated, set to 0",
            stacklevel=2,
        )
    return ClockSync(
        offset_s=float(offset_s),
        drift_ppm=float(drift * 1e6),
        peak_ratio=float(peak_ratio),
        residual_s=float(np.sqrt(np.mean(residual[inliers] ** 2))),
        n_windows=int(inliers.sum()),
    )
