"""Tests of whole-cohort simulation and of the in-memory bout API."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import ConfigError
from grfkit.io.read import (
    iter_bout_paths,
    read_bout,
    read_bouts,
    read_participants,
    read_truth,
)
from grfkit.scales import SCALES, ScaleConfig
from grfkit.simulate import cohort_plan, simulate_bout, simulate_cohort

TINY = ScaleConfig(
    name="tiny",
    overground_participants=1,
    overground_bouts=("fast",),
    overground_duration_s=25.0,
    treadmill_participants=1,
    treadmill_conditions=("slow_downhill",),
    treadmill_duration_s=10.0,
)


def assert_bouts_equal(a, b) -> None:
    for table in ("insole", "imu", "force"):
        pd.testing.assert_frame_equal(getattr(a.raw, table), getattr(b.raw, table))
    pd.testing.assert_frame_equal(a.stances, b.stances)
    pd.testing.assert_frame_equal(a.trial, b.trial)


def test_same_seed_same_bout_different_seed_different_bout() -> None:
    a = simulate_bout("treadmill", "TM02", "fast_level", seed=3, duration_s=10.0)
    b = simulate_bout("treadmill", "TM02", "fast_level", seed=3, duration_s=10.0)
    c = simulate_bout("treadmill", "TM02", "fast_level", seed=4, duration_s=10.0)
    assert_bouts_equal(a, b)
    assert not np.array_equal(a.raw.force["belt_fz_n"].to_numpy(), c.raw.force["belt_fz_n"].to_numpy())
    assert a.trial["clock_offset_s"].iloc[0] != c.trial["clock_offset_s"].iloc[0]


def test_bout_truth_trial_row() -> None:
    bout = simulate_bout("treadmill", "TM01", "medium_level", duration_s=10.0)
    assert list(bout.trial.columns) == ["dataset", "participant", "bout", "clock_offset_s", "clock_drift_ppm"]
    assert abs(bout.trial["clock_offset_s"].iloc[0]) <= 5.0
    assert abs(bout.trial["clock_drift_ppm"].iloc[0]) <= 50.0


@pytest.mark.parametrize(
    ("dataset", "participant", "bout"),
    [
        ("moon", "OG01", "slow"),
        ("overground", "XX1", "slow"),
        ("overground", "OG01", "sprint"),
        ("treadmill", "TM01", "fast"),
    ],
)
def test_bad_requests_are_config_errors(dataset: str, participant: str, bout: str) -> None:
    with pytest.raises(ConfigError):
        simulate_bout(dataset, participant, bout, duration_s=10.0)


def test_cohort_plan_counts() -> None:
    people, bouts = cohort_plan("paper", seed=0)
    assert sum(p.dataset == "overground" for p in people) == 15
    assert sum(p.dataset == "treadmill" for p in people) == 50
    assert (bouts["dataset"] == "overground").sum() == 45
    assert (bouts["dataset"] == "treadmill").sum() == 500
    ci_people, ci_bouts = cohort_plan("ci", seed=0)
    assert len(ci_bouts) == 4 * 3 + 6 * 2
    # ci participants are the first participants of the paper cohort.
    assert ci_people[:4] == people[:4]


def test_simulate_cohort_writes_a_readable_raw_folder(tmp_path) -> None:
    out = simulate_cohort(TINY, 2, tmp_path / "raw")
    manifest = json.loads((out / "dataset.json").read_text())
    assert manifest["format"] == "grfkit-raw" and manifest["scale"] == "tiny" and manifest["seed"] == 2
    assert "grfkit_version" in manifest and manifest["scale_config"]["overground_duration_s"] == 25.0
    participants = read_participants(out)
    bouts = read_bouts(out)
    assert len(participants) == 2 and len(bouts) == 2
    paths = list(iter_bout_paths(out))
    for path in paths:
        read_bout(path)
    trials, stances = read_truth(out)
    assert len(trials) == 2
    assert set(stances["dataset"]) == {"overground", "treadmill"}
    # The same bout in memory equals the one on disk.
    memory = simulate_bout("overground", "OG01", "fast", seed=2, duration_s=25.0)
    disk = read_bout(out / "overground" / "OG01" / "fast")
    np.testing.assert_allclose(disk.force["plate1_fz_n"].to_numpy(), memory.raw.force["plate1_fz_n"].to_numpy())
    on_disk = stances[stances["dataset"] == "overground"].reset_index(drop=True)
    np.testing.assert_allclose(on_disk["ic_s"].to_numpy(), memory.stances["ic_s"].to_numpy())


def test_ci_scale_gives_enough_clean_left_contacts_per_participant() -> None:
    config = SCALES["ci"]
    clean = 0
    for bout in config.overground_bouts:
        stances = simulate_bout("overground", "OG01", bout, seed=0).stances
        clean += int((stances["clean"] & (stances["foot"] == "left") & stances["insole_recorded"]).sum())
    assert clean >= 8
