"""Tests of grfkit.preprocess.synchronisation (insole <-> lab clock offset and drift)."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import LengthMismatchError, SyncError
from grfkit.preprocess.config import SyncConfig
from grfkit.preprocess.synchronisation import (
    ClockSync,
    contact_onsets,
    insole_to_lab_time,
    lab_to_insole_time,
    synchronise_clocks,
)

FS = 1000.0


def saturating(force_n: np.ndarray) -> np.ndarray:
    """Saturating power-law FSR response (counts)."""
    x = (np.clip(force_n, 0, None) / 1500.0) ** 0.6
    return 4000.0 * x / (1.0 + 0.8 * x)


def _make_bout(
    contact_force_n: Callable[..., np.ndarray],
    scenario: str,
    offset_s: float,
    drift_ppm: float,
    response: str,
    seed: int,
    *,
    duration_s: float = 120.0,
    step_cv: float = 0.03,
    lab_start_s: float = 0.0,
):
    """Synthetic running bout: lab force (plates or belt) and per-foot insole loads on the insole clock.

    Step times follow a lap-long speed variation plus random step-to-step
    variability ``step_cv``.  Treadmill: every contact on the belt.
    Overground: bursts of 2-4 consecutive contacts every 8-10 s on the plates.
    The insole load is the force seen through ``response`` (``"linear"`` or
    ``"saturating"``, with heel and forefoot sensor groups), plus noise.
    """
    rng = np.random.default_rng(seed)
    steps, t = [], lab_start_s + 1.0
    while t < lab_start_s + duration_s - 1.0:
        period = 0.36 * (1 + 0.06 * np.sin(2 * np.pi * t / 9.0)) * (1 + step_cv * rng.normal())
        contact_s = 0.25 * period / 0.36 * (1 + 0.03 * rng.normal())
        steps.append((t, contact_s, rng.uniform(1500, 2500), rng.uniform(0, 900)))
        t += period
    steps = np.array(steps)
    on_plate = np.ones(len(steps), dtype=bool)
    if scenario == "overground":
        on_plate[:] = False
        t_lap = lab_start_s + rng.uniform(2, 6)
        while t_lap < lab_start_s + duration_s:
            k = np.searchsorted(steps[:, 0], t_lap)
            on_plate[k : k + rng.integers(2, 5)] = True
            t_lap += rng.uniform(8, 10)
    t_lab = lab_start_s + np.arange(int(duration_s * FS)) / FS
    force = rng.normal(0, 3.0, t_lab.size)
    for t0, tc, peak, impact in steps[on_plate]:
        w = slice(int((t0 - lab_start_s) * FS) - 1, int((t0 + tc - lab_start_s) * FS) + 2)
        force[w] += contact_force_n(t_lab[w] - t0, tc, peak, impact)
    # insole clock: sample k at t_insole = k / FS, lab time offset + t_insole * (1 + drift)
    t_ins = np.arange(int((duration_s - 0.5) * FS)) / FS
    lab_of_ins = offset_s + t_ins * (1 + drift_ppm * 1e-6)
    loads = np.zeros((t_ins.size, 2))
    for i, (t0, tc, peak, impact) in enumerate(steps):
        a, b = np.searchsorted(lab_of_ins, [t0, t0 + tc])
        if b == 0 or a >= t_ins.size:
            continue
        w = slice(max(a - 2, 0), b + 2)
        tau = lab_of_ins[w] - t0
        f = contact_force_n(tau, tc, peak, impact)
        if response == "linear":
            load = f
        else:
            progress = np.clip(tau / tc, 0, 1)
            load = saturating(f * (1 - progress)) + saturating(f * progress)
        loads[w, i % 2] += load
    loads += 50.0 + rng.normal(0, 8.0, loads.shape)
    return t_ins, loads, t_lab, force


@pytest.fixture
def make_bout(contact_force_n) -> Callable[..., tuple]:
    """:func:`_make_bout` with the preprocess tests' contact force."""
    return functools.partial(_make_bout, contact_force_n)


