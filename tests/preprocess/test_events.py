"""Tests of grfkit.preprocess.events: 20 N contacts of a force, relative-threshold contacts of a load."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import DropoutError, LengthMismatchError, NoContactError, UnendedContactError
from grfkit.preprocess._signals import runs_above
from grfkit.preprocess.events import (
    CONTACT_COLUMNS,
    detect_contacts,
    detect_load_contacts,
    filtered_detection_shift_ms,
    unloaded_level,
)

FS = 1000.0

# --------------------------------------------------------------------------- detect_contacts


def test_detect_contacts_recovers_20n_crossings_within_a_fraction_of_a_ms(step_train, force_signal):
    onsets, params, truth = step_train(40, seed=1)
    t = np.arange(int(16.0 * FS)) / FS
    f = force_signal(t, onsets, params, noise_n=3.0, seed=2)
    c = detect_contacts(f, FS)
    assert list(c.columns) == list(CONTACT_COLUMNS)
    assert len(c) == 40 and c["complete"].all()
    err_ms = 1e3 * np.abs(c[["ic_s", "to_s"]].to_numpy() - truth)
    assert np.median(err_ms) < 0.2
    assert np.max(err_ms) < 1.0
    assert (c["peak"] > 1400).all()
    zeroed = f - unloaded_level(f)
    assert abs(unloaded_level(f)) < 0.5
    assert np.all(zeroed[c["ic_index"]] > 20) and np.all(zeroed[c["ic_index"] - 1] <= 20)
    assert np.all(zeroed[c["to_index"]] > 20) and np.all(zeroed[c["to_index"] + 1] <= 20)
    impulse_n_s = np.array([zeroed[a : b + 1].sum() / FS for a, b in zip(c["ic_index"], c["to_index"])])
    assert np.allclose(c["impulse"], impulse_n_s, rtol=1e-3)


def test_zero_offset_is_removed_before_thresholding(step_train, force_signal):
    onsets, params, truth = step_train(10, seed=21)
    t = np.arange(int(5.0 * FS)) / FS
    f = force_signal(t, onsets, params, noise_n=2.0, seed=22) + 6.0  # plate reads +6 N unloaded
    assert unloaded_level(f) == pytest.approx(6.0, abs=0.3)
    corrected = detect_contacts(f, FS)
    raw = detect_contacts(f, FS, remove_offset=False)
    assert 1e3 * np.max(np.abs(corrected["ic_s"] - truth[:, 0])) < 0.5
    assert 1e3 * np.median(raw["ic_s"] - truth[:, 0]) < -0.1  # crosses "20 N" when the foot applies 14 N


def test_20hz_filter_moves_the_crossings_outwards_by_milliseconds(step_train, force_signal):
    onsets, params, truth = step_train(30, seed=3)
    t = np.arange(int(12.0 * FS)) / FS
    f = force_signal(t, onsets, params, noise_n=3.0, seed=4)
    raw = detect_contacts(f, FS)
    filtered = detect_contacts(f, FS, detection_cutoff_hz=20.0)
    ic_shift_ms = 1e3 * (filtered["ic_s"] - truth[:, 0])
    to_shift_ms = 1e3 * (filtered["to_s"] - truth[:, 1])
    assert np.median(ic_shift_ms) < -3.0 and np.median(to_shift_ms) > 3.0
    assert 1e3 * np.median(np.abs(raw["ic_s"] - truth[:, 0])) < 0.2
    high = detect_contacts(f, FS, detection_cutoff_hz=150.0)
    assert 1e3 * np.median(np.abs(high["ic_s"] - truth[:, 0])) < 0.5


def test_filtered_detection_shift_pairs_contacts_by_nearest_ic(step_train, force_signal):
    onsets, params, truth = step_train(30, seed=3)
    t = np.arange(int(12.0 * FS)) / FS
    f = force_signal(t, onsets, params, noise_n=3.0, seed=4)
    shift = filtered_detection_shift_ms(f, FS, time_s=t)
    raw = detect_contacts(f, FS, time_s=t)
    filtered = detect_contacts(f, FS, time_s=t, detection_cutoff_hz=20.0)
    assert list(shift.columns) == ["ic_shift_ms", "to_shift_ms"] and len(shift) == len(raw) == 30
    expected_ms = 1e3 * (filtered[["ic_s", "to_s"]].to_numpy() - raw[["ic_s", "to_s"]].to_numpy())
    assert np.allclose(shift.to_numpy(), expected_ms)
    assert (shift["ic_shift_ms"] < 0).all() and (shift["to_shift_ms"] > 0).all()
    none_near = filtered_detection_shift_ms(f, FS, time_s=t, max_ic_distance_s=1e-6)
    assert none_near.empty


def test_filtered_detection_shift_leaves_out_contacts_cut_by_the_recording(contact_force_n):
    t = np.arange(2000) / FS
    f = sum(contact_force_n(t - start, 0.25, 2000.0) for start in (-0.1, 0.6, 1.2))
    shift = filtered_detection_shift_ms(f, FS)
    assert len(shift) == 2 and np.isfinite(shift.to_numpy()).all()


def test_time_axis_from_start_or_array(contact_force_n):
    f = np.zeros(1000)
    f[100:350] = contact_force_n(np.arange(250) / FS + 0.0005, 0.25, 1800.0)
    a = detect_contacts(f, FS, start_s=10.0)
    b = detect_contacts(f, FS, time_s=10.0 + np.arange(1000) / FS)
    assert np.allclose(a[["ic_s", "to_s"]], b[["ic_s", "to_s"]])
    assert 10.1 < a["ic_s"].iat[0] < 10.101
    with pytest.raises(LengthMismatchError):
        detect_contacts(f, FS, time_s=np.arange(999) / FS)


def test_contacts_cut_by_the_recording_are_incomplete_with_nan_times(contact_force_n):
    t = np.arange(2000) / FS
    f = sum(contact_force_n(t - start, 0.25, 2000.0) for start in (-0.1, 0.6, 1.85))
    c = detect_contacts(f, FS)
    assert c["complete"].tolist() == [False, True, False]
    assert np.isnan(c["ic_s"].iat[0]) and np.isfinite(c["to_s"].iat[0])
    assert np.isfinite(c["ic_s"].iat[2]) and np.isnan(c["to_s"].iat[2])
    assert c["ic_index"].iat[0] == 0 and c["to_index"].iat[2] == 1999


def test_debouncing_merges_chatter_and_drops_spikes(contact_force_n):
    t = np.arange(3000) / FS
    f = contact_force_n(t - 0.5, 0.25, 2000.0)
    assert detect_contacts(f, FS)["to_index"].iat[0] == 749
    f[750:753] = 15.0  # chatter around the threshold just after toe-off
    f[753:756] = 25.0
    f[2000:2005] = 300.0  # 5 ms spike: not a contact
    c = detect_contacts(f, FS)
    assert len(c) == 1
    assert c["to_index"].iat[0] == 755  # chatter merged into the contact
    assert detect_contacts(f, FS, min_flight_s=0.0)["to_index"].tolist() == [749]  # chatter alone is too short
    assert len(detect_contacts(f, FS, min_flight_s=0.0, min_contact_s=0.001)) == 3


def test_no_contact_and_unended_contact_errors_name_the_channel():
    rng = np.random.default_rng(5)
    with pytest.raises(NoContactError, match="plate3_fz_n"):
        detect_contacts(rng.normal(0, 3, 5000), FS, channel="plate3_fz_n")
    spikes = np.zeros(5000)
    spikes[100:103] = 500.0
    with pytest.raises(NoContactError, match="shorter"):
        detect_contacts(spikes, FS)
    with pytest.raises(UnendedContactError, match="plate1_fz_n"):
        detect_contacts(np.full(5000, 750.0), FS, channel="plate1_fz_n")  # stuck above threshold
    long = np.zeros(5000)
    long[1000:2600] = 700.0  # 1.6 s "contact"
    with pytest.raises(UnendedContactError, match="for 1.60"):
        detect_contacts(long, FS)


def test_nan_force_raises_dropout():
    f = np.zeros(100)
    f[5] = np.nan
    with pytest.raises(DropoutError, match="belt_fz_n"):
        detect_contacts(f, FS, channel="belt_fz_n")


@settings(max_examples=25, deadline=None)
@given(
    starts=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6),
    durations=st.lists(st.integers(min_value=60, max_value=300), min_size=6, max_size=6),
)
def test_property_rectangular_contacts_are_found_exactly(starts, durations):
    """Well separated rectangular contacts give one row each, crossings halfway between samples."""
    f = np.zeros(4000)
    position = 10
    expected = []
    for gap, width in zip(starts, durations):
        position += 60 + gap
        f[position : position + width] = 1000.0
        expected.append((position, position + width - 1))
        position += width
    c = detect_contacts(f, FS)
    assert list(zip(c["ic_index"], c["to_index"])) == expected
    assert np.allclose(c["ic_s"], (np.array(expected)[:, 0] - 1 + 20 / 1000) / FS)
    assert np.allclose(c["to_s"], (np.array(expected)[:, 1] + 980 / 1000) / FS)


# --------------------------------------------------------------------------- detect_load_contacts


def test_detect_load_contacts_on_a_saturating_insole_signal(step_train, force_signal, fsr_load):
    onsets, params, truth = step_train(30, seed=6)
    t = np.arange(int(12.0 * FS)) / FS
    load = fsr_load(force_signal(t, onsets, params, 0.0, 0), seed=7)
    c = detect_load_contacts(load, FS, time_s=t, channel="left")
    assert len(c) == 30 and c["complete"].all()
    # a concave sensor response crosses a low relative threshold close to the force onset
    assert np.all(np.abs(c["ic_s"] - truth[:, 0]) < 0.003)
    with pytest.raises(NoContactError, match="flat"):
        detect_load_contacts(np.full(1000, 60.0), FS)


# --------------------------------------------------------------------------- reductions over contacts


def test_contact_reductions_over_the_contacts_samples_only(step_train, force_signal):
    """Peaks and impulses from the contacts' samples alone equal reductions over the whole signal."""
    onsets, params, _ = step_train(30, seed=9)
    t = np.arange(int((onsets[-1] + 1.0) * 1000)) / 1000.0
    f = force_signal(t, onsets, params, 3.0, seed=9)
    found = detect_contacts(f, 1000.0, time_s=t)
    x = f - unloaded_level(f)
    bounds = np.column_stack([found["ic_index"], found["to_index"] + 1]).ravel()
    np.testing.assert_array_equal(found["peak"], np.maximum.reduceat(np.r_[x, -np.inf], bounds)[::2])
    period_s = float(np.median(np.diff(t)))
    np.testing.assert_array_equal(found["impulse"], np.add.reduceat(np.r_[x, 0.0], bounds)[::2] * period_s)
    # runs above a threshold, as the sign changes of a difference give them
    above = x > 20.0
    edges = np.diff(np.r_[0, above.astype(np.int8), 0])
    starts, ends = runs_above(x, 20.0)
    np.testing.assert_array_equal(starts, np.flatnonzero(edges == 1))
    np.testing.assert_array_equal(ends, np.flatnonzero(edges == -1) - 1)
    assert [len(r) for r in runs_above(np.zeros(10), 20.0)] == [0, 0]
    assert [r.tolist() for r in runs_above(np.full(4, 50.0), 20.0)] == [[0], [3]]

