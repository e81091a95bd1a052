"""Tests of grfkit.io.sensor_faults: stuck and saturated FSR channels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grfkit.errors import SensorFaultError
from grfkit.io.schema import RawBout
from grfkit.io.validate import ValidationLimits, validate_bout


def test_fsr_stuck_at_zero(
    tmp_path: Path,
    good_bout: RawBout,
    with_table: Any,
    set_values: Any,
    read_error: Any,
    names: Any,
) -> None:
    bout = with_table(good_bout, "insole", set_values("right_fsr12_adc", slice(None), 0.0))
    message = read_error(tmp_path, bout, SensorFaultError)
    assert "stuck" in message
    assert names(message, tmp_path / "overground/007/medium/insole.parquet", "right_fsr12_adc")


def test_fsr_saturated(
    tmp_path: Path,
    good_bout: RawBout,
    with_table: Any,
    set_values: Any,
    read_error: Any,
    names: Any,
) -> None:
    bout = with_table(good_bout, "insole", set_values("left_fsr02_adc", slice(0, 2400), 4095.0))
    message = read_error(tmp_path, bout, SensorFaultError)
    assert "saturated" in message and "80.0%" in message
    assert names(message, tmp_path / "overground/007/medium/insole.parquet", "left_fsr02_adc")
    validate_bout(bout, limits=ValidationLimits(max_saturated_fraction=0.9))  # the threshold is a parameter


def test_validate_without_source_names_the_channel(good_bout: RawBout, with_table: Any, set_values: Any) -> None:
    bout = with_table(good_bout, "insole", set_values("left_fsr16_adc", slice(None), 7.0))
    with pytest.raises(SensorFaultError, match="left_fsr16_adc"):
        validate_bout(bout)
