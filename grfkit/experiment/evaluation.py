"""One evaluation loop: split, train, predict, score.

:func:`score_split` trains one strategy (:func:`grfkit.experiment.strategies.train_strategy`)
on a training set, estimates a disjoint test set and scores every test stance
(:func:`grfkit.model.metrics.evaluate`); :func:`score_splits` does so for
several splits and targets.  Every evaluation of grfkit goes through it: the
study's leave-one-subject-out folds (:func:`run_fold`, which takes the whole
overground set and the held-out participant and splits them itself), and the
real-data evaluations of :mod:`grfkit.real.transfer` and
:mod:`grfkit.real.alcantara`, which supply only their splits.  The test
stances reach nothing that is fitted: they are only predicted.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from grfkit.errors import ConfigError
from grfkit.experiment.strategies import OVERGROUND, train_strategy
from grfkit.io.stances import StanceDataset
from grfkit.model.baselines import BaselineModel, predict_baseline
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet, target_channel
from grfkit.model.metrics import evaluate
from grfkit.model.presets import ModelPreset
from grfkit.model.trained_model import TrainedModel
from grfkit.model.training import predict, split_participants

__all__ = ["SplitScores", "score_split", "score_splits", "FoldResult", "run_fold"]


@dataclass(frozen=True, eq=False)
class SplitScores:
    """One split trained, predicted and scored.

    Parameters
    ----------
    target
        ``"vgrf"`` or ``"apgrf"``.
    model
        The model (or fitted baseline) trained on the split's training set.
    test
        The test stances.
    estimated_n
        ``float`` ``(n_test_stances, 101)`` estimated force, newtons.
    stances
        One row per test stance: :func:`grfkit.model.metrics.evaluate`.
    n_train_stances
        Stances the model was trained (or fine-tuned) on last.
    """

    target: str
    model: TrainedModel | BaselineModel
    test: StanceDataset
    estimated_n: np.ndarray
    stances: pd.DataFrame
    n_train_stances: int


def score_split(
    train: StanceDataset,
    test: StanceDataset,
    *,
    target: str,
    strategy: str = "overground",
    disjoint_by: str = "participant",
    treadmill: StanceDataset | None = None,
    pretrained: TrainedModel | None = None,
    preset: str | ModelPreset = "fast",
    features: FeatureSet = PUBLISHED_FEATURES,
    seed: int = 0,
    num_threads: int | None = None,
    progress: bool = False,
    k_neighbours: int = 25,
    device: str | torch.device = "cpu",
) -> SplitScores:
    """Train a strategy on ``train``, estimate ``test`` and score every test stance.

    Parameters
    ----------
    train
        Training stances (for ``"transfer"``: the fine-tuning stances).
    test
        Stances to estimate; they reach nothing that is fitted.
    target
        ``"vgrf"`` or ``"apgrf"``.
    strategy
        One of :data:`grfkit.experiment.strategies.ALL_STRATEGIES`; the default,
        ``"overground"``, trains from scratch on ``train``.
    disjoint_by
        Metadata column whose values ``train`` and ``test`` must not share
        (``"participant"``; ``"trial"`` for folds of one runner's trials).
    treadmill, pretrained, preset, features, seed, num_threads, progress, k_neighbours, device
        As for :func:`grfkit.experiment.strategies.train_strategy` (``device`` also estimates).

    Returns
    -------
    SplitScores
        The model, the estimates and the per-stance scores.

    Raises
    ------
    ConfigError
        If ``train`` and ``test`` share a value of ``disjoint_by``, or as
        :func:`~grfkit.experiment.strategies.train_strategy`.
    """
    shared = sorted(set(train.meta[disjoint_by].astype(str)) & set(test.meta[disjoint_by].astype(str)))
    if shared:
        raise ConfigError(f"{disjoint_by} values {shared} are in both the training and the test stances")
    model = train_strategy(strategy, train, target=target, treadmill=treadmill, pretrained=pretrained,
                           preset=preset, features=features, seed=seed, num_threads=num_threads,
                           progress=progress, k_neighbours=k_neighbours, device=device)
    if isinstance(model, BaselineModel):
        estimated_n, n_train = predict_baseline(model, test), model.n_stances
    else:
        estimated_n, n_train = predict(model, test, num_threads=num_threads, device=device), model.history[-1].n_stances
    return SplitScores(target=target, model=model, test=test, estimated_n=estimated_n,
                       stances=evaluate(test, estimated_n, target), n_train_stances=int(n_train))


def score_splits(
    splits: Iterable[tuple[StanceDataset, StanceDataset]],
    *,
    targets: Sequence[str] = ("vgrf", "apgrf"),
    disjoint_by: str = "participant",
    preset: str | ModelPreset = "fast",
    features: FeatureSet = PUBLISHED_FEATURES,
    seed: int = 0,
    num_threads: int | None = None,
    progress: bool = False,
) -> list[SplitScores]:
    """Train from scratch and score every (training, test) split for every target.

    Parameters
    ----------
    splits
        ``(train, test)`` pairs, e.g. one per held-out participant.
    targets
        One model per target and split.
    disjoint_by, preset, features, seed, num_threads, progress
        As for :func:`score_split`.

    Returns
    -------
    list of SplitScores
        Split by split, and within a split target by target.
    """
    return [
        score_split(train, test, target=target, disjoint_by=disjoint_by, preset=preset, features=features,
                    seed=seed, num_threads=num_threads, progress=progress)
        for train, test in splits
        for target in targets
    ]


@dataclass(frozen=True, eq=False)
class FoldResult:
    """The outcome of one (strategy, target, held-out participant) fold.

    Parameters
    ----------
    strategy, target, subject
        What was trained and who was held out.
    stances
        One row per held-out stance: the output of :func:`grfkit.model.metrics.evaluate`.
    measured_n, estimated_n
        Measured and estimated force curves of those stances, newtons,
        ``float64`` ``(n_stances, 101)``.
    n_train_stances
        Stances the fold's model was trained (or fine-tuned) on; for
        ``"treadmill"`` the pre-training stances.
    wall_time_s
        Time to train (excluding shared pre-training) and evaluate.
    fine_tune_epochs
        ``"transfer"``: passes of fine-tuning the fold's model got (0: the
        pre-trained model was kept); ``None`` for the other strategies.
    model
        The fold's model or fitted baseline (in memory only; ``None`` when
        loaded from a cache).
    """

    strategy: str
    target: str
    subject: str
    stances: pd.DataFrame
    measured_n: np.ndarray
    estimated_n: np.ndarray
    n_train_stances: int
    wall_time_s: float
    model: TrainedModel | BaselineModel | None = None
    fine_tune_epochs: int | None = None


def run_fold(
    strategy: str,
    overground: StanceDataset,
    held_out: str,
    *,
    target: str,
    treadmill: StanceDataset | None = None,
    pretrained: TrainedModel | None = None,
    preset: str | ModelPreset = "fast",
    features: FeatureSet = PUBLISHED_FEATURES,
    seed: int = 0,
    num_threads: int | None = None,
    progress: bool = False,
    k_neighbours: int = 25,
    device: str | torch.device = "cpu",
) -> FoldResult:
    """Train one strategy (or fit one baseline) without ``held_out`` and evaluate it on ``held_out``.

    Parameters
    ----------
    strategy
        One of :data:`grfkit.experiment.strategies.ALL_STRATEGIES`.
    overground
        *All* overground stances, the held-out participant included: the
        split happens here, so that callers cannot leak it into training.
    held_out
        The overground participant to test on.
    target, treadmill, pretrained, preset, features, seed, num_threads, progress, k_neighbours, device
        As for :func:`grfkit.experiment.strategies.train_strategy` (``device`` also estimates;
        the fold's model comes back on the CPU).

    Returns
    -------
    FoldResult
        Metrics and curves of the held-out participant's stances.

    Raises
    ------
    ConfigError
        If ``held_out`` is not an overground participant, or as
        :func:`~grfkit.experiment.strategies.train_strategy`.
    """
    if (overground.meta["dataset"].astype(str) != OVERGROUND).any():
        raise ConfigError("run_fold needs the overground stances only (split them with split_domains)")
    started = time.perf_counter()
    train, test = split_participants(overground, [held_out])
    scores = score_split(train, test, target=target, strategy=strategy, treadmill=treadmill, pretrained=pretrained,
                         preset=preset, features=features, seed=seed, num_threads=num_threads, progress=progress,
                         k_neighbours=k_neighbours, device=device)
    return FoldResult(
        strategy=strategy,
        target=target,
        subject=str(held_out),
        stances=scores.stances,
        measured_n=test.target(target_channel(target)).astype(np.float64),
        estimated_n=scores.estimated_n,
        n_train_stances=scores.n_train_stances,
        wall_time_s=time.perf_counter() - started,
        model=scores.model,
        fine_tune_epochs=_fine_tune_epochs(strategy, scores.model),
    )


def _fine_tune_epochs(strategy: str, model: TrainedModel | BaselineModel) -> int | None:
    """Passes of fine-tuning of a transfer model (0 when the pre-trained model was kept)."""
    if strategy != "transfer":
        return None
    last = model.history[-1]
    return int(last.epochs) if last.phase == "fine_tune" else 0
