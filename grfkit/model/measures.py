"""Discrete measures of a stance's force curve: peaks, loading rate, impulses.

:func:`grfkit.model.measures.discrete_measures` gives, for every time-normalised curve in body
weights (BW), the numbers runners and clinicians read off a force curve:
for the vertical force its peak and loading rate, for the anteroposterior
force its braking and propulsive peaks and impulses.  The curves'
``n_points`` samples span the stance evenly from initial contact to toe-off,
so a sample lasts ``contact_time_s / (n_points - 1)``.  Both the field
estimates (:func:`grfkit.field.predict.predict_stances`) and the accuracy
metrics (:func:`grfkit.model.metrics.stance_metrics`) use these
definitions, so they live only here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grfkit.errors import LengthMismatchError
from grfkit.model.features import target_channel

__all__ = ["MEASURE_COLUMNS", "discrete_measures"]

#: The columns :func:`grfkit.model.measures.discrete_measures` returns, per target.
MEASURE_COLUMNS: dict[str, tuple[str, ...]] = {
    "vgrf": ("peak_bw", "loading_rate_bw_per_s"),
    "apgrf": (
        "braking_peak_bw",
        "propulsive_peak_bw",
        "braking_impulse_bws",
        "propulsive_impulse_bws",
    ),
}
#: The loading rate's window: from this fraction of the peak to the next, on the rise before it.
_RISE_FROM, _RISE_TO = 0.2, 0.8


def _impulse_bws(curve_bw: np.ndarray, contact_time_s: np.ndarray) -> np.ndarray:
    """Trapezoidal integral of each curve over its stance, BW·s."""
    dt_s = contact_time_s / (curve_bw.shape[-1] - 1)
    return np.trapezoid(curve_bw, axis=-1) * dt_s


def _last_below(curve: np.ndarray, level: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Per row, the last sample index ``< before`` whose value is below ``level``; -1 if none."""
    index = np.arange(curve.shape[1])
    below = (curve < level[:, None]) & (index[None, :] < before[:, None])
    return np.where(below, index[None, :], -1).max(axis=1)


def _crossing(curve: np.ndarray, i: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Fractional sample index where each row rises through ``level`` between ``i`` and ``i + 1``."""
    rows = np.arange(len(curve))
    lo, hi = curve[rows, i], curve[rows, i + 1]
    return i + (level - lo) / (hi - lo)


def _loading_rate_bw_per_s(curve_bw: np.ndarray, contact_time_s: np.ndarray) -> np.ndarray:
    n = len(curve_bw)
    out = np.full(n, np.nan)
    peak_at = curve_bw.argmax(axis=1)
    peak = curve_bw[np.arange(n), peak_at]
    top, bottom = _RISE_TO * peak, _RISE_FROM * peak
    i_top = _last_below(curve_bw, top, peak_at)
    ok = (peak > 0) & (i_top >= 0)
    i_bottom = _last_below(curve_bw, bottom, np.where(ok, i_top + 1, 0))
    ok &= i_bottom >= 0
    if ok.any():
        c = curve_bw[ok]
        t_top = _crossing(c, i_top[ok], top[ok])
        t_bottom = _crossing(c, i_bottom[ok], bottom[ok])
        dt_s = contact_time_s[ok] / (curve_bw.shape[1] - 1)
        out[ok] = (top[ok] - bottom[ok]) / ((t_top - t_bottom) * dt_s)
    return out


def discrete_measures(
    curve_bw: np.ndarray, contact_time_s: np.ndarray | float, target: str
) -> pd.DataFrame:
    """Discrete measures of each stance's force curve.

    Vertical force (``target="vgrf"``):

    - ``peak_bw``: the curve's maximum.
    - ``loading_rate_bw_per_s``: the mean slope of the rise to the peak
      between 20 % and 80 % of the peak, i.e. ``0.6 * peak / (t80 - t20)``,
      where ``t80`` is the last upward crossing of 80 % of the peak before
      the peak and ``t20`` the last upward crossing of 20 % of the peak
      before ``t80``, both interpolated linearly between samples.  This is
      the 20-80 % "average loading rate" window of Milner et al. (2006,
      Med Sci Sports Exerc 38(2):323-328), taken here up to the curve's
      maximum because an estimated curve need not show a distinct impact
      peak.  NaN when the curve has no such rise: a maximum not above zero,
      or a curve already above 20 % (or 80 %) of its peak at every sample
      before the peak (e.g. a stance cut after initial contact).

    Anteroposterior force (``target="apgrf"``, braking negative):

    - ``braking_peak_bw``: the magnitude of the most negative value,
      ``-min(curve)`` (positive for any curve that brakes).
    - ``propulsive_peak_bw``: the maximum, ``max(curve)``.
    - ``braking_impulse_bws``: the integral of the braking part,
      ``-min(curve, 0)``, over the stance (trapezoidal rule), a magnitude.
    - ``propulsive_impulse_bws``: the integral of ``max(curve, 0)``.

    Parameters
    ----------
    curve_bw
        Force curves in body weights, ``(n_stances, n_points)`` or one curve
        ``(n_points,)``, evenly spaced from initial contact to toe-off.
    contact_time_s
        Stance duration per curve, ``(n_stances,)`` (or a scalar), seconds.
    target
        ``"vgrf"`` or ``"apgrf"``.

    Returns
    -------
    pandas.DataFrame
        One row per curve, columns :data:`grfkit.model.measures.MEASURE_COLUMNS` ``[target]``.

    Raises
    ------
    ConfigError
        For an unknown target.
    LengthMismatchError
        If a curve has fewer than 2 points or ``contact_time_s`` does not
        give one duration per curve.

    Examples
    --------
    >>> curve = np.sin(np.linspace(0.0, np.pi, 101))
    >>> row = discrete_measures(curve, 0.25, "vgrf").iloc[0]
    >>> round(float(row["peak_bw"]), 3), round(float(row["loading_rate_bw_per_s"]), 1)
    (1.0, 10.4)
    """
    target_channel(target)
    curves = np.asarray(curve_bw, dtype=np.float64)
    curves = curves[None, :] if curves.ndim == 1 else curves
    if curves.ndim != 2 or curves.shape[1] < 2:
        raise LengthMismatchError(
            f"curves must be (n_stances, n_points >= 2), got shape {np.shape(curve_bw)}"
        )
    contact = np.asarray(contact_time_s, dtype=np.float64)
    if contact.shape not in ((), (len(curves),)):
        raise LengthMismatchError(
            f"contact_time_s {contact.shape} must give one duration per curve ({len(curves)})"
        )
    contact = np.broadcast_to(contact, (len(curves),))
    if target == "vgrf":
        table = {
            "peak_bw": curves.max(axis=1),
            "loading_rate_bw_per_s": _loading_rate_bw_per_s(curves, contact),
        }
    else:
        table = {
            "braking_peak_bw": -curves.min(axis=1),
            "propulsive_peak_bw": curves.max(axis=1),
            "braking_impulse_bws": _impulse_bws(-np.minimum(curves, 0.0), contact),
            "propulsive_impulse_bws": _impulse_bws(np.maximum(curves, 0.0), contact),
        }
    return pd.DataFrame(table)
