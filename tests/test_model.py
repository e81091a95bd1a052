"""Tests of grfkit.model: presets, network, save/load."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from grfkit.errors import ChannelMismatchError, ConfigError, MissingFileError
from grfkit.features import PUBLISHED_FEATURES, FeatureSet
from grfkit.model import PRESETS, BiLSTMRegressor, ModelPreset, TrainedModel, build_network, get_preset
from grfkit.scaling import fit_scaler
from grfkit.stances import StanceDataset
from grfkit.training import fit, predict, torch_threads


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Two OpenMP threads on two shared, busy cores spin against each other: use one."""
    with torch_threads(1):
        yield



def test_paper_preset_is_the_published_configuration() -> None:
    p = get_preset("paper")
    assert (p.hidden_size, p.lstm_layers, p.dense_sizes) == (512, 1, (64, 32))
    assert (p.input_dropout, p.dropout) == (0.2, 0.2)
    assert (p.learning_rate, p.batch_size, p.epochs, p.grad_clip_norm) == (5e-4, 8, 1, 1.0)
    assert p.min_steps == 0  # exactly the published single epoch


def test_paper_network_layers_and_forward_pass() -> None:
    torch.manual_seed(0)
    net = build_network("paper", n_features=len(PUBLISHED_FEATURES))
    assert net.lstm.bidirectional and net.lstm.hidden_size == 512 and net.lstm.num_layers == 1
    linears = [m for m in net.head if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(1024, 64), (64, 32), (32, 1)]
    dropouts = [m.p for m in net.modules() if isinstance(m, torch.nn.Dropout)]
    assert dropouts == [0.2] * 4  # inputs, after the LSTM, after each hidden dense layer
    net.eval()
    with torch.no_grad():
        out = net(torch.randn(3, 101, 29))
    assert out.shape == (3, 101) and torch.isfinite(out).all()


def test_fast_preset_is_smaller_than_paper() -> None:
    fast, paper = get_preset("fast"), get_preset("paper")
    n_params = [sum(q.numel() for q in build_network(p, 29).parameters()) for p in (fast, paper)]
    assert n_params[0] * 50 < n_params[1]
    assert set(PRESETS) == {"paper", "fast", "ci"}


def test_unknown_and_invalid_presets() -> None:
    with pytest.raises(ConfigError, match="huge"):
        get_preset("huge")
    with pytest.raises(ConfigError, match="dropout"):
        dataclasses.replace(get_preset("fast"), dropout=1.0)
    with pytest.raises(ConfigError, match="hidden_size"):
        dataclasses.replace(get_preset("fast"), hidden_size=0)
    with pytest.raises(ConfigError, match="min_steps"):
        dataclasses.replace(get_preset("fast"), min_steps=-1)
    with pytest.raises(ConfigError, match="learning_rate"):
        dataclasses.replace(get_preset("fast"), learning_rate=-1.0)
    with pytest.raises(ConfigError, match="missing"):
        ModelPreset.from_dict({"name": "x"})
    p = get_preset("paper")
    assert ModelPreset.from_dict(json.loads(json.dumps(p.to_dict()))) == p


def test_network_is_bidirectional_and_dropout_only_in_training() -> None:
    torch.manual_seed(1)
    net = BiLSTMRegressor(n_features=3, hidden_size=5, dense_sizes=(4,), input_dropout=0.5, dropout=0.5)
    x = torch.randn(2, 6, 3)  # short: at initialisation an LSTM forgets within tens of steps
    net.eval()
    with torch.no_grad():
        a = net(x)
        x_late = x.clone()
        x_late[:, -1] += 5.0  # change only the last time step
        b = net(x_late)
        assert torch.equal(a, net(x))  # no dropout in evaluation mode
    assert not torch.equal(a[:, 0], b[:, 0])  # the first output sees the future: backward direction
    net.train()
    with torch.no_grad():
        assert not torch.equal(net(x), net(x))


@pytest.fixture
def trained(stance_factory, tiny_preset) -> tuple[TrainedModel, StanceDataset]:
    ds = stance_factory(participants=("A", "B", "C"), stances_per_participant=4)
    return fit(ds, target="vgrf", preset=tiny_preset, seed=3, progress=False), ds


def test_save_load_round_trip_is_exact(tmp_path: Path, trained) -> None:
    model, ds = trained
    path = model.save(tmp_path / "model")
    state = torch.load(path / "weights.pt", weights_only=True)  # tensors only: safe to load
    assert set(state) == set(model.network.state_dict())
    loaded = TrainedModel.load(path)
    for key, value in model.network.state_dict().items():
        assert torch.equal(loaded.network.state_dict()[key], value)
    assert loaded.preset == model.preset and loaded.features == model.features and loaded.target == "vgrf"
    assert loaded.scaler.equals(model.scaler)
    assert loaded.history == model.history
    np.testing.assert_array_equal(predict(loaded, ds), predict(model, ds))


def test_load_checks_files_format_and_channels(tmp_path: Path, trained) -> None:
    model, _ = trained
    path = model.save(tmp_path / "model")
    config = json.loads((path / "model.json").read_text())
    config["features"]["channels"] = config["features"]["channels"][:-1]
    (path / "model.json").write_text(json.dumps(config))
    with pytest.raises(ChannelMismatchError, match="28"):
        TrainedModel.load(path)
    (path / "model.json").write_text(json.dumps({"format": "other", "version": 1}))
    with pytest.raises(ConfigError, match="not a grfkit model"):
        TrainedModel.load(path)
    (path / "weights.pt").unlink()
    with pytest.raises(MissingFileError, match="weights.pt"):
        TrainedModel.load(path)


def test_model_parts_must_agree_on_channels(trained) -> None:
    model, ds = trained
    other = FeatureSet(channels=tuple(reversed(PUBLISHED_FEATURES.channels)), static=PUBLISHED_FEATURES.static)
    with pytest.raises(ChannelMismatchError, match="another order"):
        dataclasses.replace(model, features=other)
    two = FeatureSet(channels=("speed_mps", "acc_x_mps2"), static=("speed_mps",))
    scaler = fit_scaler(np.random.default_rng(0).normal(size=(2, 101, 2)), two.channels)
    with pytest.raises(ChannelMismatchError, match="network expects 29"):
        dataclasses.replace(model, features=two, scaler=scaler)
    with pytest.raises(ConfigError):
        dataclasses.replace(model, target="mlgrf")


def test_data_without_the_model_channels_is_rejected(trained) -> None:
    model, ds = trained
    keep = [i for i, c in enumerate(ds.input_channels) if c not in ("left_fsr07_adc", "gyro_x_dps")]
    reduced = StanceDataset(
        meta=ds.meta,
        inputs=ds.inputs[:, :, keep],
        targets=ds.targets,
        input_channels=tuple(ds.input_channels[i] for i in keep),
        target_channels=ds.target_channels,
    )
    with pytest.raises(ChannelMismatchError, match=r"left_fsr07_adc.*gyro_x_dps"):
        predict(model, reduced)


def test_predict_bw_rejects_wrong_width(trained) -> None:
    model, ds = trained
    with pytest.raises(ChannelMismatchError):
        model.predict_bw(np.zeros((2, 101, 5), dtype=np.float32))
    out = model.predict_bw(model.prepare_inputs(ds), batch_size=5)
    assert out.shape == (len(ds), 101) and out.dtype == np.float64
