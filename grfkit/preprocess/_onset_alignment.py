"""Alignment of two onset trains (package-private): correlation over lags and drifts, pairing, line fit.

The cores of :func:`grfkit.preprocess.synchronisation.synchronise_clocks`:
the Gaussian-kernel cross-correlation of two onset trains computed from
their pairwise differences, the search over a grid of clock drifts, the
pairing of onsets under a clock model and a robust line through the pairs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from grfkit.errors import SyncError

#: Widest clock drift, ppm, that a failed synchronisation looks for to explain itself.
DIAGNOSTIC_MAX_DRIFT_PPM: float = 5000.0


def onset_correlation(
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
    grid = lag_grid(max_offset_s, kernel_s)
    histogram = onset_histogram(lab_on, insole_on, grid)
    return grid.lag, correlation_at(histogram, grid, 0, len(grid.lag), len(lab_on))


@dataclass(frozen=True)
class LagGrid:
    """The lag grid of :func:`onset_correlation`: histogram bins, kernel taps and the searched bins."""

    resolution_s: float
    reach_s: float
    n_bins: int
    taps: np.ndarray
    lag: np.ndarray  # lags of the searched bins (read-only)
    first: int  # histogram bin of lag[0]


@lru_cache(maxsize=8)
def lag_grid(max_offset_s: float, kernel_s: float) -> LagGrid:
    resolution_s = kernel_s / 2
    reach_s = max_offset_s + 4 * kernel_s
    n_bins = int(math.ceil(2 * reach_s / resolution_s)) + 2
    taps = np.exp(-0.5 * (np.arange(-8, 9) * resolution_s / kernel_s) ** 2)
    lag = np.arange(n_bins) * resolution_s - reach_s
    searched = np.flatnonzero(np.abs(lag) <= max_offset_s)  # one run: the lags increase
    lag = lag[searched]
    lag.setflags(write=False)
    return LagGrid(resolution_s, reach_s, n_bins, taps, lag, int(searched[0]) if len(searched) else 0)


def onset_histogram(lab_on: np.ndarray, insole_on: np.ndarray, grid: LagGrid) -> np.ndarray:
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


def correlation_at(histogram: np.ndarray, grid: LagGrid, start: int, stop: int, n_lab: int) -> np.ndarray:
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


def pair_onsets(
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


def robust_line(x: np.ndarray, y: np.ndarray, fit_slope: bool) -> tuple[float, float, np.ndarray]:
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


def drift_search(
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
        onset_correlation(lab_on, t_ref + (ins_on - t_ref) * (1 + drift), max_offset_s, kernel_s)[1]
        for drift in drifts
    ]
    return drifts, scores


def raise_if_drift_beyond(
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
    drifts, scores = drift_search(
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
