"""Summaries of experiment results: tables in the study's format.

:func:`summarise_results` gives the mean and range of rRMSE across held-out
participants per strategy and target, :func:`format_summary` the same as
text, :func:`compare_with_published` sets it beside the study's numbers and
:func:`rrmse_table` sets several runs side by side.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from grfkit.experiment.config import PUBLISHED_RRMSE
from grfkit.model.metrics import summarise

__all__ = ["summarise_results", "format_summary", "compare_with_published", "rrmse_table"]


def summarise_results(table: pd.DataFrame, column: str = "rrmse_pct") -> pd.DataFrame:
    """Mean and range across held-out participants per strategy and target.

    Parameters
    ----------
    table
        ``results.csv`` (one row per strategy x target x subject).
    column
        Metric to summarise.

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy``, ``target``, ``n_participants``, ``<column>_mean``,
        ``_min``, ``_max``, and ``n_undefined`` (stances with an undefined
        rRMSE, summed over participants) when ``table`` has that column
        (results written before it existed do not); rows in the table's
        order of strategies and targets.

    Raises
    ------
    ConfigError
        If a column is missing.
    """
    summary = summarise(table, columns=(column,), by=("strategy", "target"))
    if "n_undefined" in table.columns:
        undefined = table.groupby(["strategy", "target"], sort=False)["n_undefined"].sum()
        keys = pd.MultiIndex.from_frame(summary[["strategy", "target"]])
        summary["n_undefined"] = undefined.reindex(keys).to_numpy(dtype=np.int64)
    return summary


def format_summary(table: pd.DataFrame) -> str:
    """Format mean (min-max) rRMSE per strategy (rows) and target (columns).

    Parameters
    ----------
    table
        ``results.csv``.

    Returns
    -------
    str
        A small text table, e.g. ``combined     6.1 (3.5-10.7)   5.5 (3.2-7.9)``;
        a cell ends with ``undefined k`` when ``k`` stances had an undefined
        rRMSE (left out of the means).

    Examples
    --------
    >>> t = pd.DataFrame({"strategy": ["combined"] * 2, "target": ["vgrf"] * 2,
    ...                   "subject": ["a", "b"], "rrmse_pct": [4.0, 8.0]})
    >>> print(format_summary(t))
    rRMSE %, mean (min–max) over held-out participants
    strategy    vgrf
    combined    6.0 (4.0–8.0)  n=2
    """
    summary = summarise_results(table)
    targets = list(dict.fromkeys(summary["target"]))
    label = max(12, *(len(s) + 1 for s in summary["strategy"]))
    width = 40 if "n_undefined" in summary and summary["n_undefined"].any() else 26
    lines = [
        "rRMSE %, mean (min–max) over held-out participants",
        f"{'strategy':<{label}}" + "".join(f"{t:<{width}}" for t in targets).rstrip(),
    ]
    for strategy, group in summary.groupby("strategy", sort=False):
        cells = []
        for target in targets:
            row = group.loc[group["target"] == target]
            if row.empty:
                cells.append(f"{'-':<26}")
                continue
            r = row.iloc[0]
            cell = f"{r.rrmse_pct_mean:.1f} ({r.rrmse_pct_min:.1f}–{r.rrmse_pct_max:.1f})  n={r.n_participants}"
            if getattr(r, "n_undefined", 0):
                cell += f" undefined {r.n_undefined}"
            cells.append(f"{cell:<{width}}")
        lines.append(f"{strategy:<{label}}" + "".join(cells).rstrip())
    return "\n".join(lines)


def compare_with_published(table: pd.DataFrame) -> pd.DataFrame:
    """Our mean (min-max) rRMSE beside the study's published numbers.

    Parameters
    ----------
    table
        ``results.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per strategy and target: ``ours_mean``, ``ours_min``,
        ``ours_max``, ``published_mean``, ``published_min``,
        ``published_max`` (NaN where the study gives no number).
    """
    summary = summarise_results(table)
    rows = []
    for r in summary.itertuples(index=False):
        published = PUBLISHED_RRMSE.get((r.strategy, r.target), (np.nan, np.nan, np.nan))
        rows.append(
            {
                "strategy": r.strategy,
                "target": r.target,
                "n_participants": r.n_participants,
                "ours_mean": r.rrmse_pct_mean,
                "ours_min": r.rrmse_pct_min,
                "ours_max": r.rrmse_pct_max,
                "published_mean": published[0],
                "published_min": published[1],
                "published_max": published[2],
            }
        )
    return pd.DataFrame(rows)


def rrmse_table(
    runs: Mapping[str, pd.DataFrame],
    published: Mapping[tuple[str, str], tuple[float, float, float]] | None = PUBLISHED_RRMSE,
) -> pd.DataFrame:
    """Mean (min–max) rRMSE of several runs side by side, in the study's format.

    Parameters
    ----------
    runs
        ``{label: results table}``, e.g. ``{"book scale": ..., "paper scale": ...}``.
    published
        Published values to add as a last column (``None``: none).

    Returns
    -------
    pandas.DataFrame
        Index (strategy, target); one text column per run (and
        ``"published"``), cells like ``"6.1 (3.5–10.7)"``, ``"–"`` where a run
        has no such rows or the study gives no number.

    Examples
    --------
    >>> t = pd.DataFrame({"strategy": ["combined"] * 2, "target": ["vgrf"] * 2,
    ...                   "subject": ["a", "b"], "rrmse_pct": [4.0, 8.0]})
    >>> rrmse_table({"ours": t}).iloc[0].tolist()
    ['6.0 (4.0–8.0)', '6.1 (3.5–10.7)']
    """
    columns: dict[str, dict[tuple[str, str], str]] = {}
    order: list[tuple[str, str]] = []
    for label, table in runs.items():
        cells = {}
        for r in summarise_results(table).itertuples(index=False):
            cells[(r.strategy, r.target)] = f"{r.rrmse_pct_mean:.1f} ({r.rrmse_pct_min:.1f}–{r.rrmse_pct_max:.1f})"
            if (r.strategy, r.target) not in order:
                order.append((r.strategy, r.target))
        columns[label] = cells
    if published is not None:
        columns["published"] = {k: f"{m:.1f} ({lo:.1f}–{hi:.1f})" for k, (m, lo, hi) in published.items()}
    index = pd.MultiIndex.from_tuples(order, names=["strategy", "target"])
    return pd.DataFrame({label: [cells.get(key, "–") for key in order] for label, cells in columns.items()},
                        index=index)
