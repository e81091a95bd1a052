"""The bidirectional-LSTM regressor, its presets, and saving/loading a trained model.

Architecture (one network per target force component)::

    inputs (batch, 101, n_features), z-scored
      -> dropout (input_dropout)
      -> bidirectional LSTM (lstm_layers, hidden_size per direction)
      -> dropout
      -> at every time step: [Linear -> ReLU -> dropout] for each of dense_sizes
      -> Linear -> 1 value per time step
    output (batch, 101): force in body weights

The ``"paper"`` preset follows the code published with Carter et al. (2024,
PeerJ 12:e17896): one BiLSTM layer of 512 units per direction (1024 outputs
per time step), dense layers 1024 -> 64 -> 32 -> 1 with ReLU, dropout 0.2 on
the inputs, after the LSTM and after each hidden dense layer, Adam with
learning rate 5e-4, batch size 8, one epoch, MSE loss and gradient norm
clipped at 1.0.  It is the published *network and optimiser*, not the
published pipeline: the published code builds 400-point sequences
(``Dataset_Generator.py``, ``sequence_length = 400``; here 101 points, as
the abstract states) and places the FSRs in millimetres (here insole
fractions); its filtering is not part of the published code (here the force
is filtered at 20 Hz, as the abstract states, and the IMU only resampled);
its fine-tuning settings are not published (grfkit's are its own,
:func:`grfkit.model.training.choose_fine_tune_epochs`).  The ``"fast"`` preset
keeps the architecture but shrinks it and trains differently (see
:data:`PRESETS`).

A trained model is saved as a folder::

    model/
      model.json    preset, feature channels, target, scaler statistics,
                    training history, format version, and the SHA-256 of
                    weights.pt and of model.json's own content (checked on load)
      weights.pt    the network's state_dict (torch.save), read back with
                    torch.load(weights_only=True): tensors only, no pickled code
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import torch
from torch import nn

from grfkit.errors import (
    ChannelMismatchError,
    ChecksumError,
    ConfigError,
    FileFormatError,
    MissingFileError,
    TruncatedFileError,
)
from grfkit.io.stances import StanceDataset
from grfkit.model.features import FeatureSet, build_inputs, target_channel
from grfkit.model.normalisation import Scaler
from grfkit.storage.atomic import atomic_directory
from grfkit.storage.cache import sha256_file

__all__ = [
    "ModelPreset",
    "PRESETS",
    "get_preset",
    "BiLSTMRegressor",
    "build_network",
    "TrainingHistory",
    "TrainedModel",
]

_FORMAT = "grfkit-model"
_VERSION = 2


@dataclass(frozen=True)
class ModelPreset:
    """Architecture and training hyper-parameters of one model configuration.

    Parameters
    ----------
    name
        Registry name.
    hidden_size
        LSTM units per direction.
    lstm_layers
        Stacked bidirectional LSTM layers.
    dense_sizes
        Widths of the hidden dense layers applied at every time step, after
        the LSTM (whose output is ``2 * hidden_size`` wide) and before the
        final 1-unit output layer.
    input_dropout
        Dropout probability on the inputs.
    dropout
        Dropout probability after the LSTM, between stacked LSTM layers and
        after each hidden dense layer.
    learning_rate
        Adam learning rate when training from scratch.
    batch_size
        Stances per optimiser step.
    epochs
        Passes over the training stances when training from scratch.
    min_steps
        Minimum number of optimiser steps: a small training set gets more
        passes than ``epochs`` (``ceil(min_steps / batches per epoch)``) so
        that training from scratch on, say, 14 overground participants still
        converges.  0 keeps ``epochs`` exactly.  Applies to fine-tuning too
        unless its epochs are given explicitly.
    grad_clip_norm
        Maximum total gradient norm per step.
    fine_tune_epochs
        Default passes over the data when fine-tuning.
    fine_tune_lr_factor
        Default fine-tuning learning rate as a fraction of ``learning_rate``.
    fine_tune_trainable
        Layers the transfer strategy fine-tunes: ``"all"`` or ``"head"``
        (the dense layers only, the LSTM frozen).
    fine_tune_inner_folds
        ``k >= 2``: the transfer strategy chooses how many passes to
        fine-tune for by ``k``-fold cross-validation over the *training*
        participants (:func:`grfkit.model.training.choose_fine_tune_epochs`);
        ``0``: always ``fine_tune_epochs`` passes (at least ``min_steps``
        steps).

    Raises
    ------
    ConfigError
        If a value is out of range.
    """

    name: str
    hidden_size: int
    lstm_layers: int
    dense_sizes: tuple[int, ...]
    input_dropout: float
    dropout: float
    learning_rate: float
    batch_size: int
    epochs: int
    min_steps: int
    grad_clip_norm: float
    fine_tune_epochs: int
    fine_tune_lr_factor: float
    fine_tune_trainable: str = "all"
    fine_tune_inner_folds: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "dense_sizes", tuple(int(d) for d in self.dense_sizes))
        positive_ints = {
            "hidden_size": self.hidden_size,
            "lstm_layers": self.lstm_layers,
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "fine_tune_epochs": self.fine_tune_epochs,
        }
        for key, value in positive_ints.items():
            if int(value) != value or value < 1:
                raise ConfigError(f"preset {self.name!r}: {key} must be a positive integer, got {value!r}")
        if int(self.min_steps) != self.min_steps or self.min_steps < 0:
            raise ConfigError(f"preset {self.name!r}: min_steps must be a non-negative integer, got {self.min_steps!r}")
        if any(d < 1 for d in self.dense_sizes):
            raise ConfigError(f"preset {self.name!r}: dense_sizes must be positive, got {self.dense_sizes}")
        for key in ("input_dropout", "dropout"):
            value = getattr(self, key)
            if not 0.0 <= value < 1.0:
                raise ConfigError(f"preset {self.name!r}: {key} must be in [0, 1), got {value!r}")
        if self.fine_tune_trainable not in ("all", "head"):
            raise ConfigError(f"preset {self.name!r}: fine_tune_trainable must be 'all' or 'head', "
                              f"got {self.fine_tune_trainable!r}")
        folds = self.fine_tune_inner_folds
        if int(folds) != folds or folds == 1 or folds < 0:
            raise ConfigError(f"preset {self.name!r}: fine_tune_inner_folds must be 0 or at least 2, "
                              f"got {self.fine_tune_inner_folds!r}")
        for key in ("learning_rate", "grad_clip_norm", "fine_tune_lr_factor"):
            value = getattr(self, key)
            if not (np.isfinite(value) and value > 0):
                raise ConfigError(f"preset {self.name!r}: {key} must be positive, got {value!r}")

    def to_dict(self) -> dict:
        """Return a JSON-ready dictionary (inverse of :meth:`from_dict`)."""
        data = asdict(self)
        data["dense_sizes"] = list(self.dense_sizes)
        return data

    def training_dict(self) -> dict:
        """:meth:`to_dict` without the ``fine_tune_*`` fields: what training from scratch depends on.

        Two presets with equal training dictionaries train the same model from
        scratch, so a treadmill pre-trained model serves both.

        Examples
        --------
        >>> from dataclasses import replace
        >>> fast = get_preset("fast")
        >>> fast.training_dict() == replace(fast, fine_tune_trainable="head").training_dict()
        True
        """
        return {k: v for k, v in self.to_dict().items() if not k.startswith("fine_tune_")}

    @classmethod
    def from_dict(cls, data: dict) -> ModelPreset:
        """Rebuild a preset from :meth:`to_dict` output.

        Parameters
        ----------
        data
            Dictionary with every field of the preset.

        Raises
        ------
        ConfigError
            If a field is missing or unknown.
        """
        names = set(cls.__dataclass_fields__)
        if set(data) != names:
            raise ConfigError(
                f"preset fields differ: missing {sorted(names - set(data))}, unknown {sorted(set(data) - names)}"
            )
        return cls(**{**data, "dense_sizes": tuple(data["dense_sizes"])})


#: Named presets.  ``"paper"``: the published network and optimiser (see the module
#: docstring); it trains at about 18 stances/s (1 thread) to 27 stances/s
#: (2 threads) on the project's 2-core CPU.  ``"fast"``: the same architecture
#: shrunk to train at about 900 (1 thread) to 1,250 (2 threads) stances/s
#: there -- 32 LSTM units per direction, dense 64 -> 32 -> 16 -> 1, dropout 0.1,
#: Adam 2e-3, batch 32, 2 epochs but at least 300 steps (the large treadmill
#: set gets 2 passes, a few hundred overground stances get as many passes as
#: 300 steps take).  ``"ci"``: a smoke-test configuration for the ``ci`` data
#: scale, so that continuous integration runs the whole experiment in seconds
#: (8 LSTM units, dense 16 -> 8 -> 1, 1 epoch but at least 20 steps); its
#: accuracy is not meant to mean anything.  All fine-tune every layer at half
#: the learning rate; ``"fast"`` and ``"ci"`` choose the number of fine-tuning
#: passes by 3- and 2-fold cross-validation over the training participants
#: (up to as many as training from scratch would take), ``"paper"`` fine-tunes
#: for one pass (a search would multiply its hours of training).
PRESETS: MappingProxyType[str, ModelPreset] = MappingProxyType(
    {
        "paper": ModelPreset(
            name="paper",
            hidden_size=512,
            lstm_layers=1,
            dense_sizes=(64, 32),
            input_dropout=0.2,
            dropout=0.2,
            learning_rate=5e-4,
            batch_size=8,
            epochs=1,
            min_steps=0,
            grad_clip_norm=1.0,
            fine_tune_epochs=1,
            fine_tune_lr_factor=0.5,
        ),
        "fast": ModelPreset(
            name="fast",
            hidden_size=32,
            lstm_layers=1,
            dense_sizes=(32, 16),
            input_dropout=0.1,
            dropout=0.1,
            learning_rate=2e-3,
            batch_size=32,
            epochs=2,
            min_steps=300,
            grad_clip_norm=1.0,
            fine_tune_epochs=2,
            fine_tune_lr_factor=0.5,
            fine_tune_inner_folds=3,
        ),
        "ci": ModelPreset(
            name="ci",
            hidden_size=8,
            lstm_layers=1,
            dense_sizes=(16, 8),
            input_dropout=0.1,
            dropout=0.1,
            learning_rate=5e-3,
            batch_size=32,
            epochs=1,
            min_steps=20,
            grad_clip_norm=1.0,
            fine_tune_epochs=1,
            fine_tune_lr_factor=0.5,
            fine_tune_inner_folds=2,
        ),
    }
)


def get_preset(preset: str | ModelPreset) -> ModelPreset:
    """Return a preset by name (a :class:`ModelPreset` is returned as is).

    Parameters
    ----------
    preset
        Name in :data:`PRESETS` or a preset object.

    Raises
    ------
    ConfigError
        If the name is unknown.

    Examples
    --------
    >>> get_preset("paper").hidden_size
    512
    """
    if isinstance(preset, ModelPreset):
        return preset
    try:
        return PRESETS[preset]
    except KeyError:
        raise ConfigError(f"unknown model preset {preset!r}; choose one of {sorted(PRESETS)}") from None


class BiLSTMRegressor(nn.Module):
    """Bidirectional LSTM followed by a per-time-step dense head.

    Parameters
    ----------
    n_features
        Input channels.
    hidden_size
        LSTM units per direction.
    lstm_layers
        Stacked LSTM layers.
    dense_sizes
        Hidden dense layer widths (ReLU, then dropout, after each).
    input_dropout
        Dropout on the inputs.
    dropout
        Dropout after the LSTM, between LSTM layers and after hidden dense layers.

    Examples
    --------
    >>> net = BiLSTMRegressor(n_features=3, hidden_size=4, dense_sizes=(5,))
    >>> net(torch.zeros(2, 101, 3)).shape
    torch.Size([2, 101])
    """

    def __init__(
        self,
        n_features: int,
        hidden_size: int,
        lstm_layers: int = 1,
        dense_sizes: tuple[int, ...] = (64, 32),
        input_dropout: float = 0.2,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        self.input_dropout = nn.Dropout(input_dropout)
        self.lstm = nn.LSTM(
            input_size=n_features,
            hidden_size=hidden_size,
            num_layers=lstm_layers,
            batch_first=True,
            bidirectional=True,
            dropout=dropout if lstm_layers > 1 else 0.0,
        )
        self.lstm_dropout = nn.Dropout(dropout)
        layers: list[nn.Module] = []
        width = 2 * hidden_size
        for size in dense_sizes:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, 1))
        self.head = nn.Sequential(*layers)

    @property
    def n_features(self) -> int:
        """Input channels the network expects."""
        return self.lstm.input_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Estimate one force value per time step.

        Parameters
        ----------
        x
            Tensor ``(batch, time, n_features)``.

        Returns
        -------
        torch.Tensor
            ``(batch, time)``.
        """
        out, _ = self.lstm(self.input_dropout(x))
        return self.head(self.lstm_dropout(out)).squeeze(-1)


