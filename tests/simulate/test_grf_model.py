"""Tests of the stance force model: impulses, plausibility ranges, shapes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.constants import GRAVITY_MPS2
from grfkit.simulate.grf_model import GaitRelations, design_stance, evaluate_contacts
from grfkit.simulate.plantar import COP_PATTERNS, cop_trajectory

RELATIONS = GaitRelations()
SPEEDS = np.array([2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0])


def typical_stance(speed: float, strike: str = "rearfoot", mass: float = 70.0, gradient: float = 0.0, dv: float = 0.0):
    tc = float(RELATIONS.contact_time_s(speed))
    step = float(RELATIONS.step_time_s(speed, gradient_deg=gradient))
    impact_dv, half_time = RELATIONS.impact_parameters(strike, speed, gradient)
    return design_stance(
        body_mass_kg=mass,
        contact_time_s=tc,
        step_time_s=step,
        impact_velocity_change_mps=impact_dv,
        impact_half_time_s=half_time,
        cop=COP_PATTERNS[strike],
        insole_length_m=0.26,
        pivot_height_m=0.97,
        speed_mps=speed,
        speed_change_mps=dv,
        gradient_deg=gradient,
    ), step


def sampled(stance, step_s: float = 1e-5):
    t = np.arange(0.0, stance.contact_time_s + step_s, step_s)
    return (t, *stance.evaluate(t))


@settings(max_examples=40, deadline=None)
@given(
    st.floats(45.0, 110.0),
    st.floats(2.5, 6.0),
    st.floats(-5.0, 5.0),
    st.sampled_from(["rearfoot", "midfoot", "forefoot"]),
    st.floats(-0.15, 0.15),
)
def test_normal_impulse_is_body_weight_times_step_time(mass, speed, gradient, strike, dv) -> None:
    stance, step = typical_stance(speed, strike, mass, gradient, dv)
    t, normal, _along, _ = sampled(stance)
    expected = mass * GRAVITY_MPS2 * math.cos(math.radians(gradient)) * step
    assert np.trapezoid(normal, t) == pytest.approx(expected, rel=2e-3)


@settings(max_examples=40, deadline=None)
@given(st.floats(45.0, 110.0), st.floats(2.5, 6.0), st.floats(-5.0, 5.0), st.floats(-0.1, 0.1))
def test_net_ap_impulse_is_momentum_change_plus_slope(mass, speed, gradient, dv) -> None:
    stance, step = typical_stance(speed, "rearfoot", mass, gradient, dv)
    t, _, along, _ = sampled(stance)
    expected = mass * dv + mass * GRAVITY_MPS2 * math.sin(math.radians(gradient)) * step
    assert np.trapezoid(along, t) == pytest.approx(expected, abs=0.01 * mass)


@pytest.mark.parametrize("dv", [-0.2, -0.05, 0.05, 0.2])
def test_net_ap_impulse_sign_matches_acceleration(dv: float) -> None:
    stance, _ = typical_stance(3.5, dv=dv)
    t, _, along, _ = sampled(stance)
    assert np.sign(np.trapezoid(along, t)) == np.sign(dv)


def test_the_force_points_at_the_centre_of_mass() -> None:
    stance, _ = typical_stance(3.5)
    t, normal, along, _ = sampled(stance, 1e-4)
    active = normal - stance.impact_force_n(t)
    cop = stance.insole_length_m * cop_trajectory(t / stance.contact_time_s, COP_PATTERNS["rearfoot"])[0]
    com = stance.com_offset_m + stance.speed_mps * t
    # Away from the impact, the force's lean is the line from the COP to the COM.
    later = (t > 2 * stance.impact_half_time_s) & (active > 1.0)
    np.testing.assert_allclose(along[later] / active[later], -(cop - com)[later] / stance.pivot_height_m, atol=1e-9)
    # A lower centre of mass (a longer lever) brakes harder.
    low = design_stance(**{**_args(3.5), "pivot_height_m": 0.8})
    assert low.braking_impulse_ns > stance.braking_impulse_ns


def _args(speed: float) -> dict:
    tc = float(RELATIONS.contact_time_s(speed))
    dv1, t1 = RELATIONS.impact_parameters("rearfoot", speed)
    return dict(body_mass_kg=70.0, contact_time_s=tc, step_time_s=float(RELATIONS.step_time_s(speed)),
                impact_velocity_change_mps=dv1, impact_half_time_s=t1, cop=COP_PATTERNS["rearfoot"],
                insole_length_m=0.26, pivot_height_m=0.97, speed_mps=speed)


def test_accelerating_moves_the_transition_earlier() -> None:
    steady, _ = typical_stance(3.5)
    faster, _ = typical_stance(3.5, dv=0.3)
    assert faster.braking_time_s < steady.braking_time_s
    assert faster.propulsive_impulse_ns > faster.braking_impulse_ns


@pytest.mark.parametrize("strike", ["rearfoot", "midfoot", "forefoot"])
def test_force_rises_with_non_zero_slope_at_contact(strike: str) -> None:
    stance, _ = typical_stance(3.5, strike)
    t, normal, _, _ = sampled(stance)
    assert t[np.argmax(normal >= 20.0)] < 0.002


def test_forces_are_zero_outside_contact() -> None:
    stance, _ = typical_stance(3.5)
    normal, along, across = stance.evaluate(np.array([-0.01, stance.contact_time_s + 0.001, 1.0]))
    assert not normal.any() and not along.any() and not across.any()


@pytest.mark.parametrize("strike", ["rearfoot", "forefoot"])
def test_peak_vertical_force_is_2_to_3_bw_and_rises_with_speed(strike: str) -> None:
    peaks = []
    for speed in SPEEDS:
        stance, _ = typical_stance(speed, strike)
        peaks.append(sampled(stance)[1].max() / (70.0 * GRAVITY_MPS2))
    assert np.all(np.diff(peaks) > 0)
    assert 1.9 < peaks[0] and peaks[-1] < 3.3
    assert all(2.0 <= p <= 3.0 for p, v in zip(peaks, SPEEDS, strict=True) if 3.0 <= v <= 5.0)


def test_contact_time_falls_with_speed_within_range() -> None:
    tc = RELATIONS.contact_time_s(SPEEDS)
    assert np.all(np.diff(tc) < 0)
    assert 0.28 < tc[0] < 0.32 and 0.17 < tc[-1] < 0.21
    step = RELATIONS.step_time_s(SPEEDS)
    assert np.all(step > tc + RELATIONS.min_aerial_time_s)
    assert np.all((1 / step > 2.6) & (1 / step < 3.2))


def test_braking_and_propulsive_peaks_are_plausible_and_rise_with_speed() -> None:
    braking, propulsion = [], []
    for speed in SPEEDS:
        stance, _ = typical_stance(speed)
        along = sampled(stance)[2] / (70.0 * GRAVITY_MPS2)
        braking.append(-along.min())
        propulsion.append(along.max())
    assert np.all(np.diff(braking) > 0) and np.all(np.diff(propulsion) > 0)
    # nothing is fitted: the lever of the force gives braking peaks of the size real treadmill
    # running shows (Hamner & Delp 2013, 20 Hz filtered: 0.18 BW at 2 m/s, 0.26 BW at 3 m/s)
    assert 0.15 < braking[0] and braking[-1] < 0.65
    assert 0.15 < propulsion[0] and propulsion[-1] < 0.65


def _local_maxima_before(t, normal, limit_s):
    d = np.diff(normal)
    peaks = np.flatnonzero((d[:-1] > 0) & (d[1:] <= 0)) + 1
    return [p for p in peaks if t[p] < limit_s]


def test_rearfoot_has_an_impact_peak_forefoot_has_none() -> None:
    rear, _ = typical_stance(3.5, "rearfoot")
    fore, _ = typical_stance(3.5, "forefoot")
    t, normal, _, _ = sampled(rear, 1e-4)
    assert len(_local_maxima_before(t, normal, 0.06)) == 1
    t, normal, _, _ = sampled(fore, 1e-4)
    assert _local_maxima_before(t, normal, 0.06) == []


def test_lateral_force_pushes_towards_the_midline() -> None:
    left = typical_stance(3.5)[0]
    t, _, _, across = sampled(left)
    assert np.trapezoid(across, t) < 0  # left foot: midline is towards -y


def test_design_rejects_contact_longer_than_step() -> None:
    with pytest.raises(ValueError, match="contact_time_s"):
        design_stance(
            body_mass_kg=70,
            contact_time_s=0.4,
            step_time_s=0.35,
            impact_velocity_change_mps=1.0,
            impact_half_time_s=0.02,
            cop=COP_PATTERNS["rearfoot"],
            insole_length_m=0.26,
            pivot_height_m=0.97,
            speed_mps=3.5,
        )


def test_evaluate_contacts_matches_single_evaluation() -> None:
    stances = [typical_stance(v)[0] for v in (3.0, 4.0, 5.0)]
    t = np.tile(np.linspace(-0.01, 0.3, 50), 3)
    which = np.repeat(np.arange(3), 50)
    batch = evaluate_contacts(stances, t, which)
    for k, stance in enumerate(stances):
        single = stance.evaluate(t[which == k])
        for a, b in zip(batch, single, strict=True):
            np.testing.assert_array_equal(a[which == k], b)


def test_impact_parameters_by_strike_and_gradient() -> None:
    rear = RELATIONS.impact_parameters("rearfoot", 3.5)
    fore = RELATIONS.impact_parameters("forefoot", 3.5)
    assert rear[0] > fore[0] and rear[1] < fore[1]
    assert RELATIONS.impact_parameters("rearfoot", 4.5)[0] > rear[0]
    assert RELATIONS.impact_parameters("rearfoot", 3.5, -3.0)[0] > rear[0]
    with pytest.raises(ValueError, match="foot_strike"):
        RELATIONS.impact_parameters("heel", 3.5)


def test_a_one_signed_ap_force_puts_the_transition_at_an_end() -> None:
    pushing, _ = typical_stance(3.5, dv=1.5)
    t, _, along, _ = sampled(pushing, 1e-4)
    if (along[t > 3 * pushing.impact_half_time_s] > 0).all():
        assert pushing.braking_time_s <= 3 * pushing.impact_half_time_s
    assert 0.0 <= pushing.braking_time_s < typical_stance(3.5)[0].braking_time_s