def clock_error_ms(sync: ClockSync, t_ins: np.ndarray, offset_s: float, drift_ppm: float) -> float:
    """Largest error of the estimated insole -> lab mapping over the recording, in ms."""
    ends = t_ins[[0, -1]]
    return 1e3 * float(np.max(np.abs(insole_to_lab_time(ends, sync) - (offset_s + ends * (1 + drift_ppm * 1e-6)))))


@pytest.mark.parametrize(
    ("scenario", "response", "per_foot"),
    [
        ("treadmill", "linear", True),
        ("treadmill", "saturating", True),
        ("treadmill", "saturating", False),
        ("overground", "linear", True),
        ("overground", "saturating", True),
        ("overground", "saturating", False),
    ],
)
def test_known_offset_and_drift_recovered_within_1ms(scenario, response, per_foot, make_bout):
    offset_s, drift_ppm = 3.217, -42.0
    t_ins, loads, t_lab, force = make_bout(scenario, offset_s, drift_ppm, response, seed=11)
    sync = synchronise_clocks(t_ins, loads if per_foot else loads.sum(axis=1), t_lab, force)
    assert clock_error_ms(sync, t_ins, offset_s, drift_ppm) <= 1.0
    assert sync.drift_ppm == pytest.approx(drift_ppm, abs=15.0)
    assert sync.peak_ratio > 1.5
    assert sync.residual_s < 1e-3
    assert sync.n_windows >= (250 if scenario == "treadmill" else 25)


def test_negative_offset_and_lab_clock_starting_late(make_bout):
    offset_s, drift_ppm = -4.6, 75.0
    t_ins, loads, t_lab, force = make_bout("overground", offset_s, drift_ppm, "saturating", seed=12, lab_start_s=-4.0)
    sync = synchronise_clocks(t_ins, loads, t_lab, force)
    assert clock_error_ms(sync, t_ins, offset_s, drift_ppm) <= 1.0


def test_perfectly_periodic_steps_are_ambiguous(make_bout, contact_force_n):
    t_ins, loads, t_lab, force = make_bout("treadmill", 2.0, 0.0, "linear", seed=13, step_cv=0.0, duration_s=40.0)
    # remove the lap-to-lap speed change as well: contacts every 0.36 s exactly
    t_lab = np.arange(int(40 * FS)) / FS
    period, tc = 0.36, 0.25
    force = np.zeros_like(t_lab)
    onsets = np.arange(1.0, 39.0, period)
    for t0 in onsets:
        force += contact_force_n(t_lab - t0, tc, 2000.0, 500.0)
    lab_of_ins = 2.0 + t_ins
    loads = np.zeros((t_ins.size, 2))
    for i, t0 in enumerate(onsets):
        loads[:, i % 2] += contact_force_n(lab_of_ins - t0, tc, 2000.0, 500.0)
    with pytest.raises(SyncError, match="ambiguous"):
        synchronise_clocks(t_ins, loads, t_lab, force)


def test_no_overlap_and_no_contacts_raise_sync_error(make_bout):
    t_ins, loads, t_lab, force = make_bout("treadmill", 1.0, 0.0, "linear", seed=14, duration_s=20.0)
    with pytest.raises(SyncError, match="no overlap"):
        synchronise_clocks(t_ins + 500.0, loads, t_lab, force)
    quiet = np.random.default_rng(0).normal(0, 3.0, t_lab.size)
    with pytest.raises(SyncError, match="no correlation peak"):
        synchronise_clocks(t_ins, loads, t_lab, quiet)
    # force from an unrelated step train: nothing lines up
    _, _, _, other = make_bout("treadmill", 1.0, 0.0, "linear", seed=15, duration_s=20.0, step_cv=0.08)
    shifted = np.roll(other, 137)
    with pytest.raises(SyncError):
        synchronise_clocks(t_ins, loads, t_lab, shifted, config=SyncConfig(max_offset_s=0.05))


def test_short_recordings_fix_the_drift_at_zero_with_a_warning(make_bout):
    t_ins, loads, t_lab, force = make_bout("treadmill", 0.8, 20.0, "saturating", seed=16, duration_s=8.0)
    with pytest.warns(UserWarning, match="drift not estimated"):
        sync = synchronise_clocks(t_ins, loads, t_lab, force)
    assert sync.drift_ppm == 0.0
    assert clock_error_ms(sync, t_ins, 0.8, 20.0) <= 1.0


