"""What a saved model records beside its weights: channel units, training provenance, data checks.

A :class:`~grfkit.model.trained_model.TrainedModel` folder's ``model.json``
holds the unit of every input channel (:func:`channel_units`, read from the
name's suffix, e.g. ``acc_x_mps2`` -> m/s²) and the
:class:`TrainingProvenance` of its training data: the stance data set's
path and the SHA-256 of its files (:func:`stance_files_sha256`), the
participants, strategy and seed, and the grfkit version and commit.
:func:`check_dataset_channels` refuses a data set whose channels or units
differ from a model's, naming every difference.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grfkit.errors import ChannelMismatchError, FileFormatError, MissingFileError
from grfkit.io.stances import StanceDataset
from grfkit.model.features import FeatureSet
from grfkit.storage.cache import sha256_file
from grfkit.storage.output_folders import MARKER

__all__ = [
    "UNIT_SUFFIXES",
    "channel_unit",
    "channel_units",
    "check_dataset_channels",
    "stance_files_sha256",
    "TrainingProvenance",
]

#: Unit of a channel by the suffix of its name (the part after the last ``_``).
UNIT_SUFFIXES: dict[str, str] = {
    "adc": "ADC counts",
    "frac": "fraction",
    "mps2": "m/s²",
    "mps": "m/s",
    "dps": "deg/s",
    "rps": "rad/s",
    "deg": "deg",
    "rad": "rad",
    "kg": "kg",
    "ms": "ms",
    "s": "s",
    "m": "m",
    "n": "N",
    "g": "g",
    "bw": "BW",
    "hz": "Hz",
}


def _split(channel: str) -> tuple[str, str | None]:
    """``(base name, unit)`` of a channel; unit ``None`` without a known unit suffix."""
    base, _, suffix = channel.rpartition("_")
    if base and suffix in UNIT_SUFFIXES:
        return base, UNIT_SUFFIXES[suffix]
    return channel, None


def channel_unit(channel: str) -> str:
    """Return the unit a channel name carries as its suffix.

    Parameters
    ----------
    channel
        Channel name, e.g. ``"acc_x_mps2"``.

    Returns
    -------
    str
        The unit (``"m/s²"``), or ``"unknown"`` for a name without a known
        unit suffix.

    Examples
    --------
    >>> channel_unit("acc_x_mps2"), channel_unit("left_fsr01_adc"), channel_unit("mystery")
    ('m/s²', 'ADC counts', 'unknown')
    """
    return _split(channel)[1] or "unknown"


def channel_units(channels: Sequence[str]) -> dict[str, str]:
    """Return ``{channel: unit}`` for channels in order (see :func:`channel_unit`).

    Parameters
    ----------
    channels
        Channel names.
    """
    return {c: channel_unit(c) for c in channels}


def _difference(expected: str, available: Sequence[str], where: str) -> str:
    base = _split(expected)[0]
    same_base = [c for c in available if _split(c)[0] == base]
    if same_base:
        other = ", ".join(f"{c} ({channel_unit(c)})" for c in same_base)
        return f"model expects channel {expected} ({channel_unit(expected)}), data has {other}"
    return f"model expects channel {expected} ({channel_unit(expected)}), data has no such {where}"


def check_dataset_channels(features: FeatureSet, dataset: StanceDataset) -> None:
    """Raise unless a data set holds every model channel, in the unit the model was trained on.

    Signal channels are looked up among the data set's input channels, static
    ones among its metadata columns.  A missing channel whose base name the
    data set holds in another unit is reported with both units.  Extra
    channels in the data set are allowed.

    Parameters
    ----------
    features
        The model's input channels.
    dataset
        Stances to apply the model to.

    Raises
    ------
    ChannelMismatchError
        Naming every difference, e.g. ``model expects channel acc_x_mps2
        (m/s²), data has acc_x_g (g)``.
    """
    signals, columns = tuple(dataset.input_channels), tuple(str(c) for c in dataset.meta.columns)
    problems = [
        _difference(c, signals, "signal channel")
        for c in features.signal_channels
        if c not in signals
    ]
    problems += [
        _difference(c, columns, "metadata column") for c in features.static if c not in columns
    ]
    if problems:
        raise ChannelMismatchError(
            f"the data set does not fit the model (feature set {features.name!r}): "
            + "; ".join(problems)
        )


def stance_files_sha256(folder: str | Path) -> dict[str, str]:
    """Return the SHA-256 of every file of a stance data set folder (its output marker excluded).

    Parameters
    ----------
    folder
        A stance data set folder (:meth:`grfkit.io.stances.StanceDataset.save`).

    Returns
    -------
    dict
        ``{relative POSIX path: hex SHA-256}``, sorted by path.

    Raises
    ------
    MissingFileError
        If ``folder`` is not a folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise MissingFileError("stance data set folder not found", path=folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MARKER)
    return {p.relative_to(folder).as_posix(): sha256_file(p) for p in files}


