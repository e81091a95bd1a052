"""Interactive plotly figures of field estimates (chapter 07).

:func:`field_stretch_figure` draws a stretch of running as a field user sees
it: each stance's estimated force, placed between the initial contact and
toe-off the wearables found, with its uncertainty band, over the force the
simulator generated between the true events.  :func:`band_width_figure`
shows whether a wider band warns of a larger error, stance by stance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from grfkit.errors import ChannelMismatchError, LengthMismatchError

__all__ = ["field_stretch_figure", "band_width_figure"]

_ESTIMATE_COLOUR = "#1f77b4"
_TRUTH_COLOUR = "#000000"
_TARGET_LABELS = {"vgrf": "vertical GRF (BW)", "apgrf": "anteroposterior GRF (BW)"}


def _require(meta: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in meta.columns]
    if missing:
        raise ChannelMismatchError(f"{what} lacks columns {missing}")


def field_stretch_figure(
    meta: pd.DataFrame,
    estimate_bw: np.ndarray,
    true_bw: np.ndarray,
    *,
    target: str,
    start_s: float,
    duration_s: float = 3.0,
    lower_bw: np.ndarray | None = None,
    upper_bw: np.ndarray | None = None,
    title: str | None = None,
) -> go.Figure:
    """Estimated and true force of the stances of one bout over a stretch of time.

    Parameters
    ----------
    meta
        One row per stance of a single bout: ``ic_s``, ``to_s`` (the
        wearables' events) and ``true_ic_s``, ``true_to_s`` (the true ones, on
        the same clock; NaN where the truth is unknown), e.g. the ``table``
        of :func:`grfkit.field.truth_curves.true_stance_curves`.
    estimate_bw, true_bw
        Curves in body weights, ``(n_stances, n_points)``.
    target
        ``"vgrf"`` or ``"apgrf"`` (the axis title).
    start_s, duration_s
        The stretch, on the stances' clock (stances that start in it are drawn).
    lower_bw, upper_bw
        The band, shaped as ``estimate_bw`` (optional).
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    ChannelMismatchError
        If ``meta`` lacks a column.
    LengthMismatchError
        If the arrays do not have one row per stance.
    """
    _require(meta, ("ic_s", "to_s", "true_ic_s", "true_to_s"), "stance metadata")
    curves = [np.asarray(a, dtype=float) for a in (estimate_bw, true_bw)]
    band = [np.asarray(a, dtype=float) for a in (lower_bw, upper_bw) if a is not None]
    if any(c.ndim != 2 or c.shape[0] != len(meta) for c in (*curves, *band)):
        raise LengthMismatchError(
            f"curves must have one row per stance ({len(meta)}), got shapes {[c.shape for c in (*curves, *band)]}"
        )
    ic, to = meta["ic_s"].to_numpy(float), meta["to_s"].to_numpy(float)
    true_ic, true_to = meta["true_ic_s"].to_numpy(float), meta["true_to_s"].to_numpy(float)
    shown = np.flatnonzero((ic >= start_s) & (ic < start_s + duration_s))
    fraction = np.linspace(0.0, 1.0, curves[0].shape[1])
    fig = go.Figure()
    for k, i in enumerate(shown):
        t = ic[i] + fraction * (to[i] - ic[i])
        first = k == 0
        if len(band) == 2:
            fig.add_trace(go.Scatter(
                x=np.concatenate([t, t[::-1]]), y=np.concatenate([band[1][i], band[0][i][::-1]]),
                fill="toself", fillcolor="rgba(31,119,180,0.2)", line={"width": 0}, hoverinfo="skip",
                name="band", legendgroup="band", showlegend=first,
            ))
        fig.add_trace(go.Scatter(x=t, y=curves[0][i], mode="lines", line={"color": _ESTIMATE_COLOUR},
                                 name="estimate (wearables' events)", legendgroup="estimate",
                                 showlegend=first))
        if np.isfinite(true_ic[i]) and np.isfinite(curves[1][i]).all():
            t_true = true_ic[i] + fraction * (true_to[i] - true_ic[i])
            fig.add_trace(go.Scatter(x=t_true, y=curves[1][i], mode="lines",
                                     line={"color": _TRUTH_COLOUR, "dash": "dot"},
                                     name="true force (true events)", legendgroup="truth",
                                     showlegend=first))
    fig.update_layout(
        title=title or f"{len(shown)} stances from {start_s:.1f} s",
        xaxis_title="time on the insole clock (s)",
        yaxis_title=_TARGET_LABELS.get(target, target),
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def band_width_figure(per_stance: pd.DataFrame, *, title: str = "Band width and error, stance by stance") -> go.Figure:
    """Each stance's mean band width against its actual error, one colour per force.

    Parameters
    ----------
    per_stance
        One row per stance: ``target``, ``band_width_bw`` (mean width of the
        band) and ``rmse_bw`` (RMSE of the estimate against the truth).
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    ChannelMismatchError
        If a column is missing.
    """
    _require(per_stance, ("target", "band_width_bw", "rmse_bw"), "the per-stance table")
    fig = go.Figure()
    for target, rows in per_stance.groupby("target", sort=False):
        fig.add_trace(go.Scatter(x=rows["band_width_bw"], y=rows["rmse_bw"], mode="markers",
                                   marker={"size": 4, "opacity": 0.5}, name=str(target)))
    fig.update_layout(title=title, xaxis_title="mean width of the band (BW)",
                      yaxis_title="RMSE against the true force (BW)")
    return fig
