"""The ensemble's uncertainty band, its split-conformal calibration and how to score it.

The band around the ensemble mean is ``mean ± q * (spread + eps)``
(:func:`ensemble_band`): ``spread`` is the members' standard deviation at each
point, ``eps`` a floor in body weights that keeps the band open where all
members agree, and ``q`` a scale fitted by split-conformal calibration on
participants the members never saw (:func:`conformity_scores`,
:func:`conformal_scales`).  Every calibration participant carries the same
weight, whatever its number of stances.  The 101 points of a stance, and the
stances of one runner, are correlated rather than exchangeable, so the
conformal guarantee holds only approximately: measure the coverage on other
participants (:func:`band_coverage`) and whether a wider band warns of a
larger error (:func:`width_error_correlation`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from grfkit.errors import ConfigError

__all__ = [
    "CALIBRATION_LEVELS",
    "DEFAULT_EPS_BW",
    "BandCoverage",
    "band_coverage",
    "conformal_scales",
    "conformity_scores",
    "ensemble_band",
    "width_error_correlation",
]

#: Floor added to the members' spread before scaling (body weights).
DEFAULT_EPS_BW: float = 0.01
#: Nominal levels at which the band scale is calibrated (0.50, 0.51, ..., 0.99); others are interpolated.
CALIBRATION_LEVELS: tuple[float, ...] = tuple(round(0.5 + 0.01 * k, 2) for k in range(50))


def ensemble_band(
    mean_bw: np.ndarray, spread_bw: np.ndarray, band_scale: float, eps_bw: float = DEFAULT_EPS_BW
) -> tuple[np.ndarray, np.ndarray]:
    """Return the band ``mean ± band_scale * (spread + eps)``.

    Parameters
    ----------
    mean_bw, spread_bw
        Members' mean and standard deviation, ``(n, 101)``, body weights.
    band_scale
        Calibrated scale ``q`` (non-negative).
    eps_bw
        Floor added to the spread (body weights).

    Returns
    -------
    lower_bw, upper_bw : numpy.ndarray
        Shaped as ``mean_bw``.
    """
    half_bw = band_scale * (np.asarray(spread_bw, dtype=np.float64) + eps_bw)
    return mean_bw - half_bw, mean_bw + half_bw


def conformity_scores(measured_bw: np.ndarray, mean_bw: np.ndarray, spread_bw: np.ndarray,
                      eps_bw: float = DEFAULT_EPS_BW) -> np.ndarray:
    """Return the normalised residuals ``|measured - mean| / (spread + eps)`` at every point.

    Parameters
    ----------
    measured_bw, mean_bw, spread_bw
        ``(n, 101)`` arrays in body weights; ``mean_bw`` and ``spread_bw``
        from members that never saw these stances' participants.
    eps_bw
        Floor added to the spread, > 0.

    Returns
    -------
    numpy.ndarray
        ``(n, 101)`` scores.

    Raises
    ------
    ConfigError
        If the shapes differ, ``eps_bw`` is not positive or a value is not finite.
    """
    measured_bw, mean_bw, spread_bw = (np.asarray(a, dtype=np.float64) for a in (measured_bw, mean_bw, spread_bw))
    if not measured_bw.shape == mean_bw.shape == spread_bw.shape:
        raise ConfigError(f"measured, mean and spread must have one shape, got "
                          f"{measured_bw.shape}, {mean_bw.shape}, {spread_bw.shape}")
    if not eps_bw > 0:
        raise ConfigError(f"eps_bw must be positive, got {eps_bw}")
    scores = np.abs(measured_bw - mean_bw) / (spread_bw + eps_bw)
    if not np.isfinite(scores).all():
        raise ConfigError("conformity scores hold NaN or infinite values (measured or estimated curves not finite)")
    return scores


def conformal_scales(scores: np.ndarray, participants: np.ndarray,
                     levels: tuple[float, ...] = CALIBRATION_LEVELS) -> np.ndarray:
    """Return the split-conformal band scale at each nominal level, every participant weighted equally.

    Each point's score gets the weight ``1 / (n_participants * points of its
    participant)``; the scale at level ``a`` is the smallest score whose
    cumulative weight reaches ``min(1, a * (n + 1) / n)``, ``n`` the number
    of points (the usual finite-sample correction).

    Parameters
    ----------
    scores
        ``(n_stances, 101)`` output of :func:`conformity_scores`.
    participants
        Participant of each stance, ``(n_stances,)``.
    levels
        Nominal levels in ``(0, 1)``.

    Returns
    -------
    numpy.ndarray
        One scale per level, non-decreasing.

    Raises
    ------
    ConfigError
        If there are no scores, the participants do not match the stances, or
        a level is outside ``(0, 1)``.
    """
    scores = np.asarray(scores, dtype=np.float64)
    participants = np.asarray(participants).astype(str)
    if scores.ndim != 2 or not len(scores) or len(participants) != len(scores):
        raise ConfigError(f"need (n_stances, points) scores and one participant per stance, got "
                          f"{scores.shape} and {participants.shape}")
    levels_arr = np.asarray(levels, dtype=np.float64)
    if not ((levels_arr > 0) & (levels_arr < 1)).all():
        raise ConfigError(f"nominal levels must lie in (0, 1), got {list(levels)}")
    _, inverse, counts = np.unique(participants, return_inverse=True, return_counts=True)
    weights = np.repeat(1.0 / (len(counts) * counts[inverse] * scores.shape[1]), scores.shape[1])
    flat = scores.ravel()
    order = np.argsort(flat, kind="stable")
    cumulative = np.cumsum(weights[order])
    cumulative /= cumulative[-1]
    targets = np.minimum(1.0, levels_arr * (flat.size + 1) / flat.size)
    index = np.minimum(np.searchsorted(cumulative, targets - 1e-12), flat.size - 1)
    return flat[order][index]


@dataclass(frozen=True)
class BandCoverage:
    """How many measured points a band holds.

    Parameters
    ----------
    overall
        Share of all points inside the band (bounds included).
    per_stance
        Share of each stance's points inside, ``(n_stances,)``.
    """

    overall: float
    per_stance: np.ndarray


def band_coverage(measured_bw: np.ndarray, lower_bw: np.ndarray, upper_bw: np.ndarray) -> BandCoverage:
    """Return the share of measured points inside the band, overall and per stance.

    Parameters
    ----------
    measured_bw, lower_bw, upper_bw
        ``(n_stances, 101)`` arrays in body weights.

    Returns
    -------
    BandCoverage

    Raises
    ------
    ConfigError
        If the shapes differ or are not two-dimensional.

    Examples
    --------
    >>> import numpy as np
    >>> band_coverage(np.array([[0.0, 2.0]]), np.zeros((1, 2)), np.ones((1, 2))).overall
    0.5
    """
    measured_bw, lower_bw, upper_bw = (np.asarray(a, dtype=np.float64) for a in (measured_bw, lower_bw, upper_bw))
    if measured_bw.ndim != 2 or not measured_bw.shape == lower_bw.shape == upper_bw.shape:
        raise ConfigError(f"measured, lower and upper must be (n_stances, points) arrays of one shape, got "
                          f"{measured_bw.shape}, {lower_bw.shape}, {upper_bw.shape}")
    inside = (measured_bw >= lower_bw) & (measured_bw <= upper_bw)
    return BandCoverage(overall=float(inside.mean()), per_stance=inside.mean(axis=1))


def width_error_correlation(measured_bw: np.ndarray, mean_bw: np.ndarray, lower_bw: np.ndarray,
                            upper_bw: np.ndarray) -> float:
    """Spearman correlation, over stances, of the band's mean half-width and the estimate's RMSE.

    Near 1: a wider band warns of a larger error; near 0: the width says
    nothing about the error of that stance.

    Parameters
    ----------
    measured_bw, mean_bw, lower_bw, upper_bw
        ``(n_stances, 101)`` arrays in body weights.

    Returns
    -------
    float
        NaN with fewer than 3 stances or a constant width or error.
    """
    measured_bw, mean_bw = np.asarray(measured_bw, dtype=np.float64), np.asarray(mean_bw, dtype=np.float64)
    half_width_bw = (np.asarray(upper_bw, dtype=np.float64) - np.asarray(lower_bw, dtype=np.float64)).mean(axis=1) / 2
    rmse_bw = np.sqrt(np.mean((measured_bw - mean_bw) ** 2, axis=1))
    if len(rmse_bw) < 3 or np.ptp(half_width_bw) == 0 or np.ptp(rmse_bw) == 0:
        return float("nan")
    return float(spearmanr(half_width_bw, rmse_bw).statistic)
