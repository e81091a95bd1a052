"""Tests of grfkit.simulate.paths: each physical path carries its property of the AP force to the sensors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grfkit.constants import GRAVITY_MPS2
from grfkit.simulate import OVERGROUND_COHORT, sample_participant
from grfkit.simulate.paths import sensor_path_variants


@pytest.fixture(scope="module")
def variants() -> tuple[pd.DataFrame, pd.DataFrame]:
    return sensor_path_variants(seed=0)


def numbers(summary: pd.DataFrame, path: str, column: str) -> pd.Series:
    return summary.loc[summary["path"] == path].set_index("variant")[column]


def test_tables_are_tidy_with_every_variant(variants) -> None:
    curves, summary = variants
    expected = [("braking", v) for v in ("low", "typical", "high")]
    expected += [("transition", v) for v in ("early", "typical", "late")]
    expected += [("propulsion", v) for v in ("low", "typical", "high")]
    assert list(zip(summary["path"], summary["variant"], strict=True)) == expected
    assert list(curves.drop_duplicates(["path", "variant"])[["path", "variant"]].itertuples(index=False)) == expected
    assert list(curves.columns[:2]) == ["path", "variant"]
    assert not curves.duplicated(["path", "variant", "time_s"]).any()


def test_typical_variant_is_the_same_stance_in_every_path(variants) -> None:
    curves, summary = variants
    typical = curves.loc[curves["variant"] == "typical"]
    first = typical.loc[typical["path"] == "braking"].drop(columns="path").reset_index(drop=True)
    for path in ("transition", "propulsion"):
        other = typical.loc[typical["path"] == path].drop(columns="path").reset_index(drop=True)
        pd.testing.assert_frame_equal(first, other)
    assert summary.loc[summary["variant"] == "typical"].drop(columns="path").nunique().max() == 1


def test_harder_braking_decelerates_the_shoe_more_at_touchdown(variants) -> None:
    _, summary = variants
    impulse = numbers(summary, "braking", "braking_impulse_mps")
    acc = numbers(summary, "braking", "touchdown_acc_x_integral_mps")
    assert impulse["low"] < impulse["typical"] < impulse["high"]
    assert acc["high"] < acc["typical"] < acc["low"]
    # Only the forward touchdown velocity changes: 1.75 m/s per m/s of braking impulse (ImuConfig).
    assert acc["low"] - acc["high"] == pytest.approx(1.75 * (impulse["high"] - impulse["low"]), rel=0.05)
    # A longer lever scales the AP force; its zero crossing barely moves.
    transition = numbers(summary, "braking", "transition_pct")
    assert transition.max() - transition.min() < 2.0


def test_a_later_transition_raises_the_heel_later(variants) -> None:
    _, summary = variants
    transition = numbers(summary, "transition", "transition_pct")
    onset = numbers(summary, "transition", "gyro_y_onset_pct")
    heel_off = numbers(summary, "transition", "heel_off_pct")
    assert transition["early"] < transition["typical"] < transition["late"]
    assert onset["early"] <= onset["typical"] <= onset["late"] and onset["early"] < onset["late"]
    # The roll-over starts just after the zero crossing of the AP force.
    assert (onset > transition).all() and (onset - transition < 10.0).all()
    # The late transition comes from a centre of pressure that reaches the forefoot sooner: the COP
    # stays ahead of the centre of mass longer, so braking lasts longer while the heel unloads early.
    assert heel_off["late"] < heel_off["typical"] < heel_off["early"]


def test_the_centre_of_pressure_path_that_times_the_transition_is_the_insole_s(variants) -> None:
    curves, _ = variants
    late = curves.loc[(curves["path"] == "transition") & (curves["variant"] == "late")].set_index("time_s")
    early = curves.loc[(curves["path"] == "transition") & (curves["variant"] == "early")].set_index("time_s")
    mid = (early["stance_pct"] > 20) & (early["stance_pct"] < 60)
    assert (late.loc[mid, "cop_ap_frac"] > early.loc[mid, "cop_ap_frac"]).all()
    assert (late.loc[mid, "forefoot_share_frac"] > early.loc[mid, "forefoot_share_frac"]).all()


def test_a_step_that_speeds_up_pushes_harder_and_rolls_the_foot_further(variants) -> None:
    _, summary = variants
    propulsive = numbers(summary, "propulsion", "propulsive_impulse_mps")
    braking = numbers(summary, "propulsion", "braking_impulse_mps")
    angle = numbers(summary, "propulsion", "rollover_angle_deg")
    assert propulsive["low"] < propulsive["typical"] < propulsive["high"]
    # Momentum balance: the net impulse per kilogram is the speed change (0.1 m/s by default).
    assert propulsive["high"] - braking["high"] == pytest.approx(0.1, abs=1e-9)
    assert propulsive["low"] - braking["low"] == pytest.approx(-0.1, abs=1e-9)
    assert angle["low"] < angle["typical"] < angle["high"]


def test_curves_hold_the_true_force_and_the_insole_shares(variants) -> None:
    curves, summary = variants
    high = curves.loc[(curves["path"] == "propulsion") & (curves["variant"] == "high")]
    net_mps = np.trapezoid(high["apgrf_bw"], high["time_s"]) * GRAVITY_MPS2
    row = summary.loc[(summary["path"] == "propulsion") & (summary["variant"] == "high")].iloc[0]
    assert net_mps == pytest.approx(row["propulsive_impulse_mps"] - row["braking_impulse_mps"], abs=0.005)
    off = (curves["stance_pct"] < 0) | (curves["stance_pct"] > 100)
    assert (curves.loc[off, ["vgrf_bw", "apgrf_bw"]] == 0).all().all()
    assert curves.loc[off, ["cop_ap_frac", "heel_share_frac", "forefoot_share_frac"]].isna().all().all()
    on = curves.loc[~off & (curves["vgrf_bw"] > 0)]
    assert ((on["heel_share_frac"] + on["forefoot_share_frac"]) <= 1.0 + 1e-12).all()
    # A rear-foot striker (OG01 at seed 0) lands on the heel and leaves from the toes.
    assert on["cop_ap_frac"].iloc[0] < 0.25 and on["cop_ap_frac"].iloc[-1] > 0.85
    assert 1.5 < curves["vgrf_bw"].max() < 3.5


def test_a_forefoot_striker_shows_the_transition_in_the_gyroscope_too() -> None:
    runner = sample_participant(OVERGROUND_COHORT, 4, 0)
    assert runner.foot_strike == "forefoot"
    _, summary = sensor_path_variants(runner, speed_mps=3.5, seed=1)
    onset = numbers(summary, "transition", "gyro_y_onset_pct")
    assert onset["early"] <= onset["typical"] <= onset["late"]
    assert numbers(summary, "braking", "touchdown_acc_x_integral_mps").is_monotonic_decreasing


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="braking_factors"):
        sensor_path_variants(braking_factors=(0.0, 1.3))
    with pytest.raises(ValueError, match="cop_exponent_factors"):
        sensor_path_variants(cop_exponent_factors=(0.0, 2.0))
