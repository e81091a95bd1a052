"""Raw input that is wrong is caught, named and explained (rows of the fault-injection campaign).

Each test edits one file of a copy of the tiny simulated cohort (``tiny_raw``) as a row of
``shared/reliability/defects.md`` did, and checks that preprocessing ends in a typed error naming
the file, channel or participant (``strict``), or skips the bout with that reason (lenient).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import (
    FileFormatError,
    GrfkitError,
    RawDataError,
    SensorFaultError,
    SyncError,
    UnendedContactError,
    UnitError,
)
from grfkit.io.channels import IMU_CHANNELS, fsr_channels
from grfkit.io.read import read_bout, read_participants
from grfkit.preprocess.chain import preprocess_raw
from grfkit.preprocess.results import PreprocessResult

BOUT = Path("overground") / "OG02" / "medium"


@pytest.fixture
def raw(tiny_raw: Path, tmp_path: Path) -> Path:
    """A writable copy of the tiny simulated cohort."""
    return Path(shutil.copytree(tiny_raw, tmp_path / "raw"))


def edit_table(folder: Path, table: str, change: Callable[[pd.DataFrame], None]) -> None:
    """Apply ``change`` to a bout table in place and write it back."""
    path = folder / f"{table}.parquet"
    df = pd.read_parquet(path)
    change(df)
    df.to_parquet(path, index=False)


def edit_json(path: Path, **values: object) -> None:
    data = json.loads(path.read_text())
    data.update(values)
    path.write_text(json.dumps(data))


def skipped_reason(result: PreprocessResult, participant: str = "OG02") -> str:
    """The status of the participant's bout, which must have been skipped."""
    row = result.bouts.set_index("participant").loc[participant]
    assert row["status"] != "ok", "the bout was not skipped"
    reasons = result.stances.skipped["reason"]
    assert reasons.str.startswith("bout skipped: ").sum() == 1
    return str(row["status"])


def lenient_and_strict(raw: Path, error: type[Exception], participant: str = "OG02") -> tuple[str, str]:
    """Preprocess leniently (the bout is skipped) and strictly (``error`` raised); both messages."""
    result = preprocess_raw(raw, workers=1)
    reason = skipped_reason(result, participant)
    assert reason.startswith(f"{error.__name__}: "), reason
    with pytest.raises(error) as info:
        preprocess_raw(raw, workers=1, strict=True)
    return reason, str(info.value)


def plain_numbers(message: str) -> bool:
    return "np.float" not in message and "np.int" not in message


# --------------------------------------------------------------------------- FSR dropouts to zero (A05)


def _zero_first(fraction: float, channels: list[str], value: float = 0) -> Callable[[pd.DataFrame], None]:
    def change(df: pd.DataFrame) -> None:
        n = int(fraction * len(df))
        for channel in channels:
            df.loc[: n - 1, channel] = value

    return change


def test_a05b_one_fsr_reading_zero_for_most_of_the_bout_is_a_sensor_fault(raw: Path) -> None:
    edit_table(raw / BOUT, "insole", _zero_first(0.6, ["left_fsr07_adc"]))
    for message in lenient_and_strict(raw, SensorFaultError):
        assert "left_fsr07_adc" in message and "insole.parquet" in message
        assert "stays at 0 ADC counts" in message and plain_numbers(message)
    with pytest.raises(SensorFaultError, match="left_fsr07_adc"):
        read_bout(raw / BOUT)


def test_a05c_four_heel_fsrs_reading_zero_are_a_sensor_fault(raw: Path) -> None:
    heel = fsr_channels("left")[:4]
    edit_table(raw / BOUT, "insole", _zero_first(0.6, heel))
    lenient, strict = lenient_and_strict(raw, SensorFaultError)
    assert heel[0] in lenient and heel[0] in strict


def test_fsr_saturated_for_a_stretch_under_half_the_bout_is_called_saturation(raw: Path) -> None:
    edit_table(raw / BOUT, "insole", _zero_first(0.4, ["left_fsr07_adc"], value=4095))
    for message in lenient_and_strict(raw, SensorFaultError):
        assert "saturated" in message and "left_fsr07_adc" in message
        assert "contact" not in message  # not an unended contact


def test_fsr_saturated_in_stretches_shorter_than_the_limit_is_called_saturation(raw: Path) -> None:
    def saturate_every_other_two_seconds(df: pd.DataFrame) -> None:
        blocks = (df["time_s"] - df["time_s"].iloc[0]) // 2.0
        df.loc[(blocks % 2 == 0) & (blocks < 12), "left_fsr07_adc"] = 4095  # 12 s of 30 s, 2 s at a time

    edit_table(raw / BOUT, "insole", saturate_every_other_two_seconds)
    read_bout(raw / BOUT)  # valid raw data: saturated under half of the time, in short stretches
    for message in lenient_and_strict(raw, SensorFaultError):
        assert "saturated" in message and "left_fsr07_adc" in message and str(raw / BOUT) in message


