"""Tests of grfkit.pipeline: the chain from raw bouts to stances, nothing dropped silently."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grfkit.channels import STANCE_SIGNAL_CHANNELS, TARGET_CHANNELS
from grfkit.errors import MissingFileError, SyncError
from grfkit.pipeline import (
    REASON_OTHER_FOOT,
    PreprocessConfig,
    PreprocessResult,
    preprocess_bout,
    preprocess_raw,
)
from grfkit.rawdata import read_bout, read_participants
from grfkit.simulate import simulate_bout
from grfkit.stances import N_POINTS


@pytest.fixture(scope="module")
def treadmill_bout():
    return simulate_bout("treadmill", "TM02", "medium_level", seed=1, duration_s=12.0)


def test_preprocess_bout_makes_left_stances_with_physical_curves(treadmill_bout) -> None:
    sim = treadmill_bout
    participant = {"body_mass_kg": 70.0, "insole_length_m": 0.27, "sex": "F", "foot_strike": "rearfoot"}
    out = preprocess_bout(sim.raw, participant)
    ds = out.stances
    assert len(ds) >= 10
    assert ds.inputs.shape == (len(ds), N_POINTS, len(STANCE_SIGNAL_CHANNELS))
    assert ds.targets.shape == (len(ds), N_POINTS, len(TARGET_CHANNELS))
    assert np.isfinite(ds.inputs).all() and np.isfinite(ds.targets).all()
    assert set(ds.meta["foot"]) == {"left"}
    # Curves start and end at the 20 N threshold (filtered force: within a few tens of N) and peak near 2-3 BW.
    vgrf = ds.target("vgrf_n")
    assert np.abs(vgrf[:, [0, -1]]).max() < 150.0
    body_weight = ds.meta["body_mass_kg"].iloc[0] * 9.81
    assert 1.5 < np.median(vgrf.max(axis=1)) / body_weight < 3.5
    np.testing.assert_allclose(ds.meta["speed_mps"], sim.raw.info.belt_speed_mps)
    # The insole is loaded during the stance: the FSR sum peaks inside it.
    fsr_sum = ds.inputs[:, :, :16].sum(axis=2)
    assert (fsr_sum.max(axis=1) > 0).all()


def test_every_unused_contact_has_a_reason(treadmill_bout) -> None:
    participant = {"body_mass_kg": 70.0, "insole_length_m": 0.27, "sex": "F", "foot_strike": "rearfoot"}
    out = preprocess_bout(treadmill_bout.raw, participant)
    c = out.contacts
    assert c["stance"].sum() == len(out.stances)
    assert (c.loc[~c["stance"], "skip_reason"] != "").all()
    assert (c.loc[c["stance"], "skip_reason"] == "").all()
    assert (c["skip_reason"] == REASON_OTHER_FOOT).sum() >= 8


def test_stance_times_match_truth_within_a_few_ms(treadmill_bout) -> None:
    participant = {"body_mass_kg": 70.0, "insole_length_m": 0.27, "sex": "F", "foot_strike": "rearfoot"}
    out = preprocess_bout(treadmill_bout.raw, participant)
    truth = treadmill_bout.stances
    truth_left = truth.loc[truth["foot"] == "left", "ic_s"].to_numpy()
    for ic in out.stances.meta["ic_s"]:
        assert np.min(np.abs(truth_left - ic)) < 0.005
    true_offset = float(treadmill_bout.trial["clock_offset_s"].iloc[0])
    assert abs(out.sync.offset_s - true_offset) < 0.005


def test_sync_failure_is_a_typed_error(treadmill_bout) -> None:
    raw = treadmill_bout.raw
    participant = {"body_mass_kg": 70.0, "insole_length_m": 0.27, "sex": "F", "foot_strike": "rearfoot"}
    silent = raw.insole.copy()
    silent[[c for c in silent.columns if c != "time_s"]] = 0  # insole reads nothing: nothing to align
    with pytest.raises(SyncError, match="no correlation peak"):
        preprocess_bout(type(raw)(raw.info, silent, raw.imu, raw.force, raw.marker), participant)
    # Insole and IMU of another runner's bout: contacts never line up with this force.
    other = simulate_bout("treadmill", "TM03", "fast_uphill", seed=5, duration_s=12.0).raw
    with pytest.raises(SyncError, match="meet an insole contact"):
        preprocess_bout(type(raw)(raw.info, other.insole, other.imu, raw.force, raw.marker), participant)


def test_preprocess_raw_reports_and_saves(tiny_raw: Path, tiny_result: PreprocessResult, tmp_path: Path) -> None:
    r = tiny_result
    assert list(r.bouts["status"]) == ["ok"] * 3
    assert set(r.stances.meta["dataset"]) <= {"overground", "treadmill"}
    assert (r.stances.meta["participant"].isin(read_participants(tiny_raw)["participant"])).all()
    # Every plate contact is either a stance or a skipped row with a reason.
    assert len(r.stances) + len(r.stances.skipped) == len(r.contacts)
    assert (r.stances.skipped["reason"].str.len() > 0).all()
    text = r.summary()
    assert "treadmill:" in text and "bouts: 3 processed, 0 skipped" in text
    loaded = PreprocessResult.load(r.save(tmp_path / "pre"))
    np.testing.assert_array_equal(loaded.stances.inputs, r.stances.inputs)
    pd.testing.assert_frame_equal(loaded.bouts, r.bouts, check_dtype=False)


def test_parallel_workers_give_identical_results(tiny_raw: Path, tiny_result: PreprocessResult) -> None:
    parallel = preprocess_raw(tiny_raw, workers=2)
    np.testing.assert_array_equal(parallel.stances.inputs, tiny_result.stances.inputs)
    np.testing.assert_array_equal(parallel.stances.targets, tiny_result.stances.targets)


def test_bad_bout_is_skipped_with_its_error_or_raised_when_strict(tiny_raw: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(tiny_raw, raw)
    (raw / "overground" / "OG02" / "medium" / "insole.parquet").unlink()
    result = preprocess_raw(raw, workers=1)
    bad = result.bouts.set_index("participant").loc["OG02"]
    assert bad["status"].startswith("MissingFileError") and "insole" in bad["status"]
    assert result.stances.skipped["reason"].str.startswith("bout skipped: MissingFileError").sum() == 1
    assert "OG02" not in set(result.stances.meta["participant"])
    with pytest.raises(MissingFileError, match="insole"):
        preprocess_raw(raw, workers=1, strict=True)


def test_config_changes_the_chain(tiny_raw: Path) -> None:
    bout = read_bout(tiny_raw / "treadmill" / "TM01" / "medium_level")
    participant = read_participants(tiny_raw).set_index("participant").loc["TM01"].to_dict()
    left = preprocess_bout(bout, participant)
    right = preprocess_bout(bout, participant, PreprocessConfig(foot="right"))
    assert set(right.stances.meta["foot"]) == {"right"}
    assert not set(left.stances.meta["ic_s"]) & set(right.stances.meta["ic_s"])


def test_raw_folder_route_equals_preprocess_bout(tiny_raw: Path, tiny_result: PreprocessResult) -> None:
    """preprocess_raw's workers read arrays without DataFrames; preprocess_bout starts from a RawBout: same result."""
    participants = read_participants(tiny_raw).set_index("participant")
    parts = []
    for row in tiny_result.bouts.itertuples(index=False):
        bout = read_bout(tiny_raw / row.dataset / row.participant / row.bout)
        out = preprocess_bout(bout, participants.loc[row.participant].to_dict())
        parts.append(out)
        assert out.sync.offset_s == row.sync_offset_s and out.sync.peak_ratio == row.sync_peak_ratio
    np.testing.assert_array_equal(np.concatenate([p.stances.inputs for p in parts]), tiny_result.stances.inputs)
    np.testing.assert_array_equal(np.concatenate([p.stances.targets for p in parts]), tiny_result.stances.targets)
    pd.testing.assert_frame_equal(pd.concat([p.stances.meta for p in parts], ignore_index=True),
                                  tiny_result.stances.meta)
    pd.testing.assert_frame_equal(pd.concat([p.contacts for p in parts], ignore_index=True), tiny_result.contacts)
