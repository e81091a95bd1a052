"""Tests of grfkit.preprocess.chain: the chain from raw bouts to stances, nothing dropped silently."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grfkit.constants import N_POINTS
from grfkit.errors import ConfigError, MissingFileError, SyncError
from grfkit.io.channels import STANCE_SIGNAL_CHANNELS, TARGET_CHANNELS
from grfkit.io.read import read_bout, read_participants
from grfkit.io.stances import StanceDataset
from grfkit.preprocess.chain import preprocess_bout, preprocess_raw
from grfkit.preprocess.config import PreprocessConfig, SpeedConfig
from grfkit.preprocess.results import SKIPPED_COLUMNS, PreprocessResult
from grfkit.preprocess.skip_reasons import (
    REASON_FOOT_EDGE,
    REASON_OTHER_FOOT,
    REASON_SPEED_OFF_TARGET,
)
from grfkit.simulate import OVERGROUND_COHORT, sample_participant, simulate_bout


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
    # Curves start and end at the 20 N threshold of the raw force; the zero-lag 20 Hz filter smears the
    # impact backwards, so the filtered curve starts higher (more for runners who load fast), and peaks
    # near 2-3 BW.
    vgrf = ds.target("vgrf_n")
    assert np.abs(vgrf[:, [0, -1]]).max() < 200.0
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


@pytest.fixture(scope="module")
def overground_bout():
    """A two-minute overground bout (about a dozen passes over the plates) and its participant's row."""
    runner = sample_participant(OVERGROUND_COHORT, 0, seed=0)
    return simulate_bout("overground", runner, "medium", seed=0), runner.to_row()


def _with_pass_faster(raw, first_s: float, last_s: float, factor: float):
    """The bout with the waist moving ``factor`` times as fast along x from ``first_s`` to ``last_s``."""
    marker = raw.marker.copy()
    t = marker["time_s"].to_numpy()
    x = marker["waist_x_m"].to_numpy(dtype=float)
    inside = (t >= first_s) & (t <= last_s)
    extra = np.zeros_like(x)
    extra[inside] = (factor - 1.0) * (x[inside] - x[inside][0])
    extra[t > last_s] = extra[inside][-1]
    marker["waist_x_m"] = x + extra
    return type(raw)(raw.info, raw.insole, raw.imu, raw.force, marker)


@pytest.mark.parametrize(("factor", "rejected"), [(1.08, True), (1.03, False)])
def test_a_pass_off_the_target_speed_is_discarded(overground_bout, factor: float, rejected: bool) -> None:
    sim, participant = overground_bout
    out = preprocess_bout(sim.raw, participant)
    c = out.contacts
    assert c["pass_index"].nunique() >= 5
    assert (c["speed_deviation_frac"].abs() <= 0.05).mean() >= 0.5  # most passes on target, by definition
    # the pass with stances nearest the target (the bout's median pass speed)
    with_stances = c.loc[c["stance"]].groupby("pass_index")["speed_deviation_frac"].first()
    kept_pass = int(with_stances.abs().idxmin())
    assert abs(with_stances[kept_pass]) < 0.015
    own = c["pass_index"] == kept_pass
    # the runner goes faster over the whole pass (and a step either side): its speed is off the median
    first_s = float(c.loc[own, "ic_s"].min()) - 0.6
    last_s = float(c.loc[own, "to_s"].max()) + 0.6
    changed = preprocess_bout(_with_pass_faster(sim.raw, first_s, last_s, factor), participant).contacts
    ratio = float(changed.loc[own, "pass_speed_mps"].iloc[0] / c.loc[own, "pass_speed_mps"].iloc[0])
    assert ratio == pytest.approx(factor, abs=0.005)
    assert abs(changed.loc[own, "speed_deviation_frac"].iloc[0]) == pytest.approx(factor - 1.0, abs=0.02)
    was_stance = own & c["stance"]
    if rejected:
        assert (changed.loc[was_stance, "skip_reason"] == REASON_SPEED_OFF_TARGET).all()
        assert changed.loc[was_stance, "skip_detail"].str.contains(f"pass {kept_pass}: ").all()
        assert changed.loc[was_stance, "skip_detail"].str.contains("tolerance ±5 %").all()
    else:
        assert changed.loc[was_stance, "stance"].all()
    # other passes keep their stances
    assert (changed.loc[~own, "stance"] == c.loc[~own, "stance"]).all()
    # without the rule, every pass is kept
    loose = preprocess_bout(_with_pass_faster(sim.raw, first_s, last_s, factor), participant,
                            PreprocessConfig(speed=SpeedConfig(tolerance_fraction=None))).contacts
    assert loose.loc[was_stance, "stance"].all()


def test_overground_contacts_carry_the_foot_outline(overground_bout) -> None:
    sim, participant = overground_bout
    c = preprocess_bout(sim.raw, participant).contacts
    has_cop = c["edge_distance_m"].notna()
    assert c.loc[has_cop, "outline_margin_m"].notna().all()
    over = c["skip_reason"].str.contains(REASON_FOOT_EDGE)
    assert (c.loc[over, "outline_margin_m"] < 0).all() and (c.loc[c["stance"], "outline_margin_m"] >= 0).all()
    assert c.loc[over, "skip_detail"].str.match(r"estimated foot outline \d+\.\d cm over the edge of plate\d").all()
    # the outline is the whole insole at least: a longer insole can only reject more
    longer = preprocess_bout(sim.raw, {**participant, "insole_length_m": participant["insole_length_m"] + 0.03}).contacts
    assert (longer["outline_margin_m"] <= c["outline_margin_m"] + 1e-12).all()
    off = preprocess_bout(sim.raw, participant, PreprocessConfig(foot_outline=False)).contacts
    assert off["outline_margin_m"].isna().all() and not off["skip_reason"].str.contains(REASON_FOOT_EDGE).any()
    with pytest.raises(ConfigError, match="overground/OG01/medium: .*insole_width_m"):
        preprocess_bout(sim.raw, {**participant, "insole_width_m": -0.09})


def test_treadmill_is_one_pass_at_the_belt_speed(treadmill_bout) -> None:
    participant = {"body_mass_kg": 70.0, "insole_length_m": 0.27, "sex": "F", "foot_strike": "rearfoot"}
    c = preprocess_bout(treadmill_bout.raw, participant).contacts
    assert (c["pass_index"] == 0).all() and (c["speed_deviation_frac"] == 0.0).all()
    np.testing.assert_allclose(c["target_speed_mps"], treadmill_bout.raw.info.belt_speed_mps)
    assert c["outline_margin_m"].isna().all()  # the COP travels with the belt: no outline


def test_skipped_table_has_a_detail_column(tiny_result: PreprocessResult, tmp_path: Path) -> None:
    skipped = tiny_result.stances.skipped
    assert list(skipped.columns) == list(SKIPPED_COLUMNS)
    assert skipped["detail"].notna().all()
    loaded = StanceDataset.load(tiny_result.stances.save(tmp_path / "stances")).skipped
    assert list(loaded.columns) == list(SKIPPED_COLUMNS) and len(loaded) == len(skipped)