def test_contact_onsets_extrapolate_to_touch_down(contact_force_n):
    t = np.arange(3000) / FS
    force = contact_force_n(t - 1.0003, 0.25, 2000.0, 0.0) + np.random.default_rng(1).normal(0, 2.0, t.size)
    onsets = contact_onsets(t, force, FS, threshold_n=20.0)
    assert onsets.shape == (1,)
    assert onsets[0] == pytest.approx(1.0003, abs=2e-4)  # the 20 N crossing alone would be 0.25 ms later
    load = saturating(contact_force_n(t - 1.0003, 0.25, 2000.0, 0.0))
    assert contact_onsets(t, np.column_stack([load, load]), FS)[0] == pytest.approx(1.0003, abs=1e-3)
    with pytest.raises(LengthMismatchError):
        contact_onsets(t[:-1], force, FS, threshold_n=20.0)


@settings(max_examples=40, deadline=None)
@given(
    offset_s=st.floats(min_value=-10.0, max_value=10.0),
    drift_ppm=st.floats(min_value=-200.0, max_value=200.0),
    t_s=st.floats(min_value=0.0, max_value=3600.0),
)
def test_property_time_mapping_round_trip(offset_s, drift_ppm, t_s):
    sync = ClockSync(offset_s, drift_ppm, 2.0, 1e-4, 10)
    lab = insole_to_lab_time(t_s, sync)
    assert isinstance(lab, float)
    assert lab_to_insole_time(lab, sync) == pytest.approx(t_s, abs=1e-9)
    array = np.array([t_s, t_s + 1.0])
    assert np.allclose(lab_to_insole_time(insole_to_lab_time(array, sync), sync), array, atol=1e-9)
    mapped = insole_to_lab_time(array, sync)
    assert mapped[1] - mapped[0] == pytest.approx(1 + drift_ppm * 1e-6)


def test_clock_sync_is_frozen():
    sync = ClockSync(1.0, 2.0, 3.0, 4.0, 5)
    with pytest.raises(AttributeError):
        sync.offset_s = 0.0  # type: ignore[misc]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert insole_to_lab_time(0.0, sync) == 1.0


def _reference_onset_correlation(lab_on, insole_on, max_offset_s, kernel_s):
    """The correlation as first written: the whole histogram convolved ("same" mode), then the searched lags."""
    resolution_s = kernel_s / 2
    reach_s = max_offset_s + 4 * kernel_s
    diffs = (lab_on[:, None] - insole_on[None, :]).ravel()
    diffs = diffs[np.abs(diffs) < reach_s]
    position = (diffs + reach_s) / resolution_s
    lower = np.floor(position).astype(np.int64)
    weight = position - lower
    n_bins = int(np.ceil(2 * reach_s / resolution_s)) + 2
    histogram = np.bincount(lower, 1.0 - weight, n_bins) + np.bincount(lower + 1, weight, n_bins)
    taps = np.exp(-0.5 * (np.arange(-8, 9) * resolution_s / kernel_s) ** 2)
    score = np.convolve(histogram, taps, mode="same") / len(lab_on)
    lag = np.arange(n_bins) * resolution_s - reach_s
    searched = np.abs(lag) <= max_offset_s
    return lag[searched], score[searched]


@pytest.mark.parametrize("max_offset_s", [30.0, 2.0, 0.05])
def test_onset_correlation_convolves_only_the_searched_lags_with_the_same_numbers(max_offset_s):
    from grfkit.preprocess._onset_alignment import onset_correlation

    rng = np.random.default_rng(11)
    insole_on = np.sort(rng.uniform(0.0, 60.0, 170))
    lab_on = np.sort(rng.choice(insole_on, 40, replace=False) + 3.21 + rng.normal(0, 0.001, 40))
    lag, score = onset_correlation(lab_on, insole_on, max_offset_s, 0.003)
    ref_lag, ref_score = _reference_onset_correlation(lab_on, insole_on, max_offset_s, 0.003)
    np.testing.assert_array_equal(lag, ref_lag)
    np.testing.assert_array_equal(score, ref_score)
