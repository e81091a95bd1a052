"""Tests of grfkit.model.importance."""

import numpy as np
import pytest
import torch

from grfkit.errors import ChannelMismatchError, ConfigError
from grfkit.model.importance import permutation_importance
from grfkit.model.training import fit, torch_threads


@pytest.fixture(autouse=True)
def _one_torch_thread():
    with torch_threads(1):
        yield


@pytest.fixture
def model_and_test(stance_factory, tiny_preset):
    ds = stance_factory(participants=("A", "B", "C"), stances_per_participant=5, seed=4)
    test = ds.subset((ds.meta["participant"] != "A").to_numpy())
    model = fit(ds.subset((ds.meta["participant"] == "A").to_numpy()), target="vgrf", preset=tiny_preset, progress=False)
    return model, test


def test_only_channels_the_network_reads_matter(model_and_test) -> None:
    model, test = model_and_test
    with torch.no_grad():  # make the network blind to every channel but the first
        model.network.lstm.weight_ih_l0[:, 1:] = 0.0
        model.network.lstm.weight_ih_l0_reverse[:, 1:] = 0.0
    table = permutation_importance(model, test, n_repeats=2, seed=0)
    assert len(table) == 29 and set(table["channel"]) == set(model.features.channels)
    first = model.features.channels[0]
    others = table[table["channel"] != first]
    np.testing.assert_array_equal(others["increase_pp"], 0.0)
    np.testing.assert_array_equal(others["rmse_ratio"], 1.0)
    row = table[table["channel"] == first].iloc[0]
    assert row["increase_pp"] != 0.0
    assert row["permuted_rrmse_pct"] == pytest.approx(row["baseline_rrmse_pct"] + row["increase_pp"])
    assert table["increase_pp"].is_monotonic_decreasing
    kinds = dict(zip(table["channel"], table["kind"]))
    assert kinds["body_mass_kg"] == "static" and kinds["left_fsr01_adc"] == "signal"


def test_seeded_and_selectable(model_and_test) -> None:
    model, test = model_and_test
    channels = ["left_fsr05_adc", "speed_mps"]
    a = permutation_importance(model, test, channels=channels, n_repeats=2, seed=3)
    b = permutation_importance(model, test, channels=channels, n_repeats=2, seed=3)
    assert list(a.columns) == [
        "channel", "kind", "baseline_rrmse_pct", "permuted_rrmse_pct", "increase_pp", "increase_sd_pp", "rmse_ratio",
        "n_repeats",
    ]
    assert a.equals(b) and set(a["channel"]) == set(channels)


def test_bad_arguments(model_and_test) -> None:
    model, test = model_and_test
    with pytest.raises(ChannelMismatchError, match="heart_rate"):
        permutation_importance(model, test, channels=["heart_rate"])
    with pytest.raises(ConfigError):
        permutation_importance(model, test.subset(np.arange(len(test)) == 0))
    with pytest.raises(ConfigError):
        permutation_importance(model, test, n_repeats=0)
