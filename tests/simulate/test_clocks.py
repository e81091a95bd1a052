"""Tests of the insole clock model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.simulate.clocks import (
    ClockModel,
    InsoleClock,
    insole_to_lab,
    lab_to_insole,
    sample_clock,
)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 500.0), st.floats(-10.0, 10.0), st.floats(-100.0, 100.0))
def test_clock_round_trip(t: float, offset: float, drift: float) -> None:
    assert lab_to_insole(insole_to_lab(t, offset, drift), offset, drift) == pytest.approx(t, abs=1e-9)


def test_drift_stretches_insole_time() -> None:
    # 50 ppm: after 100 insole seconds the lab clock has run 5 ms more.
    assert float(insole_to_lab(100.0, 0.0, 50.0)) == pytest.approx(100.005)
    assert float(insole_to_lab(0.0, 2.5, 50.0)) == 2.5


def test_sample_clock_within_model_ranges() -> None:
    model = ClockModel(max_offset_s=2.0, max_drift_ppm=30.0)
    rng = np.random.default_rng(0)
    clocks = [sample_clock(rng, model) for _ in range(200)]
    offsets = np.array([c.clock_offset_s for c in clocks])
    drifts = np.array([c.clock_drift_ppm for c in clocks])
    assert np.all(np.abs(offsets) <= 2.0) and np.all(np.abs(drifts) <= 30.0)
    assert offsets.std() > 0.5 and drifts.std() > 5


def test_insole_clock_methods_use_its_parameters() -> None:
    clock = InsoleClock(clock_offset_s=-1.0, clock_drift_ppm=20.0)
    t = np.array([0.0, 10.0])
    np.testing.assert_allclose(clock.to_lab(t), insole_to_lab(t, -1.0, 20.0))
    np.testing.assert_allclose(clock.to_insole(clock.to_lab(t)), t)
