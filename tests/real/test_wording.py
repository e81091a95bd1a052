"""Tests of grfkit.real.wording: the real-data comparison's numbers in words."""

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from grfkit.real.wording import peak_difference_text, range_text


@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=20), st.integers(0, 3))
def test_range_text_is_min_then_max(values: list[float], digits: int) -> None:
    low, high = range_text(pd.Series(values), digits).split("–")
    assert low == f"{min(values):.{digits}f}" and high == f"{max(values):.{digits}f}"


def test_range_text_scales_and_skips_nan() -> None:
    assert range_text(pd.Series([0.031, np.nan, 0.2]), 0, scale=100) == "3–20"


def test_peak_difference_text_per_simulated_comparison() -> None:
    table = pd.DataFrame({
        "comparison": ["treadmill 2.5 m/s", "treadmill 2.5 m/s", "treadmill 5 m/s", "sprint"],
        "feature": ["peak_vgrf_bw", "contact_time_s", "peak_vgrf_bw", "peak_vgrf_bw"],
        "z": [0.4, 1.0, -2.0, np.nan],
        "simulated_mean": [2.6, 0.25, 2.7, 3.0],
        "real_mean": [2.5, 0.26, 3.0, 3.1],
    })
    assert peak_difference_text(table) == "+4 % at 2.5 m/s; -10 % at 5 m/s"
