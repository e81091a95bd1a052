"""Tests of grfkit.plots.results: the figures carry the numbers they are given."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from grfkit.errors import ConfigError, LengthMismatchError
from grfkit.model.history import TrainingHistory
from grfkit.plots.results import (
    feature_importance,
    participant_errors,
    predicted_vs_measured,
    rrmse_example,
    strategy_comparison,
    training_curves,
)


@pytest.fixture
def table() -> pd.DataFrame:
    rows = []
    for s, strategy in enumerate(("overground", "treadmill", "transfer", "combined")):
        for target, base in (("vgrf", 8.0), ("apgrf", 12.0)):
            for p, subject in enumerate(("OG01", "OG02", "OG03")):
                rows.append({"strategy": strategy, "target": target, "subject": subject,
                             "rrmse_pct": base + s + p, "rmse_bw": 0.1 * (s + p + 1)})
    return pd.DataFrame(rows)


def test_strategy_comparison_bars_ranges_and_points(table) -> None:
    fig = strategy_comparison(table)
    assert isinstance(fig, go.Figure)
    bars = [t for t in fig.data if t.type == "bar"]
    points = [t for t in fig.data if t.type == "scatter"]
    assert [b.name for b in bars] == ["vGRF mean", "apGRF mean"] and len(points) == 2
    np.testing.assert_allclose(bars[0].y, [9.0, 10.0, 11.0, 12.0])  # mean of base+s+{0,1,2}
    np.testing.assert_allclose(bars[0].error_y.array, [1.0] * 4)  # max - mean
    np.testing.assert_allclose(bars[0].error_y.arrayminus, [1.0] * 4)  # mean - min
    assert len(points[0].y) == 12 and set(points[0].text) == {"OG01", "OG02", "OG03"}
    assert list(fig.layout.xaxis.ticktext) == ["Overground only", "Treadmill only", "Transfer learning", "Combined"]
    # Bars of the two targets sit side by side around each strategy's tick.
    assert bars[0].x[0] < 0 < bars[1].x[0]


def test_strategy_comparison_draws_baselines_in_grey_after_the_strategies(table) -> None:
    baselines = pd.DataFrame([{"strategy": b, "target": t, "subject": p, "rrmse_pct": 20.0 + k, "rmse_bw": 0.5}
                              for k, b in enumerate(("baseline_static", "baseline_mean"))
                              for t in ("vgrf", "apgrf") for p in ("OG01", "OG02", "OG03")])
    fig = strategy_comparison(pd.concat([baselines, table], ignore_index=True))
    assert list(fig.layout.xaxis.ticktext) == ["Overground only", "Treadmill only", "Transfer learning", "Combined",
                                               "Mean curve (no wearables)", "Nearest stances (no wearables)"]
    bars = [t for t in fig.data if t.type == "bar"]
    np.testing.assert_allclose(bars[0].y, [9.0, 10.0, 11.0, 12.0, 21.0, 20.0])
    vgrf, apgrf = (list(b.marker.color) for b in bars)
    assert len(set(vgrf[:4])) == 1 and len(set(vgrf[4:])) == 1 and vgrf[0] != vgrf[4] and vgrf[4] != apgrf[4]
    assert all(c[1:3] == c[3:5] == c[5:7] for c in vgrf[4:] + apgrf[4:])  # greys: equal red, green, blue
    points = [t for t in fig.data if t.type == "scatter"][0]
    grey_points = [c for c, x in zip(points.marker.color, points.x) if x > 3.5]
    assert len(grey_points) == 6 and set(grey_points) == {vgrf[4]}
    (line,) = fig.layout.shapes
    assert line.x0 == line.x1 == 3.5 and line.line.dash == "dot"
    assert not strategy_comparison(table).layout.shapes  # no baselines, no separator
    fig = participant_errors(pd.concat([table, baselines]))
    assert list(fig.data[0].x)[-2:] == ["Mean curve (no wearables)", "Nearest stances (no wearables)"]


def test_strategy_comparison_with_published_values(table) -> None:
    fig = strategy_comparison(table, published={("combined", "vgrf"): (6.1, 3.5, 10.7),
                                                ("combined", "apgrf"): (5.5, 3.0, 9.0)})
    published = [t for t in fig.data if "published" in (t.name or "")]
    assert len(published) == 2 and list(published[0].y) == [6.1]
    assert published[0].error_y.array[0] == pytest.approx(4.6)
    assert published[0].marker.symbol != published[1].marker.symbol  # vGRF and apGRF told apart
    assert fig.layout.legend.yanchor == "top" and fig.layout.legend.y < 0  # below the plot, not on the title
    with pytest.raises(ConfigError, match="rrmse_pct"):
        strategy_comparison(table.drop(columns="rrmse_pct"))


def test_participant_errors_is_a_paired_slope_chart(table) -> None:
    fig = participant_errors(table, metric="rmse_bw")
    assert len(fig.data) == 6  # 3 participants x 2 targets, one line each across the strategies
    first = fig.data[0]
    assert first.name == "OG01" and list(first.x)[0] == "Overground only" and len(first.x) == 4
    expected = table.query("target == 'vgrf' and subject == 'OG01'").set_index("strategy")["rmse_bw"]
    np.testing.assert_allclose(first.y, expected.reindex(["overground", "treadmill", "transfer", "combined"]))
    assert fig.layout.yaxis.title.text == "RMSE (body weights)"
    assert fig.layout.xaxis.title.text == "training strategy"


def test_training_curves_number_epochs_across_phases() -> None:
    def phase(name, losses, validation=()):
        return TrainingHistory(phase=name, step_loss=tuple(losses), epoch_loss=tuple(losses),
                               validation_loss=tuple(validation), n_stances=10, participants=("A",),
                               validation_participants=("B",) if validation else (), learning_rate=1e-3,
                               batch_size=2, epochs=len(losses), trainable="all", seed=0, wall_time_s=1.0)

    fig = training_curves([phase("fit", [1.0, 0.5], [1.2, 0.7]), phase("fine_tune", [0.4, 0.3, 0.2])])
    assert len(fig.data) == 3
    assert list(fig.data[0].x) == [1, 2] and list(fig.data[1].y) == [1.2, 0.7]
    assert list(fig.data[2].x) == [3, 4, 5]
    assert fig.layout.yaxis.type == "log"
    assert (fig.layout.xaxis.tick0, fig.layout.xaxis.dtick, fig.layout.xaxis.tickformat) == (1, 1, "d")
    assert list(fig.layout.yaxis.ticktext) == ["0.1", "0.2", "0.5", "1", "2"]  # 1-2-5 ticks, no minor labels


def test_predicted_vs_measured_and_its_errors() -> None:
    measured = np.sin(np.linspace(0, np.pi, 101))[None].repeat(2, axis=0)
    fig = predicted_vs_measured(measured, measured * 0.9, labels=["a", "b"], unit="BW")
    assert len(fig.data) == 4 and fig.data[1].line.dash == "dash"
    assert fig.data[0].x[-1] == 100.0 and fig.layout.yaxis.title.text == "force (BW)"
    with pytest.raises(LengthMismatchError):
        predicted_vs_measured(measured, measured[:, :50])
    with pytest.raises(LengthMismatchError):
        predicted_vs_measured(measured, measured, labels=["a"])


def test_rrmse_example_states_the_numbers() -> None:
    measured = np.array([0.0, 1000.0, 2000.0, 1000.0, 0.0])
    estimated = measured + 100.0  # RMSE 100 N, range 2000 N -> 5 %
    fig = rrmse_example(measured, estimated)
    assert "RMSE = 100.0 N" in fig.layout.title.text and "rRMSE = 5.0 %" in fig.layout.title.text
    with pytest.raises(LengthMismatchError):
        rrmse_example(measured[None], estimated[None])


def test_feature_importance_sorted_with_one_trace_per_target() -> None:
    importance = pd.DataFrame({
        "channel": ["a", "b", "a", "b"],
        "increase_pp": [3.0, 1.0, 2.0, 0.5],
        "increase_sd_pp": [0.1, 0.2, 0.1, 0.1],
        "target": ["vgrf", "vgrf", "apgrf", "apgrf"],
    })
    fig = feature_importance(importance)
    assert [t.name for t in fig.data] == ["vGRF", "apGRF"]
    assert list(fig.data[0].y) == ["b", "a"]  # most important at the top of a horizontal bar chart
    np.testing.assert_allclose(fig.data[0].x, [1.0, 3.0])
    single = feature_importance(importance.loc[importance["target"] == "vgrf"].drop(columns="target"))
    assert len(single.data) == 1
    with pytest.raises(ConfigError):
        feature_importance(importance.drop(columns="increase_sd_pp"))
