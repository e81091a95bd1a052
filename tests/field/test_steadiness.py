"""The speed change of each stance from its neighbouring strides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import ChannelMismatchError
from grfkit.field.steadiness import speed_changes


def _meta(speed_mps, ic_s=None, foot="left", bout="medium") -> pd.DataFrame:
    n = len(speed_mps)
    return pd.DataFrame({"dataset": "overground", "participant": "OG01", "bout": bout, "foot": foot,
                         "ic_s": np.arange(n) * 0.7 if ic_s is None else ic_s, "speed_mps": speed_mps})


def test_a_ramp_is_unsteady_and_a_plateau_steady() -> None:
    change = speed_changes(_meta([3.0, 3.0, 3.0, 3.3, 3.6, 3.6, 3.6]))
    np.testing.assert_allclose(change, [0.0, 0.0, 10.0, 100 * 0.3 / 3.3, 100 * 0.3 / 3.6, 0.0, 0.0])
    assert change.name == "speed_change_pct"


def test_neighbours_are_the_same_foot_bout_and_close_in_time() -> None:
    left = _meta([3.0, 3.0], ic_s=[0.0, 0.7])
    right = _meta([4.0, 4.0], ic_s=[0.35, 1.05], foot="right")
    other_bout = _meta([5.0], ic_s=[1.4], bout="fast")
    far = _meta([3.6], ic_s=[9.0])
    meta = pd.concat([left, right, other_bout, far], ignore_index=True)
    change = speed_changes(meta)
    np.testing.assert_allclose(change.iloc[:4], 0.0)  # the other foot's and bout's speeds do not count
    assert np.isnan(change.iloc[4]) and np.isnan(change.iloc[5])  # no neighbour: unknown, not steady


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(2.0, 6.0), min_size=2, max_size=30), st.floats(0.5, 2.0))
def test_scaling_the_speeds_keeps_the_changes(speeds, factor) -> None:
    order = np.random.default_rng(len(speeds)).permutation(len(speeds))
    meta = _meta(speeds).iloc[order]  # any row order
    np.testing.assert_allclose(speed_changes(meta.assign(speed_mps=meta["speed_mps"] * factor)),
                               speed_changes(meta), rtol=1e-9)


def test_missing_column_is_named() -> None:
    with pytest.raises(ChannelMismatchError, match="speed_mps"):
        speed_changes(_meta([3.0]).drop(columns="speed_mps"))
