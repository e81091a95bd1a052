"""Tests of the virtual-wearable stance sets built from real recordings."""

from __future__ import annotations

import numpy as np
import pytest

from grfkit.constants import N_POINTS
from grfkit.io.channels import STANCE_SIGNAL_CHANNELS, TARGET_CHANNELS, fsr_channels
from grfkit.model.features import PUBLISHED_FEATURES, build_inputs
from grfkit.preprocess.skip_reasons import REASON_NO_MARKER
from grfkit.real.hamner import hamner_stances
from grfkit.real.wearables import (
    dorn_wearable_stances,
    hamner_wearable_stances,
    virtual_wearable_inputs,
)


def test_virtual_wearable_inputs_of_a_synthetic_stepping_foot() -> None:
    marker_rate, force_rate = 100.0, 1000.0
    tm = np.arange(0.0, 3.0, 1 / marker_rate)
    tf = np.arange(0.0, 3.0, 1 / force_rate)
    # the foot rests flat on the ground at x = 1 m for the whole trial; stances at 1.0 and 2.0 s
    ones = np.ones_like(tm)
    heel = np.column_stack([ones, 0.1 * ones, 0.08 * ones])
    toe = heel + [0.24, 0.0, -0.03]
    lateral = heel + [0.16, 0.045, -0.05]
    ic, to = np.array([1.0, 2.0]), np.array([1.25, 2.25])
    force = np.zeros_like(tf)
    cop = np.full((tf.size, 3), np.nan)
    for a, b in zip(ic, to, strict=True):
        inside = (tf >= a) & (tf <= b)
        s = (tf[inside] - a) / (b - a)
        force[inside] = 1800 * np.sin(np.pi * s)
        cop[inside] = np.column_stack([1.0 + 0.05 + 0.15 * s, 0.1 + 0.0 * s, 0.0 * s])
    inputs, length, clipped = virtual_wearable_inputs(
        marker_time_s=tm, marker_rate_hz=marker_rate, heel=heel, toe=toe, lateral=lateral,
        force_time_s=tf, vertical_force_n=force, cop_m=cop, ic_s=ic, to_s=to,
    )
    assert inputs.shape == (2, N_POINTS, len(STANCE_SIGNAL_CHANNELS)) and np.isfinite(inputs).all()
    assert length == pytest.approx(0.16 / 0.64, rel=1e-6)
    np.testing.assert_allclose(clipped, 0.0)
    channel = STANCE_SIGNAL_CHANNELS.index
    np.testing.assert_allclose(inputs[:, :, channel("acc_z_mps2")], 9.81, atol=1e-3)  # a resting foot
    ap = inputs[:, :, channel("cop_ap_frac")]
    assert np.all(ap[:, 90] > ap[:, 10])  # the insole COP moves towards the toes
    fsr = inputs[:, :, [channel(c) for c in fsr_channels("left")]]
    assert fsr.min() >= 0 and fsr[:, 50].sum(axis=1).min() > fsr[:, 1].sum(axis=1).max()


@pytest.mark.realdata
def test_dorn_wearable_stances(real_dataset) -> None:
    ds = dorn_wearable_stances(real_dataset("dorn2012"))
    assert len(ds) == 5 and (ds.meta["foot"] == "left").all()
    assert ds.input_channels == STANCE_SIGNAL_CHANNELS and ds.target_channels == TARGET_CHANNELS
    assert np.isfinite(ds.inputs).all()
    assert build_inputs(ds, PUBLISHED_FEATURES).shape == (5, N_POINTS, len(PUBLISHED_FEATURES))
    assert ds.meta["insole_length_m"].between(0.22, 0.34).all()
    # mid-stance of the jog: the foot is nearly still and level, the accelerometer reads about +1 g up
    jog = (ds.meta["bout"] == "jog").to_numpy()
    acc_z = ds.input("acc_z_mps2")[jog][:, 30:50].mean()
    assert 4.0 < acc_z < 16.0


@pytest.mark.realdata
def test_hamner_wearable_stances_skip_trials_without_the_5th_metatarsal_marker(real_dataset) -> None:
    folder = real_dataset("hamner2013")
    forces = hamner_stances(folder, subjects=["subject04"])
    ds = hamner_wearable_stances(folder, forces, subjects=["subject04"])
    assert (ds.meta["foot"] == "left").all() and np.isfinite(ds.inputs).all()
    assert "Run_5" not in set(ds.meta["bout"])
    assert (ds.skipped["reason"] == REASON_NO_MARKER).all() and set(ds.skipped["bout"]) == {"Run_5"}
    assert ds.meta["cop_clipped_share"].between(0.0, 1.0).all()
    left_forces = forces.subset((forces.meta["foot"] == "left").to_numpy())
    assert len(ds) + len(ds.skipped) == len(left_forces)
