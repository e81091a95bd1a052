"""ModelEnsemble, its band (grfkit.model.uncertainty) and out-of-distribution flags (grfkit.model.ood)."""

import json
from pathlib import Path

import numpy as np
import pytest

from grfkit.errors import ChannelMismatchError, ChecksumError, ConfigError
from grfkit.io.stances import StanceDataset
from grfkit.model.ensemble import (
    ModelEnsemble,
    band_calibration_report,
    band_stance_table,
)
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet
from grfkit.model.ood import SIGNAL_SHARE_THRESHOLD, TrainingRanges
from grfkit.model.presets import ModelPreset
from grfkit.model.training import fit
from grfkit.model.uncertainty import (
    CALIBRATION_LEVELS,
    band_coverage,
    conformal_scales,
    conformity_scores,
    ensemble_band,
    width_error_correlation,
)

TRAIN = ("P01", "P02", "P03", "P04")


def _load_make_stance_dataset():
    """The shared fixture factory of tests/conftest.py (module-scoped fixtures cannot take ``stance_factory``)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_shared_conftest", Path(__file__).parents[1] / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_stance_dataset


make_stance_dataset = _load_make_stance_dataset()


@pytest.fixture(scope="module")
def training() -> StanceDataset:
    return make_stance_dataset(participants=TRAIN, stances_per_participant=8, seed=0)


@pytest.fixture(scope="module")
def members(training):
    tiny = ModelPreset(name="tiny", hidden_size=4, lstm_layers=1, dense_sizes=(6,), input_dropout=0.1, dropout=0.1,
                       learning_rate=1e-2, batch_size=8, epochs=2, min_steps=0, grad_clip_norm=1.0,
                       fine_tune_epochs=1, fine_tune_lr_factor=0.5)
    return tuple(fit(training, target="vgrf", preset=tiny, seed=s, progress=False, num_threads=1) for s in (0, 1, 2))


@pytest.fixture(scope="module")
def ensemble(members, training) -> ModelEnsemble:
    scales = tuple(1.0 + a for a in CALIBRATION_LEVELS)
    return ModelEnsemble(members=members, band_scales=scales, ranges=TrainingRanges.from_stances(training,
                         PUBLISHED_FEATURES), calibration={"groups": [["P01"]]}, provenance={"seed": 0})


def test_conformal_scale_is_the_weighted_quantile_with_each_participant_weighted_equally() -> None:
    # P1: one stance of score 1 at every point; P2: nine stances of score 3.  Equal weights: the median lies at 1.
    scores = np.vstack([np.ones((1, 4)), np.full((9, 4), 3.0)])
    participants = np.array(["P1"] + ["P2"] * 9)
    q = conformal_scales(scores, participants, (0.4, 0.9))
    assert q.tolist() == [1.0, 3.0]
    with pytest.raises(ConfigError, match="levels"):
        conformal_scales(scores, participants, (1.0,))
    # The band of the calibrated scale holds the calibration points at (at least) the nominal share.
    rng = np.random.default_rng(0)
    mean, spread = rng.normal(size=(200, 101)), rng.uniform(0.05, 0.2, (200, 101))
    measured = mean + spread * rng.normal(size=(200, 101))
    scores = conformity_scores(measured, mean, spread, 0.01)
    (q90,) = conformal_scales(scores, np.repeat(np.arange(20), 10), (0.9,))
    lower, upper = ensemble_band(mean, spread, q90, 0.01)
    assert 0.9 <= band_coverage(measured, lower, upper).overall < 0.91
    with pytest.raises(ConfigError, match="shape"):
        conformity_scores(measured[:, :5], mean, spread)


def test_band_coverage_and_width_error_correlation() -> None:
    measured = np.array([[0.0, 1.0, 2.0, 3.0], [0.0, 0.0, 0.0, 0.0]])
    cover = band_coverage(measured, np.zeros((2, 4)), np.full((2, 4), 1.5))
    assert cover.overall == 0.75 and cover.per_stance.tolist() == [0.5, 1.0]
    rng = np.random.default_rng(1)
    width = rng.uniform(0.1, 1.0, 50)
    error = width[:, None] * rng.choice([-1.0, 1.0], (50, 101))
    mean = np.zeros((50, 101))
    assert width_error_correlation(error, mean, -width[:, None] * np.ones((1, 101)),
                                   width[:, None] * np.ones((1, 101))) == pytest.approx(1.0)
    assert np.isnan(width_error_correlation(error[:2], mean[:2], mean[:2] - 1, mean[:2] + 1))


def test_estimate_gives_mean_spread_and_a_band_that_widens_with_the_level(ensemble, members, training) -> None:
    e90 = ensemble.estimate(training)
    e50 = ensemble.estimate(training, nominal=0.5)
    singles = np.stack([m.predict_bw(m.prepare_inputs(training)) for m in members])
    np.testing.assert_allclose(e90.mean_bw, singles.mean(axis=0), atol=1e-5)
    np.testing.assert_allclose(e90.spread_bw, singles.std(axis=0, ddof=1), atol=1e-5)
    assert e90.mean_bw.shape == (len(training), 101) and e90.band_scale == pytest.approx(1.9)
    np.testing.assert_allclose(e90.upper_bw - e90.mean_bw, 1.9 * (e90.spread_bw + ensemble.eps_bw))
    assert (e90.upper_bw - e90.lower_bw > e50.upper_bw - e50.lower_bw).all()
    with pytest.raises(ConfigError, match="calibrated"):
        ensemble.estimate(training, nominal=0.999)
    # Grouped members (cross-calibration models): the spread is the mean of the SD within each group.
    grouped = ModelEnsemble(members=(*members[:2], *members[1:]), band_scales=ensemble.band_scales,
                            ranges=ensemble.ranges, member_groups=(0, 0, 1, 1))
    within = [singles[g].std(axis=0, ddof=1) for g in ([0, 1], [1, 2])]
    np.testing.assert_allclose(grouped.estimate(training).spread_bw, np.mean(within, axis=0), atol=1e-5)
    with pytest.raises(ConfigError, match="group of at least two"):
        ModelEnsemble(members=members, band_scales=ensemble.band_scales, ranges=ensemble.ranges,
                      member_groups=(0, 0, 1))
    report = band_calibration_report(ensemble, training, nominals=(0.9,))
    assert report.loc[0, "n_participants"] == 4 and 0 <= report.loc[0, "coverage"] <= 1
    table = band_stance_table(ensemble, training)
    assert {"band_width_bw", "rmse_bw", "coverage", "ood"} <= set(table.columns) and len(table) == len(training)


def test_save_load_round_trip_and_refusals(ensemble, members, training, tmp_path: Path) -> None:
    folder = ensemble.save(tmp_path / "ensemble")
    assert sorted(p.name for p in (folder / "members").iterdir()) == ["00", "01", "02"]
    loaded = ModelEnsemble.load(folder)
    a, b = ensemble.estimate(training), loaded.estimate(training)
    np.testing.assert_array_equal(a.upper_bw, b.upper_bw)
    assert loaded.ranges == ensemble.ranges and loaded.calibration == ensemble.calibration
    # A member swapped for another model folder is refused.
    members[0].save(tmp_path / "other")
    (folder / "members" / "02" / "model.json").write_bytes((tmp_path / "other" / "model.json").read_bytes())
    with pytest.raises(ChecksumError, match="members/02"):
        ModelEnsemble.load(folder)
    # Members of another target or channel set are refused, naming the difference.
    apgrf = fit(training, target="apgrf", preset=members[0].preset, seed=5, progress=False, num_threads=1)
    with pytest.raises(ConfigError, match="member 01 estimates 'apgrf'"):
        ModelEnsemble(members=(members[0], apgrf), band_scales=ensemble.band_scales, ranges=ensemble.ranges)
    fewer = FeatureSet(channels=PUBLISHED_FEATURES.channels[:-1], static=PUBLISHED_FEATURES.static, name="fewer")
    other = fit(training, target="vgrf", preset=members[0].preset, features=fewer, seed=5, progress=False,
                num_threads=1)
    with pytest.raises(ChannelMismatchError, match=r"member 01 .*only in member 00: \['gyro_z"):
        ModelEnsemble(members=(members[0], other), band_scales=ensemble.band_scales, ranges=ensemble.ranges)
    with pytest.raises(ConfigError, match="at least two"):
        ModelEnsemble(members=members[:1], band_scales=ensemble.band_scales, ranges=ensemble.ranges)
    manifest = json.loads((folder / "ensemble.json").read_text())
    assert manifest["target"] == "vgrf" and manifest["channel_units"]["body_mass_kg"] == "kg"


def test_ood_flags_unseen_speed_body_mass_and_scaled_signals(ensemble, training) -> None:
    flags = ensemble.ood_flags(training)
    # Rule: a training stance is never flagged for a static quantity; at most 5 % for signals.
    assert not flags[["ood_speed", "ood_body_mass", "ood_contact_time"]].any().any()
    assert flags["ood_signal"].mean() <= 0.05
    new = make_stance_dataset(participants=("Q1",), stances_per_participant=4, seed=7)
    new.meta.loc[0, "speed_mps"] = 7.5
    new.meta.loc[1, "body_mass_kg"] = 140.0
    fsr = [i for i, c in enumerate(new.input_channels) if "fsr" in c]
    new.inputs[2][:, fsr] *= 3.0
    flags = ensemble.ood_flags(new)
    assert flags["ood_speed"].tolist() == [True, False, False, False]
    assert flags["ood_body_mass"].tolist() == [False, True, False, False]
    assert flags["ood_signal"].tolist()[2] and flags.loc[2, "signal_outside_share"] > SIGNAL_SHARE_THRESHOLD
    assert not flags.loc[3, "ood"] and flags.loc[3, "ood_reason"] == ""
    assert flags.loc[0, "ood_reason"].startswith("speed 7.5 m/s outside training")
    assert "body mass 140 kg" in flags.loc[1, "ood_reason"] and "fsr" in flags.loc[2, "ood_reason"]
    assert TrainingRanges.from_dict(ensemble.ranges.to_dict()) == ensemble.ranges
    with pytest.raises(ChannelMismatchError, match="acc_x_mps2"):
        ensemble.ood_flags(StanceDataset(meta=new.meta, inputs=new.inputs[:, :, :-7],
                                         targets=new.targets, input_channels=new.input_channels[:-7],
                                         target_channels=new.target_channels))
