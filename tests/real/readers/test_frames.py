"""Tests of lab-axis handling (grfkit.real.readers.frames)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import ConfigError, MissingChannelError
from grfkit.real.readers.frames import (
    estimate_overground_axes,
    rotate_vector_columns,
    rotation_to_grfkit,
    vector_column_triplets,
)

AXES = [f"{sign}{axis}" for axis in "xyz" for sign in "+-"]
ORTHOGONAL_PAIRS = [(f, u) for f, u in itertools.product(AXES, AXES) if f[1] != u[1]]


@pytest.mark.parametrize(("forward", "up"), ORTHOGONAL_PAIRS)
def test_rotation_is_proper_and_maps_axes(forward: str, up: str) -> None:
    rotation = rotation_to_grfkit(forward, up)
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(rotation) == pytest.approx(1.0)
    unit = {axis: np.eye(3)[i] for i, axis in enumerate("xyz")}
    forward_vector = unit[forward[1]] * (1 if forward[0] == "+" else -1)
    up_vector = unit[up[1]] * (1 if up[0] == "+" else -1)
    np.testing.assert_allclose(rotation @ forward_vector, [1.0, 0.0, 0.0])
    np.testing.assert_allclose(rotation @ up_vector, [0.0, 0.0, 1.0])


def test_dorn_lab_right_becomes_grfkit_right() -> None:
    rotation = rotation_to_grfkit("+y", "+z")  # Dorn et al.: X points to the runner's right
    np.testing.assert_allclose(rotation @ np.array([1.0, 0.0, 0.0]), [0.0, -1.0, 0.0])


@pytest.mark.parametrize(("forward", "up"), [("+x", "-x"), ("x", "+z"), ("+w", "+z"), ("+y", "")])
def test_invalid_axes(forward: str, up: str) -> None:
    with pytest.raises(ConfigError):
        rotation_to_grfkit(forward, up)


def test_vector_column_triplets() -> None:
    columns = ["time_s", "LHEEL_x_m", "LHEEL_y_m", "LHEEL_z_m", "fx_n", "fy_n", "fz_n", "cop_x_m", "cop_y_m", "tz_nm"]
    assert vector_column_triplets(columns) == [("LHEEL_x_m", "LHEEL_y_m", "LHEEL_z_m"), ("fx_n", "fy_n", "fz_n")]


def test_rotate_vector_columns_round_trip() -> None:
    rng = np.random.default_rng(3)
    table = pd.DataFrame(rng.normal(size=(6, 4)), columns=["time_s", "fx_n", "fy_n", "fz_n"])
    rotation = rotation_to_grfkit("-z", "+x")
    rotated = rotate_vector_columns(table, rotation)
    np.testing.assert_array_equal(rotated["time_s"], table["time_s"])
    np.testing.assert_allclose(
        rotated[["fx_n", "fy_n", "fz_n"]].to_numpy(), table[["fx_n", "fy_n", "fz_n"]].to_numpy() @ rotation.T
    )
    back = rotate_vector_columns(rotated, rotation.T)
    np.testing.assert_allclose(back.to_numpy(), table.to_numpy())
    assert rotate_vector_columns(table[["time_s"]], rotation).equals(table[["time_s"]])


def _markers(pelvis_travel: np.ndarray, n: int = 50) -> pd.DataFrame:
    steps = np.linspace(0.0, 1.0, n)[:, None]
    pelvis = steps * pelvis_travel + np.array([0.2, 0.0, 1.0])
    foot = pelvis - np.array([0.0, 0.0, 0.95])
    columns = {f"SACR_{a}_m": pelvis[:, i] for i, a in enumerate("xyz")}
    columns |= {f"LHEEL_{a}_m": foot[:, i] for i, a in enumerate("xyz")}
    return pd.DataFrame(columns)


def test_estimate_overground_axes() -> None:
    assert estimate_overground_axes(
        _markers(np.array([-6.0, 0.3, 0.0])), pelvis_marker="SACR", foot_marker="LHEEL"
    ) == ("-x", "+z")
    with pytest.raises(ConfigError, match="travels only 0.05 m"):
        estimate_overground_axes(_markers(np.array([0.05, 0.0, 0.0])), pelvis_marker="SACR", foot_marker="LHEEL")
    with pytest.raises(MissingChannelError, match="RHEEL"):
        estimate_overground_axes(_markers(np.array([6.0, 0.0, 0.0])), pelvis_marker="SACR", foot_marker="RHEEL")
