"""Tests of grfkit.model.normalisation."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from grfkit.errors import ChannelMismatchError, ConfigError
from grfkit.model.normalisation import Scaler, fit_scaler

CHANNELS = ("a", "b", "c")


def sample(seed: int = 0, n: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(loc=[10.0, -3.0, 1000.0], scale=[2.0, 0.1, 300.0], size=(n, 101, 3))
    return x.astype(np.float32)


def test_statistics_are_over_stances_and_time() -> None:
    x = sample()
    s = fit_scaler(x, CHANNELS)
    np.testing.assert_allclose(s.mean, x.astype(np.float64).mean(axis=(0, 1)))
    np.testing.assert_allclose(s.std, x.astype(np.float64).std(axis=(0, 1)))
    z = s.transform(x, CHANNELS)
    assert z.dtype == np.float32 and z.shape == x.shape
    np.testing.assert_allclose(z.mean(axis=(0, 1)), 0.0, atol=1e-5)
    np.testing.assert_allclose(z.std(axis=(0, 1)), 1.0, atol=1e-4)
    np.testing.assert_allclose(s.inverse_transform(z, CHANNELS), x, rtol=1e-5)


def test_constant_channel_is_centred_not_blown_up() -> None:
    x = sample()
    x[:, :, 1] = 70.3  # e.g. one body mass for everybody: a rounding-level SD, not exactly 0
    s = fit_scaler(x, CHANNELS)
    assert s.std[1] == 1.0
    assert np.all(s.transform(x, CHANNELS)[:, :, 1] == 0.0)
    new = x.copy()
    new[:, :, 1] = 80.3
    np.testing.assert_allclose(s.transform(new, CHANNELS)[:, :, 1], 10.0, rtol=1e-5)


def test_json_round_trip_is_bit_identical(tmp_path: Path) -> None:
    s = fit_scaler(sample(), CHANNELS)
    path = s.save(tmp_path / "scaler.json")
    assert json.loads(path.read_text())["channels"] == list(CHANNELS)
    loaded = Scaler.load(path)
    assert loaded.equals(s)
    np.testing.assert_array_equal(loaded.transform(sample(1), CHANNELS), s.transform(sample(1), CHANNELS))


def test_channel_mismatch_names_the_channels() -> None:
    s = fit_scaler(sample(), CHANNELS)
    with pytest.raises(ChannelMismatchError, match=r"missing \['c'\].*unexpected \['d'\]"):
        s.transform(sample(), ("a", "b", "d"))
    with pytest.raises(ChannelMismatchError, match="another order"):
        s.transform(sample(), ("b", "a", "c"))
    with pytest.raises(ChannelMismatchError):
        s.transform(sample()[:, :, :2], CHANNELS)
    with pytest.raises(ChannelMismatchError, match="names"):
        fit_scaler(sample(), ("a", "b"))


def test_bad_fits_and_files_raise() -> None:
    x = sample()
    x[2, 3, 0] = np.nan
    with pytest.raises(ValueError, match="'a'"):
        fit_scaler(x, CHANNELS)
    with pytest.raises(ValueError):
        fit_scaler(np.zeros((0, 101, 3)), CHANNELS)
    with pytest.raises(ConfigError):
        Scaler.from_dict({"format": "something-else", "version": 1})
    with pytest.raises(ConfigError):
        Scaler(channels=("a",), mean=np.array([0.0]), std=np.array([0.0]))


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, (3, 7, 2), elements=st.floats(-1e4, 1e4)),
    st.floats(0.1, 100.0),
    st.floats(-1e3, 1e3),
)
def test_z_scores_do_not_depend_on_units_or_offsets(x: np.ndarray, factor: float, offset: float) -> None:
    """Rescaling or shifting the training data leaves the z-scores unchanged."""
    channels = ("p", "q")
    z = fit_scaler(x, channels).transform(x, channels)
    moved = x * factor + offset
    z_moved = fit_scaler(moved, channels).transform(moved, channels)
    varying = x.reshape(-1, 2).std(axis=0) > 1e-3 * np.maximum(np.abs(x).max(), 1.0)
    np.testing.assert_allclose(z_moved[..., varying], z[..., varying], atol=1e-3)
    assert np.all(np.isfinite(z))
