"""Tests of the no-wearable baselines on real and simulated stances."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import ConfigError
from grfkit.model.baselines import BASELINES
from grfkit.real.baseline_comparison import (
    baseline_sim_vs_real,
    matched_to_hamner,
    static_baseline_loso,
    summarise_baseline_loso,
)
from grfkit.real.hamner import hamner_stances

S = np.linspace(0.0, 1.0, 101)


def test_static_baseline_loso_scores_every_participant_and_kind(stance_factory, synthetic) -> None:
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
    # the real rows are one cohort's summary; given as scores they give the same comparison
    real_rows = summarise_baseline_loso(real, "real", k_neighbours=5)
    pd.testing.assert_frame_equal(real_rows.set_index(["cohort", "target", "kind"]),
                                  table.loc[["real"], list(real_rows.columns[3:])])
    from_scores = baseline_sim_vs_real(None, simulated, k_neighbours=5, real_scores=real_rows)
    pd.testing.assert_frame_equal(from_scores.set_index(["cohort", "target", "kind"]), table)
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
