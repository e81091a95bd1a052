"""Tests of grfkit.experiment.estimator: scikit-learn's cross_validate reproduces the experiment's LOSO rRMSE.

scikit-learn's ``check_estimator`` is not run: its checks feed 2-D float arrays (and lists,
sparse matrices, data frames) to ``fit``, while ``GrfEstimator`` takes a ``StanceDataset``
(stances x 101 samples x channels plus per-stance metadata).  The parameter contract it would
check (clone, get_params, set_params) is tested here directly.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import LeaveOneGroupOut, cross_validate

from grfkit.errors import ChannelMismatchError, ConfigError, LengthMismatchError
from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.estimator import GrfEstimator, cross_validate_loso, neg_rrmse_scorer
from grfkit.experiment.strategies import exaggerate_participant, identical_fit, pretrain, split_domains
from grfkit.io.stances import StanceDataset
from grfkit.model.metrics import evaluate

pytestmark = pytest.mark.usefixtures("one_torch_thread")

STRATEGIES = ("overground", "transfer", "combined", "baseline_static")


def _loso(estimator: GrfEstimator, overground, y=None) -> dict:
    y = overground.target(f"{estimator.target}_n") if y is None else y
    return cross_validate(estimator, overground, y, groups=overground.meta["participant"], cv=LeaveOneGroupOut(),
                          scoring=neg_rrmse_scorer, return_estimator=True, return_indices=True, error_score="raise")


@pytest.fixture
def experiment(run, config, stances, tmp_path, request):
    """The experiment's results for :data:`STRATEGIES` and one target, on the `stances` fixture.

    One target per run: ``results.csv`` averages each participant's stances with pandas, which
    sums a NaN-free block plainly and one with NaN (the other target's columns) compensated, so a
    table of both targets may differ from a one-target table by an ulp.
    """
    target = request.param
    small = ExperimentConfig(**{**config.__dict__, "strategies": STRATEGIES, "targets": (target,)})
    return target, small, run(small, stances, tmp_path, "exp")


@pytest.mark.parametrize("experiment", ["vgrf", "apgrf"], indirect=True)
def test_cross_validate_reproduces_the_experiments_rrmse_bit_for_bit(experiment, stances) -> None:
    target, config, results = experiment
    overground, treadmill = split_domains(stances)
    for strategy in STRATEGIES:
        estimator = GrfEstimator(target, strategy, preset=config.preset, seed=config.seed, treadmill=treadmill,
                                 num_threads=config.num_threads)
        scores = _loso(estimator, overground)
        rows = results.table[(results.table["strategy"] == strategy) & (results.table["target"] == target)]
        for fold, test in enumerate(scores["indices"]["test"]):
            subject = str(overground.meta["participant"].iloc[test[0]])
            expected = rows.loc[rows["subject"] == subject, "rrmse_pct"].item()
            assert -scores["test_score"][fold] == expected, (strategy, subject)
            # Every held-out stance too, not only the participant's mean.
            fitted = scores["estimator"][fold]
            assert subject not in fitted.participants_
            got = evaluate(overground[test], fitted.predict(overground[test]), target)["rrmse_pct"].to_numpy()
            stances_of = results.stances[(results.stances["strategy"] == strategy)
                                         & (results.stances["target"] == target)
                                         & (results.stances["subject"] == subject)]
            np.testing.assert_array_equal(got, stances_of["rrmse_pct"].to_numpy())
    # The experiment pre-trains once and shares the model; the estimator may be given it too.
    shared = pretrain(treadmill, target=target, preset=config.preset, seed=config.seed,
                      num_threads=config.num_threads)
    with_shared = _loso(GrfEstimator(target, "transfer", preset=config.preset, seed=config.seed, treadmill=treadmill,
                                     pretrained=shared, num_threads=config.num_threads), overground)
    rows = results.table[(results.table["strategy"] == "transfer") & (results.table["target"] == target)]
    assert (-with_shared["test_score"] == rows["rrmse_pct"].to_numpy()).all()  # OG01-OG03 in both orders
    # The helper: one row per held-out participant, the same figures.
    table = cross_validate_loso(GrfEstimator(target, "overground", preset=config.preset, seed=config.seed),
                                overground)
    expected = results.table[(results.table["strategy"] == "overground") & (results.table["target"] == target)]
    merged = table.merge(expected, on="subject", suffixes=("", "_experiment"))
    assert len(merged) == 3 and (merged["rrmse_pct"] == merged["rrmse_pct_experiment"]).all()
    assert (merged["n_stances"] == merged["n_stances_experiment"]).all() and (table["fit_time_s"] > 0).all()


@pytest.mark.parametrize("strategy", ["overground", "combined"])
def test_the_held_out_participant_touches_nothing_fitted(config, stances, strategy) -> None:
    overground, treadmill = split_domains(stances)
    estimator = GrfEstimator("vgrf", strategy, preset=config.preset, seed=config.seed, treadmill=treadmill)
    exaggerated = exaggerate_participant(overground, "OG02", factor=1000.0, target_factor=3.0, mass_factor=2.0)
    plain, changed = _loso(estimator, overground), _loso(estimator, exaggerated)
    for fold, test in enumerate(plain["indices"]["test"]):
        a, b = plain["estimator"][fold], changed["estimator"][fold]
        if overground.meta["participant"].iloc[test[0]] == "OG02":
            assert identical_fit(a.model_, b.model_)
            np.testing.assert_array_equal(a.predict(overground[test]), b.predict(overground[test]))
        else:  # OG02 trained these folds: the exaggeration reaches them, so the check above can fail
            assert not identical_fit(a.model_, b.model_)


def test_y_is_the_target_the_estimator_learns(config, stances) -> None:
    overground, _ = split_domains(stances)
    y32 = overground.target("vgrf_n")
    estimator = GrfEstimator("vgrf", preset=config.preset, seed=config.seed)
    own = clone(estimator).fit(overground).model_
    assert identical_fit(own, clone(estimator).fit(overground, y32).model_)
    assert identical_fit(own, clone(estimator).fit(overground, y32.astype(np.float64)).model_)
    assert not identical_fit(own, clone(estimator).fit(overground, 1.5 * y32).model_)
    fitted = clone(estimator).fit(overground)
    assert fitted.score(overground, y32) == fitted.score(overground) == neg_rrmse_scorer(fitted, overground) < 0
    assert fitted.score(overground, 2 * y32) != fitted.score(overground)
    estimated_n = fitted.predict(overground)
    assert estimated_n.shape == (len(overground), 101) and estimated_n.dtype == np.float64


def test_clone_get_params_and_set_params_round_trip(config, stances) -> None:
    _, treadmill = split_domains(stances)
    estimator = GrfEstimator("apgrf", "transfer", preset=config.preset, seed=7, treadmill=treadmill, num_threads=2)
    params = estimator.get_params()
    assert sorted(params) == sorted(["target", "strategy", "preset", "features", "seed", "treadmill", "pretrained",
                                     "num_threads", "k_neighbours"])
    twin = clone(estimator)
    assert twin is not estimator and twin.treadmill is not treadmill  # parameters are copied, not shared
    assert {k: v for k, v in twin.get_params().items() if k != "treadmill"} == {
        k: v for k, v in params.items() if k != "treadmill"}
    pd.testing.assert_frame_equal(twin.treadmill.meta, treadmill.meta)
    assert twin.set_params(seed=3, strategy="combined") is twin
    assert (twin.seed, twin.strategy, estimator.seed, estimator.strategy) == (3, "combined", 7, "transfer")
    assert GrfEstimator(**twin.get_params()).get_params()["seed"] == 3
    with pytest.raises(ValueError, match="epochs"):
        twin.set_params(epochs=3)
    assert "model_" not in vars(clone(GrfEstimator(preset=config.preset).fit(split_domains(stances)[0])))


def test_bad_input_is_a_typed_error(config, stances) -> None:
    overground, treadmill = split_domains(stances)
    estimator = GrfEstimator("vgrf", preset=config.preset, seed=config.seed)
    with pytest.raises(NotFittedError):
        estimator.predict(overground)
    with pytest.raises(ConfigError, match="StanceDataset as X.*ndarray"):
        estimator.fit(overground.inputs, overground.target("vgrf_n"))
    with pytest.raises(LengthMismatchError, match=r"vgrf_n curve of each of the 12 stances.*\(11, 101\)"):
        estimator.fit(overground, overground.target("vgrf_n")[:11])
    with pytest.raises(ConfigError, match="unknown strategy 'bilstm'"):
        GrfEstimator(strategy="bilstm").fit(overground)
    with pytest.raises(ConfigError, match=r"participants \['TM01', 'TM02'\] are treadmill stances"):
        GrfEstimator(strategy="combined", preset=config.preset, treadmill=treadmill).fit(stances)
    tm01 = treadmill[(treadmill.meta["participant"] == "TM01").to_numpy()]
    tm01_overground = dataclasses.replace(tm01, meta=tm01.meta.assign(dataset="overground"))
    with pytest.raises(ConfigError, match=r"participants \['TM01'\] are in both X and the treadmill"):
        GrfEstimator(strategy="combined", preset=config.preset, treadmill=treadmill).fit(
            StanceDataset.concat([overground, tm01_overground]))
    with pytest.raises(ChannelMismatchError, match="vgrf_n"):
        estimator.fit(StanceDataset(overground.meta, overground.inputs, overground.targets[:, :, 1:],
                                    overground.input_channels, overground.target_channels[1:]))
