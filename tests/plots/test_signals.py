"""Tests of grfkit.plots.signals: figures carry the data they claim to show."""

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import ChannelMismatchError
from grfkit.io.channels import fsr_channels
from grfkit.io.insole import total_load
from grfkit.io.stances import StanceDataset
from grfkit.plots.signals import (
    bout_signals_figure,
    channel_label,
    cohort_figure,
    event_error_figure,
    filter_response_figure,
    filtered_stance_figure,
    sensor_paths_figure,
    stance_curves_figure,
    sync_figure,
)
from grfkit.preprocess.filtering import zero_lag_response
from grfkit.preprocess.synchronisation import ClockSync, insole_to_lab_time
from grfkit.simulate import simulate_bout
from grfkit.simulate.paths import sensor_path_variants


@pytest.fixture(scope="module")
def sim():
    return simulate_bout("treadmill", "TM01", "medium_level", seed=2, duration_s=12.0)


def test_cohort_figure_has_one_box_per_dataset_and_panel() -> None:
    participants = pd.DataFrame({"dataset": ["overground", "treadmill"], "participant": ["OG01", "TM01"],
                                 "body_mass_kg": [60.0, 70.0], "height_m": [1.7, 1.8],
                                 "foot_strike": ["rearfoot", "forefoot"]})
    bouts = pd.DataFrame({"dataset": ["overground", "treadmill", "treadmill"], "participant": ["OG01", "TM01", "TM01"],
                          "bout": ["slow", "a", "b"], "speed_mps": [3.0, 3.5, 4.0]})
    fig = cohort_figure(participants, bouts)
    assert len(fig.data) == 6
    speeds = [t for t in fig.data if t.name == "treadmill" and len(t.y) == 2]
    assert speeds and list(speeds[0].y) == [3.5, 4.0]


def test_bout_signals_window_and_content(sim) -> None:
    bout = sim.raw
    fig = bout_signals_figure(bout, start_s=2.0, duration_s=1.5)
    force = fig.data[0]
    assert force.name == "belt"
    assert min(force.x) >= 2.0 and max(force.x) <= 3.5
    left = next(t for t in fig.data if t.name == "left insole")
    sel = (bout.insole["time_s"] >= 2.0) & (bout.insole["time_s"] <= 3.5)
    np.testing.assert_allclose(left.y, total_load(bout.insole.loc[sel, fsr_channels("left")]))
    assert len(fig.data) == 1 + 2 + 6


def test_sync_figure_places_insole_by_the_clock_model(sim) -> None:
    trial = sim.trial.iloc[0]
    true = ClockSync(trial["clock_offset_s"], trial["clock_drift_ppm"], np.inf, 0.0, 0)
    fig = sync_figure(sim.raw, true, start_lab_s=3.0, duration_s=2.0, true_sync=true)
    synced = next(t for t in fig.data if "estimate" in t.name)
    t_lab = insole_to_lab_time(sim.raw.insole["time_s"].to_numpy(), true)
    expected = t_lab[(t_lab >= 3.0) & (t_lab <= 5.0)]
    np.testing.assert_allclose(synced.x, expected)
    assert len(fig.data) == 4
    # three panels, each with its own unit; the plate force's 20 N rises marked across them
    assert [fig.layout[f"yaxis{k}"].title.text for k in ("", "2", "3")] == ["force (N)", *["load (ADC counts)"] * 2]
    assert len(fig.layout.shapes) >= 1


def test_filter_response_figure_matches_filtering() -> None:
    fig = filter_response_figure(20.0, 1000.0, 2)
    corrected = next(t for t in fig.data if "corrected" in t.name)
    i = int(np.argmin(np.abs(np.asarray(corrected.x) - 20.0)))
    expected = 20 * np.log10(zero_lag_response(20.0, 1000.0, 2, np.array([corrected.x[i]]), correct_cutoff=True))
    assert corrected.y[i] == pytest.approx(float(expected[0]))
    assert corrected.y[i] == pytest.approx(-3.0, abs=0.3)


def test_event_error_figure_uses_kept_stances_only() -> None:
    matched = pd.DataFrame({"dataset": ["overground"] * 3, "kept": [True, True, False],
                            "ic_error_ms": [0.1, -0.2, 50.0], "to_error_ms": [0.3, 0.0, 50.0]})
    fig = event_error_figure(matched)
    assert len(fig.data) == 2
    assert sorted(fig.data[0].x) == [-0.2, 0.1]
    assert fig.data[0].histnorm == "percent"  # one panel per data set, each normalised to its own stances
    two = pd.concat([matched, matched.assign(dataset="treadmill")], ignore_index=True)
    fig = event_error_figure(two)
    assert len(fig.data) == 4 and fig.data[2].xaxis == "x2"


