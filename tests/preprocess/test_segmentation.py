"""Tests of grfkit.preprocess.segmentation (cutting at events, time normalisation to 101 points)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.constants import N_POINTS
from grfkit.errors import (
    EventRangeError,
    LengthMismatchError,
    MissingChannelError,
    TimestampError,
)
from grfkit.preprocess.segmentation import (
    events_outside,
    segment,
    segment_rows,
    segment_stances,
    time_normalise,
)
from grfkit.preprocess.skip_reasons import REASON_OUTSIDE_SIGNAL

FS = 1000.0


def test_segment_starts_and_ends_at_the_events_not_the_samples():
    t = 5.0 + np.arange(1000) / FS
    x = np.column_stack([np.sin(t), 3.0 * t])
    st_, sv = segment(t, x, 5.1234, 5.3987)
    assert st_[0] == 5.1234 and st_[-1] == 5.3987
    assert np.all(np.diff(st_) > 0)
    assert np.allclose(sv[[0, -1], 1], [3.0 * 5.1234, 3.0 * 5.3987])
    assert len(st_) == 2 + np.count_nonzero((t > 5.1234) & (t < 5.3987))
    assert sv.shape == (len(st_), 2)


def test_time_normalise_shape_and_endpoints():
    t = np.arange(300) / FS
    x = np.column_stack([t**2, np.cos(20 * t)])
    st_, sv = segment(t, x, 0.0123, 0.2611)
    out = time_normalise(st_, sv)
    assert out.shape == (N_POINTS, 2)
    assert np.allclose(out[0], [np.interp(0.0123, t, x[:, 0]), np.interp(0.0123, t, x[:, 1])])
    assert np.allclose(out[-1], [np.interp(0.2611, t, x[:, 0]), np.interp(0.2611, t, x[:, 1])])
    assert time_normalise(st_, sv[:, 0]).shape == (N_POINTS,)


def test_segment_stances_matches_segment_then_normalise():
    rng = np.random.default_rng(4)
    t = 100.0 + np.arange(5000) / FS
    x = rng.normal(size=(t.size, 3)).cumsum(axis=0)
    ic = np.sort(rng.uniform(100.1, 104.4, 12))
    events = pd.DataFrame({"ic_s": ic, "to_s": ic + rng.uniform(0.18, 0.32, 12)})
    out = segment_stances(t, x, events)
    assert out.shape == (12, N_POINTS, 3)
    for k, (a, b) in enumerate(zip(events["ic_s"], events["to_s"])):
        assert np.allclose(out[k], time_normalise(*segment(t, x, a, b)), atol=1e-9)
    assert segment_stances(t, x[:, 0], events).shape == (12, N_POINTS, 1)
    assert segment_stances(t, x, events.iloc[:0]).shape == (0, N_POINTS, 3)


def test_events_outside_the_signal():
    t = np.arange(1000) / FS
    events = pd.DataFrame(
        {"ic_s": [-0.01, 0.2, 0.8, 0.5, np.nan], "to_s": [0.2, 0.45, 1.2, 0.4, 0.3]}, index=[3, 4, 5, 6, 7]
    )
    reasons = events_outside(t, events)
    outside = REASON_OUTSIDE_SIGNAL
    assert reasons.tolist() == [outside, "", outside, outside, outside]
    assert reasons.index.tolist() == [3, 4, 5, 6, 7]
    with pytest.raises(EventRangeError, match="outside the signal's time range"):
        segment_stances(t, t, events.iloc[:2], name="insole")
    with pytest.raises(EventRangeError, match="ic_s < to_s, got 0.5 and 0.4$"):  # plain numbers, no np.float64
        segment(t, t, np.float64(0.5), np.float64(0.4))
    with pytest.raises(EventRangeError, match="imu"):
        segment(t, t, 0.9, 1.5, name="imu")
    # the whole recording, exactly from first to last sample, is allowed
    assert segment_stances(t, t, pd.DataFrame({"ic_s": [0.0], "to_s": [t[-1]]}))[0, [0, -1], 0].tolist() == [0.0, t[-1]]


def test_input_errors():
    t = np.arange(100) / FS
    with pytest.raises(LengthMismatchError, match="left_fsr01_adc"):
        segment(t, np.zeros(99), 0.01, 0.05, name="left_fsr01_adc")
    with pytest.raises(LengthMismatchError):
        time_normalise(t, np.zeros((98, 2)))
    with pytest.raises(TimestampError):
        segment(t[::-1], t, 0.01, 0.05)
    with pytest.raises(MissingChannelError, match="to_s"):
        segment_stances(t, t, pd.DataFrame({"ic_s": [0.01]}))


@settings(max_examples=40, deadline=None)
@given(
    slope=st.floats(min_value=-1e3, max_value=1e3),
    intercept=st.floats(min_value=-1e3, max_value=1e3),
    ic_frac=st.floats(min_value=0.0, max_value=0.45),
    duration_frac=st.floats(min_value=0.05, max_value=0.5),
    n_points=st.integers(min_value=2, max_value=151),
    jitter_seed=st.integers(min_value=0, max_value=10_000),
)
def test_property_linear_functions_become_linear_ramps(slope, intercept, ic_frac, duration_frac, n_points, jitter_seed):
    rng = np.random.default_rng(jitter_seed)
    t = np.cumsum(rng.uniform(0.5e-3, 1.5e-3, 600))  # irregular but increasing timestamps
    x = intercept + slope * t
    ic = t[0] + ic_frac * (t[-1] - t[0])
    to = ic + duration_frac * (t[-1] - t[0])
    out = time_normalise(*segment(t, x, ic, to), n_points=n_points)
    expected = np.linspace(intercept + slope * ic, intercept + slope * to, n_points)
    scale = 1e-9 * (abs(intercept) + abs(slope) + 1.0)
    assert out.shape == (n_points,)
    assert np.allclose(out, expected, atol=scale)
    assert out[0] == pytest.approx(np.interp(ic, t, x), abs=scale)
    assert out[-1] == pytest.approx(np.interp(to, t, x), abs=scale)
    stacked = segment_stances(t, np.column_stack([x, -x]), pd.DataFrame({"ic_s": [ic], "to_s": [to]}), n_points)
    assert stacked.shape == (1, n_points, 2)
    assert np.allclose(stacked[0, :, 0], out, atol=scale) and np.allclose(stacked[0, :, 1], -out, atol=scale)


def test_segment_rows_are_all_segment_stances_reads():
    rng = np.random.default_rng(7)
    t = 2.0 + np.arange(20_000) / FS
    x = np.column_stack([np.sin(3 * t), np.cos(7 * t), t**2]) + rng.normal(0, 0.1, (len(t), 3))
    ic = np.sort(rng.uniform(t[0], t[-1] - 0.4, 15))
    events = pd.DataFrame({"ic_s": ic, "to_s": ic + rng.uniform(0.15, 0.35, 15)})
    rows = segment_rows(t, events)
    assert rows.dtype == np.int64 and np.all(np.diff(rows) > 0)
    assert len(rows) < 0.3 * len(t)
    only_rows = np.full_like(x, np.nan)  # anything outside the rows would poison the result
    only_rows[rows] = x[rows]
    np.testing.assert_array_equal(segment_stances(t, only_rows, events), segment_stances(t, x, events))
    # the stance edges are included: the samples around each event
    for a, b in zip(events["ic_s"], events["to_s"], strict=True):
        assert np.searchsorted(t, a) - 1 in rows and np.searchsorted(t, b) in rows
    assert len(segment_rows(t, events.iloc[:0])) == 0
    with pytest.raises(EventRangeError):
        segment_rows(t, pd.DataFrame({"ic_s": [1.0], "to_s": [2.5]}))
    with pytest.raises(MissingChannelError):
        segment_rows(t, pd.DataFrame({"ic_s": [2.5]}))


def test_segmenting_a_signal_known_only_at_its_rows():
    rng = np.random.default_rng(8)
    t = np.arange(5000) / FS
    x = rng.normal(size=(len(t), 4))
    ic = np.array([0.5, 1.7, 3.2])
    to = ic + 0.25
    events = {"ic_s": ic, "to_s": to}
    rows = segment_rows(t, events)
    np.testing.assert_array_equal(segment_stances(t, x[rows], events, rows=rows), segment_stances(t, x, events))
    np.testing.assert_array_equal(segment_stances(t, x[rows, 0], events, rows=rows),
                                  segment_stances(t, x[:, 0], events))
    none = {"ic_s": ic[:0], "to_s": to[:0]}
    assert segment_stances(t, x[:0], none, rows=rows[:0]).shape == (0, N_POINTS, 4)
    with pytest.raises(LengthMismatchError):
        segment_stances(t, x[rows[:-1]], events, rows=rows)
