"""Tests of grfkit.preprocess.config: one frozen config per step, the study's defaults."""

import dataclasses

import pytest

from grfkit.constants import CONTACT_THRESHOLD_N, FORCE_CUTOFF_HZ, N_POINTS
from grfkit.preprocess.config import PreprocessConfig, SpeedConfig


def test_the_defaults_are_the_studys() -> None:
    config = PreprocessConfig()
    assert config.contacts.threshold_n == config.sync.threshold_n == CONTACT_THRESHOLD_N == 20.0
    assert config.filter.cutoff_hz == FORCE_CUTOFF_HZ == 20.0 and config.filter.order == 2
    assert config.segment.n_points == N_POINTS == 101
    assert config.contacts.detection_cutoff_hz is None  # events on the raw force: see chapter 2
    assert config.foot == "left" and config.sampling_rate_hz == 1000.0


def test_configs_are_frozen_and_compare_by_value() -> None:
    config = PreprocessConfig(speed=SpeedConfig(window_s=0.4))
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.speed.window_s = 0.3  # type: ignore[misc]
    assert config == PreprocessConfig(speed=SpeedConfig(window_s=0.4)) != PreprocessConfig()
    assert dataclasses.asdict(config)["speed"]["window_s"] == 0.4  # JSON-ready for the cache key
