"""Tests of the shoe IMU model."""

from __future__ import annotations

import numpy as np
import pytest

from grfkit.constants import GRAVITY_MPS2
from grfkit.simulate.grf_model import GaitRelations
from grfkit.simulate.imu import FootStep, ImuConfig, foot_kinematics, imu_signals

RELATIONS = GaitRelations()


def steps(speed: float, strike: str, n: int = 12) -> list[FootStep]:
    tc = float(RELATIONS.contact_time_s(speed))
    stride = 2 * float(RELATIONS.step_time_s(speed))
    dv, t1 = RELATIONS.impact_parameters(strike, speed)
    return [FootStep(1.0 + k * stride, tc, speed * stride * k, speed, dv, t1) for k in range(n)]


def simulate(speed: float, strike: str, rng=None) -> tuple[np.ndarray, np.ndarray, list[FootStep]]:
    seq = steps(speed, strike)
    t = np.arange(1.5, seq[-1].start_s - 0.5, 1 / 1125)
    kin = foot_kinematics(t, seq, insole_length_m=0.27, foot_strike=strike)
    return t, imu_signals(kin, rng=rng), seq


def test_imu_at_rest_reads_gravity() -> None:
    t = np.arange(0.0, 2.0, 1 / 1125)
    kin = foot_kinematics(t, [], insole_length_m=0.27, foot_strike="rearfoot")
    ideal = imu_signals(kin)
    np.testing.assert_allclose(ideal[:, :3], np.tile([0.0, 0.0, GRAVITY_MPS2], (t.size, 1)), atol=1e-9)
    np.testing.assert_allclose(ideal[:, 3:], 0.0, atol=1e-9)
    noisy = imu_signals(kin, rng=np.random.default_rng(0))
    assert np.linalg.norm(noisy[:, :3], axis=1).mean() == pytest.approx(GRAVITY_MPS2, abs=0.3)


def test_imu_at_rest_on_a_slope_and_with_misalignment() -> None:
    t = np.arange(0.0, 1.0, 1 / 1125)
    kin = foot_kinematics(t, [], insole_length_m=0.27, foot_strike="rearfoot")
    tilted = imu_signals(kin, gradient_deg=5.0)
    assert tilted[:, 0].mean() == pytest.approx(GRAVITY_MPS2 * np.sin(np.radians(5.0)))
    rolled = imu_signals(kin, roll_offset_deg=10.0)
    assert rolled[:, 1].mean() == pytest.approx(GRAVITY_MPS2 * np.sin(np.radians(10.0)))
    assert np.linalg.norm(rolled[:, :3], axis=1) == pytest.approx(GRAVITY_MPS2)


def impact_peak(strike: str, speed: float) -> float:
    t, values, seq = simulate(speed, strike)
    peaks = []
    for step in seq:
        window = (t >= step.start_s) & (t < step.start_s + 0.03)
        if window.any():
            peaks.append(np.abs(values[window, 2] - GRAVITY_MPS2).max())
    return float(np.mean(peaks))


def test_impact_rises_with_speed_and_is_larger_for_rearfoot() -> None:
    assert impact_peak("rearfoot", 4.5) > impact_peak("rearfoot", 3.0)
    assert impact_peak("rearfoot", 3.5) > 1.5 * impact_peak("forefoot", 3.5)
    assert 3 * GRAVITY_MPS2 < impact_peak("rearfoot", 3.5) < 16 * GRAVITY_MPS2


def test_foot_rotates_toes_down_in_early_stance_of_a_rearfoot_strike() -> None:
    t, values, seq = simulate(3.5, "rearfoot")
    for step in seq[2:-2]:
        early = (t > step.start_s + 0.01) & (t < step.start_s + 0.1 * step.contact_time_s)
        assert values[early, 4].mean() > 50  # gyro_y, deg/s


def test_readings_are_plausible_and_within_range() -> None:
    _t, values, _ = simulate(5.0, "rearfoot", rng=np.random.default_rng(1))
    config = ImuConfig()
    assert np.abs(values[:, :3]).max() <= config.acc_range_mps2
    assert np.abs(values[:, 3:]).max() <= config.gyro_range_dps
    assert 200 < np.abs(values[:, 4]).max() < 2000  # pitch rate in a running stride


