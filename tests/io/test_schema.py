"""Tests of grfkit.io.schema: bout folders and required channels."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from grfkit.errors import RawDataError
from grfkit.io.channels import (
    IMU_CHANNELS,
    MARKER_CHANNELS,
    fsr_channels,
    plate_channels,
)
from grfkit.io.schema import RawBout, bout_path, required_channels


def test_bout_path_and_required_channels(good_bout: RawBout) -> None:
    assert bout_path("raw", "treadmill", "TM01", "fast") == Path("raw/treadmill/TM01/fast")
    for bad in ("", "..", "a/b", " x"):
        with pytest.raises(RawDataError, match="participant"):
            bout_path("raw", "overground", bad, "fast")
    channels = required_channels(good_bout.info)
    assert channels["insole"] == ["time_s", *fsr_channels("left"), *fsr_channels("right")]
    assert channels["imu"] == ["time_s", *IMU_CHANNELS]
    assert channels["force"] == ["time_s", *plate_channels("plate1"), *plate_channels("plate2")]
    assert channels["marker"] == ["time_s", *MARKER_CHANNELS]
    assert "marker" not in required_channels(dataclasses.replace(good_bout.info, marker_rate_hz=None))
