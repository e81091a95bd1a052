"""A trained model (network, preset, channels, scaler, history) and its folder on disk.

:class:`TrainedModel` applies the network to new stances
(:meth:`~TrainedModel.prepare_inputs`, :meth:`~TrainedModel.predict_bw`) and
saves or loads itself as a folder::

    model/
      model.json    preset, feature channels and their units, target, scaler
                    statistics, training history, grfkit version, training
                    provenance (grfkit.model.artifact), format version, and
                    the SHA-256 of weights.pt and of model.json's own content
                    (checked on load); version 2 files (no units or
                    provenance) still load
      weights.pt    the network's state_dict (torch.save), read back with
                    torch.load(weights_only=True): tensors only, no pickled code
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from grfkit.errors import (
    ChannelMismatchError,
    ChecksumError,
    ConfigError,
    FileFormatError,
    MissingFileError,
    TruncatedFileError,
)
from grfkit import __version__
from grfkit.io.stances import StanceDataset
from grfkit.model.artifact import TrainingProvenance, channel_units, check_dataset_channels
from grfkit.model.features import FeatureSet, build_inputs, build_targets, target_channel
from grfkit.model.history import TrainingHistory
from grfkit.model.network import BiLSTMRegressor, build_network
from grfkit.model.normalisation import Scaler
from grfkit.model.presets import ModelPreset
from grfkit.storage.atomic import atomic_directory
from grfkit.storage.cache import sha256_file

__all__ = ["TrainedModel"]

_FORMAT = "grfkit-model"
_VERSION = 3
#: Versions :meth:`TrainedModel.load` reads (2: no channel units, grfkit version or provenance).
_READABLE = (2, 3)


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
    provenance
        Where the training data came from (:class:`grfkit.model.artifact.TrainingProvenance`);
        ``None`` for models trained inside an experiment, and for format version 2 files.

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
    provenance: TrainingProvenance | None = None

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
            Naming the channels the data set lacks or holds in another unit
            (:func:`grfkit.model.artifact.check_dataset_channels`).
        """
        check_dataset_channels(self.features, dataset)
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
        if home != device:  # moving re-flattens the LSTM weights: only when needed
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

    def evaluation_loss_bw2(self, dataset: StanceDataset) -> float:
        """The training loss measured like the validation loss: evaluation mode, whole data set.

        Parameters
        ----------
        dataset
            Stances holding every channel of :attr:`features` and the target.

        Returns
        -------
        float
            Mean squared error of the estimated against the measured force
            curves over all stances and points, in body weights squared (BW²).
        """
        estimate = self.predict_bw(self.prepare_inputs(dataset))
        return float(np.mean((estimate - build_targets(dataset, self.target)) ** 2))

    def config(self) -> dict:
        """Return the JSON-ready description saved beside the weights."""
        return {
            "format": _FORMAT,
            "version": _VERSION,
            "target": self.target,
            "preset": self.preset.to_dict(),
            "features": self.features.to_dict(),
            "channel_units": channel_units(self.features.channels),
            "scaler": self.scaler.to_dict(),
            "history": [h.to_dict() for h in self.history],
            "torch_version": torch.__version__,
            "grfkit_version": __version__,
            "provenance": None if self.provenance is None else self.provenance.to_dict(),
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
            self.write_files(tmp)
        return path

    def write_files(self, folder: str | Path) -> None:
        """Write ``weights.pt`` and ``model.json`` into an existing folder, not atomically.

        :meth:`save` calls it inside an atomic folder; a cache that makes its
        own atomic entry (:mod:`grfkit.experiment.store`) calls it directly.

        Parameters
        ----------
        folder
            Existing folder; its ``weights.pt`` and ``model.json`` are replaced.
        """
        folder = Path(folder)
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
            provenance = config.get("provenance")
            provenance = None if provenance is None else TrainingProvenance.from_dict(provenance)
        except (KeyError, TypeError, ValueError) as error:  # ConfigError and ChannelMismatchError included
            raise FileFormatError(f"model.json lacks or mangles a field ({type(error).__name__}: {error})",
                                  path=json_path) from None
        state = _read_weights(weights_path)
        network = build_network(preset, len(features))
        _check_state(state, network.state_dict(), weights_path, preset, features)
        network.load_state_dict(state)
        network.eval()
        return cls(network=network, preset=preset, features=features, target=target, scaler=scaler,
                   history=history, provenance=provenance)


def _content_sha256(config: dict) -> str:
    """SHA-256 of the canonical JSON of ``model.json`` without its ``content_sha256`` field."""
    content = {k: v for k, v in config.items() if k != "content_sha256"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _read_model_json(path: Path) -> dict:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise FileFormatError(f"model.json is not valid JSON ({error})", path=path) from None
    if not isinstance(config, dict) or config.get("format") != _FORMAT or config.get("version") not in _READABLE:
        found = (config.get("format"), config.get("version")) if isinstance(config, dict) else (None, None)
        raise ConfigError(
            f"{path} is not a grfkit model of version {' or '.join(map(str, _READABLE))} (found {found[0]!r} "
            f"version {found[1]!r}; version 1 models carry no checksums and newer versions need a newer grfkit: "
            "train and save them again, or upgrade grfkit)"
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
