"""Tests of grfkit.model.metrics."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from grfkit.constants import GRAVITY_MPS2
from grfkit.errors import ConfigError, LengthMismatchError
from grfkit.model.metrics import (
    evaluate,
    median_and_worst_stances,
    participant_metrics,
    pearson_r,
    rmse,
    rrmse_pct,
    stance_metrics,
    summarise,
)

T = np.linspace(0.0, 1.0, 101)
curves = arrays(np.float64, (3, 11), elements=st.floats(-1e3, 1e3, allow_subnormal=False))


def has_range(x: np.ndarray) -> bool:
    return bool(np.all(np.ptp(x, axis=-1) > 1e-3))


@settings(max_examples=50, deadline=None)
@given(curves)
def test_perfect_estimate_has_zero_rrmse(measured: np.ndarray) -> None:
    assume(has_range(measured))
    np.testing.assert_array_equal(rrmse_pct(measured, measured.copy()), 0.0)


@settings(max_examples=50, deadline=None)
@given(curves, curves, st.floats(1e-2, 1e2), st.floats(-1e3, 1e3))
def test_rrmse_ignores_units_and_offsets(measured, estimated, factor, offset) -> None:
    assume(has_range(measured))
    base = rrmse_pct(measured, estimated)
    assert np.all(base >= 0.0)
    np.testing.assert_allclose(rrmse_pct(measured * factor, estimated * factor), base, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(rrmse_pct(measured + offset, estimated + offset), base, rtol=1e-6, atol=1e-6)


def test_known_values() -> None:
    measured = np.array([0.0, 2.0, 0.0])
    estimated = np.array([0.0, 2.0, 0.3])
    assert rmse(measured, estimated) == pytest.approx(np.sqrt(0.09 / 3))
    assert rrmse_pct(measured, estimated) == pytest.approx(100 * np.sqrt(0.03) / 2)
    assert np.isnan(rrmse_pct(np.ones(5), np.zeros(5)))  # no range: undefined
    x = np.sin(np.pi * T)
    assert pearson_r(x, 3 * x + 1) == pytest.approx(1.0)
    assert pearson_r(x, -x) == pytest.approx(-1.0)
    assert np.isnan(pearson_r(x, np.zeros_like(x)))
    with pytest.raises(LengthMismatchError):
        rmse(np.zeros(5), np.zeros(6))


def test_curve_feature_errors() -> None:
    mass_kg = np.array([60.0, 80.0])
    contact_s = np.array([0.25, 0.20])
    weight = (mass_kg * GRAVITY_MPS2)[:, None]
    vgrf = 2.5 * np.sin(np.pi * T)[None, :] * weight
    v = stance_metrics(vgrf, 1.1 * vgrf, target="vgrf", body_mass_kg=mass_kg, contact_time_s=contact_s)
    np.testing.assert_allclose(v["peak_error_bw"], 0.25)
    np.testing.assert_allclose(v["rmse_bw"], 0.1 * 2.5 * np.sqrt(np.mean(np.sin(np.pi * T) ** 2)))
    np.testing.assert_allclose(v["r"], 1.0)
    assert list(v.columns) == ["rrmse_pct", "rmse_bw", "r", "peak_error_bw"]
    apgrf = -0.3 * np.sin(2 * np.pi * T)[None, :] * weight  # braking first half, propulsion second
    a = stance_metrics(apgrf, np.zeros_like(apgrf), target="apgrf", body_mass_kg=mass_kg, contact_time_s=contact_s)
    np.testing.assert_allclose(a["braking_peak_error_bw"], -0.3, rtol=1e-3)
    np.testing.assert_allclose(a["propulsive_peak_error_bw"], -0.3, rtol=1e-3)
    impulse_bws = 0.3 * contact_s / np.pi  # integral of 0.3 sin(2 pi t/T) over half the stance
    np.testing.assert_allclose(a["braking_impulse_error_bws"], -impulse_bws, rtol=1e-3)
    np.testing.assert_allclose(a["propulsive_impulse_error_bws"], -impulse_bws, rtol=1e-3)
    with pytest.raises(ConfigError):
        stance_metrics(vgrf, vgrf, target="mlgrf", body_mass_kg=mass_kg, contact_time_s=contact_s)
    with pytest.raises(LengthMismatchError):
        stance_metrics(vgrf, vgrf, target="vgrf", body_mass_kg=mass_kg[:1], contact_time_s=contact_s)


def test_aggregation_is_per_participant_then_across(stance_factory) -> None:
    ds = stance_factory(participants=("A", "B"), stances_per_participant=4)
    keep = np.array([True] * 4 + [True, False, False, False])  # A: 4 stances, B: 1 stance
    ds = ds.subset(keep)
    measured = ds.target("vgrf_n").astype(np.float64)
    estimated = measured.copy()
    estimated[4] += 0.1 * np.ptp(measured[4])  # B's only stance is off by 10 % of its range
    stances = evaluate(ds, estimated, "vgrf")
    assert list(stances.columns[:4]) == ["dataset", "participant", "bout", "ic_s"]
    np.testing.assert_allclose(stances["rrmse_pct"], [0, 0, 0, 0, 10.0], atol=1e-9)
    people = participant_metrics(stances)
    assert list(people["participant"]) == ["A", "B"] and list(people["n_stances"]) == [4, 1]
    assert "peak_abs_error_bw" in people.columns
    summary = summarise(people, columns=["rrmse_pct", "r"])
    row = summary.iloc[0]
    assert row["rrmse_pct_mean"] == pytest.approx(5.0)  # mean of participants, not of the 5 stances (2 %)
    assert (row["rrmse_pct_min"], row["rrmse_pct_max"]) == pytest.approx((0.0, 10.0))
    assert row["n_participants"] == 2
    with pytest.raises(ConfigError):
        summarise(people, columns=["nonsense"])
    with pytest.raises(ConfigError):
        participant_metrics(stances, by=["strategy"])


def test_summarise_by_group() -> None:
    people = pd.DataFrame(
        {
            "strategy": ["combined", "combined", "transfer", "transfer"],
            "participant": ["a", "b", "a", "b"],
            "rrmse_pct": [4.0, 6.0, 5.0, 9.0],
        }
    )
    summary = summarise(people, by=["strategy"]).set_index("strategy")
    assert summary.loc["combined", "rrmse_pct_mean"] == 5.0
    assert summary.loc["transfer", "rrmse_pct_max"] == 9.0


def test_median_and_worst_stances_of_one_strategy_and_target() -> None:
    per_stance = pd.DataFrame({
        "strategy": ["combined"] * 5 + ["transfer", "combined"],
        "target": ["vgrf"] * 4 + ["apgrf", "vgrf", "vgrf"],
        "rrmse_pct": [7.0, 3.0, np.nan, 5.0, 99.0, 50.0, 4.0],
    })
    # finite combined vGRF rows sorted: 1 (3), 6 (4), 3 (5), 0 (7): lower middle is row 6
    assert median_and_worst_stances(per_stance, target="vgrf") == {"median": 6, "worst": 0}
    assert median_and_worst_stances(per_stance, target="vgrf", strategy="transfer") == {
        "median": 5, "worst": 5}
    with pytest.raises(ConfigError, match="no apgrf stance of strategy 'transfer'"):
        median_and_worst_stances(per_stance, target="apgrf", strategy="transfer")


@given(st.lists(st.floats(0.0, 100.0), min_size=1, max_size=30))
def test_median_stance_has_half_the_stances_at_or_below_it(values: list[float]) -> None:
    per_stance = pd.DataFrame({"strategy": "combined", "target": "vgrf", "rrmse_pct": values})
    rows = median_and_worst_stances(per_stance, target="vgrf")
    median = values[rows["median"]]
    assert sum(v <= median for v in values) >= (len(values) + 1) // 2
    assert sum(v >= median for v in values) >= len(values) // 2 + 1
    assert values[rows["worst"]] == max(values)
