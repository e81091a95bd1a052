"""Tests of grfkit.io.write: bouts and data-set files written, read back, replaced atomically."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from grfkit.errors import ConfigError, MissingFileError, RawDataError
from grfkit.io.read import (
    iter_bout_paths,
    read_bout,
    read_bout_info,
    read_bouts,
    read_manifest,
    read_participants,
    read_truth,
)
from grfkit.io.schema import Plate, RawBout
from grfkit.io.write import write_bout, write_dataset_files


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_bout_round_trip(tmp_path: Path, good_bout: RawBout, fmt: str) -> None:
    folder = write_bout(tmp_path, good_bout, fmt=fmt)
    assert folder == tmp_path / "overground" / "007" / "medium"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["bout.json", *(f"{t}.{fmt}" for t in ("insole", "imu", "force", "marker"))]
    )
    back = read_bout(folder)
    assert back.info == good_bout.info
    assert back.info.plates[1] == Plate("plate2", 0.605, 1.205, -0.2, 0.2)
    for table in ("insole", "imu", "force", "marker"):
        # CSV has no integer width: uint16 ADC counts come back as int64, with equal values.
        pd.testing.assert_frame_equal(getattr(back, table), getattr(good_bout, table), check_dtype=fmt == "parquet")
    assert back.insole["left_fsr01_adc"].dtype.kind in "iu"


def test_treadmill_bout_without_marker_round_trips(tmp_path: Path, make_bout: Any) -> None:
    bout = make_bout(1, marker=False)
    bout = dataclasses.replace(bout, info=dataclasses.replace(bout.info, environment="treadmill", belt_speed_mps=3.2))
    folder = write_bout(tmp_path, bout)
    assert not (folder / "marker.parquet").exists()
    back = read_bout(folder)
    assert back.marker is None
    assert back.info.belt_speed_mps == 3.2
    assert read_bout_info(folder) == bout.info


def test_parquet_is_preferred_over_csv(tmp_path: Path, good_bout: RawBout) -> None:
    folder = write_bout(tmp_path, good_bout)
    shifted = good_bout.imu.copy()
    shifted["acc_x_mps2"] += 100.0
    shifted.to_csv(folder / "imu.csv", index=False)
    (folder / "insole.parquet").unlink()
    good_bout.insole.to_csv(folder / "insole.csv", index=False)
    back = read_bout(folder)
    pd.testing.assert_frame_equal(back.imu, good_bout.imu)  # parquet, not the shifted csv
    pd.testing.assert_frame_equal(back.insole, good_bout.insole, check_dtype=False)  # csv when there is no parquet


def test_write_bout_replaces_and_is_atomic(
    tmp_path: Path,
    good_bout: RawBout,
    monkeypatch: pytest.MonkeyPatch,
    with_table: Any,
    set_values: Any,
) -> None:
    folder = write_bout(tmp_path, good_bout)
    broken = with_table(good_bout, "imu", set_values("acc_x_mps2", [0], 1e3))

    calls = {"n": 0}
    real_write_table = pq.write_table

    def killed_half_way(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed")
        real_write_table(*args, **kwargs)

    monkeypatch.setattr(pq, "write_table", killed_half_way)
    with pytest.raises(KeyboardInterrupt):
        write_bout(tmp_path, broken)
    monkeypatch.undo()
    # The old complete bout is untouched and no temporary folder is left behind.
    pd.testing.assert_frame_equal(read_bout(folder).imu, good_bout.imu)
    assert [p.name for p in folder.parent.iterdir()] == ["medium"]
    # A second write replaces the bout.
    write_bout(tmp_path, broken)
    assert read_bout(folder).imu.loc[0, "acc_x_mps2"] == 1e3


def test_write_bout_rejects_unknown_format_and_inconsistent_marker(tmp_path: Path, good_bout: RawBout) -> None:
    with pytest.raises(ConfigError, match="fmt"):
        write_bout(tmp_path, good_bout, fmt="xlsx")
    no_rate = dataclasses.replace(good_bout, info=dataclasses.replace(good_bout.info, marker_rate_hz=None))
    with pytest.raises(RawDataError, match="marker_rate_hz"):
        write_bout(tmp_path, no_rate)
    assert not (tmp_path / "overground").exists()


def test_dataset_files_round_trip(tmp_path: Path, participants_table: Any, bouts_table: Any, truth_tables: Any) -> None:
    trials, stances = truth_tables()
    write_dataset_files(
        tmp_path,
        participants=participants_table(),
        bouts=bouts_table(),
        manifest={"scale": "ci", "seed": np.int64(7), "generator": "test", "version": 99},
        truth_trials=trials,
        truth_stances=stances,
    )
    manifest = read_manifest(tmp_path)
    assert manifest == {"format": "grfkit-raw", "version": 1, "scale": "ci", "seed": 7, "generator": "test"}
    participants = read_participants(tmp_path)
    pd.testing.assert_frame_equal(participants, participants_table(), check_dtype=False)
    assert participants["participant"].tolist() == ["007", "OG02", "TM01"]  # ids stay strings
    bouts = read_bouts(tmp_path)
    pd.testing.assert_frame_equal(bouts, bouts_table(), check_dtype=False)
    truth = read_truth(tmp_path)
    assert truth is not None
    pd.testing.assert_frame_equal(truth[0], trials, check_dtype=False)
    pd.testing.assert_frame_equal(truth[1], stances, check_dtype=False)
    assert truth[1]["plate"].tolist() == ["plate1", ""]
    assert truth[1]["clean"].dtype == bool
    assert list(iter_bout_paths(tmp_path)) == [
        tmp_path / "overground" / "007" / "slow",
        tmp_path / "overground" / "007" / "medium",
        tmp_path / "overground" / "OG02" / "slow",
        tmp_path / "treadmill" / "TM01" / "s2_g+5",
    ]


def test_real_data_folder_has_no_truth(tmp_path: Path, names: Any, participants_table: Any, bouts_table: Any) -> None:
    write_dataset_files(tmp_path, participants=participants_table(), bouts=bouts_table(), manifest={})
    assert read_truth(tmp_path) is None
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "trials.csv").write_text(",".join(("dataset", "participant")) + "\nog,1\n")
    with pytest.raises(MissingFileError) as info:
        read_truth(tmp_path)
    assert names(str(info.value), tmp_path / "truth" / "stances.csv")
