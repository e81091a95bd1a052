"""``grfkit train`` -> ``grfkit export`` end to end on a tiny simulated cohort."""

import json
from pathlib import Path

import numpy as np
import pytest

from grfkit.cli import main
from grfkit.io.stances import StanceDataset
from grfkit.model.artifact import stance_files_sha256
from grfkit.model.export import load_exported
from grfkit.model.features import build_inputs
from grfkit.model.trained_model import TrainedModel
from grfkit.storage.output_folders import MARKER, output_kind

pytest.importorskip("onnxruntime", reason="the export extra is not installed")


@pytest.fixture(scope="module")
def stances_dir(tiny_result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_result.stances.save(tmp_path_factory.mktemp("cli_model") / "stances")


def test_train_then_export_reproduces_the_model(stances_dir: Path, tmp_path: Path, capsys) -> None:
    model_dir = tmp_path / "model"
    argv = [
        "-q",
        "train",
        str(stances_dir),
        "--target",
        "vgrf",
        "--strategy",
        "combined",
        "--preset",
        "ci",
        "--seed",
        "1",
        "--out",
        str(model_dir),
    ]
    assert main(argv) == 0
    assert output_kind(model_dir) == "model"
    assert sorted(json.loads((model_dir / MARKER).read_text())["files"]) == [
        "model.json",
        "weights.pt",
    ]
    model = TrainedModel.load(model_dir)
    stances = StanceDataset.load(stances_dir)
    prov = model.provenance
    assert prov.strategy == "combined" and prov.seed == 1 and prov.n_stances == len(stances)
    assert prov.participants == tuple(sorted(stances.participants))
    assert prov.stances_files == stance_files_sha256(stances_dir)
    assert "trained on" in capsys.readouterr().out
    assert main(argv) == 0  # its own earlier output may be replaced

    eager_bw = model.predict_bw(model.prepare_inputs(stances))
    raw = build_inputs(stances, model.features)
    for fmt, name in (("onnx", "model.onnx"), ("torchscript", "model.torchscript.pt")):
        assert main(["export", str(model_dir), "--format", fmt]) == 0
        exported = load_exported(tmp_path / name)
        np.testing.assert_allclose(exported.estimate_bw(raw), eager_bw, rtol=0, atol=1e-5)
        assert (
            main(["export", str(model_dir), "--format", fmt]) == 2
        )  # exists: not replaced unasked
        assert main(["export", str(model_dir), "--format", fmt, "--overwrite"]) == 0
    assert "exists" in capsys.readouterr().err


def test_train_and_export_refuse_bad_requests(stances_dir: Path, tmp_path: Path, capsys) -> None:
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep me")
    argv = [
        "-q",
        "train",
        str(stances_dir),
        "--target",
        "apgrf",
        "--preset",
        "ci",
        "--out",
        str(foreign),
    ]
    assert main(argv) == 2
    assert (foreign / "mine.txt").read_text() == "keep me"
    assert "OutputError" in capsys.readouterr().err
    assert (
        main(
            [
                "-q",
                "train",
                str(tmp_path / "absent"),
                "--target",
                "vgrf",
                "--out",
                str(tmp_path / "m"),
            ]
        )
        == 2
    )
    assert "MissingFileError" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # a baseline has no network to save
        main(
            [
                "train",
                str(stances_dir),
                "--target",
                "vgrf",
                "--strategy",
                "baseline_mean",
                "--out",
                "m",
            ]
        )
    assert (
        main(
            [
                "export",
                str(tmp_path / "absent"),
                "--format",
                "onnx",
                "--out",
                str(tmp_path / "a.onnx"),
            ]
        )
        == 2
    )
    assert "MissingFileError" in capsys.readouterr().err
    inside = ["export", str(foreign), "--format", "torchscript", "--out", str(foreign / "m.pt")]
    assert main(inside) == 2
    assert "inside the model folder" in capsys.readouterr().err


def test_the_train_and_export_choices_agree_with_the_library() -> None:
    from grfkit.cli import build_parser
    from grfkit.experiment.strategies import STRATEGIES
    from grfkit.model.export import FORMATS
    from grfkit.model.features import TARGETS

    commands = build_parser()._subparsers._group_actions[0].choices
    train = {a.dest: a for a in commands["train"]._actions}
    export = {a.dest: a for a in commands["export"]._actions}
    assert tuple(train["strategy"].choices) == STRATEGIES
    assert set(train["target"].choices) == set(TARGETS)
    assert set(export["format"].choices) == set(FORMATS)


def test_experiment_keep_models_writes_each_folds_model(stances_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    argv = [
        "-q",
        "experiment",
        "--stances",
        str(stances_dir),
        "--strategies",
        "overground",
        "--targets",
        "vgrf",
        "--preset",
        "ci",
        "--keep-models",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    subjects = sorted(
        StanceDataset.load(stances_dir)
        .meta.query("dataset == 'overground'")["participant"]
        .astype(str)
        .unique()
    )
    kept = sorted(p.name for p in (out / "models" / "overground" / "vgrf").iterdir())
    assert kept == subjects
    assert TrainedModel.load(out / "models" / "overground" / "vgrf" / subjects[0]).target == "vgrf"
