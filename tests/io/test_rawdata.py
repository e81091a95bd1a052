"""Tests of grfkit.io.rawdata: the raw data format's writer, reader and validator."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import (
    ConfigError,
    DropoutError,
    EmptyTableError,
    LengthMismatchError,
    MissingChannelError,
    MissingFileError,
    NoContactError,
    RawDataError,
    SamplingRateError,
    SensorFaultError,
    TimestampError,
)
from grfkit.io.channels import (
    IMU_CHANNELS,
    MARKER_CHANNELS,
    fsr_channels,
    plate_channels,
)
from grfkit.io.read import (
    bout_arrays,
    iter_bout_paths,
    read_bout,
    read_bout_arrays,
    read_bout_info,
    read_bouts,
    read_manifest,
    read_participants,
    read_truth,
)
from grfkit.io.schema import (
    BOUT_COLUMNS,
    PARTICIPANT_COLUMNS,
    TRUTH_STANCE_COLUMNS,
    BoutInfo,
    Plate,
    RawBout,
    bout_path,
    required_channels,
)
from grfkit.io.validate import validate_bout, validate_time_base
from grfkit.io.write import write_bout, write_dataset_files

DURATION_S = 3.0
FSR = [*fsr_channels("left"), *fsr_channels("right")]


def _half_sine_load(t: np.ndarray, starts: np.ndarray, contact_s: float) -> np.ndarray:
    """Sum of half-sine pulses of height 1 starting at ``starts`` (vectorised)."""
    phase = (t[:, None] - starts[None, :]) / contact_s
    inside = (phase >= 0) & (phase <= 1)
    return np.where(inside, np.sin(np.pi * np.clip(phase, 0, 1)), 0.0).sum(axis=1)


def make_bout(seed: int = 0, *, marker: bool = True, drift_ppm: float = 40.0) -> RawBout:
    """A 3 s two-plate overground bout with a few fake contacts (not the simulator)."""
    rng = np.random.default_rng(seed)
    info = BoutInfo(
        dataset="overground",
        participant="007",
        bout="medium",
        condition="medium",
        environment="overground",
        plates=(Plate("plate1", 0.0, 0.6, -0.2, 0.2), Plate("plate2", 0.605, 1.205, -0.2, 0.2)),
        gradient_deg=0.0,
        marker_rate_hz=200.0 if marker else None,
    )
    contact_s, stride_s = 0.25, 0.7
    left_starts = np.arange(0.2, DURATION_S, stride_s)
    right_starts = left_starts + stride_s / 2

    # Insole clock: timestamps of a device whose crystal runs drift_ppm fast.
    t_insole = np.arange(int(DURATION_S * 1000)) / 1000.0 * (1 + drift_ppm * 1e-6)
    insole = {"time_s": t_insole}
    for foot, starts in (("left", left_starts), ("right", right_starts)):
        load = _half_sine_load(t_insole, starts, contact_s)
        gains = rng.uniform(0.3, 0.9, 16)
        for name, gain in zip(fsr_channels(foot), gains, strict=True):
            adc = np.round(load * gain * 3500 + rng.normal(0, 3, t_insole.size))
            insole[name] = np.clip(adc, 0, 4095).astype(np.uint16)  # 12-bit ADC counts
    t_imu = np.arange(int(DURATION_S * 1125)) / 1125.0 * (1 + drift_ppm * 1e-6)
    left_imu = _half_sine_load(t_imu, left_starts, contact_s)
    imu = {"time_s": t_imu}
    for k, name in enumerate(IMU_CHANNELS):
        base = 9.81 if name == "acc_z_mps2" else 0.0
        scale = 200.0 * (k - 2) if name.startswith("gyro_") else k + 1.0  # a shoe turns at hundreds of deg/s
        imu[name] = base + scale * left_imu + rng.normal(0, 0.05, t_imu.size)

    t_lab = np.arange(int(DURATION_S * 1000)) / 1000.0
    force = {"time_s": t_lab}
    hit = _half_sine_load(t_lab, left_starts[1:2], contact_s)  # one left contact lands on plate1
    for plate, load in (("plate1", hit), ("plate2", np.zeros_like(t_lab))):
        fx, fy, fz, cop_x, cop_y = plate_channels(plate)
        fz_n = 1800 * load + rng.normal(0, 1.0, t_lab.size)
        force[fx] = -200 * load + rng.normal(0, 0.5, t_lab.size)
        force[fy] = 30 * load + rng.normal(0, 0.5, t_lab.size)
        force[fz] = fz_n
        unloaded = fz_n < 10
        force[cop_x] = np.where(unloaded, np.nan, 0.3 + 0.1 * load)
        force[cop_y] = np.where(unloaded, np.nan, 0.05)
    marker_df = None
    if marker:
        t_marker = np.arange(int(DURATION_S * 200)) / 200.0
        outside = (t_marker < 1.0) | (t_marker > 2.5)
        marker_df = pd.DataFrame(
            {
                "time_s": t_marker,
                "waist_x_m": np.where(outside, np.nan, 3.5 * (t_marker - 1.0) - 5.0),
                "waist_y_m": np.where(outside, np.nan, 0.02 * np.sin(t_marker)),
                "waist_z_m": np.where(outside, np.nan, 1.0 + 0.03 * np.sin(9 * t_marker)),
            }
        )
    return RawBout(info, pd.DataFrame(insole), pd.DataFrame(imu), pd.DataFrame(force), marker_df)


@pytest.fixture(scope="module")
def good_bout() -> RawBout:
    return make_bout()


def with_table(bout: RawBout, table: str, change: Callable[[pd.DataFrame], pd.DataFrame | None]) -> RawBout:
    """A copy of ``bout`` whose ``table`` is ``change(copy of table)``."""
    frame = getattr(bout, table).copy()
    return dataclasses.replace(bout, **{table: change(frame)})


def set_values(column: str, rows: slice | list[int], value: float) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(df: pd.DataFrame) -> pd.DataFrame:
        values = df[column].to_numpy(dtype=float, copy=True)
        values[rows] = value
        df[column] = values
        return df

    return change


def read_error(tmp_path: Path, bout: RawBout, error: type[Exception], fmt: str = "parquet") -> str:
    """Write ``bout``, read it back expecting ``error``; return the message."""
    folder = write_bout(tmp_path, bout, fmt=fmt)
    with pytest.raises(error) as info:
        read_bout(folder)
    assert type(info.value) is error
    return str(info.value)


def names(message: str, path: Path, channel: str | None = None) -> bool:
    return str(path) in message and (channel is None or repr(channel) in message)


# --------------------------------------------------------------------------- round trips


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


def test_treadmill_bout_without_marker_round_trips(tmp_path: Path) -> None:
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


def test_write_bout_replaces_and_is_atomic(tmp_path: Path, good_bout: RawBout, monkeypatch: pytest.MonkeyPatch) -> None:
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


def participants_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dataset": ["overground", "overground", "treadmill"],
            "participant": ["007", "OG02", "TM01"],
            "sex": ["F", "M", "F"],
            "body_mass_kg": [58.5, 74.0, 61.2],
            "height_m": [1.65, 1.80, 1.70],
            "insole_length_m": [0.25, 0.28, 0.26],
            "foot_strike": ["rearfoot", "forefoot", "midfoot"],
            "preferred_speed_mps": [3.1, 3.6, 3.3],
        }
    )


def bouts_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dataset": ["overground", "overground", "overground", "treadmill"],
            "participant": ["007", "007", "OG02", "TM01"],
            "bout": ["slow", "medium", "slow", "s2_g+5"],
            "condition": ["slow", "medium", "slow", "speed2 grad+5"],
            "speed_mps": [np.nan, 3.4, 2.9, 3.3],
            "gradient_deg": [0.0, 0.0, 0.0, 5.0],
        }
    )


def truth_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    trials = pd.DataFrame(
        {
            "dataset": ["overground"],
            "participant": ["007"],
            "bout": ["medium"],
            "clock_offset_s": [2.345],
            "clock_drift_ppm": [40.0],
        }
    )
    stances = pd.DataFrame(
        {
            "dataset": ["overground"] * 2,
            "participant": ["007"] * 2,
            "bout": ["medium"] * 2,
            "foot": ["left", "right"],
            "plate": ["plate1", ""],
            "ic_s": [0.9012, 1.2501],
            "to_s": [1.1490, 1.4988],
            "contact_start_s": [0.8990, 1.2480],
            "contact_end_s": [1.1510, 1.5010],
            "clean": [True, False],
            "speed_mps": [3.41, 3.43],
            "reason": ["", "off_plate"],
        }
    )
    return trials, stances


def test_dataset_files_round_trip(tmp_path: Path) -> None:
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


def test_real_data_folder_has_no_truth(tmp_path: Path) -> None:
    write_dataset_files(tmp_path, participants=participants_table(), bouts=bouts_table(), manifest={})
    assert read_truth(tmp_path) is None
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "trials.csv").write_text(",".join(("dataset", "participant")) + "\nog,1\n")
    with pytest.raises(MissingFileError) as info:
        read_truth(tmp_path)
    assert names(str(info.value), tmp_path / "truth" / "stances.csv")


def test_bout_path_and_required_channels(good_bout: RawBout) -> None:
    assert bout_path("raw", "treadmill", "TM01", "fast") == Path("raw/treadmill/TM01/fast")
    for bad in ("", "..", "a/b", " x"):
        with pytest.raises(RawDataError, match="participant"):
            bout_path("raw", "overground", bad, "fast")
    channels = required_channels(good_bout.info)
    assert channels["insole"] == ["time_s", *FSR]
    assert channels["imu"] == ["time_s", *IMU_CHANNELS]
    assert channels["force"] == ["time_s", *plate_channels("plate1"), *plate_channels("plate2")]
    assert channels["marker"] == ["time_s", *MARKER_CHANNELS]
    assert "marker" not in required_channels(dataclasses.replace(good_bout.info, marker_rate_hz=None))


# --------------------------------------------------------------------------- data-set level errors


def test_missing_manifest_and_wrong_version(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError) as info:
        read_manifest(tmp_path)
    assert names(str(info.value), tmp_path / "dataset.json")
    (tmp_path / "dataset.json").write_text(json.dumps({"format": "grfkit-raw", "version": 2}))
    with pytest.raises(RawDataError, match="version"):
        read_manifest(tmp_path)


def test_participants_missing_column_names_file_and_column(tmp_path: Path) -> None:
    participants_table().drop(columns="insole_length_m").to_csv(tmp_path / "participants.csv", index=False)
    with pytest.raises(MissingChannelError) as info:
        read_participants(tmp_path)
    assert names(str(info.value), tmp_path / "participants.csv", "insole_length_m")


@pytest.mark.parametrize(
    ("column", "value"),
    [("body_mass_kg", 74000.0), ("body_mass_kg", -60.0), ("body_mass_kg", np.nan), ("height_m", 180.0)],
)
def test_implausible_participant_is_named(tmp_path: Path, column: str, value: float) -> None:
    table = participants_table()
    table.loc[1, column] = value
    table.to_csv(tmp_path / "participants.csv", index=False)
    with pytest.raises(RawDataError) as info:
        read_participants(tmp_path)
    message = str(info.value)
    assert "'OG02'" in message and names(message, tmp_path / "participants.csv", column)
    with pytest.raises(RawDataError, match="OG02"):  # the writer refuses it too
        write_dataset_files(tmp_path / "w", participants=table, bouts=bouts_table(), manifest={})
    assert not (tmp_path / "w" / "dataset.json").exists()


def test_bouts_of_unknown_participant(tmp_path: Path) -> None:
    participants_table().to_csv(tmp_path / "participants.csv", index=False)
    bouts = bouts_table()
    bouts.loc[2, "participant"] = "OG99"
    bouts.to_csv(tmp_path / "bouts.csv", index=False)
    with pytest.raises(RawDataError) as info:
        read_bouts(tmp_path)
    assert "'OG99'" in str(info.value) and names(str(info.value), tmp_path / "bouts.csv", "participant")
    with pytest.raises(RawDataError, match="OG99"):
        list(iter_bout_paths(tmp_path))


def test_bouts_missing_column_and_missing_file(tmp_path: Path) -> None:
    participants_table().to_csv(tmp_path / "participants.csv", index=False)
    with pytest.raises(MissingFileError) as info:
        read_bouts(tmp_path)
    assert names(str(info.value), tmp_path / "bouts.csv")
    bouts_table().drop(columns="gradient_deg").to_csv(tmp_path / "bouts.csv", index=False)
    with pytest.raises(MissingChannelError) as info2:
        read_bouts(tmp_path)
    assert names(str(info2.value), tmp_path / "bouts.csv", "gradient_deg")
    assert set(BOUT_COLUMNS) - {"gradient_deg"} <= set(pd.read_csv(tmp_path / "bouts.csv").columns)
    assert len(PARTICIPANT_COLUMNS) == 7 and "clean" in TRUTH_STANCE_COLUMNS


# --------------------------------------------------------------------------- bout errors, one per case


def test_missing_table_file(tmp_path: Path, good_bout: RawBout) -> None:
    folder = write_bout(tmp_path, good_bout)
    (folder / "imu.parquet").unlink()
    with pytest.raises(MissingFileError) as info:
        read_bout(folder)
    assert names(str(info.value), folder / "imu.parquet")
    (folder / "bout.json").unlink()
    with pytest.raises(MissingFileError) as info2:
        read_bout(folder)
    assert names(str(info2.value), folder / "bout.json")


def test_marker_file_without_marker_rate(tmp_path: Path, good_bout: RawBout) -> None:
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
def test_bad_bout_json(tmp_path: Path, good_bout: RawBout, change: Callable[[dict], object], match: str) -> None:
    folder = write_bout(tmp_path, good_bout)
    info = json.loads((folder / "bout.json").read_text())
    change(info)
    (folder / "bout.json").write_text(json.dumps(info))
    with pytest.raises(RawDataError, match=match) as err:
        read_bout(folder)
    assert names(str(err.value), folder / "bout.json")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_empty_table(tmp_path: Path, good_bout: RawBout, fmt: str) -> None:
    message = read_error(tmp_path, with_table(good_bout, "force", lambda d: d.iloc[:0]), EmptyTableError, fmt)
    assert names(message, tmp_path / "overground" / "007" / "medium" / f"force.{fmt}")


def test_empty_csv_file(tmp_path: Path, good_bout: RawBout) -> None:
    folder = write_bout(tmp_path, good_bout, fmt="csv")
    (folder / "imu.csv").write_text("")
    with pytest.raises(EmptyTableError) as info:
        read_bout(folder)
    assert names(str(info.value), folder / "imu.csv")


def test_missing_channel(tmp_path: Path, good_bout: RawBout) -> None:
    bout = with_table(good_bout, "insole", lambda d: d.drop(columns="right_fsr07_adc"))
    message = read_error(tmp_path, bout, MissingChannelError)
    assert names(message, tmp_path / "overground/007/medium/insole.parquet", "right_fsr07_adc")


def test_missing_plate_channel(tmp_path: Path, good_bout: RawBout) -> None:
    bout = with_table(good_bout, "force", lambda d: d.drop(columns="plate2_cop_y_m"))
    message = read_error(tmp_path, bout, MissingChannelError)
    assert names(message, tmp_path / "overground/007/medium/force.parquet", "plate2_cop_y_m")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_non_numeric_channel(tmp_path: Path, good_bout: RawBout, fmt: str) -> None:
    def spoil(df: pd.DataFrame) -> pd.DataFrame:
        df["gyro_y_dps"] = df["gyro_y_dps"].astype(str)
        df.loc[5, "gyro_y_dps"] = "bad"
        return df

    message = read_error(tmp_path, with_table(good_bout, "imu", spoil), RawDataError, fmt)
    assert names(message, tmp_path / f"overground/007/medium/imu.{fmt}", "gyro_y_dps")


@pytest.mark.parametrize(("value", "words"), [(np.nan, "not finite"), (1.0, "goes back"), (None, "duplicates")])
def test_bad_timestamps(tmp_path: Path, good_bout: RawBout, value: float | None, words: str) -> None:
    def spoil(df: pd.DataFrame) -> pd.DataFrame:
        time_s = df["time_s"].to_numpy(copy=True)
        time_s[1200] = time_s[1199] if value is None else value
        return df.assign(time_s=time_s)

    message = read_error(tmp_path, with_table(good_bout, "insole", spoil), TimestampError)
    assert words in message and "row 1200" in message
    assert names(message, tmp_path / "overground/007/medium/insole.parquet", "time_s")


def test_gap_in_timestamps_is_a_timestamp_error(tmp_path: Path, good_bout: RawBout) -> None:
    bout = with_table(good_bout, "force", lambda d: d.drop(index=range(2000, 2050)).reset_index(drop=True))
    message = read_error(tmp_path, bout, TimestampError)
    assert "gap" in message and "rows 1999 and 2000" in message and "about 50 samples missing" in message
    assert names(message, tmp_path / "overground/007/medium/force.parquet", "time_s")


def test_sampling_rate_off(tmp_path: Path, good_bout: RawBout) -> None:
    bout = with_table(good_bout, "imu", lambda d: d.assign(time_s=np.arange(len(d)) / 1000.0))
    message = read_error(tmp_path, bout, SamplingRateError)
    assert "1000 Hz" in message and "1125 Hz" in message
    assert names(message, tmp_path / "overground/007/medium/imu.parquet", "time_s")


def test_clock_drift_of_tens_of_ppm_passes(good_bout: RawBout) -> None:
    validate_bout(make_bout(2, drift_ppm=-90.0))
    validate_bout(good_bout, rate_tolerance=1e-4)


def test_nan_run_in_fsr_channel(tmp_path: Path, good_bout: RawBout) -> None:
    bout = with_table(good_bout, "insole", set_values("left_fsr05_adc", slice(300, 340), np.nan))
    message = read_error(tmp_path, bout, DropoutError)
    assert "row 300 for 40 samples" in message
    assert names(message, tmp_path / "overground/007/medium/insole.parquet", "left_fsr05_adc")


def test_nan_in_force_channel(tmp_path: Path, good_bout: RawBout) -> None:
    bout = with_table(good_bout, "force", set_values("plate2_fx_n", [2999], np.nan))
    message = read_error(tmp_path, bout, DropoutError)
    assert "row 2999 for 1 samples" in message
    assert names(message, tmp_path / "overground/007/medium/force.parquet", "plate2_fx_n")


def test_nan_cop_and_partial_marker_are_allowed(good_bout: RawBout) -> None:
    assert good_bout.force["plate2_cop_x_m"].isna().all()
    assert good_bout.marker is not None and good_bout.marker["waist_x_m"].isna().any()
    validate_bout(good_bout)


def test_marker_nan_everywhere(tmp_path: Path, good_bout: RawBout) -> None:
    bout = with_table(good_bout, "marker", set_values("waist_y_m", slice(None), np.nan))
    for fmt in ("parquet", "csv"):
        message = read_error(tmp_path / fmt, bout, DropoutError, fmt)
        assert "NaN everywhere" in message
        assert names(message, tmp_path / fmt / f"overground/007/medium/marker.{fmt}", "waist_y_m")


def test_infinite_value(tmp_path: Path, good_bout: RawBout) -> None:
    bout = with_table(good_bout, "imu", set_values("acc_y_mps2", [10], np.inf))
    message = read_error(tmp_path, bout, RawDataError)
    assert "infinite" in message and names(message, tmp_path / "overground/007/medium/imu.parquet", "acc_y_mps2")


def test_ragged_csv(tmp_path: Path, good_bout: RawBout) -> None:
    folder = write_bout(tmp_path, good_bout, fmt="csv")
    lines = (folder / "imu.csv").read_text().splitlines()
    lines[101] = ",".join(lines[101].split(",")[:4])  # data row 100 lost its last three fields
    (folder / "imu.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(LengthMismatchError) as info:
        read_bout(folder)
    message = str(info.value)
    assert "data row 100 has 4 fields" in message
    assert names(message, folder / "imu.csv", "gyro_x_dps")


def test_imu_much_shorter_than_insole(tmp_path: Path, good_bout: RawBout) -> None:
    bout = with_table(good_bout, "imu", lambda d: d.iloc[: len(d) // 2])
    message = read_error(tmp_path, bout, LengthMismatchError)
    assert "insole" in message and names(message, tmp_path / "overground/007/medium/imu.parquet", "time_s")


def test_fsr_stuck_at_zero(tmp_path: Path, good_bout: RawBout) -> None:
    bout = with_table(good_bout, "insole", set_values("right_fsr12_adc", slice(None), 0.0))
    message = read_error(tmp_path, bout, SensorFaultError)
    assert "stuck" in message
    assert names(message, tmp_path / "overground/007/medium/insole.parquet", "right_fsr12_adc")


def test_fsr_saturated(tmp_path: Path, good_bout: RawBout) -> None:
    bout = with_table(good_bout, "insole", set_values("left_fsr02_adc", slice(0, 2400), 4095.0))
    message = read_error(tmp_path, bout, SensorFaultError)
    assert "saturated" in message and "80.0%" in message
    assert names(message, tmp_path / "overground/007/medium/insole.parquet", "left_fsr02_adc")
    validate_bout(bout, max_saturated_fraction=0.9)  # the threshold is a parameter


def test_no_contact_on_any_plate(tmp_path: Path, good_bout: RawBout) -> None:
    bout = with_table(good_bout, "force", lambda d: d.assign(plate1_fz_n=d["plate1_fz_n"].clip(upper=15.0)))
    message = read_error(tmp_path, bout, NoContactError)
    assert names(message, tmp_path / "overground/007/medium/force.parquet")
    assert "plate1_fz_n" in message and "plate2_fz_n" in message and "20 N" in message


def test_validate_without_source_names_the_channel(good_bout: RawBout) -> None:
    bout = with_table(good_bout, "insole", set_values("left_fsr16_adc", slice(None), 7.0))
    with pytest.raises(SensorFaultError, match="left_fsr16_adc"):
        validate_bout(bout)


def test_read_without_validation(tmp_path: Path, good_bout: RawBout) -> None:
    bout = with_table(good_bout, "insole", set_values("left_fsr01_adc", slice(None), 0.0))
    folder = write_bout(tmp_path, bout)
    assert (read_bout(folder, validate=False).insole["left_fsr01_adc"] == 0).all()
    validate_bout(read_bout(folder, validate=False), folder, stuck_range_adc=-1.0)


# --------------------------------------------------------------------------- properties of the time base


@settings(max_examples=40, deadline=None)
@given(
    rate_hz=st.sampled_from([200.0, 1000.0, 1125.0]),
    factor=st.floats(0.992, 1.008),
    start_s=st.floats(-100.0, 1000.0),
    n=st.integers(10, 3000),
)
def test_uniform_time_base_within_tolerance_passes(rate_hz: float, factor: float, start_s: float, n: int) -> None:
    time_s = start_s + np.arange(n) / (rate_hz * factor)
    measured = validate_time_base(time_s, rate_hz, rate_tolerance=0.01)
    assert measured == pytest.approx(rate_hz * factor, rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 2000))
def test_shuffled_time_base_always_fails(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    time_s = np.arange(n) / 1000.0
    order = rng.permutation(n)
    if (order == np.arange(n)).all():
        order = order[::-1]
    with pytest.raises(TimestampError, match="not strictly increasing"):
        validate_time_base(time_s[order], 1000.0)


@settings(max_examples=30, deadline=None)
@given(factor=st.one_of(st.floats(0.5, 0.985), st.floats(1.015, 2.0)))
def test_rate_outside_tolerance_always_fails(factor: float) -> None:
    time_s = np.arange(500) / (1000.0 * factor)
    with pytest.raises(SamplingRateError):
        validate_time_base(time_s, 1000.0)


def test_missing_bout_folder(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError) as info:
        read_bout(tmp_path / "overground" / "007" / "fast")
    assert names(str(info.value), tmp_path / "overground" / "007" / "fast")


def test_duplicated_column(good_bout: RawBout) -> None:
    bout = with_table(good_bout, "imu", lambda d: pd.concat([d, d[["gyro_z_dps"]]], axis=1))
    with pytest.raises(RawDataError, match="more than once") as info:
        validate_bout(bout, Path("/data/b"))
    assert names(str(info.value), Path("/data/b/imu.parquet"), "gyro_z_dps")


def test_gaps_are_not_mistaken_for_a_wrong_rate() -> None:
    time_s = np.delete(np.arange(2000) / 1000.0, np.arange(500, 800))  # 15 % of the rows lost in one block
    with pytest.raises(TimestampError, match="about 300 samples missing"):
        validate_time_base(time_s, 1000.0)
    validate_time_base(time_s, 1000.0, max_gap_intervals=400.0)


# --------------------------------------------------------------------------- fast layout and array reading


def test_parquet_is_written_plain_and_non_nullable(tmp_path: Path, good_bout: RawBout) -> None:
    folder = write_bout(tmp_path, good_bout)
    meta = pq.ParquetFile(folder / "force.parquet").metadata
    schema = pq.read_schema(folder / "force.parquet")
    # NaN (COP of an unloaded plate) is stored as a value, so no column needs validity levels
    assert not any(field.nullable for field in schema)
    for i in range(meta.num_columns):
        column = meta.row_group(0).column(i)
        assert column.compression == "UNCOMPRESSED" and not column.has_dictionary_page
    back = pd.read_parquet(folder / "force.parquet")  # any parquet reader sees NaN where the COP is undefined
    assert back["plate2_cop_x_m"].isna().all()
    pd.testing.assert_frame_equal(back, good_bout.force)


@pytest.mark.parametrize(
    "layout",
    [
        dict(),  # pyarrow's defaults: snappy, dictionary, NaN as null
        dict(compression="none", use_dictionary=["left_fsr01_adc"]),  # grfkit's earlier layout
        dict(compression="zstd", use_dictionary=False),
    ],
)
def test_older_and_foreign_parquet_layouts_read_the_same(tmp_path: Path, good_bout: RawBout, layout: dict) -> None:
    folder = write_bout(tmp_path, good_bout)
    for table in ("insole", "force", "marker"):
        df = getattr(good_bout, table)
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), folder / f"{table}.parquet", **layout)
    back = read_bout(folder)
    for table in ("insole", "imu", "force", "marker"):
        pd.testing.assert_frame_equal(getattr(back, table), getattr(good_bout, table))


def test_parquet_with_a_stored_index_is_read_through_pandas(tmp_path: Path, good_bout: RawBout) -> None:
    folder = write_bout(tmp_path, good_bout)
    good_bout.imu.set_index(good_bout.imu.index + 10).to_parquet(folder / "imu.parquet")  # index kept in the file
    back = read_bout(folder)
    assert list(back.imu.columns) == list(good_bout.imu.columns)
    assert back.imu.index[0] == 10  # as pandas.read_parquet gives it
    np.testing.assert_array_equal(back.imu["acc_x_mps2"].to_numpy(), good_bout.imu["acc_x_mps2"].to_numpy())


def test_read_tables_are_writeable(tmp_path: Path, good_bout: RawBout) -> None:
    back = read_bout(write_bout(tmp_path, good_bout))
    back.force.loc[0, "plate1_fz_n"] = 5.0  # zero-copy views of the decoded file, but owned and writeable
    back.insole.iloc[1, 1] = 7
    assert back.force.loc[0, "plate1_fz_n"] == 5.0 and back.insole.iloc[1, 1] == 7


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_read_bout_arrays_are_the_checked_required_channels(tmp_path: Path, good_bout: RawBout, fmt: str) -> None:
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
