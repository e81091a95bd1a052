"""Reader for the Alcantara et al. (2022) accelerometer and ground reaction force CSV files.

Three files, one row per treadmill trial: ``Accelerometer_one_sub.csv``
(the sacral accelerometer's vertical then anteroposterior samples, g, 500 Hz),
``GRF_one_sub.csv`` (the force normal to the belt, body weights) and
``Sub_Info_one_sub.csv`` (subject, body mass, speed, slope per trial).
:func:`read_alcantara` reads them into :class:`AlcantaraData`;
:func:`valid_length` finds zero padding at a trial's end (none in the
published file: the vertical channel's zero runs are flight phases floored
at zero, not padding).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.errors import (
    ConfigError,
    FileFormatError,
    LengthMismatchError,
    MissingChannelError,
    MissingFileError,
)
from grfkit.real.readers._delimited import parse_numeric_rows

__all__ = [
    "ALCANTARA_SAMPLING_RATE_HZ",
    "ALCANTARA_FILES",
    "AlcantaraData",
    "read_alcantara",
    "valid_length",
]

#: Sampling rate of every channel.
ALCANTARA_SAMPLING_RATE_HZ: float = 500.0

#: File names inside the data set's folder: accelerometer, force, trial info.
ALCANTARA_FILES: tuple[str, str, str] = ("Accelerometer_one_sub.csv", "GRF_one_sub.csv", "Sub_Info_one_sub.csv")

# Sub_Info column -> grfkit column and the factor to SI
_INFO_COLUMNS: dict[str, tuple[str, float]] = {
    "Sub": ("subject", 1.0),
    "Sex": ("sex", 1.0),
    "Height": ("height_m", 0.01),
    "Mass": ("body_mass_kg", 1.0),
    "RFS": ("rfs_pct", 1.0),
    "MFS": ("mfs_pct", 1.0),
    "FFS": ("ffs_pct", 1.0),
    "Speed": ("speed_mps", 1.0),
    "Slope": ("slope_deg", 1.0),
}


def valid_length(*channels: np.ndarray) -> int:
    """Return the number of samples before trailing zero (or NaN) padding.

    Parameters
    ----------
    *channels
        Equal-length 1-D signals of one trial.

    Returns
    -------
    int
        Index after the last sample at which any channel is non-zero and
        finite; the signal length when nothing is padded, 0 when all is padding.

    Raises
    ------
    LengthMismatchError
        If the channels differ in length.

    Examples
    --------
    >>> valid_length(np.array([1.0, 2.0, 0.0, 0.0]), np.array([0.5, 0.0, 0.0, 0.0]))
    2
    """
    lengths = {len(channel) for channel in channels}
    if len(lengths) > 1:
        raise LengthMismatchError(f"channels of one trial differ in length: {sorted(lengths)}")
    stacked = np.vstack([np.asarray(channel, dtype=np.float64) for channel in channels])
    informative = np.any(np.isfinite(stacked) & (stacked != 0.0), axis=0)
    nonzero = np.flatnonzero(informative)
    return int(nonzero[-1]) + 1 if nonzero.size else 0


@dataclass(frozen=True)
class AlcantaraData:
    """The Alcantara et al. (2022) trials.

    Parameters
    ----------
    info
        One row per trial: ``trial`` (0-based row of the files), ``subject``,
        ``sex``, ``height_m``, ``body_mass_kg``, ``rfs_pct``, ``mfs_pct``,
        ``ffs_pct``, ``speed_mps``, ``slope_deg``, the file's other columns in
        lower case, ``valid_length`` (samples before padding) and
        ``padded_samples``.
    acc_vertical_g, acc_ap_g
        ``(n_trials, n_samples)`` sacral acceleration, vertical and
        anteroposterior, in g (padding included).
    grf_bw
        ``(n_trials, n_samples)`` normal ground reaction force in body weights.
    sampling_rate_hz
        500 Hz.
    """

    info: pd.DataFrame
    acc_vertical_g: np.ndarray
    acc_ap_g: np.ndarray
    grf_bw: np.ndarray
    sampling_rate_hz: float = ALCANTARA_SAMPLING_RATE_HZ

    @property
    def n_trials(self) -> int:
        """Number of trials."""
        return int(self.grf_bw.shape[0])

    def trial(self, index: int) -> pd.DataFrame:
        """Return one trial's valid samples as a table.

        Parameters
        ----------
        index
            Trial (row) index, 0-based.

        Returns
        -------
        pandas.DataFrame
            ``time_s``, ``acc_vertical_g``, ``acc_ap_g``, ``grf_bw`` for the
            trial's ``valid_length`` samples.

        Raises
        ------
        ConfigError
            If ``index`` is out of range.
        """
        if not 0 <= index < self.n_trials:
            raise ConfigError(f"trial index {index} is outside 0..{self.n_trials - 1}")
        n = int(self.info["valid_length"].iloc[index])
        return pd.DataFrame(
            {
                "time_s": np.arange(n) / self.sampling_rate_hz,
                "acc_vertical_g": self.acc_vertical_g[index, :n],
                "acc_ap_g": self.acc_ap_g[index, :n],
                "grf_bw": self.grf_bw[index, :n],
            }
        )


def _read_matrix(path: Path, values_per_row: int | None) -> np.ndarray:
    if not path.is_file():
        raise MissingFileError("file not found", path=path)
    lines, numbers = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            lines.append(line)
            numbers.append(number)
    if not lines:
        raise FileFormatError("the file holds no rows", path=path)
    n_fields = values_per_row if values_per_row is not None else lines[0].count(",") + 1
    return parse_numeric_rows(
        lines, numbers, path=path, sep=",", column_names=[f"value {i + 1}" for i in range(n_fields)]
    )


def read_alcantara(
    folder: str | os.PathLike[str],
    *,
    samples_per_trial: int | None = None,
) -> AlcantaraData:
    """Read the three Alcantara et al. (2022) CSV files of one folder.

    Parameters
    ----------
    folder
        Folder holding :data:`ALCANTARA_FILES` (e.g. ``fetch("alcantara2022")``).
    samples_per_trial
        Expected samples per trial and channel (2480 in the published files);
        ``None`` takes it from the force file's first row.

    Returns
    -------
    AlcantaraData
        Trial info, accelerometer and force arrays, with each trial's valid
        (unpadded) length.

    Raises
    ------
    MissingFileError
        If a file is missing.
    FileFormatError
        A row with the wrong number of values (the message names the file
        and line), a cell that is not a number, or an info file without rows.
    TruncatedFileError
        If a file's last row is cut short.
    MissingChannelError
        If the info file lacks a column.
    LengthMismatchError
        If the files hold different numbers of trials.
    """
    folder = Path(folder)
    acc_path, grf_path, info_path = (folder / name for name in ALCANTARA_FILES)
    grf = _read_matrix(grf_path, samples_per_trial)
    n_samples = grf.shape[1]
    acc = _read_matrix(acc_path, 2 * n_samples)
    if not info_path.is_file():
        raise MissingFileError("file not found", path=info_path)
    raw_info = pd.read_csv(info_path, na_values=["NA", ""], keep_default_na=False)
    missing = [column for column in _INFO_COLUMNS if column not in raw_info.columns]
    if missing:
        raise MissingChannelError(f"no column {missing[0]!r}", path=info_path, channel=missing[0])
    counts = {acc_path.name: acc.shape[0], grf_path.name: grf.shape[0], info_path.name: len(raw_info)}
    if len(set(counts.values())) != 1:
        raise LengthMismatchError(
            "the files hold different numbers of trials: " + ", ".join(f"{k} {v}" for k, v in counts.items()),
            path=folder,
        )
    info = pd.DataFrame({"trial": np.arange(len(raw_info))})
    for column, (name, factor) in _INFO_COLUMNS.items():
        info[name] = raw_info[column] * factor if factor != 1.0 else raw_info[column]
    for column in raw_info.columns:
        if column not in _INFO_COLUMNS:
            info[column.lower()] = raw_info[column]
    acc_vertical, acc_ap = acc[:, :n_samples], acc[:, n_samples:]
    lengths = [valid_length(acc_vertical[i], acc_ap[i], grf[i]) for i in range(grf.shape[0])]
    info["valid_length"] = lengths
    info["padded_samples"] = n_samples - np.asarray(lengths)
    return AlcantaraData(info=info, acc_vertical_g=acc_vertical, acc_ap_g=acc_ap, grf_bw=grf)
