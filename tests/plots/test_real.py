"""Tests of the real-data chapter's figures (synthetic inputs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from grfkit.errors import ConfigError
from grfkit.plots.real import (
    condition_rrmse_figure,
    estimates_figure,
    explained_range_figure,
    input_curves_figure,
    mean_curves_figure,
    participant_rrmse_figure,
    stance_count_figure,
    validation_curves_figure,
)
from grfkit.real.stance_features import curve_summary
from grfkit.real.transfer import TransferResult, evaluate_stances


def _result(data) -> TransferResult:
    estimates = {t: data.target(f"{t}_n") * 1.05 for t in ("vgrf", "apgrf")}
    stances = pd.concat([evaluate_stances(data, estimates[t], t) for t in estimates], ignore_index=True)
    return TransferResult(stances=stances, estimates=estimates, dataset=data)


def test_stance_count_figure_stacks_accepted_and_rejected() -> None:
    counts = pd.DataFrame({"dataset": ["a", "a"], "bout": ["x", "y"], "accepted": [5, 3], "rejected": [1, 0]})
    fig = stance_count_figure(counts)
    assert isinstance(fig, go.Figure) and [t.name for t in fig.data] == ["accepted", "rejected"]
    assert list(fig.data[0].y) == [5, 3]
    two = stance_count_figure(pd.concat([counts, counts.assign(dataset="b")], ignore_index=True))
    assert [a.text for a in two.layout.annotations] == ["a", "b"]  # one panel per data set, no crowded labels
    assert [t.showlegend for t in two.data] == [True, True, False, False]
    with pytest.raises(ConfigError):
        stance_count_figure(counts.drop(columns="rejected"))


def test_mean_and_input_curve_figures_draw_one_band_per_group(stance_factory) -> None:
    data = stance_factory(participants=("A", "B"), stances_per_participant=3)
    fig = mean_curves_figure({"one": data, "two": data})
    assert len(fig.data) == 2 * 2 * 2  # groups x panels x (band + mean)
    assert max(fig.data[1].y) == pytest.approx((data.target("vgrf_n") / (data.meta["body_mass_kg"].to_numpy()[:, None] * 9.81)).mean(0).max(), rel=1e-6)
    fig = input_curves_figure({"one": data}, channels=("cop_ap_frac", "acc_z_mps2"))
    assert len(fig.data) == 4 and fig.layout.width is None  # fits the page
    assert [a.text for a in fig.layout.annotations] == [
        "COP along the insole (fraction of length)", "shoe acceleration z (m/s²)"]
    fig = input_curves_figure({"one": data}, channels=("left_fsr02_adc",) * 4)
    assert fig.layout.annotations[0].text == "left insole FSR 2 (ADC counts)"
    assert fig.layout.yaxis4.anchor == "x4" and len(fig.data) == 8  # 3 panels a row, then a second row


def test_validation_curves_figure_has_real_and_simulated_traces(stance_factory) -> None:
    data = stance_factory(participants=("A",), stances_per_participant=3)
    curves = pd.concat([curve_summary(data, "c1", "real"), curve_summary(data, "c1", "simulated"),
                        curve_summary(data, "c2", "real")], ignore_index=True)
    fig = validation_curves_figure(curves)
    names = {t.name for t in fig.data if t.showlegend}
    assert names == {"real", "simulated"}
    assert len(fig.data) == 2 * (2 + 2 + 2)  # (band + mean) x (c1 real, c1 simulated, c2 real) x 2 channels
    assert "held-out" not in fig.layout.title.text and fig.layout.width is None
    held_out = validation_curves_figure(curves.assign(part="validation"))
    assert "held-out validation runners: hamner2013 subject10" in held_out.layout.title.text


def test_estimates_and_error_figures(stance_factory) -> None:
    data = stance_factory(participants=("A", "B"), stances_per_participant=4)
    result = _result(data)
    fig = estimates_figure(result, "vgrf", max_stances=3)
    assert len(fig.data) == 6 and "%" in fig.data[0].name
    fig = participant_rrmse_figure(result)
    assert [t.name for t in fig.data] == ["vertical force", "anteroposterior force"]
    assert list(fig.data[0].x) == ["A", "B"] and fig.layout.xaxis.title.text == "held-out runner"
    stances = result.stances.assign(trial=np.arange(len(result.stances)) % 3, gradient_deg=5.0, condition="c")
    fig = condition_rrmse_figure(TransferResult(stances, result.estimates, data))
    assert len(fig.data) >= 1
    with pytest.raises(ConfigError):
        condition_rrmse_figure(result)


def test_explained_range_figure_draws_baseline_and_floor_with_their_ranges() -> None:
    index = pd.MultiIndex.from_product([["simulated all", "real"], ["vgrf", "apgrf"]],
                                       names=["cohort", "target"])
    baseline = pd.DataFrame({"rrmse_pct": [8.0, 20.0, 9.0, 22.0], "rrmse_pct_min": [6.0, 15.0, 7.0, 18.0],
                             "rrmse_pct_max": [11.0, 26.0, 12.0, 25.0]}, index=index)
    floor = pd.DataFrame({"mean": [1.0, 3.0], "min": [0.5, 2.0], "max": [1.5, 4.5]},
                         index=pd.MultiIndex.from_product([["treadmill"], ["vgrf", "apgrf"]],
                                                          names=["dataset", "target"]))
    fig = explained_range_figure(baseline, floor)
    assert [trace.name for trace in fig.data] == [
        "static baseline, simulated all", "static baseline, real", "oracle floor, simulated treadmill"]
    assert list(fig.data[0].x) == ["vertical (vGRF)", "anteroposterior (apGRF)"]
    np.testing.assert_allclose(fig.data[1].error_y.array, [3.0, 3.0])
    np.testing.assert_allclose(fig.data[2].error_y.arrayminus, [0.5, 1.0])
    assert fig.layout.title.text == "What the wearables have to explain" and fig.layout.barmode == "group"
