"""Tests of grfkit.io.validate: a bout's tables against the format, and the time base."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import (
    DropoutError,
    LengthMismatchError,
    NoContactError,
    RawDataError,
    SamplingRateError,
    TimestampError,
)
from grfkit.io.schema import RawBout
from grfkit.io.validate import ValidationLimits, validate_bout, validate_time_base


@pytest.mark.parametrize(("value", "words"), [(np.nan, "not finite"), (1.0, "goes back"), (None, "duplicates")])
def test_bad_timestamps(tmp_path: Path, value: float | None, words: str, spoilt_read_error: Any, names: Any) -> None:
    def spoil(df: pd.DataFrame) -> pd.DataFrame:
        time_s = df["time_s"].to_numpy(copy=True)
        time_s[1200] = time_s[1199] if value is None else value
        return df.assign(time_s=time_s)

    message = spoilt_read_error("insole", spoil, TimestampError)
    assert words in message and "row 1200" in message
    assert names(message, tmp_path / "overground/007/medium/insole.parquet", "time_s")


@pytest.mark.parametrize(
    ("table", "change", "error", "words"),
    [
        pytest.param("force", lambda d: d.drop(index=range(2000, 2050)).reset_index(drop=True), TimestampError,
                     ("gap", "rows 1999 and 2000", "about 50 samples missing"), id="gap-in-timestamps"),
        pytest.param("imu", lambda d: d.assign(time_s=np.arange(len(d)) / 1000.0), SamplingRateError,
                     ("1000 Hz", "1125 Hz"), id="sampling-rate-off"),
        pytest.param("imu", lambda d: d.iloc[: len(d) // 2], LengthMismatchError, ("insole",),
                     id="imu-much-shorter-than-insole"),
    ],
)
def test_a_bad_time_base_names_its_file(
    tmp_path: Path, table: str, change: Any, error: type[Exception], words: tuple[str, ...], spoilt_read_error: Any,
    names: Any,
) -> None:
    message = spoilt_read_error(table, change, error)
    for word in words:
        assert word in message
    assert names(message, tmp_path / f"overground/007/medium/{table}.parquet", "time_s")


def test_clock_drift_of_tens_of_ppm_passes(good_bout: RawBout, make_bout: Any) -> None:
    validate_bout(make_bout(2, drift_ppm=-90.0))
    validate_bout(good_bout, limits=ValidationLimits(rate_tolerance=1e-4))


@pytest.mark.parametrize(
    ("table", "channel", "rows", "value", "error", "words"),
    [
        pytest.param("insole", "left_fsr05_adc", slice(300, 340), np.nan, DropoutError, "row 300 for 40 samples",
                     id="nan-run-in-fsr-channel"),
        pytest.param("force", "plate2_fx_n", [2999], np.nan, DropoutError, "row 2999 for 1 samples",
                     id="nan-in-force-channel"),
        pytest.param("imu", "acc_y_mps2", [10], np.inf, RawDataError, "infinite", id="infinite-value"),
    ],
)
def test_a_bad_value_names_its_file_and_channel(
    tmp_path: Path, table: str, channel: str, rows: Any, value: float, error: type[Exception], words: str,
    spoilt_read_error: Any, set_values: Any, names: Any,
) -> None:
    message = spoilt_read_error(table, set_values(channel, rows, value), error)
    assert words in message
    assert names(message, tmp_path / f"overground/007/medium/{table}.parquet", channel)


def test_nan_cop_and_partial_marker_are_allowed(good_bout: RawBout) -> None:
    assert good_bout.force["plate2_cop_x_m"].isna().all()
    assert good_bout.marker is not None and good_bout.marker["waist_x_m"].isna().any()
    validate_bout(good_bout)


def test_marker_nan_everywhere(tmp_path: Path, spoilt_read_error: Any, set_values: Any, names: Any) -> None:
    for fmt in ("parquet", "csv"):
        message = spoilt_read_error("marker", set_values("waist_y_m", slice(None), np.nan), DropoutError, fmt,
                                    folder=tmp_path / fmt)
        assert "NaN everywhere" in message
        assert names(message, tmp_path / fmt / f"overground/007/medium/marker.{fmt}", "waist_y_m")


def test_no_contact_on_any_plate(tmp_path: Path, spoilt_read_error: Any, names: Any) -> None:
    message = spoilt_read_error("force", lambda d: d.assign(plate1_fz_n=d["plate1_fz_n"].clip(upper=15.0)),
                                NoContactError)
    assert names(message, tmp_path / "overground/007/medium/force.parquet")
    assert "plate1_fz_n" in message and "plate2_fz_n" in message and "20 N" in message


@settings(max_examples=40, deadline=None)
@given(
    rate_hz=st.sampled_from([200.0, 1000.0, 1125.0]),
    factor=st.floats(0.992, 1.008),
    start_s=st.floats(-100.0, 1000.0),
    n=st.integers(10, 3000),
)
def test_uniform_time_base_within_tolerance_passes(rate_hz: float, factor: float, start_s: float, n: int) -> None:
    time_s = start_s + np.arange(n) / (rate_hz * factor)
    measured = validate_time_base(time_s, rate_hz, rate_tolerance=0.01)
    assert measured == pytest.approx(rate_hz * factor, rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 2000))
def test_shuffled_time_base_always_fails(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    time_s = np.arange(n) / 1000.0
    order = rng.permutation(n)
    if (order == np.arange(n)).all():
        order = order[::-1]
    with pytest.raises(TimestampError, match="not strictly increasing"):
        validate_time_base(time_s[order], 1000.0)


@settings(max_examples=30, deadline=None)
@given(factor=st.one_of(st.floats(0.5, 0.985), st.floats(1.015, 2.0)))
def test_rate_outside_tolerance_always_fails(factor: float) -> None:
    time_s = np.arange(500) / (1000.0 * factor)
    with pytest.raises(SamplingRateError):
        validate_time_base(time_s, 1000.0)


def test_duplicated_column(good_bout: RawBout, with_table: Any, names: Any) -> None:
    bout = with_table(good_bout, "imu", lambda d: pd.concat([d, d[["gyro_z_dps"]]], axis=1))
    with pytest.raises(RawDataError, match="more than once") as info:
        validate_bout(bout, Path("/data/b"))
    assert names(str(info.value), Path("/data/b/imu.parquet"), "gyro_z_dps")


def test_gaps_are_not_mistaken_for_a_wrong_rate() -> None:
    time_s = np.delete(np.arange(2000) / 1000.0, np.arange(500, 800))  # 15 % of the rows lost in one block
    with pytest.raises(TimestampError, match="about 300 samples missing"):
        validate_time_base(time_s, 1000.0)
    validate_time_base(time_s, 1000.0, max_gap_intervals=400.0)
