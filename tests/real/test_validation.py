"""Tests of the simulator validation: stance features, the comparison table, and the simulator kept
inside physical ranges (always) and inside the real treadmill spread (with the real data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import ConfigError
from grfkit.model.baselines import BASELINES
from grfkit.real.calibration import CALIBRATION, VALIDATION, select_part
from grfkit.real.chain import force_stance_dataset
from grfkit.real.hamner import hamner_stances
from grfkit.real.baseline_comparison import (
    baseline_sim_vs_real,
    matched_to_hamner,
    static_baseline_loso,
)
from grfkit.real.simulated_stances import (
    SIMULATOR_SPEED_RANGE_MPS,
    simulate_overground_stances,
    simulate_treadmill_stances,
)
from grfkit.real.stance_features import FEATURES, curve_summary, stance_features
from grfkit.real.validation import (
    Comparison,
    format_validation_table,
    validate_simulator,
    validation_table,
)

WEIGHT_N = 700.0
S = np.linspace(0.0, 1.0, 101)


def synthetic(
    peaks_bw, braking_bw=0.3, contact_s=0.25, speed=3.0, participants=None, dataset="x"
) -> object:
    """Half-sine vertical curves of the given peaks, a sine AP curve (braking then propulsion)."""
    peaks_bw = np.atleast_1d(peaks_bw)
    n = len(peaks_bw)
    participants = [f"p{i}" for i in range(n)] if participants is None else list(participants)
    curves = np.stack(
        [
            np.stack([WEIGHT_N * p * np.sin(np.pi * S), -WEIGHT_N * braking_bw * np.sin(2 * np.pi * S), 0 * S], -1)
            for p in peaks_bw
        ]
    )
    meta = pd.DataFrame(
        {"dataset": dataset, "participant": participants, "bout": "b", "foot": "left", "plate": "belt",
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
    """The simulator's stance features at 3 and 4 m/s lie near the held-out Hamner runners' means."""
    real = select_part(hamner_stances(real_dataset("hamner2013"), runs=("Run_3", "Run_4")), VALIDATION)
    assert set(real.participants) == {"subject10", "subject11", "subject17", "subject19", "subject20"}
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
    # The anteroposterior force model's two chosen numbers were fitted on the calibration runners
    # (every feature within 1.8 SD there, 2-5 m/s). On these held-out runners the simulated braking
    # peak is a little low (z about -2.1 to -2.3 at 3 and 4 m/s, depending on the simulated sample;
    # chapter 6 reports it): the test keeps every feature within 2.5 SD and, for this sample, all but
    # one within 2 SD, so that a regression shows.
    shown = table[["comparison", "feature", "real_mean", "real_sd", "simulated_mean", "z"]].to_string()
    assert (table["z"].abs() <= 2.5).all(), shown
    assert (~table["inside"].astype(bool)).sum() <= 1, shown


def test_validate_simulator_compares_the_held_out_runners_only() -> None:
    """By default only the validation runners are compared; Dorn (a calibration runner) only on request."""
    hamner = synthetic(
        [2.4, 2.6, 2.5, 2.7], participants=["subject01", "subject01", "subject10", "subject10"], dataset="hamner2013"
    )
    dorn = synthetic([2.6, 2.6], speed=3.5, participants=["JA1", "JA1"], dataset="dorn2012")
    dorn.meta["nominal_speed_mps"] = 3.5
    kwargs = dict(n_participants=1, treadmill_duration_s=6.0, overground_duration_s=20.0)
    held_out = validate_simulator(hamner, dorn, **kwargs)
    assert held_out.part == VALIDATION and "subject10" in held_out.runners and "subject01" not in held_out.runners
    assert set(held_out.table["part"]) == {VALIDATION} and set(held_out.curves["part"]) == {VALIDATION}
    assert set(held_out.table["environment"]) == {"treadmill"}  # no held-out overground runner
    assert (held_out.table["real_n"] == 2).all()
    assert held_out.table.loc[held_out.table["feature"] == "peak_vgrf_bw", "real_mean"].iloc[0] == pytest.approx(2.6)
    calibration = validate_simulator(hamner, dorn, **kwargs, part=CALIBRATION)
    assert set(calibration.table["environment"]) == {"treadmill", "overground"}
    peaks = calibration.table[calibration.table["feature"] == "peak_vgrf_bw"].set_index("environment")["real_mean"]
    assert peaks["treadmill"] == pytest.approx(2.5)
    treadmill_only = validate_simulator(hamner, None, **kwargs, part=CALIBRATION)  # Dorn absent
    assert set(treadmill_only.table["environment"]) == {"treadmill"}
    with pytest.raises(ConfigError):
        validate_simulator(hamner, dorn, **kwargs, part="everyone")
    with pytest.raises(ConfigError, match="no Hamner stance"):
        validate_simulator(select_part(hamner, CALIBRATION), dorn, **kwargs)


def test_static_baseline_loso_scores_every_participant_and_kind(stance_factory) -> None:
    data = stance_factory(participants=("A", "B", "C", "D"), stances_per_participant=8)
    table = static_baseline_loso(data, target="vgrf", k_neighbours=5)
    assert list(table.columns) == ["kind", "target", "dataset", "participant", "n_stances", "rrmse_pct", "rmse_bw", "r"]
    assert len(table) == 4 * len(BASELINES) and set(table["kind"]) == set(BASELINES)
    assert (table["n_stances"] == 8).all() and (table["target"] == "vgrf").all()
    assert set(table["dataset"]) == {"overground"}
    assert table["rrmse_pct"].between(0.0, 50.0).all()
    # the synthetic peak force rises with speed, which the static baseline sees and the mean curve does not
    means = table.groupby("kind")["rrmse_pct"].mean()
    assert means["baseline_static"] < means["baseline_mean"]
    # held out means held out: A's estimate is B's curve alone (2.0 BW peak estimated as 3.0 BW)
    pair = synthetic([2.0, 3.0], participants=["A", "B"])
    loso = static_baseline_loso(pair, target="vgrf").set_index(["kind", "participant"])
    expected_a = 100 * np.sqrt(np.mean(np.sin(np.pi * S) ** 2)) / 2.0
    assert loso.loc[("baseline_mean", "A"), "rrmse_pct"] == pytest.approx(expected_a, rel=1e-4)
    assert loso.loc[("baseline_static", "A"), "rrmse_pct"] == pytest.approx(expected_a, rel=1e-4)
    with pytest.raises(ConfigError):
        static_baseline_loso(pair.subset((pair.meta["participant"] == "A").to_numpy()), target="vgrf")


@pytest.mark.realdata
def test_static_baseline_on_real_hamner_stances(real_dataset) -> None:
    """On the ten Hamner runners the static baseline beats the mean curve for both targets (measured: vGRF
    7.2 vs 9.1 %, apGRF 7.6 vs 12.3 %)."""
    stances = hamner_stances(real_dataset("hamner2013"))
    table = pd.concat([static_baseline_loso(stances, target=target) for target in ("vgrf", "apgrf")])
    means = table.groupby(["target", "kind"])["rrmse_pct"].mean().unstack()
    assert (means["baseline_static"] < means["baseline_mean"]).all()
    assert means.stack().between(3.0, 20.0).all()


def test_baseline_sim_vs_real_sets_cohorts_side_by_side(stance_factory) -> None:
    real = stance_factory(participants=("H1", "H2", "H3"), stances_per_participant=8, seed=1, dataset="hamner2013")
    treadmill = stance_factory(participants=("T1", "T2", "T3", "T4"), stances_per_participant=8, seed=2,
                               dataset="treadmill")
    # T4 runs uphill and one of T1's stances is faster than any Hamner belt: both outside the matched rule
    treadmill.meta.loc[treadmill.meta["participant"] == "T4", "gradient_deg"] = 3.0
    treadmill.meta.loc[0, "speed_mps"] = 5.5
    overground = stance_factory(participants=("O1", "O2"), stances_per_participant=4, seed=3)
    simulated = type(treadmill).concat([treadmill, overground])
    assert matched_to_hamner(treadmill).sum() == 3 * 8 - 1
    table = baseline_sim_vs_real(real, simulated, k_neighbours=5).set_index(["cohort", "target", "kind"])
    assert len(table) == 3 * 2 * len(BASELINES)
    assert table.xs("real")["relative_difference_pct"].isna().all()
    assert table.xs("real")["within_tolerance"].isna().all()
    assert table.xs("simulated matched")["n_participants"].eq(3).all()
    assert table.xs("simulated matched")["n_stances"].eq(23).all()
    assert table.xs("simulated all")["n_stances"].eq(32).all()  # overground stances left out
    loso = static_baseline_loso(treadmill, target="apgrf", k_neighbours=5)
    sim = loso.loc[loso["kind"] == "baseline_static", "rrmse_pct"]
    ref = static_baseline_loso(real, target="apgrf", k_neighbours=5)
    ref = ref.loc[ref["kind"] == "baseline_static", "rrmse_pct"].mean()
    row = table.loc[("simulated all", "apgrf", "baseline_static")]
    assert row["rrmse_pct"] == pytest.approx(sim.mean())
    assert (row["rrmse_pct_min"], row["rrmse_pct_max"]) == (pytest.approx(sim.min()), pytest.approx(sim.max()))
    assert row["relative_difference_pct"] == pytest.approx(100 * (sim.mean() / ref - 1))
    assert row["within_tolerance"] == (abs(row["relative_difference_pct"]) <= 25.0)
    # the same stances as "real" and "simulated": no difference, inside the tolerance
    same = baseline_sim_vs_real(treadmill, treadmill, k_neighbours=5)
    alike = same[same["cohort"] == "simulated all"]
    assert np.allclose(alike["relative_difference_pct"], 0.0) and alike["within_tolerance"].all()
    # the real rows of that table (as a kept run holds them) give the same comparison without the real stances
    kept = table.reset_index()
    again = baseline_sim_vs_real(None, simulated, k_neighbours=5, real_scores=kept[kept["cohort"] == "real"])
    pd.testing.assert_frame_equal(again.set_index(["cohort", "target", "kind"]), table)
    with pytest.raises(ConfigError, match="not both"):
        baseline_sim_vs_real(real, simulated, real_scores=kept)


def test_baseline_sim_vs_real_without_real_data(stance_factory) -> None:
    treadmill = stance_factory(participants=("T1", "T2", "T3"), stances_per_participant=6, dataset="treadmill")
    table = baseline_sim_vs_real(None, treadmill, targets=("vgrf",), k_neighbours=5)
    assert set(table["cohort"]) == {"simulated matched", "simulated all"}
    assert table["relative_difference_pct"].isna().all() and table["within_tolerance"].isna().all()
    with pytest.raises(ConfigError, match="two participants"):
        baseline_sim_vs_real(None, stance_factory(participants=("O1", "O2")), k_neighbours=5)


def _peak_stances(peaks: list[tuple[str, float]]):
    from grfkit.real.chain import force_stance_dataset

    s = np.linspace(0, 1, 101)
    curves = np.stack([np.stack([700 * b * np.sin(np.pi * s), -70 * np.sin(2 * np.pi * s), 0 * s], -1)
                       for _, b in peaks])
    meta = pd.DataFrame({"dataset": "x", "participant": [p for p, _ in peaks], "bout": "b", "foot": "left",
                         "plate": "belt", "ic_s": 0.0, "to_s": 0.25, "contact_time_s": 0.25, "speed_mps": 3.0,
                         "gradient_deg": 0.0, "body_mass_kg": 700 / 9.81})
    return force_stance_dataset(meta, curves)


def test_runner_spread_separates_between_and_within_runner_variation() -> None:
    from grfkit.real.validation import runner_spread

    real = _peak_stances([("a", 2.0), ("a", 2.2), ("b", 2.6), ("b", 2.8)])
    # Runners twice as far apart, each as consistent as before.
    wider = _peak_stances([("a", 1.7), ("a", 1.9), ("b", 2.9), ("b", 3.1)])
    row = runner_spread([Comparison("3 m/s", "treadmill", 3.0, real, wider)]).set_index("feature").loc["peak_vgrf_bw"]
    assert row["between_ratio"] == pytest.approx(2.0)
    assert row["within_ratio"] == pytest.approx(1.0)
    assert row["n_runners_real"] == row["n_runners_simulated"] == 2
    assert runner_spread([Comparison("3 m/s", "treadmill", 3.0, real, None)]).empty
