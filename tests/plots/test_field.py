"""Tests of grfkit.plots.field: the figures carry the curves and points they are given."""

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import ChannelMismatchError, LengthMismatchError
from grfkit.plots.field import band_width_figure, field_stretch_figure


@pytest.fixture
def stretch():
    rng = np.random.default_rng(0)
    ic = np.arange(6) * 0.7
    meta = pd.DataFrame({"ic_s": ic, "to_s": ic + 0.25, "true_ic_s": ic - 0.001,
                         "true_to_s": ic + 0.245})
    meta.loc[5, ["true_ic_s", "true_to_s"]] = np.nan  # outside the truth's window
    estimate = np.sin(np.linspace(0, np.pi, 101))[None, :] * 2.5 + rng.normal(0, 0.05, (6, 101))
    truth = np.full((6, 101), np.nan)
    truth[:5] = np.sin(np.linspace(0, np.pi, 101)) * 2.4
    return meta, estimate, truth


def test_stretch_places_each_stance_between_its_events(stretch) -> None:
    meta, estimate, truth = stretch
    fig = field_stretch_figure(meta, estimate, truth, target="vgrf", start_s=0.6, duration_s=3.0,
                               lower_bw=estimate - 0.2, upper_bw=estimate + 0.2)
    estimates = [t for t in fig.data if t.legendgroup == "estimate"]
    truths = [t for t in fig.data if t.legendgroup == "truth"]
    bands = [t for t in fig.data if t.legendgroup == "band"]
    # Stances starting in [0.6, 3.6): 0.7, 1.4, 2.1, 2.8, 3.5 -> 5; the last has no truth.
    assert len(estimates) == len(bands) == 5 and len(truths) == 4
    assert estimates[0].x[0] == pytest.approx(0.7) and estimates[0].x[-1] == pytest.approx(0.95)
    np.testing.assert_allclose(estimates[0].y, estimate[1])
    assert truths[0].x[0] == pytest.approx(0.699) and truths[0].x[-1] == pytest.approx(0.945)
    np.testing.assert_allclose(bands[0].y[:101], estimate[1] + 0.2)  # upper edge, then lower reversed
    assert sum(t.showlegend for t in fig.data) == 3
    assert fig.layout.yaxis.title.text == "vertical GRF (BW)"


def test_stretch_without_band_and_bad_shapes(stretch) -> None:
    meta, estimate, truth = stretch
    fig = field_stretch_figure(meta, estimate, truth, target="apgrf", start_s=0.0)
    assert not [t for t in fig.data if t.legendgroup == "band"]
    with pytest.raises(LengthMismatchError, match="one row per stance"):
        field_stretch_figure(meta, estimate[:3], truth, target="vgrf", start_s=0.0)
    with pytest.raises(ChannelMismatchError, match="true_ic_s"):
        field_stretch_figure(meta.drop(columns="true_ic_s"), estimate, truth, target="vgrf", start_s=0.0)


def test_band_width_figure_one_trace_per_force() -> None:
    table = pd.DataFrame({"target": ["vgrf"] * 3 + ["apgrf"] * 2, "band_width_bw": [0.1, 0.2, 0.3, 0.05, 0.06],
                          "rmse_bw": [0.05, 0.1, 0.2, 0.02, 0.03]})
    fig = band_width_figure(table)
    assert [t.name for t in fig.data] == ["vgrf", "apgrf"]
    np.testing.assert_allclose(fig.data[0].x, [0.1, 0.2, 0.3])
    with pytest.raises(ChannelMismatchError, match="rmse_bw"):
        band_width_figure(table.drop(columns="rmse_bw"))