def test_an_unended_insole_contact_names_the_bout_folder_and_the_foot(raw: Path) -> None:
    """Errors raised after validation name the bout folder and the insole channels behind a derived signal."""
    def hold_every_other_two_seconds(df: pd.DataFrame) -> None:
        blocks = (df["time_s"] - df["time_s"].iloc[0]) // 2.0
        df.loc[(blocks % 2 == 0) & (blocks < 12), "left_fsr07_adc"] = 2000  # loaded, not saturated

    edit_table(raw / BOUT, "insole", hold_every_other_two_seconds)
    for message in lenient_and_strict(raw, UnendedContactError):
        assert str(raw / BOUT) in message and "left_fsr*_adc (sum)" in message and "insole load[" not in message


# --------------------------------------------------------------------------- units (A12c, A13e, A24)


def test_a12c_plate_force_in_kgf_is_rejected(raw: Path) -> None:
    def to_kgf(df: pd.DataFrame) -> None:
        for column in [c for c in df.columns if c.endswith("_n")]:
            df[column] = df[column] / 9.80665

    edit_table(raw / BOUT, "force", to_kgf)
    for message in lenient_and_strict(raw, UnitError):
        assert "OG02" in message and "kgf" in message and plain_numbers(message)
        assert re.search(r"73\.69 kg", message)  # the stated body mass


def test_a13e_body_mass_in_pounds_is_rejected(raw: Path) -> None:
    path = raw / "participants.csv"
    participants = pd.read_csv(path, dtype=str)
    row = participants["participant"] == "OG02"
    participants.loc[row, "body_mass_kg"] = f"{73.69 * 2.20462:.2f}"
    participants.to_csv(path, index=False)
    for message in lenient_and_strict(raw, UnitError):
        assert "OG02" in message and "pounds" in message and "162.46" in message and plain_numbers(message)


def test_body_weight_agrees_with_the_force_in_every_simulated_bout(tiny_result: PreprocessResult) -> None:
    assert (tiny_result.bouts["status"] == "ok").all()
    ratio = tiny_result.bouts["force_to_weight"]
    assert ratio.between(0.9, 1.1).all(), ratio.tolist()


def test_a24_gyro_in_rad_per_s_is_rejected(raw: Path) -> None:
    def to_rad(df: pd.DataFrame) -> None:
        for column in [c for c in IMU_CHANNELS if c.startswith("gyro_")]:
            df[column] = np.deg2rad(df[column])

    edit_table(raw / BOUT, "imu", to_rad)
    for message in lenient_and_strict(raw, UnitError):
        assert "gyro_x_dps" in message and "rad/s" in message and "imu.parquet" in message


# --------------------------------------------------------------------------- identities (A14c, A22a, A22b)


def test_a14c_same_participant_id_in_two_data_sets_is_named_at_the_start(raw: Path) -> None:
    shutil.move(raw / "treadmill" / "TM01", raw / "treadmill" / "OG02")
    edit_json(raw / "treadmill" / "OG02" / "medium_level" / "bout.json", participant="OG02")
    for name in ("participants.csv", "bouts.csv"):
        table = pd.read_csv(raw / name, dtype=str)
        table["participant"] = table["participant"].replace("TM01", "OG02")
        table.to_csv(raw / name, index=False)
    for strict in (False, True):
        with pytest.raises(RawDataError) as info:
            preprocess_raw(raw, workers=1, strict=strict)
        message = str(info.value)
        assert "'OG02'" in message and str(raw / "overground" / "OG02") in message
        assert str(raw / "treadmill" / "OG02") in message


def _bout_json_disagrees(raw: Path, tiny_result: PreprocessResult, key: str, value: str) -> None:
    """A slip in bout.json is an error naming the file and both values; no stance is filed elsewhere."""
    edit_json(raw / BOUT / "bout.json", **{key: value})
    for message in lenient_and_strict(raw, RawDataError):
        assert str(raw / BOUT / "bout.json") in message and repr(value) in message
    result = preprocess_raw(raw, workers=1)
    before = tiny_result.stances.meta.groupby(["dataset", "participant"]).size()
    after = result.stances.meta.groupby(["dataset", "participant"]).size()
    assert after.get(("overground", "OG01")) == before[("overground", "OG01")]
    assert ("treadmill", "OG02") not in after.index and ("overground", "OG02") not in after.index


def test_a22a_bout_json_naming_another_participant_is_an_error(raw: Path, tiny_result: PreprocessResult) -> None:
    _bout_json_disagrees(raw, tiny_result, "participant", "OG01")


