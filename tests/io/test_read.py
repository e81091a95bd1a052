"""Tests of grfkit.io.read: reading a raw folder, the errors that name file and channel, arrays."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import (
    EmptyTableError,
    LengthMismatchError,
    MissingChannelError,
    MissingFileError,
    NoContactError,
    RawDataError,
    SensorFaultError,
)
from grfkit.io.read import bout_arrays, read_bout, read_bout_arrays, read_manifest
from grfkit.io.schema import RawBout, required_channels
from grfkit.io.validate import ValidationLimits, validate_bout
from grfkit.io.write import write_bout


def test_missing_manifest_and_wrong_version(tmp_path: Path, names: Any) -> None:
    with pytest.raises(MissingFileError) as info:
        read_manifest(tmp_path)
    assert names(str(info.value), tmp_path / "dataset.json")
    (tmp_path / "dataset.json").write_text(json.dumps({"format": "grfkit-raw", "version": 2}))
    with pytest.raises(RawDataError, match="version"):
        read_manifest(tmp_path)


def test_missing_table_file(tmp_path: Path, good_bout: RawBout, names: Any) -> None:
    folder = write_bout(tmp_path, good_bout)
    (folder / "imu.parquet").unlink()
    with pytest.raises(MissingFileError) as info:
        read_bout(folder)
    assert names(str(info.value), folder / "imu.parquet")
    (folder / "bout.json").unlink()
    with pytest.raises(MissingFileError) as info2:
        read_bout(folder)
    assert names(str(info2.value), folder / "bout.json")


def test_marker_file_without_marker_rate(tmp_path: Path, good_bout: RawBout, names: Any) -> None:
    folder = write_bout(tmp_path, good_bout)
    info = json.loads((folder / "bout.json").read_text())
    info["marker_rate_hz"] = None
    (folder / "bout.json").write_text(json.dumps(info))
    with pytest.raises(RawDataError, match="marker table") as err:
        read_bout(folder)
    assert names(str(err.value), folder / "bout.json")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d.update(insole_rate=1000.0), "unknown key"),
        (lambda d: d.pop("plates"), "required key"),
        (lambda d: d.update(environment="track"), "environment"),
        (lambda d: d.update(force_rate_hz="fast"), "force_rate_hz"),
        (lambda d: d["plates"][0].update(x_max_m=-1.0), "x_min_m < x_max_m"),
        (lambda d: d.update(plates=[]), "no force plates"),
    ],
)
def test_bad_bout_json(
    tmp_path: Path,
    good_bout: RawBout,
    change: Callable[[dict], object],
    match: str,
    names: Any,
) -> None:
    folder = write_bout(tmp_path, good_bout)
    info = json.loads((folder / "bout.json").read_text())
    change(info)
    (folder / "bout.json").write_text(json.dumps(info))
    with pytest.raises(RawDataError, match=match) as err:
        read_bout(folder)
    assert names(str(err.value), folder / "bout.json")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_empty_table(tmp_path: Path, fmt: str, spoilt_read_error: Any, names: Any) -> None:
    message = spoilt_read_error("force", lambda d: d.iloc[:0], EmptyTableError, fmt)
    assert names(message, tmp_path / "overground" / "007" / "medium" / f"force.{fmt}")


def test_empty_csv_file(tmp_path: Path, good_bout: RawBout, names: Any) -> None:
    folder = write_bout(tmp_path, good_bout, fmt="csv")
    (folder / "imu.csv").write_text("")
    with pytest.raises(EmptyTableError) as info:
        read_bout(folder)
    assert names(str(info.value), folder / "imu.csv")


@pytest.mark.parametrize(("table", "channel"), [("insole", "right_fsr07_adc"), ("force", "plate2_cop_y_m")])
def test_missing_channel(tmp_path: Path, table: str, channel: str, spoilt_read_error: Any, names: Any) -> None:
    message = spoilt_read_error(table, lambda d: d.drop(columns=channel), MissingChannelError)
    assert names(message, tmp_path / f"overground/007/medium/{table}.parquet", channel)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_non_numeric_channel(tmp_path: Path, fmt: str, spoilt_read_error: Any, names: Any) -> None:
    def spoil(df: pd.DataFrame) -> pd.DataFrame:
        df["gyro_y_dps"] = df["gyro_y_dps"].astype(str)
        df.loc[5, "gyro_y_dps"] = "bad"
        return df

    message = spoilt_read_error("imu", spoil, RawDataError, fmt)
    assert names(message, tmp_path / f"overground/007/medium/imu.{fmt}", "gyro_y_dps")


def test_ragged_csv(tmp_path: Path, good_bout: RawBout, names: Any) -> None:
    folder = write_bout(tmp_path, good_bout, fmt="csv")
    lines = (folder / "imu.csv").read_text().splitlines()
    lines[101] = ",".join(lines[101].split(",")[:4])  # data row 100 lost its last three fields
    (folder / "imu.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(LengthMismatchError) as info:
        read_bout(folder)
    message = str(info.value)
    assert "data row 100 has 4 fields" in message
    assert names(message, folder / "imu.csv", "gyro_x_dps")


def test_read_without_validation(tmp_path: Path, good_bout: RawBout, with_table: Any, set_values: Any) -> None:
    bout = with_table(good_bout, "insole", set_values("left_fsr01_adc", slice(None), 0.0))
    folder = write_bout(tmp_path, bout)
    assert (read_bout(folder, validate=False).insole["left_fsr01_adc"] == 0).all()
    validate_bout(read_bout(folder, validate=False), folder, ValidationLimits(stuck_range_adc=-1.0))


def test_readers_apply_the_given_limits(tmp_path: Path, good_bout: RawBout) -> None:
    folder = write_bout(tmp_path, good_bout)
    strict = ValidationLimits(contact_threshold_n=1e6)
    with pytest.raises(NoContactError, match="1e\\+06 N"):
        read_bout(folder, limits=strict)
    with pytest.raises(NoContactError):
        read_bout_arrays(folder, limits=strict)
    read_bout_arrays(folder)  # the default limits pass


def test_missing_bout_folder(tmp_path: Path, names: Any) -> None:
    with pytest.raises(MissingFileError) as info:
        read_bout(tmp_path / "overground" / "007" / "fast")
    assert names(str(info.value), tmp_path / "overground" / "007" / "fast")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_read_bout_arrays_are_the_checked_required_channels(
    tmp_path: Path,
    good_bout: RawBout,
    fmt: str,
    with_table: Any,
    set_values: Any,
) -> None:
    folder = write_bout(tmp_path, good_bout, fmt=fmt)
    info, arrays = read_bout_arrays(folder)
    bout = read_bout(folder)
    assert info == bout.info
    assert set(arrays) == {"insole", "imu", "force", "marker"}
    for table, channels in required_channels(info).items():
        assert list(arrays[table]) == channels
        for channel in channels:
            np.testing.assert_array_equal(arrays[table][channel], getattr(bout, table)[channel].to_numpy())
    from_frames = bout_arrays(bout)
    for table in arrays:
        for channel, values in arrays[table].items():
            np.testing.assert_array_equal(from_frames[table][channel], values)
    # the same validation as read_bout: a stuck FSR channel is refused
    spoilt = with_table(good_bout, "insole", set_values("left_fsr03_adc", slice(None), 0))
    with pytest.raises(SensorFaultError, match="stuck"):
        read_bout_arrays(write_bout(tmp_path / "spoilt", spoilt, fmt=fmt))


def test_bout_arrays_name_a_missing_channel(good_bout: RawBout) -> None:
    bout = dataclasses.replace(good_bout, imu=good_bout.imu.drop(columns=["gyro_y_dps"]))
    with pytest.raises(MissingChannelError) as info:
        bout_arrays(bout)
    assert info.value.channel == "gyro_y_dps"
