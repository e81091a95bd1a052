"""The stance-level data set: what preprocessing produces and models consume.

A :class:`StanceDataset` holds one row of metadata per stance and two arrays
of time-normalised curves (101 samples from initial contact to toe-off):
``inputs`` (wearable signals) and ``targets`` (measured force).  It saves to
and loads from a folder::

    stances/
      meta.parquet      one row per stance
      arrays.npz        inputs (n, 101, n_inputs), targets (n, 101, n_targets)
      channels.json     channel names and units, format version
      skipped.csv       stances or bouts the pipeline skipped, with the reason
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.constants import N_POINTS
from grfkit.errors import (
    ChannelMismatchError,
    FileFormatError,
    MissingFileError,
    RawDataError,
    TruncatedFileError,
)
from grfkit.io.schema import STANCE_KEY_COLUMNS
from grfkit.storage.output_folders import write_output

__all__ = ["StanceDataset", "SKIP_COLUMNS", "STANCE_META_COLUMNS"]


#: Columns every stance metadata table has.
STANCE_META_COLUMNS: tuple[str, ...] = (
    *STANCE_KEY_COLUMNS,
    "contact_time_s",
    "speed_mps",
    "gradient_deg",
    "body_mass_kg",
    "insole_length_m",
)

#: Columns of the table of skipped stances and bouts.
SKIP_COLUMNS: tuple[str, ...] = ("dataset", "participant", "bout", "foot", "plate", "ic_s", "reason")

_FORMAT = "grfkit-stances"
_VERSION = 1


def _empty_skips() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c == "ic_s" else object) for c in SKIP_COLUMNS})


@dataclass(frozen=True)
class StanceDataset:
    """Time-normalised stances with their metadata.

    Parameters
    ----------
    meta
        One row per stance with at least :data:`STANCE_META_COLUMNS`.
    inputs
        Wearable signals, shape ``(n_stances, 101, n_inputs)``.
    targets
        Measured ground reaction force in newtons, shape ``(n_stances, 101, n_targets)``.
    input_channels, target_channels
        Names of the last axis of ``inputs`` and ``targets``.
    skipped
        Stances or bouts the pipeline left out, one row each with the reason
        (columns :data:`SKIP_COLUMNS`).

    Notes
    -----
    ``dataset[key]`` returns the stances at integer positions (in that order),
    under a boolean mask or in a slice, as a new data set; with ``len`` and
    :attr:`shape` this lets scikit-learn split a data set like an array
    (:class:`grfkit.experiment.estimator.GrfEstimator`).
    """

    meta: pd.DataFrame
    inputs: np.ndarray
    targets: np.ndarray
    input_channels: tuple[str, ...]
    target_channels: tuple[str, ...]
    skipped: pd.DataFrame = field(default_factory=_empty_skips)

    def __post_init__(self) -> None:
        n = len(self.meta)
        for name, arr, channels in (
            ("inputs", self.inputs, self.input_channels),
            ("targets", self.targets, self.target_channels),
        ):
            if arr.ndim != 3 or arr.shape[0] != n or arr.shape[1] != N_POINTS:
                raise ChannelMismatchError(
                    f"{name} must have shape ({n}, {N_POINTS}, channels) to match {n} metadata rows, got {arr.shape}"
                )
            if arr.shape[2] != len(channels):
                raise ChannelMismatchError(
                    f"{name} has {arr.shape[2]} channels but {len(channels)} names were given: {list(channels)}"
                )
        missing = [c for c in STANCE_META_COLUMNS if c not in self.meta.columns]
        if missing:
            raise ChannelMismatchError(f"stance metadata lacks columns {missing}")

    def __len__(self) -> int:
        return len(self.meta)

    @property
    def shape(self) -> tuple[int, ...]:
        """``(n_stances, 101, n_inputs)``, the shape of ``inputs``.

        With ``len`` and indexing (``dataset[positions]``) it lets scikit-learn
        count and split the stances (``cross_validate(estimator, dataset, y, ...)``).
        """
        return tuple(self.inputs.shape)

    def __getitem__(self, key: np.ndarray | list[int] | slice | tuple) -> StanceDataset:
        """Return the stances at some positions, in that order (skipped rows are kept as they are).

        Parameters
        ----------
        key
            Integer positions, a boolean mask of length ``len(self)`` or a
            slice; also ``(key, ...)``, the form scikit-learn indexes arrays
            with.  A single integer is refused, so that a data set is never
            taken for a sequence of stances: write ``dataset[[i]]``.

        Returns
        -------
        StanceDataset
            A new data set; metadata index reset to 0..n-1.

        Raises
        ------
        TypeError
            For a single integer or a key of another kind.
        IndexError
            For a position out of range or a mask of the wrong length.
        """
        if isinstance(key, tuple):
            if len(key) != 2 or key[1] is not Ellipsis:
                raise TypeError(f"a stance data set is indexed along its stances only, got the key {key!r}")
            key = key[0]
        if isinstance(key, (int, np.integer)):
            raise TypeError(f"index a stance data set with an array of positions (dataset[[{key}]]), not an integer")
        if not isinstance(key, slice):
            key = np.asarray(key)
            if key.size == 0:
                key = key.astype(np.intp)  # [] is a float array to numpy
            if key.ndim != 1 or not (key.dtype == bool or np.issubdtype(key.dtype, np.integer)):
                raise TypeError(f"stance positions must be a 1-D integer array or boolean mask, got {key.dtype} "
                                f"{key.shape}")
        positions = np.arange(len(self))[key]
        return StanceDataset(
            meta=self.meta.iloc[positions].reset_index(drop=True),
            inputs=self.inputs[positions],
            targets=self.targets[positions],
            input_channels=self.input_channels,
            target_channels=self.target_channels,
            skipped=self.skipped,
        )

    @property
    def participants(self) -> list[str]:
        """Participants in order of first appearance."""
        return list(dict.fromkeys(self.meta["participant"]))

    def subset(self, mask: np.ndarray | pd.Series) -> StanceDataset:
        """Return the stances where ``mask`` is true (skipped rows are kept as they are).

        Parameters
        ----------
        mask
            Boolean array of length ``len(self)``.

        Returns
        -------
        StanceDataset
            A new data set; metadata index reset to 0..n-1.
        """
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (len(self),):
            raise ValueError(f"mask must have shape ({len(self)},), got {mask.shape}")
        return StanceDataset(
            meta=self.meta.loc[mask].reset_index(drop=True),
            inputs=self.inputs[mask],
            targets=self.targets[mask],
            input_channels=self.input_channels,
            target_channels=self.target_channels,
            skipped=self.skipped,
        )

    def input(self, channel: str) -> np.ndarray:
        """Return one input channel as an ``(n_stances, 101)`` array.

        Parameters
        ----------
        channel
            Name from the ``input_channels`` attribute.
        """
        return self.inputs[:, :, self._index(self.input_channels, channel)]

    def target(self, channel: str) -> np.ndarray:
        """Return one target channel as an ``(n_stances, 101)`` array in newtons.

        Parameters
        ----------
        channel
            Name from the ``target_channels`` attribute, e.g. ``"vgrf_n"``.
        """
        return self.targets[:, :, self._index(self.target_channels, channel)]

    @staticmethod
    def _index(channels: tuple[str, ...], channel: str) -> int:
        try:
            return channels.index(channel)
        except ValueError:
            raise ChannelMismatchError(f"no channel {channel!r}; available: {list(channels)}") from None

    @classmethod
    def concat(cls, parts: list[StanceDataset]) -> StanceDataset:
        """Concatenate data sets with identical channels.

        Parameters
        ----------
        parts
            At least one data set; all must share input and target channels.
        """
        if not parts:
            raise ValueError("concat needs at least one StanceDataset")
        first = parts[0]
        for p in parts[1:]:
            if p.input_channels != first.input_channels or p.target_channels != first.target_channels:
                raise ChannelMismatchError("cannot concatenate stance data sets with different channels")
        return cls(
            meta=pd.concat([p.meta for p in parts], ignore_index=True),
            inputs=np.concatenate([p.inputs for p in parts]),
            targets=np.concatenate([p.targets for p in parts]),
            input_channels=first.input_channels,
            target_channels=first.target_channels,
            skipped=pd.concat([p.skipped for p in parts], ignore_index=True),
        )

    def save(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write the data set to folder ``path``, swapped in whole when complete.

        Parameters
        ----------
        path
            Destination folder.  An existing one is replaced only if it is a
            stance data set grfkit wrote (see :mod:`grfkit.storage.output_folders`).
        overwrite
            Also replace a folder that is not one (its contents are moved
            aside to ``PATH.replaced-<time>``, not deleted).

        Returns
        -------
        pathlib.Path
            ``path``.

        Raises
        ------
        OutputError
            If ``path`` may not be replaced, or cannot be written (read-only,
            disk full).
        """
        path = Path(path)
        with write_output(path, "stances", overwrite=overwrite) as tmp:
            with open(tmp / "meta.parquet", "wb") as handle:  # a file object: pyarrow cannot open non-UTF-8 paths
                self.meta.to_parquet(handle, index=False)
            np.savez_compressed(tmp / "arrays.npz", inputs=self.inputs, targets=self.targets)
            (tmp / "channels.json").write_text(
                json.dumps(
                    {
                        "format": _FORMAT,
                        "version": _VERSION,
                        "input_channels": list(self.input_channels),
                        "target_channels": list(self.target_channels),
                    },
                    indent=2,
                )
            )
            self.skipped.to_csv(tmp / "skipped.csv", index=False)
        return path

    @classmethod
    def load(cls, path: str | Path) -> StanceDataset:
        """Read a data set written by :meth:`save`.

        Parameters
        ----------
        path
            Folder written by :meth:`save`.

        Raises
        ------
        MissingFileError
            If a file of the folder is absent.
        RawDataError
            If ``channels.json`` is not a grfkit stance file of a known version.
        FileFormatError
            If a file is damaged (not valid JSON, not a readable archive or
            table); :class:`~grfkit.errors.TruncatedFileError` if it is cut short.
        """
        path = Path(path)
        for name in ("meta.parquet", "arrays.npz", "channels.json", "skipped.csv"):
            if not (path / name).is_file():
                raise MissingFileError("stance data set file is missing", path=path / name)
        try:
            info = json.loads((path / "channels.json").read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise FileFormatError(f"not valid JSON ({error})", path=path / "channels.json") from None
        if not isinstance(info, dict) or info.get("format") != _FORMAT or info.get("version") != _VERSION:
            found = (info.get("format"), info.get("version")) if isinstance(info, dict) else (None, None)
            raise RawDataError(
                f"not a grfkit stance data set of version {_VERSION} (found {found[0]!r} version {found[1]!r})",
                path=path / "channels.json",
            )
        inputs, targets = _read_arrays(path / "arrays.npz")
        meta = _read_table(path / "meta.parquet", pd.read_parquet)
        skipped = _read_table(path / "skipped.csv", pd.read_csv,
                              dtype={"participant": str, "bout": str, "plate": str})
        return cls(
            meta=meta,
            inputs=inputs,
            targets=targets,
            input_channels=tuple(info.get("input_channels", ())),
            target_channels=tuple(info.get("target_channels", ())),
            skipped=skipped if len(skipped) else _empty_skips(),
        )


def _read_arrays(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read ``arrays.npz``; a damaged file gives a typed error naming it."""
    if path.stat().st_size == 0:
        raise TruncatedFileError("file is empty", path=path)
    try:
        with np.load(path, allow_pickle=False) as arrays:
            return arrays["inputs"], arrays["targets"]
    except KeyError as error:
        raise FileFormatError(f"the archive lacks the array {error}", path=path) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        with open(path, "rb") as handle:
            starts_like_zip = handle.read(4) == b"PK\x03\x04"
        # A zip archive cut short loses its central directory at the end.
        kind = TruncatedFileError if starts_like_zip and "not a zip file" in str(error) else FileFormatError
        raise kind(f"not a readable numpy .npz archive ({type(error).__name__}: {error})", path=path) from None


def _read_table(path: Path, read: Callable[..., pd.DataFrame], **kwargs: object) -> pd.DataFrame:
    """Read a Parquet or CSV table; a damaged file gives a typed error naming it."""
    try:
        return read(path, **kwargs)
    except (OSError, ValueError, EOFError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        message = str(error).splitlines()[0] if str(error) else ""
        raise FileFormatError(f"not a readable table ({type(error).__name__}: {message})", path=path) from None
