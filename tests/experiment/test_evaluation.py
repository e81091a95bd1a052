"""Tests of grfkit.experiment.evaluation: the one split -> train -> predict -> score loop, and LOSO folds."""

import dataclasses

import numpy as np
import pytest

from grfkit.errors import ConfigError
from grfkit.experiment.evaluation import run_fold, score_split, score_splits
from grfkit.experiment.leakage import leakage_check
from grfkit.experiment.strategies import (
    ALL_STRATEGIES,
    exaggerate_participant,
    identical_fit,
    is_baseline,
    pretrain,
)
from grfkit.io.stances import StanceDataset
from grfkit.model.baselines import BaselineModel, predict_baseline
from grfkit.model.training import fit, predict, split_participants

EXTREME = dict(factor=1000.0, target_factor=1000.0, mass_factor=3.0)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_score_split_is_fit_then_predict_then_evaluate(domains, tiny_preset) -> None:
    overground, _ = domains
    train, test = split_participants(overground, ["OG02"])
    scores = score_split(train, test, target="apgrf", preset=tiny_preset, seed=2)
    model = fit(train, target="apgrf", preset=tiny_preset, seed=2)
    assert identical_fit(scores.model, model)
    np.testing.assert_array_equal(scores.estimated_n, predict(model, test))
    assert scores.n_train_stances == len(train) and scores.test is test and len(scores.stances) == len(test)
    assert set(scores.stances["participant"]) == {"OG02"}


def test_score_split_refuses_a_group_in_both_sets(domains, tiny_preset) -> None:
    overground, _ = domains
    with pytest.raises(ConfigError, match=r"participant values \['OG01'\]"):
        score_split(overground, overground.subset((overground.meta["participant"] == "OG01").to_numpy()),
                    target="vgrf", preset=tiny_preset)
    trials = overground.meta.assign(trial=np.arange(len(overground)) % 3)
    data = StanceDataset(trials, overground.inputs, overground.targets, overground.input_channels,
                         overground.target_channels)
    last = (data.meta["trial"] == 2).to_numpy()
    with pytest.raises(ConfigError, match=r"trial values \['2'\]"):
        score_split(data, data.subset(last), target="vgrf", preset=tiny_preset, disjoint_by="trial")
    scores = score_split(data.subset(~last), data.subset(last), target="vgrf", preset=tiny_preset,
                         disjoint_by="trial")
    assert len(scores.stances) == int(last.sum())


def test_score_splits_goes_split_by_split_then_target_by_target(domains, tiny_preset) -> None:
    overground, _ = domains
    splits = [split_participants(overground, [p]) for p in ("OG01", "OG03")]
    scores = score_splits(splits, targets=("vgrf", "apgrf"), preset=tiny_preset)
    assert [(s.target, s.test.participants) for s in scores] == [
        ("vgrf", ["OG01"]), ("apgrf", ["OG01"]), ("vgrf", ["OG03"]), ("apgrf", ["OG03"])]


@pytest.mark.parametrize("strategy", ["overground", "baseline_static"])
def test_the_test_set_touches_nothing_fitted(domains, tiny_preset, strategy) -> None:
    """Extreme test inputs, forces and body mass leave the fitted model bit-identical and reach only the scores."""
    overground, _ = domains
    train, test = split_participants(overground, ["OG01"])
    _, extreme = split_participants(exaggerate_participant(overground, "OG01", **EXTREME), ["OG01"])
    kw = dict(target="vgrf", strategy=strategy, preset=tiny_preset, k_neighbours=3)
    normal, leaked = score_split(train, test, **kw), score_split(train, extreme, **kw)
    assert identical_fit(normal.model, leaked.model)
    assert not np.array_equal(normal.estimated_n, leaked.estimated_n)


def test_run_fold_errors(domains, tiny_preset) -> None:
    overground, treadmill = domains
    with pytest.raises(ConfigError, match="overground stances only"):
        run_fold("overground", StanceDataset.concat([overground, treadmill]), "OG01", target="vgrf", preset=tiny_preset)
    with pytest.raises(ConfigError, match="not in the data set"):
        run_fold("overground", overground, "OG09", target="vgrf", preset=tiny_preset)


