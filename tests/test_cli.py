"""Tests of the ``grfkit`` command line (simulate and preprocess; experiment in test_experiment_cli)."""

from pathlib import Path

import pytest

from grfkit.cli import main
from grfkit.simulate import SCALES
from grfkit.stances import StanceDataset


def test_simulate_then_preprocess(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_scale,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(SCALES, "ci", tiny_scale)  # the ci scale's code path with a tiny cohort
    raw = tmp_path / "raw"
    assert main(["-q", "simulate", "--scale", "ci", "--seed", "3", "--out", str(raw)]) == 0
    assert (raw / "dataset.json").is_file() and (raw / "truth" / "stances.csv").is_file()
    out = tmp_path / "stances"
    assert main(["-q", "preprocess", str(raw), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "treadmill:" in printed and "stance data set:" in printed
    ds = StanceDataset.load(out)
    assert len(ds) > 0 and (ds.skipped["reason"] != "").all()


def test_simulate_with_the_domain_gap_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   tiny_scale) -> None:
    import json

    monkeypatch.setitem(SCALES, "ci", tiny_scale)
    raw = tmp_path / "raw"
    assert main(["-q", "simulate", "--scale", "ci", "--out", str(raw), "--gap-off", "treadmill_incline",
                 "belt_dynamics"]) == 0
    gap = json.loads((raw / "dataset.json").read_text())["domain_gap"]
    assert not gap["treadmill_incline"] and not gap["belt_dynamics"] and gap["session_sensors"]
    assert main(["-q", "simulate", "--scale", "ci", "--out", str(tmp_path / "none"), "--gap-off", "all"]) == 0
    assert not any(json.loads((tmp_path / "none" / "dataset.json").read_text())["domain_gap"].values())
    with pytest.raises(SystemExit):
        main(["simulate", "--out", "x", "--gap-off", "gravity"])


def test_bad_input_exits_2_with_a_typed_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["-q", "preprocess", str(tmp_path / "nowhere"), "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert status == 2
    assert "MissingFileError" in err and "nowhere" in err


def test_unknown_scale_is_rejected_by_the_parser() -> None:
    with pytest.raises(SystemExit) as info:
        main(["simulate", "--scale", "huge", "--out", "x"])
    assert info.value.code == 2
