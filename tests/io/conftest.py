"""Shared fixtures of the io tests: a small fake bout and tables of a raw folder, and helpers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grfkit.io.channels import IMU_CHANNELS, fsr_channels, plate_channels
from grfkit.io.read import read_bout
from grfkit.io.schema import BoutInfo, Plate, RawBout
from grfkit.io.write import write_bout

DURATION_S = 3.0
FSR = [*fsr_channels("left"), *fsr_channels("right")]


def _half_sine_load(t: np.ndarray, starts: np.ndarray, contact_s: float) -> np.ndarray:
    """Sum of half-sine pulses of height 1 starting at ``starts`` (vectorised)."""
    phase = (t[:, None] - starts[None, :]) / contact_s
    inside = (phase >= 0) & (phase <= 1)
    return np.where(inside, np.sin(np.pi * np.clip(phase, 0, 1)), 0.0).sum(axis=1)


def _make_bout(seed: int = 0, *, marker: bool = True, drift_ppm: float = 40.0) -> RawBout:
    """A 3 s two-plate overground bout with a few fake contacts (not the simulator)."""
    rng = np.random.default_rng(seed)
    info = BoutInfo(
        dataset="overground",
        participant="007",
        bout="medium",
        condition="medium",
        environment="overground",
        plates=(Plate("plate1", 0.0, 0.6, -0.2, 0.2), Plate("plate2", 0.605, 1.205, -0.2, 0.2)),
        gradient_deg=0.0,
        marker_rate_hz=200.0 if marker else None,
    )
    contact_s, stride_s = 0.25, 0.7
    left_starts = np.arange(0.2, DURATION_S, stride_s)
    right_starts = left_starts + stride_s / 2

    # Insole clock: timestamps of a device whose crystal runs drift_ppm fast.
    t_insole = np.arange(int(DURATION_S * 1000)) / 1000.0 * (1 + drift_ppm * 1e-6)
    insole = {"time_s": t_insole}
    for foot, starts in (("left", left_starts), ("right", right_starts)):
        load = _half_sine_load(t_insole, starts, contact_s)
        gains = rng.uniform(0.3, 0.9, 16)
        for name, gain in zip(fsr_channels(foot), gains, strict=True):
            adc = np.round(load * gain * 3500 + rng.normal(0, 3, t_insole.size))
            insole[name] = np.clip(adc, 0, 4095).astype(np.uint16)  # 12-bit ADC counts
    t_imu = np.arange(int(DURATION_S * 1125)) / 1125.0 * (1 + drift_ppm * 1e-6)
    left_imu = _half_sine_load(t_imu, left_starts, contact_s)
    imu = {"time_s": t_imu}
    for k, name in enumerate(IMU_CHANNELS):
        base = 9.81 if name == "acc_z_mps2" else 0.0
        scale = 200.0 * (k - 2) if name.startswith("gyro_") else k + 1.0  # a shoe turns at hundreds of deg/s
        imu[name] = base + scale * left_imu + rng.normal(0, 0.05, t_imu.size)

    t_lab = np.arange(int(DURATION_S * 1000)) / 1000.0
    force = {"time_s": t_lab}
    hit = _half_sine_load(t_lab, left_starts[1:2], contact_s)  # one left contact lands on plate1
    for plate, load in (("plate1", hit), ("plate2", np.zeros_like(t_lab))):
        fx, fy, fz, cop_x, cop_y = plate_channels(plate)
        fz_n = 1800 * load + rng.normal(0, 1.0, t_lab.size)
        force[fx] = -200 * load + rng.normal(0, 0.5, t_lab.size)
        force[fy] = 30 * load + rng.normal(0, 0.5, t_lab.size)
        force[fz] = fz_n
        unloaded = fz_n < 10
        force[cop_x] = np.where(unloaded, np.nan, 0.3 + 0.1 * load)
        force[cop_y] = np.where(unloaded, np.nan, 0.05)
    marker_df = None
    if marker:
        t_marker = np.arange(int(DURATION_S * 200)) / 200.0
        outside = (t_marker < 1.0) | (t_marker > 2.5)
        marker_df = pd.DataFrame(
            {
                "time_s": t_marker,
                "waist_x_m": np.where(outside, np.nan, 3.5 * (t_marker - 1.0) - 5.0),
                "waist_y_m": np.where(outside, np.nan, 0.02 * np.sin(t_marker)),
                "waist_z_m": np.where(outside, np.nan, 1.0 + 0.03 * np.sin(9 * t_marker)),
            }
        )
    return RawBout(info, pd.DataFrame(insole), pd.DataFrame(imu), pd.DataFrame(force), marker_df)


@pytest.fixture(scope="session")
def good_bout() -> RawBout:
    """The fake bout of :func:`_make_bout` (seed 0)."""
    return _make_bout()


def _with_table(bout: RawBout, table: str, change: Callable[[pd.DataFrame], pd.DataFrame | None]) -> RawBout:
    """A copy of ``bout`` whose ``table`` is ``change(copy of table)``."""
    frame = getattr(bout, table).copy()
    return dataclasses.replace(bout, **{table: change(frame)})


def _set_values(column: str, rows: slice | list[int], value: float) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(df: pd.DataFrame) -> pd.DataFrame:
        values = df[column].to_numpy(dtype=float, copy=True)
        values[rows] = value
        df[column] = values
        return df

    return change


def _read_error(tmp_path: Path, bout: RawBout, error: type[Exception], fmt: str = "parquet") -> str:
    """Write ``bout``, read it back expecting ``error``; return the message."""
    folder = write_bout(tmp_path, bout, fmt=fmt)
    with pytest.raises(error) as info:
        read_bout(folder)
    assert type(info.value) is error
    return str(info.value)


def _names(message: str, path: Path, channel: str | None = None) -> bool:
    return str(path) in message and (channel is None or repr(channel) in message)


def _participants_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dataset": ["overground", "overground", "treadmill"],
            "participant": ["007", "OG02", "TM01"],
            "sex": ["F", "M", "F"],
            "body_mass_kg": [58.5, 74.0, 61.2],
            "height_m": [1.65, 1.80, 1.70],
            "insole_length_m": [0.25, 0.28, 0.26],
            "foot_strike": ["rearfoot", "forefoot", "midfoot"],
            "preferred_speed_mps": [3.1, 3.6, 3.3],
        }
    )


def _bouts_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dataset": ["overground", "overground", "overground", "treadmill"],
            "participant": ["007", "007", "OG02", "TM01"],
            "bout": ["slow", "medium", "slow", "s2_g+5"],
            "condition": ["slow", "medium", "slow", "speed2 grad+5"],
            "speed_mps": [np.nan, 3.4, 2.9, 3.3],
            "gradient_deg": [0.0, 0.0, 0.0, 5.0],
        }
    )


def _truth_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    trials = pd.DataFrame(
        {
            "dataset": ["overground"],
            "participant": ["007"],
            "bout": ["medium"],
            "clock_offset_s": [2.345],
            "clock_drift_ppm": [40.0],
        }
    )
    stances = pd.DataFrame(
        {
            "dataset": ["overground"] * 2,
            "participant": ["007"] * 2,
            "bout": ["medium"] * 2,
            "foot": ["left", "right"],
            "plate": ["plate1", ""],
            "ic_s": [0.9012, 1.2501],
            "to_s": [1.1490, 1.4988],
            "contact_start_s": [0.8990, 1.2480],
            "contact_end_s": [1.1510, 1.5010],
            "clean": [True, False],
            "speed_mps": [3.41, 3.43],
            "reason": ["", "off_plate"],
        }
    )
    return trials, stances

@pytest.fixture(scope="session")
def make_bout() -> Callable:
    """:func:`_make_bout`, for tests."""
    return _make_bout


@pytest.fixture(scope="session")
def with_table() -> Callable:
    """:func:`_with_table`, for tests."""
    return _with_table


@pytest.fixture(scope="session")
def set_values() -> Callable:
    """:func:`_set_values`, for tests."""
    return _set_values


@pytest.fixture
def spoilt_read_error(tmp_path: Path, good_bout: RawBout) -> Callable[..., str]:
    """``spoilt_read_error(table, change, error, fmt="parquet", folder=tmp_path)``: the message of ``error``.

    The good bout is written into ``folder`` with ``table`` changed (:func:`_with_table`) and read
    back (:func:`_read_error`).
    """

    def read(table: str, change: Callable, error: type[Exception], fmt: str = "parquet",
             folder: Path | None = None) -> str:
        return _read_error(tmp_path if folder is None else folder, _with_table(good_bout, table, change), error, fmt)

    return read


@pytest.fixture(scope="session")
def names() -> Callable:
    """:func:`_names`, for tests."""
    return _names


@pytest.fixture(scope="session")
def participants_table() -> Callable:
    """:func:`_participants_table`, for tests."""
    return _participants_table


@pytest.fixture(scope="session")
def bouts_table() -> Callable:
    """:func:`_bouts_table`, for tests."""
    return _bouts_table


@pytest.fixture(scope="session")
def truth_tables() -> Callable:
    """:func:`_truth_tables`, for tests."""
    return _truth_tables
