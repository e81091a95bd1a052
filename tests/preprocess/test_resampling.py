"""Tests of grfkit.preprocess.resampling (IMU 1125 Hz -> 1000 Hz polyphase resampling)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import (
    ConfigError,
    DropoutError,
    EmptyTableError,
    MissingChannelError,
    SamplingRateError,
    TimestampError,
)
from grfkit.preprocess.resampling import (
    check_uniform_sampling,
    rational_factor,
    resample_poly_array,
    resample_poly_at,
    resample_table,
    resampled_length,
)

FS_IMU = 1125.0
FS_OUT = 1000.0


def test_rational_factor_imu_to_insole_is_8_over_9():
    assert rational_factor(FS_IMU, FS_OUT) == (8, 9)
    assert rational_factor(1000.0, 1000.0) == (1, 1)
    assert rational_factor(200.0, 1000.0) == (5, 1)


@pytest.mark.parametrize("rates", [(0.0, 1000.0), (1125.0, -1.0), (1000.0, 1000.0 * math.pi)])
def test_rational_factor_rejects_bad_rates(rates):
    with pytest.raises(ConfigError):
        rational_factor(*rates)


@pytest.mark.parametrize("freq_hz", [5.0, 37.0, 180.0, 400.0])
def test_sinusoid_below_nyquist_keeps_amplitude_and_phase(freq_hz):
    n = 4500
    t_in = np.arange(n) / FS_IMU
    phase = 0.7
    x = 2.5 * np.sin(2 * np.pi * freq_hz * t_in + phase)
    y = resample_poly_array(x, FS_IMU, FS_OUT)
    t_out = np.arange(len(y)) / FS_OUT
    expected = 2.5 * np.sin(2 * np.pi * freq_hz * t_out + phase)
    inner = slice(100, len(y) - 100)  # away from the edges
    # least-squares amplitude and phase of the output
    basis = np.column_stack([np.sin(2 * np.pi * freq_hz * t_out), np.cos(2 * np.pi * freq_hz * t_out)])[inner]
    coef = np.linalg.lstsq(basis, y[inner], rcond=None)[0]
    assert np.hypot(*coef) == pytest.approx(2.5, rel=2e-3)
    assert np.arctan2(coef[1], coef[0]) == pytest.approx(phase, abs=2e-3)
    assert np.max(np.abs(y[inner] - expected[inner])) < 0.02


def test_components_above_output_nyquist_are_attenuated():
    n = 9000
    t_in = np.arange(n) / FS_IMU
    x = np.sin(2 * np.pi * 520.0 * t_in) + np.sin(2 * np.pi * 540.0 * t_in)  # would alias to 480 / 460 Hz
    y = resample_poly_array(x, FS_IMU, FS_OUT)
    inner = y[200:-200]
    assert np.sqrt(np.mean(inner**2)) < 0.05 * np.sqrt(np.mean(x**2))


def test_length_is_ceil_n_times_8_over_9_and_constants_survive_edges():
    x = np.column_stack([np.full(1001, 9.81), np.linspace(-3.0, 5.0, 1001)])
    y = resample_poly_array(x, FS_IMU, FS_OUT)
    assert y.shape == (math.ceil(1001 * 8 / 9), 2)
    assert np.allclose(y[:, 0], 9.81, atol=1e-9)  # "line" padding: no edge ringing for a constant
    t_out = np.arange(len(y)) / FS_OUT
    assert np.allclose(y[:, 1], -3.0 + 8.0 * t_out * FS_IMU / 1000, atol=1e-4)  # nor a linear trend


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=1, max_value=3000), channels=st.integers(min_value=1, max_value=4))
def test_output_length_property(n, channels):
    x = np.random.default_rng(n).normal(size=(n, channels))
    y = resample_poly_array(x, FS_IMU, FS_OUT)
    assert y.shape == (resampled_length(n, FS_IMU, FS_OUT), channels)
    assert len(y) == math.ceil(n * 8 / 9)


def test_nan_raises_dropout_naming_channel():
    x = np.ones((100, 3))
    x[50, 2] = np.nan
    with pytest.raises(DropoutError, match="gyro_z_dps"):
        resample_poly_array(x, FS_IMU, FS_OUT, channels=["a", "b", "gyro_z_dps"])


def test_check_uniform_sampling_accepts_drift_and_rejects_wrong_rate():
    n = 20000
    drifted = np.arange(n) / FS_IMU * (1 + 50e-6)  # 50 ppm clock drift
    assert check_uniform_sampling(drifted, FS_IMU) == pytest.approx(FS_IMU, rel=1e-4)
    with pytest.raises(SamplingRateError, match="imu"):
        check_uniform_sampling(np.arange(n) / 1000.0, FS_IMU, name="imu")


def test_check_uniform_sampling_rejects_bad_timestamps():
    t = np.arange(100) / FS_OUT
    with pytest.raises(TimestampError, match="not strictly increasing"):
        check_uniform_sampling(t[::-1], FS_OUT)
    nan_t = t.copy()
    nan_t[3] = np.nan
    with pytest.raises(TimestampError, match="not finite"):
        check_uniform_sampling(nan_t, FS_OUT)
    gap = np.concatenate([t[:50], t[53:]])  # 3 samples missing
    with pytest.raises(TimestampError, match="missing samples"):
        check_uniform_sampling(gap, FS_OUT, name="insole")
    with pytest.raises(TimestampError):
        check_uniform_sampling(t[:1], FS_OUT)


def test_resample_table_grid_and_channels():
    rng = np.random.default_rng(3)
    n = 2250
    t = 12.5 + np.arange(n) / FS_IMU
    table = pd.DataFrame({"time_s": t, "acc_z_mps2": 9.81 + rng.normal(0, 0.01, n), "gyro_x_dps": np.sin(t)})
    out = resample_table(table, FS_IMU, FS_OUT, name="imu.parquet")
    assert list(out.columns) == ["time_s", "acc_z_mps2", "gyro_x_dps"]
    assert len(out) == 2000
    assert out["time_s"].iloc[0] == 12.5
    assert np.allclose(np.diff(out["time_s"]), 1e-3)
    assert np.allclose(out["gyro_x_dps"], np.sin(out["time_s"]), atol=1e-3)


def test_resample_table_errors_name_the_table():
    with pytest.raises(EmptyTableError):
        resample_table(pd.DataFrame({"time_s": []}), FS_IMU, FS_OUT)
    with pytest.raises(MissingChannelError):
        resample_table(pd.DataFrame({"t": [0.0, 1.0]}), FS_IMU, FS_OUT)
    bad = pd.DataFrame({"time_s": np.arange(500) / 1000.0, "acc_x_mps2": np.zeros(500)})
    with pytest.raises(SamplingRateError, match="imu.parquet"):
        resample_table(bad, FS_IMU, FS_OUT, name="imu.parquet")
    holey = pd.DataFrame({"time_s": np.arange(500) / FS_IMU, "acc_x_mps2": np.zeros(500)})
    holey.loc[10, "acc_x_mps2"] = np.nan
    with pytest.raises(DropoutError, match="acc_x_mps2"):
        resample_table(holey, FS_IMU, FS_OUT, name="imu.parquet")


# --------------------------------------------------------------------------- selected output samples


def _imu_like(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / FS_IMU
    base = np.column_stack([np.sin(2 * np.pi * 3.0 * t), 9.81 + np.cos(2 * np.pi * 1.3 * t), 0.2 * t])
    return base + rng.normal(0.0, 0.5, base.shape)


def test_resample_poly_at_equals_the_whole_signal_bit_for_bit():
    x = _imu_like(40_000)
    full = resample_poly_array(x, FS_IMU, FS_OUT)
    rng = np.random.default_rng(1)
    # scattered stance-like windows, a run of neighbours, repeats and any order
    windows = [np.arange(a, a + 300) for a in rng.integers(100, len(full) - 400, 12)]
    index = np.concatenate([*windows, rng.integers(100, len(full) - 100, 50), [500, 500, 499]])
    rng.shuffle(index)
    np.testing.assert_array_equal(resample_poly_at(x, index, FS_IMU, FS_OUT), full[index])
    # one channel, 1-D
    np.testing.assert_array_equal(resample_poly_at(x[:, 1], index, FS_IMU, FS_OUT), full[index, 1])
    # float32 input (as stored) is converted where used, as resample_poly_array converts it all
    x32 = x.astype(np.float32)
    np.testing.assert_array_equal(
        resample_poly_at(x32, index, FS_IMU, FS_OUT), resample_poly_array(x32, FS_IMU, FS_OUT)[index]
    )


def test_resample_poly_at_near_the_ends_uses_the_whole_signal():
    x = _imu_like(5000, seed=2)
    full = resample_poly_array(x, FS_IMU, FS_OUT)
    for index in (np.arange(0, 30), np.arange(len(full) - 30, len(full)), np.array([0, len(full) - 1])):
        np.testing.assert_array_equal(resample_poly_at(x, index, FS_IMU, FS_OUT), full[index])


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(min_value=200, max_value=4000),
    seed=st.integers(min_value=0, max_value=10_000),
    rates=st.sampled_from([(1125.0, 1000.0), (1000.0, 1125.0), (200.0, 100.0), (1000.0, 1000.0)]),
)
def test_resample_poly_at_property(n, seed, rates):
    x = _imu_like(n, seed)
    full = resample_poly_array(x, *rates)
    index = np.random.default_rng(seed).integers(0, len(full), size=min(len(full), 40))
    np.testing.assert_array_equal(resample_poly_at(x, index, *rates), full[index])


def test_resample_poly_at_errors():
    x = _imu_like(3000)
    n_out = resampled_length(len(x), FS_IMU, FS_OUT)
    with pytest.raises(IndexError):
        resample_poly_at(x, [n_out], FS_IMU, FS_OUT)
    with pytest.raises(IndexError):
        resample_poly_at(x, [-1], FS_IMU, FS_OUT)
    bad = x.copy()
    bad[2500, 2] = np.nan  # far from the wanted samples: still refused, as for the whole signal
    with pytest.raises(DropoutError) as info:
        resample_poly_at(bad, [10, 11], FS_IMU, FS_OUT, channels=["a", "b", "c"])
    assert info.value.channel == "c"
    assert resample_poly_at(x, [], FS_IMU, FS_OUT).shape == (0, 3)


def test_check_uniform_sampling_judges_the_median_interval_also_with_jitter():
    period = 1.0 / FS_OUT
    rng = np.random.default_rng(4)
    # a few intervals 30 % off (jitter), the typical one right: accepted (the median is computed)
    dt = np.full(5000, period)
    dt[rng.integers(0, 5000, 40)] *= rng.choice([0.7, 1.3], 40)
    assert check_uniform_sampling(np.r_[0.0, np.cumsum(dt)], FS_OUT, tolerance=0.05) == pytest.approx(FS_OUT, rel=1e-2)
    # every interval 3 % long, within half a period: the median interval is off
    with pytest.raises(SamplingRateError, match="median interval"):
        check_uniform_sampling(np.arange(5000) * period * 1.03, FS_OUT)
