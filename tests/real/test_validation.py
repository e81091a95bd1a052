"""Tests of the simulator validation: the comparison table, and the simulator kept
inside the real treadmill spread (with the real data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import ConfigError
from grfkit.real.calibration import CALIBRATION, VALIDATION, select_part
from grfkit.real.chain import force_stance_dataset
from grfkit.real.hamner import hamner_stances
from grfkit.real.simulated_stances import (
    simulate_treadmill_stances,
)
from grfkit.real.validation import (
    Comparison,
    format_validation_table,
    validate_simulator,
    validation_table,
)


def test_validation_table_flags_a_simulator_outside_the_real_spread(synthetic) -> None:
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


def test_format_validation_table_writes_mean_and_sd(synthetic) -> None:
    table = validation_table([Comparison("c", "treadmill", 3.0, synthetic([2.3, 2.7]), None)])
    shown = format_validation_table(table, digits=2)
    row = shown.loc[("c", "peak vertical force (BW)")]
    assert row["real"] == "2.50 ± 0.28 (n=2)" and row["simulated"] == "—"


def test_comparison_rejects_an_unknown_reference(synthetic) -> None:
    from grfkit.errors import ConfigError

    with pytest.raises(ConfigError):
        Comparison("x", "treadmill", 3.0, synthetic([2.5]), None, reference="both")


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


def test_validate_simulator_compares_the_held_out_runners_only(synthetic) -> None:
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


def _peak_stances(peaks: list[tuple[str, float]]):

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
