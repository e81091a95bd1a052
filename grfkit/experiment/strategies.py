"""The four training strategies of the study and two no-wearable baselines.

Every strategy is scored on one held-out *overground* participant at a time
(:func:`grfkit.experiment.evaluation.run_fold`); they differ only in what the
model is trained on: ``"overground"`` (the other overground participants,
from scratch), ``"treadmill"`` (the treadmill data set only), ``"transfer"``
(pre-trained on the treadmill, fine-tuned on the other overground
participants for the passes that inner cross-validation over them chooses)
and ``"combined"`` (treadmill and other overground participants together).
The baselines ``"baseline_mean"`` and ``"baseline_static"``
(:mod:`grfkit.model.baselines`) are fitted on the other overground participants.
The treadmill model contains no overground participant, so :func:`pretrain`
trains it once per target and every fold reuses it.  :func:`train_strategy`
trains one strategy; :func:`exaggerate_participant` and :func:`identical_fit`
check that a held-out participant touches nothing fitted.
"""

from __future__ import annotations

import dataclasses

import torch

from grfkit.errors import ConfigError
from grfkit.io.stances import StanceDataset
from grfkit.model.baselines import BASELINES, BaselineModel, fit_baseline
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet
from grfkit.model.presets import ModelPreset, get_preset
from grfkit.model.trained_model import TrainedModel
from grfkit.model.training import choose_fine_tune_epochs, fine_tune, fit

__all__ = [
    "STRATEGIES",
    "BASELINES",
    "ALL_STRATEGIES",
    "OVERGROUND",
    "TREADMILL",
    "check_strategy",
    "is_baseline",
    "needs_pretraining",
    "uses_treadmill",
    "split_domains",
    "pretrain",
    "train_strategy",
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


def uses_treadmill(strategy: str) -> bool:
    """Return whether a strategy's model depends on the treadmill stances (directly or pre-trained on them).

    Parameters
    ----------
    strategy
        One of :data:`ALL_STRATEGIES`.

    Examples
    --------
    >>> [uses_treadmill(s) for s in ALL_STRATEGIES]
    [False, True, True, True, False, False]
    """
    return needs_pretraining(strategy) or strategy == "combined"


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
    device: str | torch.device = "cpu",
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
    preset, features, seed, num_threads, progress, device
        As for :func:`grfkit.model.training.fit`.

    Returns
    -------
    TrainedModel
        Trained from scratch on ``treadmill`` (its network on the CPU).

    Raises
    ------
    ConfigError
        If ``treadmill`` is empty or holds overground stances.
    """
    treadmill = _require(treadmill, "treadmill stances", "treadmill")
    if (treadmill.meta["dataset"].astype(str) != TREADMILL).any():
        raise ConfigError("pre-training must see treadmill stances only; the data set holds overground stances")
    return fit(treadmill, target=target, preset=preset, features=features, seed=seed, progress=progress,
               num_threads=num_threads, device=device)


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
    device: str | torch.device = "cpu",
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
    device
        Torch device that trains (see :func:`grfkit.model.devices.resolve_device`); the
        model comes back on the CPU.

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
    common = dict(seed=seed, num_threads=num_threads, progress=progress, device=device)
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
                                         trainable=p.fine_tune_trainable, seed=seed, num_threads=num_threads,
                                         device=device)
        if choice.epochs == 0:
            return pretrained
        return fine_tune(pretrained, overground_train, trainable=p.fine_tune_trainable, epochs=choice.epochs,
                         **common)
    return fine_tune(pretrained, overground_train, trainable=p.fine_tune_trainable, **common)


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
