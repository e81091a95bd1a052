"""FoldEnsemble: the jackknife+ band of the LOSO fold models (members, residuals, band, LOPO calibration,
save/load, errors)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from grfkit.errors import ChannelMismatchError, ConfigError, MissingFileError
from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.fold_ensemble import (
    FoldEnsemble,
    fold_ensemble,
    jackknife_plus_band,
    lopo_calibration,
    residual_quantiles,
)
from grfkit.experiment.lopo_curve import LopoCurve
from grfkit.model.features import build_targets
from grfkit.model.trained_model import TrainedModel
from grfkit.model.uncertainty import band_coverage

pytestmark = pytest.mark.usefixtures("one_torch_thread")
SUBJECTS = ("OG01", "OG02", "OG03")


@pytest.fixture(scope="module")
def _kept_once() -> dict[str, Path]:
    return {}


@pytest.fixture
def kept(_kept_once, run, config, stances, tmp_path: Path, tmp_path_factory) -> Path:
    """A copy of one results folder of the overground strategy (3 folds, tiny preset) with its fold models."""
    if "out" not in _kept_once:
        overground_only = ExperimentConfig(**{**config.__dict__, "strategies": ("overground",)})
        _kept_once["out"] = run(overground_only, stances, tmp_path_factory.mktemp("kept"), "out",
                                keep_models=True).out_dir
    shutil.copytree(_kept_once["out"], tmp_path / "out")
    return tmp_path / "out"


def _same_weights(a: TrainedModel, b: TrainedModel) -> bool:
    sa, sb = a.network.state_dict(), b.network.state_dict()
    return sa.keys() == sb.keys() and all(np.array_equal(sa[k].numpy(), sb[k].numpy()) for k in sa)


def test_members_are_the_fold_models_and_residuals_their_own_held_out_errors(kept, stances) -> None:
    ensemble = fold_ensemble(kept, strategy="overground", target="vgrf", n_quantiles=7)
    assert ensemble.participants == SUBJECTS and ensemble.quantiles_bw.shape == (3, 7, 101)
    assert ensemble.n_stances.tolist() == [4, 4, 4]
    for k, subject in enumerate(SUBJECTS):
        member = ensemble.members[k]
        assert _same_weights(member, TrainedModel.load(kept / "models" / "overground" / "vgrf" / subject))
        held_out = stances.subset((stances.meta["participant"] == subject).to_numpy())
        own_errors_bw = build_targets(held_out, "vgrf") - member.predict_bw(member.prepare_inputs(held_out))
        np.testing.assert_allclose(ensemble.quantiles_bw[k], residual_quantiles(own_errors_bw, 7), atol=1e-5)


def test_perturbing_one_participants_targets_changes_only_its_residuals(kept) -> None:
    before = fold_ensemble(kept, strategy="overground", target="vgrf")
    with np.load(kept / "curves.npz", allow_pickle=False) as data:
        curves = {k: data[k] for k in data.files}
    rows = curves["subject"] == "OG02"
    curves["measured_n"][rows] += np.linspace(0.0, 300.0, 101)
    with open(kept / "curves.npz", "wb") as handle:
        np.savez_compressed(handle, **curves)
    after = fold_ensemble(kept, strategy="overground", target="vgrf")
    for k, subject in enumerate(SUBJECTS):
        changed = not np.array_equal(before.quantiles_bw[k], after.quantiles_bw[k])
        assert changed == (subject == "OG02")


def test_band_shapes_order_and_nominal_monotonicity(kept, stances) -> None:
    ensemble = fold_ensemble(kept, strategy="overground", target="vgrf")
    band = ensemble.estimate(stances, nominal=0.9, calibrated=False)
    n = len(stances)
    assert band.mean_bw.shape == band.lower_bw.shape == band.upper_bw.shape == (n, 101)
    assert band.member_estimates_bw.shape == (3, n, 101)
    np.testing.assert_allclose(band.mean_bw, band.member_estimates_bw.mean(axis=0))
    assert (band.lower_bw <= band.upper_bw).all()
    # Signed residuals: the band is centred on mean + the typical residual (the tiny model underfits), so it
    # need not contain the mean; the bands of growing nominal coverage are nested around the pooled median.
    median = ensemble.estimate(stances, nominal=0.01, calibrated=False)
    narrow, wide = (ensemble.estimate(stances, nominal=n, calibrated=False) for n in (0.5, 0.95))
    for inner, outer in ((median, narrow), (narrow, band), (band, wide)):
        assert (outer.lower_bw <= inner.lower_bw).all() and (inner.upper_bw <= outer.upper_bw).all()
    assert (wide.upper_bw - wide.lower_bw).mean() > (narrow.upper_bw - narrow.lower_bw).mean()
    with pytest.raises(ConfigError, match="nominal"):
        ensemble.estimate(stances, nominal=1.0)


def test_synthetic_coverage_is_nominal_and_the_band_asymmetric() -> None:
    rng = np.random.default_rng(0)
    n_members, n_stances = 12, 400
    truth = np.sin(np.linspace(0, np.pi, 101))[None, :] * rng.uniform(1.5, 2.5, (n_stances, 1))
    skewed = lambda size: rng.gamma(2.0, 0.05, size) - 0.1
    estimates = truth[None] + rng.normal(0.0, 0.005, (n_members, 1, 101))
    quantiles = np.stack([residual_quantiles(skewed((200, 101))) for _ in range(n_members)])
    for nominal in (0.5, 0.9):
        lower, upper = jackknife_plus_band(estimates, quantiles, nominal)
        coverage = band_coverage(truth + skewed(truth.shape), lower, upper)
        assert abs(coverage.overall - nominal) < 0.03 and coverage.per_stance.shape == (n_stances,)
    centre = estimates.mean(axis=0)
    assert np.mean(upper - centre) > 1.5 * np.mean(centre - lower)


def test_save_load_round_trip(kept, stances, tmp_path: Path) -> None:
    ensemble = fold_ensemble(kept, strategy="overground", target="vgrf")
    loaded = FoldEnsemble.load(ensemble.save(tmp_path / "ensemble"))
    assert (loaded.strategy, loaded.target, loaded.participants) == ("overground", "vgrf", SUBJECTS)
    assert np.array_equal(loaded.quantiles_bw, ensemble.quantiles_bw)
    assert np.array_equal(loaded.n_stances, ensemble.n_stances) and loaded.provenance == ensemble.provenance
    assert all(_same_weights(a, b) for a, b in zip(loaded.members, ensemble.members))
    assert np.array_equal(loaded.calibration.levels, ensemble.calibration.levels)
    assert np.array_equal(loaded.calibration.coverage_by_participant, ensemble.calibration.coverage_by_participant)
    a, b = ensemble.estimate(stances, 0.5), loaded.estimate(stances, 0.5)
    assert a.calibrated and a.level == b.level and a.level > 0.5
    assert np.array_equal(a.lower_bw, b.lower_bw) and np.array_equal(a.upper_bw, b.upper_bw)
    shutil.rmtree(tmp_path / "ensemble" / "members" / "OG03")
    with pytest.raises(MissingFileError):
        FoldEnsemble.load(tmp_path / "ensemble")


def test_errors_name_what_is_missing(kept, run, config, stances, tmp_path: Path) -> None:
    plain = ExperimentConfig(**{**config.__dict__, "strategies": ("overground",)})
    run(plain, stances, tmp_path, "plain")
    with pytest.raises(MissingFileError, match="keep_models"):
        fold_ensemble(tmp_path / "plain", strategy="overground", target="vgrf")
    with pytest.raises(MissingFileError, match="'transfer'"):
        fold_ensemble(kept, strategy="transfer", target="vgrf")
    models = kept / "models" / "overground" / "vgrf"
    shutil.copytree(models / "OG01", models / "OG09")
    with pytest.raises(MissingFileError, match=r"without held-out curves for participants \['OG09'\]"):
        fold_ensemble(kept, strategy="overground", target="vgrf")
    shutil.rmtree(models / "OG09")
    shutil.rmtree(models / "OG02")
    with pytest.raises(MissingFileError, match=r"without their fold model for participants \['OG02'\]"):
        fold_ensemble(kept, strategy="overground", target="vgrf")


def test_members_of_other_channels_are_refused(kept) -> None:
    ensemble = fold_ensemble(kept, strategy="overground", target="vgrf")
    with pytest.raises(ChannelMismatchError, match="OG01"):
        FoldEnsemble(strategy="overground", target="apgrf", participants=ensemble.participants,
                     members=ensemble.members, quantiles_bw=ensemble.quantiles_bw, n_stances=ensemble.n_stances,
                     provenance={})


@pytest.mark.parametrize("nominal", [0.2, 0.9, 0.99])
def test_band_is_the_pooled_order_statistic(nominal: float) -> None:
    rng = np.random.default_rng(1)
    estimates, quantiles = rng.normal(size=(3, 5, 7)), np.sort(rng.normal(size=(3, 4, 7)), axis=1)
    lower, upper = jackknife_plus_band(estimates, quantiles, nominal)
    pooled = np.sort((estimates[:, None] + quantiles[:, :, None]).reshape(12, 5, 7), axis=0)
    m = max(1, int(np.ceil(12 * (1 - nominal) / 2)))
    np.testing.assert_allclose(lower, pooled[m - 1], atol=1e-6)
    np.testing.assert_allclose(upper, pooled[12 - m], atol=1e-6)


def test_lopo_curve_is_monotone_and_leaves_each_participant_out() -> None:
    rng = np.random.default_rng(2)
    residuals = [rng.normal(rng.normal(), 0.3, (n, 5)) for n in (6, 9, 12, 7, 10)]
    quantiles = np.stack([residual_quantiles(r) for r in residuals])
    curve = lopo_calibration(quantiles, residuals)
    assert curve.coverage_by_participant.shape == (5, len(curve.levels))
    assert (np.diff(curve.coverage_by_participant, axis=1) >= 0).all() and (np.diff(curve.coverage) >= 0).all()
    np.testing.assert_allclose(curve.coverage, curve.coverage_by_participant.mean(axis=0))
    # Participant 2's quantiles (what it lends the bands) moved far away: its own LOPO row cannot change.
    moved = quantiles.copy()
    moved[2] += 5.0
    after = lopo_calibration(moved, residuals, curve.levels)
    assert np.array_equal(after.coverage_by_participant[2], curve.coverage_by_participant[2])
    others = np.delete(np.arange(5), 2)
    assert not np.array_equal(after.coverage_by_participant[others], curve.coverage_by_participant[others])
    with pytest.raises(ConfigError, match="K residual arrays"):
        lopo_calibration(quantiles, residuals[:4])


def test_level_for_interpolates_and_caps() -> None:
    curve = LopoCurve(levels=np.array([0.5, 0.9, 0.99]), coverage_by_participant=np.array([[0.4, 0.8, 0.85],
                                                                                           [0.4, 0.8, 0.95]]))
    assert curve.level_for(0.2) == pytest.approx((0.25, True))  # between (0, 0) and the first level
    assert curve.level_for(0.6) == pytest.approx((0.7, True))
    assert curve.level_for(0.89) == pytest.approx((0.981, True))
    assert curve.level_for(0.95) == (0.99, False)
    with pytest.raises(ConfigError, match="increase"):
        LopoCurve(levels=np.array([0.9, 0.5]), coverage_by_participant=np.zeros((2, 2)))


def test_calibration_corrects_the_few_participant_under_coverage_of_an_offset_model() -> None:
    """Errors = per-participant offset ~ N(0, 1) + noise, K = 8: fresh participants from the same model."""
    rng = np.random.default_rng(3)
    levels = np.round(np.concatenate([np.arange(0.51, 0.99, 0.01), [0.99, 0.995]]), 3)
    draw = lambda: rng.normal() + rng.normal(0.0, 0.3, (20, 3))
    coverage = {"uncalibrated": [], "calibrated": []}
    for _ in range(40):
        residuals = [draw() for _ in range(8)]
        quantiles = np.stack([residual_quantiles(r) for r in residuals])
        level, _ = lopo_calibration(quantiles, residuals, levels).level_for(0.9)
        fresh = np.concatenate([draw() for _ in range(20)])
        for name, used in (("uncalibrated", 0.9), ("calibrated", level)):
            lower, upper = jackknife_plus_band(np.zeros((8, 1, 3)), quantiles, used)
            coverage[name].append(np.mean((fresh >= lower) & (fresh <= upper)))
    uncalibrated, calibrated = np.mean(coverage["uncalibrated"]), np.mean(coverage["calibrated"])
    assert uncalibrated < 0.85 and calibrated > uncalibrated + 0.04  # seed 3: 0.830 and 0.898
    assert abs(calibrated - 0.9) < abs(uncalibrated - 0.9)


def test_estimate_uses_the_lopo_level_and_caps_with_a_warning(kept, stances) -> None:
    ensemble = fold_ensemble(kept, strategy="overground", target="vgrf")
    plain = ensemble.estimate(stances, 0.5, calibrated=False)
    assert (plain.level, plain.calibrated, plain.reaches_nominal) == (0.5, False, True)
    level, reached = ensemble.band_level(0.5)
    band = ensemble.estimate(stances, 0.5)
    assert band.level == level and band.calibrated and band.reaches_nominal == reached
    lower, upper = jackknife_plus_band(band.member_estimates_bw, ensemble.quantiles_bw, level)
    assert np.array_equal(band.lower_bw, lower) and np.array_equal(band.upper_bw, upper)
    tiny = LopoCurve(levels=np.array([0.5, 0.9]), coverage_by_participant=np.full((3, 2), 0.4))
    capped = FoldEnsemble(**{**ensemble.__dict__, "calibration": tiny})
    with pytest.warns(UserWarning, match="capped"):
        assert capped.band_level(0.9) == (0.9, False)


def test_a_version_1_folder_loads_uncalibrated_only(kept, stances, tmp_path: Path) -> None:
    ensemble = fold_ensemble(kept, strategy="overground", target="vgrf")
    folder = FoldEnsemble(**{**ensemble.__dict__, "calibration": None}).save(tmp_path / "v1")
    manifest = json.loads((folder / "fold_ensemble.json").read_text(encoding="utf-8"))
    manifest["version"] = 1
    del manifest["lopo_calibration"]
    (folder / "fold_ensemble.json").write_text(json.dumps(manifest), encoding="utf-8")
    old = FoldEnsemble.load(folder)
    assert old.calibration is None
    assert np.array_equal(old.estimate(stances, calibrated=False).upper_bw,
                          ensemble.estimate(stances, calibrated=False).upper_bw)
    with pytest.raises(ConfigError, match="no LOPO calibration curve.*calibrated=False"):
        old.estimate(stances)
