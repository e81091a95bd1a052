"""Tests of grfkit.model.baselines: the no-wearable mean-curve and nearest-stance baselines."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.constants import GRAVITY_MPS2, N_POINTS
from grfkit.errors import ConfigError, DropoutError
from grfkit.io.stances import StanceDataset
from grfkit.model.baselines import (
    BASELINES,
    STATIC_BASELINE_FEATURES,
    fit_baseline,
    predict_baseline,
)
from grfkit.model.training import split_participants

SHAPE = np.sin(np.pi * np.linspace(0.0, 1.0, N_POINTS))


def tiny(
    peaks_bw: Sequence[float],
    *,
    contact_time_s: Sequence[float],
    body_mass_kg: Sequence[float],
    speed_mps: Sequence[float] | None = None,
    gradient_deg: Sequence[float] | None = None,
    participants: Sequence[str] | None = None,
) -> StanceDataset:
    """Stances whose vGRF is ``peak * body weight * half-sine`` and apGRF minus half of it."""
    n = len(peaks_bw)
    meta = pd.DataFrame(
        {
            "dataset": "overground",
            "participant": list(participants) if participants is not None else [f"P{i}" for i in range(n)],
            "bout": "medium",
            "foot": "left",
            "plate": "plate1",
            "ic_s": np.arange(n, dtype=float),
            "to_s": np.arange(n, dtype=float) + np.asarray(contact_time_s),
            "contact_time_s": list(contact_time_s),
            "speed_mps": list(speed_mps) if speed_mps is not None else [3.0] * n,
            "gradient_deg": list(gradient_deg) if gradient_deg is not None else [0.0] * n,
            "body_mass_kg": list(body_mass_kg),
            "insole_length_m": 0.27,
        }
    )
    weight_n = np.asarray(body_mass_kg, dtype=float) * GRAVITY_MPS2
    vgrf = np.asarray(peaks_bw, dtype=float)[:, None] * weight_n[:, None] * SHAPE
    targets = np.stack([vgrf, -0.5 * vgrf], axis=-1)
    inputs = np.ones((n, N_POINTS, 1))
    return StanceDataset(meta, inputs, targets, ("fsr",), ("vgrf_n", "apgrf_n"))


def test_names() -> None:
    assert BASELINES == ("baseline_mean", "baseline_static")
    assert STATIC_BASELINE_FEATURES == ("contact_time_s", "speed_mps", "body_mass_kg", "gradient_deg")


def test_mean_baseline_is_the_training_mean_curve_times_test_body_weight() -> None:
    train = tiny([1.0, 2.0, 4.0], contact_time_s=[0.25, 0.5, 0.75], body_mass_kg=[100.0, 50.0, 80.0])
    test = tiny([9.0, 9.0], contact_time_s=[0.3, 0.6], body_mass_kg=[60.0, 90.0])
    model = fit_baseline("baseline_mean", train, target="vgrf")
    assert model.kind == "baseline_mean" and model.target == "vgrf" and model.n_stances == 3
    assert model.curves_bw.shape == (3, N_POINTS) and model.curves_bw.dtype == np.float64
    np.testing.assert_allclose(model.curves_bw[:, 50], [1.0, 2.0, 4.0], rtol=1e-6)
    estimated = predict_baseline(model, test)
    assert estimated.shape == (2, N_POINTS)
    expected = (7.0 / 3.0) * SHAPE[None, :] * (np.array([60.0, 90.0]) * GRAVITY_MPS2)[:, None]
    np.testing.assert_allclose(estimated, expected, rtol=1e-6, atol=1e-9)
    apgrf = predict_baseline(fit_baseline("baseline_mean", train, target="apgrf"), test)
    np.testing.assert_allclose(apgrf, -0.5 * expected, rtol=1e-6, atol=1e-9)


def test_static_baseline_averages_the_nearest_training_stances() -> None:
    # Only contact time varies in training (speed, mass, gradient have zero SD and are ignored).
    train = tiny([1.0, 2.0, 4.0], contact_time_s=[0.25, 0.5, 0.75], body_mass_kg=[70.0] * 3)
    test = tiny([0.0] * 3, contact_time_s=[0.74, 0.6, 0.375], body_mass_kg=[60.0, 60.0, 60.0],
                speed_mps=[3.0, 9.0, 3.0], gradient_deg=[0.0, 0.0, 10.0])
    weight_n = 60.0 * GRAVITY_MPS2
    one = predict_baseline(fit_baseline("baseline_static", train, target="vgrf", k_neighbours=1), test)
    # 0.74 -> 0.75 (4 BW); 0.6 -> 0.5 (2 BW); 0.375 is as far from 0.25 as from 0.5: the first wins (1 BW).
    np.testing.assert_allclose(one[:, 50], np.array([4.0, 2.0, 1.0]) * weight_n, rtol=1e-6)
    two = predict_baseline(fit_baseline("baseline_static", train, target="vgrf", k_neighbours=2), test)
    np.testing.assert_allclose(two[:, 50], np.array([3.0, 3.0, 1.5]) * weight_n, rtol=1e-6)
    # k larger than the training set: all of it.
    many = predict_baseline(fit_baseline("baseline_static", train, target="vgrf", k_neighbours=25), test)
    np.testing.assert_allclose(many[:, 50], np.full(3, 7.0 / 3.0) * weight_n, rtol=1e-6)


def test_static_baseline_standardises_the_features() -> None:
    # Raw distances would pick stance 1 (contact time 0.45 s away, same mass);
    # in SD units stance 0 is nearer (0.05 s and 1 kg away).
    train = tiny([1.0, 2.0, 4.0], contact_time_s=[0.25, 0.75, 0.5], body_mass_kg=[70.0, 71.0, 90.0])
    test = tiny([0.0], contact_time_s=[0.3], body_mass_kg=[71.0])
    model = fit_baseline("baseline_static", train, target="vgrf", k_neighbours=1)
    np.testing.assert_allclose(model.feature_mean, [0.5, 3.0, 77.0, 0.0])
    np.testing.assert_allclose(model.feature_sd, np.std([[0.25, 3.0, 70.0, 0.0], [0.75, 3.0, 71.0, 0.0],
                                                        [0.5, 3.0, 90.0, 0.0]], axis=0))
    np.testing.assert_allclose(predict_baseline(model, test)[0, 50], 1.0 * 71.0 * GRAVITY_MPS2, rtol=1e-6)


def test_errors() -> None:
    train = tiny([1.0, 2.0], contact_time_s=[0.25, 0.5], body_mass_kg=[70.0, 60.0])
    with pytest.raises(ConfigError, match="unknown baseline 'baseline_median'"):
        fit_baseline("baseline_median", train, target="vgrf")
    with pytest.raises(ConfigError, match="unknown target 'mlgrf'"):
        fit_baseline("baseline_mean", train, target="mlgrf")
    with pytest.raises(ConfigError, match="k_neighbours must be at least 1"):
        fit_baseline("baseline_static", train, target="vgrf", k_neighbours=0)
    with pytest.raises(ConfigError, match="needs training stances"):
        fit_baseline("baseline_static", train.subset(np.zeros(2, bool)), target="vgrf")
    nan_speed = tiny([1.0, 2.0], contact_time_s=[0.25, 0.5], body_mass_kg=[70.0, 60.0], speed_mps=[3.0, np.nan],
                     participants=["A", "B"])
    with pytest.raises(DropoutError, match=r"speed_mps.*\['B'\]"):
        fit_baseline("baseline_static", nan_speed, target="vgrf")
    model = fit_baseline("baseline_static", train, target="vgrf")
    with pytest.raises(DropoutError, match="speed_mps"):
        predict_baseline(model, nan_speed)
    massless = tiny([1.0], contact_time_s=[0.3], body_mass_kg=[0.0], participants=["M"])
    with pytest.raises(ConfigError, match=r"body_mass_kg.*\['M'\]"):
        predict_baseline(fit_baseline("baseline_mean", train, target="vgrf"), massless)


def test_empty_test_set_gives_an_empty_estimate() -> None:
    train = tiny([1.0, 2.0], contact_time_s=[0.25, 0.5], body_mass_kg=[70.0, 60.0])
    for kind in BASELINES:
        assert predict_baseline(fit_baseline(kind, train, target="vgrf"), train.subset(np.zeros(2, bool))).shape == (
            0,
            N_POINTS,
        )


@st.composite
def cohorts(draw: st.DrawFn, min_stances: int = 1) -> StanceDataset:
    """Random stances: 1-12 of them, random peaks, metadata and masses (seeded by hypothesis)."""
    n = draw(st.integers(min_stances, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return tiny(
        rng.uniform(1.5, 3.0, n),
        contact_time_s=rng.uniform(0.15, 0.35, n),
        body_mass_kg=rng.uniform(45.0, 110.0, n),
        speed_mps=rng.choice([2.5, 3.0, 3.5, 4.0], n),
        gradient_deg=rng.choice([0.0, 0.0, 5.0], n),
        participants=[f"P{i % 4}" for i in range(n)],
    )


@settings(max_examples=40, deadline=None)
@given(train=cohorts(), test=cohorts())
def test_static_baseline_with_k_equal_n_is_the_mean_baseline(train: StanceDataset, test: StanceDataset) -> None:
    static = fit_baseline("baseline_static", train, target="vgrf", k_neighbours=len(train))
    mean = fit_baseline("baseline_mean", train, target="vgrf")
    np.testing.assert_allclose(predict_baseline(static, test), predict_baseline(mean, test), rtol=1e-12, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(train=cohorts(), test=cohorts(), factor=st.floats(0.5, 3.0), k=st.integers(1, 5))
def test_predictions_scale_with_the_test_body_mass(train: StanceDataset, test: StanceDataset, factor: float,
                                                   k: int) -> None:
    heavier_meta = test.meta.assign(body_mass_kg=test.meta["body_mass_kg"] * factor)
    heavier = StanceDataset(heavier_meta, test.inputs, test.targets, test.input_channels, test.target_channels)
    mean = fit_baseline("baseline_mean", train, target="apgrf")
    np.testing.assert_allclose(predict_baseline(mean, heavier), predict_baseline(mean, test) * factor, rtol=1e-12)
    # With one body mass throughout training the static baseline ignores mass, so it scales too.
    same_mass = StanceDataset(train.meta.assign(body_mass_kg=75.0), train.inputs, train.targets,
                              train.input_channels, train.target_channels)
    static = fit_baseline("baseline_static", same_mass, target="vgrf", k_neighbours=k)
    np.testing.assert_allclose(predict_baseline(static, heavier), predict_baseline(static, test) * factor,
                               rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(data=cohorts(min_stances=5), seed=st.integers(0, 1000), k=st.integers(1, 6))
def test_held_out_stances_never_affect_the_fit(data: StanceDataset, seed: int, k: int) -> None:
    held_out = "P0"
    rng = np.random.default_rng(seed)
    mask = (data.meta["participant"] == held_out).to_numpy()
    targets, inputs = data.targets.copy(), data.inputs.copy()
    targets[mask] = rng.normal(0.0, 1e5, targets[mask].shape)
    inputs[mask] = rng.normal(0.0, 1e5, inputs[mask].shape)
    meta = data.meta.copy()
    for column in STATIC_BASELINE_FEATURES:
        meta.loc[mask, column] = meta.loc[mask, column] * 3.0
    perturbed = StanceDataset(meta, inputs, targets, data.input_channels, data.target_channels)
    for kind in BASELINES:
        (train_a, test_a), (train_b, test_b) = (split_participants(d, [held_out]) for d in (data, perturbed))
        a = fit_baseline(kind, train_a, target="vgrf", k_neighbours=k)
        b = fit_baseline(kind, train_b, target="vgrf", k_neighbours=k)
        assert a.equals(b) and a.participants == tuple(p for p in ("P1", "P2", "P3") if p in data.participants)
        # The held-out stances' forces and wearable inputs are never read to predict them either.
        forces_only = StanceDataset(test_a.meta, test_b.inputs, test_b.targets, test_a.input_channels,
                                    test_a.target_channels)
        np.testing.assert_array_equal(predict_baseline(a, test_a), predict_baseline(a, forces_only))


def test_equals_notices_any_difference() -> None:
    train = tiny([1.0, 2.0, 4.0], contact_time_s=[0.25, 0.5, 0.75], body_mass_kg=[100.0, 50.0, 80.0])
    a = fit_baseline("baseline_static", train, target="vgrf", k_neighbours=2)
    assert a.equals(fit_baseline("baseline_static", train, target="vgrf", k_neighbours=2))
    assert not a.equals(fit_baseline("baseline_static", train, target="vgrf", k_neighbours=3))
    assert not a.equals(fit_baseline("baseline_mean", train, target="vgrf", k_neighbours=2))
    assert not a.equals(fit_baseline("baseline_static", train.subset(np.array([True, True, False])),
                                     target="vgrf", k_neighbours=2))
