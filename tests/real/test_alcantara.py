"""Tests of the Alcantara et al. (2022) accelerometer-to-vGRF chain and its condition split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import grfkit.experiment.strategies as strategies
import grfkit.real.alcantara as alcantara
from grfkit.errors import ConfigError
from grfkit.preprocess.skip_reasons import REASON_CUT
from grfkit.real.alcantara import (
    THRESHOLD_BW,
    alcantara_stances,
    condition_folds,
    condition_split_evaluation,
    flight_offset_bw,
    summarise_by_trial,
    trial_stances,
)
from grfkit.real.readers.alcantara import AlcantaraData

RATE = 500.0


def synthetic_data(n_trials: int = 6, offset_bw: float = -0.02, seed: int = 0) -> AlcantaraData:
    """Trials of 0.24 s half-sine stances every 0.36 s, flight at ``offset_bw`` with noise."""
    rng = np.random.default_rng(seed)
    n = 2480
    t = np.arange(n) / RATE
    grf, acc_v, acc_ap, rows = [], [], [], []
    for k in range(n_trials):
        speed = (2.5, 3.33, 4.17)[k % 3]
        slope = (-5.0, 5.0)[(k // 3) % 2]
        phase = (t + 0.1 + 0.05 * k) % 0.36
        stance = phase < 0.24
        force = np.where(stance, (2.0 + 0.1 * speed) * np.sin(np.pi * phase / 0.24), 0.0)
        grf.append(force + offset_bw + rng.normal(0.0, 0.01, n))
        acc_v.append(np.clip(force * 1.1 + rng.normal(0, 0.05, n), 0, None))
        acc_ap.append(np.where(stance, -0.5 * np.sin(2 * np.pi * phase / 0.24), 0.0))
        rows.append({"trial": k, "subject": 2, "body_mass_kg": 76.8, "speed_mps": speed, "slope_deg": slope, "valid_length": n})
    return AlcantaraData(info=pd.DataFrame(rows), acc_vertical_g=np.array(acc_v), acc_ap_g=np.array(acc_ap), grf_bw=np.array(grf))


def test_flight_offset_is_removed_before_thresholding() -> None:
    data = synthetic_data(offset_bw=-0.03)
    meta, inputs, vgrf_n, skipped = trial_stances(data, 0)
    assert meta["offset_bw"].iloc[0] == pytest.approx(-0.03, abs=0.005)
    assert inputs.shape == (len(meta), 101, 2) and vgrf_n.shape == (len(meta), 101)
    np.testing.assert_allclose(meta["contact_time_s"], 0.24, atol=0.02)
    weight = 76.8 * 9.81
    assert np.all(np.abs(vgrf_n[:, [0, -1]] / weight - THRESHOLD_BW) < 0.01)  # curves start and end at the threshold
    assert (skipped["reason"] == REASON_CUT).all()
    assert meta["condition"].iloc[0] == "2.50 m/s -5 deg"


def test_flight_offset_of_a_clean_signal() -> None:
    t = np.arange(0, 3, 1 / RATE)
    force = np.where((t % 0.4) < 0.25, 2.0 * np.sin(np.pi * (t % 0.4) / 0.25), 0.0)
    assert flight_offset_bw(force + 0.015, RATE) == pytest.approx(0.015)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(list("abcdefgh")), min_size=3, max_size=40), st.integers(0, 100), st.integers(2, 3))
def test_condition_folds_partition_the_conditions(conditions, seed, n_folds) -> None:
    distinct = set(conditions)
    if len(distinct) < n_folds:
        with pytest.raises(ConfigError):
            condition_folds(conditions, n_folds, seed)
        return
    folds = condition_folds(conditions, n_folds, seed)
    flat = [c for fold in folds for c in fold]
    assert len(folds) == n_folds and sorted(flat) == sorted(distinct) and all(folds)


def test_condition_split_never_shares_a_trial_between_training_and_test(monkeypatch, tiny_preset) -> None:
    data = synthetic_data(n_trials=6)
    stances = []
    for k in range(data.n_trials):
        meta, x, y, _ = trial_stances(data, k)
        stances.append((meta, x, y))
    from grfkit.io.stances import StanceDataset

    dataset = StanceDataset(
        meta=pd.concat([s[0] for s in stances], ignore_index=True),
        inputs=np.concatenate([s[1] for s in stances]).astype(np.float32),
        targets=np.concatenate([s[2] for s in stances])[:, :, None].astype(np.float32),
        input_channels=alcantara.ACC_CHANNELS,
        target_channels=("vgrf_n",),
    )
    trained_on: list[set[int]] = []
    real_fit = strategies.fit

    def spy(train, **kwargs):
        trained_on.append(set(train.meta["trial"]))
        return real_fit(train, **kwargs)

    monkeypatch.setattr(strategies, "fit", spy)
    result = condition_split_evaluation(dataset, n_folds=3, preset=tiny_preset)
    assert len(trained_on) == 3
    for fold, training in enumerate(trained_on):
        tested = set(result.stances.loc[result.stances["fold"] == fold, "trial"])
        assert tested and not (training & tested)
    assert sorted(result.stances["trial"].unique()) == list(range(6))  # every trial tested once
    assert len(result.stances) == len(dataset)
    summary = summarise_by_trial(result).iloc[0]
    assert summary["n_trials"] == 6 and summary["published_rrmse_pct_mean"] == 6.4
    assert np.isfinite(summary["rrmse_pct_mean"])


@pytest.mark.realdata
def test_alcantara_stances(real_dataset) -> None:
    ds = alcantara_stances(real_dataset("alcantara2022"))
    assert len(ds) > 400 and ds.meta["trial"].nunique() == 31 and ds.meta["condition"].nunique() == 15
    assert ds.meta["offset_bw"].abs().max() < 0.04
    assert ds.meta["contact_time_s"].between(0.15, 0.35).all()
    weight = ds.meta["body_mass_kg"].to_numpy()[:, None] * 9.81
    peaks = (ds.target("vgrf_n") / weight).max(axis=1)
    assert np.all((peaks > 1.5) & (peaks < 3.5))
    assert (ds.skipped["reason"] == REASON_CUT).all()