def build_network(preset: str | ModelPreset, n_features: int) -> BiLSTMRegressor:
    """Instantiate the network of a preset (weights from torch's current RNG state).

    Parameters
    ----------
    preset
        Preset name or object.
    n_features
        Input channels.

    Returns
    -------
    BiLSTMRegressor
        In training mode.
    """
    p = get_preset(preset)
    return BiLSTMRegressor(
        n_features=n_features,
        hidden_size=p.hidden_size,
        lstm_layers=p.lstm_layers,
        dense_sizes=p.dense_sizes,
        input_dropout=p.input_dropout,
        dropout=p.dropout,
    )


@dataclass(frozen=True)
class TrainingHistory:
    """Losses of one training phase (training from scratch or fine-tuning).

    Losses are mean squared errors in body weights squared (BW²).

    Parameters
    ----------
    phase
        ``"fit"`` or ``"fine_tune"``.
    step_loss
        Training loss of every optimiser step (dropout active).
    epoch_loss
        Mean of the step losses of each epoch.
    validation_loss
        Loss on the validation participants after each epoch (evaluation
        mode); empty when there were none.
    n_stances
        Training stances.
    participants
        Training participants.
    validation_participants
        Participants held out of training to draw the validation curve.
    learning_rate, batch_size, epochs, trainable, seed
        Settings of the phase.
    wall_time_s
        Training time (informational; not part of any reproducibility check).
    """

    phase: str
    step_loss: tuple[float, ...]
    epoch_loss: tuple[float, ...]
    validation_loss: tuple[float, ...]
    n_stances: int
    participants: tuple[str, ...]
    validation_participants: tuple[str, ...]
    learning_rate: float
    batch_size: int
    epochs: int
    trainable: str
    seed: int
    wall_time_s: float

    @property
    def stances_per_s(self) -> float:
        """Training throughput: stances processed per second of training."""
        return self.n_stances * self.epochs / self.wall_time_s if self.wall_time_s > 0 else float("nan")

    def to_frame(self) -> pd.DataFrame:
        """Return one row per epoch: ``phase``, ``epoch``, ``train_loss``, ``validation_loss`` (BW², NaN if none)."""
        n = len(self.epoch_loss)
        validation = list(self.validation_loss) if self.validation_loss else [np.nan] * n
        return pd.DataFrame(
            {
                "phase": [self.phase] * n,
                "epoch": np.arange(1, n + 1),
                "train_loss": list(self.epoch_loss),
                "validation_loss": validation,
            }
        )

    def to_dict(self) -> dict:
        """Return a JSON-ready dictionary (inverse of :meth:`from_dict`)."""
        data = asdict(self)
        for key in ("step_loss", "epoch_loss", "validation_loss", "participants", "validation_participants"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TrainingHistory:
        """Rebuild a history from :meth:`to_dict` output.

        Parameters
        ----------
        data
            Dictionary with every field.
        """
        tuples = ("step_loss", "epoch_loss", "validation_loss", "participants", "validation_participants")
        return cls(**{k: tuple(v) if k in tuples else v for k, v in data.items()})


@dataclass(eq=False)
class TrainedModel:
    """A network with everything needed to apply it to new stances.

    Parameters
    ----------
    network
        The trained :class:`BiLSTMRegressor`.
    preset
        Its configuration.
    features
        Input channels, in the network's input order.
    target
        ``"vgrf"`` or ``"apgrf"``.
    scaler
        Z-score statistics of the training stances, on ``features.channels``.
    history
        Training phases, oldest first.

    Raises
    ------
    ChannelMismatchError
        If the scaler's or the network's channels differ from ``features``.
    ConfigError
        If ``target`` is unknown.
    """

    network: BiLSTMRegressor
    preset: ModelPreset
    features: FeatureSet
    target: str
    scaler: Scaler
    history: tuple[TrainingHistory, ...] = field(default=())

    def __post_init__(self) -> None:
        target_channel(self.target)
        self.scaler.check_channels(self.features.channels)
        if self.network.n_features != len(self.features):
            raise ChannelMismatchError(
                f"network expects {self.network.n_features} input channels but the feature set has "
                f"{len(self.features)}: {list(self.features.channels)}"
            )

    def prepare_inputs(self, dataset: StanceDataset) -> np.ndarray:
        """Return the z-scored model inputs of a data set.

        Parameters
        ----------
        dataset
            Stances holding every channel of :attr:`features`.

        Returns
        -------
        numpy.ndarray
            ``float32`` ``(n_stances, 101, n_features)``.

        Raises
        ------
        ChannelMismatchError
            Naming the channels the data set lacks.
        """
        return self.scaler.transform(build_inputs(dataset, self.features), self.features.channels)

    def predict_bw(self, inputs: np.ndarray, *, batch_size: int = 512, device: str | torch.device = "cpu") -> np.ndarray:
        """Apply the network (evaluation mode, no dropout) to z-scored inputs.

        Parameters
        ----------
        inputs
            Output of :meth:`prepare_inputs`, ``(n, 101, n_features)``.
        batch_size
            Stances per forward pass (memory only; results do not depend on it
            beyond float rounding).
        device
            Torch device to compute on (the network returns to its own device after).

        Returns
        -------
        numpy.ndarray
            Estimated force in body weights, ``float64`` ``(n, 101)``.
        """
        inputs = np.asarray(inputs, dtype=np.float32)
        if inputs.ndim != 3 or inputs.shape[2] != len(self.features):
            raise ChannelMismatchError(
                f"inputs must have shape (n, time, {len(self.features)}), got {inputs.shape}"
            )
        device = torch.device(device)
        home = next(self.network.parameters()).device
        if home != device:  # moving re-flattens the LSTM weights (~1 ms): only when needed
            self.network.to(device)
        self.network.eval()
        x = torch.from_numpy(inputs).to(device)
        out = np.empty(inputs.shape[:2], dtype=np.float64)
        try:
            with torch.inference_mode():
                for start in range(0, len(x), batch_size):
                    out[start : start + batch_size] = self.network(x[start : start + batch_size]).cpu().numpy()
        finally:
            if home != device:
                self.network.to(home)
        return out

    def config(self) -> dict:
        """Return the JSON-ready description saved beside the weights."""
        return {
            "format": _FORMAT,
            "version": _VERSION,
            "target": self.target,
            "preset": self.preset.to_dict(),
            "features": self.features.to_dict(),
            "scaler": self.scaler.to_dict(),
            "history": [h.to_dict() for h in self.history],
            "torch_version": torch.__version__,
        }

    def save(self, path: str | Path) -> Path:
        """Write the model to folder ``path`` atomically (``model.json`` + ``weights.pt``).

        ``model.json`` records the SHA-256 and size of ``weights.pt``
        (``weights_sha256``, ``weights_bytes``) and a SHA-256 of its own
        content (``content_sha256``, over the canonical JSON of every other
        field), which :meth:`load` checks.

        Parameters
        ----------
        path
            Destination folder; replaced if it exists.

        Returns
        -------
        pathlib.Path
            ``path``.
        """
        path = Path(path)
        with atomic_directory(path) as tmp:
            self._write_files(tmp)
        return path

    def _write_files(self, folder: Path) -> None:
        """Write ``weights.pt`` and ``model.json`` into an existing folder (see :meth:`save`)."""
        state = {k: v.detach().cpu().clone() for k, v in self.network.state_dict().items()}
        torch.save(state, folder / "weights.pt")
        config = self.config()
        config["weights_sha256"] = sha256_file(folder / "weights.pt")
        config["weights_bytes"] = (folder / "weights.pt").stat().st_size
        config["content_sha256"] = _content_sha256(config)
        (folder / "model.json").write_text(json.dumps(config, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> TrainedModel:
        """Read a model written by :meth:`save`, checking that every part is the one saved.

        ``model.json``'s content checksum, the size and SHA-256 of
        ``weights.pt`` are checked before the weights are read (with
        ``torch.load(weights_only=True)``: tensors only, never pickled code);
        then every tensor's name and shape against the preset and feature
        channels, and that all weights and scaler statistics are finite.

        Parameters
        ----------
        path
            Folder written by :meth:`save`.

        Returns
        -------
        TrainedModel
            On the CPU, in evaluation mode.

        Raises
        ------
        MissingFileError
            If ``model.json`` or ``weights.pt`` is absent.
        ConfigError
            If ``model.json`` is not a grfkit model of a known version.
        FileFormatError
            If ``model.json`` is not valid JSON or lacks a field, if
            ``weights.pt`` is not a tensors-only state dict, or if a weight's
            name or shape does not fit the preset, or a value is NaN or infinite.
        TruncatedFileError
            If ``weights.pt`` is shorter than when it was saved.
        ChecksumError
            If ``model.json`` was changed after saving (e.g. its target, preset
            or scaler statistics), or ``weights.pt`` is not the file saved with
            it (altered, or another model's).
        ChannelMismatchError
            If the saved weights, scaler and feature channels disagree.
        """
        path = Path(path)
        json_path, weights_path = path / "model.json", path / "weights.pt"
        for file in (json_path, weights_path):
            if not file.is_file():
                raise MissingFileError("saved model file is missing", path=file)
        config = _read_model_json(json_path)
        _check_weights_file(config, weights_path)
        try:
            preset = ModelPreset.from_dict(config["preset"])
            features = FeatureSet.from_dict(config["features"])
            scaler = Scaler.from_dict(config["scaler"])
            history = tuple(TrainingHistory.from_dict(h) for h in config["history"])
            target = config["target"]
        except (KeyError, TypeError, ValueError) as error:  # ConfigError and ChannelMismatchError included
            raise FileFormatError(f"model.json lacks or mangles a field ({type(error).__name__}: {error})",
                                  path=json_path) from None
        state = _read_weights(weights_path)
        network = build_network(preset, len(features))
        _check_state(state, network.state_dict(), weights_path, preset, features)
        network.load_state_dict(state)
        network.eval()
        return cls(network=network, preset=preset, features=features, target=target, scaler=scaler,
                   history=history)


def _content_sha256(config: dict) -> str:
    """SHA-256 of the canonical JSON of ``model.json`` without its ``content_sha256`` field."""
    content = {k: v for k, v in config.items() if k != "content_sha256"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _read_model_json(path: Path) -> dict:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise FileFormatError(f"model.json is not valid JSON ({error})", path=path) from None
    if not isinstance(config, dict) or config.get("format") != _FORMAT or config.get("version") != _VERSION:
        found = (config.get("format"), config.get("version")) if isinstance(config, dict) else (None, None)
        raise ConfigError(
            f"{path} is not a grfkit model of version {_VERSION} (found {found[0]!r} version {found[1]!r}; "
            f"models saved by an older grfkit carry no checksums: train and save them again)"
        )
    if config.get("content_sha256") != _content_sha256(config):
        raise ChecksumError("model.json was changed after it was saved: its content checksum differs "
                            "(target, preset, channels or scaler statistics edited?)", path=path)
    return config


def _check_weights_file(config: dict, path: Path) -> None:
    size = path.stat().st_size
    expected = int(config.get("weights_bytes", -1))
    if size < expected:
        raise TruncatedFileError(f"weights file has {size} bytes, {expected} were saved (truncated or replaced)",
                                 path=path)
    if size != expected or sha256_file(path) != config.get("weights_sha256"):
        raise ChecksumError("weights file is not the one saved with this model.json (its SHA-256 differs: altered, "
                            "or another model's weights)", path=path)


def _read_weights(path: Path) -> dict[str, torch.Tensor]:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - torch raises many types; none may escape untyped
        raise FileFormatError(f"weights file is not a tensors-only PyTorch state dict ({type(error).__name__})",
                              path=path) from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise FileFormatError("weights file does not hold a dictionary of tensors", path=path)
    return state


def _check_state(state: dict[str, torch.Tensor], expected: dict[str, torch.Tensor], path: Path, preset: ModelPreset,
                 features: FeatureSet) -> None:
    lstm_input = state.get("lstm.weight_ih_l0")
    if lstm_input is not None and lstm_input.ndim == 2 and lstm_input.shape[1] != len(features):
        raise ChannelMismatchError(
            f"{path} has {lstm_input.shape[1]} input channels but model.json lists "
            f"{len(features)}: {list(features.channels)}"
        )
    missing, unexpected = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    if missing or unexpected:
        raise FileFormatError(f"weights do not fit preset {preset.name!r}: missing tensors {missing}, "
                              f"unexpected tensors {unexpected}", path=path)
    wrong = [f"{k} {tuple(state[k].shape)} (preset {preset.name!r}: {tuple(v.shape)})"
             for k, v in expected.items() if state[k].shape != v.shape]
    if wrong:
        raise FileFormatError(f"weight shapes do not fit the preset: {', '.join(wrong)}", path=path)
    bad = {k: int((~torch.isfinite(v)).sum()) for k, v in state.items() if v.is_floating_point()}
    bad = {k: n for k, n in bad.items() if n}
    if bad:
        raise FileFormatError("weights hold NaN or infinite values: "
                              + ", ".join(f"{k} ({n} values)" for k, n in bad.items()), path=path)
