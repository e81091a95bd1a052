"""Typed errors raised by grfkit.

Every error names what is wrong *and where*: the file, the channel, the
participant or the bout.  All inherit from :class:`GrfkitError`, so a caller
can catch everything grfkit raises on purpose with one ``except`` clause,
while tests and pipelines can single out one failure mode.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "GrfkitError",
    "RawDataError",
    "MissingFileError",
    "EmptyTableError",
    "MissingChannelError",
    "TimestampError",
    "SamplingRateError",
    "DropoutError",
    "LengthMismatchError",
    "SensorFaultError",
    "NoContactError",
    "UnendedContactError",
    "SyncError",
    "ConfigError",
    "ChannelMismatchError",
]


class GrfkitError(Exception):
    """Base class of every error grfkit raises on purpose."""


class RawDataError(GrfkitError, ValueError):
    """A raw recording does not follow the grfkit raw data format.

    Parameters
    ----------
    message
        What is wrong.
    path
        The file (or folder) concerned, if any.
    channel
        The channel (table column) concerned, if any.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, channel: str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.channel = channel
        where = []
        if path is not None:
            where.append(f"file {self.path}")
        if channel is not None:
            where.append(f"channel {channel!r}")
        prefix = f"[{', '.join(where)}] " if where else ""
        super().__init__(prefix + message)


class MissingFileError(RawDataError, FileNotFoundError):
    """A file the raw data format requires is absent."""


class EmptyTableError(RawDataError):
    """A table has no rows."""


class MissingChannelError(RawDataError):
    """A table lacks a required column."""


class TimestampError(RawDataError):
    """Timestamps are missing, not finite or not strictly increasing."""


class SamplingRateError(RawDataError):
    """The sampling rate measured from the timestamps differs from the stated one."""


class DropoutError(RawDataError):
    """A channel holds NaN values (dropouts) where it must be continuous."""


class LengthMismatchError(RawDataError):
    """Channels or signals that must have the same length do not."""


class SensorFaultError(RawDataError):
    """A sensor channel is stuck (constant, e.g. at zero) or saturated."""


class NoContactError(RawDataError):
    """A force channel never rises above the contact threshold."""


class UnendedContactError(RawDataError):
    """A contact starts but never ends before the recording does."""


class SyncError(GrfkitError, ValueError):
    """The insole clock could not be aligned with the lab clock.

    Raised when the cross-correlation has no clear peak or when two peaks are
    too close in height to choose between them.
    """


class ConfigError(GrfkitError, ValueError):
    """A configuration value is invalid (unknown scale, preset, strategy, ...)."""


class ChannelMismatchError(GrfkitError, ValueError):
    """A model, scaler or data set expects other channels than it was given."""


# --- Real public data sets (grfkit.real.registry, grfkit.real.readers) -----------------

__all__ += ["FileFormatError", "TruncatedFileError", "ChecksumError", "DataUnavailableError"]


class FileFormatError(RawDataError):
    """A file does not follow its declared format (header, cell or row layout)."""


class TruncatedFileError(FileFormatError):
    """A file ends before its header says it should (fewer rows, a cut-off row)."""


class ChecksumError(RawDataError):
    """A data file's SHA-256 differs from the one in the data registry."""


class DataUnavailableError(MissingFileError):
    """A registered data file is missing and could not (or may not) be downloaded."""


# --- Preprocessing (grfkit.preprocess.segmentation) ----------------------------------------

__all__ += ["EventRangeError"]


class EventRangeError(RawDataError):
    """An event (initial contact, toe-off) lies outside the time range of the signal it should cut."""


# --- Storage: caches and output folders ---------------------------------------------

__all__ += ["CacheError", "OutputError"]


class _StorageError(GrfkitError, OSError):
    """A folder grfkit writes to may not or cannot be written; picklable, so it crosses from workers intact.

    Parameters
    ----------
    message
        What is wrong and what to do.
    path
        The folder or file concerned.
    """

    _template = "{path}: {message}"

    def __init__(self, message: str, *, path: str | Path) -> None:
        self.message = message
        self.path = Path(path)
        super().__init__(self._template.format(path=self.path, message=message))

    def __reduce__(self):
        return (_rebuild_storage_error, (type(self), self.message, str(self.path)))


def _rebuild_storage_error(cls: type[_StorageError], message: str, path: str) -> _StorageError:
    return cls(message, path=path)


class CacheError(_StorageError):
    """grfkit's cache folder cannot be written (read-only, no permission, disk full)."""

    _template = "[{path}] {message}"


class OutputError(_StorageError):
    """An output folder (``--out``) may not or cannot be written: it holds other files, is an input,
    is the home folder, is read-only, or the disk is full."""


# --- Units (grfkit.io.validate, grfkit.preprocess.chain) ---------------------------------------

__all__ += ["UnitError"]


class UnitError(RawDataError):
    """A channel or participant property is off by a unit factor (kgf for N, pounds for kg, rad/s for deg/s)."""
