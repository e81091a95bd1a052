"""Tests of grfkit.io.sensor_faults: stuck and saturated FSR channels, and swing zeros that are no fault."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import SensorFaultError
from grfkit.io.channels import fsr_channels
from grfkit.io.schema import RawBout
from grfkit.io.sensor_faults import check_constant_stretches
from grfkit.io.validate import ValidationLimits, validate_bout


@pytest.mark.parametrize(
    ("channel", "rows", "value", "words"),
    [
        pytest.param("right_fsr12_adc", slice(None), 0.0, ("stuck",), id="fsr-stuck-at-zero"),
        pytest.param("left_fsr02_adc", slice(0, 2400), 4095.0, ("saturated", "80.0%"), id="fsr-saturated"),
    ],
)
def test_a_faulty_fsr_names_its_file_and_channel(
    tmp_path: Path, channel: str, rows: Any, value: float, words: tuple[str, ...], spoilt_read_error: Any,
    set_values: Any, names: Any,
) -> None:
    message = spoilt_read_error("insole", set_values(channel, rows, value), SensorFaultError)
    for word in words:
        assert word in message
    assert names(message, tmp_path / "overground/007/medium/insole.parquet", channel)


def test_the_saturation_threshold_is_a_parameter(good_bout: RawBout, with_table: Any, set_values: Any) -> None:
    bout = with_table(good_bout, "insole", set_values("left_fsr02_adc", slice(0, 2400), 4095.0))
    validate_bout(bout, limits=ValidationLimits(max_saturated_fraction=0.9))


def test_validate_without_source_names_the_channel(good_bout: RawBout, with_table: Any, set_values: Any) -> None:
    bout = with_table(good_bout, "insole", set_values("left_fsr16_adc", slice(None), 7.0))
    with pytest.raises(SensorFaultError, match="left_fsr16_adc"):
        validate_bout(bout)


def _swing_zero_bout_insole(n_strides: int = 30, skip_every: int = 3) -> pd.DataFrame:
    """An insole table whose sensors read exactly 0 in every swing; one sensor loads every third stride."""
    rate_hz, stride_s, contact_s = 1000.0, 0.7, 0.25
    t = np.arange(int(n_strides * stride_s * rate_hz)) / rate_hz
    table = {"time_s": t}
    for foot, delay_s in (("left", 0.0), ("right", stride_s / 2)):
        phase = ((t - delay_s) % stride_s) / contact_s
        load = np.where(phase < 1, np.sin(np.pi * np.clip(phase, 0, 1)), 0.0)
        stride = np.floor((t - delay_s) / stride_s)
        for k, channel in enumerate(fsr_channels(foot)):
            counts = np.round(load * 3000 * (0.3 + 0.04 * k))
            if k == 15:  # toe sensor loaded only in one stride of three
                counts = np.where(stride % skip_every == 0, counts, 0)
            table[channel] = counts.astype(np.uint16)
    return pd.DataFrame(table)


def test_genuine_swing_zeros_are_not_a_sensor_fault() -> None:
    insole = _swing_zero_bout_insole()
    arrays = {c: insole[c].to_numpy() for c in insole.columns}
    check_constant_stretches(arrays, 1000.0, None)  # no error: zeros last one swing, or 3 strides at most
    arrays["left_fsr05_adc"] = np.where(insole["time_s"] < 10.0, 0, arrays["left_fsr05_adc"]).astype(np.uint16)
    with pytest.raises(SensorFaultError, match="left_fsr05_adc"):
        check_constant_stretches(arrays, 1000.0, None)


def test_both_insoles_at_zero_are_no_fault_but_one_dead_insole_is() -> None:
    """Nobody running (insoles off the feet) is no sensor fault; one insole silent while the other loads is."""
    insole = _swing_zero_bout_insole()
    arrays = {c: insole[c].to_numpy().copy() for c in insole.columns}
    for channel in fsr_channels("left"):
        arrays[channel][:10_000] = 0
    with pytest.raises(SensorFaultError, match="left_fsr01_adc"):
        check_constant_stretches(arrays, 1000.0, None)
    for channel in fsr_channels("right"):
        arrays[channel][:10_000] = 0
    check_constant_stretches(arrays, 1000.0, None)
