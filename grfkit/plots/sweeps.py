"""Learning curves of an ablation sweep (:mod:`grfkit.experiment.sweeps`).

:func:`learning_curve_figure` draws each strategy's mean rRMSE across the
held-out participants against the swept value, one panel per target, with
every participant's own curve in thin lines behind it, so that the spread
between runners is as visible as the mean.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from grfkit.errors import ConfigError
from grfkit.plots.results import STRATEGY_LABELS, TARGET_LABELS

__all__ = ["learning_curve_figure"]

_COLOURS: dict[str, str] = {"overground": "#1f77b4", "treadmill": "#ff7f0e", "transfer": "#2ca02c",
                            "combined": "#d62728", "baseline_mean": "#9e9e9e", "baseline_static": "#555555"}
_COLUMNS: tuple[str, ...] = ("value", "strategy", "target", "subject", "rrmse_pct")


def learning_curve_figure(
    table: pd.DataFrame,
    *,
    x_title: str,
    log_x: bool = False,
    flat: Sequence[str] = (),
    title: str | None = None,
) -> go.Figure:
    """Mean rRMSE of each strategy against the swept value, one panel per target.

    Parameters
    ----------
    table
        Long per-participant rRMSE (:func:`grfkit.experiment.sweeps.sweep_table`):
        ``value``, ``strategy``, ``target``, ``subject``, ``rrmse_pct``.
    x_title
        Axis title of the swept value.
    log_x
        Logarithmic x axis (values must be positive).
    flat
        Strategies that ran at one value only and do not depend on it (the
        overground reference of the treadmill-fraction sweep): drawn as a
        dashed horizontal line across the panel.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Thick lines: means across participants; thin lines: each participant.

    Raises
    ------
    ConfigError
        If a column is missing, or ``log_x`` meets a value that is not positive.
    """
    missing = [c for c in _COLUMNS if c not in table.columns]
    if missing:
        raise ConfigError(f"the sweep table lacks columns {missing}")
    if log_x and (table.loc[~table["strategy"].isin(flat), "value"] <= 0).any():
        raise ConfigError("a logarithmic x axis needs positive values; leave the value 0 to `flat`")
    targets = [t for t in TARGET_LABELS if t in set(table["target"])]
    fig = make_subplots(rows=1, cols=len(targets), subplot_titles=[TARGET_LABELS[t] for t in targets],
                        horizontal_spacing=0.08)
    curved = table.loc[~table["strategy"].isin(flat)]
    x_range = np.sort(curved["value"].unique())
    for column, target in enumerate(targets, start=1):
        for strategy in [s for s in _COLOURS if s in set(table["strategy"])]:
            rows = table.loc[(table["target"] == target) & (table["strategy"] == strategy)]
            colour, label = _COLOURS[strategy], STRATEGY_LABELS[strategy]
            shown = column == 1
            if strategy in flat:
                mean = float(rows["rrmse_pct"].mean())
                fig.add_trace(go.Scatter(x=[x_range[0], x_range[-1]], y=[mean, mean], mode="lines", name=label,
                                         legendgroup=strategy, showlegend=shown,
                                         line={"color": colour, "dash": "dash", "width": 2},
                                         hovertemplate=f"{label}: %{{y:.2f}} %<extra></extra>"),
                              row=1, col=column)
                continue
            for subject, own in rows.groupby("subject", sort=True):
                own = own.sort_values("value")
                fig.add_trace(go.Scatter(x=own["value"], y=own["rrmse_pct"], mode="lines", legendgroup=strategy,
                                         showlegend=False, opacity=0.25, line={"color": colour, "width": 1},
                                         hovertemplate=f"{subject}: %{{y:.2f}} %<extra>{label}</extra>"),
                              row=1, col=column)
            mean = rows.groupby("value")["rrmse_pct"].mean()
            fig.add_trace(go.Scatter(x=mean.index, y=mean.to_numpy(), mode="lines+markers", name=label,
                                     legendgroup=strategy, showlegend=shown, line={"color": colour, "width": 3},
                                     hovertemplate=f"{label}<br>%{{x}}: %{{y:.2f}} % (mean)<extra></extra>"),
                          row=1, col=column)
        fig.update_xaxes(title_text=x_title, type="log" if log_x else "linear", row=1, col=column)
        fig.update_yaxes(title_text="rRMSE (%)" if column == 1 else None, rangemode="tozero", row=1, col=column)
    fig.update_layout(title=title, template="plotly_white", height=420, legend={"orientation": "h", "y": -0.2})
    return fig
