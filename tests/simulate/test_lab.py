"""Tests of grfkit.simulate.lab: the overground lab's plates and loop."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from grfkit.simulate.lab import LabLayout

LAYOUT = LabLayout()


def test_plates_are_four_in_a_row_with_gaps() -> None:
    plates = LAYOUT.plates()
    assert [p.name for p in plates] == ["plate1", "plate2", "plate3", "plate4"]
    for p in plates:
        assert p.x_max_m - p.x_min_m == pytest.approx(0.6) and p.y_max_m - p.y_min_m == pytest.approx(0.4)
    gaps = [b.x_min_m - a.x_max_m for a, b in itertools.pairwise(plates)]
    assert gaps == pytest.approx([0.005] * 3)
    assert (plates[0].x_min_m + plates[-1].x_max_m) / 2 == pytest.approx(0.0)


def test_loop_is_continuous_and_crosses_the_plates_in_plus_x() -> None:
    s = np.linspace(0, LAYOUT.loop_length_m, 20001)
    x, y, heading = LAYOUT.position(s)
    steps = np.hypot(np.diff(x), np.diff(y))
    assert steps.max() == pytest.approx(s[1] - s[0], rel=1e-6)
    on_plates = (np.abs(x) < 1.3) & (np.abs(y) < 0.2)
    assert np.all(heading[on_plates] == 0.0)
    assert LAYOUT.turn_distance_m(np.array([0.0, LAYOUT.straight_length_m / 2]))[1] == pytest.approx(
        LAYOUT.straight_length_m / 2
    )
