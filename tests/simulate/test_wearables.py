"""Tests of the insole and IMU tables."""

from __future__ import annotations

import numpy as np
import pytest

from grfkit.io.channels import IMU_CHANNELS, fsr_channels
from grfkit.simulate.clocks import InsoleClock
from grfkit.simulate.gait import generate_contacts
from grfkit.simulate.participants import OVERGROUND_COHORT, sample_participant
from grfkit.simulate.wearables import (
    contact_index,
    foot_load,
    imu_table,
    insole_table,
    quantise,
    sample_times,
)

PERSON = sample_participant(OVERGROUND_COHORT, 2, 0)
CONTACTS = generate_contacts(
    PERSON, start_s=-1.0, end_s=8.0, speed_at=lambda t: 3.3, gradient_deg=0.0, rng=np.random.default_rng(0)
)
CLOCK = InsoleClock(clock_offset_s=0.5, clock_drift_ppm=40.0)


def test_sample_times_and_quantise() -> None:
    t = sample_times(2.0, 1125.0)
    assert t.size == 2251 and t[-1] == pytest.approx(2.0)
    assert quantise(np.array([0.04, 0.06, np.nan]), 0.1).tolist()[:2] == pytest.approx([0.0, 0.1])
    assert np.isnan(quantise(np.array([np.nan]), 0.1)[0])


def test_contact_index_finds_contacts() -> None:
    left = [c for c in CONTACTS if c.foot == "left"]
    t = np.array([left[1].start_s - 0.01, left[1].start_s + 0.05, left[1].end_s + 0.01])
    which, tau = contact_index(t, left)
    assert which.tolist() == [-1, 1, -1]
    assert tau[1] == pytest.approx(0.05)
    empty, _ = contact_index(t, [])
    assert (empty == -1).all()


def test_foot_load_is_zero_in_swing_and_the_stance_force_in_contact() -> None:
    left = [c for c in CONTACTS if c.foot == "left"]
    t = np.arange(0.0, 6.0, 0.001)
    normal, ap, _ml = foot_load(t, left)
    which, tau = contact_index(t, left)
    assert not normal[which < 0].any() and np.isnan(ap[which < 0]).all()
    k = which == 2
    np.testing.assert_allclose(normal[k], left[2].force.evaluate(tau[k])[0])
    assert np.all((ap[which >= 0] > 0) & (ap[which >= 0] < 1))


def test_insole_table_has_int16_counts_loaded_only_in_stance() -> None:
    t = sample_times(6.0, 1000.0)
    table = insole_table(t, CLOCK, CONTACTS, PERSON, rng=np.random.default_rng(0))
    assert list(table.columns) == ["time_s", *fsr_channels("left"), *fsr_channels("right")]
    counts = table[fsr_channels("left")].to_numpy()
    assert counts.dtype == np.int16 and counts.min() >= 0 and counts.max() <= 4095
    which, _ = contact_index(CLOCK.to_lab(t), [c for c in CONTACTS if c.foot == "left"])
    swing_total = counts[which < 0].sum(axis=1)
    stance_total = counts[which >= 0].sum(axis=1)
    assert np.median(swing_total) < 50 and np.median(stance_total) > 5000


def test_imu_table_columns_and_clock() -> None:
    t = sample_times(6.0, 1125.0)
    table = imu_table(t, CLOCK, CONTACTS, PERSON, gradient_deg=0.0, rng=np.random.default_rng(0))
    assert list(table.columns) == ["time_s", *IMU_CHANNELS]
    assert table["time_s"].to_numpy() == pytest.approx(t)
    assert table["acc_z_mps2"].dtype == np.float32


def test_fsr_hysteresis_reads_more_while_unloading() -> None:
    from grfkit.simulate.wearables import InsoleConfig, fsr_non_idealities

    load = np.sin(np.linspace(0, np.pi, 201))[:, None] * np.ones((1, 16))
    zeros = np.zeros(201)
    config = InsoleConfig(creep_frac=0.0)
    out = fsr_non_idealities(load, zeros.astype(int), zeros, zeros, drift_per_min=0.0, config=config)
    np.testing.assert_allclose(out[:101], load[:101])  # loading: the true load
    assert np.all(out[110:200] > load[110:200])  # unloading: more
    # A new contact starts from its own peak, not the previous one's.
    two = np.vstack([load, 0.5 * load])
    which = np.repeat([0, 1], 201)
    out2 = fsr_non_idealities(two, which, np.zeros(402), np.zeros(402), drift_per_min=0.0, config=config)
    np.testing.assert_allclose(out2[201:302], two[201:302])


def test_fsr_creep_and_drift_raise_the_reading_over_time() -> None:
    from grfkit.simulate.wearables import InsoleConfig, fsr_non_idealities

    load = np.ones((5, 16))
    tau = np.array([0.0, 0.05, 0.1, 0.2, 0.3])
    config = InsoleConfig(hysteresis_frac=0.0, creep_frac=0.05, creep_time_s=0.15)
    crept = fsr_non_idealities(load, np.zeros(5, int), tau, np.zeros(5), drift_per_min=0.0, config=config)
    assert np.all(np.diff(crept[:, 0]) > 0) and crept[-1, 0] < 1.05
    drifted = fsr_non_idealities(load, np.zeros(5, int), np.zeros(5), np.array([0, 30, 60, 90, 120.0]),
                                 drift_per_min=0.02, config=InsoleConfig(hysteresis_frac=0.0, creep_frac=0.0))
    np.testing.assert_allclose(drifted[:, 0], [1.0, 1.01, 1.02, 1.03, 1.04])
