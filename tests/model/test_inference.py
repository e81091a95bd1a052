"""Tests of grfkit.model.inference: the lean path estimates what the trained model does."""

import dataclasses

import numpy as np
import pytest

from grfkit.constants import GRAVITY_MPS2
from grfkit.errors import ChannelMismatchError
from grfkit.model.features import build_inputs
from grfkit.model.inference import InferenceModel
from grfkit.model.training import fit, predict, torch_threads


@pytest.fixture(autouse=True)
def _one_torch_thread():
    with torch_threads(1):
        yield


@pytest.fixture
def stances(stance_factory):
    return stance_factory(participants=("P01", "P02"), stances_per_participant=4, seed=5)


@pytest.mark.parametrize("layers", [1, 2])
def test_lean_path_matches_the_trained_model(stances, tiny_preset, layers) -> None:
    preset = dataclasses.replace(tiny_preset, lstm_layers=layers, dense_sizes=(6, 5))
    model = fit(stances, target="apgrf", preset=preset, seed=2, progress=False)
    fast = InferenceModel.from_trained(model)
    raw = build_inputs(stances, model.features)
    expected_bw = model.predict_bw(model.prepare_inputs(stances))
    np.testing.assert_allclose(fast.estimate_bw(raw), expected_bw, rtol=1e-5, atol=1e-6)
    one = fast.estimate_bw(raw[3])
    assert one.shape == (101,) and one.dtype == np.float64
    np.testing.assert_allclose(one, expected_bw[3], rtol=1e-5, atol=1e-6)
    mass = stances.meta["body_mass_kg"].to_numpy()
    np.testing.assert_allclose(fast.estimate_n(raw, mass), predict(model, stances), rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(fast.estimate_n(raw[0], mass[0]), expected_bw[0] * mass[0] * GRAVITY_MPS2,
                               rtol=1e-5, atol=1e-3)


def test_lean_path_leaves_the_model_alone_and_checks_shapes(stances, tiny_preset) -> None:
    model = fit(stances, target="vgrf", preset=tiny_preset, seed=1, progress=False)
    before = {k: v.clone() for k, v in model.network.state_dict().items()}
    fast = InferenceModel.from_trained(model)
    fast.estimate_bw(build_inputs(stances, model.features))
    assert all((before[k] == v).all() for k, v in model.network.state_dict().items())
    assert fast.target == "vgrf" and fast.features == model.features
    with pytest.raises(ChannelMismatchError, match="29"):
        fast.estimate_bw(np.zeros((101, 28)))
    with pytest.raises(ChannelMismatchError):
        fast.estimate_bw(np.zeros((2, 50, 29)))
