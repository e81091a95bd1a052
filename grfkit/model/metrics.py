"""Accuracy of estimated force curves: rRMSE and its companions.

The study's headline metric, per stance over its 101 points, is::

    rRMSE = RMSE(measured, estimated) / (max(measured) - min(measured)) * 100 %

with the range of the measured curve.  :func:`stance_metrics` scores each
stance (also RMSE in BW, Pearson's r, peak-force and impulse errors),
:func:`participant_metrics` averages per participant, :func:`summarise`
gives the mean and range across participants, and :func:`evaluate` does all
three.  Chapter 4 of the book discusses the definition.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from grfkit.constants import GRAVITY_MPS2
from grfkit.errors import ConfigError, LengthMismatchError
from grfkit.io.stances import StanceDataset
from grfkit.model.features import target_channel
from grfkit.model.measures import MEASURE_COLUMNS, discrete_measures

__all__ = [
    "rrmse_pct",
    "rmse",
    "pearson_r",
    "stance_metrics",
    "evaluate",
    "participant_metrics",
    "summarise",
    "median_and_worst_stances",
]


def _pair(measured: np.ndarray, estimated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    measured = np.asarray(measured, dtype=np.float64)
    estimated = np.asarray(estimated, dtype=np.float64)
    if measured.shape != estimated.shape:
        raise LengthMismatchError(f"measured {measured.shape} and estimated {estimated.shape} curves differ in shape")
    if measured.ndim == 0 or measured.shape[-1] < 2:
        raise LengthMismatchError(f"curves need at least 2 points on their last axis, got shape {measured.shape}")
    return measured, estimated


def rmse(measured: np.ndarray, estimated: np.ndarray) -> np.ndarray:
    """Root mean squared error of each curve, along the last axis.

    Parameters
    ----------
    measured, estimated
        Curves of the same shape ``(..., n_points)``, same unit.

    Returns
    -------
    numpy.ndarray
        Shape ``(...)``, in the curves' unit.

    Raises
    ------
    LengthMismatchError
        If the shapes differ.

    Examples
    --------
    >>> float(rmse(np.array([0.0, 1.0]), np.array([1.0, 2.0])))
    1.0
    """
    measured, estimated = _pair(measured, estimated)
    return np.sqrt(np.mean((estimated - measured) ** 2, axis=-1))


def rrmse_pct(measured: np.ndarray, estimated: np.ndarray) -> np.ndarray:
    """Relative RMSE of each curve: RMSE / range of the measured curve * 100.

    Parameters
    ----------
    measured, estimated
        Curves of the same shape ``(..., n_points)``, same unit.

    Returns
    -------
    numpy.ndarray
        Shape ``(...)``, percent; NaN where the measured curve is constant
        (zero range).

    Raises
    ------
    LengthMismatchError
        If the shapes differ.

    Examples
    --------
    >>> float(rrmse_pct(np.array([0.0, 2.0, 0.0]), np.array([0.0, 2.0, 0.3])))  # doctest: +ELLIPSIS
    8.66...
    """
    measured, estimated = _pair(measured, estimated)
    span = np.ptp(measured, axis=-1)
    error = rmse(measured, estimated)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(span > 0, 100.0 * error / np.where(span > 0, span, 1.0), np.nan)


def pearson_r(measured: np.ndarray, estimated: np.ndarray) -> np.ndarray:
    """Pearson correlation between each measured and estimated curve.

    Parameters
    ----------
    measured, estimated
        Curves of the same shape ``(..., n_points)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(...)``; NaN where either curve is constant.

    Raises
    ------
    LengthMismatchError
        If the shapes differ.
    """
    measured, estimated = _pair(measured, estimated)
    dm = measured - measured.mean(axis=-1, keepdims=True)
    de = estimated - estimated.mean(axis=-1, keepdims=True)
    denominator = np.sqrt((dm**2).sum(axis=-1) * (de**2).sum(axis=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(denominator > 0, (dm * de).sum(axis=-1) / np.where(denominator > 0, denominator, 1.0), np.nan)
    return np.clip(r, -1.0, 1.0)


def stance_metrics(
    measured_n: np.ndarray,
    estimated_n: np.ndarray,
    *,
    target: str,
    body_mass_kg: np.ndarray,
    contact_time_s: np.ndarray,
) -> pd.DataFrame:
    """Metrics of every stance.

    Parameters
    ----------
    measured_n, estimated_n
        Force curves in newtons, ``(n_stances, n_points)``.
    target
        ``"vgrf"`` or ``"apgrf"``: chooses the curve-feature errors.
    body_mass_kg
        Body mass per stance, ``(n_stances,)``.
    contact_time_s
        Stance duration per stance, ``(n_stances,)`` (for impulses).

    Returns
    -------
    pandas.DataFrame
        One row per stance: ``rrmse_pct``, ``rmse_bw``, ``r``, then for vGRF
        ``peak_error_bw``; for apGRF ``braking_peak_error_bw``,
        ``propulsive_peak_error_bw``, ``braking_impulse_error_bws``,
        ``propulsive_impulse_error_bws``.  Errors are estimated minus measured,
        of the measures of :func:`grfkit.model.measures.discrete_measures`
        (braking values are magnitudes).

    Raises
    ------
    ConfigError
        For an unknown target.
    LengthMismatchError
        If array shapes disagree.
    """
    target_channel(target)
    measured_n, estimated_n = _pair(measured_n, estimated_n)
    if measured_n.ndim != 2:
        raise LengthMismatchError(f"curves must be (n_stances, n_points), got {measured_n.shape}")
    n = measured_n.shape[0]
    body_mass_kg = np.asarray(body_mass_kg, dtype=np.float64)
    contact_time_s = np.asarray(contact_time_s, dtype=np.float64)
    if body_mass_kg.shape != (n,) or contact_time_s.shape != (n,):
        raise LengthMismatchError(
            f"body_mass_kg {body_mass_kg.shape} and contact_time_s {contact_time_s.shape} must have shape ({n},)"
        )
    weight_n = body_mass_kg[:, None] * GRAVITY_MPS2
    measured, estimated = measured_n / weight_n, estimated_n / weight_n
    table = {
        "rrmse_pct": rrmse_pct(measured, estimated),
        "rmse_bw": rmse(measured, estimated),
        "r": pearson_r(measured, estimated),
    }
    # Differences of the measures of grfkit.model.measures (one definition for estimates and errors).
    estimated_measures = discrete_measures(estimated, contact_time_s, target)
    measured_measures = discrete_measures(measured, contact_time_s, target)
    names = ["peak_bw"] if target == "vgrf" else list(MEASURE_COLUMNS["apgrf"])
    for name in names:
        base, _, unit = name.rpartition("_")
        table[f"{base}_error_{unit}"] = (estimated_measures[name] - measured_measures[name]).to_numpy()
    return pd.DataFrame(table)


def evaluate(dataset: StanceDataset, estimated_n: np.ndarray, target: str) -> pd.DataFrame:
    """Metrics of every stance of a data set, with its identifying metadata.

    Parameters
    ----------
    dataset
        The test stances (measured force, body mass, contact time).
    estimated_n
        Estimated force in newtons, ``(n_stances, 101)``, e.g. from
        :func:`grfkit.model.training.predict`.
    target
        ``"vgrf"`` or ``"apgrf"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset``, ``participant``, ``bout``, ``ic_s`` then those of
        :func:`stance_metrics`; one row per stance.
    """
    measured_n = dataset.target(target_channel(target))
    metrics = stance_metrics(
        measured_n,
        estimated_n,
        target=target,
        body_mass_kg=dataset.meta["body_mass_kg"].to_numpy(),
        contact_time_s=dataset.meta["contact_time_s"].to_numpy(),
    )
    ids = dataset.meta[["dataset", "participant", "bout", "ic_s"]].reset_index(drop=True)
    return pd.concat([ids, metrics], axis=1)


def participant_metrics(stances: pd.DataFrame, by: str | Sequence[str] = "participant") -> pd.DataFrame:
    """Average stance metrics per participant.

    Parameters
    ----------
    stances
        Output of :func:`evaluate` or :func:`stance_metrics` with a
        ``participant`` column (plus any grouping columns).
    by
        Grouping column(s); add e.g. ``strategy`` and ``target`` to aggregate
        several experiments at once.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n_stances``, the mean of every metric over the
        stances, and for every signed error column ``*_error_*`` the mean
        absolute error as ``*_abs_error_*``.

    Raises
    ------
    ConfigError
        If a grouping column is missing.
    """
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in by if c not in stances.columns]
    if missing:
        raise ConfigError(f"stance table lacks grouping columns {missing}")
    metric_columns = [
        c for c in stances.columns if c not in by and c not in ("dataset", "bout", "ic_s") and pd.api.types.is_numeric_dtype(stances[c])
    ]
    table = stances[by + metric_columns].copy()
    for c in metric_columns:
        if "_error_" in c:
            table[c.replace("_error_", "_abs_error_")] = table[c].abs()
    grouped = table.groupby(by, sort=False)
    out = grouped.mean()
    out.insert(0, "n_stances", grouped.size())
    return out.reset_index()


def summarise(
    participants: pd.DataFrame, columns: Sequence[str] = ("rrmse_pct",), by: Sequence[str] = ()
) -> pd.DataFrame:
    """Mean and range across participants, as the study reports them.

    Parameters
    ----------
    participants
        Output of :func:`participant_metrics`.
    columns
        Metrics to summarise.
    by
        Grouping columns (e.g. ``("strategy", "target")``); empty for one row.

    Returns
    -------
    pandas.DataFrame
        For each metric ``m``: ``m_mean``, ``m_min``, ``m_max`` (over
        participant means) and ``n_participants``.

    Examples
    --------
    >>> t = pd.DataFrame({"participant": ["a", "b"], "rrmse_pct": [4.0, 8.0]})
    >>> summarise(t)[["rrmse_pct_mean", "rrmse_pct_min", "rrmse_pct_max"]].iloc[0].tolist()
    [6.0, 4.0, 8.0]
    """
    columns = list(columns)
    by = list(by)
    missing = [c for c in columns + by if c not in participants.columns]
    if missing:
        raise ConfigError(f"participant table lacks columns {missing}")
    groups = participants.groupby(by, sort=False) if by else [((), participants)]
    rows = []
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key))
        row["n_participants"] = len(group)
        for c in columns:
            row[f"{c}_mean"] = float(group[c].mean())
            row[f"{c}_min"] = float(group[c].min())
            row[f"{c}_max"] = float(group[c].max())
        rows.append(row)
    return pd.DataFrame(rows)


def median_and_worst_stances(
    per_stance: pd.DataFrame, *, target: str, strategy: str = "combined"
) -> dict[str, int]:
    """Rows of one strategy's stance with the median rRMSE and its worst stance.

    Parameters
    ----------
    per_stance
        One row per held-out stance with ``strategy``, ``target`` and
        ``rrmse_pct`` columns (e.g. an experiment's per-stance table).
    target
        ``"vgrf"`` or ``"apgrf"``.
    strategy
        The strategy whose stances are ranked.

    Returns
    -------
    dict of str to int
        Positional rows of ``per_stance``: ``"median"`` (the lower middle of
        the stances with a finite rRMSE, sorted stably by rRMSE) and
        ``"worst"`` (the largest finite rRMSE).

    Raises
    ------
    ConfigError
        If the strategy has no stance of that target with a finite rRMSE.
    """
    values = per_stance["rrmse_pct"].to_numpy(dtype=np.float64)
    rows = np.flatnonzero((per_stance["strategy"] == strategy).to_numpy()
                          & (per_stance["target"] == target).to_numpy() & np.isfinite(values))
    if not len(rows):
        raise ConfigError(f"no {target} stance of strategy {strategy!r} has a finite rRMSE")
    order = rows[np.argsort(values[rows], kind="stable")]
    return {"median": int(order[(len(order) - 1) // 2]), "worst": int(order[-1])}
