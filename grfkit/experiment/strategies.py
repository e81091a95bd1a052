"""The four training strategies of the study, and two baselines, evaluated leave-one-subject-out.

Every strategy is evaluated on one held-out *overground* participant at a
time (a LOSO fold); they differ only in what the model is trained on:

``"overground"``
    Train from scratch on the other overground participants.
``"treadmill"``
    Train on the treadmill data set only.
``"transfer"``
    Pre-train on the treadmill data set, then fine-tune on the other
    overground participants (:func:`grfkit.model.training.fine_tune`: the preset's
    layers, half the learning rate, for the number of passes that
    cross-validation over those participants chooses).
``"combined"``
    One round of training from scratch on the treadmill data set plus the
    other overground participants.

Two baselines without any wearable signal (:mod:`grfkit.model.baselines`) are
scored the same way, fitted on the other overground participants:

``"baseline_mean"``
    Their mean force curve (body weights), times the test stance's body weight.
``"baseline_static"``
    The mean curve of the training stances nearest in contact time, speed,
    body mass and gradient.

:data:`STRATEGIES` holds the four wearable strategies, :data:`ALL_STRATEGIES`
the baselines too.

Pre-training is shared across folds
-----------------------------------
The treadmill data set contains no overground participant, so a model
trained on it alone cannot depend on which overground participant is held
out.  It is therefore trained **once per target** (:func:`pretrain`) and
reused in every fold: the ``"treadmill"`` strategy *is* that pre-trained
model evaluated on each held-out participant, and ``"transfer"`` starts
every fold's fine-tuning from a copy of it.  This is exactly equivalent to
re-training it in every fold with the same seed (training is deterministic),
only ``n_folds`` times cheaper.

Leakage guard
-------------
:func:`run_fold` receives the *whole* overground set and the name of the
held-out participant, splits them itself (:func:`grfkit.model.training.split_participants`)
and passes only the other participants to training.  The held-out
participant's stances therefore never reach anything that is fitted: the
z-score statistics (fitted on the training stances by
:func:`grfkit.model.training.fit`, or kept from pre-training by
:func:`grfkit.model.training.fine_tune`), the weights, the baselines' curves and
standardisation, or model selection: the only choice made from data, the
number of fine-tuning passes of ``"transfer"``, is made by cross-validation
over the training participants (:func:`grfkit.model.training.choose_fine_tune_epochs`);
every other strategy trains for a fixed, preset number of epochs.  The
held-out stances are only predicted.  ``tests/test_strategies.py`` checks this by making the held-out
participant's inputs, forces and body mass extreme and comparing the fitted
models bit for bit.

Seeds
-----
All trainings of one experiment use the same seed (initialisation, dropout
and shuffling): the strategies and folds then differ only in their training
data, a paired comparison.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from grfkit.errors import ConfigError
from grfkit.io.stances import StanceDataset
from grfkit.model.baselines import (
    BASELINES,
    BaselineModel,
    fit_baseline,
    predict_baseline,
)
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet, target_channel
from grfkit.model.metrics import evaluate
from grfkit.model.presets import ModelPreset, get_preset
from grfkit.model.trained_model import TrainedModel
from grfkit.model.training import (
    choose_fine_tune_epochs,
    fine_tune,
    fit,
    predict,
    split_participants,
)

__all__ = [
    "STRATEGIES",
    "BASELINES",
    "ALL_STRATEGIES",
    "OVERGROUND",
    "TREADMILL",
    "check_strategy",
    "is_baseline",
    "needs_pretraining",
    "split_domains",
    "pretrain",
    "train_strategy",
    "FoldResult",
    "run_fold",
    "exaggerate_participant",
    "identical_fit",
]

#: The four training strategies (wearable models), in the order the study presents them.
STRATEGIES: tuple[str, ...] = ("overground", "treadmill", "transfer", "combined")

#: The wearable strategies followed by the no-wearable baselines (:data:`grfkit.model.baselines.BASELINES`).
ALL_STRATEGIES: tuple[str, ...] = STRATEGIES + BASELINES

#: Value of the stance metadata column ``dataset`` for the overground (test) domain.
OVERGROUND: str = "overground"
#: Value of the stance metadata column ``dataset`` for the treadmill domain.
TREADMILL: str = "treadmill"


def check_strategy(strategy: str) -> str:
    """Return ``strategy`` if it is one of :data:`ALL_STRATEGIES` (a strategy or a baseline).

    Parameters
    ----------
    strategy
        Strategy name.

    Returns
    -------
    str
        The same name.

    Raises
    ------
    ConfigError
        If the name is unknown.

    Examples
    --------
    >>> check_strategy("transfer")
    'transfer'
    """
    if strategy not in ALL_STRATEGIES:
        raise ConfigError(f"unknown strategy {strategy!r}; choose from {list(ALL_STRATEGIES)}")
    return strategy


def is_baseline(strategy: str) -> bool:
    """Return whether a strategy is a no-wearable baseline (no torch model).

    Parameters
    ----------
    strategy
        One of :data:`ALL_STRATEGIES`.

    Raises
    ------
    ConfigError
        If the name is unknown.

    Examples
    --------
    >>> [is_baseline(s) for s in ("combined", "baseline_static")]
    [False, True]
    """
    return check_strategy(strategy) in BASELINES


def needs_pretraining(strategy: str) -> bool:
    """Return whether a strategy uses the treadmill-pre-trained model.

    Parameters
    ----------
    strategy
        One of :data:`ALL_STRATEGIES`.

    Examples
    --------
    >>> [needs_pretraining(s) for s in ALL_STRATEGIES]
    [False, True, True, False, False, False]
    """
    return check_strategy(strategy) in ("treadmill", "transfer")


def split_domains(stances: StanceDataset) -> tuple[StanceDataset, StanceDataset]:
    """Split stances into the overground and the treadmill data set.

    Parameters
    ----------
    stances
        Stances whose metadata column ``dataset`` is ``"overground"`` or
        ``"treadmill"``.

    Returns
    -------
    overground, treadmill : StanceDataset
        Either may be empty.

    Raises
    ------
    ConfigError
        If the ``dataset`` column holds other values (all listed), or a
        participant appears in both domains (all such participants named): a
        treadmill-trained model would then have seen the held-out runner.
    """
    domain = stances.meta["dataset"].astype(str)
    other = sorted(set(domain) - {OVERGROUND, TREADMILL})
    if other:
        raise ConfigError(f"stance metadata column 'dataset' holds {other}; expected {OVERGROUND!r} or {TREADMILL!r}")
    is_overground = (domain == OVERGROUND).to_numpy()
    participant = stances.meta["participant"].astype(str)
    both = sorted(set(participant[is_overground]) & set(participant[~is_overground]))
    if both:
        raise ConfigError(
            f"participants {both} appear in both the overground and the treadmill stances; each participant "
            "must belong to one domain, or pre-training would see the held-out overground participant"
        )
    return stances.subset(is_overground), stances.subset(~is_overground)


def _require(dataset: StanceDataset | None, what: str, strategy: str) -> StanceDataset:
    if dataset is None or len(dataset) == 0:
        raise ConfigError(f"strategy {strategy!r} needs {what}, but there are no such stances")
    return dataset


def pretrain(
    treadmill: StanceDataset,
    *,
    target: str,
    preset: str | ModelPreset = "fast",
    features: FeatureSet = PUBLISHED_FEATURES,
    seed: int = 0,
    num_threads: int | None = None,
    progress: bool = False,
) -> TrainedModel:
    """Train the treadmill model, shared by every fold of ``"treadmill"`` and ``"transfer"``.

    It does not depend on the held-out overground participant (no
    overground stance is used), so one model per target serves all folds.

    Parameters
    ----------
    treadmill
        The treadmill stances (no overground participant).
    target
        ``"vgrf"`` or ``"apgrf"``.
    preset, features, seed, num_threads, progress
        As for :func:`grfkit.model.training.fit`.

    Returns
    -------
    TrainedModel
        Trained from scratch on ``treadmill``.

    Raises
    ------
    ConfigError
        If ``treadmill`` is empty or holds overground stances.
    """
    treadmill = _require(treadmill, "treadmill stances", "treadmill")
    if (treadmill.meta["dataset"].astype(str) != TREADMILL).any():
        raise ConfigError("pre-training must see treadmill stances only; the data set holds overground stances")
    return fit(treadmill, target=target, preset=preset, features=features, seed=seed, progress=progress,
               num_threads=num_threads)


def train_strategy(
    strategy: str,
    overground_train: StanceDataset,
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
) -> TrainedModel | BaselineModel:
    """Train the model of one strategy (or fit one baseline) for one fold.

    Parameters
    ----------
    strategy
        One of :data:`ALL_STRATEGIES`.
    overground_train
        The overground *training* participants (the held-out one removed).
    target
        ``"vgrf"`` or ``"apgrf"``.
    treadmill
        Treadmill stances; needed by ``"combined"`` (and by ``"treadmill"`` and
        ``"transfer"`` when ``pretrained`` is not given).
    pretrained
        The model of :func:`pretrain` for this target; trained here when
        missing and needed.
    preset, features, seed, num_threads, progress
        As for :func:`grfkit.model.training.fit` (the baselines use none of them).
    k_neighbours
        Neighbours of ``"baseline_static"`` (see :func:`grfkit.model.baselines.fit_baseline`).

    Returns
    -------
    TrainedModel or BaselineModel
        ``"treadmill"`` returns ``pretrained`` itself; a baseline returns
        a :class:`~grfkit.model.baselines.BaselineModel` fitted on ``overground_train``.

    Raises
    ------
    ConfigError
        For an unknown strategy, missing data, or a pre-trained model for
        another target, preset or feature set.
    """
    if is_baseline(strategy):
        return fit_baseline(strategy, _require(overground_train, "overground training stances", strategy),
                            target=target, k_neighbours=k_neighbours)
    common = dict(seed=seed, num_threads=num_threads, progress=progress)
    if strategy == "overground":
        return fit(_require(overground_train, "overground training stances", strategy), target=target,
                   preset=preset, features=features, **common)
    if strategy == "combined":
        both = StanceDataset.concat(
            [_require(treadmill, "treadmill stances", strategy),
             _require(overground_train, "overground training stances", strategy)]
        )
        return fit(both, target=target, preset=preset, features=features, **common)
    if pretrained is None:
        pretrained = pretrain(_require(treadmill, "treadmill stances", strategy), target=target, preset=preset,
                              features=features, **common)
    if pretrained.target != target:
        raise ConfigError(f"the pre-trained model estimates {pretrained.target!r}, not {target!r}")
    p = get_preset(preset)
    if pretrained.preset.training_dict() != p.training_dict() or pretrained.features != features:
        raise ConfigError(
            f"the pre-trained model has preset {pretrained.preset.name!r} and features {pretrained.features.name!r}; "
            f"this fold asks for {p.name!r} and {features.name!r}"
        )
    if strategy == "treadmill":
        return pretrained
    overground_train = _require(overground_train, "overground training stances", strategy)
    # Same training from scratch, so the pre-trained model is valid; fine-tune with this preset's settings.
    pretrained = dataclasses.replace(pretrained, preset=p)
    if p.fine_tune_inner_folds:
        choice = choose_fine_tune_epochs(pretrained, overground_train, n_inner_folds=p.fine_tune_inner_folds,
                                         trainable=p.fine_tune_trainable, seed=seed, num_threads=num_threads)
        if choice.epochs == 0:
            return pretrained
        return fine_tune(pretrained, overground_train, trainable=p.fine_tune_trainable, epochs=choice.epochs,
                         **common)
    return fine_tune(pretrained, overground_train, trainable=p.fine_tune_trainable, **common)


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
) -> FoldResult:
    """Train one strategy (or fit one baseline) without ``held_out`` and evaluate it on ``held_out``.

    Parameters
    ----------
    strategy
        One of :data:`ALL_STRATEGIES`.
    overground
        *All* overground stances, the held-out participant included: the
        split happens here, so that callers cannot leak it into training.
    held_out
        The overground participant to test on.
    target, treadmill, pretrained, preset, features, seed, num_threads, progress, k_neighbours
        As for :func:`train_strategy`.

    Returns
    -------
    FoldResult
        Metrics and curves of the held-out participant's stances.

    Raises
    ------
    ConfigError
        If ``held_out`` is not an overground participant, or as
        :func:`train_strategy`.
    """
    if (overground.meta["dataset"].astype(str) != OVERGROUND).any():
        raise ConfigError("run_fold needs the overground stances only (split them with split_domains)")
    started = time.perf_counter()
    train, test = split_participants(overground, [held_out])
    model = train_strategy(
        strategy,
        train,
        target=target,
        treadmill=treadmill,
        pretrained=pretrained,
        preset=preset,
        features=features,
        seed=seed,
        num_threads=num_threads,
        progress=progress,
        k_neighbours=k_neighbours,
    )
    if isinstance(model, BaselineModel):
        estimated_n, n_train = predict_baseline(model, test), model.n_stances
    else:
        estimated_n, n_train = predict(model, test, num_threads=num_threads), model.history[-1].n_stances
    table = evaluate(test, estimated_n, target)
    return FoldResult(
        strategy=strategy,
        target=target,
        subject=str(held_out),
        stances=table,
        measured_n=test.target(target_channel(target)).astype(np.float64),
        estimated_n=estimated_n,
        n_train_stances=int(n_train),
        wall_time_s=time.perf_counter() - started,
        model=model,
        fine_tune_epochs=_fine_tune_epochs(strategy, model),
    )


def _fine_tune_epochs(strategy: str, model: TrainedModel | BaselineModel) -> int | None:
    """Passes of fine-tuning of a transfer model (0 when the pre-trained model was kept)."""
    if strategy != "transfer":
        return None
    last = model.history[-1]
    return int(last.epochs) if last.phase == "fine_tune" else 0


def exaggerate_participant(
    dataset: StanceDataset,
    participant: str,
    factor: float = 1000.0,
    *,
    target_factor: float = 1.0,
    mass_factor: float = 1.0,
) -> StanceDataset:
    """Return a copy with one participant's inputs (and optionally forces and mass) made extreme, for leakage checks.

    The participant's time-varying inputs and static model inputs (contact
    time, speed, insole length, gradient) are multiplied by ``factor``, its
    measured forces by ``target_factor`` and its body mass by
    ``mass_factor``; by default forces and mass are left alone, so the
    participant's measured curves are unchanged.  If a model trained
    without that participant is bit-identical on the original and the
    exaggerated data, the participant touched nothing fitted.

    Parameters
    ----------
    dataset
        Stances.
    participant
        Participant to exaggerate.
    factor
        Multiplier of the inputs.
    target_factor
        Multiplier of the measured forces (all target channels).
    mass_factor
        Multiplier of ``body_mass_kg``.

    Returns
    -------
    StanceDataset
        A new data set; ``dataset`` is not modified.

    Raises
    ------
    ConfigError
        If the participant is not in the data set.
    """
    mask = (dataset.meta["participant"].astype(str) == str(participant)).to_numpy()
    if not mask.any():
        raise ConfigError(f"participant {participant!r} is not in the data set ({dataset.participants})")
    inputs, targets, meta = dataset.inputs.copy(), dataset.targets.copy(), dataset.meta.copy()
    inputs[mask] *= factor
    targets[mask] *= target_factor
    for column in ("contact_time_s", "speed_mps", "insole_length_m", "gradient_deg"):
        meta.loc[mask, column] = meta.loc[mask, column] * factor
    meta.loc[mask, "body_mass_kg"] = meta.loc[mask, "body_mass_kg"] * mass_factor
    return StanceDataset(meta, inputs, targets, dataset.input_channels, dataset.target_channels, dataset.skipped)


def identical_fit(a: TrainedModel | BaselineModel, b: TrainedModel | BaselineModel) -> bool:
    """Return whether two models were fitted identically: same scaler, weights and training losses, bit for bit.

    Parameters
    ----------
    a, b
        Trained models, or fitted baselines (compared with
        :meth:`~grfkit.model.baselines.BaselineModel.equals`).

    Returns
    -------
    bool
        ``True`` if the scaler statistics, every weight tensor and the
        recorded step losses of every training phase are identical (for
        baselines: every field); ``False`` for a model and a baseline.
    """
    if isinstance(a, BaselineModel) or isinstance(b, BaselineModel):
        return isinstance(a, BaselineModel) and isinstance(b, BaselineModel) and a.equals(b)
    wa, wb = a.network.state_dict(), b.network.state_dict()
    return (
        a.scaler.equals(b.scaler)
        and wa.keys() == wb.keys()
        and all(torch.equal(wa[k], wb[k]) for k in wa)
        and [h.step_loss for h in a.history] == [h.step_loss for h in b.history]
    )
