"""Wearable contact detection: known crossings, the IMU cross-check and the skip reasons."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import NoContactError
from grfkit.field.events import (
    EVENT_COLUMNS,
    WearableEventConfig,
    detect_wearable_stances,
    impact_jerk,
)
from grfkit.preprocess.events import load_levels
from grfkit.preprocess.skip_reasons import (
    REASON_NO_IMPACT,
    REASON_OUTSIDE_SIGNAL,
    REASON_SATURATED,
)

from .conftest import make_half_sine_load

CONFIG = WearableEventConfig()


def _imu_with_impacts(t_imu: np.ndarray, onsets: np.ndarray) -> np.ndarray:
    """Accelerometer ``(n, 3)``: gravity, a smooth swing motion, a 5 ms pulse at each onset."""
    acc = np.tile([0.0, 0.0, 9.81], (len(t_imu), 1))
    acc[:, 0] += 30.0 * np.sin(2 * np.pi * 1.5 * t_imu)
    for t0 in onsets:
        pulse = (t_imu >= t0) & (t_imu < t0 + 0.005)
        acc[pulse, 2] += 80.0
    return acc


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_known_crossings_are_found_within_one_sample(seed: int) -> None:
    t, load, onsets, contacts, amplitudes = make_half_sine_load(seed)
    found = detect_wearable_stances(t, {"left": load}, insole_rate_hz=1000.0)
    rest, threshold = load_levels(load, CONFIG.threshold_fraction)
    assert rest == 0.0
    offset = (
        contacts / np.pi * np.arcsin((threshold - rest) / amplitudes)
    )  # half-sine crossing, exact
    assert len(found) == len(onsets)
    np.testing.assert_allclose(found["ic_s"], onsets + offset, atol=1e-3)
    np.testing.assert_allclose(found["to_s"], onsets + contacts - offset, atol=1e-3)
    # for every input: IC before TO, events inside the recording, no IMU -> every contact a stance
    assert (found["ic_s"] < found["to_s"]).all()
    assert (found["ic_s"] >= t[0]).all() and (found["to_s"] <= t[-1]).all()
    assert (found["reason"] == "").all()
    assert list(found.columns) == list(EVENT_COLUMNS)


def test_impact_near_each_contact_passes_the_imu_check() -> None:
    t, load, onsets, *_ = make_half_sine_load(1)
    t_imu = np.arange(0.0, t[-1], 1 / 1125.0)
    found = detect_wearable_stances(
        t,
        {"left": load},
        insole_rate_hz=1000.0,
        imu_time_s=t_imu,
        imu_acc_mps2=_imu_with_impacts(t_imu, onsets),
    )
    assert (found["reason"] == "").all()
    assert (found["impact_jerk_ratio"] >= CONFIG.min_impact_jerk_ratio).all()


def test_flat_or_mistimed_imu_fails_the_check_with_a_reason() -> None:
    t, load, onsets, contacts, _ = make_half_sine_load(2)
    t_imu = np.arange(0.0, t[-1], 1 / 1125.0)
    mid_stance = _imu_with_impacts(
        t_imu, onsets + contacts / 2
    )  # transients far from initial contact
    found = detect_wearable_stances(
        t, {"left": load}, insole_rate_hz=1000.0, imu_time_s=t_imu, imu_acc_mps2=mid_stance
    )
    assert (found["reason"] == REASON_NO_IMPACT).all()


def test_imu_shorter_than_insole_lists_the_stances_it_misses() -> None:
    t, load, onsets, *_ = make_half_sine_load(3)
    t_imu = np.arange(0.0, 3.0, 1 / 1125.0)  # stops half way
    found = detect_wearable_stances(
        t,
        {"left": load},
        insole_rate_hz=1000.0,
        imu_time_s=t_imu,
        imu_acc_mps2=_imu_with_impacts(t_imu, onsets),
    )
    beyond = found["to_s"] > t_imu[-1]
    assert beyond.any() and (~beyond).any()
    assert (found.loc[beyond, "reason"] == REASON_OUTSIDE_SIGNAL).all()
    assert (found.loc[~beyond, "reason"] == "").all()


def test_imu_on_the_other_foot_checks_only_that_foot() -> None:
    t, load, onsets, *_ = make_half_sine_load(4)
    t_imu = np.arange(0.0, t[-1], 1 / 1125.0)
    flat = np.tile([0.0, 0.0, 9.81], (len(t_imu), 1))
    found = detect_wearable_stances(
        t,
        {"left": load, "right": np.roll(load, 170)},
        insole_rate_hz=1000.0,
        imu_time_s=t_imu,
        imu_acc_mps2=flat,
        imu_foot="left",
    )
    assert (found.loc[found["foot"] == "left", "reason"] == REASON_NO_IMPACT).all()
    right = found.loc[found["foot"] == "right"]
    assert right["impact_jerk_ratio"].isna().all()
    assert set(right["reason"]) <= {"", "cut at recording start/end"}


def test_saturated_stance_is_listed() -> None:
    t, load, onsets, contacts, _ = make_half_sine_load(5)
    fsr = np.zeros((len(t), 16))
    fsr[:, 0] = np.clip(load, 0, 4095)
    first = (t > onsets[0]) & (t < onsets[0] + contacts[0])
    fsr[first, 3] = 4095.0  # one sensor pinned at full scale through the first stance
    found = detect_wearable_stances(t, {"left": load}, insole_rate_hz=1000.0, fsr={"left": fsr})
    assert found["reason"].iloc[0] == REASON_SATURATED
    assert found["saturated_frac"].iloc[0] > 0.9
    assert (found["reason"].iloc[1:] == "").all()


def test_no_contacts_raises_naming_the_bout_and_channel() -> None:
    t = np.arange(5000) / 1000.0
    noise = np.random.default_rng(0).normal(50.0, 2.0, t.size)
    with pytest.raises(NoContactError, match="overground/P1/walk") as caught:
        detect_wearable_stances(
            t, {"left": noise}, insole_rate_hz=1000.0, name="overground/P1/walk"
        )
    assert caught.value.channel == "left_fsr*_adc (sum)"


def test_impact_jerk_is_the_acceleration_step_over_the_time_step() -> None:
    t = np.array([0.0, 0.001, 0.002, 0.004])
    acc = np.array([[0, 0, 9.81], [0, 0, 9.81], [3, 4, 9.81], [3, 4, 9.81]])
    np.testing.assert_allclose(impact_jerk(t, acc), [0.0, 0.0, 5000.0, 0.0])
