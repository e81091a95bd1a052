"""Interactive plotly figures of models and experiments, as the book shows them.

Every function takes tables or arrays that grfkit produces (results tables,
training histories, curves, importance tables) and returns a
:class:`plotly.graph_objects.Figure`; nothing is computed here that the
library does not already provide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from grfkit.errors import ConfigError, LengthMismatchError
from grfkit.model.baselines import BASELINES
from grfkit.model.history import TrainingHistory
from grfkit.model.metrics import rmse

__all__ = [
    "STRATEGY_LABELS",
    "TARGET_LABELS",
    "METRIC_LABELS",
    "strategy_comparison",
    "participant_errors",
    "training_curves",
    "predicted_vs_measured",
    "rrmse_example",
    "feature_importance",
]

#: Display names of the training strategies and, after them, the no-wearable baselines.
STRATEGY_LABELS: dict[str, str] = {
    "overground": "Overground only",
    "treadmill": "Treadmill only",
    "transfer": "Transfer learning",
    "combined": "Combined",
    "baseline_mean": "Mean curve (no wearables)",
    "baseline_static": "Nearest stances (no wearables)",
}
#: Display names of the targets.
TARGET_LABELS: dict[str, str] = {"vgrf": "vGRF", "apgrf": "apGRF"}
_TARGET_COLOURS: dict[str, str] = {"vgrf": "#1f77b4", "apgrf": "#d62728"}
_PALETTE: tuple[str, ...] = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
#: Greys of the no-wearable baselines: per target (Figure 1) and per baseline (per-participant lines).
_BASELINE_TARGET_GREYS: dict[str, str] = {"vgrf": "#7f7f7f", "apgrf": "#b3b3b3"}
_BASELINE_GREYS: dict[str, str] = {"baseline_mean": "#9e9e9e", "baseline_static": "#555555"}
#: Marker of the published values of each target (Figure 1).
_PUBLISHED_SYMBOLS: dict[str, str] = {"vgrf": "diamond", "apgrf": "square"}
#: Axis titles of the results table's metric columns.
METRIC_LABELS: dict[str, str] = {
    "rrmse_pct": "rRMSE (%)",
    "rmse_bw": "RMSE (body weights)",
    "r": "Pearson's r",
    "peak_error_bw": "peak force error (body weights)",
    "peak_abs_error_bw": "absolute peak force error (body weights)",
    "braking_peak_abs_error_bw": "absolute braking peak error (body weights)",
    "propulsive_peak_abs_error_bw": "absolute propulsive peak error (body weights)",
}


def _require_columns(table: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ConfigError(f"table lacks columns {missing}")


def _ordered(values: pd.Series, preferred: Sequence[str]) -> list[str]:
    present = list(dict.fromkeys(values.astype(str)))
    return [v for v in preferred if v in present] + [v for v in present if v not in preferred]


def strategy_comparison(
    table: pd.DataFrame,
    *,
    published: Mapping[tuple[str, str], tuple[float, float, float]] | None = None,
    title: str = "rRMSE per training strategy (mean, range and each held-out participant)",
) -> go.Figure:
    """Figure 1 of the study: mean rRMSE per strategy, vGRF and apGRF side by side.

    Each bar is the mean over held-out participants, its error bar spans the
    participants' minimum to maximum, and every participant is drawn as a
    point (hover for the participant).  The no-wearable baselines
    (:data:`grfkit.model.baselines.BASELINES`) come after the four strategies, in
    grey, behind a dotted line.  Published values, if given, are drawn in
    black with their range: diamonds for vGRF, squares for apGRF.  The
    legend sits below the plot.

    Parameters
    ----------
    table
        ``results.csv``: columns ``strategy``, ``target``, ``subject``, ``rrmse_pct``.
    published
        ``{(strategy, target): (mean, min, max)}``, e.g.
        :data:`grfkit.experiment.config.PUBLISHED_RRMSE`.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace and one point trace per target (plus one published
        trace per target that has published values); baseline bars and
        points are grey.

    Raises
    ------
    ConfigError
        If a column is missing.
    """
    _require_columns(table, ("strategy", "target", "subject", "rrmse_pct"))
    strategies = _ordered(table["strategy"], list(STRATEGY_LABELS))
    targets = _ordered(table["target"], list(TARGET_LABELS))
    width = 0.8 / len(targets)
    fig = go.Figure()
    for k, target in enumerate(targets):
        offset = -0.4 + width * (k + 0.5)
        colour = _TARGET_COLOURS.get(target, _PALETTE[k % len(_PALETTE)])
        grey = _BASELINE_TARGET_GREYS.get(target, "#7f7f7f")
        name = TARGET_LABELS.get(target, target)
        rows = table.loc[table["target"] == target]
        stats = rows.groupby("strategy")["rrmse_pct"].agg(["mean", "min", "max"]).reindex(strategies)
        x = np.arange(len(strategies)) + offset
        fig.add_trace(
            go.Bar(
                x=x,
                y=stats["mean"],
                width=width * 0.9,
                name=f"{name} mean",
                marker_color=[grey if s in BASELINES else colour for s in strategies],
                opacity=0.55,
                error_y=dict(type="data", symmetric=False, array=stats["max"] - stats["mean"],
                             arrayminus=stats["mean"] - stats["min"], color="#333", thickness=1.2),
                customdata=np.column_stack([stats["min"], stats["max"]]),
                hovertemplate=f"{name}<br>mean %{{y:.2f}} %<br>range %{{customdata[0]:.2f}}–%{{customdata[1]:.2f}} %"
                "<extra></extra>",
            )
        )
        position = {s: i for i, s in enumerate(strategies)}
        subjects = sorted(set(rows["subject"].astype(str)))
        spread = np.linspace(-0.3, 0.3, len(subjects)) * width if len(subjects) > 1 else np.zeros(1)
        jitter = dict(zip(subjects, spread))
        px = [position[s] + offset + jitter[str(p)] for s, p in zip(rows["strategy"], rows["subject"])]
        fig.add_trace(
            go.Scatter(
                x=px,
                y=rows["rrmse_pct"],
                mode="markers",
                name=f"{name} participants",
                marker=dict(color=[grey if s in BASELINES else colour for s in rows["strategy"].astype(str)],
                            size=6, line=dict(color="white", width=0.5)),
                text=rows["subject"].astype(str),
                hovertemplate=f"{name} %{{text}}: %{{y:.2f}} %<extra></extra>",
            )
        )
        if published:
            values = [(position[s], published[(s, target)]) for s in strategies if (s, target) in published]
            if values:
                xs = [i + offset for i, _ in values]
                mean, low, high = (np.array([v[j] for _, v in values]) for j in range(3))
                fig.add_trace(
                    go.Scatter(
                        x=xs,
                        y=mean,
                        mode="markers",
                        name=f"{name} published (Carter et al.)",
                        marker=dict(symbol=_PUBLISHED_SYMBOLS.get(target, "circle"), size=11, color="black",
                                    line=dict(color="white", width=1)),
                        error_y=dict(type="data", symmetric=False, array=high - mean, arrayminus=mean - low,
                                     color="black", width=6),
                        hovertemplate=f"{name} published: %{{y:.1f}} %<extra></extra>",
                    )
                )
    first_baseline = next((i for i, s in enumerate(strategies) if s in BASELINES), 0)
    if first_baseline > 0:
        fig.add_vline(x=first_baseline - 0.5, line=dict(color="#999", dash="dot", width=1),
                      annotation_text="no wearables", annotation_position="top right")
    fig.update_layout(
        title=title,
        xaxis=dict(tickmode="array", tickvals=list(range(len(strategies))),
                   ticktext=[STRATEGY_LABELS.get(s, s) for s in strategies], title="training strategy"),
        yaxis=dict(title="rRMSE (%)", rangemode="tozero"),
        legend=dict(orientation="h", yanchor="top", y=-0.3, x=0),
        template="plotly_white",
        height=560,
        margin=dict(t=80, b=190),
    )
    return fig


def participant_errors(table: pd.DataFrame, *, metric: str = "rrmse_pct", title: str | None = None) -> go.Figure:
    """Paired slope chart: each held-out participant's error under every strategy.

    The strategies are on the x axis (the four wearable strategies, then the
    baselines), and each held-out participant is one line across them, so a
    line that falls from one strategy to the next is a participant that
    strategy helped.  One panel per target.

    Parameters
    ----------
    table
        ``results.csv`` (``strategy``, ``target``, ``subject`` and ``metric``).
    metric
        Column to plot (rRMSE in % by default); its axis title comes from
        :data:`METRIC_LABELS`.
    title
        Figure title (default names the metric).

    Returns
    -------
    plotly.graph_objects.Figure
        One line trace per (participant, target), x = strategy labels.

    Raises
    ------
    ConfigError
        If a column is missing.
    """
    from plotly.subplots import make_subplots

    _require_columns(table, ("strategy", "target", "subject", metric))
    targets = _ordered(table["target"], list(TARGET_LABELS))
    strategies = _ordered(table["strategy"], list(STRATEGY_LABELS))
    subjects = sorted(dict.fromkeys(table["subject"].astype(str)))
    unit = METRIC_LABELS.get(metric, metric)
    fig = make_subplots(rows=1, cols=len(targets), shared_yaxes=False, horizontal_spacing=0.08,
                        subplot_titles=[TARGET_LABELS.get(t, t) for t in targets])
    for col, target in enumerate(targets, start=1):
        wide = table.loc[table["target"] == target].pivot_table(
            index="subject", columns="strategy", values=metric, aggfunc="first"
        )
        for k, subject in enumerate(subjects):
            if subject not in wide.index:
                continue
            row = wide.loc[subject].reindex(strategies)
            fig.add_trace(
                go.Scatter(
                    x=[STRATEGY_LABELS.get(s, s) for s in strategies],
                    y=row.to_numpy(dtype=float),
                    mode="markers+lines",
                    line=dict(width=1, color=_PALETTE[k % len(_PALETTE)]),
                    marker=dict(size=6),
                    name=subject,
                    legendgroup=subject,
                    showlegend=col == 1,
                    hovertemplate=f"{subject} %{{x}}: %{{y:.2f}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
        fig.update_yaxes(title_text=unit, row=1, col=col, rangemode="tozero")
        fig.update_xaxes(tickangle=-30, title_text="training strategy", row=1, col=col)
    fig.update_layout(title=title or f"{unit} of each held-out participant", template="plotly_white", height=460,
                      legend=dict(orientation="h", yanchor="top", y=-0.35, title_text="held-out participant"),
                      margin=dict(b=150))
    return fig


def training_curves(history: Sequence[TrainingHistory], *, title: str = "Training curves") -> go.Figure:
    """Loss per epoch of one or more training phases (e.g. pre-training then fine-tuning).

    Parameters
    ----------
    history
        Phases in order, e.g. ``model.history``.  Epochs are numbered
        continuously across phases.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Per phase a training-loss trace and, when recorded, a validation-loss
        trace; whole-number epoch ticks and a log loss axis labelled at 1, 2
        and 5 times powers of ten.
    """
    fig = go.Figure()
    start = 0
    for k, phase in enumerate(history):
        epochs = np.arange(start + 1, start + len(phase.epoch_loss) + 1)
        colour = _PALETTE[k % len(_PALETTE)]
        label = f"{phase.phase} ({phase.n_stances} stances, {len(phase.participants)} participants)"
        fig.add_trace(go.Scatter(x=epochs, y=list(phase.epoch_loss), mode="lines+markers", name=f"training: {label}",
                                 line=dict(color=colour)))
        if phase.validation_loss:
            fig.add_trace(
                go.Scatter(x=epochs, y=list(phase.validation_loss), mode="lines+markers",
                           name=f"validation ({', '.join(phase.validation_participants)})",
                           line=dict(color=colour, dash="dash"))
            )
        start += len(phase.epoch_loss)
    losses = np.array([v for p in history for v in (*p.epoch_loss, *p.validation_loss)], dtype=float)
    fig.update_layout(title=title, template="plotly_white", legend=dict(orientation="h", y=-0.25),
                      xaxis=dict(title="epoch", tickmode="linear", tick0=1, dtick=max(1, int(np.ceil(start / 10))),
                                 tickformat="d"),
                      yaxis=dict(title="mean squared error (BW²)", type="log", **_log_ticks(losses)))
    return fig


def _log_ticks(values: np.ndarray) -> dict:
    """Tick values 1, 2 and 5 times powers of ten spanning ``values`` (positive ones), labelled plainly."""
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values):
        return {}
    low, high = np.floor(np.log10(values.min())), np.ceil(np.log10(values.max()))
    ticks = [m * 10.0**e for e in np.arange(low, high + 1) for m in (1, 2, 5)]
    ticks = [t for t in ticks if values.min() / 2 <= t <= values.max() * 2]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]}


def predicted_vs_measured(
    measured: np.ndarray,
    estimated: np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    unit: str = "N",
    title: str = "Estimated vs measured force",
) -> go.Figure:
    """Measured (solid) and estimated (dashed) curves of a few stances over the stance phase.

    Parameters
    ----------
    measured, estimated
        Curves ``(n_stances, n_points)`` in the same unit.
    labels
        One label per stance (legend and hover).
    unit
        Unit for the axis title.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Two traces per stance, x = % of stance.

    Raises
    ------
    LengthMismatchError
        If the shapes differ or there are not as many labels as stances.
    """
    measured = np.atleast_2d(np.asarray(measured, dtype=float))
    estimated = np.atleast_2d(np.asarray(estimated, dtype=float))
    if measured.shape != estimated.shape:
        raise LengthMismatchError(f"measured {measured.shape} and estimated {estimated.shape} curves differ in shape")
    labels = [f"stance {i + 1}" for i in range(len(measured))] if labels is None else list(labels)
    if len(labels) != len(measured):
        raise LengthMismatchError(f"{len(labels)} labels for {len(measured)} stances")
    pct = np.linspace(0.0, 100.0, measured.shape[1])
    fig = go.Figure()
    for k, (m, e, label) in enumerate(zip(measured, estimated, labels)):
        colour = _PALETTE[k % len(_PALETTE)]
        fig.add_trace(go.Scatter(x=pct, y=m, mode="lines", name=f"{label} measured", legendgroup=label,
                                 line=dict(color=colour, width=2)))
        fig.add_trace(go.Scatter(x=pct, y=e, mode="lines", name=f"{label} estimated", legendgroup=label,
                                 line=dict(color=colour, width=2, dash="dash")))
    fig.update_layout(title=title, xaxis_title="stance (%)", yaxis_title=f"force ({unit})", template="plotly_white")
    return fig


def rrmse_example(measured: np.ndarray, estimated: np.ndarray, *, unit: str = "N") -> go.Figure:
    """A worked rRMSE example: both curves, the error between them, and the measured range.

    Parameters
    ----------
    measured, estimated
        One stance's curves ``(n_points,)``, same unit.
    unit
        Unit of the curves.

    Returns
    -------
    plotly.graph_objects.Figure
        Curves, the error as a shaded band, and the range as a vertical
        double arrow; the title states RMSE, range and rRMSE.

    Raises
    ------
    LengthMismatchError
        If the curves are not two 1-D arrays of equal length.
    """
    measured = np.asarray(measured, dtype=float)
    estimated = np.asarray(estimated, dtype=float)
    if measured.ndim != 1 or measured.shape != estimated.shape:
        raise LengthMismatchError(f"need two 1-D curves of equal length, got {measured.shape} and {estimated.shape}")
    pct = np.linspace(0.0, 100.0, len(measured))
    error = float(rmse(measured, estimated))
    low, high = float(measured.min()), float(measured.max())
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=pct, y=measured, mode="lines", name="measured", line=dict(color="black", width=2)))
    fig.add_trace(go.Scatter(x=pct, y=estimated, mode="lines", name="estimated", fill="tonexty",
                             fillcolor="rgba(214,39,40,0.25)", line=dict(color="#d62728", width=2, dash="dash")))
    x_range = float(pct[int(np.argmax(measured))])
    fig.add_annotation(x=x_range, y=high, ax=x_range, ay=low, xref="x", yref="y", axref="x", ayref="y",
                       arrowhead=3, arrowside="end+start", text="")
    fig.add_annotation(x=x_range, y=(low + high) / 2, text=f"range = {high - low:.0f} {unit}", showarrow=False,
                       xanchor="left", xshift=8)
    fig.update_layout(
        title=f"RMSE = {error:.1f} {unit}; range = {high - low:.0f} {unit}; "
        f"rRMSE = {100 * error / (high - low):.1f} %",
        xaxis_title="stance (%)",
        yaxis_title=f"force ({unit})",
        template="plotly_white",
    )
    return fig


def feature_importance(importance: pd.DataFrame, *, title: str = "Permutation feature importance") -> go.Figure:
    """Horizontal bars of the rRMSE increase when each input channel is shuffled.

    Parameters
    ----------
    importance
        Output of :func:`grfkit.model.importance.permutation_importance` (columns
        ``channel``, ``increase_pp``, ``increase_sd_pp``, ``kind``), optionally
        with a ``target`` column (one colour per target).
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per target (or one in all), most important channel on top.

    Raises
    ------
    ConfigError
        If a column is missing.
    """
    _require_columns(importance, ("channel", "increase_pp", "increase_sd_pp"))
    table = importance if "target" in importance.columns else importance.assign(target="")
    order = table.groupby("channel", sort=False)["increase_pp"].mean().sort_values().index.tolist()
    fig = go.Figure()
    for k, (target, part) in enumerate(table.groupby("target", sort=False)):
        part = part.set_index("channel").reindex(order)
        fig.add_trace(
            go.Bar(
                y=order,
                x=part["increase_pp"],
                orientation="h",
                name=TARGET_LABELS.get(target, target) or "rRMSE increase",
                marker_color=_TARGET_COLOURS.get(target, _PALETTE[k % len(_PALETTE)]),
                error_x=dict(type="data", array=part["increase_sd_pp"]),
                hovertemplate="%{y}: %{x:+.2f} percentage points<extra></extra>",
            )
        )
    fig.update_layout(
        title=title,
        barmode="group",
        xaxis_title="rRMSE increase when shuffled (percentage points)",
        template="plotly_white",
        height=max(400, 22 * len(order) * max(1, table["target"].nunique())),
    )
    return fig