def test_run_fold_evaluates_only_the_held_out_participant(domains, tiny_preset) -> None:
    overground, treadmill = domains
    fold = run_fold("combined", overground, "OG02", target="vgrf", treadmill=treadmill, preset=tiny_preset)
    assert fold.subject == "OG02" and fold.strategy == "combined" and fold.target == "vgrf"
    assert set(fold.stances["participant"]) == {"OG02"}
    assert fold.measured_n.shape == fold.estimated_n.shape == (4, 101)
    held = overground.subset((overground.meta["participant"] == "OG02").to_numpy())
    np.testing.assert_array_equal(fold.measured_n, held.target("vgrf_n"))
    assert fold.n_train_stances == len(treadmill) + 8
    assert np.isfinite(fold.stances["rrmse_pct"]).all()


def test_run_fold_scores_a_baseline_like_a_strategy(domains, tiny_preset) -> None:
    overground, treadmill = domains
    fold = run_fold("baseline_static", overground, "OG01", target="apgrf", treadmill=treadmill, k_neighbours=2)
    model = fold.model
    assert isinstance(model, BaselineModel) and model.participants == ("OG02", "OG03")
    held = overground.subset((overground.meta["participant"] == "OG01").to_numpy())
    np.testing.assert_array_equal(fold.estimated_n, predict_baseline(model, held))
    np.testing.assert_array_equal(fold.measured_n, held.target("apgrf_n"))
    assert fold.n_train_stances == 8 and len(fold.stances) == 4
    modelled = run_fold("overground", overground, "OG01", target="apgrf", preset=tiny_preset)
    assert list(fold.stances.columns) == list(modelled.stances.columns)


@pytest.mark.parametrize("strategy", ALL_STRATEGIES)
def test_held_out_participant_touches_nothing_fitted(domains, tiny_preset, strategy) -> None:
    """Leakage guard: extreme held-out inputs, forces and body mass leave every fitted artefact bit-identical."""
    overground, treadmill = domains
    # Transfer chooses its fine-tuning length by inner cross-validation: that choice is fitted too.
    preset = dataclasses.replace(tiny_preset, fine_tune_inner_folds=2)
    pre = pretrain(treadmill, target="vgrf", preset=preset, seed=3)
    kw = dict(target="vgrf", treadmill=treadmill, pretrained=pre, preset=preset, seed=3, k_neighbours=3)
    check = leakage_check(strategy, overground, "OG03", **EXTREME, **kw)
    normal, leaked = check.normal, check.extreme
    assert check.identical_fit
    if not is_baseline(strategy):
        assert [h.step_loss for h in normal.model.history] == [h.step_loss for h in leaked.model.history]
    # ...while the extreme stances did reach the evaluation.
    assert not np.array_equal(normal.estimated_n, leaked.estimated_n)
    np.testing.assert_allclose(leaked.measured_n, normal.measured_n * 1000.0, rtol=1e-6)
    # And a non-held-out participant made extreme does change the fit (the check has teeth).
    if strategy != "treadmill":
        other = leakage_check(strategy, overground, "OG03", **EXTREME, exaggerated="OG01", **kw)
        assert not other.identical_fit


@pytest.mark.parametrize("trainable", ["all", "head"])
def test_transfer_fine_tunes_for_the_length_its_inner_folds_choose(domains, tiny_preset, trainable) -> None:
    from grfkit.model.training import choose_fine_tune_epochs

    overground, treadmill = domains
    preset = dataclasses.replace(tiny_preset, fine_tune_inner_folds=2, fine_tune_trainable=trainable)
    pre = pretrain(treadmill, target="vgrf", preset=preset, seed=3)
    fold = run_fold("transfer", overground, "OG01", target="vgrf", treadmill=treadmill, pretrained=pre,
                    preset=preset, seed=3)
    train, _ = split_participants(overground, ["OG01"])
    choice = choose_fine_tune_epochs(pre, train, n_inner_folds=2, trainable=trainable, seed=3)
    assert fold.fine_tune_epochs == choice.epochs
    if choice.epochs == 0:
        assert fold.model.network is pre.network
    else:
        last = fold.model.history[-1]
        assert (last.phase, last.epochs, last.trainable) == ("fine_tune", choice.epochs, trainable)
    assert run_fold("combined", overground, "OG01", target="vgrf", treadmill=treadmill,
                    preset=preset, seed=3).fine_tune_epochs is None
