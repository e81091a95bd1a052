"""Running speed: the recording's metadata, and ZUPT stride integration of the shoe IMU."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import LengthMismatchError
from grfkit.field.speed import imu_stance_speeds, metadata_speed
from grfkit.io.schema import BoutInfo
from grfkit.preprocess.skip_reasons import REASON_NO_STRIDE

RATE_HZ = 1125.0
GRAVITY = 9.81


def _foot_imu(
    stride_m: float, stance_s: float, swing_s: float, n_strides: int, pitch_deg: float, seed: int
):
    """IMU of a foot that stands still in each stance and moves ``stride_m`` forward in each swing.

    In swing the forward velocity is ``(L / T)(1 - cos 2 pi tau / T)`` and the foot pitches by up to
    ``pitch_deg`` and back; readings are the level specific force rotated into the sensor frame,
    plus
    seeded noise and a constant bias.  Returns ``time_s, imu (n, 6), ic_s, to_s``.
    """
    rng = np.random.default_rng(seed)
    period = stance_s + swing_s
    t = np.arange(round((n_strides * period + stance_s) * RATE_HZ)) / RATE_HZ
    tau = np.mod(t, period) - stance_s
    swing = tau > 0
    phase = np.where(swing, tau / swing_s, 0.0)
    f_h = np.where(
        swing, stride_m / swing_s * (2 * np.pi / swing_s) * np.sin(2 * np.pi * phase), 0.0
    )
    pitch = np.radians(pitch_deg) * np.sin(np.pi * phase) ** 2
    pitch_rate = np.radians(pitch_deg) * np.pi / swing_s * np.sin(2 * np.pi * phase) * swing
    c, s = np.cos(pitch), np.sin(pitch)
    imu = np.zeros((len(t), 6))
    imu[:, 0] = c * f_h - s * GRAVITY
    imu[:, 2] = s * f_h + c * GRAVITY
    imu[:, 4] = np.degrees(pitch_rate)
    imu += rng.normal(0.0, [0.08, 0.08, 0.08, 0.5, 0.5, 0.5], imu.shape) + rng.normal(0.0, 0.1, 6)
    ic = np.arange(n_strides + 1) * period
    return t, imu, ic, ic + stance_s


@settings(max_examples=20, deadline=None)
@given(
    stride_m=st.floats(1.5, 4.0),
    stance_s=st.floats(0.18, 0.3),
    swing_s=st.floats(0.35, 0.55),
    pitch_deg=st.floats(0.0, 60.0),
    seed=st.integers(0, 1000),
)
def test_zupt_recovers_the_stride_speed(stride_m, stance_s, swing_s, pitch_deg, seed) -> None:
    t, imu, ic, to = _foot_imu(stride_m, stance_s, swing_s, 5, pitch_deg, seed)
    speed = imu_stance_speeds(t, imu, ic, to)
    assert (speed["reason"] == "").all()
    assert speed["n_strides"].tolist() == [1, 2, 2, 2, 2, 1]
    np.testing.assert_allclose(speed["speed_mps"], stride_m / (stance_s + swing_s), rtol=0.02)


def test_a_stance_without_neighbours_has_no_speed() -> None:
    t, imu, ic, to = _foot_imu(2.5, 0.25, 0.45, 6, 30.0, 0)
    kept = [0, 2, 3, 4, 5, 6]  # the second stance missed: the first has no stride left
    speed = imu_stance_speeds(t, imu, ic[kept], to[kept])
    assert speed["speed_mps"].isna().tolist() == [True] + [False] * 5
    assert speed["reason"].tolist() == [REASON_NO_STRIDE] + [""] * 5


def test_a_moving_foot_has_no_zero_velocity_instant() -> None:
    t, imu, ic, to = _foot_imu(2.5, 0.25, 0.45, 3, 30.0, 0)
    imu[:, 4] += 200.0  # never still
    assert imu_stance_speeds(t, imu, ic, to)["speed_mps"].isna().all()


def test_mismatched_inputs_raise() -> None:
    with pytest.raises(LengthMismatchError):
        imu_stance_speeds(np.arange(10.0), np.zeros((9, 6)), np.array([1.0]), np.array([2.0]))


def test_metadata_speed_prefers_the_belt() -> None:
    belt = BoutInfo("treadmill", "T1", "b", "c", "treadmill", (), belt_speed_mps=3.1)
    floor = BoutInfo("overground", "O1", "b", "c", "overground", ())
    assert metadata_speed(belt, 2.0) == (3.1, "belt")
    assert metadata_speed(floor, 3.4) == (3.4, "bouts.csv")
    assert metadata_speed(floor, float("nan")) is None
    assert metadata_speed(floor, None) is None
