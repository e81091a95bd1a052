"""Training from scratch, fine-tuning, and prediction.

:func:`fit` trains a network on exactly the stances it is given (optionally
holding out validation participants, by participant, for a training curve);
:func:`fine_tune` continues training a model on new stances;
:func:`choose_fine_tune_epochs` picks the fine-tuning length by
cross-validation over the training participants; :func:`predict` returns
newtons; :func:`split_participants` splits a data set by participant.
Training seeds its own random streams from ``seed`` and runs torch in
deterministic mode, so the same data, settings, seed and thread count give
bit-identical weights on the CPU.  :func:`torch_threads` sets the thread
count for one call.
"""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.utils.deterministic
from torch import nn

from grfkit.errors import ConfigError
from grfkit.io.stances import StanceDataset
from grfkit.model.features import (
    PUBLISHED_FEATURES,
    FeatureSet,
    body_weight_n,
    build_inputs,
    build_targets,
    target_channel,
)
from grfkit.model.history import TrainingHistory
from grfkit.model.network import build_network
from grfkit.model.normalisation import Scaler, fit_scaler
from grfkit.model.presets import ModelPreset, get_preset
from grfkit.model.trained_model import TrainedModel
from grfkit.progress import progress_bar

__all__ = [
    "TRAINABLE",
    "split_participants",
    "torch_threads",
    "fit",
    "fine_tune",
    "FineTuneChoice",
    "choose_fine_tune_epochs",
    "predict",
]

#: Parameter groups :func:`fine_tune` can train: every layer (``"all"``), the
#: dense head on top of a frozen LSTM (``"head"``), or only the final linear
#: output layer (``"output"``).
TRAINABLE: tuple[str, ...] = ("all", "head", "output")


def split_participants(dataset: StanceDataset, held_out: Sequence[str]) -> tuple[StanceDataset, StanceDataset]:
    """Split a data set by participant into (rest, held out).

    Parameters
    ----------
    dataset
        Stances of several participants.
    held_out
        Participants to hold out (e.g. the one left out in a LOSO fold).

    Returns
    -------
    rest, held_out_set : StanceDataset
        Stances of the other participants, and of the held-out ones.

    Raises
    ------
    ConfigError
        If a held-out participant is not in the data set, or nobody is left.
    """
    held_out = [str(p) for p in held_out]
    participants = dataset.meta["participant"].astype(str)
    unknown = sorted(set(held_out) - set(participants))
    if unknown:
        raise ConfigError(f"participants {unknown} are not in the data set ({dataset.participants})")
    mask = participants.isin(held_out).to_numpy()
    if mask.all():
        raise ConfigError(f"holding out {held_out} leaves no participant to train on")
    return dataset.subset(~mask), dataset.subset(mask)


