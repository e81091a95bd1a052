"""Tests of grfkit.io.insole: layout, FSR response, plantar load model, insole COP."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.io.channels import N_FSR
from grfkit.io.insole import (
    DEFAULT_FSR_RESPONSE,
    FSR_AP_FRAC,
    FSR_AREA_MM2,
    FSR_LAYOUT,
    FSR_ML_FRAC,
    FsrResponse,
    fsr_force_from_adc,
    fsr_response,
    insole_cop,
    plantar_distribution,
    plantar_weights,
    total_load,
    virtual_insole,
)

QUIET = FsrResponse(noise_adc=0.0)


def test_layout_has_16_sensors_numbered_heel_to_toe() -> None:
    assert len(FSR_LAYOUT) == N_FSR == 16
    assert [s.number for s in FSR_LAYOUT] == list(range(1, 17))
    assert np.all(np.diff(FSR_AP_FRAC) >= 0)
    assert np.all((FSR_AP_FRAC > 0) & (FSR_AP_FRAC < 1) & (FSR_ML_FRAC > 0) & (FSR_ML_FRAC < 1))
    assert np.all(FSR_AREA_MM2 > 0)
    regions = [s.region for s in FSR_LAYOUT]
    assert regions.count("heel") == 3 and regions.count("midfoot") == 2
    assert regions.count("metatarsal") == 6 and regions.count("toes") == 5


def test_layout_arrays_are_read_only() -> None:
    with pytest.raises(ValueError):
        FSR_AP_FRAC[0] = 0.5


def test_fsr_response_half_scale_without_saturation_is_2048() -> None:
    response = FsrResponse(saturation_force_n=1e9, activation_force_n=0.0, noise_adc=0.0)
    assert int(fsr_response(response.half_scale_force_n, response=response)) == 2048


def test_fsr_response_zero_below_activation() -> None:
    adc = fsr_response(np.array([0.0, 0.2, -5.0]), response=QUIET)
    assert adc.dtype == np.int16
    assert adc.tolist() == [0, 0, 0]


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 3000.0), st.floats(0.0, 3000.0))
def test_fsr_response_is_monotone(force_a: float, force_b: float) -> None:
    low, high = sorted((force_a, force_b))
    assert fsr_response(high, response=QUIET) >= fsr_response(low, response=QUIET)


def test_fsr_response_saturates_below_full_scale() -> None:
    forces = np.array([100.0, 200.0, 1000.0, 2000.0, 20000.0])
    adc = fsr_response(forces, response=QUIET).astype(float)
    assert adc[-1] < DEFAULT_FSR_RESPONSE.adc_max
    # Each further 1000 N adds less than the first 100 N did.
    assert adc[3] - adc[2] < adc[1] - adc[0]
    assert adc[4] - adc[3] < 0.05 * adc[3]


def test_fsr_response_gain_scales_force() -> None:
    assert fsr_response(100.0, response=QUIET, gain=2.0) == fsr_response(200.0, response=QUIET)


def test_fsr_response_noise_is_unbiased_and_bounded() -> None:
    rng = np.random.default_rng(1)
    adc = fsr_response(np.full(20000, 150.0), rng=rng)
    clean = int(fsr_response(150.0))
    assert abs(adc.mean() - clean) < 0.2
    assert 3.0 < adc.std() < 5.0
    assert adc.min() >= 0 and adc.max() <= DEFAULT_FSR_RESPONSE.adc_max


@settings(max_examples=50, deadline=None)
@given(st.floats(1.0, 800.0))
def test_fsr_force_from_adc_inverts_the_response(force: float) -> None:
    adc = fsr_response(force, response=QUIET)
    # One count of rounding corresponds to at most a few percent of force in this range.
    assert fsr_force_from_adc(adc) == pytest.approx(force, rel=0.06, abs=0.3)


def test_fsr_force_from_adc_zero_and_ceiling_are_finite() -> None:
    force = fsr_force_from_adc(np.array([0, 4095]))
    assert force[0] == 0.0
    assert np.isfinite(force[1]) and force[1] > 1000


def test_plantar_weights_rows_sum_to_one_and_are_non_negative() -> None:
    rng = np.random.default_rng(2)
    w = plantar_weights(rng.uniform(0, 1, 500), rng.uniform(0, 1, 500))
    assert w.shape == (500, 16)
    assert np.all(w >= 0)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.2, 0.8), st.floats(0.38, 0.62))
def test_plantar_weights_centroid_equals_the_cop(ap: float, ml: float) -> None:
    # Inside the sensors' hull the load's centroid is the requested COP.
    w = plantar_weights([ap], [ml])[0]
    assert w @ FSR_AP_FRAC == pytest.approx(ap, abs=3e-3)
    assert w @ FSR_ML_FRAC == pytest.approx(ml, abs=3e-3)


def test_plantar_weights_heel_cop_loads_the_heel() -> None:
    w = plantar_weights([0.12], [0.5])[0]
    heel = [i for i, s in enumerate(FSR_LAYOUT) if s.region == "heel"]
    assert w[heel].sum() > 0.9


def test_plantar_weights_outside_the_hull_is_moved_inside() -> None:
    w = plantar_weights([1.0, 0.0], [0.5, 0.0])
    ap = w @ FSR_AP_FRAC
    assert ap[0] < FSR_AP_FRAC.max() and ap[1] > FSR_AP_FRAC.min()


def test_plantar_weights_rejects_nan_and_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="NaN"):
        plantar_weights([np.nan], [0.5])
    with pytest.raises(ValueError, match="equal length"):
        plantar_weights([0.5, 0.5], [0.5])


def test_plantar_distribution_carries_the_sensor_share_and_ignores_unloaded_cop() -> None:
    forces = plantar_distribution([0.0, 1000.0], [np.nan, 0.5], [np.nan, 0.5], sensor_load_share=0.6)
    assert forces.shape == (2, 16)
    assert np.all(forces[0] == 0)
    assert forces[1].sum() == pytest.approx(600.0)


def test_virtual_insole_heel_then_toe() -> None:
    adc = virtual_insole([1500.0, 1500.0], [0.15, 0.9], [0.6, 0.3], response=QUIET)
    assert adc.shape == (2, 16) and adc.dtype == np.int16
    heel = [i for i, s in enumerate(FSR_LAYOUT) if s.region == "heel"]
    toes = [i for i, s in enumerate(FSR_LAYOUT) if s.region == "toes"]
    assert adc[0, heel].sum() > 10 * adc[0, toes].sum()
    assert adc[1, toes].sum() > 10 * adc[1, heel].sum()


@settings(max_examples=30, deadline=None)
@given(st.floats(10.0, 1500.0), st.floats(10.0, 1500.0))
def test_virtual_insole_total_load_grows_with_force(force_a: float, force_b: float) -> None:
    low, high = sorted((force_a, force_b))
    adc = virtual_insole([low, high], [0.5, 0.5], [0.5, 0.5], response=QUIET)
    totals = total_load(adc)
    assert totals[1] >= totals[0]


def test_virtual_insole_gains_scale_the_sensor_force() -> None:
    gains = np.ones(16)
    gains[0] = 2.0
    base = virtual_insole([800.0], [0.12], [0.5], response=QUIET)
    scaled = virtual_insole([800.0], [0.12], [0.5], response=QUIET, sensor_gains=gains)
    assert scaled[0, 0] > base[0, 0]
    assert np.array_equal(scaled[0, 1:], base[0, 1:])


def test_total_load_sums_counts_or_forces() -> None:
    adc = virtual_insole([1000.0], [0.5], [0.5], response=QUIET)
    assert total_load(adc)[0] == adc.sum()
    # Linearised: the sensors' share of the force (60 %), up to rounding.
    assert total_load(adc, linearise=True)[0] == pytest.approx(600.0, rel=0.02)


def test_total_load_and_insole_cop_reject_bad_shapes() -> None:
    with pytest.raises(ValueError, match="16"):
        total_load(np.zeros((5, 15)))
    with pytest.raises(ValueError, match="16"):
        insole_cop(np.zeros(16))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 15), st.integers(100, 4095))
def test_insole_cop_of_a_single_loaded_sensor_is_its_position(sensor: int, counts: int) -> None:
    adc = np.zeros((1, 16))
    adc[0, sensor] = counts
    ap, ml = insole_cop(adc)
    assert ap[0] == pytest.approx(FSR_AP_FRAC[sensor])
    assert ml[0] == pytest.approx(FSR_ML_FRAC[sensor])


def test_insole_cop_unloaded_is_nan_or_the_given_value() -> None:
    adc = np.zeros((2, 16))
    adc[1, :] = 3  # noise only, below min_total_adc
    ap, ml = insole_cop(adc)
    assert np.isnan(ap).all() and np.isnan(ml).all()
    ap, ml = insole_cop(adc, unloaded_value_frac=0.5)
    assert ap.tolist() == [0.5, 0.5] and ml.tolist() == [0.5, 0.5]


def test_insole_cop_follows_the_true_cop_order() -> None:
    aps = np.linspace(0.15, 0.9, 8)
    adc = virtual_insole(np.full(8, 1500.0), aps, np.full(8, 0.5), response=QUIET)
    ap, _ = insole_cop(adc)
    assert np.all(np.diff(ap) > 0)
