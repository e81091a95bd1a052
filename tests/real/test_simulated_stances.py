"""Tests of the simulated stances at real speeds: inside physical ranges."""

from __future__ import annotations

from grfkit.real.simulated_stances import (
    SIMULATOR_SPEED_RANGE_MPS,
    simulate_overground_stances,
    simulate_treadmill_stances,
)
from grfkit.real.stance_features import FEATURES, stance_features


def test_simulated_treadmill_stays_inside_physical_ranges() -> None:
    sim = simulate_treadmill_stances((3.0, 4.0), n_participants=2, duration_s=10.0)
    features = stance_features(sim)
    assert set(sim.meta["foot"]) == {"left", "right"}
    means = features.groupby("speed_mps")[list(FEATURES)].mean()
    assert means["peak_vgrf_bw"].between(1.8, 3.2).all()
    assert means["contact_time_s"].between(0.18, 0.34).all()
    assert means["contact_time_s"].is_monotonic_decreasing
    assert means["peak_braking_bw"].between(0.1, 0.5).all() and means["peak_propulsive_bw"].between(0.1, 0.5).all()
    assert means["braking_impulse_bws"].between(0.008, 0.035).all()
    # level treadmill at constant belt speed: no net fore-aft impulse (no artificial belt friction)
    imbalance = (means["braking_impulse_bws"] - means["propulsive_impulse_bws"]).abs()
    assert (imbalance < 0.003).all()
    # no speed jumps from the runner's drift on the belt: stance-to-stance impulse spread stays small
    assert features.groupby("speed_mps")["braking_impulse_bws"].std().max() < 0.008


def test_simulated_overground_clean_contacts_are_plausible() -> None:
    sim = simulate_overground_stances(3.5, n_participants=1, duration_s=40.0)
    assert len(sim) > 0 and (sim.meta["environment"] == "overground").all()
    features = stance_features(sim)
    assert features["peak_vgrf_bw"].between(1.5, 3.5).all()
    assert features["contact_time_s"].between(0.15, 0.35).all()
    assert SIMULATOR_SPEED_RANGE_MPS[0] <= 3.5 <= SIMULATOR_SPEED_RANGE_MPS[1]
