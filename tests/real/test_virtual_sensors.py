"""Tests of the virtual wearables: foot frames, virtual shoe IMU, virtual insole."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from grfkit.errors import ConfigError, DropoutError, NoContactError
from grfkit.io.channels import (
    IMU_ACC_CHANNELS,
    IMU_GYRO_CHANNELS,
    INSOLE_COP_CHANNELS,
    fsr_channels,
)
from grfkit.real.virtual_sensors import (
    INSOLE_WIDTH_LENGTH_RATIO,
    MTH5_AP_FRAC,
    angular_velocity_dps,
    foot_frames,
    insole_cop_fractions,
    insole_geometry,
    mounting_offset,
    orthonormalise,
    virtual_insole_signals,
    virtual_shoe_imu,
)

RATE = 100.0
T = np.arange(0.0, 3.0, 1 / RATE)
STANCE_IC = np.array([1.0, 2.0])
STANCE_TO = np.array([1.25, 2.25])


def _rot_y(angle: np.ndarray) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    zero, one = np.zeros_like(angle), np.ones_like(angle)
    return np.stack([np.stack([c, zero, s], -1), np.stack([zero, one, zero], -1), np.stack([-s, zero, c], -1)], -2)


def _markers(body: np.ndarray, rotation: np.ndarray, origin: np.ndarray) -> np.ndarray:
    return origin + np.einsum("nij,j->ni", rotation, body)


HEEL_BODY = np.array([0.0, 0.0, 0.0])
TOE_BODY = np.array([0.24, 0.0, -0.03])  # toe marker lower than the heel marker, as on a shoe
MT5_BODY = np.array([0.16, 0.045, -0.05])


def _foot(rotation: np.ndarray, origin: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(_markers(b, rotation, origin) for b in (HEEL_BODY, TOE_BODY, MT5_BODY))  # type: ignore[return-value]


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (3, 3), elements=st.floats(-1.0, 1.0)), st.sampled_from(["left", "right"]))
def test_foot_frames_are_rotations_with_x_from_heel_to_toe(points, side) -> None:
    heel, toe, lateral = points[0:1], points[1:2], points[2:3]
    axis = toe - heel
    off_axis = np.cross(axis[0], (lateral - heel)[0])
    assume(np.linalg.norm(axis) > 0.1 and np.linalg.norm(off_axis) > 0.01)
    frame = foot_frames(heel, toe, lateral, side=side)[0]
    np.testing.assert_allclose(frame.T @ frame, np.eye(3), atol=1e-9)
    assert np.linalg.det(frame) == pytest.approx(1.0)
    np.testing.assert_allclose(frame[:, 0], axis[0] / np.linalg.norm(axis), atol=1e-9)
    lateral_side = float((lateral - heel)[0] @ frame[:, 1])
    assert lateral_side > 0 if side == "left" else lateral_side < 0


def test_foot_frames_reject_an_unknown_side() -> None:
    with pytest.raises(ConfigError):
        foot_frames(np.zeros((1, 3)), np.ones((1, 3)), np.eye(3)[:1], side="middle")


def test_orthonormalise_returns_the_nearest_rotation() -> None:
    rotation = _rot_y(np.array([0.3]))[0]
    np.testing.assert_allclose(orthonormalise(rotation * 1.1 + 0.001), rotation, atol=5e-3)


def test_mounting_offset_levels_a_pitched_marker_triad() -> None:
    heel, toe, lateral = _foot(np.broadcast_to(np.eye(3), (T.size, 3, 3)), np.array([0.0, 0.0, 0.1]))
    frames = foot_frames(heel, toe, lateral, side="left")
    assert abs(frames[0, 2, 0]) > 0.1  # the triad's x points downwards
    levelled = frames @ mounting_offset(frames, T, STANCE_IC, STANCE_TO)
    np.testing.assert_allclose(levelled[:, :, 2], np.tile([0.0, 0.0, 1.0], (T.size, 1)), atol=1e-9)


def test_mounting_offset_needs_a_stance_window() -> None:
    frames = np.broadcast_to(np.eye(3), (T.size, 3, 3))
    with pytest.raises(NoContactError):
        mounting_offset(frames, T, np.array([10.0]), np.array([10.2]))


def test_angular_velocity_of_a_constant_pitch_rate() -> None:
    rate_rad_s = 3.0
    frames = _rot_y(rate_rad_s * T)
    gyro = angular_velocity_dps(frames, RATE)
    np.testing.assert_allclose(gyro[2:-2, 1], np.degrees(rate_rad_s), rtol=2e-3)
    np.testing.assert_allclose(gyro[2:-2, [0, 2]], 0.0, atol=1e-6)


def test_virtual_imu_of_a_resting_foot_reads_gravity_along_z() -> None:
    heel, toe, lateral = _foot(np.broadcast_to(np.eye(3), (T.size, 3, 3)), np.array([0.5, 0.1, 0.08]))
    table, frames = virtual_shoe_imu(heel, toe, lateral, T, RATE, side="left", stance_ic_s=STANCE_IC, stance_to_s=STANCE_TO)
    assert list(table.columns) == ["time_s", *IMU_ACC_CHANNELS, *IMU_GYRO_CHANNELS]
    assert len(table) == T.size * 10  # 100 Hz -> 1000 Hz
    np.testing.assert_allclose(table[list(IMU_ACC_CHANNELS)].to_numpy(), np.tile([0.0, 0.0, 9.81], (len(table), 1)), atol=1e-6)
    np.testing.assert_allclose(table[list(IMU_GYRO_CHANNELS)].to_numpy(), 0.0, atol=1e-6)
    assert frames.shape == (T.size, 3, 3)


def test_virtual_imu_senses_forward_acceleration_and_pitch_rate() -> None:
    accel = 4.0
    origin = np.column_stack([0.5 * accel * T**2, np.zeros_like(T), np.full_like(T, 0.08)])
    heel, toe, lateral = _foot(np.broadcast_to(np.eye(3), (T.size, 3, 3)), origin)
    table, _ = virtual_shoe_imu(heel, toe, lateral, T, RATE, side="left", stance_ic_s=STANCE_IC, stance_to_s=STANCE_TO)
    middle = table.iloc[500:2500]
    np.testing.assert_allclose(middle["acc_x_mps2"], accel, atol=1e-3)
    np.testing.assert_allclose(middle["acc_z_mps2"], 9.81, atol=1e-3)
    # toes rotating down (positive about the foot's y): gyro_y positive
    pitch = 1.5 * (T - 1.05)
    heel, toe, lateral = _foot(_rot_y(pitch), np.array([0.0, 0.0, 0.08]))
    table, _ = virtual_shoe_imu(heel, toe, lateral, T, RATE, side="left", stance_ic_s=STANCE_IC[:1], stance_to_s=STANCE_TO[:1])
    assert table["gyro_y_dps"].iloc[500:2500].mean() == pytest.approx(np.degrees(1.5), rel=0.02)


def test_virtual_imu_needs_gap_free_markers() -> None:
    heel, toe, lateral = _foot(np.broadcast_to(np.eye(3), (T.size, 3, 3)), np.zeros(3))
    heel = heel.copy()
    heel[10] = np.nan
    with pytest.raises(DropoutError):
        virtual_shoe_imu(heel, toe, lateral, T, RATE, side="left", stance_ic_s=STANCE_IC, stance_to_s=STANCE_TO)


def test_insole_geometry_and_cop_fractions() -> None:
    frames = np.broadcast_to(np.eye(3), (2, 3, 3))
    heel = np.zeros((2, 3))
    lateral = np.tile([0.16, 0.05, 0.0], (2, 1))
    length, edge = insole_geometry(heel, lateral, frames, side="left")
    assert length == pytest.approx(0.16 / MTH5_AP_FRAC) and edge == pytest.approx(0.05)
    width = INSOLE_WIDTH_LENGTH_RATIO * length
    cop = np.array([[0.0, 0.05], [length / 2, 0.05 - width], [np.nan, np.nan]])
    ap, ml = insole_cop_fractions(
        cop, np.array([0.0, 0.5, 1.0]), heel, frames, np.array([0.0, 1.0]), side="left", insole_length_m=length, lateral_edge_m=edge
    )
    np.testing.assert_allclose(ap[:2], [0.0, 0.5])
    np.testing.assert_allclose(ml[:2], [1.0, 0.0])
    assert np.isnan(ap[2]) and np.isnan(ml[2])
    # a right foot's lateral side is the runner's right (-y)
    right_frames = foot_frames(heel, heel + [0.25, 0, 0], -lateral * [0, 1, 0] + [0.16, 0, 0], side="right")
    ap_r, ml_r = insole_cop_fractions(
        np.array([[0.1, -0.05]]), np.array([0.0]), heel, right_frames, np.array([0.0, 1.0]), side="right",
        insole_length_m=length, lateral_edge_m=0.05,
    )
    assert ml_r[0] == pytest.approx(1.0)


def test_virtual_insole_signals_load_the_sensors_under_the_cop() -> None:
    force = np.array([0.0, 1500.0, 1500.0, 800.0])
    ap = np.array([np.nan, 0.1, 0.9, 1.3])
    ml = np.array([np.nan, 0.5, 0.3, 0.5])
    table, clipped = virtual_insole_signals(force, ap, ml)
    assert list(table.columns) == [*fsr_channels("left"), *INSOLE_COP_CHANNELS]
    counts = table[fsr_channels("left")].to_numpy()
    assert counts[0].sum() == 0 and np.isnan(table["cop_ap_frac"].iloc[0])
    assert counts[1, :3].sum() > counts[1, 10:].sum()  # heel sensors at a heel COP
    assert counts[2, 12:].sum() > counts[2, :3].sum()  # toe sensors at a toe COP
    assert table["cop_ap_frac"].iloc[2] > table["cop_ap_frac"].iloc[1]
    assert clipped == pytest.approx(1 / 3)
