"""Treadmill-to-overground transfer on real forces with virtual wearables.

The study's question asked of public data: a model trained on treadmill
stances (Hamner & Delp 2013, 10 runners, 2-5 m/s) estimates overground
stances (Dorn et al. 2012, one runner: a 3.5 m/s jog inside the treadmill
speed range and a 9 m/s sprint far outside it).  The inputs are *virtual*
wearables derived from markers and force (:mod:`grfkit.real.wearables`); the
targets are measured force.

* :func:`leave_one_subject_out` -- the treadmill error: for each Hamner runner,
  a model trained on the other nine estimates that runner's stances;
* :func:`train_and_test` -- a model trained on all treadmill runners
  estimates the overground stances.

Both use the model code of the simulated study (:func:`grfkit.model.training.fit`,
:func:`grfkit.model.training.predict`, :func:`grfkit.model.metrics.evaluate`), one
network per target (``"vgrf"``, ``"apgrf"``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grfkit.io.stances import StanceDataset
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet
from grfkit.model.metrics import evaluate, participant_metrics, summarise
from grfkit.model.presets import ModelPreset, get_preset
from grfkit.model.training import fit, predict, split_participants
from grfkit.scales import RealDataScale, get_real_scale

__all__ = ["real_data_preset", "TransferResult", "evaluate_stances", "leave_one_subject_out", "train_and_test", "summarise_transfer"]


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
    table = evaluate(dataset, estimate_n, target)
    table.insert(0, "target", target)
    table["foot"] = dataset.meta["foot"].to_numpy()
    table["speed_mps"] = dataset.meta["speed_mps"].to_numpy()
    return table


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
    tables, parts = [], []
    estimates: dict[str, list[np.ndarray]] = {t: [] for t in targets}
    for participant in held_out:
        train, test = split_participants(dataset, [participant])
        parts.append(test)
        for target in targets:
            model = fit(
                train, target=target, preset=preset, features=features, seed=seed, progress=progress,
                num_threads=num_threads,
            )
            estimate = predict(model, test, num_threads=num_threads)
            estimates[target].append(estimate)
            tables.append(evaluate_stances(test, estimate, target))
    return TransferResult(
        stances=pd.concat(tables, ignore_index=True),
        estimates={t: np.concatenate(v) for t, v in estimates.items()},
        dataset=StanceDataset.concat(parts),
    )


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
    tables = []
    estimates = {}
    for target in targets:
        model = fit(
            train, target=target, preset=preset, features=features, seed=seed, progress=progress, num_threads=num_threads
        )
        estimates[target] = predict(model, test, num_threads=num_threads)
        tables.append(evaluate_stances(test, estimates[target], target))
    return TransferResult(stances=pd.concat(tables, ignore_index=True), estimates=estimates, dataset=test)


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
