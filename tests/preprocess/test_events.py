"""Tests of contact events (grfkit.preprocess.events), insole contacts and clean plate contacts.

The insole and plate contact modules share this file's synthetic step trains and runway.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from grfkit.errors import (
    ConfigError,
    DropoutError,
    LengthMismatchError,
    MissingChannelError,
    NoContactError,
    UnendedContactError,
)
from grfkit.io.channels import fsr_channels, plate_channels
from grfkit.io.schema import Plate
from grfkit.preprocess._signals import runs_above
from grfkit.preprocess.events import (
    CONTACT_COLUMNS,
    detect_contacts,
    detect_load_contacts,
    unloaded_level,
)
from grfkit.preprocess.insole_contacts import detect_insole_contacts, insole_loads
from grfkit.preprocess.plate_contacts import (
    INSOLE_WIDTH_TO_LENGTH,
    PLATE_CONTACT_COLUMNS,
    classify_plate_contacts,
    foot_outline,
    outline_margin_m,
)
from grfkit.preprocess.skip_reasons import REASON_FOOT_EDGE

FS = 1000.0


def contact_force_n(
    tau_s: np.ndarray, duration_s: float, peak_n: float, impact_n: float = 600.0, impact_s: float = 0.045
) -> np.ndarray:
    """Vertical force of one running contact starting at tau=0: half-sine plus a smooth impact peak."""
    inside = (tau_s > 0) & (tau_s < duration_s)
    active = np.where(inside, peak_n * np.sin(np.pi * np.clip(tau_s, 0, duration_s) / duration_s), 0.0)
    early = (tau_s > 0) & (tau_s < impact_s)
    impact = np.where(early, impact_n * np.sin(np.pi * np.clip(tau_s, 0, impact_s) / impact_s) ** 2, 0.0)
    return active + impact


def crossings_20n(start_s: float, duration_s: float, peak_n: float, impact_n: float) -> tuple[float, float]:
    """20 N crossings of the noise-free continuous force (the ground-truth event definition)."""

    def g(x: float) -> float:
        return contact_force_n(np.array([x - start_s]), duration_s, peak_n, impact_n)[0] - 20.0

    end_s = start_s + duration_s
    return brentq(g, start_s + 1e-9, start_s + 0.03), brentq(g, end_s - 0.03, end_s - 1e-9)


def step_train(n_steps: int, seed: int, t_first_s: float = 0.3):
    """Contacts with realistic variability; returns onsets, parameters and the 20 N truth."""
    rng = np.random.default_rng(seed)
    onsets = t_first_s + np.cumsum(rng.uniform(0.32, 0.40, n_steps)) - 0.32
    params = [(rng.uniform(0.2, 0.3), rng.uniform(1500, 2500), rng.uniform(0, 900)) for _ in onsets]
    truth = np.array([crossings_20n(t0, *p) for t0, p in zip(onsets, params)])
    return onsets, params, truth


def force_signal(t: np.ndarray, onsets, params, noise_n: float, seed: int) -> np.ndarray:
    f = np.zeros_like(t)
    for t0, p in zip(onsets, params):
        f += contact_force_n(t - t0, *p)
    return f + np.random.default_rng(seed).normal(0.0, noise_n, t.size)


# --------------------------------------------------------------------------- detect_contacts


def test_detect_contacts_recovers_20n_crossings_within_a_fraction_of_a_ms():
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


def test_zero_offset_is_removed_before_thresholding():
    onsets, params, truth = step_train(10, seed=21)
    t = np.arange(int(5.0 * FS)) / FS
    f = force_signal(t, onsets, params, noise_n=2.0, seed=22) + 6.0  # plate reads +6 N unloaded
    assert unloaded_level(f) == pytest.approx(6.0, abs=0.3)
    corrected = detect_contacts(f, FS)
    raw = detect_contacts(f, FS, remove_offset=False)
    assert 1e3 * np.max(np.abs(corrected["ic_s"] - truth[:, 0])) < 0.5
    assert 1e3 * np.median(raw["ic_s"] - truth[:, 0]) < -0.1  # crosses "20 N" when the foot applies 14 N


def test_20hz_filter_moves_the_crossings_outwards_by_milliseconds():
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


def test_time_axis_from_start_or_array():
    f = np.zeros(1000)
    f[100:350] = contact_force_n(np.arange(250) / FS + 0.0005, 0.25, 1800.0)
    a = detect_contacts(f, FS, start_s=10.0)
    b = detect_contacts(f, FS, time_s=10.0 + np.arange(1000) / FS)
    assert np.allclose(a[["ic_s", "to_s"]], b[["ic_s", "to_s"]])
    assert 10.1 < a["ic_s"].iat[0] < 10.101
    with pytest.raises(LengthMismatchError):
        detect_contacts(f, FS, time_s=np.arange(999) / FS)


def test_contacts_cut_by_the_recording_are_incomplete_with_nan_times():
    t = np.arange(2000) / FS
    f = sum(contact_force_n(t - start, 0.25, 2000.0) for start in (-0.1, 0.6, 1.85))
    c = detect_contacts(f, FS)
    assert c["complete"].tolist() == [False, True, False]
    assert np.isnan(c["ic_s"].iat[0]) and np.isfinite(c["to_s"].iat[0])
    assert np.isfinite(c["ic_s"].iat[2]) and np.isnan(c["to_s"].iat[2])
    assert c["ic_index"].iat[0] == 0 and c["to_index"].iat[2] == 1999


def test_debouncing_merges_chatter_and_drops_spikes():
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


# --------------------------------------------------------------------------- insole contacts


def fsr_load(force_n: np.ndarray, seed: int) -> np.ndarray:
    """Saturating, power-law FSR response (arbitrary counts) with an offset and noise."""
    rng = np.random.default_rng(seed)
    x = np.clip(force_n, 0, None) / 2000.0
    return 60.0 + 4000.0 * x**0.6 / (1 + 0.5 * x**0.6) + rng.normal(0, 8.0, force_n.size)


def test_detect_load_contacts_on_a_saturating_insole_signal():
    onsets, params, truth = step_train(30, seed=6)
    t = np.arange(int(12.0 * FS)) / FS
    load = fsr_load(force_signal(t, onsets, params, 0.0, 0), seed=7)
    c = detect_load_contacts(load, FS, time_s=t, channel="left")
    assert len(c) == 30 and c["complete"].all()
    # a concave sensor response crosses a low relative threshold close to the force onset
    assert np.all(np.abs(c["ic_s"] - truth[:, 0]) < 0.003)
    with pytest.raises(NoContactError, match="flat"):
        detect_load_contacts(np.full(1000, 60.0), FS)


def test_detect_insole_contacts_per_foot():
    t = np.arange(int(8.0 * FS)) / FS
    onsets, params, _ = step_train(20, seed=8)
    columns = {"time_s": 100.0 + t}
    for foot, own in (("left", slice(0, None, 2)), ("right", slice(1, None, 2))):
        load = fsr_load(force_signal(t, onsets[own], params[own], 0.0, 0), seed=9) / 16
        for name in fsr_channels(foot):
            columns[name] = load
    table = pd.DataFrame(columns)
    c = detect_insole_contacts(table["time_s"], insole_loads(table))
    assert c["foot"].tolist() == ["left", "right"] * 10
    assert np.all(np.diff(c["ic_s"]) > 0.25)
    assert c["ic_s"].iat[0] > 100.0
    with pytest.raises(MissingChannelError, match="right_fsr01_adc"):
        insole_loads(table.drop(columns=["right_fsr01_adc"]))


# --------------------------------------------------------------------------- clean plate contacts

PLATES = tuple(
    Plate(f"plate{i + 1}", x_min_m=i * 0.605, x_max_m=i * 0.605 + 0.6, y_min_m=-0.2, y_max_m=0.2) for i in range(4)
)


class Runway:
    """Synthetic 4-plate force table built contact by contact."""

    def __init__(self, duration_s: float, seed: int) -> None:
        self.t = np.arange(int(duration_s * FS)) / FS
        self.rng = np.random.default_rng(seed)
        self.fz = {p.name: np.zeros_like(self.t) for p in PLATES}
        self.mx = {p.name: np.zeros_like(self.t) for p in PLATES}  # fz * cop_x
        self.my = {p.name: np.zeros_like(self.t) for p in PLATES}
        self.truth = []
        self.impulse_n_s = []  # whole-foot impulse of each contact (what the insole feels)

    def add(self, start_s, plate_share, heel_x_m, y_m, foot="left", duration_s=0.25, peak_n=2000.0, impact_n=500.0):
        """Add a contact; ``plate_share`` maps plate name -> function(progress 0..1) -> share of the force."""
        window = slice(max(int(start_s * FS) - 1, 0), int((start_s + duration_s) * FS) + 2)
        tau = self.t[window] - start_s
        f = contact_force_n(tau, duration_s, peak_n, impact_n)
        progress = np.clip(tau / duration_s, 0, 1)
        cop_x = heel_x_m + 0.04 + 0.16 * progress  # heel to forefoot
        for name, share in plate_share.items():
            part = f * share(progress)
            self.fz[name][window] += part
            self.mx[name][window] += part * cop_x
            self.my[name][window] += part * y_m
        self.truth.append((foot, *crossings_20n(start_s, duration_s, peak_n, impact_n)))
        self.impulse_n_s.append(float(f.sum()) / FS)

    def table(self, noise_n: float = 3.0) -> pd.DataFrame:
        data = {"time_s": 50.0 + self.t}
        for p in PLATES:
            fz = self.fz[p.name]
            with np.errstate(invalid="ignore", divide="ignore"):
                cop_x = np.where(fz >= 10, self.mx[p.name] / fz, np.nan)
                cop_y = np.where(fz >= 10, self.my[p.name] / fz, np.nan)
            cols = plate_channels(p.name)
            data[cols[0]] = self.rng.normal(0, noise_n, fz.size)
            data[cols[1]] = self.rng.normal(0, noise_n, fz.size)
            data[cols[2]] = fz + self.rng.normal(0, noise_n, fz.size)
            data[cols[3]] = cop_x + self.rng.normal(0, 0.002, fz.size)
            data[cols[4]] = cop_y + self.rng.normal(0, 0.002, fz.size)
        return pd.DataFrame(data)

    def insole(self, ic_bias_s=0.002, to_bias_s=-0.003, jitter_s=0.001, extra=()) -> pd.DataFrame:
        """Insole contacts in lab time for every contact added (plus off-plate ones)."""
        rows = [(foot, 50.0 + ic + ic_bias_s, 50.0 + to + to_bias_s) for foot, ic, to in [*self.truth, *extra]]
        ref = pd.DataFrame(rows, columns=["foot", "ic_s", "to_s"])
        ref[["ic_s", "to_s"]] += self.rng.normal(0, jitter_s, (len(ref), 2))
        # insole "impulse" in arbitrary units: proportional to the whole-foot impulse, 2 % scatter
        whole_foot = np.r_[self.impulse_n_s, np.full(len(extra), 400.0)]
        ref["impulse"] = 7.3 * whole_foot * self.rng.normal(1.0, 0.02, len(ref))
        return ref


def whole(progress):
    return np.ones_like(progress)


def test_classify_plate_contacts_rules():
    run = Runway(6.0, seed=10)
    run.add(0.40, {"plate2": whole}, heel_x_m=0.8, y_m=0.0)  # 0 clean, left
    run.add(1.10, {"plate2": lambda p: 1 - p, "plate3": lambda p: p}, heel_x_m=1.1, y_m=0.0)  # 1 straddle
    run.add(1.80, {"plate1": whole}, heel_x_m=0.2, y_m=0.19)  # 2 COP 1 cm from the y edge
    run.add(2.50, {"plate4": lambda p: np.clip((p - 0.3) / 0.2, 0, 1)}, heel_x_m=1.8, y_m=0.0)  # 3 heel off the plate
    run.add(3.20, {"plate3": whole}, heel_x_m=1.4, y_m=-0.05, foot="right")  # 4 clean, right
    run.add(3.90, {"plate1": whole}, heel_x_m=0.1, y_m=0.05)  # 5 clean
    run.add(4.60, {"plate4": whole}, heel_x_m=2.0, y_m=0.0)  # 6 clean
    run.add(5.20, {"plate3": lambda p: np.full_like(p, 0.8)}, heel_x_m=1.4, y_m=0.0)  # 7 a fifth of the foot off
    run.add(5.85, {"plate2": whole}, heel_x_m=0.8, y_m=0.0)  # 8 cut at the end
    table = run.table()
    off_plate = [("right", 0.75 + 0.7 * k, 0.75 + 0.7 * k + 0.24) for k in range(6)]
    ref = run.insole(extra=off_plate)
    out = classify_plate_contacts(table, PLATES, reference_contacts=ref)
    assert list(out.columns) == list(PLATE_CONTACT_COLUMNS)
    by_start = out.sort_values("ic_index").reset_index(drop=True)
    assert len(by_start) == 10  # the straddle appears once per plate
    reasons = by_start["reason"].tolist()
    assert reasons[0] == ""
    # (each plate's COP lies near the gap as well, so "edge" may follow)
    assert reasons[1].startswith("straddle: plate2+plate3") and reasons[2].startswith("straddle: plate2+plate3")
    assert reasons[3] == "edge"
    assert reasons[4] == "duration mismatch with insole contact; load deficit against insole contact"
    assert reasons[5] == reasons[6] == reasons[7] == ""
    assert reasons[8] == "load deficit against insole contact"
    assert reasons[9] == "cut at recording start/end"
    assert by_start["load_ratio"].iat[8] == pytest.approx(0.8, abs=0.05)
    assert by_start["load_ratio"].iloc[[0, 5, 6, 7]].between(0.95, 1.05).all()
    assert by_start["clean"].tolist() == [r == "" for r in reasons]
    assert by_start.loc[[0, 5, 6, 7], "foot"].tolist() == ["left", "right", "left", "left"]
    assert by_start["edge_distance_m"].iat[3] == pytest.approx(0.01, abs=0.005)
    clean = by_start[by_start["clean"]]
    truth = np.array([(ic, to) for _, ic, to in run.truth])[[0, 4, 5, 6]] + 50.0
    assert np.max(np.abs(clean[["ic_s", "to_s"]].to_numpy() - truth)) < 0.001


def test_without_reference_the_insole_rule_is_skipped():
    run = Runway(3.0, seed=11)
    run.add(0.5, {"plate1": lambda p: np.clip((p - 0.3) / 0.2, 0, 1)}, heel_x_m=0.2, y_m=0.0)
    out = classify_plate_contacts(run.table(), PLATES)
    assert out["clean"].tolist() == [True] and out["foot"].tolist() == [""]
    out = classify_plate_contacts(run.table(), PLATES, reference_contacts=pd.DataFrame(
        {"foot": ["left"], "ic_s": [45.0], "to_s": [45.3]}))
    assert out["reason"].tolist() == ["no matching insole contact"]


def test_classify_errors():
    run = Runway(2.0, seed=12)
    table = run.table()
    with pytest.raises(NoContactError, match="plate1_fz_n"):
        classify_plate_contacts(table, PLATES)
    with pytest.raises(MissingChannelError, match="plate4_cop_y_m"):
        classify_plate_contacts(table.drop(columns=["plate4_cop_y_m"]), PLATES)
    run.add(0.5, {"plate1": whole}, heel_x_m=0.2, y_m=0.0)
    table = run.table()
    table.loc[5, "plate3_fz_n"] = np.nan
    with pytest.raises(DropoutError, match="plate3_fz_n"):
        classify_plate_contacts(table, PLATES)


def test_clean_contacts_accepted_with_sub_ms_timing():
    """Target: >= 99 % of truly clean contacts accepted, median IC/TO error <= 1 ms."""
    rng = np.random.default_rng(13)
    run = Runway(100.0, seed=14)
    start, clean_truth = 0.3, []
    while start < 99.0:
        plate = PLATES[int(rng.integers(4))]
        heel = rng.uniform(plate.x_min_m + 0.01, plate.x_max_m - 0.27)
        duration = rng.uniform(0.2, 0.3)
        run.add(start, {plate.name: whole}, heel_x_m=heel, y_m=rng.uniform(-0.1, 0.1), duration_s=duration,
                peak_n=rng.uniform(1500, 2500), impact_n=rng.uniform(0, 900),
                foot="left" if len(run.truth) % 2 == 0 else "right")
        clean_truth.append(run.truth[-1][1:])
        start += duration + rng.uniform(0.08, 0.6)
    out = classify_plate_contacts(run.table(noise_n=4.0), PLATES, reference_contacts=run.insole(jitter_s=0.001))
    truth = np.array(clean_truth) + 50.0
    assert len(out) == len(truth)
    assert out["clean"].mean() >= 0.99
    err_ms = 1e3 * np.abs(out[["ic_s", "to_s"]].to_numpy() - truth)
    assert np.median(err_ms) <= 1.0
    assert (out["foot"] == np.where(np.arange(len(out)) % 2 == 0, "left", "right")).all()


def test_contact_reductions_over_the_contacts_samples_only():
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


def test_straddle_counts_any_sample_of_another_plate_above_threshold():
    plates = [Plate("plate1", 0.0, 0.6, -0.2, 0.2), Plate("plate2", 0.605, 1.205, -0.2, 0.2)]
    t = np.arange(3000) / 1000.0
    table = {"time_s": t}
    for plate in plates:
        for channel in plate_channels(plate.name):
            table[channel] = np.zeros_like(t)
        table[f"{plate.name}_cop_x_m"][:] = 0.5 * (plate.x_min_m + plate.x_max_m)
    table["plate1_fz_n"][500:750] = 1500.0
    table["plate2_fz_n"][749] = 25.0  # one sample above 20 N in the last sample of the plate1 contact
    table["plate2_fz_n"][2000:2250] = 1500.0
    out = classify_plate_contacts(pd.DataFrame(table), plates)
    assert list(out["plate"]) == ["plate1", "plate2"]
    assert out["reason"].iloc[0] == "straddle: plate1+plate2"
    assert out["reason"].iloc[1] == ""


# --------------------------------------------------------------------------- foot outline


def test_foot_outline_from_the_cop_path_and_the_insole_size():
    length, width = 0.26, 0.10
    # a rear-foot path: the heel margin behind the rearmost COP reaches further back than one length behind the toes
    x = np.r_[np.linspace(0.30, 0.50, 51), np.nan]
    y = np.r_[np.linspace(0.02, -0.02, 51), np.nan]  # lateral heel to medial toes, centred on y = 0
    x0, x1, y0, y1 = foot_outline(x, y, length, width)
    assert x1 == pytest.approx(0.50 + 0.10 * length)
    assert x0 == pytest.approx(0.30 - 0.15 * length)
    assert (y0, y1) == pytest.approx((-0.05, 0.05), abs=1e-12)
    # a short (fore-foot) path: the whole insole lies behind the toe end
    x0, x1, _, _ = foot_outline(np.array([0.45, 0.43, 0.50]), np.zeros(3), length, width)
    assert x1 - x0 == pytest.approx(length)
    # without a width, a typical foot's proportion
    _, _, y0, y1 = foot_outline(x, y, length)
    assert y1 - y0 == pytest.approx(INSOLE_WIDTH_TO_LENGTH * length)
    assert np.isnan(foot_outline(np.full(3, np.nan), np.full(3, np.nan), length)).all()
    plate = PLATES[0]  # x 0 .. 0.6, y -0.2 .. 0.2
    assert outline_margin_m((0.05, 0.31, -0.05, 0.05), plate) == pytest.approx(0.05)
    assert outline_margin_m((-0.01, 0.25, -0.05, 0.05), plate) == pytest.approx(-0.01)
    assert outline_margin_m((0.10, 0.36, 0.12, 0.22), plate) == pytest.approx(-0.02)


def test_foot_outline_errors():
    with pytest.raises(ConfigError, match="insole_length_m"):
        foot_outline(np.zeros(3), np.zeros(3), 0.0)
    with pytest.raises(ConfigError, match="insole_width_m"):
        foot_outline(np.zeros(3), np.zeros(3), 0.26, float("nan"))
    with pytest.raises(LengthMismatchError):
        foot_outline(np.zeros(3), np.zeros(2), 0.26)
    run = Runway(2.0, seed=21)
    run.add(0.5, {"plate1": whole}, heel_x_m=0.2, y_m=0.0)
    with pytest.raises(ConfigError, match="insole_length_m"):
        classify_plate_contacts(run.table(), PLATES, insole_length_m=-0.26)


def test_foot_outline_rule_rejects_feet_over_the_edge_that_the_cop_rule_passes():
    """Heel over the plate's start, or the foot's side over the y edge, while the COP stays > 2 cm inside."""
    run = Runway(4.0, seed=20)
    # Runway's COP runs from heel + 0.04 to heel + 0.20 m: a 0.26 m insole reaches 0.226 m ahead of the heel
    run.add(0.40, {"plate1": whole}, heel_x_m=0.10, y_m=0.0)  # 0 clean: outline from 0.066 to 0.326 m
    run.add(1.10, {"plate2": whole}, heel_x_m=0.605 - 0.015, y_m=0.0)  # 1 COP from 2.5 cm into plate2
    run.add(1.80, {"plate3": whole}, heel_x_m=1.40, y_m=0.17)  # 2 COP 3 cm from the y edge, foot 5 cm wide
    run.add(2.50, {"plate4": whole}, heel_x_m=2.0, y_m=-0.05)  # 3 clean
    table = run.table()
    without = classify_plate_contacts(table, PLATES)
    assert without["reason"].tolist() == [""] * 4
    assert without["outline_margin_m"].isna().all()
    out = classify_plate_contacts(table, PLATES, insole_length_m=0.26, insole_width_m=0.10)
    assert out["reason"].tolist() == ["", REASON_FOOT_EDGE, REASON_FOOT_EDGE, ""]
    assert out["clean"].tolist() == [True, False, False, True]
    # the outline's ends as placed: 0.04 + 0.16 m of COP path, 0.026 m toe margin, one length behind the toes
    np.testing.assert_allclose(out["outline_margin_m"], [0.066, -0.049, -0.02, min(2.0 - 0.034 - 1.815, 0.095)],
                               atol=0.006)
    assert (out["edge_distance_m"] > 0.02).all()  # the COP rule's margin: it passes all four