def test_a22b_bout_json_naming_another_data_set_is_an_error(raw: Path, tiny_result: PreprocessResult) -> None:
    _bout_json_disagrees(raw, tiny_result, "dataset", "treadmill")


def test_bout_json_naming_another_bout_is_an_error(raw: Path, tiny_result: PreprocessResult) -> None:
    _bout_json_disagrees(raw, tiny_result, "bout", "fast")


# --------------------------------------------------------------------------- paths (A21d)


def test_a21d_raw_folder_path_with_a_non_utf8_byte_is_read(tiny_raw: Path, tmp_path: Path,
                                                          tiny_result: PreprocessResult) -> None:
    raw = tmp_path / os.fsdecode(b"caf\xe9") / "raw"
    shutil.copytree(tiny_raw, raw)
    bout = raw / BOUT
    (bout / "imu.parquet").unlink()
    read_bout(tiny_raw / BOUT).imu.to_csv(bout / "imu.csv", index=False)  # the CSV reader too
    result = preprocess_raw(raw, workers=1)
    assert (result.bouts["status"] == "ok").all(), result.bouts["status"].tolist()
    assert len(result.stances) == len(tiny_result.stances)


# --------------------------------------------------------------------------- explanations


def test_errors_after_validation_name_the_bout_folder(raw: Path) -> None:
    """A sync failure (after validation) names the bout's folder, leniently and strictly, across processes."""
    def shuffle_insole(df: pd.DataFrame) -> None:  # loads that no longer match the force in time
        rng = np.random.default_rng(0)
        blocks = np.array_split(np.arange(len(df)), 60)
        order = np.concatenate([blocks[i] for i in rng.permutation(len(blocks))])
        for channel in [c for c in df.columns if c != "time_s"]:
            df[channel] = df[channel].to_numpy()[order]

    edit_table(raw / BOUT, "insole", shuffle_insole)
    for workers in (1, 2):
        result = preprocess_raw(raw, workers=workers)
        assert str(raw / BOUT) in skipped_reason(result)
        with pytest.raises(GrfkitError) as info:
            preprocess_raw(raw, workers=workers, strict=True)
        assert str(raw / BOUT) in str(info.value)


def test_semicolon_csv_with_decimal_commas_is_explained(raw: Path) -> None:
    imu = read_bout(raw / BOUT).imu
    (raw / BOUT / "imu.parquet").unlink()
    imu.to_csv(raw / BOUT / "imu.csv", sep=";", decimal=",", index=False)
    with pytest.raises(FileFormatError) as info:
        read_bout(raw / BOUT)
    message = str(info.value)
    assert "semicolon-separated file with decimal commas" in message and str(raw / BOUT / "imu.csv") in message
    assert "ragged" not in message


def test_semicolon_csv_with_decimal_points_is_explained(raw: Path) -> None:
    imu = read_bout(raw / BOUT).imu
    (raw / BOUT / "imu.parquet").unlink()
    imu.to_csv(raw / BOUT / "imu.csv", sep=";", index=False)
    with pytest.raises(FileFormatError, match="semicolon-separated"):
        read_bout(raw / BOUT)


def test_clock_drift_beyond_the_searched_range_is_named(raw: Path) -> None:
    bout = raw / "treadmill" / "TM01" / "medium_level"
    truth = pd.read_csv(raw / "truth" / "trials.csv", dtype={"participant": str})
    drift = float(truth.set_index("participant").loc["TM01", "clock_drift_ppm"]) * 1e-6
    factor = (1 + drift) / (1 + 2000e-6)  # the insole clock now runs 2000 ppm off the lab clock
    for table in ("insole", "imu"):
        edit_table(bout, table, lambda df: df.__setitem__("time_s", df["time_s"] * factor))
    for message in lenient_and_strict(raw, SyncError, participant="TM01"):
        assert "drift" in message and "100 ppm" in message and "no correlation peak" not in message
        assert re.search(r"about \+(19|20|21)\d\d ppm", message), message


# --------------------------------------------------------------------------- plain numbers


def test_messages_print_plain_numbers(raw: Path) -> None:
    path = raw / "participants.csv"
    participants = pd.read_csv(path, dtype=str)
    participants.loc[0, "body_mass_kg"] = "300.5"
    participants.to_csv(path, index=False)
    with pytest.raises(RawDataError) as info:
        read_participants(raw)
    assert "300.5" in str(info.value) and plain_numbers(str(info.value))

    def repeat_a_timestamp(df: pd.DataFrame) -> None:
        df.loc[5, "time_s"] = df.loc[4, "time_s"]

    edit_table(raw / BOUT, "imu", repeat_a_timestamp)
    with pytest.raises(RawDataError) as info:
        read_bout(raw / BOUT)
    assert plain_numbers(str(info.value)), str(info.value)
