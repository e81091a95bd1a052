"""Interactive plotly figures of raw signals and preprocessing steps (chapters 01 and 02).

Each function takes grfkit objects and returns a :class:`plotly.graph_objects.Figure`;
the notebooks only call them and display the result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from grfkit.constants import CONTACT_THRESHOLD_N, FORCE_CUTOFF_HZ, GRAVITY_MPS2
from grfkit.errors import ChannelMismatchError
from grfkit.io.channels import (
    IMU_ACC_CHANNELS,
    IMU_GYRO_CHANNELS,
    TARGET_CHANNELS,
    fsr_channels,
)
from grfkit.io.insole import total_load
from grfkit.io.schema import RawBout
from grfkit.io.stances import StanceDataset
from grfkit.preprocess.filtering import (
    corrected_cutoff_hz,
    lowpass_zero_lag,
    zero_lag_response,
)
from grfkit.preprocess.synchronisation import ClockSync, insole_to_lab_time

__all__ = [
    "cohort_figure",
    "bout_signals_figure",
    "sync_figure",
    "filter_response_figure",
    "event_error_figure",
    "filtered_stance_figure",
    "stance_curves_figure",
    "channel_label",
    "sensor_paths_figure",
]

_DATASET_COLOURS = {"overground": "#1f77b4", "treadmill": "#d62728"}
# The raw-signal figures of chapter 1 keep one colour per thing: force plates in greys (plate1 or the belt
# first), the left and right insole, and the IMU axes (the same colours for accelerometer and gyroscope).
_PLATE_COLOURS = ("#000000", "#555555", "#888888", "#bbbbbb")
_FOOT_COLOURS = {"left": "#1f77b4", "right": "#ff7f0e"}
_AXIS_COLOURS = {"x (forward)": "#d62728", "y (left)": "#2ca02c", "z (up)": "#9467bd"}

# Panels of each physical path (column of grfkit.simulate.paths.sensor_path_variants, panel title, axis title).
_PATH_PANELS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "braking": (
        ("apgrf_bw", "true AP force", "AP force (BW)"),
        ("acc_x_mps2", "shoe IMU: forward acceleration", "acc_x (m/s²)"),
    ),
    "transition": (
        ("apgrf_bw", "true AP force", "AP force (BW)"),
        ("gyro_y_dps", "shoe IMU: pitch rate", "gyro_y (deg/s)"),
        ("cop_ap_frac", "insole: centre of pressure", "COP along the insole (% of length)"),
        ("forefoot_share_frac", "insole: forefoot share of the load", "forefoot share (% of sensor load)"),
    ),
    "propulsion": (
        ("apgrf_bw", "true AP force", "AP force (BW)"),
        ("gyro_y_dps", "shoe IMU: pitch rate", "gyro_y (deg/s)"),
    ),
}
# Variant colours: below typical, typical, above typical.
_VARIANT_COLOURS = {"low": "#1f77b4", "early": "#1f77b4", "typical": "#333333", "high": "#d62728", "late": "#d62728"}


def _window(time_s: np.ndarray, start_s: float, duration_s: float) -> np.ndarray:
    return (time_s >= start_s) & (time_s <= start_s + duration_s)


def cohort_figure(participants: pd.DataFrame, bouts: pd.DataFrame) -> go.Figure:
    """Body mass, height and running speed of the two cohorts, one point per participant or bout.

    Parameters
    ----------
    participants
        ``participants.csv``: ``dataset``, ``participant``, ``body_mass_kg``, ``height_m``, ``foot_strike``.
    bouts
        ``bouts.csv``: ``dataset``, ``speed_mps``, ``gradient_deg``.

    Returns
    -------
    plotly.graph_objects.Figure
        Three panels of strip plots.
    """
    fig = make_subplots(rows=1, cols=3, subplot_titles=("body mass (kg)", "height (m)", "bout speed (m/s)"))
    for dataset, colour in _DATASET_COLOURS.items():
        p = participants.loc[participants["dataset"] == dataset]
        b = bouts.loc[bouts["dataset"] == dataset]
        if p.empty:
            continue
        hover = p["participant"] + " (" + p["foot_strike"] + ")"
        fig.add_trace(go.Box(y=p["body_mass_kg"], name=dataset, boxpoints="all", marker_color=colour,
                             text=hover, legendgroup=dataset), row=1, col=1)
        fig.add_trace(go.Box(y=p["height_m"], name=dataset, boxpoints="all", marker_color=colour, text=hover,
                             legendgroup=dataset, showlegend=False), row=1, col=2)
        fig.add_trace(go.Box(y=b["speed_mps"], name=dataset, boxpoints="all", marker_color=colour,
                             text=b["participant"] + " " + b["bout"], legendgroup=dataset, showlegend=False),
                      row=1, col=3)
    fig.update_layout(height=380, margin=dict(t=40, b=30), legend=dict(orientation="h", y=-0.12))
    return fig


def bout_signals_figure(bout: RawBout, start_s: float, duration_s: float = 3.0) -> go.Figure:
    """The raw tables of one bout over a short window, each on its own clock.

    Parameters
    ----------
    bout
        A bout as read by :func:`grfkit.io.read.read_bout`.
    start_s
        Start of the window on the *lab* clock for force/marker and on the
        *insole* clock for insole/IMU (the clocks are not yet aligned: that
        is the point of the figure).
    duration_s
        Window length, seconds.

    Returns
    -------
    plotly.graph_objects.Figure
        Four stacked panels: plate forces, insole FSR sums per foot, shoe
        accelerometer, shoe gyroscope; one legend, grouped by instrument,
        with the same colours in every bout.
    """
    fig = make_subplots(
        rows=4, cols=1, shared_xaxes=False, vertical_spacing=0.08,
        subplot_titles=("force plates: vertical force (lab clock)", "insoles: sum of 16 FSRs (insole clock)",
                        "shoe accelerometer (insole clock)", "shoe gyroscope (insole clock)"),
    )
    f = bout.force
    sel = _window(f["time_s"].to_numpy(), start_s, duration_s)
    for k, plate in enumerate(bout.info.plates):
        fig.add_trace(go.Scattergl(x=f["time_s"][sel], y=f[f"{plate.name}_fz_n"][sel], name=plate.name, mode="lines",
                                   line=dict(color=_PLATE_COLOURS[k % len(_PLATE_COLOURS)]), legendgroup="force",
                                   legendgrouptitle_text="force plate"), row=1, col=1)
    ins = bout.insole
    sel = _window(ins["time_s"].to_numpy(), start_s, duration_s)
    for foot in ("left", "right"):
        fig.add_trace(go.Scattergl(x=ins["time_s"][sel], y=total_load(ins.loc[sel, fsr_channels(foot)]),
                                   name=f"{foot} insole", mode="lines", line=dict(color=_FOOT_COLOURS[foot]),
                                   legendgroup="insole", legendgrouptitle_text="insole"), row=2, col=1)
    imu = bout.imu
    sel = _window(imu["time_s"].to_numpy(), start_s, duration_s)
    for row, channels in ((3, IMU_ACC_CHANNELS), (4, IMU_GYRO_CHANNELS)):
        for c, (axis, colour) in zip(channels, _AXIS_COLOURS.items(), strict=True):
            fig.add_trace(go.Scattergl(x=imu["time_s"][sel], y=imu[c][sel], name=axis, mode="lines",
                                       line=dict(color=colour), legendgroup="imu", showlegend=row == 3,
                                       legendgrouptitle_text="shoe IMU axis"), row=row, col=1)
    for row, (x_title, y_title) in enumerate((("lab time (s)", "force (N)"), ("insole time (s)", "ADC counts"),
                                              ("insole time (s)", "acceleration (m/s²)"),
                                              ("insole time (s)", "angular rate (deg/s)")), start=1):
        fig.update_xaxes(title_text=x_title, row=row, col=1)
        fig.update_yaxes(title_text=y_title, row=row, col=1)
    fig.update_layout(height=950, margin=dict(t=40, b=40),
                      legend=dict(orientation="h", y=-0.08, groupclick="toggleitem"))
    return fig


def sync_figure(bout: RawBout, sync: ClockSync, start_lab_s: float, duration_s: float = 4.0,
                true_sync: ClockSync | None = None) -> go.Figure:
    """Insole load on the lab clock, before and after synchronisation, under the plate force.

    Three panels on one lab time axis, each with its own units: the total
    plate force; the insole load placed as if the clocks agreed; and the
    insole load placed by the estimated clock model (and by the true one,
    dotted, when given).  Dashed lines mark where the plate force rises
    through 20 N, so the unsynchronised trace is seen to miss them.

    Parameters
    ----------
    bout
        The bout.
    sync
        Estimated clock relation.
    start_lab_s, duration_s
        Window on the lab clock, seconds.
    true_sync
        The generator's true relation, drawn too when given.

    Returns
    -------
    plotly.graph_objects.Figure
        Three stacked panels sharing the lab time axis.
    """
    f = bout.force
    sel = _window(f["time_s"].to_numpy(), start_lab_s, duration_s)
    plates = [f"{p.name}_fz_n" for p in bout.info.plates]
    t_lab = f["time_s"].to_numpy()[sel]
    force = f.loc[sel, plates].sum(axis=1).to_numpy()
    onsets = t_lab[1:][(force[1:] > CONTACT_THRESHOLD_N) & (force[:-1] <= CONTACT_THRESHOLD_N)]
    offset_s = sync.offset_s if true_sync is None else true_sync.offset_s
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.09, subplot_titles=(
        "force plates: total vertical force",
        f"insole load placed with insole time as lab time (the clocks differ by {offset_s:+.2f} s)",
        "insole load placed by the estimated clock model"))
    fig.add_trace(go.Scattergl(x=t_lab, y=force, name="plate force", line=dict(color="black")), row=1, col=1)
    t_ins = bout.insole["time_s"].to_numpy()
    load = total_load(bout.insole[fsr_channels("left")]) + total_load(bout.insole[fsr_channels("right")])
    placements = [(2, "insole, unsynchronised", t_ins, "#7f7f7f", None),
                  (3, "insole, synchronised (estimate)", insole_to_lab_time(t_ins, sync), "#2ca02c", None)]
    if true_sync is not None:
        placements.append((3, "insole, true clock", insole_to_lab_time(t_ins, true_sync), "#ff7f0e", "dot"))
    for row, name, t, colour, dash in placements:
        s = _window(t, start_lab_s, duration_s)
        fig.add_trace(go.Scattergl(x=t[s], y=load[s], name=name, line=dict(color=colour, dash=dash)), row=row, col=1)
    for onset in onsets:
        fig.add_vline(x=float(onset), line=dict(color="#d62728", dash="dash", width=1))
    fig.update_yaxes(title_text="force (N)", row=1, col=1)
    for row in (2, 3):
        fig.update_yaxes(title_text="load (ADC counts)", row=row, col=1)
    fig.update_xaxes(title_text="lab time (s)", row=3, col=1)
    fig.update_layout(height=620, legend=dict(orientation="h", y=-0.12), margin=dict(t=40))
    return fig


def filter_response_figure(cutoff_hz: float = FORCE_CUTOFF_HZ, sampling_rate_hz: float = 1000.0,
                           order: int = 2) -> go.Figure:
    """Magnitude response of the zero-lag Butterworth filter with and without the two-pass correction.

    Parameters
    ----------
    cutoff_hz
        Wanted -3 dB frequency, hertz.
    sampling_rate_hz
        Sampling rate, hertz.
    order
        Order of one pass.

    Returns
    -------
    plotly.graph_objects.Figure
        Gain (dB) against frequency, with the -3 dB level and the cutoff marked.
    """
    freqs = np.linspace(0.0, 4 * cutoff_hz, 400)
    fig = go.Figure()
    for correct, name in ((False, "zero-lag, designed at the cutoff"), (True, "zero-lag, two-pass corrected")):
        gain = zero_lag_response(cutoff_hz, sampling_rate_hz, order, freqs, correct_cutoff=correct)
        fig.add_trace(go.Scatter(x=freqs, y=20 * np.log10(np.maximum(gain, 1e-6)), name=name))
    fig.add_hline(y=-3.01, line_dash="dash", annotation_text="-3 dB")
    fig.add_vline(x=cutoff_hz, line_dash="dot",
                  annotation_text=f"{cutoff_hz:g} Hz (design {corrected_cutoff_hz(cutoff_hz, order):.1f} Hz)")
    fig.update_layout(height=380, xaxis_title="frequency (Hz)", yaxis_title="gain (dB)", yaxis_range=[-40, 3],
                      legend=dict(orientation="h", y=-0.25), margin=dict(t=30))
    return fig


def event_error_figure(matched: pd.DataFrame) -> go.Figure:
    """Distributions of initial-contact and toe-off errors against the generator's truth, one panel per data set.

    Each panel is normalised to its own number of stances (percent), so a
    data set with few stances is as readable as one with many.

    Parameters
    ----------
    matched
        :func:`grfkit.preprocess.ground_truth.match_plate_contacts` output.

    Returns
    -------
    plotly.graph_objects.Figure
        Overlaid histograms (percent of the data set's kept stances) of IC
        and TO errors in milliseconds.
    """
    kept = matched.loc[matched["kept"]]
    datasets = sorted(kept["dataset"].unique())
    fig = make_subplots(rows=1, cols=max(len(datasets), 1), shared_yaxes=True,
                        subplot_titles=[f"{d} (n = {int((kept['dataset'] == d).sum())})" for d in datasets])
    colours = {"initial contact": "#1f77b4", "toe-off": "#ff7f0e"}
    for col, dataset in enumerate(datasets, start=1):
        g = kept.loc[kept["dataset"] == dataset]
        for column, label in (("ic_error_ms", "initial contact"), ("to_error_ms", "toe-off")):
            fig.add_trace(go.Histogram(x=g[column], name=label, histnorm="percent", opacity=0.6, nbinsx=40,
                                       marker_color=colours[label], legendgroup=label, showlegend=col == 1),
                          row=1, col=col)
        fig.update_xaxes(title_text="detected minus true (ms)", row=1, col=col)
    fig.update_yaxes(title_text="share of stances (%)", row=1, col=1)
    fig.update_layout(barmode="overlay", height=380, legend=dict(orientation="h", y=-0.3), margin=dict(t=40))
    return fig


def filtered_stance_figure(time_s: np.ndarray, force_n: np.ndarray, ic_s: float, to_s: float, *,
                           cutoff_hz: float = FORCE_CUTOFF_HZ, sampling_rate_hz: float = 1000.0,
                           margin_s: float = 0.05) -> go.Figure:
    """One stance's raw vertical force and the same force after the 20 Hz zero-lag low-pass.

    Parameters
    ----------
    time_s
        Timestamps of the force channel, seconds (lab clock).
    force_n
        Vertical force of one plate, newtons (the whole channel: it is filtered whole).
    ic_s, to_s
        The stance's initial contact and toe-off, seconds.
    cutoff_hz
        -3 dB frequency of the zero-lag filter, hertz.
    sampling_rate_hz
        Sampling rate, hertz.
    margin_s
        Time shown before IC and after TO, seconds.

    Returns
    -------
    plotly.graph_objects.Figure
        Raw and filtered force (N) against time from IC (ms), with the 20 N threshold.
    """
    t = np.asarray(time_s, dtype=float)
    raw = np.asarray(force_n, dtype=float)
    filtered = lowpass_zero_lag(raw, cutoff_hz, sampling_rate_hz)
    sel = _window(t, ic_s - margin_s, (to_s - ic_s) + 2 * margin_s)
    ms = (t[sel] - ic_s) * 1e3
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=ms, y=raw[sel], name="raw force", line=dict(color="#7f7f7f")))
    fig.add_trace(go.Scatter(x=ms, y=filtered[sel], name=f"{cutoff_hz:g} Hz zero-lag low-pass",
                             line=dict(color="#1f77b4")))
    fig.add_hline(y=CONTACT_THRESHOLD_N, line_dash="dash", annotation_text=f"{CONTACT_THRESHOLD_N:g} N")
    fig.update_layout(height=380, xaxis_title="time from initial contact (ms)", yaxis_title="vertical force (N)",
                      legend=dict(orientation="h", y=-0.25), margin=dict(t=30))
    return fig


#: Readable names of the stance channels' quantities, and their units.
_CHANNEL_NAMES: dict[str, str] = {
    "vgrf_n": "vertical GRF", "apgrf_n": "anteroposterior GRF", "cop_ap_frac": "insole COP, heel to toe",
    "cop_ml_frac": "insole COP, medial to lateral",
}
_UNITS: dict[str, str] = {"n": "N", "adc": "ADC counts", "frac": "fraction of the insole", "mps2": "m/s²",
                          "dps": "deg/s"}
_AXES = {"x": "x, forward", "y": "y, left", "z": "z, up"}


def channel_label(channel: str, *, body_weight: bool = False) -> str:
    """An axis title for a stance channel: what it measures and its unit.

    Parameters
    ----------
    channel
        A stance channel name, e.g. ``"vgrf_n"``, ``"left_fsr02_adc"``, ``"acc_z_mps2"``.
    body_weight
        A force channel is drawn in body weights.

    Returns
    -------
    str
        E.g. ``"vertical GRF (body weights)"``, ``"left FSR 2 (ADC counts)"``,
        ``"shoe acceleration z, up (m/s²)"``.

    Examples
    --------
    >>> channel_label("gyro_y_dps")
    'shoe angular rate y, left (deg/s)'
    """
    stem, _, unit = channel.rpartition("_")
    unit_text = "body weights" if body_weight and unit == "n" else _UNITS.get(unit, unit)
    if channel in _CHANNEL_NAMES:
        name = _CHANNEL_NAMES[channel]
    elif "_fsr" in stem:
        foot, _, number = stem.partition("_fsr")
        name = f"{foot} FSR {int(number)}"
    elif stem.startswith(("acc_", "gyro_")):
        kind, _, axis = stem.partition("_")
        name = f"shoe {'acceleration' if kind == 'acc' else 'angular rate'} {_AXES.get(axis, axis)}"
    else:
        name = stem.replace("_", " ")
    return f"{name} ({unit_text})"


def stance_curves_figure(stances: StanceDataset, channel: str = "vgrf_n", *, body_weight: bool = True) -> go.Figure:
    """Mean ± SD of a time-normalised channel per data set.

    Parameters
    ----------
    stances
        Stance data set.
    channel
        A target (``vgrf_n``, ``apgrf_n``) or input channel name.
    body_weight
        Divide force targets by body weight.

    Returns
    -------
    plotly.graph_objects.Figure
        One band (mean ± 1 SD) per data set against % stance.

    Raises
    ------
    ChannelMismatchError
        If ``channel`` is neither a target nor an input.
    """
    if channel in stances.target_channels:
        values = stances.target(channel).astype(float)
        if body_weight:
            values = values / (stances.meta["body_mass_kg"].to_numpy()[:, None] * GRAVITY_MPS2)
    elif channel in stances.input_channels:
        values = stances.input(channel).astype(float)
    else:
        raise ChannelMismatchError(f"no channel {channel!r} among targets {TARGET_CHANNELS} or inputs")
    pct = np.linspace(0, 100, values.shape[1])
    fig = go.Figure()
    for dataset, colour in _DATASET_COLOURS.items():
        rows = (stances.meta["dataset"] == dataset).to_numpy()
        if not rows.any():
            continue
        mean, sd = values[rows].mean(axis=0), values[rows].std(axis=0)
        fig.add_trace(go.Scatter(x=np.r_[pct, pct[::-1]], y=np.r_[mean + sd, (mean - sd)[::-1]], fill="toself",
                                 fillcolor=colour, opacity=0.2, line=dict(width=0), hoverinfo="skip",
                                 showlegend=False, legendgroup=dataset))
        fig.add_trace(go.Scatter(x=pct, y=mean, name=f"{dataset} (n={int(rows.sum())})", line=dict(color=colour),
                                 legendgroup=dataset))
    fig.update_layout(height=380, xaxis_title="stance (%)", yaxis_title=channel_label(channel, body_weight=body_weight),
                      legend=dict(orientation="h", y=-0.25), margin=dict(t=30))
    return fig


def sensor_paths_figure(curves: pd.DataFrame, path: str) -> go.Figure:
    """One physical path from the AP force to the wearables: the force and the sensor responses of its variants.

    Parameters
    ----------
    curves
        The ``curves`` table of :func:`grfkit.simulate.paths.sensor_path_variants`.
    path
        ``"braking"`` (AP force and ``acc_x``), ``"transition"`` (AP force,
        ``gyro_y``, insole centre of pressure and forefoot share of the
        sensor load) or ``"propulsion"`` (AP force and ``gyro_y``).

    Returns
    -------
    plotly.graph_objects.Figure
        Two panels per row against % stance (0 at contact, 100 at toe-off),
        one line per variant in every panel; fractions are drawn in percent.

    Raises
    ------
    ValueError
        If ``path`` is not one of the three paths or ``curves`` has none of its rows.
    """
    if path not in _PATH_PANELS:
        raise ValueError(f"path must be one of {sorted(_PATH_PANELS)}, got {path!r}")
    rows = curves.loc[curves["path"] == path]
    if rows.empty:
        raise ValueError(f"curves has no rows for path {path!r}")
    panels = _PATH_PANELS[path]
    n_rows = (len(panels) + 1) // 2
    fig = make_subplots(rows=n_rows, cols=2, subplot_titles=[title for _, title, _ in panels],
                        horizontal_spacing=0.12, vertical_spacing=0.16)
    for variant, g in rows.groupby("variant", sort=False):
        colour = _VARIANT_COLOURS.get(str(variant), "#7f7f7f")
        for k, (column, _, _) in enumerate(panels):
            scale = 100.0 if column.endswith("_frac") else 1.0
            fig.add_trace(go.Scatter(x=g["stance_pct"], y=g[column] * scale, name=str(variant), mode="lines",
                                     line=dict(color=colour), legendgroup=str(variant), showlegend=k == 0),
                          row=k // 2 + 1, col=k % 2 + 1)
    for k, (_, _, axis_title) in enumerate(panels):
        fig.update_yaxes(title_text=axis_title, row=k // 2 + 1, col=k % 2 + 1)
        fig.update_xaxes(title_text="% stance" if k // 2 + 1 == n_rows else None, row=k // 2 + 1, col=k % 2 + 1)
    height = 330 * n_rows + 110
    fig.update_layout(height=height, margin=dict(t=40, b=110),
                      legend=dict(orientation="h", yanchor="top", y=-70 / (height - 150), title_text=f"{path}:"))
    return fig
