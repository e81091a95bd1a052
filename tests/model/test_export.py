"""Tests of grfkit.model.export: exported files reproduce the eager model from raw values."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from grfkit.errors import ChannelMismatchError, ConfigError, FileFormatError, MissingFileError
from grfkit.io.stances import StanceDataset
from grfkit.model.export import FORMATS, export_model, load_exported
from grfkit.model.features import build_inputs
from grfkit.model.presets import get_preset
from grfkit.model.trained_model import TrainedModel
from grfkit.model.training import fit, torch_threads

#: The exported graph must reproduce the eager model within this many body weights.
TOLERANCE_BW = 1e-5


@pytest.fixture(autouse=True)
def _one_torch_thread():
    with torch_threads(1):
        yield


@pytest.fixture
def trained(stance_factory) -> tuple[TrainedModel, StanceDataset]:
    ds = stance_factory(participants=("A", "B", "C"), stances_per_participant=5, seed=4)
    preset = dataclasses.replace(get_preset("ci"), epochs=2, min_steps=0)
    return fit(ds, target="apgrf", preset=preset, seed=1, progress=False), ds


def _formats() -> list:
    onnx = pytest.param(
        "onnx",
        marks=pytest.mark.skipif(
            not _installed("onnxruntime") or not _installed("onnx"),
            reason="the export extra is not installed",
        ),
    )
    return [onnx, "torchscript"]


def _installed(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


@pytest.mark.parametrize("fmt", _formats())
def test_exported_model_reproduces_the_eager_model_from_raw_values(
    tmp_path: Path, trained, fmt: str
) -> None:
    model, ds = trained
    path = export_model(model, fmt, tmp_path / f"model{FORMATS[fmt]}")
    exported = load_exported(path)
    eager_bw = model.predict_bw(model.prepare_inputs(ds))
    raw = build_inputs(ds, model.features)
    assert np.abs(eager_bw).max() > 1e-3  # a model that estimates something
    batch_bw = exported.estimate_bw(raw)
    assert batch_bw.shape == (len(ds), 101)
    np.testing.assert_allclose(batch_bw, eager_bw, rtol=0, atol=TOLERANCE_BW)
    for i in (0, len(ds) - 1):  # one stance at a time: the batch axis is dynamic
        np.testing.assert_allclose(
            exported.estimate_bw(raw[i]), eager_bw[i], rtol=0, atol=TOLERANCE_BW
        )
    assert exported.channels == model.features.channels
    assert exported.metadata["target"] == "apgrf"
    assert exported.metadata["channel_units"]["gyro_x_dps"] == "deg/s"


@pytest.mark.parametrize("fmt", _formats())
@pytest.mark.parametrize("shape", [(2, 101, 28), (2, 101, 30), (2, 100, 29), (101,)])
def test_inputs_of_the_wrong_shape_get_a_typed_error(
    tmp_path: Path, trained, fmt: str, shape
) -> None:
    model, _ = trained
    exported = load_exported(export_model(model, fmt, tmp_path / f"m{FORMATS[fmt]}"))
    with pytest.raises(ChannelMismatchError, match=r"takes inputs of shape \(\[n,\] 101, 29\)"):
        exported.estimate_bw(np.zeros(shape, dtype=np.float32))


@pytest.mark.filterwarnings(r"ignore:`torch\.jit\.\w+` is deprecated:DeprecationWarning")
def test_the_torchscript_graph_itself_checks_the_channel_count(tmp_path: Path, trained) -> None:
    model, _ = trained
    scripted = torch.jit.load(str(export_model(model, "torchscript", tmp_path / "m.pt")))
    assert scripted(torch.zeros(1, 101, 29)).shape == (1, 101)
    with pytest.raises(Exception, match="wrong number of channels"):
        scripted(torch.zeros(1, 101, 28))


@pytest.mark.filterwarnings(r"ignore:`torch\.jit\.\w+` is deprecated:DeprecationWarning")
def test_export_from_a_model_folder_and_bad_files(tmp_path: Path, trained) -> None:
    model, ds = trained
    folder = model.save(tmp_path / "model")
    path = export_model(folder, "torchscript", tmp_path / "from_folder.pt")
    raw = build_inputs(ds, model.features)
    np.testing.assert_allclose(
        load_exported(path).estimate_bw(raw),
        model.predict_bw(model.prepare_inputs(ds)),
        rtol=0,
        atol=TOLERANCE_BW,
    )
    with pytest.raises(ConfigError, match="unknown export format 'tflite'"):
        export_model(model, "tflite", tmp_path / "m.tflite")
    with pytest.raises(MissingFileError):
        load_exported(tmp_path / "absent.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a model")
    with pytest.raises(FileFormatError, match="not a TorchScript model"):
        load_exported(tmp_path / "junk.pt")
    plain = torch.jit.script(torch.nn.Linear(2, 2))
    torch.jit.save(plain, str(tmp_path / "plain.pt"))
    with pytest.raises(FileFormatError, match="no grfkit metadata"):
        load_exported(tmp_path / "plain.pt")
