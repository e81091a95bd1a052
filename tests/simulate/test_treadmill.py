"""Tests of treadmill bouts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grfkit.constants import GRAVITY_MPS2
from grfkit.io.validate import validate_bout
from grfkit.simulate.participants import TREADMILL_COHORT, sample_participant
from grfkit.simulate.treadmill import (
    TreadmillConfig,
    belt_plate,
    resonator,
    simulate_treadmill_bout,
)
from grfkit.simulate.truth import stance_force_from_truth

PERSON = sample_participant(TREADMILL_COHORT, 0, 0)


@pytest.fixture(scope="module")
def uphill():
    return simulate_treadmill_bout(PERSON, "medium_uphill", duration_s=20.0, seed=0)


def test_bout_follows_the_raw_format(uphill) -> None:
    raw, stances, _ = uphill
    validate_bout(raw)
    assert raw.marker is None and raw.info.marker_rate_hz is None
    assert [p.name for p in raw.info.plates] == ["belt"]
    assert raw.info.belt_speed_mps == pytest.approx(PERSON.speeds_mps["medium"])
    assert raw.info.gradient_deg == pytest.approx(math.degrees(math.atan(0.06)))
    assert stances["clean"].all() and (stances["plate"] == "belt").all()


def test_belt_force_balances_weight_in_the_belt_frame(uphill) -> None:
    raw, stances, _ = uphill
    config = TreadmillConfig()
    weight = PERSON.body_mass_kg * GRAVITY_MPS2
    slope = math.radians(raw.info.gradient_deg)
    t = raw.force["time_s"].to_numpy()
    # Whole steps, from one contact to a later one.
    window = (t >= stances["contact_start_s"].iloc[1]) & (t < stances["contact_start_s"].iloc[-1])
    normal = raw.force["belt_fz_n"].to_numpy()[window].mean()
    along = raw.force["belt_fx_n"].to_numpy()[window].mean()
    assert normal == pytest.approx(weight * math.cos(slope), rel=0.02)
    friction = config.belt_friction_coefficient * normal
    assert along == pytest.approx(weight * math.sin(slope) - friction, abs=0.012 * weight)


def test_cop_moves_backwards_with_the_belt(uphill) -> None:
    raw, stances, _ = uphill
    t = raw.force["time_s"].to_numpy()
    row = stances.iloc[5]
    window = (t > row["ic_s"] + 0.03) & (t < row["to_s"] - 0.03)
    cop = raw.force["belt_cop_x_m"].to_numpy()[window]
    slope = np.polyfit(t[window], cop, 1)[0]
    assert slope < -0.5 * raw.info.belt_speed_mps


def test_resonator_keeps_slow_signals_and_rings_after_steps() -> None:
    rate = 1000.0
    step = np.r_[np.zeros(100), np.ones(900)]
    out = resonator(step, frequency_hz=45.0, damping_ratio=0.1, rate_hz=rate)
    assert out[-1] == pytest.approx(1.0, abs=1e-3)
    assert out.max() > 1.5  # overshoot of a lightly damped resonance
    crossings = np.flatnonzero(np.diff(np.sign(out[100:400] - 1.0)) != 0)
    period = 2 * np.mean(np.diff(crossings)) / rate
    assert 1 / period == pytest.approx(45.0, rel=0.1)


def test_belt_plate_geometry() -> None:
    plate = belt_plate(TreadmillConfig(belt_length_m=2.0, belt_width_m=0.5))
    assert (plate.name, plate.x_min_m, plate.x_max_m, plate.y_min_m, plate.y_max_m) == ("belt", -1.0, 1.0, -0.25, 0.25)


def test_unknown_condition_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        simulate_treadmill_bout(PERSON, "medium_steep", duration_s=10.0, seed=0)


def test_truth_holds_the_belt_reduced_force_and_its_impulses(uphill) -> None:
    _, stances, _ = uphill
    weight = PERSON.body_mass_kg * GRAVITY_MPS2
    forces = [stance_force_from_truth(row) for _, row in stances.iterrows()]
    braking = np.array([f.braking_impulse_ns for f in forces]) / weight
    assert np.allclose(stances["braking_impulse_bws"], braking)
    assert np.allclose(stances["force_contact_time_s"], stances["contact_time_s"])
    # Uphill the runner pushes more than it brakes: net propulsion against gravity's downhill pull.
    net = stances["propulsive_impulse_bws"] - stances["braking_impulse_bws"]
    assert net.mean() > 0
