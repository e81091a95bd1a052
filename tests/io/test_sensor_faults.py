"""Tests of grfkit.io.sensor_faults: stuck and saturated FSR channels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grfkit.errors import SensorFaultError
from grfkit.io.schema import RawBout
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
