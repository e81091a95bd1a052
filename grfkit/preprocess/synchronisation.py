r"""Insole ↔ lab clock synchronisation from contact onsets.

The insoles (and the shoe IMU) run on their own clock, force plates and
markers on the lab clock: :math:`t_\mathrm{lab} = \mathrm{offset} +
t_\mathrm{insole}(1 + \mathrm{drift} \cdot 10^{-6})`.  :func:`synchronise_clocks`
estimates offset and drift post hoc, as in the study, by aligning the
*onsets* of contacts (:func:`contact_onsets`) in the insole load and in the
total vertical force: a global cross-correlation over lags and drifts, an
ambiguity test (peak ratio), then a robust line through the paired onsets.
:func:`insole_to_lab_time` and :func:`lab_to_insole_time` map times with
the result (:class:`ClockSync`).  The book's chapter 2 describes the method
and its measured accuracy.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from grfkit.errors import ConfigError, LengthMismatchError, NoContactError, SyncError
from grfkit.preprocess._onset_alignment import (
    drift_search,
    lag_grid,
    pair_onsets,
    raise_if_drift_beyond,
    robust_line,
)
from grfkit.preprocess._signals import finite_1d, threshold_crossings, time_axis
from grfkit.preprocess.config import SyncConfig
from grfkit.preprocess.events import load_levels, unloaded_level

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
    channel: str | Sequence[str] = "signal",
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
        Name for error messages, or one name per column (a sequence).

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
        column = finite_1d(columns[:, k], name)
        t_axis = time_axis(len(column), sampling_rate_hz, t, 0.0, name)
        if threshold_n is not None:
            column = column - unloaded_level(column, threshold_n)
            rest, level = 0.0, threshold_n
        else:
            rest, level = load_levels(column, threshold_fraction, channel=name)
        found = threshold_crossings(
            column, t_axis, level, rest, 0.05, 0.01, 1.0, name, "N" if threshold_n is not None else "units"
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


def synchronise_clocks(
    insole_time_s: np.ndarray,
    insole_load: np.ndarray,
    lab_time_s: np.ndarray,
    lab_force_n: np.ndarray,
    *,
    insole_rate_hz: float = 1000.0,
    lab_rate_hz: float = 1000.0,
    config: SyncConfig = SyncConfig(),
    insole_channels: Sequence[str] | None = None,
) -> ClockSync:
    """Estimate the insole clock's offset and drift against the lab clock.

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
    config
        Thresholds, search ranges and acceptance limits
        (:class:`grfkit.preprocess.config.SyncConfig`).
    insole_channels
        Names of the columns of ``insole_load`` in errors (default ``insole load[k]``).

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
    c = config
    max_offset_s, max_drift_ppm, kernel_s = c.max_offset_s, c.max_drift_ppm, c.kernel_s
    min_match_fraction, exclusion_fraction, min_peak_ratio = c.min_match_fraction, c.exclusion_fraction, c.min_peak_ratio
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
        lab_on = contact_onsets(
            t_lab, lab_force_n, lab_rate_hz, threshold_n=c.threshold_n, channel="total vertical force"
        )
        ins_on = contact_onsets(
            t_ins, insole_load, insole_rate_hz, threshold_fraction=c.insole_threshold_fraction,
            channel="insole load" if insole_channels is None else insole_channels,
        )
    except NoContactError as error:
        raise SyncError(f"no correlation peak: {error}") from error
    if len(lab_on) < 2 or len(ins_on) < 2:
        raise SyncError(f"too few contact onsets to align: {len(lab_on)} in the force, {len(ins_on)} in the insole")
    step_period_s = float(np.median(np.diff(ins_on)))

    # ---- step 1: global correlation over lags and a grid of drifts
    t_ref = float(t_ins[0])
    lag = lag_grid(max_offset_s, kernel_s).lag  # offsets at the insole's first sample, shared by all drifts
    if len(lag) == 0:
        raise SyncError(f"no lag within max_offset_s={max_offset_s:g} s brings the onsets into overlap")
    drifts, scores = drift_search(lab_on, ins_on, t_ref, max_offset_s, max_drift_ppm, kernel_s)
    peaks = [int(np.argmax(score)) for score in scores]
    k_best = int(np.argmax([score[i] for score, i in zip(scores, peaks, strict=True)]))
    best_score = float(scores[k_best][peaks[k_best]])
    best_lag = float(lag[peaks[k_best]])
    best_drift = float(drifts[k_best])
    if not best_score >= min_match_fraction:
        raise_if_drift_beyond(lab_on, ins_on, t_ref, max_offset_s, max_drift_ppm, kernel_s, min_match_fraction)
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
        x, y = pair_onsets(lab_on, ins_on, offset_s, drift, window_s)
        if len(x) < 2:
            raise SyncError(f"only {len(x)} force contact(s) pair with an insole contact")
        fit_slope = (x.max() - x.min()) >= c.min_drift_span_s
        centre = float(np.mean(x))
        intercept, slope, inliers = robust_line(x - centre, y, fit_slope)
        offset_s, drift = intercept - slope * centre, slope
        residual = y - (offset_s + drift * x)
        window_s = max(5.0 * float(np.sqrt(np.mean(residual[inliers] ** 2))), 0.003)
    if not fit_slope:
        warnings.warn(
            f"paired contacts span only {x.max() - x.min():.1f} s of insole time (< min_drift_span_s="
            f"{c.min_drift_span_s:g} s): clock drift not estimated, set to 0",
            stacklevel=2,
        )
    return ClockSync(
        offset_s=float(offset_s),
        drift_ppm=float(drift * 1e6),
        peak_ratio=float(peak_ratio),
        residual_s=float(np.sqrt(np.mean(residual[inliers] ** 2))),
        n_windows=int(inliers.sum()),
    )
