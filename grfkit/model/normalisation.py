"""Per-channel z-scoring of model inputs, fitted on training stances only.

:func:`fit_scaler` stores each channel's mean and standard deviation over
all training stances and all 101 points; :meth:`Scaler.transform` subtracts
the mean and divides by the standard deviation.  Static channels count once
per time point, like the others.  A channel with no spread (standard
deviation 0, e.g. one gradient for every treadmill bout) is divided by 1
instead.  The statistics come only from the array passed in, so the caller's
split decides what they see (see chapter 3 of the book).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grfkit.errors import ChannelMismatchError, ConfigError
from grfkit.storage.atomic import write_text_atomic

__all__ = ["Scaler", "fit_scaler"]

_FORMAT = "grfkit-scaler"
_VERSION = 1


@dataclass(frozen=True, eq=False)
class Scaler:
    """Z-score statistics per input channel.

    Parameters
    ----------
    channels
        Channel names, in the order of the last axis of the arrays it scales.
    mean
        Mean per channel, float64, shape ``(n_channels,)``.
    std
        Standard deviation per channel (population SD, 1 where the training
        SD was 0), float64, shape ``(n_channels,)``.
    """

    channels: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", tuple(self.channels))
        mean = np.asarray(self.mean, dtype=np.float64)
        std = np.asarray(self.std, dtype=np.float64)
        n = len(self.channels)
        if mean.shape != (n,) or std.shape != (n,):
            raise ChannelMismatchError(
                f"scaler has {n} channels but mean {mean.shape} and std {std.shape} statistics"
            )
        if not (np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()):
            raise ConfigError("scaler statistics must be finite, with positive standard deviations")
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "std", std)

    def check_channels(self, channels: Sequence[str]) -> None:
        """Raise unless ``channels`` equals the scaler's channels, in order.

        Parameters
        ----------
        channels
            Channel names of the array to scale.

        Raises
        ------
        ChannelMismatchError
            Naming the channels missing, unexpected, or in another order.
        """
        channels = tuple(channels)
        if channels == self.channels:
            return
        missing = [c for c in self.channels if c not in channels]
        extra = [c for c in channels if c not in self.channels]
        detail = f"missing {missing}, unexpected {extra}" if missing or extra else "same channels in another order"
        raise ChannelMismatchError(
            f"scaler was fitted on channels {list(self.channels)} but got {list(channels)} ({detail})"
        )

    def transform(self, features: np.ndarray, channels: Sequence[str]) -> np.ndarray:
        """Z-score an input array.

        Parameters
        ----------
        features
            Array ``(..., n_channels)`` in physical units.
        channels
            Names of its last axis; must equal the scaler's ``channels``.

        Returns
        -------
        numpy.ndarray
            ``float32`` array of the same shape: ``(features - mean) / std``.

        Raises
        ------
        ChannelMismatchError
            If ``channels`` differ from the fitted ones or the last axis has
            another length.
        """
        self.check_channels(channels)
        features = np.asarray(features)
        if features.shape[-1] != len(self.channels):
            raise ChannelMismatchError(
                f"array has {features.shape[-1]} channels on its last axis, scaler expects {len(self.channels)}"
            )
        return ((features - self.mean) / self.std).astype(np.float32)

    def inverse_transform(self, scaled: np.ndarray, channels: Sequence[str]) -> np.ndarray:
        """Undo :meth:`transform` (float64 result).

        Parameters
        ----------
        scaled
            Z-scored array ``(..., n_channels)``.
        channels
            Names of its last axis; must equal the scaler's ``channels``.

        Raises
        ------
        ChannelMismatchError
            If ``channels`` differ from the fitted ones.
        """
        self.check_channels(channels)
        return np.asarray(scaled, dtype=np.float64) * self.std + self.mean

    def to_dict(self) -> dict:
        """Return a JSON-ready dictionary; floats round-trip exactly."""
        return {
            "format": _FORMAT,
            "version": _VERSION,
            "channels": list(self.channels),
            "mean": [float(v) for v in self.mean],
            "std": [float(v) for v in self.std],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Scaler:
        """Rebuild a scaler from :meth:`to_dict` output.

        Parameters
        ----------
        data
            Dictionary as written by :meth:`to_dict`.

        Raises
        ------
        ConfigError
            If the dictionary is not a grfkit scaler of a known version.
        """
        if data.get("format") != _FORMAT or data.get("version") != _VERSION:
            raise ConfigError(f"not a grfkit scaler of version {_VERSION}: {data.get('format')!r} {data.get('version')!r}")
        return cls(channels=tuple(data["channels"]), mean=np.array(data["mean"]), std=np.array(data["std"]))

    def save(self, path: str | Path) -> Path:
        """Write the scaler as JSON, atomically.

        Parameters
        ----------
        path
            Destination file (``.json``).

        Returns
        -------
        pathlib.Path
            ``path``.
        """
        path = Path(path)
        write_text_atomic(path, json.dumps(self.to_dict(), indent=2))
        return path

    @classmethod
    def load(cls, path: str | Path) -> Scaler:
        """Read a scaler written by :meth:`save`.

        Parameters
        ----------
        path
            JSON file.
        """
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def equals(self, other: Scaler) -> bool:
        """Return whether two scalers have the same channels and bit-identical statistics."""
        return (
            self.channels == other.channels
            and np.array_equal(self.mean, other.mean)
            and np.array_equal(self.std, other.std)
        )


def fit_scaler(features: np.ndarray, channels: Sequence[str]) -> Scaler:
    """Fit z-score statistics per channel over stances and time points.

    Parameters
    ----------
    features
        Training inputs ``(n_stances, n_points, n_channels)`` in physical
        units -- the training stances only.
    channels
        Names of the last axis.

    Returns
    -------
    Scaler
        Mean and population standard deviation per channel, computed in
        float64 (1 where the channel is constant).

    Raises
    ------
    ChannelMismatchError
        If the number of names differs from the channel axis.
    ValueError
        If ``features`` is not 3-D, has no stances, or holds non-finite values.

    Examples
    --------
    >>> x = np.stack([np.full((2, 101), 1.0), np.full((2, 101), 3.0)], axis=-1)
    >>> s = fit_scaler(x, ["a", "b"])
    >>> s.mean.tolist(), s.std.tolist()
    ([1.0, 3.0], [1.0, 1.0])
    """
    features = np.asarray(features)
    channels = tuple(channels)
    if features.ndim != 3 or features.shape[0] == 0:
        raise ValueError(f"features must have shape (n_stances>0, n_points, n_channels), got {features.shape}")
    if features.shape[2] != len(channels):
        raise ChannelMismatchError(f"features have {features.shape[2]} channels but {len(channels)} names: {list(channels)}")
    flat = features.reshape(-1, features.shape[2]).astype(np.float64)
    if not np.isfinite(flat).all():
        bad = [c for c, ok in zip(channels, np.isfinite(flat).all(axis=0)) if not ok]
        raise ValueError(f"cannot fit a scaler on non-finite values in channels {bad}")
    mean = flat.mean(axis=0)
    std = flat.std(axis=0)
    # A constant channel leaves a rounding-level SD (~1e-16 of its mean), not exactly 0.
    constant = std <= 1e-9 * np.maximum(np.abs(mean), 1.0)
    std = np.where(constant, 1.0, std)
    return Scaler(channels=channels, mean=mean, std=std)