def test_sensor_acceleration_integrates_to_zero_over_strides() -> None:
    # Velocity is periodic: what the swing builds up, the impact removes.
    seq = steps(3.5, "rearfoot")
    t = np.arange(seq[3].start_s, seq[8].start_s, 1e-5)
    kin = foot_kinematics(t, seq, insole_length_m=0.27, foot_strike="rearfoot")
    assert np.trapezoid(kin.acc_z_mps2, t) == pytest.approx(0.0, abs=0.02)
    # Forward: the foot travels one stride per stride and is at rest at each contact.
    assert np.trapezoid(kin.acc_x_mps2, t) == pytest.approx(0.0, abs=0.02)
    velocity = np.cumsum(kin.acc_x_mps2) * 1e-5
    assert velocity.max() > 3.5 * 1.5  # the swinging foot moves faster than the runner


def test_resolution_follows_range_and_bits() -> None:
    config = ImuConfig()
    assert config.acc_resolution_mps2 == pytest.approx(32 * GRAVITY_MPS2 / 65536)
    assert config.gyro_resolution_dps == pytest.approx(4000 / 65536)


def _with(seq: list[FootStep], **changes: float) -> list[FootStep]:
    from dataclasses import replace

    return [replace(step, **changes) for step in seq]


def _ideal(seq: list[FootStep], strike: str = "rearfoot") -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(seq[0].start_s + 0.5, seq[-1].start_s - 0.5, 1 / 1125)
    return t, imu_signals(foot_kinematics(t, seq, insole_length_m=0.27, foot_strike=strike))


def _per_stance(t: np.ndarray, values: np.ndarray, seq: list[FootStep], start_frac: float, end_frac: float, fn):
    out = []
    for step in seq:
        window = (t >= step.start_s + start_frac * step.contact_time_s) & (
            t < step.start_s + end_frac * step.contact_time_s
        )
        if window.sum() > 3:
            out.append(fn(values[window]))
    return np.array(out)


def test_harder_braking_shows_as_a_larger_forward_deceleration_at_touchdown() -> None:
    seq = steps(3.5, "rearfoot")
    t, soft = _ideal(_with(seq, braking_impulse_mps=0.15))
    _, hard = _ideal(_with(seq, braking_impulse_mps=0.30))
    # acc_x over the touchdown pulse integrates to the forward velocity the shoe loses: 1.75 x the
    # braking impulse per kilogram (ImuConfig.touchdown_braking_ratio), seen through the landing pitch.
    lost = _per_stance(t, hard - soft, seq, 0.0, 0.25, lambda v: v[:, 0].sum() / 1125)
    expected = ImuConfig().touchdown_braking_ratio * (0.30 - 0.15)
    assert np.all(lost < -0.8 * expected) and np.all(lost > -1.1 * expected)


def test_heel_rise_starts_at_the_braking_to_propulsion_transition() -> None:
    seq = steps(3.5, "rearfoot")
    for frac in (0.40, 0.55):
        t, values = _ideal(_with(seq, braking_frac=frac))
        # gyro_y (toes-down rotation) is flat while the foot is flat and grows after heel rise.
        flat = _per_stance(t, values, seq, 0.2, frac - 0.02, lambda v: np.abs(v[:, 4]).max())
        rolling = _per_stance(t, values, seq, frac + 0.1, frac + 0.2, lambda v: np.abs(v[:, 4]).max())
        assert flat.mean() < 0.25 * rolling.mean(), frac


def test_stronger_push_off_rolls_the_foot_faster() -> None:
    seq = steps(3.5, "rearfoot")
    t, weak = _ideal(_with(seq, propulsive_impulse_mps=0.15))
    _, strong = _ideal(_with(seq, propulsive_impulse_mps=0.25))
    peak_rate = lambda v: float(v[:, 4].max())  # noqa: E731
    assert _per_stance(t, strong, seq, 0.5, 1.0, peak_rate).mean() > _per_stance(t, weak, seq, 0.5, 1.0, peak_rate).mean() + 20


def test_a_stance_that_never_brakes_or_never_propels_still_has_a_heel_rise() -> None:
    # Hard acceleration out of a turn can leave the AP force one-signed (transition at 0 or 1).
    for frac in (0.0, 1.0):
        t, values = _ideal(_with(steps(3.5, "rearfoot"), braking_frac=frac))
        assert np.isfinite(values).all()
