"""Tests of the contact sequence generator."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from grfkit.constants import GRAVITY_MPS2
from grfkit.simulate.gait import generate_contacts
from grfkit.simulate.participants import OVERGROUND_COHORT, sample_participant

PERSON = sample_participant(OVERGROUND_COHORT, 0, 0)


def contacts(speed_at=lambda t: 3.5, gradient=0.0, seed=0, end=20.0):
    return generate_contacts(
        PERSON, start_s=0.0, end_s=end, speed_at=speed_at, gradient_deg=gradient, rng=np.random.default_rng(seed)
    )


def test_feet_alternate_and_fill_the_span() -> None:
    seq = contacts()
    feet = [c.foot for c in seq]
    assert all(a != b for a, b in itertools.pairwise(feet))
    starts = np.array([c.start_s for c in seq])
    assert starts[0] < 0.4 and starts[-1] > 19.5
    np.testing.assert_allclose(np.diff(starts), [c.step_time_s for c in seq[:-1]])


def test_flight_phase_between_contacts() -> None:
    for c in contacts():
        assert c.step_time_s > c.contact_time_s
        assert 0.15 < c.contact_time_s < 0.35


def test_stride_to_stride_variability() -> None:
    tc = np.array([c.contact_time_s for c in contacts(end=60.0) if c.foot == "left"])
    assert 0.01 < tc.std() / tc.mean() < 0.08


def test_speed_change_sets_net_ap_impulse_sign() -> None:
    seq = contacts(speed_at=lambda t: 3.0 + 0.1 * t, end=5.0)
    for c in seq:
        assert c.speed_change_mps > 0
        t = np.linspace(0, c.contact_time_s, 4001)
        assert np.trapezoid(c.force.evaluate(t)[1], t) > 0


def test_uphill_stances_push_harder() -> None:
    level = contacts(gradient=0.0, seed=3, end=10.0)
    uphill = contacts(gradient=3.0, seed=3, end=10.0)
    t_net = []
    for seq in (level, uphill):
        nets = []
        for c in seq:
            t = np.linspace(0, c.contact_time_s, 2001)
            nets.append(np.trapezoid(c.force.evaluate(t)[1], t) / (PERSON.body_mass_kg * GRAVITY_MPS2 * c.step_time_s))
        t_net.append(np.mean(nets))
    assert t_net[0] == pytest.approx(0.0, abs=0.01)
    assert t_net[1] == pytest.approx(np.sin(np.radians(3.0)), abs=0.01)


def test_the_ap_force_follows_the_stride_s_own_centre_of_pressure_path() -> None:
    seq = contacts(end=60.0)
    transition = np.array([c.force.braking_time_s / c.contact_time_s for c in seq])
    # Level and steady: braking turns into propulsion near mid-stance, with stride-to-stride scatter.
    assert 0.4 < transition.mean() < 0.6 and 0.001 < transition.std() < 0.05
    # The force's COP path is the insole's: the same stride pattern drives both.
    for c in seq:
        assert (c.force.cop_start_ap_frac, c.force.cop_end_ap_frac) == (c.cop.start_ap_frac, c.cop.end_ap_frac)
        assert c.force.insole_length_m == PERSON.insole_length_m
    # The point the force aims at varies from stride to stride around the runner's centre of mass.
    lever = np.array([c.force.pivot_height_m for c in seq]) / PERSON.pivot_height_m
    assert lever.mean() == pytest.approx(1.0, abs=0.02)
    assert 0.5 * PERSON.lever_cv < lever.std() < 1.5 * PERSON.lever_cv
    # Braking and propulsive impulses balance on the level at constant speed.
    braking = np.array([c.force.braking_impulse_ns for c in seq])
    propulsive = np.array([c.force.propulsive_impulse_ns for c in seq])
    np.testing.assert_allclose(braking, propulsive, rtol=1e-9)
