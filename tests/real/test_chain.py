"""Tests of the shared real-data chain: time normalisation, filtered stance curves, force stance sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.constants import N_POINTS
from grfkit.errors import DropoutError, EventRangeError
from grfkit.io.stances import STANCE_META_COLUMNS
from grfkit.real.chain import (
    GRF_CHANNELS,
    force_stance_curves,
    force_stance_dataset,
    skip_reasons,
    stance_counts,
    stance_events,
)


def _meta(n: int, **extra) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dataset": "x",
            "participant": [f"p{i % 2}" for i in range(n)],
            "bout": "b",
            "foot": ["left", "right"] * (n // 2) + ["left"] * (n % 2),
            "plate": "belt",
            "ic_s": np.arange(n, dtype=float),
            "to_s": np.arange(n) + 0.25,
            "contact_time_s": 0.25,
            "speed_mps": 3.0,
            "gradient_deg": 0.0,
            "body_mass_kg": 70.0,
            **extra,
        }
    )


def test_stance_events_table() -> None:
    events = stance_events([0.5, 1.0], np.array([0.75, 1.5]))
    assert list(events.columns) == ["ic_s", "to_s"] and events["to_s"].tolist() == [0.75, 1.5]


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 5.0), st.floats(0.05, 0.5), st.floats(-10.0, 10.0))
def test_force_stance_curves_are_exact_for_constant_force(ic, duration, level) -> None:
    t = np.arange(0.0, 6.0, 1 / 960)
    force = np.full((t.size, 3), level)
    out = force_stance_curves(force, t, 960.0, [ic], [ic + duration])
    assert out.shape == (1, N_POINTS, 3)
    np.testing.assert_allclose(out, level, atol=1e-9)


def test_force_stance_curves_reject_stances_outside_the_recording() -> None:
    t = np.linspace(0, 2, 201)
    with pytest.raises(EventRangeError):
        force_stance_curves(np.ones((201, 1)), t, 100.0, [1.5], [2.5])
    with pytest.raises(EventRangeError):
        force_stance_curves(np.ones((201, 1)), t, 100.0, [0.5], [0.4])


def test_force_stance_curves_keep_a_constant_and_smooth_a_step() -> None:
    rate = 1000.0
    t = np.arange(2000) / rate
    constant = np.full((t.size, 3), 700.0)
    out = force_stance_curves(constant, t, rate, [0.5], [0.8])
    np.testing.assert_allclose(out, 700.0)
    step = np.where(t >= 1.0, 1000.0, 0.0)[:, None]
    smoothed = force_stance_curves(step, t, rate, [0.95], [1.05])[0, :, 0]
    assert 0 < smoothed[50] < 1000 and smoothed[0] < 100 and smoothed[-1] > 900


def test_force_stance_curves_need_a_continuous_force() -> None:
    t = np.arange(100) / 100.0
    force = np.ones((100, 1))
    force[10] = np.nan
    with pytest.raises(DropoutError):
        force_stance_curves(force, t, 100.0, [0.2], [0.4])


def test_force_stance_dataset_adds_missing_meta_columns_and_has_no_inputs() -> None:
    curves = np.ones((3, N_POINTS, 3))
    ds = force_stance_dataset(_meta(3), curves)
    assert ds.input_channels == () and ds.inputs.shape == (3, N_POINTS, 0)
    assert ds.target_channels == GRF_CHANNELS
    assert set(STANCE_META_COLUMNS) <= set(ds.meta.columns)
    assert ds.meta["insole_length_m"].isna().all()
    assert len(ds.skipped) == 0


def test_stance_counts_adds_accepted_and_rejected() -> None:
    skipped = pd.DataFrame(
        {"dataset": ["x", "x"], "participant": ["p0", "p0"], "bout": ["b", "b"], "foot": ["left", "left"],
         "plate": ["belt", "belt"], "ic_s": [9.0, 10.0], "reason": ["cut", "cut"]}
    )
    ds = force_stance_dataset(_meta(4), np.ones((4, N_POINTS, 3)), skipped)
    counts = stance_counts(ds, by=("dataset", "foot")).set_index("foot")
    assert counts.loc["left", "accepted"] == 2 and counts.loc["left", "rejected"] == 2
    assert counts.loc["right", "rejected"] == 0 and counts.loc["right", "accepted_share"] == 1.0
    assert counts.loc["left", "accepted_share"] == pytest.approx(0.5)


def test_skip_reasons_counts_per_data_set_and_reason() -> None:
    skipped = pd.DataFrame(
        {"dataset": ["x", "x", "x"], "participant": "p0", "bout": "b", "foot": "left", "plate": "belt",
         "ic_s": [1.0, 2.0, 3.0], "reason": ["cut", "cut", "straddle"]}
    )
    with_skips = force_stance_dataset(_meta(2), np.ones((2, N_POINTS, 3)), skipped)
    without = force_stance_dataset(_meta(2), np.ones((2, N_POINTS, 3)))
    table = skip_reasons([with_skips, without]).set_index("reason")
    assert table.loc["cut", "stances"] == 2 and table.loc["straddle", "stances"] == 1
    assert len(skip_reasons([without])) == 0
