"""Wearable-only stances: the training chain's channels, no targets, each skip or bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import (
    MissingFileError,
    NoContactError,
    SamplingRateError,
    SensorFaultError,
)
from grfkit.field.chain import FieldConfig, wearable_stances
from grfkit.io.channels import STANCE_SIGNAL_CHANNELS, fsr_channels
from grfkit.io.read import read_bout
from grfkit.io.stances import STANCE_META_COLUMNS
from grfkit.preprocess.skip_reasons import (
    REASON_BOUT_SKIPPED,
    REASON_CUT,
    REASON_NO_IMU_FOOT,
    REASON_OUTSIDE_SIGNAL,
)
from grfkit.preprocess.synchronisation import ClockSync, lab_to_insole_time

BOUT = Path("overground") / "OG01" / "medium"


@pytest.fixture(scope="module")
def field_result(field_raw: Path):
    return wearable_stances(field_raw)


def test_stances_have_the_training_channels_and_no_targets(field_result) -> None:
    stances, skipped = field_result
    assert len(stances) > 100
    assert stances.input_channels == tuple(STANCE_SIGNAL_CHANNELS)
    assert stances.targets.shape == (len(stances), 101, 0)
    assert np.isfinite(stances.inputs).all()
    assert set(STANCE_META_COLUMNS) <= set(stances.meta.columns)
    meta = stances.meta
    assert (meta["ic_s"] < meta["to_s"]).all() and (meta["plate"] == "").all()
    assert set(meta["speed_source"]) == {"imu", "belt"}
    assert set(meta.loc[meta["speed_source"] == "belt", "dataset"]) == {"treadmill"}
    assert set(skipped["reason"]) <= {REASON_CUT, REASON_NO_IMU_FOOT}
    other = skipped.loc[skipped["reason"] == REASON_NO_IMU_FOOT]
    assert set(other["foot"]) == {"right"} and len(other) > 0.8 * len(stances)
    assert stances.skipped.equals(skipped)


def test_force_table_is_ignored(field_result, tiny_raw: Path) -> None:
    with_force, _ = wearable_stances(tiny_raw)
    assert np.array_equal(with_force.inputs, field_result[0].inputs)
    pd.testing.assert_frame_equal(with_force.meta, field_result[0].meta)


def test_stances_match_the_training_chain(field_result, tiny_result) -> None:
    """At the plate's events on the insole clock, the training chain's curves are the field ones."""
    field, _ = field_result
    plate = tiny_result.stances
    compared = 0
    for bout in tiny_result.bouts.itertuples():
        sync = ClockSync(
            bout.sync_offset_s, bout.sync_drift_ppm, bout.sync_peak_ratio, bout.sync_residual_s, 0
        )
        mine = np.flatnonzero((plate.meta["participant"] == bout.participant).to_numpy())
        theirs = np.flatnonzero((field.meta["participant"] == bout.participant).to_numpy())
        ic = lab_to_insole_time(plate.meta["ic_s"].to_numpy()[mine], sync)
        found = field.meta["ic_s"].to_numpy()[theirs]
        nearest = np.abs(found[None, :] - ic[:, None]).argmin(axis=1)
        assert np.abs(found[nearest] - ic).max() < 0.003  # every plate stance is found within 3 ms
        a, b = plate.inputs[mine], field.inputs[theirs[nearest]]
        fsr = slice(0, 16)
        scale = np.abs(a[:, :, fsr]).max()
        assert np.median(np.abs(a[:, :, fsr] - b[:, :, fsr])) < 0.02 * scale
        compared += len(mine)
    assert compared == len(plate)


def test_reading_without_force(field_raw: Path) -> None:
    bout = read_bout(field_raw / BOUT, require_force=False)
    assert bout.force is None and len(bout.insole) > 0
    with pytest.raises(MissingFileError, match="force"):
        read_bout(field_raw / BOUT)  # the training chain still requires it


def test_a_recording_without_plates(spoilt_field_raw: Path) -> None:
    """A field recording lists no plates; it reads and gives the same stances as with them."""
    with_plates, _ = wearable_stances(spoilt_field_raw)
    for info in spoilt_field_raw.rglob("bout.json"):
        _set_bout_json(info.parent, plates=[])
    bout = read_bout(spoilt_field_raw / BOUT, require_force=False)
    assert bout.info.plates == () and bout.force is None
    without_plates, _ = wearable_stances(spoilt_field_raw)
    assert np.array_equal(without_plates.inputs, with_plates.inputs)
    pd.testing.assert_frame_equal(without_plates.meta, with_plates.meta)


def test_speed_sources(field_raw: Path) -> None:
    stances, _ = wearable_stances(field_raw, config=FieldConfig(speed_source="imu"))
    stated, _ = wearable_stances(field_raw, config=FieldConfig(speed_source="stated"))
    assert set(stances.meta["speed_source"]) == {"imu"}
    assert set(stated.meta["speed_source"]) == {"bouts.csv", "belt"}
    merged = stances.meta.merge(stated.meta, on=["participant", "ic_s"], suffixes=("", "_stated"))
    relative = (merged["speed_mps"] / merged["speed_mps_stated"] - 1).abs()
    assert len(merged) > 100 and relative.median() < 0.05


def _set_bout_json(folder: Path, **changes) -> None:
    path = folder / "bout.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_wrong_sampling_rate_names_the_file(spoilt_field_raw: Path) -> None:
    _set_bout_json(spoilt_field_raw / BOUT, insole_rate_hz=500.0)
    with pytest.raises(SamplingRateError, match="insole") as caught:
        wearable_stances(spoilt_field_raw, strict=True)
    assert caught.value.path.parent == spoilt_field_raw / BOUT
    stances, skipped = wearable_stances(spoilt_field_raw)
    bout = skipped.loc[skipped["participant"] == "OG01", "reason"]
    assert len(bout) == 1 and bout.iloc[0].startswith(f"{REASON_BOUT_SKIPPED}: SamplingRateError")
    assert "OG01" not in set(stances.meta["participant"]) and len(stances) > 0


def test_imu_shorter_than_insole_lists_the_stances(spoilt_field_raw: Path, field_result) -> None:
    path = spoilt_field_raw / BOUT / "imu.parquet"
    imu = pd.read_parquet(path)
    imu.iloc[: len(imu) // 2].to_parquet(path, index=False)
    stances, skipped = wearable_stances(spoilt_field_raw)
    lost = skipped.loc[
        (skipped["participant"] == "OG01") & (skipped["reason"] == REASON_OUTSIDE_SIGNAL)
    ]
    before = (field_result[0].meta["participant"] == "OG01").sum()
    after = (stances.meta["participant"] == "OG01").sum()
    assert len(lost) > 10 and after + len(lost) == before


def test_dead_fsr_names_the_channel(spoilt_field_raw: Path) -> None:
    path = spoilt_field_raw / BOUT / "insole.parquet"
    insole = pd.read_parquet(path)
    insole["left_fsr05_adc"] = np.zeros(len(insole), dtype=insole["left_fsr05_adc"].dtype)
    insole.to_parquet(path, index=False)
    with pytest.raises(SensorFaultError) as caught:
        wearable_stances(spoilt_field_raw, strict=True)
    assert caught.value.channel == "left_fsr05_adc"
    _, skipped = wearable_stances(spoilt_field_raw)
    assert (
        skipped.loc[skipped["participant"] == "OG01", "reason"]
        .str.contains("SensorFaultError")
        .all()
    )


def test_missing_imu_lists_the_bout(spoilt_field_raw: Path) -> None:
    (spoilt_field_raw / BOUT / "imu.parquet").unlink()
    _, skipped = wearable_stances(spoilt_field_raw)
    reason = skipped.loc[skipped["participant"] == "OG01", "reason"]
    assert len(reason) == 1 and "MissingFileError" in reason.iloc[0] and "imu" in reason.iloc[0]


def test_no_contacts_names_the_bout(spoilt_field_raw: Path) -> None:
    path = spoilt_field_raw / BOUT / "insole.parquet"
    insole = pd.read_parquet(path)
    rng = np.random.default_rng(0)
    for channel in fsr_channels("left"):  # a left insole that only ever reads noise: no stance
        insole[channel] = rng.integers(0, 4, len(insole)).astype(insole[channel].dtype)
    insole.to_parquet(path, index=False)
    with pytest.raises(NoContactError, match="overground/OG01/medium") as caught:
        wearable_stances(spoilt_field_raw, strict=True)
    assert caught.value.channel == "left_fsr*_adc (sum)"
    _, skipped = wearable_stances(spoilt_field_raw)
    reason = skipped.loc[skipped["participant"] == "OG01", "reason"]
    assert len(reason) == 1 and "NoContactError" in reason.iloc[0]
