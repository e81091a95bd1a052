"""Tests of the simulator validation: stance features, the comparison table, and the simulator kept
inside physical ranges (always) and inside the real treadmill spread (with the real data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grfkit.real.chain import force_stance_dataset
from grfkit.real.hamner import hamner_stances
from grfkit.validation import (
    FEATURES,
    SIMULATOR_SPEED_RANGE_MPS,
    Comparison,
    curve_summary,
    format_validation_table,
    simulate_overground_stances,
    simulate_treadmill_stances,
    stance_features,
    validation_table,
)

WEIGHT_N = 700.0
S = np.linspace(0.0, 1.0, 101)


def synthetic(peaks_bw, braking_bw=0.3, contact_s=0.25, speed=3.0) -> object:
    """Half-sine vertical curves of the given peaks, a sine AP curve (braking then propulsion)."""
    peaks_bw = np.atleast_1d(peaks_bw)
    n = len(peaks_bw)
    curves = np.stack(
        [
            np.stack([WEIGHT_N * p * np.sin(np.pi * S), -WEIGHT_N * braking_bw * np.sin(2 * np.pi * S), 0 * S], -1)
            for p in peaks_bw
        ]
    )
    meta = pd.DataFrame(
        {"dataset": "x", "participant": [f"p{i}" for i in range(n)], "bout": "b", "foot": "left", "plate": "belt",
         "ic_s": np.arange(n, dtype=float), "to_s": np.arange(n) + contact_s, "contact_time_s": contact_s,
         "speed_mps": speed, "gradient_deg": 0.0, "body_mass_kg": WEIGHT_N / 9.81}
    )
    return force_stance_dataset(meta, curves)


def test_stance_features_of_known_curves() -> None:
    f = stance_features(synthetic([2.5], braking_bw=0.3, contact_s=0.25)).iloc[0]
    assert f["peak_vgrf_bw"] == pytest.approx(2.5)
    assert f["peak_braking_bw"] == pytest.approx(0.3, rel=1e-3) and f["peak_propulsive_bw"] == pytest.approx(0.3, rel=1e-3)
    # a sine lobe over half the stance: 0.3 * 0.125 s * 2 / pi
    assert f["braking_impulse_bws"] == pytest.approx(0.3 * 0.125 * 2 / np.pi, rel=1e-3)
    assert f["braking_impulse_bws"] == pytest.approx(f["propulsive_impulse_bws"], rel=1e-6)
    assert set(FEATURES) <= set(stance_features(synthetic([2.5])).columns)


def test_validation_table_flags_a_simulator_outside_the_real_spread() -> None:
    real = synthetic([2.3, 2.5, 2.7])  # SD 0.2
    close = synthetic([2.6, 2.6])
    far = synthetic([3.3, 3.3])
    table = validation_table(
        [
            Comparison("close", "treadmill", 3.0, real, close),
            Comparison("far", "treadmill", 3.0, real, far),
            Comparison("one runner", "overground", 3.5, synthetic([3.3]), synthetic([2.3, 2.5, 2.7]), reference="simulated"),
            Comparison("sprint", "overground", 9.0, real, None, reference="simulated"),
        ]
    ).set_index(["comparison", "feature"])
    assert table.loc[("close", "peak_vgrf_bw"), "inside"]
    assert table.loc[("close", "peak_vgrf_bw"), "z"] == pytest.approx(0.5)
    assert not table.loc[("far", "peak_vgrf_bw"), "inside"]
    # one real runner against the simulated population's spread: (3.3 - 2.5) / 0.2 = 4 simulated SD
    assert table.loc[("one runner", "peak_vgrf_bw"), "z"] == pytest.approx(-4.0)
    assert pd.isna(table.loc[("sprint", "peak_vgrf_bw"), "inside"])
    assert np.isnan(table.loc[("sprint", "peak_vgrf_bw"), "simulated_mean"])


def test_format_validation_table_writes_mean_and_sd() -> None:
    table = validation_table([Comparison("c", "treadmill", 3.0, synthetic([2.3, 2.7]), None)])
    shown = format_validation_table(table, digits=2)
    row = shown.loc[("c", "peak vertical force (BW)")]
    assert row["real"] == "2.50 ± 0.28 (n=2)" and row["simulated"] == "—"


def test_comparison_rejects_an_unknown_reference() -> None:
    from grfkit.errors import ConfigError

    with pytest.raises(ConfigError):
        Comparison("x", "treadmill", 3.0, synthetic([2.5]), None, reference="both")


def test_curve_summary_has_mean_and_sd_per_point() -> None:
    curves = curve_summary(synthetic([2.0, 3.0]), "x", "real")
    vertical = curves[curves["channel"] == "vgrf"]
    assert len(vertical) == 101 and vertical["mean_bw"].max() == pytest.approx(2.5)
    assert vertical["sd_bw"].iloc[50] == pytest.approx(np.std([2.0, 3.0], ddof=1))


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


@pytest.mark.realdata
def test_simulated_treadmill_lies_inside_the_hamner_spread_at_3_and_4_mps(real_dataset) -> None:
    """The simulator's stance features at 3 and 4 m/s lie within 2 real SD of Hamner's means."""
    real = hamner_stances(real_dataset("hamner2013"), runs=("Run_3", "Run_4"))
    simulated = simulate_treadmill_stances((3.0, 4.0), n_participants=4, duration_s=12.0)
    comparisons = [
        Comparison(
            f"{speed:g} m/s",
            "treadmill",
            speed,
            real.subset((real.meta["speed_mps"] == speed).to_numpy()),
            simulated.subset((simulated.meta["speed_mps"] == speed).to_numpy()),
        )
        for speed in (3.0, 4.0)
    ]
    table = validation_table(comparisons)
    outside = table[~table["inside"].astype(bool)]
    assert outside.empty, outside[["comparison", "feature", "real_mean", "real_sd", "simulated_mean", "z"]].to_string()
