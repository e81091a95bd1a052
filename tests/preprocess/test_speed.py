"""Tests of grfkit.preprocess.speed (running speed from the waist marker)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import (
    ConfigError,
    LengthMismatchError,
    MissingChannelError,
    TimestampError,
)
from grfkit.preprocess.config import SPEED_TOLERANCE_FRACTION, SpeedConfig
from grfkit.preprocess.skip_reasons import (
    REASON_MARKER_MISSING,
    REASON_OUTSIDE_RECORDING,
    REASON_PASS_SPEED_UNKNOWN,
    REASON_SPEED_OFF_TARGET,
)
from grfkit.preprocess.speed import (
    PASS_SPEED_COLUMNS,
    horizontal_speed,
    pass_speed_check,
    stance_speed,
)

FS = 200.0


def marker_table(t: np.ndarray, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"time_s": t, "waist_x_m": x, "waist_y_m": y, "waist_z_m": np.full(t.size, 1.0)})


def running(duration_s: float, speed_mps: float, step_s: float, fluctuation_mps: float, seed: int = 0) -> pd.DataFrame:
    """Waist moving at ``speed_mps`` along x with a within-step speed fluctuation and 0.5 mm marker noise."""
    t = 10.0 + np.arange(int(duration_s * FS)) / FS
    omega = 2 * np.pi / step_s
    x = speed_mps * t + fluctuation_mps / omega * np.sin(omega * t + 0.4)
    rng = np.random.default_rng(seed)
    return marker_table(t, x + rng.normal(0, 5e-4, t.size), 0.02 * np.sin(omega * t / 2) + rng.normal(0, 5e-4, t.size))


def test_horizontal_speed_of_uniform_motion_includes_y():
    t = np.arange(600) / FS
    out = horizontal_speed(marker_table(t, 4.0 * t, -0.3 * t))
    assert list(out.columns) == ["time_s", "speed_mps"]
    assert np.allclose(out["speed_mps"], np.hypot(4.0, 0.3), atol=1e-6)


def test_horizontal_speed_follows_the_within_step_fluctuation():
    table = running(4.0, 3.5, 0.35, 0.15)
    speed = horizontal_speed(table)["speed_mps"].to_numpy()[100:-100]
    assert speed.max() == pytest.approx(3.65, abs=0.02)
    assert speed.min() == pytest.approx(3.35, abs=0.02)


def test_stance_speed_averages_out_the_within_step_fluctuation():
    table = running(6.0, 3.5, 0.35, 0.15, seed=1)
    ic = np.array([11.00, 12.13, 13.31, 14.02])
    to = ic + 0.22
    out = stance_speed(table, ic, to, window_s=0.35)
    assert out["reason"].tolist() == [""] * 4
    assert np.allclose(out["speed_mps"], 3.5, atol=0.01)
    instantaneous = horizontal_speed(table).set_index("time_s")["speed_mps"]
    assert np.max(np.abs(instantaneous.loc[10.5:15.5] - 3.5)) > 0.1  # what the window removes


def test_missing_marker_gives_nan_and_reason():
    table = running(6.0, 4.0, 0.33, 0.1, seed=2)
    gone = (table["time_s"] > 13.0) & (table["time_s"] < 14.0)  # outside the capture volume
    table.loc[gone, ["waist_x_m", "waist_y_m"]] = np.nan
    ic = np.array([10.05, 11.0, 12.9, 13.5, 15.0, 15.8])
    out = stance_speed(table, ic, ic + 0.2, window_s=np.array([0.33, 0.33, 0.33, 0.33, 0.33, 0.6]))
    assert out["reason"].tolist() == [
        REASON_OUTSIDE_RECORDING,
        "",
        REASON_MARKER_MISSING,
        REASON_MARKER_MISSING,
        "",
        REASON_OUTSIDE_RECORDING,
    ]
    assert np.isnan(out["speed_mps"].to_numpy()[[0, 2, 3, 5]]).all()
    assert out["speed_mps"].iat[1] == pytest.approx(4.0, abs=0.02)
    assert out["speed_mps"].iat[4] == pytest.approx(4.0, abs=0.02)
    speed = horizontal_speed(table)
    assert speed.loc[gone, "speed_mps"].isna().all()


def test_short_stretches_have_no_speed():
    t = np.arange(200) / FS
    x = 3.0 * t
    x[:100] = np.nan
    x[110:] = np.nan  # 10 finite samples = 0.05 s
    assert horizontal_speed(marker_table(t, x, 0 * t))["speed_mps"].isna().all()


def test_errors():
    table = running(2.0, 3.0, 0.35, 0.1)
    with pytest.raises(MissingChannelError, match="waist_y_m"):
        horizontal_speed(table.drop(columns=["waist_y_m"]))
    shuffled = table.iloc[::-1].reset_index(drop=True)
    with pytest.raises(TimestampError):
        horizontal_speed(shuffled)
    with pytest.raises(LengthMismatchError):
        stance_speed(table, [10.5, 11.0], [10.7])
    with pytest.raises(ConfigError):
        stance_speed(table, [10.5], [10.7], window_s=0.0)


@settings(max_examples=25, deadline=None)
@given(
    speed_mps=st.floats(min_value=0.5, max_value=8.0),
    heading_rad=st.floats(min_value=-np.pi, max_value=np.pi),
    window_s=st.floats(min_value=0.1, max_value=1.0),
)
def test_property_uniform_motion_gives_its_speed(speed_mps, heading_rad, window_s):
    t = np.arange(600) / FS
    table = marker_table(t, speed_mps * np.cos(heading_rad) * t, speed_mps * np.sin(heading_rad) * t)
    out = stance_speed(table, np.array([1.3]), np.array([1.55]), window_s=window_s)
    assert out["reason"].iat[0] == ""
    assert out["speed_mps"].iat[0] == pytest.approx(speed_mps, rel=1e-6)


def test_stretches_are_filtered_together_as_if_alone():
    """All stretches of finite samples go through the filter in one call; each as lowpass_zero_lag filters it."""
    from grfkit.preprocess.filtering import lowpass_zero_lag

    table = running(20.0, 3.5, 0.36, 0.15, seed=4)
    x, y = table["waist_x_m"].to_numpy().copy(), table["waist_y_m"].to_numpy().copy()
    for a, b in ((300, 520), (1400, 1403), (2000, 2015), (3100, 3300)):  # gaps of various lengths
        x[a:b] = np.nan
    table = marker_table(table["time_s"].to_numpy(), x, y)
    t = table["time_s"].to_numpy()
    expected = np.full(len(t), np.nan)
    finite = np.isfinite(x)
    edges = np.diff(np.r_[0, finite.astype(np.int8), 0])
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if stop - start < 3 or t[stop - 1] - t[start] < 0.1:
            continue
        xy = lowpass_zero_lag(np.column_stack([x[start:stop], y[start:stop]]), 6.0, 200.0)
        velocity = np.gradient(xy, t[start:stop], axis=0)
        expected[start:stop] = np.hypot(velocity[:, 0], velocity[:, 1])
    np.testing.assert_array_equal(horizontal_speed(table)["speed_mps"].to_numpy(), expected)


def bout_of_passes(pass_speeds_mps: list[float], seed: int, period_s: float = 12.0, step_s: float = 0.34):
    """Waist marker of a bout with one pass over the plates every ``period_s``, each at its own speed.

    Between passes the speed changes smoothly (over 3 s, mid-way between passes); each pass has four
    plate contacts, one per step.  Returns the marker table and each contact's first and last time.
    """
    t = np.arange(int((len(pass_speeds_mps) + 1) * period_s * FS)) / FS
    centres = period_s * (np.arange(len(pass_speeds_mps)) + 0.5)
    knots_t = np.ravel([[c - 3.0, c + 3.0] for c in centres])
    knots_v = np.repeat(pass_speeds_mps, 2)
    speed = np.interp(t, knots_t, knots_v)
    omega = 2 * np.pi / step_s
    rng = np.random.default_rng(seed)
    x = np.cumsum(speed) / FS + 0.15 / omega * np.sin(omega * t) + rng.normal(0, 5e-4, t.size)
    table = marker_table(t, x, rng.normal(0, 5e-4, t.size))
    first = np.ravel([c - 0.6 + step_s * np.arange(4) for c in centres])
    return table, first, first + 0.24


def test_a_pass_8_percent_fast_is_off_target_3_percent_is_kept():
    target = 3.2
    table, first, last = bout_of_passes([target, 1.08 * target, target, 1.03 * target, target], seed=30)
    out = pass_speed_check(table, first, last, config=SpeedConfig(window_s=0.34))
    assert list(out.columns) == list(PASS_SPEED_COLUMNS)
    assert out["pass_index"].tolist() == list(np.repeat(np.arange(5), 4))
    np.testing.assert_allclose(out["target_speed_mps"], target, rtol=0.005)  # the median pass
    per_pass = out.groupby("pass_index").first()
    np.testing.assert_allclose(per_pass["speed_deviation_frac"], [0.0, 0.08, 0.0, 0.03, 0.0], atol=0.005)
    assert per_pass["reason"].tolist() == ["", REASON_SPEED_OFF_TARGET, "", "", ""]
    assert SPEED_TOLERANCE_FRACTION == 0.05
    # a given target replaces the median; a tighter tolerance rejects the 3 % pass too
    out = pass_speed_check(table, first, last, target_speed_mps=1.08 * target,
                           config=SpeedConfig(window_s=0.34, tolerance_fraction=0.02))
    assert out.groupby("pass_index")["reason"].first().tolist() == [REASON_SPEED_OFF_TARGET, "",
                                                                    *[REASON_SPEED_OFF_TARGET] * 3]


def test_passes_are_contacts_closer_than_the_gap_in_any_order():
    table, first, last = bout_of_passes([3.0, 3.0], seed=31)
    order = np.random.default_rng(32).permutation(len(first))
    out = pass_speed_check(table, first[order], last[order])
    assert out["pass_index"].tolist() == (np.arange(8)[order] // 4).tolist()
    # a long contact bridges what would be a gap: one pass
    bridged = pass_speed_check(table, np.r_[1.0, 1.5, 4.2], np.r_[1.3, 3.0, 4.5], config=SpeedConfig(pass_gap_s=2.0))
    assert bridged["pass_index"].tolist() == [0, 0, 0]
    assert pass_speed_check(table, np.r_[1.0, 3.4], np.r_[1.3, 3.7])["pass_index"].tolist() == [0, 1]


def test_a_pass_without_marker_has_an_unknown_speed_and_no_vote():
    table, first, last = bout_of_passes([3.0, 3.6, 3.1], seed=33)
    gone = (table["time_s"] > 17.0) & (table["time_s"] < 19.5)  # pass 1 outside the capture volume
    table.loc[gone, ["waist_x_m", "waist_y_m"]] = np.nan
    out = pass_speed_check(table, first, last).groupby("pass_index").first()
    assert out["reason"].tolist() == ["", f"{REASON_PASS_SPEED_UNKNOWN}: {REASON_MARKER_MISSING}", ""]
    assert np.isnan(out["pass_speed_mps"].iat[1])
    assert out["target_speed_mps"].iat[0] == pytest.approx(3.05, abs=0.02)  # median of the measured passes
    assert len(pass_speed_check(table, np.zeros(0), np.zeros(0))) == 0


def test_pass_speed_errors():
    table, first, last = bout_of_passes([3.0], seed=34)
    with pytest.raises(LengthMismatchError):
        pass_speed_check(table, first, last[:2])
    with pytest.raises(ConfigError, match="tolerance_fraction"):
        pass_speed_check(table, first, last, config=SpeedConfig(tolerance_fraction=0.0))
    with pytest.raises(ConfigError, match="target_speed_mps"):
        pass_speed_check(table, first, last, target_speed_mps=-3.0)
    with pytest.raises(ConfigError, match="finite"):
        pass_speed_check(table, np.r_[first[:-1], np.nan], last)
    with pytest.raises(MissingChannelError, match="waist_x_m"):
        pass_speed_check(table.drop(columns=["waist_x_m"]), first, last)
