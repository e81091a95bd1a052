"""Interactive plotly figures of the real-data chapter.

Each function takes what :mod:`grfkit.real` and :mod:`grfkit.real.validation`
return and draws it; nothing is computed here that those modules do not
provide.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from grfkit.constants import GRAVITY_MPS2
from grfkit.errors import ConfigError
from grfkit.io.stances import StanceDataset
from grfkit.model.metrics import participant_metrics
from grfkit.plots.results import predicted_vs_measured
from grfkit.real.calibration import describe_part
from grfkit.real.transfer import TransferResult

__all__ = [
    "stance_count_figure",
    "mean_curves_figure",
    "validation_curves_figure",
    "input_curves_figure",
    "estimates_figure",
    "participant_rrmse_figure",
    "condition_rrmse_figure",
    "explained_range_figure",
]

_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
_CHANNELS = {"vgrf": "vertical", "apgrf": "anteroposterior"}
_FORCE_NAMES = {"vgrf": "vertical (vGRF)", "apgrf": "anteroposterior (apGRF)"}
_INPUT_LABELS = {
    "cop_ap_frac": "COP along the insole (fraction of length)",
    "acc_z_mps2": "shoe acceleration z (m/s²)",
    "gyro_y_dps": "shoe angular velocity y (°/s)",
}


def _input_label(channel: str) -> str:
    """A panel title with quantity and unit for an input channel name."""
    if channel in _INPUT_LABELS:
        return _INPUT_LABELS[channel]
    if channel.endswith("_adc") and "_fsr" in channel:
        side, sensor = channel.removesuffix("_adc").split("_fsr")
        return f"{side} insole FSR {int(sensor)} (ADC counts)"
    return channel


def _band(fig: go.Figure, x: np.ndarray, mean: np.ndarray, sd: np.ndarray, *, colour: str, name: str,
          group: str, row: int, col: int, show: bool, dash: str = "solid") -> None:
    fig.add_trace(
        go.Scatter(x=np.r_[x, x[::-1]], y=np.r_[mean + sd, (mean - sd)[::-1]], fill="toself", fillcolor=colour,
                   opacity=0.18, line=dict(width=0), hoverinfo="skip", showlegend=False, legendgroup=group),
        row=row, col=col,
    )
    fig.add_trace(
        go.Scatter(x=x, y=mean, name=name, legendgroup=group, showlegend=show, line=dict(color=colour, dash=dash),
                   hovertemplate=f"{name}: %{{y:.2f}} BW at %{{x:.0f}} %<extra></extra>"),
        row=row, col=col,
    )


def stance_count_figure(counts: pd.DataFrame, *, title: str = "Stances per data set and trial") -> go.Figure:
    """Accepted and rejected stances as stacked bars.

    Parameters
    ----------
    counts
        Columns ``dataset``, ``bout``, ``accepted``, ``rejected`` (e.g. from
        :func:`grfkit.real.chain.stance_counts` with ``by=("dataset", "bout")``).
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One panel per data set, one stacked bar per trial.
    """
    missing = [c for c in ("dataset", "bout", "accepted", "rejected") if c not in counts.columns]
    if missing:
        raise ConfigError(f"stance count table lacks columns {missing}")
    datasets = list(dict.fromkeys(counts["dataset"].astype(str)))
    fig = make_subplots(rows=len(datasets), cols=1, subplot_titles=datasets, vertical_spacing=0.5 / len(datasets))
    for row, dataset in enumerate(datasets, start=1):
        part = counts[counts["dataset"].astype(str) == dataset]
        for column, colour in (("accepted", "#2ca02c"), ("rejected", "#d62728")):
            fig.add_trace(go.Bar(x=part["bout"].astype(str), y=part[column], name=column, marker_color=colour,
                                 legendgroup=column, showlegend=row == 1), row=row, col=1)
        fig.update_yaxes(title_text="stances", row=row, col=1)
    fig.update_xaxes(title_text="trial", row=len(datasets), col=1)
    fig.update_layout(barmode="stack", title=title, template="plotly_white", height=180 + 220 * len(datasets),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return fig


def mean_curves_figure(
    groups: Mapping[str, StanceDataset], *, title: str = "Mean ± SD force per condition"
) -> go.Figure:
    """Mean ± SD of the vertical and anteroposterior force (BW) of several stance sets.

    Parameters
    ----------
    groups
        Label -> stances with ``vgrf_n``, ``apgrf_n`` and ``body_mass_kg``.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Two panels (vertical, anteroposterior), one band per group.
    """
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=["vertical (BW)", "anteroposterior (BW)"], horizontal_spacing=0.08
    )
    for k, (label, stances) in enumerate(groups.items()):
        weight = stances.meta["body_mass_kg"].to_numpy(dtype=float)[:, None] * GRAVITY_MPS2
        for col, channel in enumerate(("vgrf_n", "apgrf_n"), start=1):
            curves = stances.target(channel) / weight
            x = np.linspace(0, 100, curves.shape[1])
            sd = curves.std(axis=0, ddof=1) if len(curves) > 1 else np.zeros(curves.shape[1])
            _band(fig, x, curves.mean(axis=0), sd, colour=_PALETTE[k % len(_PALETTE)],
                  name=f"{label} (n={len(curves)})", group=label, row=1, col=col, show=col == 1)
    fig.update_xaxes(title_text="stance (%)")
    fig.update_yaxes(title_text="force (BW)", row=1, col=1)
    fig.update_layout(title=title, template="plotly_white", height=440, legend=dict(orientation="h", y=-0.25))
    return fig


def validation_curves_figure(
    curves: pd.DataFrame, *, title: str = "Simulated vs real stances (mean ± SD)"
) -> go.Figure:
    """Real and simulated mean ± SD curves of every comparison.

    Parameters
    ----------
    curves
        The ``curves`` table of a
        :class:`~grfkit.real.validation.ValidationResult`.
    title
        Figure title; when ``curves`` has a ``part`` column, the part's
        runners (:func:`grfkit.real.calibration.describe_part`) are appended.

    Returns
    -------
    plotly.graph_objects.Figure
        Rows: vertical and anteroposterior force; columns: comparisons; real
        solid, simulated dashed.
    """
    comparisons = list(dict.fromkeys(curves["comparison"]))
    fig = make_subplots(rows=2, cols=len(comparisons), shared_yaxes="rows", subplot_titles=comparisons,
                        horizontal_spacing=0.02, vertical_spacing=0.1)
    colours = {"real": "#1f77b4", "simulated": "#ff7f0e"}
    for col, comparison in enumerate(comparisons, start=1):
        for row, channel in enumerate(("vgrf", "apgrf"), start=1):
            for source, colour in colours.items():
                part = curves[
                    (curves["comparison"] == comparison) & (curves["channel"] == channel) & (curves["source"] == source)
                ]
                if part.empty:
                    continue
                n = int(part["n_stances"].iloc[0])
                _band(fig, part["stance_pct"].to_numpy(), part["mean_bw"].to_numpy(),
                      part["sd_bw"].fillna(0).to_numpy(), colour=colour, name=source, group=source, row=row,
                      col=col, show=row == 1 and col == 1, dash="solid" if source == "real" else "dash")
                fig.data[-1].hovertemplate = f"{source} (n={n}): %{{y:.2f}} BW at %{{x:.0f}} %<extra></extra>"
    fig.update_yaxes(title_text="vertical (BW)", row=1, col=1)
    fig.update_yaxes(title_text="anteroposterior (BW)", row=2, col=1)
    fig.update_xaxes(title_text="stance (%)", row=2)
    if "part" in curves.columns:
        parts = [p for p in dict.fromkeys(curves["part"].astype(str)) if p]
        title = f"{title}<br><sup>{'; '.join(describe_part(p) for p in parts)}</sup>" if parts else title
    fig.update_layout(title=title, template="plotly_white", height=600, legend=dict(orientation="h", y=-0.15))
    return fig


def input_curves_figure(
    groups: Mapping[str, StanceDataset],
    channels: tuple[str, ...] = ("left_fsr02_adc", "left_fsr10_adc", "cop_ap_frac", "acc_z_mps2", "gyro_y_dps"),
    *,
    title: str = "Virtual wearable inputs (mean ± SD)",
) -> go.Figure:
    """Mean ± SD of some time-normalised input channels of several stance sets.

    Parameters
    ----------
    groups
        Label -> stances holding ``channels`` as inputs.
    channels
        Input channels, one panel each (three to a row), titled with their
        quantity and unit.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One panel per channel, one band per group.
    """
    n_cols = min(3, len(channels))
    n_rows = -(-len(channels) // n_cols)
    fig = make_subplots(rows=n_rows, cols=n_cols, subplot_titles=[_input_label(c) for c in channels],
                        horizontal_spacing=0.08, vertical_spacing=0.2)
    for k, (label, stances) in enumerate(groups.items()):
        for index, channel in enumerate(channels):
            row, col = divmod(index, n_cols)
            row, col = row + 1, col + 1
            curves = stances.input(channel).astype(float)
            x = np.linspace(0, 100, curves.shape[1])
            sd = curves.std(axis=0, ddof=1) if len(curves) > 1 else np.zeros(curves.shape[1])
            _band(fig, x, curves.mean(axis=0), sd, colour=_PALETTE[k % len(_PALETTE)],
                  name=f"{label} (n={len(curves)})", group=label, row=row, col=col, show=index == 0)
            fig.data[-1].hovertemplate = f"{label}: %{{y:.2f}} at %{{x:.0f}} %<extra></extra>"
    fig.update_xaxes(title_text="stance (%)")
    fig.update_layout(title=title, template="plotly_white", height=180 + 280 * n_rows,
                      legend=dict(orientation="h", y=-0.12))
    return fig


def estimates_figure(
    result: TransferResult,
    target: str,
    *,
    rows: np.ndarray | None = None,
    max_stances: int = 6,
    title: str | None = None,
) -> go.Figure:
    """Measured (solid) and estimated (dashed) curves of some test stances, in body weights.

    Parameters
    ----------
    result
        An evaluation (:mod:`grfkit.real.transfer`, :mod:`grfkit.real.alcantara`).
    target
        ``"vgrf"`` or ``"apgrf"``.
    rows
        Boolean mask over ``result.dataset`` of the stances to draw (default: all).
    max_stances
        At most this many stances, evenly spread over the selected ones.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Two traces per stance; labels name participant, trial and rRMSE.
    """
    meta = result.dataset.meta
    mask = np.ones(len(meta), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    picked = np.flatnonzero(mask)
    picked = picked[np.unique(np.linspace(0, len(picked) - 1, min(max_stances, len(picked))).round().astype(int))]
    weight = meta["body_mass_kg"].to_numpy(dtype=float)[picked, None] * GRAVITY_MPS2
    measured = result.dataset.target(f"{target}_n")[picked] / weight
    estimated = result.estimates[target][picked] / weight
    errors = result.stances[result.stances["target"] == target]["rrmse_pct"].to_numpy()[picked]
    labels = [
        f"{meta['participant'].iat[i]} {meta['bout'].iat[i]} ({e:.1f} %)" for i, e in zip(picked, errors, strict=True)
    ]
    return predicted_vs_measured(measured, estimated, labels=labels, unit="BW",
                                 title=title or f"{_CHANNELS.get(target, target)} force: measured vs estimated")


def participant_rrmse_figure(result: TransferResult, *, title: str = "rRMSE of each held-out runner") -> go.Figure:
    """Mean rRMSE per participant and target (e.g. the Hamner LOSO folds).

    Parameters
    ----------
    result
        An evaluation with ``participant`` and ``target`` columns.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Grouped bars: participants on x, one bar per target.
    """
    table = participant_metrics(result.stances, by=["target", "participant"])
    fig = go.Figure()
    for k, target in enumerate(dict.fromkeys(table["target"])):
        part = table[table["target"] == target]
        name = _CHANNELS.get(target, target)
        fig.add_trace(go.Bar(x=part["participant"], y=part["rrmse_pct"], name=f"{name} force",
                             marker_color=_PALETTE[k], hovertemplate=f"{name} %{{x}}: %{{y:.1f}} %<extra></extra>"))
    fig.update_layout(barmode="group", title=title, xaxis_title="held-out runner", yaxis_title="rRMSE (%)",
                      template="plotly_white", height=380)
    return fig


def condition_rrmse_figure(result: TransferResult, *, title: str = "rRMSE of each test trial") -> go.Figure:
    """rRMSE of each test trial against slope, one colour per speed (the Alcantara evaluation).

    Parameters
    ----------
    result
        :func:`grfkit.real.alcantara.condition_split_evaluation` output.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One marker per trial.
    """
    missing = [c for c in ("trial", "gradient_deg", "speed_mps", "condition") if c not in result.stances.columns]
    if missing:
        raise ConfigError(f"evaluation table lacks columns {missing}")
    keys = ["trial", "gradient_deg", "speed_mps", "condition"]
    per_trial = result.stances.groupby(keys, as_index=False)["rrmse_pct"].mean()
    fig = go.Figure()
    for k, (speed, part) in enumerate(per_trial.groupby("speed_mps")):
        fig.add_trace(go.Scatter(x=part["gradient_deg"], y=part["rrmse_pct"], mode="markers",
                                 marker=dict(size=10, color=_PALETTE[k % len(_PALETTE)]), name=f"{speed:.2f} m/s",
                                 text=part["trial"], hovertemplate="trial %{text}: %{y:.1f} % at %{x:+g}°<extra></extra>"))
    fig.update_layout(title=title, xaxis_title="slope (°)", yaxis_title="rRMSE (%)", template="plotly_white",
                      height=380)
    return fig


def explained_range_figure(
    baseline: pd.DataFrame, floor: pd.DataFrame, *, title: str = "What the wearables have to explain"
) -> go.Figure:
    """The static baseline's rRMSE beside the oracle floor: the range wearables could explain.

    Parameters
    ----------
    baseline
        The static baseline's rRMSE, indexed by ``cohort`` and ``target``, with
        ``rrmse_pct``, ``rrmse_pct_min`` and ``rrmse_pct_max`` (mean over
        participants and its range, %; rows of
        :func:`grfkit.real.baseline_comparison.baseline_sim_vs_real`).
    floor
        The oracle floor, indexed by ``dataset`` and ``target``, with ``mean``,
        ``min`` and ``max`` over participants (rRMSE, %; from
        :func:`grfkit.preprocess.ground_truth.oracle_floor`).
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Grouped bars per force component, whiskers the participants' range.
    """
    fig = go.Figure()
    for cohort_name, group in baseline.reset_index().groupby("cohort", sort=False):
        fig.add_trace(go.Bar(
            x=group["target"].map(_FORCE_NAMES), y=group["rrmse_pct"], name=f"static baseline, {cohort_name}",
            error_y=dict(type="data", symmetric=False, array=group["rrmse_pct_max"] - group["rrmse_pct"],
                         arrayminus=group["rrmse_pct"] - group["rrmse_pct_min"]),
        ))
    for dataset, group in floor.reset_index().groupby("dataset", sort=False):
        fig.add_trace(go.Bar(
            x=group["target"].map(_FORCE_NAMES), y=group["mean"], name=f"oracle floor, simulated {dataset}",
            error_y=dict(type="data", symmetric=False, array=group["max"] - group["mean"],
                         arrayminus=group["mean"] - group["min"]),
        ))
    fig.update_layout(barmode="group", template="plotly_white", height=420, title=title,
                      yaxis_title="rRMSE (%), mean over participants", xaxis_title="force component",
                      legend=dict(orientation="h", y=-0.25))
    return fig