def test_channel_labels_name_the_quantity_and_its_unit() -> None:
    assert channel_label("vgrf_n", body_weight=True) == "vertical GRF (body weights)"
    assert channel_label("apgrf_n") == "anteroposterior GRF (N)"
    assert channel_label("left_fsr02_adc") == "left FSR 2 (ADC counts)"
    assert channel_label("acc_z_mps2") == "shoe acceleration z, up (m/s²)"


def test_filtered_stance_figure_smooths_the_force() -> None:
    t = np.arange(1000) / 1000.0
    force = np.where((t > 0.3) & (t < 0.55), 2000.0 * np.sin(np.pi * (t - 0.3) / 0.25), 0.0)
    fig = filtered_stance_figure(t, force, 0.3, 0.55)
    raw, filtered = fig.data
    assert raw.x[0] == pytest.approx(-50.0) and raw.x[-1] == pytest.approx(300.0)
    assert max(filtered.y) < max(raw.y) and fig.layout.yaxis.title.text == "vertical force (N)"


def test_stance_curves_mean_in_body_weight(stance_factory) -> None:
    ds: StanceDataset = stance_factory()
    fig = stance_curves_figure(ds, "vgrf_n")
    mean = next(t for t in fig.data if (t.name or "").startswith("overground"))
    bw = ds.target("vgrf_n") / (ds.meta["body_mass_kg"].to_numpy()[:, None] * 9.81)
    np.testing.assert_allclose(mean.y, bw.mean(axis=0), rtol=1e-5)
    assert f"n={len(ds)}" in mean.name
    with pytest.raises(ChannelMismatchError, match="nope"):
        stance_curves_figure(ds, "nope")


@pytest.fixture(scope="module")
def path_curves() -> pd.DataFrame:
    return sensor_path_variants(seed=0)[0]


@pytest.mark.parametrize(
    ("path", "axis_titles"),
    [
        ("braking", ["AP force (BW)", "acc_x (m/s²)"]),
        ("transition", ["AP force (BW)", "gyro_y (deg/s)", "COP along the insole (% of length)",
                        "forefoot share (% of sensor load)"]),
        ("propulsion", ["AP force (BW)", "gyro_y (deg/s)"]),
    ],
)
def test_sensor_paths_figure_draws_every_variant_in_every_panel(path_curves, path, axis_titles) -> None:
    fig = sensor_paths_figure(path_curves, path)
    variants = list(path_curves.loc[path_curves["path"] == path, "variant"].unique())
    assert len(fig.data) == len(variants) * len(axis_titles)
    assert [fig.layout[f"yaxis{'' if k == 0 else k + 1}"].title.text for k in range(len(axis_titles))] == axis_titles
    assert [t.name for t in fig.data if t.showlegend] == variants
    bottom = fig.layout[f"xaxis{len(axis_titles)}"]
    assert bottom.title.text == "% stance"
    # The legend sits below the panels, away from the subplot titles, and the width follows the page.
    assert fig.layout.legend.y < 0 and fig.layout.width is None


def test_sensor_paths_figure_carries_the_curves(path_curves) -> None:
    fig = sensor_paths_figure(path_curves, "transition")
    late = path_curves.loc[(path_curves["path"] == "transition") & (path_curves["variant"] == "late")]
    drawn = [t for t in fig.data if t.name == "late"]
    np.testing.assert_allclose(drawn[0].x, late["stance_pct"])
    np.testing.assert_allclose(drawn[0].y, late["apgrf_bw"])
    np.testing.assert_allclose(drawn[3].y, 100 * late["forefoot_share_frac"])
    assert drawn[0].line.color != next(t for t in fig.data if t.name == "early").line.color


def test_sensor_paths_figure_rejects_unknown_paths(path_curves) -> None:
    with pytest.raises(ValueError, match="path must be one of"):
        sensor_paths_figure(path_curves, "swing")
    with pytest.raises(ValueError, match="no rows"):
        sensor_paths_figure(path_curves.loc[path_curves["path"] != "braking"], "braking")