def _combined_sha256(files: dict[str, str]) -> str:
    lines = "".join(f"{name}\t{digest}\n" for name, digest in sorted(files.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


@dataclass(frozen=True)
class TrainingProvenance:
    """Where a model's training data came from and how it was trained.

    Parameters
    ----------
    strategy
        Training strategy (:data:`grfkit.experiment.strategies.STRATEGIES`).
    seed
        Training seed.
    participants
        Participants whose stances were trained on, sorted.
    n_stances
        Stances trained on.
    stances_path
        The stance data set folder, absolute; ``None`` for an in-memory data set.
    stances_files
        SHA-256 of each of its files (:func:`stance_files_sha256`).
    grfkit_version
        grfkit version that trained the model.
    grfkit_commit
        Its git commit, ``None`` outside a git checkout.
    grfkit_dirty
        Whether that checkout had uncommitted changes (``None``: unknown).
    created_utc
        Time of training, ISO 8601.
    """

    strategy: str
    seed: int
    participants: tuple[str, ...]
    n_stances: int
    stances_path: str | None = None
    stances_files: dict[str, str] = field(default_factory=dict)
    grfkit_version: str = "0+unknown"
    grfkit_commit: str | None = None
    grfkit_dirty: bool | None = None
    created_utc: str = field(
        default_factory=lambda: _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "participants", tuple(sorted(map(str, self.participants))))
        object.__setattr__(self, "stances_files", dict(sorted(self.stances_files.items())))

    @property
    def stances_sha256(self) -> str | None:
        """One SHA-256 over the names and SHA-256 of all data set files; ``None`` without files."""
        return _combined_sha256(self.stances_files) if self.stances_files else None

    def to_dict(self) -> dict:
        """Return a JSON-ready dictionary (inverse of :meth:`from_dict`)."""
        return {
            "strategy": self.strategy,
            "seed": self.seed,
            "participants": list(self.participants),
            "n_stances": self.n_stances,
            "stances_path": self.stances_path,
            "stances_sha256": self.stances_sha256,
            "stances_files": dict(self.stances_files),
            "grfkit_version": self.grfkit_version,
            "grfkit_commit": self.grfkit_commit,
            "grfkit_dirty": self.grfkit_dirty,
            "created_utc": self.created_utc,
        }

    @classmethod
    def from_dict(cls, data: dict) -> TrainingProvenance:
        """Rebuild provenance written by :meth:`to_dict`.

        Parameters
        ----------
        data
            Dictionary as written by :meth:`to_dict`.

        Raises
        ------
        FileFormatError
            If the recorded ``stances_sha256`` does not match its file list.
        """
        fields = {k: v for k, v in data.items() if k != "stances_sha256"}
        made = cls(**{**fields, "participants": tuple(fields["participants"])})
        if data.get("stances_sha256") != made.stances_sha256:
            raise FileFormatError(
                "the training provenance's stances_sha256 does not match its file list"
            )
        return made