@contextlib.contextmanager
def torch_threads(num_threads: int | None) -> Iterator[None]:
    """Set torch's intra-op thread count inside a ``with`` block, then restore it.

    Parameters
    ----------
    num_threads
        Threads to use; ``None`` leaves the setting unchanged.

    Examples
    --------
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    """
    if num_threads is None:
        yield
        return
    if num_threads < 1:
        raise ConfigError(f"num_threads must be at least 1, got {num_threads}")
    previous = torch.get_num_threads()
    torch.set_num_threads(int(num_threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextlib.contextmanager
def _seeded(seed: int, device: torch.device) -> Iterator[torch.Generator]:
    """Seed torch's global RNG for the block (restoring it after); yield a shuffling generator."""
    init_seed, shuffle_seed = (int(s) for s in np.random.SeedSequence(seed).generate_state(2))
    on_cpu = device.type == "cpu"
    previous = torch.are_deterministic_algorithms_enabled()
    previous_warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    previous_fill = torch.utils.deterministic.fill_uninitialized_memory
    with torch.random.fork_rng(devices=[] if on_cpu else [device], device_type="cuda" if on_cpu else device.type):
        torch.manual_seed(init_seed)
        if on_cpu:
            torch.use_deterministic_algorithms(True)
            # Deterministic mode also NaN-fills every new buffer, a debugging aid that costs
            # ~6 % of training time; the results of correct kernels do not depend on it.
            torch.utils.deterministic.fill_uninitialized_memory = False
        try:
            yield torch.Generator().manual_seed(shuffle_seed)
        finally:
            torch.use_deterministic_algorithms(previous, warn_only=previous_warn_only)
            torch.utils.deterministic.fill_uninitialized_memory = previous_fill


def _mean_squared_error(network: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 512) -> float:
    """MSE of the network in evaluation mode; leaves the network in training mode."""
    network.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            pred = network(x[start : start + batch_size])
            total += float(((pred - y[start : start + batch_size]) ** 2).sum())
    network.train()
    return total / y.numel()


def _train(
    network: nn.Module,
    params: list[nn.Parameter],
    x: torch.Tensor,
    y: torch.Tensor,
    validation: tuple[torch.Tensor, torch.Tensor] | None,
    *,
    learning_rate: float,
    preset: ModelPreset,
    epochs: int,
    generator: torch.Generator,
    progress: bool,
    description: str,
) -> tuple[list[float], list[float], list[float]]:
    """The optimisation loop: Adam on MSE with gradient-norm clipping and per-epoch shuffling.

    Batches of ``preset.batch_size`` stances; gradient norm clipped at ``preset.grad_clip_norm``.
    """
    batch_size, grad_clip_norm = preset.batch_size, preset.grad_clip_norm
    # The fused implementation updates all parameters in one kernel: ~3x less overhead per step.
    optimiser = torch.optim.Adam(params, lr=learning_rate, fused=x.device.type in ("cpu", "cuda"))
    n = len(x)
    n_batches = -(-n // batch_size)
    step_losses = torch.empty(epochs * n_batches, dtype=torch.float32, device=x.device)
    epoch_loss: list[float] = []
    validation_loss: list[float] = []
    network.train()
    step = 0
    with progress_bar(total=epochs * n_batches, desc=description, unit="batch", show=progress, leave=False) as bar:
        for _ in range(epochs):
            order = torch.randperm(n, generator=generator).to(x.device)
            first_step = step
            for start in range(0, n, batch_size):
                index = order[start : start + batch_size]
                loss = nn.functional.mse_loss(network(x[index]), y[index])
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(params, grad_clip_norm)
                optimiser.step()
                step_losses[step] = loss.detach()
                step += 1
                bar.update(1)
            epoch_loss.append(float(step_losses[first_step:step].mean()))
            if validation is not None:
                validation_loss.append(_mean_squared_error(network, *validation))
            bar.set_postfix(loss_bw2=f"{epoch_loss[-1]:.4f}")
    network.eval()
    return step_losses.cpu().tolist(), epoch_loss, validation_loss


def _epochs_for(n_stances: int, batch_size: int, epochs: int, min_steps: int) -> int:
    """``epochs``, raised so that training takes at least ``min_steps`` optimiser steps."""
    batches_per_epoch = -(-n_stances // batch_size)
    return max(epochs, -(-min_steps // batches_per_epoch))


def _scaled_tensors(
    inputs: np.ndarray, dataset: StanceDataset, scaler: Scaler, features: FeatureSet, target: str,
    device: torch.device,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled inputs and the ``target`` curves of ``dataset`` (whose raw inputs are ``inputs``) on ``device``."""
    x = torch.from_numpy(scaler.transform(inputs, features.channels)).to(device)
    return x, torch.from_numpy(build_targets(dataset, target)).to(device)


def _history(
    phase: str,
    losses: tuple[list[float], list[float], list[float]],
    train: StanceDataset,
    validation_participants: Sequence[str],
    **settings: object,
) -> TrainingHistory:
    """The history of one training phase; ``settings`` are its remaining :class:`TrainingHistory` fields."""
    step_loss, epoch_loss, validation_loss = losses
    return TrainingHistory(
        phase=phase,
        step_loss=tuple(step_loss),
        epoch_loss=tuple(epoch_loss),
        validation_loss=tuple(validation_loss),
        n_stances=len(train),
        participants=tuple(str(q) for q in train.participants),
        validation_participants=tuple(str(v) for v in validation_participants),
        **settings,
    )


def _split_validation(
    dataset: StanceDataset, validation_participants: Sequence[str]
) -> tuple[StanceDataset, StanceDataset | None]:
    if not validation_participants:
        return dataset, None
    return split_participants(dataset, validation_participants)


def fit(
    dataset: StanceDataset,
    *,
    target: str,
    preset: str | ModelPreset = "fast",
    features: FeatureSet = PUBLISHED_FEATURES,
    seed: int = 0,
    validation_participants: Sequence[str] = (),
    progress: bool = True,
    num_threads: int | None = None,
    device: str | torch.device = "cpu",
) -> TrainedModel:
    """Train a new model from scratch on the given stances.

    The scaler is fitted on the training stances, then a freshly initialised
    network is trained with Adam on the mean squared error in body weights
    for ``preset.epochs`` passes, shuffling the stances every epoch, with the
    gradient norm clipped at ``preset.grad_clip_norm``; a training set too
    small for ``preset.min_steps`` steps in ``preset.epochs`` passes gets more
    passes.

    Parameters
    ----------
    dataset
        The training stances -- never include the participant you will test on
        (see :func:`split_participants`).
    target
        ``"vgrf"`` or ``"apgrf"``.
    preset
        Preset name (see :data:`grfkit.model.presets.PRESETS`) or object.
    features
        Input channels.
    seed
        Seeds initialisation, dropout and shuffling.
    validation_participants
        Participants of ``dataset`` to hold out of training (and of the scaler)
        and evaluate after every epoch, for a training curve.
    progress
        Show a tqdm progress bar.
    num_threads
        Torch threads for this call (``None``: leave unchanged).
    device
        Torch device to train on.

    Returns
    -------
    TrainedModel
        In evaluation mode, with one :class:`~grfkit.model.history.TrainingHistory`.

    Raises
    ------
    ConfigError
        For an unknown target or preset, or validation participants that are
        not in the data set or leave nobody to train on.
    ChannelMismatchError
        If the data set lacks feature channels (all named).
    """
    target_channel(target)
    p = get_preset(preset)
    device = torch.device(device)
    train, held = _split_validation(dataset, validation_participants)
    x_np = build_inputs(train, features)
    scaler = fit_scaler(x_np, features.channels)
    x, y = _scaled_tensors(x_np, train, scaler, features, target, device)
    validation = None
    if held is not None:
        validation = _scaled_tensors(build_inputs(held, features), held, scaler, features, target, device)
    epochs = _epochs_for(len(train), p.batch_size, p.epochs, p.min_steps)
    with torch_threads(num_threads), _seeded(seed, device) as generator:
        network = build_network(p, len(features)).to(device)
        started = time.perf_counter()
        losses = _train(
            network,
            list(network.parameters()),
            x,
            y,
            validation,
            learning_rate=p.learning_rate,
            preset=p,
            epochs=epochs,
            generator=generator,
            progress=progress,
            description=f"fit {target} ({p.name})",
        )
        wall_time_s = time.perf_counter() - started
    history = _history(
        "fit", losses, train, validation_participants, learning_rate=p.learning_rate, batch_size=p.batch_size,
        epochs=epochs, trainable="all", seed=seed, wall_time_s=wall_time_s,
    )
    return TrainedModel(
        network=network.cpu(), preset=p, features=features, target=target, scaler=scaler, history=(history,)
    )


def fine_tune(
    model: TrainedModel,
    dataset: StanceDataset,
    *,
    trainable: str = "all",
    learning_rate: float | None = None,
    epochs: int | None = None,
    refit_scaler: bool = False,
    seed: int = 0,
    validation_participants: Sequence[str] = (),
    progress: bool = True,
    num_threads: int | None = None,
    device: str | torch.device = "cpu",
) -> TrainedModel:
    """Continue training a (pre-trained) model on new stances -- transfer learning.

    The model is copied; the original is left untouched.  The defaults
    follow common practice for adapting a network to a related domain with
    little data: every layer stays trainable (the treadmill-learnt LSTM
    features are a starting point, not a constraint), with a fresh Adam
    optimiser at a lower learning rate than training from scratch
    (``preset.fine_tune_lr_factor`` times ``preset.learning_rate``, i.e. half)
    so that the first steps on a small data set do not wipe out what was
    pre-trained, for ``preset.fine_tune_epochs`` passes (at least
    ``preset.min_steps`` steps).  ``trainable="head"``
    instead freezes the LSTM and retrains only the dense layers: fewer
    parameters to fit from a few hundred stances, but no adaptation of the
    temporal features; ``trainable="output"`` trains only the final linear
    layer (a linear read-out of the pre-trained features).  The scaler of the
    pre-trained model is kept by default, so the fine-tuned network sees
    inputs scaled as in pre-training;
    ``refit_scaler=True`` refits it on ``dataset`` instead.  Dropout, batch size
    and gradient clipping come from the model's preset.

    Parameters
    ----------
    model
        Model to start from (e.g. trained on the treadmill data set).
    dataset
        Fine-tuning stances -- never include the participant you will test on.
    trainable
        ``"all"``, ``"head"`` or ``"output"`` (see :data:`TRAINABLE`).
    learning_rate
        Adam learning rate; default ``preset.learning_rate * preset.fine_tune_lr_factor``.
    epochs
        Passes over ``dataset``; default ``preset.fine_tune_epochs``, raised to
        reach ``preset.min_steps`` optimiser steps.
    refit_scaler
        Refit the z-score statistics on ``dataset`` instead of keeping the
        pre-training ones.
    seed
        Seeds dropout and shuffling.
    validation_participants
        Participants of ``dataset`` to hold out and evaluate after each epoch.
    progress
        Show a tqdm progress bar.
    num_threads
        Torch threads for this call (``None``: leave unchanged).
    device
        Torch device to train on.

    Returns
    -------
    TrainedModel
        A new model whose history is the original's plus one ``"fine_tune"`` phase.

    Raises
    ------
    ConfigError
        For an unknown ``trainable``, a non-positive learning rate or epoch
        count, or invalid validation participants.
    ChannelMismatchError
        If the data set lacks the model's feature channels.
    """
    if trainable not in TRAINABLE:
        raise ConfigError(f"trainable must be one of {TRAINABLE}, got {trainable!r}")
    p = model.preset
    learning_rate = p.learning_rate * p.fine_tune_lr_factor if learning_rate is None else float(learning_rate)
    if not (np.isfinite(learning_rate) and learning_rate > 0) or (epochs is not None and epochs < 1):
        raise ConfigError(f"fine-tuning needs a positive learning rate and epochs, got {learning_rate}, {epochs}")
    device = torch.device(device)
    train, held = _split_validation(dataset, validation_participants)
    if epochs is None:
        epochs = _epochs_for(len(train), p.batch_size, p.fine_tune_epochs, p.min_steps)
    features = model.features
    x_np = build_inputs(train, features)
    scaler = fit_scaler(x_np, features.channels) if refit_scaler else model.scaler
    x, y = _scaled_tensors(x_np, train, scaler, features, model.target, device)
    validation = None
    if held is not None:
        validation = _scaled_tensors(build_inputs(held, features), held, scaler, features, model.target, device)
    network = copy.deepcopy(model.network).to(device)
    trained = {"all": network, "head": network.head, "output": network.head[-1]}[trainable]
    for param in network.parameters():
        param.requires_grad_(False)
    for param in trained.parameters():
        param.requires_grad_(True)
    params = [q for q in network.parameters() if q.requires_grad]
    with torch_threads(num_threads), _seeded(seed, device) as generator:
        started = time.perf_counter()
        losses = _train(
            network,
            params,
            x,
            y,
            validation,
            learning_rate=learning_rate,
            preset=p,
            epochs=epochs,
            generator=generator,
            progress=progress,
            description=f"fine-tune {model.target} ({p.name}, {trainable})",
        )
        wall_time_s = time.perf_counter() - started
    for param in network.parameters():
        param.requires_grad_(True)
    history = _history(
        "fine_tune", losses, train, validation_participants, learning_rate=learning_rate, batch_size=p.batch_size,
        epochs=epochs, trainable=trainable, seed=seed, wall_time_s=wall_time_s,
    )
    return TrainedModel(
        network=network.cpu(),
        preset=p,
        features=features,
        target=model.target,
        scaler=scaler,
        history=(*model.history, history),
    )


@dataclass(frozen=True)
class FineTuneChoice:
    """The number of fine-tuning passes chosen by inner cross-validation.

    Parameters
    ----------
    epochs
        Passes with the lowest mean inner validation loss; ``0`` keeps the
        pre-trained model unchanged.
    validation_loss
        Mean inner validation loss (BW²) after ``0, 1, ..., max_epochs``
        passes.
    inner_folds
        The training participants held out in each inner fold.
    """

    epochs: int
    validation_loss: tuple[float, ...]
    inner_folds: tuple[tuple[str, ...], ...]


def choose_fine_tune_epochs(
    model: TrainedModel,
    dataset: StanceDataset,
    *,
    n_inner_folds: int,
    trainable: str = "all",
    max_epochs: int | None = None,
    seed: int = 0,
    num_threads: int | None = None,
    device: str | torch.device = "cpu",
) -> FineTuneChoice:
    """Choose how long to fine-tune by cross-validation over ``dataset``'s participants.

    The participants of ``dataset`` (the outer fold's *training*
    participants: the held-out one never reaches this function) are dealt
    round-robin, in sorted order, into ``n_inner_folds`` groups.  For each
    group, ``model`` is fine-tuned on the others for ``max_epochs`` passes
    and its loss on the group recorded before and after every pass; the
    number of passes with the lowest mean loss wins (0: fine-tuning does not help).

    Parameters
    ----------
    model
        The pre-trained model.
    dataset
        Fine-tuning stances of at least ``n_inner_folds`` participants.
    n_inner_folds
        Number of inner folds (at least 2).
    trainable
        As for :func:`fine_tune`.
    max_epochs
        Longest fine-tuning tried; default what :func:`fine_tune` would do on
        ``dataset`` (``fine_tune_epochs``, raised to ``min_steps`` steps).
    seed, num_threads, device
        As for :func:`fine_tune`.

    Returns
    -------
    FineTuneChoice
        The chosen number of passes and the mean validation curve.

    Raises
    ------
    ConfigError
        With fewer participants than inner folds, or fewer than 2 folds.
    """
    participants = sorted(str(q) for q in dataset.participants)
    if n_inner_folds < 2 or len(participants) < n_inner_folds:
        raise ConfigError(
            f"choosing the fine-tuning length needs at least 2 inner folds and a participant per fold; "
            f"got {n_inner_folds} folds for participants {participants}"
        )
    p = model.preset
    if max_epochs is None:
        max_epochs = _epochs_for(len(dataset), p.batch_size, p.fine_tune_epochs, p.min_steps)
    folds = tuple(tuple(participants[i::n_inner_folds]) for i in range(n_inner_folds))
    curves = []
    for fold in folds:
        _, held = split_participants(dataset, fold)
        inputs = build_inputs(held, model.features)
        x, y = _scaled_tensors(inputs, held, model.scaler, model.features, model.target, torch.device(device))
        before = _mean_squared_error(copy.deepcopy(model.network).to(device), x, y)
        tuned = fine_tune(model, dataset, trainable=trainable, epochs=max_epochs, validation_participants=fold,
                          seed=seed, progress=False, num_threads=num_threads, device=device)
        curves.append([before, *tuned.history[-1].validation_loss])
    mean = np.mean(np.asarray(curves), axis=0)
    return FineTuneChoice(epochs=int(np.argmin(mean)), validation_loss=tuple(float(v) for v in mean), inner_folds=folds)


def predict(
    model: TrainedModel,
    dataset: StanceDataset,
    *,
    batch_size: int = 512,
    num_threads: int | None = None,
    device: str | torch.device = "cpu",
) -> np.ndarray:
    """Estimate the target force curve of every stance, in newtons.

    Parameters
    ----------
    model
        A trained model.
    dataset
        Stances holding the model's feature channels and ``body_mass_kg``.
    batch_size
        Stances per forward pass.
    num_threads
        Torch threads for this call (``None``: leave unchanged).
    device
        Torch device to compute on.

    Returns
    -------
    numpy.ndarray
        ``float64`` ``(n_stances, 101)``: the network's body-weight output
        times each stance's body weight.

    Raises
    ------
    ChannelMismatchError
        If the data set lacks the model's feature channels (all named).
    """
    inputs = model.prepare_inputs(dataset)
    with torch_threads(num_threads):
        estimate_bw = model.predict_bw(inputs, batch_size=batch_size, device=device)
    return estimate_bw * body_weight_n(dataset)[:, None]
