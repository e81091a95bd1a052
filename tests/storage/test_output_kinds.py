"""One kind of output folder is never replaced by another kind's command (grfkit.storage.output_folders).

``grfkit tune --out`` writes a ``tuning`` folder; ``grfkit experiment --out`` a ``results`` folder; a sweep
folder (``grfkit sweep``) holds ``points/``, ``sweep.csv`` and ``provenance.json``.  Each command refuses the
others' folders before any work (exit status 2) and leaves them byte for byte as they were.
"""

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from grfkit.cli import main
from grfkit.errors import OutputError
from grfkit.experiment.tuning_results import TuningResult
from grfkit.storage.output_folders import KINDS, check_output, output_kind, write_output


def snapshot(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by relative path."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def tuning_folder(path: Path) -> Path:
    """A tuning folder as ``grfkit tune`` writes it (TuningResult.save), without training anything."""
    trials = pd.DataFrame({"participant": ["OG01"], "trial": [0], "hidden_size": [16], "inner_rrmse_pct": [12.5],
                           "state": ["COMPLETE"]})
    chosen = pd.DataFrame({"participant": ["OG01"], "hidden_size": [16], "best_trial": [0],
                           "inner_best_rrmse_pct_optimistic": [12.5], "outer_rrmse_pct": [14.0],
                           "n_outer_stances": [40]})
    return TuningResult(trials, chosen, {"command": "grfkit tune"}).save(path)


def results_folder(path: Path) -> Path:
    """A marked results folder (the kind ``grfkit experiment`` writes)."""
    with write_output(path, "results") as staged:
        (staged / "results.csv").write_text("strategy,target,subject,rrmse_pct\n", encoding="utf-8")
        (staged / "provenance.json").write_text(json.dumps({"grfkit_version": "0"}), encoding="utf-8")
    return path


def sweep_folder(path: Path) -> Path:
    """A sweep folder's own entries (``grfkit sweep``): points/, sweep.csv, provenance.json."""
    (path / "points").mkdir(parents=True)
    (path / "sweep.csv").write_text("point,value\n", encoding="utf-8")
    (path / "provenance.json").write_text(json.dumps({"sweep": "model-size"}), encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("other", KINDS)
def test_a_marked_folder_is_replaced_only_by_its_own_kind(tmp_path: Path, kind: str, other: str) -> None:
    folder = tmp_path / "out"
    with write_output(folder, kind) as staged:
        (staged / "data.txt").write_text("kept", encoding="utf-8")
    assert output_kind(folder) == kind
    if other == kind:
        assert check_output(folder, other) == folder
    else:
        with pytest.raises(OutputError, match="not a grfkit"):
            check_output(folder, other)
    assert (folder / "data.txt").read_text(encoding="utf-8") == "kept"


def test_a_tuning_folder_is_of_kind_tuning_and_tune_accepts_it_again(tmp_path: Path) -> None:
    folder = tuning_folder(tmp_path / "tuned")
    assert output_kind(folder) == "tuning"
    assert check_output(folder, "tuning") == folder
    assert TuningResult.load(folder).chosen["outer_rrmse_pct"].tolist() == [14.0]


def test_experiment_refuses_a_tuning_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tuning_folder(tmp_path / "tuned")
    before = snapshot(folder)
    assert main(["experiment", "--out", str(folder), "--cache-dir", str(tmp_path / "cache"), "-q"]) == 2
    assert "not a grfkit results folder" in capsys.readouterr().err
    assert snapshot(folder) == before


def test_tune_refuses_a_results_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = results_folder(tmp_path / "results")
    before = snapshot(folder)
    assert main(["tune", "--out", str(folder), "--cache-dir", str(tmp_path / "cache"), "-q"]) == 2
    assert "not a grfkit tuning folder" in capsys.readouterr().err
    assert snapshot(folder) == before
    with pytest.raises(OutputError, match="not a grfkit tuning folder"):
        tuning_folder(folder)
    assert snapshot(folder) == before


@pytest.mark.parametrize("argv", [["experiment"], ["tune"]])
def test_experiment_and_tune_refuse_a_sweep_folder(tmp_path: Path, argv: list[str],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder = sweep_folder(tmp_path / "sweeps" / "model-size")
    before = snapshot(folder)
    assert main([*argv, "--out", str(folder), "--cache-dir", str(tmp_path / "cache"), "-q"]) == 2
    assert "entries grfkit did not write" in capsys.readouterr().err
    assert snapshot(folder) == before


@pytest.mark.parametrize("make", [tuning_folder, results_folder])
def test_sweep_refuses_a_tuning_or_results_folder_in_its_place(tmp_path: Path, make,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    folder = make(tmp_path / "sweeps" / "model-size")
    before = snapshot(folder)
    assert main(["sweep", "model-size", "--out", str(tmp_path / "sweeps"), "--cache-dir", str(tmp_path / "cache"),
                 "-q"]) == 2
    assert "not a sweep folder of grfkit" in capsys.readouterr().err
    assert snapshot(folder) == before
