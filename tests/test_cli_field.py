"""``grfkit preprocess`` -> ``train`` -> ``predict`` (wearables only) -> ``export`` end to end, and bad field input."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grfkit.cli import main
from grfkit.field.chain import wearable_stances
from grfkit.field.predict import curve_columns
from grfkit.io.channels import fsr_channels
from grfkit.model.features import FeatureSet, build_inputs
from grfkit.model.normalisation import Scaler
from grfkit.model.trained_model import TrainedModel
from grfkit.preprocess.skip_reasons import REASON_BOUT_SKIPPED, REASON_NO_IMU_FOOT
from grfkit.storage.output_folders import output_kind

BOUTS = (Path("overground/OG01/medium"), Path("overground/OG02/medium"), Path("treadmill/TM01/medium_level"))


def _field_copy(source: Path, target: Path) -> Path:
    """A raw folder as a wearable-only recording has it: no force tables."""
    return Path(shutil.copytree(source, target, ignore=shutil.ignore_patterns("force.*")))


@pytest.fixture(scope="module")
def trained(tiny_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cli_field")
    paths = {"stances": root / "stances", "model": root / "model", "field": _field_copy(tiny_raw, root / "field")}
    assert main(["-q", "preprocess", str(tiny_raw), "--out", str(paths["stances"])]) == 0
    assert main(["-q", "train", str(paths["stances"]), "--target", "vgrf", "--preset", "ci", "--seed", "0",
                 "--out", str(paths["model"])]) == 0
    return paths


def test_train_predict_export_end_to_end(trained: dict[str, Path], tmp_path: Path, capsys) -> None:
    out = tmp_path / "predictions"
    argv = ["-q", "predict", str(trained["model"]), str(trained["field"]), "--out", str(out)]
    assert main(argv) == 0
    assert "predicted vgrf of" in capsys.readouterr().out
    assert output_kind(out) == "predictions"
    table = pd.read_parquet(out / "stances.parquet")
    skipped = pd.read_csv(out / "skipped.csv")
    document = json.loads((out / "prediction.json").read_text())
    assert document["counts"]["stances"] == len(table) > 100
    assert document["counts"]["skipped"] == len(skipped)
    assert document["counts"]["skipped_by_reason"][REASON_NO_IMU_FOOT.split(" (")[0]] > 0.8 * len(table)
    assert document["model"]["path"] == str(trained["model"].resolve())
    assert document["model"]["provenance"]["strategy"] == "combined"
    assert document["raw_dir"] == str(trained["field"].resolve()) and document["command"].startswith("grfkit")
    assert set(table["dataset"]) == {"overground", "treadmill"} and table["peak_bw"].gt(1).all()

    assert main([*argv, "--format", "csv"]) == 0  # its own earlier output is replaced
    csv = pd.read_csv(out / "stances.csv")
    assert not (out / "stances.parquet").exists()
    np.testing.assert_allclose(csv[curve_columns("bw")], table[curve_columns("bw")], rtol=1e-12)

    pytest.importorskip("onnxruntime", reason="the export extra is not installed")
    from grfkit.model.export import load_exported

    onnx = tmp_path / "model.onnx"
    assert main(["-q", "export", str(trained["model"]), "--format", "onnx", "--out", str(onnx)]) == 0
    stances, _ = wearable_stances(trained["field"])
    np.testing.assert_array_equal(stances.meta["ic_s"], table["ic_s"])
    exported = load_exported(onnx).estimate_bw(build_inputs(stances, TrainedModel.load(trained["model"]).features))
    np.testing.assert_allclose(exported, table[curve_columns("bw")].to_numpy(), rtol=0, atol=1e-5)


def test_a_model_of_another_channel_set_is_refused(trained: dict[str, Path], tmp_path: Path, capsys) -> None:
    model = TrainedModel.load(trained["model"])
    channels = tuple(c.replace("gyro_z_dps", "gyro_z_rps") for c in model.features.channels)
    dataclasses.replace(
        model, features=FeatureSet(channels, model.features.static, name="radians"),
        scaler=Scaler(channels, model.scaler.mean, model.scaler.std),
    ).save(tmp_path / "other")
    out = tmp_path / "predictions"
    assert main(["-q", "predict", str(tmp_path / "other"), str(trained["field"]), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "ChannelMismatchError" in error and "gyro_z_rps" in error and "gyro_z_dps" in error
    assert not out.exists()


def test_bad_field_input_is_raised_or_listed(trained: dict[str, Path], tmp_path: Path, capsys) -> None:
    raw = _field_copy(trained["field"], tmp_path / "raw")
    out = tmp_path / "predictions"
    argv = ["-q", "predict", str(trained["model"]), str(raw), "--out", str(out)]
    (raw / BOUTS[0] / "imu.parquet").unlink()  # missing IMU: listed, or raised with --strict
    assert main([*argv, "--strict"]) == 2
    assert "MissingFileError" in capsys.readouterr().err
    assert main(argv) == 0
    skipped = pd.read_csv(out / "skipped.csv")
    bout = skipped.loc[skipped["participant"] == "OG01", "reason"]
    assert len(bout) == 1 and bout.iloc[0].startswith(f"{REASON_BOUT_SKIPPED}: MissingFileError")

    info = raw / BOUTS[1] / "bout.json"  # a wrong sampling rate
    original = info.read_text()
    info.write_text(json.dumps({**json.loads(original), "insole_rate_hz": 500.0}))
    shutil.copy(trained["field"] / BOUTS[0] / "imu.parquet", raw / BOUTS[0] / "imu.parquet")
    assert main([*argv, "--strict", "--overwrite"]) == 2
    error = capsys.readouterr().err
    assert "SamplingRateError" in error and "OG02" in error

    rng = np.random.default_rng(0)  # insoles that only ever read noise: no contacts anywhere
    for bout in BOUTS:
        path = raw / bout / "insole.parquet"
        insole = pd.read_parquet(path)
        for channel in fsr_channels("left") + fsr_channels("right"):
            insole[channel] = rng.integers(0, 4, len(insole)).astype(insole[channel].dtype)
        insole.to_parquet(path, index=False)
    info.write_text(original)
    assert main([*argv, "--strict"]) == 2
    assert "NoContactError" in capsys.readouterr().err
    before = sorted(p.name for p in out.iterdir())
    assert main(argv) == 2  # nothing to write: every bout listed, the earlier output kept
    error = capsys.readouterr().err
    assert "no stance could be estimated" in error and f"skipped 3: {REASON_BOUT_SKIPPED}" in error
    assert sorted(p.name for p in out.iterdir()) == before


def test_the_speed_source_choices_are_the_librarys() -> None:
    from grfkit.cli import build_parser
    from grfkit.field.chain import SPEED_SOURCES

    commands = build_parser()._subparsers._group_actions[0].choices
    predict = {a.dest: a for a in commands["predict"]._actions}
    assert tuple(predict["speed_source"].choices) == SPEED_SOURCES
