"""Tests of grfkit.model.trained_model: save/load round trip, damaged folders, channel checks."""

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
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet, build_targets
from grfkit.model.network import build_network
from grfkit.model.normalisation import fit_scaler
from grfkit.model.trained_model import TrainedModel
from grfkit.model.training import fit, predict, torch_threads


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Two OpenMP threads on two shared, busy cores spin against each other: use one."""
    with torch_threads(1):
        yield



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
    from grfkit.model.trained_model import _content_sha256

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


def test_evaluation_loss_is_measured_like_the_validation_loss(stance_factory, tiny_preset) -> None:
    ds = stance_factory(participants=("A", "B", "C"), stances_per_participant=4)
    model = fit(ds, target="vgrf", preset=tiny_preset, seed=3, validation_participants=["C"],
                progress=False)
    held_out = ds.subset(ds.meta["participant"] == "C")
    loss = model.evaluation_loss_bw2(held_out)
    assert isinstance(loss, float) and loss > 0
    assert loss == pytest.approx(model.history[0].validation_loss[-1], rel=1e-5)
    estimate = model.predict_bw(model.prepare_inputs(ds))
    squared_error = (estimate - build_targets(ds, "vgrf")) ** 2
    assert model.evaluation_loss_bw2(ds) == pytest.approx(np.mean(squared_error))
