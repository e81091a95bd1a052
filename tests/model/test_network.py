"""Tests of grfkit.model.network: presets, network, save/load."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from grfkit.errors import (
    ChannelMismatchError,
    ChecksumError,
    ConfigError,
    FileFormatError,
    GrfkitError,
    MissingFileError,
    TruncatedFileError,
)
from grfkit.io.stances import StanceDataset
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet
from grfkit.model.network import (
    PRESETS,
    BiLSTMRegressor,
    ModelPreset,
    TrainedModel,
    build_network,
    get_preset,
)
from grfkit.model.normalisation import fit_scaler
from grfkit.model.training import fit, predict, torch_threads


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


def _rewrite_json(path: Path, edit) -> None:
    """Edit model.json and give it a matching content checksum (a consistent but wrong file)."""
    from grfkit.model.network import _content_sha256

    config = json.loads((path / "model.json").read_text())
    edit(config)
    config["content_sha256"] = _content_sha256(config)
    (path / "model.json").write_text(json.dumps(config))


def _rewrite_weights(path: Path, state: dict) -> None:
    """Save other weights and record their checksum in model.json (a consistent but wrong pair)."""
    torch.save(state, path / "weights.pt")
    from grfkit.storage.cache import sha256_file

    size, digest = (path / "weights.pt").stat().st_size, sha256_file(path / "weights.pt")
    _rewrite_json(path, lambda c: c.update(weights_bytes=size, weights_sha256=digest))


def test_load_checks_files_format_and_channels(tmp_path: Path, trained) -> None:
    model, _ = trained
    path = model.save(tmp_path / "model")
    _rewrite_json(path, lambda c: c["features"].update(channels=c["features"]["channels"][:-1]))
    with pytest.raises(ChannelMismatchError, match="28"):
        TrainedModel.load(path)
    (path / "model.json").write_text(json.dumps({"format": "other", "version": 1}))
    with pytest.raises(ConfigError, match="not a grfkit model"):
        TrainedModel.load(path)
    (path / "weights.pt").unlink()
    with pytest.raises(MissingFileError, match="weights.pt"):
        TrainedModel.load(path)


def _other_target_model(model: TrainedModel, tmp_path: Path) -> Path:
    other = dataclasses.replace(model, target="apgrf", network=build_network(model.preset, len(model.features)))
    return other.save(tmp_path / "apgrf")


def _scaled_weights(path: Path, factor: float) -> None:
    state = torch.load(path / "weights.pt", weights_only=True)
    torch.save({k: v * factor for k, v in state.items()}, path / "weights.pt")


def _nan_weight(path: Path) -> None:
    state = torch.load(path / "weights.pt", weights_only=True)
    state["head.0.weight"][0, 0] = float("nan")
    torch.save(state, path / "weights.pt")


class _Boom:
    def __reduce__(self):
        import os

        return (os.system, ("touch pwned-by-weights",))


# (case, how the saved folder is damaged, expected error, text the message must hold)
DAMAGED_MODELS = [
    ("E01", lambda p, m, t: (p / "weights.pt").write_bytes((p / "weights.pt").read_bytes()[:500]),
     TruncatedFileError, "weights.pt"),
    ("E02", lambda p, m, t: (p / "weights.pt").write_bytes(np.random.default_rng(0).bytes(20000)),
     ChecksumError, "weights.pt"),
    ("E03", lambda p, m, t: _scaled_weights(p, 3.0), ChecksumError, "weights.pt"),
    ("E04", lambda p, m, t: _nan_weight(p), ChecksumError, "weights.pt"),
    ("E05", lambda p, m, t: (p / "model.json").write_text((p / "model.json").read_text().replace(
        '"name": "tiny"', '"name": "fast"').replace('"hidden_size": 4', '"hidden_size": 64')),
     ChecksumError, "model.json"),
    ("E07", lambda p, m, t: (p / "model.json").write_bytes((_other_target_model(m, t) / "model.json").read_bytes()),
     ChecksumError, "weights.pt"),
    ("E09", lambda p, m, t: (p / "model.json").write_text((p / "model.json").read_text()[:200]),
     FileFormatError, "model.json"),
    ("E12", lambda p, m, t: torch.save({k: v for k, v in torch.load(p / "weights.pt", weights_only=True).items()
                                        if k != "head.0.bias"}, p / "weights.pt"), (ChecksumError, TruncatedFileError), "weights.pt"),
    ("E13", lambda p, m, t: (p / "weights.pt").write_bytes(__import__("pickle").dumps(_Boom())),
     (ChecksumError, TruncatedFileError), "weights.pt"),
    ("E14", lambda p, m, t: (p / "model.json").write_text(json.dumps(
        {**json.loads((p / "model.json").read_text()),
         "scaler": {**json.loads((p / "model.json").read_text())["scaler"],
                    "mean": [v + 1.0 for v in json.loads((p / "model.json").read_text())["scaler"]["mean"]]}})),
     ChecksumError, "model.json"),
    ("E15", lambda p, m, t: (p / "weights.pt").write_bytes((_other_target_model(m, t) / "weights.pt").read_bytes()),
     ChecksumError, "weights.pt"),
    ("E16", lambda p, m, t: (p / "model.json").write_text((p / "model.json").read_text().replace(
        '"target": "vgrf"', '"target": "apgrf"')), ChecksumError, "model.json"),
    ("E17", lambda p, m, t: (p / "weights.pt").write_bytes(b""), TruncatedFileError, "weights.pt"),
]


@pytest.mark.parametrize(("case", "damage", "error", "names"), DAMAGED_MODELS, ids=[c[0] for c in DAMAGED_MODELS])
def test_a_damaged_model_folder_raises_a_typed_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trained, case, damage, error, names
) -> None:
    """Fault-injection cases E01-E17: never a raw torch/JSON error, never a silently wrong model."""
    model, _ = trained
    monkeypatch.chdir(tmp_path)
    path = model.save(tmp_path / "model")
    damage(path, model, tmp_path)
    with pytest.raises(error) as raised:
        TrainedModel.load(path)
    assert isinstance(raised.value, GrfkitError)
    message = str(raised.value)
    assert str(path / names) in message and "weights_only=False" not in message
    assert not (tmp_path / "pwned-by-weights").exists()


def test_consistent_but_wrong_files_are_still_refused(tmp_path: Path, trained) -> None:
    """Files rewritten with matching checksums (by hand or another tool) are checked for shape and values."""
    model, _ = trained
    path = model.save(tmp_path / "model")
    state = torch.load(path / "weights.pt", weights_only=True)
    _rewrite_json(path, lambda c: c["preset"].update(name="wide", hidden_size=5))  # E05/E06: preset != weights
    with pytest.raises(FileFormatError, match=r"lstm.weight_ih_l0 \(16, 29\) \(preset 'wide': \(20, 29\)\)"):
        TrainedModel.load(path)
    path = model.save(tmp_path / "model")
    _rewrite_weights(path, {k: v for k, v in state.items() if k != "head.0.bias"})  # E12
    with pytest.raises(FileFormatError, match=r"missing tensors \['head.0.bias'\]"):
        TrainedModel.load(path)
    broken = {k: v.clone() for k, v in state.items()}
    broken["head.0.weight"][0, 0] = float("inf")
    _rewrite_weights(path, broken)  # E04
    with pytest.raises(FileFormatError, match=r"NaN or infinite values: head.0.weight \(1 values\)"):
        TrainedModel.load(path)
    path.joinpath("weights.pt").write_bytes(b"not a zip, not a pickle")
    _rewrite_weights(path, {"a": 1})  # not tensors
    with pytest.raises(FileFormatError, match="dictionary of tensors"):
        TrainedModel.load(path)
    scaler_std = json.loads((path / "model.json").read_text())["scaler"]["std"]
    _rewrite_json(path, lambda c: c["scaler"].update(std=[0.0] * len(scaler_std)))
    with pytest.raises(FileFormatError, match="scaler statistics must be finite"):
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
