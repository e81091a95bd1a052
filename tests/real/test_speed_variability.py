"""Tests of the step-to-step speed measure: known synthetic runs (always) and Hamner/Dorn (real data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import ConfigError
from grfkit.real.speed_variability import (
    PELVIS_MARKERS,
    dorn_step_speeds,
    hamner_step_speeds,
    step_speeds,
    summarise_speed_variability,
)

STEP_S = 0.36


def synthetic_run(step_speeds_mps: np.ndarray, belt_mps: float = 0.0, bounce_m: float = 0.03):
    """Pelvis markers of a runner whose mean speed is piecewise constant per step, plus a per-step oscillation.

    In the treadmill frame the pelvis moves with ``speed - belt``; the oscillation repeats every step, so
    it cancels between ICs.  Two markers sit 0.1 m apart with opposite rotation wobble.
    """
    ic = np.arange(len(step_speeds_mps) + 1) * STEP_S
    t = np.arange(0.0, ic[-1] + 0.005, 0.01)
    position_at_ic = np.r_[0.0, np.cumsum((step_speeds_mps - belt_mps) * STEP_S)]
    base = np.interp(t, ic, position_at_ic)
    phase = np.sin(2 * np.pi * t / STEP_S)
    wobble = 0.01 * np.sin(np.pi * t / STEP_S)  # once per stride: left/right pelvis rotation
    markers = np.column_stack([base + bounce_m * phase + wobble, base + 0.1 + bounce_m * phase - wobble])
    contacts = pd.DataFrame(
        {
            "ic_s": ic,
            "foot": ["left", "right"] * (len(ic) // 2) + ["left"] * (len(ic) % 2),
            "braking_impulse_bws": 0.02,
            "net_impulse_bws": np.r_[np.diff(step_speeds_mps), 0.0, 0.0] / 9.81,
        }
    )
    return contacts, t, markers


def test_step_speeds_recover_known_speeds_overground_and_on_a_belt() -> None:
    speeds = np.array([3.0, 3.05, 2.98, 3.02, 3.0, 2.95])
    contacts, t, markers = synthetic_run(speeds)
    steps = step_speeds(contacts, t, markers)
    np.testing.assert_allclose(steps["speed_mps"], speeds, atol=1e-9)
    np.testing.assert_allclose(steps["speed_change_mps"].iloc[:-1], np.diff(speeds), atol=1e-9)
    assert np.isnan(steps["speed_change_mps"].iloc[-1])
    assert steps["braking_velocity_mps"].iloc[0] == pytest.approx(0.02 * 9.81)
    belt = step_speeds(*synthetic_run(speeds, belt_mps=3.0), belt_speed_mps=3.0)
    np.testing.assert_allclose(belt["speed_mps"], speeds, atol=1e-9)


def test_a_missed_contact_breaks_the_chain_of_changes() -> None:
    speeds = np.full(8, 3.0)
    contacts, t, markers = synthetic_run(speeds)
    steps = step_speeds(contacts.drop(index=[4, 5]), t, markers)  # two missing contacts: a triple step
    assert 3 not in set(steps["step"]) and len(steps) == len(speeds) - 3
    # the step before the gap has no following step: no change
    before_gap = steps[steps["step"] == 2]
    assert before_gap["speed_change_mps"].isna().all()
    same_foot = contacts.drop(index=[4])  # one missing contact: two right-foot ICs in a row
    assert len(step_speeds(same_foot, t, markers)) == len(speeds) - 2


def test_summary_of_a_known_spread() -> None:
    rng = np.random.default_rng(1)
    speeds = 3.0 + rng.normal(0.0, 0.03, 200)
    contacts, t, markers = synthetic_run(speeds)
    steps = step_speeds(contacts, t, markers)
    steps[["dataset", "participant", "bout", "condition"]] = ["x", "p", "b", "3 m/s"]
    row = summarise_speed_variability(steps).iloc[0]
    assert row["n_steps"] == 200 and row["n_changes"] == 199 and row["n_trials"] == 1
    assert row["speed_change_sd_mps"] == pytest.approx(np.std(np.diff(speeds), ddof=1))
    assert row["speed_cv_mean"] == pytest.approx(np.std(speeds, ddof=1) / np.mean(speeds))
    assert row["change_to_braking"] == pytest.approx(row["speed_change_sd_mps"] / (0.02 * 9.81))
    assert row["change_net_impulse_r"] == pytest.approx(1.0)  # the synthetic impulses are the changes


def test_missing_columns_are_config_errors() -> None:
    contacts, t, markers = synthetic_run(np.full(4, 3.0))
    with pytest.raises(ConfigError, match="subject01/Run_3"):
        step_speeds(contacts.drop(columns="foot"), t, markers, trial="subject01/Run_3")
    with pytest.raises(ConfigError):
        summarise_speed_variability(pd.DataFrame({"speed_mps": [3.0]}))


@pytest.mark.realdata
def test_hamner_step_speeds_of_one_runner(real_dataset) -> None:
    steps = hamner_step_speeds(real_dataset("hamner2013"), subjects=["subject01"])
    assert set(steps["markers"]) == {"+".join(PELVIS_MARKERS["hamner2013"])}
    summary = summarise_speed_variability(steps).set_index("condition")
    # the runner holds the belt speed on average, step speeds vary by a few percent at most
    np.testing.assert_allclose(summary["mean_speed_mps"], [2.0, 3.0, 4.0, 5.0], atol=0.05)
    assert (summary["speed_cv_mean"] < 0.04).all()
    assert summary["speed_change_sd_mps"].between(0.01, 0.1).all()
    assert (summary["n_steps"] >= 10).all()
    assert steps["step_time_s"].between(0.25, 0.45).all()


@pytest.mark.realdata
def test_dorn_step_speeds_match_the_nominal_speeds(real_dataset) -> None:
    steps = dorn_step_speeds(real_dataset("dorn2012"))
    summary = summarise_speed_variability(steps).set_index("condition")
    assert summary.loc["jog", "n_steps"] == 4 and summary.loc["sprint", "n_steps"] == 3
    assert summary.loc["jog", "mean_speed_mps"] == pytest.approx(3.5, abs=0.2)
    assert summary.loc["sprint", "mean_speed_mps"] == pytest.approx(9.5, abs=0.5)
    # the sprinter still accelerates: every speed change is positive, as the net impulses are
    sprint = steps[(steps["bout"] == "sprint")].dropna(subset=["speed_change_mps"])
    assert (sprint["speed_change_mps"] > 0).all() and (sprint["net_impulse_velocity_mps"] > 0).all()
