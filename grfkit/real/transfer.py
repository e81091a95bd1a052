"""Treadmill-to-overground transfer on real forces with virtual wearables.

A model trained on treadmill stances (Hamner & Delp 2013, 10 runners,
2-5 m/s) estimates overground stances (Dorn et al. 2012, one runner: a
3.5 m/s jog and a 9 m/s sprint), from virtual wearables derived from
markers and force (:mod:`grfkit.real.wearables`).
:func:`leave_one_subject_out` gives the treadmill error (each Hamner runner
estimated by a model of the other nine), :func:`train_and_test` the
treadmill-to-overground error.  Both supply only their splits to the study's
evaluation loop (:func:`grfkit.experiment.evaluation.score_splits`), one
network per target; :func:`transfer_result` collects its scores and
:func:`summarise_transfer` reports them as the study does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grfkit.experiment.evaluation import SplitScores, score_splits
from grfkit.io.stances import StanceDataset
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet
from grfkit.model.metrics import evaluate, participant_metrics, summarise
from grfkit.model.presets import ModelPreset, get_preset
from grfkit.model.training import split_participants
from grfkit.scales import RealDataScale, get_real_scale

__all__ = [
    "real_data_preset",
    "TransferResult",
    "evaluate_stances",
    "transfer_result",
    "leave_one_subject_out",
    "train_and_test",
    "summarise_transfer",
]


def real_data_preset(scale: str | RealDataScale) -> ModelPreset:
    """Return the ``fast`` model preset with a real-data scale's training length.

    Parameters
    ----------
    scale
        ``"ci"``, ``"book"``, ``"paper"`` or a :class:`~grfkit.scales.RealDataScale`.

    Returns
    -------
    ModelPreset
        One epoch and the scale's ``min_steps`` optimiser steps.
    """
    scale = get_real_scale(scale)
    return dataclasses.replace(get_preset("fast"), name=f"fast-{scale.name}", epochs=1, min_steps=scale.min_steps)


@dataclass(frozen=True)
class TransferResult:
    """Per-stance errors and the estimated curves of one evaluation.

    Parameters
    ----------
    stances
        :func:`grfkit.model.metrics.evaluate` rows of every test stance, with
        ``target`` and ``foot``, ``speed_mps`` columns added.
    estimates
        Target (``"vgrf"``/``"apgrf"``) -> ``(n_stances, 101)`` estimated force
        in newtons, in the order of ``dataset``.
    dataset
        The test stances (measured force in ``targets``).
    """

    stances: pd.DataFrame
    estimates: dict[str, np.ndarray]
    dataset: StanceDataset


def evaluate_stances(dataset: StanceDataset, estimate_n: np.ndarray, target: str) -> pd.DataFrame:
    """Per-stance errors with the target, foot and speed of each stance.

    Parameters
    ----------
    dataset
        The test stances.
    estimate_n
        ``(n_stances, 101)`` estimated force, newtons.
    target
        ``"vgrf"`` or ``"apgrf"``.

    Returns
    -------
    pandas.DataFrame
        :func:`grfkit.model.metrics.evaluate` with ``target`` first and ``foot`` and
        ``speed_mps`` added.
    """
    return _with_stance_columns(evaluate(dataset, estimate_n, target), dataset, target)


def _with_stance_columns(table: pd.DataFrame, dataset: StanceDataset, target: str) -> pd.DataFrame:
    """A copy of ``table`` with ``target`` first and the ``foot`` and ``speed_mps`` of each stance added."""
    table = table.copy()
    table.insert(0, "target", target)
    table["foot"] = dataset.meta["foot"].to_numpy()
    table["speed_mps"] = dataset.meta["speed_mps"].to_numpy()
    return table


def transfer_result(scores: Sequence[SplitScores], dataset: StanceDataset | None = None) -> TransferResult:
    """Collect the scores of :func:`grfkit.experiment.evaluation.score_splits` into a :class:`TransferResult`.

    Parameters
    ----------
    scores
        Split by split, target by target (every split scored for the same targets).
    dataset
        The test stances in the order of the splits; default: the splits'
        test sets concatenated.

    Returns
    -------
    TransferResult
        Per-stance errors (:func:`evaluate_stances` columns), the estimates of
        each target and the test stances.
    """
    targets = list(dict.fromkeys(s.target for s in scores))
    if dataset is None:
        dataset = StanceDataset.concat([s.test for s in scores if s.target == targets[0]])
    return TransferResult(
        stances=pd.concat([_with_stance_columns(s.stances, s.test, s.target) for s in scores], ignore_index=True),
        estimates={t: np.concatenate([s.estimated_n for s in scores if s.target == t]) for t in targets},
        dataset=dataset,
    )


def leave_one_subject_out(
    dataset: StanceDataset,
    *,
    targets: Sequence[str] = ("vgrf", "apgrf"),
    preset: str | ModelPreset = "fast",
    features: FeatureSet = PUBLISHED_FEATURES,
    participants: Sequence[str] | None = None,
    seed: int = 0,
    num_threads: int | None = 1,
    progress: bool = False,
) -> TransferResult:
    """Leave-one-subject-out evaluation within one data set.

    Parameters
    ----------
    dataset
        Stances of several participants (e.g. the Hamner wearable stances).
    targets
        Models to train, one per target.
    preset
        Model preset (name or object).
    features
        Model inputs.
    participants
        Held-out participants (default: all); each is predicted by a model
        trained on all the others.
    seed
        Training seed.
    num_threads
        Torch threads during training.
    progress
        Show progress bars.

    Returns
    -------
    TransferResult
        Errors and estimates of every held-out stance (``dataset`` restricted
        to the held-out participants, in their order).
    """
    held_out = list(participants) if participants is not None else dataset.participants
    splits = (split_participants(dataset, [participant]) for participant in held_out)
    return transfer_result(score_splits(splits, targets=targets, preset=preset, features=features, seed=seed,
                                        num_threads=num_threads, progress=progress))


def train_and_test(
    train: StanceDataset,
    test: StanceDataset,
    *,
    targets: Sequence[str] = ("vgrf", "apgrf"),
    preset: str | ModelPreset = "fast",
    features: FeatureSet = PUBLISHED_FEATURES,
    seed: int = 0,
    num_threads: int | None = 1,
    progress: bool = False,
) -> TransferResult:
    """Train on one stance set, estimate another.

    Parameters
    ----------
    train
        Training stances (e.g. every Hamner runner).
    test
        Stances to estimate (e.g. the Dorn jog and sprint).
    targets, preset, features, seed, num_threads, progress
        As :func:`leave_one_subject_out`.

    Returns
    -------
    TransferResult
        Errors and estimates of every test stance.
    """
    scores = score_splits([(train, test)], targets=targets, preset=preset, features=features, seed=seed,
                          num_threads=num_threads, progress=progress)
    return transfer_result(scores, dataset=test)


def summarise_transfer(result: TransferResult, by: Sequence[str] = ("target",)) -> pd.DataFrame:
    """rRMSE (and RMSE, r) per target, as the study reports it.

    Per participant and group the stance metrics are averaged, then the mean
    and range across participants are taken (:func:`grfkit.model.metrics.summarise`).

    Parameters
    ----------
    result
        Output of :func:`leave_one_subject_out` or :func:`train_and_test`.
    by
        Grouping columns of ``result.stances`` besides ``participant`` (e.g.
        ``("target", "bout")`` for the Dorn jog and sprint).

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n_participants``, ``n_stances`` and
        ``rrmse_pct_mean/min/max``, ``rmse_bw_mean/min/max``, ``r_mean/min/max``.
    """
    by = list(by)
    per_participant = participant_metrics(result.stances, by=[*by, "participant"])
    table = summarise(per_participant, columns=("rrmse_pct", "rmse_bw", "r"), by=by)
    counts = result.stances.groupby(by, sort=False).size().rename("n_stances").reset_index()
    return table.merge(counts, on=by)
