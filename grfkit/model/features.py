"""Model inputs and targets assembled from a stance data set.

:func:`build_inputs` gives, for every stance, a ``(101, n_features)``
matrix: the wearable signals plus a few static values (one number per
stance, such as body mass) repeated at all 101 points, in the channel order
of a :class:`FeatureSet`.  :func:`build_targets` gives one force component
(``"vgrf"`` or ``"apgrf"``) in body weights, ``force_n / (mass_kg * g)``;
:func:`body_weight_n` is the divisor.  Chapter 3 of the book explains both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grfkit.constants import GRAVITY_MPS2, N_POINTS
from grfkit.errors import ChannelMismatchError, ConfigError
from grfkit.io.channels import (
    IMU_ACC_CHANNELS,
    IMU_GYRO_CHANNELS,
    INSOLE_COP_CHANNELS,
    fsr_channels,
)
from grfkit.io.stances import StanceDataset
from grfkit.model._finite_rows import raise_if_any_nonfinite

__all__ = [
    "TARGETS",
    "FeatureSet",
    "PUBLISHED_FEATURES",
    "build_inputs",
    "target_channel",
    "build_targets",
    "body_weight_n",
]


#: Model targets and the stance data set channel each one estimates.
TARGETS: dict[str, str] = {"vgrf": "vgrf_n", "apgrf": "apgrf_n"}


@dataclass(frozen=True)
class FeatureSet:
    """Named, ordered list of model input channels.

    Parameters
    ----------
    channels
        Input channels in the order of the model's last input axis.
    static
        The subset of ``channels`` read from the stance metadata (one value
        per stance, repeated over the 101 time points); all other channels
        are read from the ``inputs`` array of a :class:`~grfkit.io.stances.StanceDataset`.
    name
        Label for reports.

    Raises
    ------
    ConfigError
        If ``channels`` is empty or has duplicates, or ``static`` names a
        channel not in ``channels``.

    Examples
    --------
    >>> fs = FeatureSet(channels=("left_fsr01_adc", "body_mass_kg"), static=("body_mass_kg",))
    >>> fs.signal_channels
    ('left_fsr01_adc',)
    """

    channels: tuple[str, ...]
    static: tuple[str, ...] = ()
    name: str = "custom"

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", tuple(self.channels))
        object.__setattr__(self, "static", tuple(self.static))
        if not self.channels:
            raise ConfigError("a feature set needs at least one channel")
        duplicates = sorted({c for c in self.channels if self.channels.count(c) > 1})
        if duplicates:
            raise ConfigError(f"feature set {self.name!r} lists channels twice: {duplicates}")
        stray = [c for c in self.static if c not in self.channels]
        if stray:
            raise ConfigError(f"static channels {stray} are not among the feature set's channels")

    @property
    def signal_channels(self) -> tuple[str, ...]:
        """Channels read from the time-varying stance inputs, in model order."""
        return tuple(c for c in self.channels if c not in self.static)

    def __len__(self) -> int:
        return len(self.channels)

    def to_dict(self) -> dict:
        """Return a JSON-ready dictionary (inverse of :meth:`from_dict`)."""
        return {"name": self.name, "channels": list(self.channels), "static": list(self.static)}

    @classmethod
    def from_dict(cls, data: dict) -> FeatureSet:
        """Rebuild a feature set written by :meth:`to_dict`.

        Parameters
        ----------
        data
            Dictionary with keys ``name``, ``channels`` and ``static``.
        """
        return cls(channels=tuple(data["channels"]), static=tuple(data["static"]), name=data["name"])


#: The published input list (Carter et al. 2024 code, left foot): FSR 1-16,
#: insole centre of pressure (anteroposterior, mediolateral), contact time,
#: body mass, speed, incline, insole length, accelerometer x/y/z and
#: gyroscope x/y/z, in that order.
PUBLISHED_FEATURES: FeatureSet = FeatureSet(
    channels=(
        *fsr_channels("left"),
        *INSOLE_COP_CHANNELS,
        "contact_time_s",
        "body_mass_kg",
        "speed_mps",
        "gradient_deg",
        "insole_length_m",
        *IMU_ACC_CHANNELS,
        *IMU_GYRO_CHANNELS,
    ),
    static=("contact_time_s", "body_mass_kg", "speed_mps", "gradient_deg", "insole_length_m"),
    name="published",
)


def build_inputs(dataset: StanceDataset, features: FeatureSet = PUBLISHED_FEATURES) -> np.ndarray:
    """Assemble the model input array of a stance data set.

    Parameters
    ----------
    dataset
        Stances to read.
    features
        Channels to take and their order.

    Returns
    -------
    numpy.ndarray
        ``float32`` array of shape ``(n_stances, 101, len(features))``, unscaled
        (physical units); static channels are constant along axis 1.

    Raises
    ------
    ChannelMismatchError
        If the data set lacks channels of ``features`` (all missing names are
        listed).
    DropoutError
        If a requested channel holds NaN or infinite values (the message names
        the channel and the participants concerned).
    """
    missing_signals = [c for c in features.signal_channels if c not in dataset.input_channels]
    missing_static = [c for c in features.static if c not in dataset.meta.columns]
    if missing_signals or missing_static:
        raise ChannelMismatchError(
            f"feature set {features.name!r} needs channels the data set lacks: "
            f"signals {missing_signals}, static (metadata) {missing_static}"
        )
    out = np.empty((len(dataset), N_POINTS, len(features)), dtype=np.float32)
    signal_index = {c: i for i, c in enumerate(dataset.input_channels)}
    for j, channel in enumerate(features.channels):
        if channel in features.static:
            values = dataset.meta[channel].to_numpy(dtype=np.float64)
            out[:, :, j] = values[:, None]
            bad_rows = ~np.isfinite(values)
        else:
            curves = dataset.inputs[:, :, signal_index[channel]]
            out[:, :, j] = curves
            bad_rows = ~np.isfinite(curves).all(axis=1)
        raise_if_any_nonfinite(bad_rows, dataset, "stances", channel)
    return out


def target_channel(target: str) -> str:
    """Return the stance data set channel of a model target.

    Parameters
    ----------
    target
        ``"vgrf"`` or ``"apgrf"``.

    Raises
    ------
    ConfigError
        If ``target`` is unknown.

    Examples
    --------
    >>> target_channel("vgrf")
    'vgrf_n'
    """
    try:
        return TARGETS[target]
    except KeyError:
        raise ConfigError(f"unknown target {target!r}; choose one of {sorted(TARGETS)}") from None


def body_weight_n(dataset: StanceDataset) -> np.ndarray:
    """Return each stance's body weight in newtons, ``body_mass_kg * 9.81``.

    Parameters
    ----------
    dataset
        Stances with ``body_mass_kg`` in their metadata.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_stances,)``, float64.

    Raises
    ------
    ConfigError
        If a body mass is not a positive finite number.
    """
    mass_kg = dataset.meta["body_mass_kg"].to_numpy(dtype=np.float64)
    bad = ~(np.isfinite(mass_kg) & (mass_kg > 0))
    if bad.any():
        participants = sorted(set(dataset.meta["participant"].astype(str)[bad]))
        raise ConfigError(f"body_mass_kg must be positive and finite (participants {participants})")
    return mass_kg * GRAVITY_MPS2


def build_targets(dataset: StanceDataset, target: str) -> np.ndarray:
    """Return the measured force curves of one target in body weights.

    Parameters
    ----------
    dataset
        Stances with the target channel (``vgrf_n`` or ``apgrf_n``).
    target
        ``"vgrf"`` or ``"apgrf"``.

    Returns
    -------
    numpy.ndarray
        ``float32`` array ``(n_stances, 101)``: force / (body mass * 9.81).

    Raises
    ------
    ConfigError
        If ``target`` is unknown or a body mass is not positive.
    ChannelMismatchError
        If the data set has no such target channel.
    DropoutError
        If a target curve holds NaN or infinite values.
    """
    channel = target_channel(target)
    force_n = dataset.target(channel)
    raise_if_any_nonfinite(~np.isfinite(force_n).all(axis=1), dataset, "target curves", channel)
    return (force_n / body_weight_n(dataset)[:, None]).astype(np.float32)
