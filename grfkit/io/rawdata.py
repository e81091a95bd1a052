"""The grfkit raw data format: one folder per data set, participant and bout.

A raw data folder holds what a lab records, before any processing::

    RAW_DIR/
      dataset.json            {"format": "grfkit-raw", "version": 1, ...}
      participants.csv        one row per participant
      bouts.csv               one row per bout
      <dataset>/<participant>/<bout>/
          bout.json           BoutInfo: sampling rates, plates, environment
          insole.parquet      time_s (insole clock) + 32 FSR channels
          imu.parquet         time_s (insole clock) + 6 IMU channels
          force.parquet       time_s (lab clock) + 5 channels per plate
          marker.parquet      time_s (lab clock) + waist marker (optional)
      truth/                  only for simulated data
          trials.csv          true clock offset and drift per bout
          stances.csv         every true foot contact

Every table may be a ``.csv`` file instead of ``.parquet`` (parquet wins when
both exist).  The reader validates what it reads and raises a typed error from
:mod:`grfkit.errors` that names the file and the channel (or participant).
The book page "Raw data format" documents every column.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from numpy.typing import ArrayLike

from grfkit.errors import (
    ConfigError,
    DropoutError,
    EmptyTableError,
    FileFormatError,
    LengthMismatchError,
    MissingChannelError,
    MissingFileError,
    NoContactError,
    RawDataError,
    SamplingRateError,
    SensorFaultError,
    TimestampError,
    UnitError,
)
from grfkit.io.channels import (
    IMU_CHANNELS,
    MARKER_CHANNELS,
    fsr_channels,
    plate_channels,
)
from grfkit.storage.atomic import atomic_directory, write_text_atomic

__all__ = [
    "FORMAT",
    "VERSION",
    "TABLES",
    "ENVIRONMENTS",
    "FOOT_STRIKES",
    "PARTICIPANT_COLUMNS",
    "BOUT_COLUMNS",
    "TRUTH_TRIAL_COLUMNS",
    "TRUTH_STANCE_COLUMNS",
    "Plate",
    "BoutInfo",
    "RawBout",
    "bout_path",
    "required_channels",
    "write_bout",
    "write_dataset_files",
    "read_manifest",
    "read_participants",
    "read_bouts",
    "read_truth",
    "iter_bout_paths",
    "read_bout_info",
    "read_bout",
    "validate_time_base",
    "validate_bout",
]

#: Value of ``"format"`` in ``dataset.json`` (and, optionally, ``bout.json``).
FORMAT: str = "grfkit-raw"
#: Version of the raw data format this module reads and writes.
VERSION: int = 1
#: The tables of a bout folder, in the order they are read and validated.
TABLES: tuple[str, ...] = ("insole", "imu", "force", "marker")
#: Allowed values of ``BoutInfo.environment``.
ENVIRONMENTS: tuple[str, ...] = ("overground", "treadmill")
#: Allowed values of the ``foot_strike`` column of ``participants.csv``.
FOOT_STRIKES: tuple[str, ...] = ("rearfoot", "midfoot", "forefoot")

#: Required columns of ``participants.csv`` (free extra columns are kept).
PARTICIPANT_COLUMNS: tuple[str, ...] = (
    "dataset",
    "participant",
    "sex",
    "body_mass_kg",
    "height_m",
    "insole_length_m",
    "foot_strike",
)
#: Required columns of ``bouts.csv``.
BOUT_COLUMNS: tuple[str, ...] = ("dataset", "participant", "bout", "condition", "speed_mps", "gradient_deg")
#: Required columns of ``truth/trials.csv``.
TRUTH_TRIAL_COLUMNS: tuple[str, ...] = ("dataset", "participant", "bout", "clock_offset_s", "clock_drift_ppm")
#: Required columns of ``truth/stances.csv``.
TRUTH_STANCE_COLUMNS: tuple[str, ...] = (
    "dataset",
    "participant",
    "bout",
    "foot",
    "plate",
    "ic_s",
    "to_s",
    "contact_start_s",
    "contact_end_s",
    "clean",
    "speed_mps",
    "reason",
)

_ID_COLUMNS: tuple[str, ...] = ("dataset", "participant", "bout")
_FORMATS: tuple[str, ...] = ("parquet", "csv")

# Plausible ranges of participant properties: values outside are almost
# always a unit mistake (grams, pounds, centimetres, millimetres).
_BODY_MASS_RANGE_KG: tuple[float, float] = (20.0, 250.0)
_HEIGHT_RANGE_M: tuple[float, float] = (0.8, 2.5)
_INSOLE_LENGTH_RANGE_M: tuple[float, float] = (0.1, 0.45)


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class Plate:
    """A force plate (or treadmill belt) and its active surface in the lab frame.

    Parameters
    ----------
    name
        Column prefix in the force table, e.g. ``"plate1"`` or ``"belt"``.
    x_min_m, x_max_m, y_min_m, y_max_m
        Edges of the plate's top surface in lab coordinates.
    """

    name: str
    x_min_m: float
    x_max_m: float
    y_min_m: float
    y_max_m: float


@dataclass(frozen=True)
class BoutInfo:
    """Metadata of one bout (one continuous recording).

    Parameters
    ----------
    dataset
        ``"overground"`` or ``"treadmill"`` (or the name of a real data set).
    participant
        Participant identifier, e.g. ``"OG03"``.
    bout
        Bout identifier, unique within the participant, e.g. ``"medium"``.
    condition
        Experimental condition (speed class or speed/gradient combination).
    environment
        ``"overground"`` (force plates in the floor) or ``"treadmill"`` (instrumented belt).
    plates
        Force plates whose channels the force table holds.
    gradient_deg
        Running surface incline in degrees (positive uphill).
    belt_speed_mps
        Treadmill belt speed, ``None`` overground.
    insole_rate_hz, imu_rate_hz, force_rate_hz, marker_rate_hz
        Nominal sampling rates; ``marker_rate_hz`` is ``None`` without a marker table.
    """

    dataset: str
    participant: str
    bout: str
    condition: str
    environment: str
    plates: tuple[Plate, ...]
    gradient_deg: float = 0.0
    belt_speed_mps: float | None = None
    insole_rate_hz: float = 1000.0
    imu_rate_hz: float = 1125.0
    force_rate_hz: float = 1000.0
    marker_rate_hz: float | None = 200.0


@dataclass
class RawBout:
    """The tables of one bout, as recorded.

    Parameters
    ----------
    info
        Bout metadata.
    insole
        ``time_s`` (insole clock) and 32 FSR channels.
    imu
        ``time_s`` (insole clock) and 6 IMU channels.
    force
        ``time_s`` (lab clock) and 5 channels per plate.
    marker
        ``time_s`` (lab clock) and waist marker position, or ``None``.
    """

    info: BoutInfo
    insole: pd.DataFrame
    imu: pd.DataFrame
    force: pd.DataFrame
    marker: pd.DataFrame | None = field(default=None)


# --------------------------------------------------------------------------- paths and channels


def _check_id(value: object, what: str, path: Path | None = None) -> str:
    """Return ``value`` if it is a usable folder name, else raise RawDataError."""
    if not isinstance(value, str) or not value.strip():
        raise RawDataError(f"{what} must be a non-empty string, got {value!r}", path=path)
    if value in {".", ".."} or any(c in value for c in "/\\\0") or value != value.strip():
        raise RawDataError(
            f"{what} {value!r} cannot be a folder name (no slashes, no surrounding spaces, not '.' or '..')",
            path=path,
        )
    return value


def bout_path(root: str | Path, dataset: str, participant: str, bout: str) -> Path:
    """Return the folder of one bout, ``root/dataset/participant/bout``.

    Parameters
    ----------
    root
        Raw data folder.
    dataset, participant, bout
        Identifiers of the bout; each becomes one folder name.

    Returns
    -------
    pathlib.Path
        The bout folder (it need not exist).

    Raises
    ------
    RawDataError
        If an identifier is empty or not a valid folder name.

    Examples
    --------
    >>> bout_path("raw", "overground", "OG03", "medium").as_posix()
    'raw/overground/OG03/medium'
    """
    return (
        Path(root)
        / _check_id(dataset, "dataset")
        / _check_id(participant, "participant")
        / _check_id(bout, "bout")
    )


def required_channels(info: BoutInfo) -> dict[str, list[str]]:
    """Return the required columns of each table of a bout.

    Parameters
    ----------
    info
        Bout metadata; its plates decide the force columns and its
        ``marker_rate_hz`` whether there is a marker table.

    Returns
    -------
    dict of str to list of str
        Table name (``"insole"``, ``"imu"``, ``"force"`` and, with a marker,
        ``"marker"``) to its columns, ``"time_s"`` first.
    """
    channels = {
        "insole": ["time_s", *fsr_channels("left"), *fsr_channels("right")],
        "imu": ["time_s", *IMU_CHANNELS],
        "force": ["time_s", *(c for p in info.plates for c in plate_channels(p.name))],
    }
    if info.marker_rate_hz is not None:
        channels["marker"] = ["time_s", *MARKER_CHANNELS]
    return channels


def _table_file(folder: Path, table: str) -> Path | None:
    """Return the file of a table in a bout folder (parquet preferred), or None."""
    for fmt in _FORMATS:
        path = folder / f"{table}.{fmt}"
        if path.is_file():
            return path
    return None


# --------------------------------------------------------------------------- writing


def _arrow_can_open(path: Path) -> bool:
    """True if pyarrow can take ``path`` as text: it must encode to UTF-8.

    A path holding a byte that is not valid UTF-8 (e.g. ``b'caf\\xe9'`` from a
    Latin-1 file system) decodes to a lone surrogate in Python, which arrow
    cannot encode; such files are opened by Python and handed to arrow as
    open files instead.
    """
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_default(value: object) -> object:
    """Let json write numpy scalars (e.g. a seed or rate held as np.int64)."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _to_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, default=_json_default)


def _info_to_dict(info: BoutInfo) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, **dataclasses.asdict(info)}


def _write_table(df: pd.DataFrame, path: Path, fmt: str) -> None:
    """Write one table as parquet or CSV.

    Parquet is written for fast reading: uncompressed, plain encoding (no
    dictionary), NaN stored as a floating-point value rather than as a
    missing value, and so every column of a raw table non-nullable: no
    validity levels are stored or decoded.  Noisy floats do not compress, and
    this layout reads two to three times faster than pyarrow's defaults
    (snappy, dictionary, NaN as null).  pandas and pyarrow read NaN back
    either way; any parquet layout is accepted on input.
    """
    if fmt == "csv":
        df.to_csv(path, index=False)
        return
    table = pa.Table.from_pandas(df, preserve_index=False)
    for i, column_field in enumerate(table.schema):
        column_type = column_field.type
        if table.column(i).null_count and pa.types.is_floating(column_type):  # NaN became null: keep it a value
            values = np.asarray(df.iloc[:, i].to_numpy(dtype=column_type.to_pandas_dtype(), na_value=np.nan))
            table = table.set_column(i, column_field, pa.array(values, type=column_type, from_pandas=False))
    schema = pa.schema(
        [f.with_nullable(table.column(i).null_count > 0) for i, f in enumerate(table.schema)],
        metadata=table.schema.metadata,
    )
    if _arrow_can_open(path):
        pq.write_table(table.cast(schema), path, compression="none", use_dictionary=False)
        return
    with path.open("wb") as fh:  # a path arrow cannot take as text (a byte that is not UTF-8)
        pq.write_table(table.cast(schema), fh, compression="none", use_dictionary=False)


def write_bout(root: str | Path, bout: RawBout, fmt: str = "parquet") -> Path:
    """Write one bout to its folder under ``root``, atomically.

    The tables go to a temporary folder beside the destination, which is
    renamed into place only once every file is written: a killed writer
    leaves no half bout that looks complete.  An existing bout folder is
    replaced.

    Parameters
    ----------
    root
        Raw data folder.
    bout
        The bout; ``bout.info`` gives the folder
        (``root/dataset/participant/bout``).
    fmt
        ``"parquet"`` (default) or ``"csv"``.

    Returns
    -------
    pathlib.Path
        The bout folder.

    Raises
    ------
    ConfigError
        If ``fmt`` is not ``"parquet"`` or ``"csv"``.
    RawDataError
        If ``bout.marker`` is given without ``info.marker_rate_hz`` or the other
        way round (the folder would not read back).
    """
    if fmt not in _FORMATS:
        raise ConfigError(f"fmt must be one of {_FORMATS}, got {fmt!r}")
    info = bout.info
    folder = bout_path(root, info.dataset, info.participant, info.bout)
    if (bout.marker is None) != (info.marker_rate_hz is None):
        raise RawDataError(
            "a marker table needs marker_rate_hz and marker_rate_hz needs a marker table "
            f"(marker table {'absent' if bout.marker is None else 'given'}, "
            f"marker_rate_hz={info.marker_rate_hz!r})",
            path=folder / "bout.json",
        )
    tables = {"insole": bout.insole, "imu": bout.imu, "force": bout.force, "marker": bout.marker}
    with atomic_directory(folder) as tmp:
        (tmp / "bout.json").write_text(_to_json(_info_to_dict(info)), encoding="utf-8")
        for name, df in tables.items():
            if df is not None:
                _write_table(df, tmp / f"{name}.{fmt}", fmt)
    return folder


def _csv_text(df: pd.DataFrame) -> str:
    return df.to_csv(index=False)


def write_dataset_files(
    root: str | Path,
    *,
    participants: pd.DataFrame,
    bouts: pd.DataFrame,
    manifest: Mapping[str, Any],
    truth_trials: pd.DataFrame | None = None,
    truth_stances: pd.DataFrame | None = None,
) -> None:
    """Write the data-set level files of a raw data folder, each atomically.

    Writes ``participants.csv``, ``bouts.csv``, ``truth/trials.csv`` and
    ``truth/stances.csv`` (when given) and finally ``dataset.json``.

    Parameters
    ----------
    root
        Raw data folder (created if needed).
    participants
        One row per participant with at least :data:`PARTICIPANT_COLUMNS`.
    bouts
        One row per bout with at least :data:`BOUT_COLUMNS`.
    manifest
        Free description written to ``dataset.json`` (e.g. ``scale``, ``seed``,
        ``generator``); ``"format": "grfkit-raw"`` and ``"version": 1`` are added.
    truth_trials, truth_stances
        Ground truth of simulated data (:data:`TRUTH_TRIAL_COLUMNS`,
        :data:`TRUTH_STANCE_COLUMNS`); give both or neither.

    Raises
    ------
    RawDataError
        If a table lacks required columns or breaks a rule that the readers
        check (so that what is written always reads back).
    ValueError
        If only one of the truth tables is given.
    """
    root = Path(root)
    if (truth_trials is None) != (truth_stances is None):
        raise ValueError("give both truth_trials and truth_stances, or neither")
    _check_participants(participants, root / "participants.csv")
    _check_bouts(bouts, participants, root / "bouts.csv")
    write_text_atomic(root / "participants.csv", _csv_text(participants))
    write_text_atomic(root / "bouts.csv", _csv_text(bouts))
    if truth_trials is not None and truth_stances is not None:
        _require_columns(truth_trials, TRUTH_TRIAL_COLUMNS, root / "truth" / "trials.csv")
        _require_columns(truth_stances, TRUTH_STANCE_COLUMNS, root / "truth" / "stances.csv")
        write_text_atomic(root / "truth" / "trials.csv", _csv_text(truth_trials))
        write_text_atomic(root / "truth" / "stances.csv", _csv_text(truth_stances))
    extra = {k: v for k, v in manifest.items() if k not in ("format", "version")}
    write_text_atomic(root / "dataset.json", _to_json({"format": FORMAT, "version": VERSION, **extra}))


# --------------------------------------------------------------------------- data-set level reading


def _require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise MissingFileError(f"{what} is missing", path=path)
    return path


def _require_columns(df: pd.DataFrame, columns: tuple[str, ...] | list[str], path: Path | None) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise MissingChannelError(
            f"required column(s) {missing} missing; the table has {list(df.columns)}",
            path=path,
            channel=missing[0],
        )


def _read_small_csv(path: Path, str_columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a small metadata CSV with identifier columns kept as strings."""
    try:
        df = pd.read_csv(path, dtype={c: str for c in str_columns})
    except pd.errors.EmptyDataError:
        raise EmptyTableError("the file is empty", path=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise RawDataError(f"cannot parse the CSV file: {exc}", path=path) from None
    if df.empty:
        raise EmptyTableError("the table has no rows", path=path)
    return df


def _numeric_column(df: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    series = df[column]
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        raise RawDataError(f"column must be numeric, found dtype {series.dtype}", path=path, channel=column)
    return series.to_numpy(dtype=np.float64)


def _check_ids(df: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    for column in columns:
        bad = df[column].isna() | (df[column].astype(str).str.strip() == "")
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise RawDataError(f"empty identifier in row {row}", path=path, channel=column)


def _check_participants(df: pd.DataFrame, path: Path) -> None:
    _require_columns(df, PARTICIPANT_COLUMNS, path)
    _check_ids(df, ("dataset", "participant", "sex", "foot_strike"), path)
    duplicated = df.duplicated(["dataset", "participant"])
    if duplicated.any():
        row = df.loc[duplicated].iloc[0]
        raise RawDataError(
            f"participant {row['participant']!r} of data set {row['dataset']!r} is listed twice",
            path=path,
            channel="participant",
        )
    for column, (low, high) in (
        ("body_mass_kg", _BODY_MASS_RANGE_KG),
        ("height_m", _HEIGHT_RANGE_M),
        ("insole_length_m", _INSOLE_LENGTH_RANGE_M),
    ):
        values = _numeric_column(df, column, path)
        bad = ~((values >= low) & (values <= high))  # also catches NaN
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise RawDataError(
                f"participant {df['participant'].iloc[i]!r}: {column} = {values[i]:g} is not within the "
                f"plausible range {low:g}..{high:g} (check the unit)",
                path=path,
                channel=column,
            )
    strikes = df["foot_strike"].astype(str)
    bad_strike = ~strikes.isin(FOOT_STRIKES)
    if bad_strike.any():
        i = int(np.flatnonzero(bad_strike.to_numpy())[0])
        raise RawDataError(
            f"participant {df['participant'].iloc[i]!r}: foot_strike {strikes.iloc[i]!r} is not one of {FOOT_STRIKES}",
            path=path,
            channel="foot_strike",
        )


def _check_bouts(df: pd.DataFrame, participants: pd.DataFrame, path: Path) -> None:
    _require_columns(df, BOUT_COLUMNS, path)
    _check_ids(df, ("dataset", "participant", "bout", "condition"), path)
    for column in _ID_COLUMNS:
        for value in df[column]:
            _check_id(str(value), column, path)
    duplicated = df.duplicated(list(_ID_COLUMNS))
    if duplicated.any():
        row = df.loc[duplicated].iloc[0]
        raise RawDataError(
            f"bout {row['bout']!r} of participant {row['participant']!r} ({row['dataset']}) is listed twice",
            path=path,
            channel="bout",
        )
    known = set(zip(participants["dataset"].astype(str), participants["participant"].astype(str), strict=True))
    for dataset, participant in zip(df["dataset"].astype(str), df["participant"].astype(str), strict=True):
        if (dataset, participant) not in known:
            raise RawDataError(
                f"participant {participant!r} of data set {dataset!r} has bouts but is not in participants.csv",
                path=path,
                channel="participant",
            )
    speed = _numeric_column(df, "speed_mps", path)
    bad_speed = speed <= 0  # NaN (unknown nominal speed) is allowed
    if bad_speed.any():
        i = int(np.flatnonzero(bad_speed)[0])
        raise RawDataError(
            f"bout {df['bout'].iloc[i]!r} of participant {df['participant'].iloc[i]!r}: speed_mps must be positive "
            f"(or empty when unknown), got {speed[i]:g}",
            path=path,
            channel="speed_mps",
        )
    gradient = _numeric_column(df, "gradient_deg", path)
    bad_gradient = ~(np.abs(gradient) < 45.0)
    if bad_gradient.any():
        i = int(np.flatnonzero(bad_gradient)[0])
        raise RawDataError(
            f"bout {df['bout'].iloc[i]!r} of participant {df['participant'].iloc[i]!r}: gradient_deg must be a "
            f"finite angle in degrees below 45, got {gradient[i]:g}",
            path=path,
            channel="gradient_deg",
        )


def read_manifest(root: str | Path) -> dict[str, Any]:
    """Read ``dataset.json`` and check that it is a grfkit raw folder of a known version.

    Parameters
    ----------
    root
        Raw data folder.

    Returns
    -------
    dict
        The manifest, including ``"format"`` and ``"version"``.

    Raises
    ------
    MissingFileError
        If ``dataset.json`` is absent.
    RawDataError
        If it is not valid JSON, or its format or version is not
        ``"grfkit-raw"`` / ``1``.
    """
    path = _require_file(Path(root) / "dataset.json", "dataset.json (the raw folder's manifest)")
    manifest = _load_json(path)
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise RawDataError(
            f"not a grfkit raw data folder of version {VERSION}: expected \"format\": \"{FORMAT}\" and "
            f"\"version\": {VERSION}, found {manifest.get('format')!r} and {manifest.get('version')!r}",
            path=path,
        )
    return manifest


def read_participants(root: str | Path) -> pd.DataFrame:
    """Read and validate ``participants.csv``.

    Parameters
    ----------
    root
        Raw data folder.

    Returns
    -------
    pandas.DataFrame
        One row per participant; ``dataset``, ``participant``, ``sex`` and
        ``foot_strike`` are strings (``"007"`` stays ``"007"``), extra columns
        are kept.

    Raises
    ------
    MissingFileError
        If the file is absent.
    EmptyTableError
        If it has no rows.
    MissingChannelError
        If a required column (:data:`PARTICIPANT_COLUMNS`) is missing.
    RawDataError
        If a participant is listed twice, or a participant's body mass
        (20–250 kg), height (0.8–2.5 m) or insole length (0.10–0.45 m) is
        missing or implausible (a unit mistake), or the foot strike is not one
        of :data:`FOOT_STRIKES`; the message names the participant.
    """
    path = _require_file(Path(root) / "participants.csv", "participants table")
    df = _read_small_csv(path, ("dataset", "participant", "sex", "foot_strike"))
    _check_participants(df, path)
    return df


def read_bouts(root: str | Path) -> pd.DataFrame:
    """Read and validate ``bouts.csv`` against ``participants.csv``.

    Parameters
    ----------
    root
        Raw data folder.

    Returns
    -------
    pandas.DataFrame
        One row per bout in file order; ``dataset``, ``participant``, ``bout``
        and ``condition`` are strings.  ``speed_mps`` is the nominal (belt)
        speed and may be empty (NaN) when unknown.

    Raises
    ------
    MissingFileError
        If ``bouts.csv`` or ``participants.csv`` is absent.
    EmptyTableError
        If a table has no rows.
    MissingChannelError
        If a required column (:data:`BOUT_COLUMNS`) is missing.
    RawDataError
        If a bout is listed twice, an identifier is not a valid folder name,
        ``speed_mps`` is not positive, ``gradient_deg`` is not a finite angle,
        or a participant has bouts but is not in ``participants.csv`` (the
        message names the participant).
    """
    root = Path(root)
    participants = read_participants(root)
    path = _require_file(root / "bouts.csv", "bouts table")
    df = _read_small_csv(path, ("dataset", "participant", "bout", "condition"))
    _check_bouts(df, participants, path)
    return df


def read_truth(root: str | Path) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Read the generator's ground truth, if the raw folder has one.

    Parameters
    ----------
    root
        Raw data folder.

    Returns
    -------
    (trials, stances) or None
        ``None`` without a ``truth/`` folder (real recordings).  Otherwise
        ``trials`` (:data:`TRUTH_TRIAL_COLUMNS`) and ``stances``
        (:data:`TRUTH_STANCE_COLUMNS`; ``plate`` and ``reason`` are ``""``
        when empty, ``clean`` is boolean).

    Raises
    ------
    MissingFileError
        If ``truth/`` exists but one of its two files does not.
    MissingChannelError
        If a required column is missing.
    RawDataError
        If ``clean`` is not boolean.
    """
    folder = Path(root) / "truth"
    if not folder.is_dir():
        return None
    trials_path = _require_file(folder / "trials.csv", "truth trials table")
    stances_path = _require_file(folder / "stances.csv", "truth stances table")
    trials = _read_small_csv(trials_path, _ID_COLUMNS)
    _require_columns(trials, TRUTH_TRIAL_COLUMNS, trials_path)
    try:
        stances = pd.read_csv(stances_path, dtype={c: str for c in (*_ID_COLUMNS, "foot", "plate", "reason")})
    except pd.errors.EmptyDataError:
        raise EmptyTableError("the file is empty", path=stances_path) from None
    _require_columns(stances, TRUTH_STANCE_COLUMNS, stances_path)
    stances["plate"] = stances["plate"].fillna("")
    stances["reason"] = stances["reason"].fillna("")
    if len(stances) and not pd.api.types.is_bool_dtype(stances["clean"]):
        raise RawDataError(
            f"column must hold True/False, found dtype {stances['clean'].dtype}", path=stances_path, channel="clean"
        )
    stances["clean"] = stances["clean"].astype(bool)
    return trials, stances


def iter_bout_paths(root: str | Path) -> Iterator[Path]:
    """Yield the folder of every bout listed in ``bouts.csv``, in file order.

    Parameters
    ----------
    root
        Raw data folder.

    Yields
    ------
    pathlib.Path
        ``root/dataset/participant/bout`` for each row of ``bouts.csv`` (the
        order is the file's, so it is stable between runs).  Whether the folder
        exists is checked when it is read (:func:`read_bout`).

    Raises
    ------
    MissingFileError, RawDataError
        As :func:`read_bouts`, before the first folder is yielded.
    """
    bouts = read_bouts(root)
    paths = [
        bout_path(root, d, p, b)
        for d, p, b in zip(bouts["dataset"], bouts["participant"], bouts["bout"], strict=True)
    ]
    yield from paths


# --------------------------------------------------------------------------- bout reading


def _load_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RawDataError(f"not valid JSON: {exc}", path=path) from None
    if not isinstance(value, dict):
        raise RawDataError(f"expected a JSON object, found {type(value).__name__}", path=path)
    return value


def _json_number(data: Mapping[str, Any], key: str, path: Path, *, optional: bool = False) -> float | None:
    value = data[key]
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RawDataError(f"{key} must be a finite number{' or null' if optional else ''}, got {value!r}", path=path)
    return float(value)


def _plate_from_json(value: Any, path: Path) -> Plate:
    fields = [f.name for f in dataclasses.fields(Plate)]
    if not isinstance(value, dict) or set(value) != set(fields):
        raise RawDataError(f"each plate must be an object with exactly the keys {fields}, got {value!r}", path=path)
    name = _check_id(value["name"], "plate name", path)
    x_min, x_max, y_min, y_max = (_json_number(value, k, path) for k in fields[1:])
    assert x_min is not None and x_max is not None and y_min is not None and y_max is not None
    if not (x_min < x_max and y_min < y_max):
        raise RawDataError(f"plate {name!r} must have x_min_m < x_max_m and y_min_m < y_max_m", path=path)
    return Plate(name, x_min, x_max, y_min, y_max)


def _info_from_json(data: dict[str, Any], path: Path) -> BoutInfo:
    data = dict(data)
    fmt, version = data.pop("format", FORMAT), data.pop("version", VERSION)
    if fmt != FORMAT or version != VERSION:
        raise RawDataError(f"bout.json of format {fmt!r} version {version!r}; expected {FORMAT!r} {VERSION}", path=path)
    fields = {f.name: f for f in dataclasses.fields(BoutInfo)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise RawDataError(f"unknown key(s) {unknown}; allowed: {sorted(fields)}", path=path)
    required = [n for n, f in fields.items() if f.default is dataclasses.MISSING]
    missing = [n for n in required if n not in data]
    if missing:
        raise RawDataError(f"required key(s) {missing} missing", path=path)
    values: dict[str, Any] = {}
    for key in ("dataset", "participant", "bout"):
        values[key] = _check_id(data[key], key, path)
    for key in ("condition", "environment"):
        if not isinstance(data[key], str):
            raise RawDataError(f"{key} must be a string, got {data[key]!r}", path=path)
        values[key] = data[key]
    if values["environment"] not in ENVIRONMENTS:
        raise RawDataError(f"environment must be one of {ENVIRONMENTS}, got {values['environment']!r}", path=path)
    if not isinstance(data["plates"], list):
        raise RawDataError(f"plates must be a list, got {data['plates']!r}", path=path)
    values["plates"] = tuple(_plate_from_json(p, path) for p in data["plates"])
    for key in ("gradient_deg", "insole_rate_hz", "imu_rate_hz", "force_rate_hz"):
        if key in data:
            values[key] = _json_number(data, key, path)
    for key in ("belt_speed_mps", "marker_rate_hz"):
        if key in data:
            values[key] = _json_number(data, key, path, optional=True)
    info = BoutInfo(**values)
    _check_info(info, path)
    return info


def _check_info(info: BoutInfo, path: Path | None) -> None:
    """Rules on BoutInfo that do not need the tables."""
    if not info.plates:
        raise RawDataError("the bout lists no force plates; the force table needs at least one", path=path)
    names = [p.name for p in info.plates]
    if len(set(names)) != len(names):
        raise RawDataError(f"plate names must be unique, got {names}", path=path)
    for key in ("insole_rate_hz", "imu_rate_hz", "force_rate_hz", "marker_rate_hz"):
        rate = getattr(info, key)
        if rate is not None and not rate > 0:
            raise RawDataError(f"{key} must be positive, got {rate:g}", path=path)


def read_bout_info(folder: str | Path) -> BoutInfo:
    """Read ``bout.json`` of a bout folder.

    Parameters
    ----------
    folder
        Bout folder.

    Returns
    -------
    BoutInfo
        The bout's metadata, plates included.

    Raises
    ------
    MissingFileError
        If ``bout.json`` is absent.
    RawDataError
        If it is not valid JSON, lacks a required key, has an unknown key, or
        a value is of the wrong type or out of range.
    """
    path = _require_file(Path(folder) / "bout.json", "bout metadata")
    return _info_from_json(_load_json(path), path)


def _first_ragged_row(path: Path, n_columns: int) -> tuple[int, int]:
    """Return (data row index, field count) of the first CSV row with a wrong field count."""
    with path.open("rb") as fh:
        fh.readline()  # header
        lines = (line.rstrip(b"\r\n") for line in fh)
        for row, line in enumerate(line for line in lines if line):  # empty lines are skipped, as pyarrow does
            if line.count(b",") + 1 != n_columns:
                return row, line.count(b",") + 1
    return -1, n_columns


#: Told to whoever gives grfkit a CSV file written with another locale's conventions.
_CSV_CONVENTION = "grfkit reads comma-separated files with decimal points"


def _semicolon_csv(path: Path, header: list[str]) -> FileFormatError | None:
    """The error for a semicolon-separated CSV file (a header of one name holding ';'), else None."""
    if len(header) != 1 or ";" not in header[0]:
        return None
    with path.open("rb") as fh:
        fh.readline()
        first_row = fh.readline()
    commas = b"," in first_row
    return FileFormatError(
        f"looks like a semicolon-separated file{' with decimal commas' if commas else ''}; {_CSV_CONVENTION} "
        "(a header row of channel names separated by ',', e.g. time_s,acc_x_mps2,...)",
        path=path,
    )


def _read_csv_table(path: Path) -> pa.Table:
    try:
        if _arrow_can_open(path):
            table = pacsv.read_csv(path)
        else:
            with pa.memory_map(os.fsencode(path)) as source:
                table = pacsv.read_csv(source)
    except pa.ArrowInvalid as exc:
        message = str(exc)
        if "Empty CSV file" in message:
            raise EmptyTableError("the file is empty", path=path) from None
        if "Expected" in message and "columns" in message:
            with path.open("rb") as fh:
                header = fh.readline().decode("utf-8", "replace").strip().split(",")
            semicolons = _semicolon_csv(path, header)
            if semicolons is not None:
                raise semicolons from None
            row, n_fields = _first_ragged_row(path, len(header))
            # Too few fields: the first channel the row lacks; too many: the last named one.
            channel = header[n_fields] if n_fields < len(header) else header[-1]
            raise LengthMismatchError(
                f"ragged CSV: data row {row} has {n_fields} fields but the header names {len(header)} channels",
                path=path,
                channel=channel,
            ) from None
        raise RawDataError(f"cannot parse the CSV file: {message}", path=path) from None
    semicolons = _semicolon_csv(path, table.column_names)
    if semicolons is not None:
        raise semicolons
    # An all-empty column has no inferred type; it is a numeric channel that is NaN everywhere.
    for i, column in enumerate(table.schema):
        if pa.types.is_null(column.type):
            table = table.set_column(i, column.name, table.column(i).cast(pa.float64()))
    return table


def _numeric_column_array(column: pa.ChunkedArray) -> np.ndarray:
    """A numeric arrow column as numpy, as ``to_pandas`` gives it (nulls: NaN), writeable, zero-copy if possible.

    A single chunk without nulls is viewed in place when its buffer is
    mutable (memory arrow allocated while decoding); otherwise the values are
    copied.
    """
    dtype = np.dtype(column.type.to_pandas_dtype())
    if column.num_chunks == 1 and column.null_count == 0:
        chunk = column.chunk(0)
        buffer = chunk.buffers()[1]
        if buffer is not None and buffer.is_mutable:
            return np.frombuffer(buffer, dtype=dtype, count=len(chunk), offset=chunk.offset * dtype.itemsize)
    values = column.to_numpy()
    return values if values.flags.writeable else values.copy()


def _has_plain_layout(table: pa.Table) -> bool:
    """True if ``table.to_pandas()`` would be one numeric column per field, on a default RangeIndex."""
    names = table.column_names
    if len(set(names)) != len(names):
        return False
    if not all(pa.types.is_integer(t) or pa.types.is_floating(t) for t in table.schema.types):
        return False
    metadata = (table.schema.metadata or {}).get(b"pandas")
    if metadata is None or b'"index_columns": []' in metadata:  # no pandas index stored (as grfkit writes)
        return True
    try:
        index_columns = json.loads(metadata).get("index_columns", [])
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return False
    return all(
        isinstance(index, dict)
        and index.get("kind") == "range"
        and index.get("name") is None
        and index.get("start") == 0
        and index.get("step") == 1
        for index in index_columns
    )


def _arrow_columns(table: pa.Table) -> tuple[pd.DataFrame | None, dict[str, np.ndarray] | None]:
    """A table read from disk: its columns as numpy arrays when numeric and plain, else a DataFrame.

    Numeric tables (every raw table of the format) skip pandas' conversion:
    each column becomes one writeable numpy array (see
    :func:`_numeric_column_array`); a DataFrame can be built around them
    without copying.  Anything else goes through ``to_pandas`` (the
    validation then reports the offending column).
    """
    if not _has_plain_layout(table):
        return table.to_pandas(), None
    columns = zip(table.column_names, table.columns, strict=True)
    return None, {name: _numeric_column_array(column) for name, column in columns}


def _read_table(path: Path) -> tuple[pd.DataFrame | None, dict[str, np.ndarray] | None]:
    """Read one table file: its columns as numpy arrays, or (when not plain numeric) a DataFrame."""
    if path.suffix == ".csv":
        return _arrow_columns(_read_csv_table(path))
    try:
        if _arrow_can_open(path):
            table = pq.ParquetFile(path, memory_map=True).read(use_threads=False)
        else:
            with pa.memory_map(os.fsencode(path)) as source:
                table = pq.ParquetFile(source).read(use_threads=False)
    except (pa.ArrowException, OSError) as exc:
        raise RawDataError(f"cannot read the parquet file: {exc}", path=path) from None
    return _arrow_columns(table)


def _read_required_table(
    folder: Path, table: str
) -> tuple[pd.DataFrame | None, dict[str, np.ndarray] | None, Path]:
    path = _table_file(folder, table)
    if path is None:
        raise MissingFileError(
            f"required {table} table is missing (also looked for {table}.csv)", path=folder / f"{table}.parquet"
        )
    return (*_read_table(path), path)


def _frame(frame: pd.DataFrame | None, arrays: Mapping[str, np.ndarray] | None) -> pd.DataFrame:
    """The DataFrame of a table as read (built around its arrays without copying)."""
    return frame if frame is not None else pd.DataFrame(dict(arrays or {}), copy=False)


def read_bout(folder: str | Path, validate: bool = True, **validate_options: float) -> RawBout:
    """Read one bout folder, and by default validate it.

    Each table may be stored as ``<table>.parquet`` or ``<table>.csv``; when
    both exist the parquet file is read.

    Parameters
    ----------
    folder
        Bout folder (``root/dataset/participant/bout``), e.g. from
        :func:`iter_bout_paths` or :func:`bout_path`.
    validate
        Run :func:`validate_bout` on what was read (default).
    **validate_options
        Thresholds passed to :func:`validate_bout` (``rate_tolerance``, ...).

    Returns
    -------
    RawBout
        The bout; ``marker`` is ``None`` when ``bout.json`` states no
        ``marker_rate_hz``.

    Raises
    ------
    MissingFileError
        If the folder, ``bout.json`` or a required table is absent (the
        message names the missing path).
    RawDataError
        If a marker table exists although ``marker_rate_hz`` is null, a file
        cannot be parsed, or (with ``validate``) any error of
        :func:`validate_bout`.
    LengthMismatchError
        If a CSV file has ragged rows.

    Examples
    --------
    >>> bout = read_bout("raw/overground/OG03/medium")  # doctest: +SKIP
    >>> bout.info.plates[0].name  # doctest: +SKIP
    'plate1'
    """
    folder = Path(folder)
    info, tables, paths = _read_bout_tables(folder)
    frames = {name: _frame(*table) for name, table in tables.items()}
    bout = RawBout(
        info=info,
        insole=frames["insole"],
        imu=frames["imu"],
        force=frames["force"],
        marker=frames.get("marker"),
    )
    if validate:
        _validate_tables(info, tables, folder, paths, **validate_options)
    return bout


#: The numeric channels of a bout's tables as numpy arrays: table name -> channel -> values.
BoutArrays = dict[str, dict[str, np.ndarray]]


def _read_bout_tables(
    folder: Path,
) -> tuple[BoutInfo, dict[str, tuple[pd.DataFrame | None, dict[str, np.ndarray] | None]], dict[str, Path]]:
    """``bout.json`` and each table of a bout folder as read (arrays or a frame, see :func:`_read_table`)."""
    if not folder.is_dir():
        raise MissingFileError("bout folder is missing", path=folder)
    info = read_bout_info(folder)
    marker_path = _table_file(folder, "marker")
    if info.marker_rate_hz is None and marker_path is not None:
        raise RawDataError(
            f"a marker table ({marker_path.name}) exists but bout.json states no marker_rate_hz",
            path=folder / "bout.json",
        )
    tables, paths = {}, {}
    for name in TABLES if info.marker_rate_hz is not None else TABLES[:-1]:
        frame, arrays, paths[name] = _read_required_table(folder, name)
        tables[name] = (frame, arrays)
    return info, tables, paths


def _check_bout_ids(info: BoutInfo, expected_ids: Mapping[str, str], path: Path) -> None:
    """RawDataError naming ``bout.json`` and both values if its identifiers are not those of its folder."""
    for key in _ID_COLUMNS:
        stated, expected = getattr(info, key), expected_ids[key]
        if stated != expected:
            raise RawDataError(
                f"bout.json says {key} {stated!r} but its folder and bouts.csv say {expected!r}; a copy-paste "
                f"slip would file this bout's stances under another {key}: correct bout.json (or move the folder)",
                path=path,
                channel=key,
            )


def _read_bout_arrays(
    folder: str | Path, expected_ids: Mapping[str, str] | None = None, **validate_options: float
) -> tuple[BoutInfo, BoutArrays]:
    """Read and validate a bout (as :func:`read_bout`), returning its required channels as numpy arrays.

    No DataFrame is built for numeric tables: what the preprocessing chain
    needs, at the least cost.  With ``expected_ids`` (``dataset``,
    ``participant``, ``bout`` of the folder's row of ``bouts.csv``),
    ``bout.json`` must state the same identifiers (RawDataError naming both).
    """
    folder = Path(folder)
    info, tables, paths = _read_bout_tables(folder)
    if expected_ids is not None:
        _check_bout_ids(info, expected_ids, folder / "bout.json")
    return info, _validate_tables(info, tables, folder, paths, **validate_options)


def _bout_arrays(bout: RawBout) -> BoutArrays:
    """The required channels of each table (:func:`required_channels`) as numpy arrays, unchecked.

    Columns are taken from the tables as they are (pandas extension dtypes
    become float64 with NaN).  A missing channel raises :class:`MissingChannelError`.
    """
    tables = {"insole": bout.insole, "imu": bout.imu, "force": bout.force, "marker": bout.marker}
    out: BoutArrays = {}
    for table, channels in required_channels(bout.info).items():
        df = tables[table]
        if df is None:
            continue
        out[table] = {}
        for channel in channels:
            if channel not in df.columns:
                raise MissingChannelError(f"the {table} table lacks a required column", channel=channel)
            series = df[channel]
            values = series.to_numpy()
            if values.dtype.kind not in "iuf":
                values = series.to_numpy(dtype=np.float64, na_value=np.nan)
            out[table][channel] = values
    return out


# --------------------------------------------------------------------------- validation


def validate_time_base(
    time_s: ArrayLike,
    nominal_rate_hz: float,
    *,
    path: str | Path | None = None,
    rate_tolerance: float = 0.01,
    max_gap_intervals: float = 1.5,
) -> float:
    """Check a table's ``time_s`` column and return the measured sampling rate.

    The rate is measured as (samples - 1) / duration.  If that is off the
    stated rate but the median sample interval is not, the recording has
    gaps, which are reported as such.

    Parameters
    ----------
    time_s
        Timestamps in seconds.
    nominal_rate_hz
        The stated sampling rate.
    path
        File the timestamps come from, named in errors.
    rate_tolerance
        Largest accepted relative difference between measured and stated rate
        (0.01 = 1 %; clock drift of the insole, tens of ppm, is far below).
    max_gap_intervals
        A step between consecutive timestamps longer than this many sample
        intervals is a gap (1.5: at least one sample is missing).

    Returns
    -------
    float
        Measured sampling rate in Hz.

    Raises
    ------
    TimestampError
        If there are fewer than two timestamps, a timestamp is not finite, two
        are equal or one goes backwards (the message gives the first offending
        0-based data row), or there is a gap (rows missing: a dropout of the
        whole table; the message gives the row after the gap and its length).
    SamplingRateError
        If the measured rate differs from the stated one by more than
        ``rate_tolerance`` (the message gives both).

    Examples
    --------
    >>> round(validate_time_base([0.0, 0.001, 0.002, 0.003], 1000.0))
    1000
    """
    t = np.asarray(time_s, dtype=np.float64)
    channel = "time_s"
    if t.size < 2:
        raise TimestampError(f"need at least two timestamps, got {t.size}", path=path, channel=channel)
    finite = np.isfinite(t)
    if not finite.all():
        row = int(np.argmin(finite))
        raise TimestampError(f"timestamp at row {row} is not finite ({t[row]})", path=path, channel=channel)
    dt = np.diff(t)
    if not dt.min() > 0:
        row = int(np.argmax(dt <= 0)) + 1
        kind = "duplicates" if dt[row - 1] == 0 else "goes back from"
        raise TimestampError(
            f"timestamps are not strictly increasing: row {row} (t = {float(t[row])!r} s) {kind} row {row - 1} "
            f"(t = {float(t[row - 1])!r} s)",
            path=path,
            channel=channel,
        )
    measured_hz = (t.size - 1) / (t[-1] - t[0])
    if abs(measured_hz / nominal_rate_hz - 1.0) > rate_tolerance:
        median_hz = 1.0 / float(np.median(dt))
        if abs(median_hz / nominal_rate_hz - 1.0) > rate_tolerance:
            raise SamplingRateError(
                f"measured sampling rate {median_hz:.6g} Hz differs from the stated {nominal_rate_hz:.6g} Hz by "
                f"more than {rate_tolerance:.2%}",
                path=path,
                channel=channel,
            )
        measured_hz = median_hz  # the mean rate is off because of gaps, found below
    interval_s = 1.0 / measured_hz
    if dt.max() > max_gap_intervals * interval_s:
        row = int(np.argmax(dt > max_gap_intervals * interval_s)) + 1
        gap_s = float(dt[row - 1])
        raise TimestampError(
            f"gap (dropout) in the timestamps: {gap_s:.6g} s between rows {row - 1} and {row} "
            f"(t = {float(t[row - 1])!r} to {float(t[row])!r} s, "
            f"about {round(gap_s / interval_s) - 1} samples missing)",
            path=path,
            channel=channel,
        )
    return float(measured_hz)


def _file(source: Path | None, table: str) -> Path | None:
    """The file a table came from, for error messages."""
    if source is None:
        return None
    return _table_file(source, table) or source / f"{table}.parquet"


def _numeric_values(df: pd.DataFrame, channel: str, path: Path | None, table: str) -> np.ndarray:
    """Return a column as a numpy array (a view where possible); RawDataError if not numeric."""
    series = df[channel]
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        raise RawDataError(f"{table} channel must be numeric, found dtype {series.dtype}", path=path, channel=channel)
    values = series.to_numpy()
    if values.dtype.kind not in "iuf":  # pandas extension dtypes (nullable Int64, Float64, ...)
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    return values


def _check_finite(
    values: np.ndarray,
    channel: str,
    path: Path | None,
    table: str,
    *,
    nan_allowed: bool,
    all_nan_allowed: bool = False,
) -> None:
    """Raise if a channel holds NaN (a dropout, unless allowed) or an infinite value.

    With ``nan_allowed`` NaN may appear, but not everywhere in the channel
    unless ``all_nan_allowed``.
    """
    if values.dtype.kind != "f" or np.isfinite(np.add.reduce(values)):
        return  # integers cannot be NaN; a finite sum means every value is finite
    infinite = np.isinf(values)
    if infinite.any():
        raise RawDataError(f"infinite value at row {int(np.argmax(infinite))}", path=path, channel=channel)
    missing = np.isnan(values)
    if nan_allowed:
        if not all_nan_allowed and missing.all():
            raise DropoutError(f"{table} channel is NaN everywhere ({values.size} samples)", path=path, channel=channel)
        return
    start = int(np.argmax(missing))
    after = ~missing[start:]
    run = int(np.argmax(after)) if after.any() else values.size - start
    raise DropoutError(
        f"{table} channel has a dropout: NaN from row {start} for {run} samples "
        f"({int(missing.sum())} NaN samples in all)",
        path=path,
        channel=channel,
    )


def _check_fsr(
    values: np.ndarray,
    channel: str,
    path: Path | None,
    *,
    stuck_range_adc: float,
    saturation_adc: float,
    max_saturated_fraction: float,
) -> None:
    """Raise SensorFaultError if an FSR channel (finite values) is stuck or mostly saturated."""
    low, high = values.min(), values.max()
    if float(high) - float(low) <= stuck_range_adc:
        raise SensorFaultError(
            f"FSR channel is stuck: it stays at {low:g}..{high:g} ADC counts over the whole bout "
            f"(range <= stuck_range_adc = {stuck_range_adc:g})",
            path=path,
            channel=channel,
        )
    if high >= saturation_adc:
        fraction = np.count_nonzero(values >= saturation_adc) / values.size
        if fraction > max_saturated_fraction:
            raise SensorFaultError(
                f"FSR channel is saturated ({saturation_adc:g} ADC counts or more) {fraction:.1%} of the time "
                f"(max_saturated_fraction = {max_saturated_fraction:.0%})",
                path=path,
                channel=channel,
            )


def _longest_constant_run(values: np.ndarray) -> tuple[int, int]:
    """First row and length of the longest run of equal consecutive values."""
    last_rows = np.r_[-1, np.flatnonzero(values[1:] != values[:-1]), len(values) - 1]  # last row of each run
    lengths = np.diff(last_rows)
    k = int(np.argmax(lengths))
    return int(last_rows[k]) + 1, int(lengths[k])


def _check_constant_stretches(
    insole: Mapping[str, np.ndarray],
    rate_hz: float,
    path: Path | None,
    *,
    max_constant_s: float = 5.0,
    saturation_adc: float = 4095.0,
) -> None:
    """Raise SensorFaultError if an FSR channel holds one value for long while other FSR channels vary.

    A working FSR under a running foot is loaded in every stance and reads its
    unloaded level (often exactly 0) in every swing: constant for a fraction
    of a second.  A channel that keeps one value over many strides while other
    sensors load is a dropout to a constant (a broken lead reads 0), a short
    (saturated), or a sensor that no step reaches.  The stretch counts only
    the one-second blocks (about a stride) in which some other FSR channel
    changes: when every channel of both insoles is constant together, the
    runner is not running (or the insoles are off the feet), which is no
    fault of one sensor.

    Parameters
    ----------
    insole
        ``time_s`` and the 32 FSR channels (finite values).
    rate_hz
        Nominal insole rate, hertz.
    path
        Insole file, named in the error.
    max_constant_s
        Longest accepted stretch of one value, seconds of other channels' activity.
    saturation_adc
        ADC count at which an FSR saturates.
    """
    limit = max(int(round(max_constant_s * rate_hz)), 2)
    channels = [*fsr_channels("left"), *fsr_channels("right")]
    moving: np.ndarray | None = None  # per row: does any FSR channel change from the row before?
    for channel in channels:
        start, length = _longest_constant_run(insole[channel])
        if length <= limit:
            continue
        if moving is None:
            moving = np.zeros(len(insole[channel]) - 1, dtype=bool)
            for other in channels:
                moving |= insole[other][1:] != insole[other][:-1]
        stop = start + length
        # seconds of the stretch in which other channels change (counted in blocks of one second, a stride)
        block = max(int(round(rate_hz)), 1)
        active_s = np.count_nonzero(np.add.reduceat(moving[start : stop - 1], np.arange(0, length - 1, block)))
        if active_s <= max_constant_s:
            continue  # nothing loads over most of the stretch: not a fault of this sensor
        value = float(insole[channel][start])
        t = insole["time_s"]
        state = f"saturated at {value:g} ADC counts" if value >= saturation_adc else f"stays at {value:g} ADC counts"
        raise SensorFaultError(
            f"FSR channel {state} for {float(t[stop - 1] - t[start]):.1f} s (rows {start} to {stop - 1}, "
            f"{length / len(t):.0%} of the bout) while other FSR channels load: a sensor fault (broken lead, "
            f"dropout to a constant, short); the longest constant stretch accepted while the others load is "
            f"max_constant_s = {max_constant_s:g} s",
            path=path,
            channel=channel,
        )


#: Rows of the IMU table used for the angular-rate statistic (every 8th: as precise, faster).
_GYRO_STRIDE = 8


def _check_gyro_unit(imu: Mapping[str, np.ndarray], path: Path | None, *, min_gyro_peak_dps: float = 50.0) -> None:
    """Raise UnitError if the shoe's angular rate is too small for degrees per second (rad/s stored).

    A shoe turns at several hundred degrees per second in every running
    stride (the simulated cohorts at ci and book scale: 99th percentile of
    the magnitude 306-754 deg/s); the same motion in rad/s gives 5-13.
    """
    gyro = [c for c in IMU_CHANNELS if c.startswith("gyro_")]
    squared = sum(np.square(np.asarray(imu[c][::_GYRO_STRIDE], dtype=float)) for c in gyro)
    peak_dps = float(np.sqrt(np.percentile(squared, 99.0)))
    if peak_dps < min_gyro_peak_dps:
        raise UnitError(
            f"the shoe's angular rate reaches only {peak_dps:.3g} deg/s (99th percentile of its magnitude); a "
            f"running shoe turns at several hundred deg/s in every stride (at least min_gyro_peak_dps = "
            f"{min_gyro_peak_dps:g} expected). Is the gyro in rad/s? Times 57.3 that would be "
            f"{np.degrees(peak_dps):.3g} deg/s; store degrees per second",
            path=path,
            channel=", ".join(gyro),
        )


def validate_bout(
    bout: RawBout,
    source: str | Path | None = None,
    *,
    rate_tolerance: float = 0.01,
    max_gap_intervals: float = 1.5,
    max_span_mismatch_s: float = 1.0,
    contact_threshold_n: float = 20.0,
    stuck_range_adc: float = 0.0,
    saturation_adc: float = 4095.0,
    max_saturated_fraction: float = 0.5,
    max_constant_s: float = 5.0,
    min_gyro_peak_dps: float = 50.0,
) -> None:
    """Check a bout against the raw data format; raise a typed error on the first problem.

    Tables are checked in the order insole, IMU, force, marker; within a
    table: rows, columns, column types, timestamps and rate, values.  Then the
    tables are compared with each other and the force is checked for contact.

    Parameters
    ----------
    bout
        The bout.
    source
        Bout folder it was read from; errors name the file in it
        (``source/insole.parquet`` or ``.csv``).
    rate_tolerance
        Largest accepted relative difference between the measured and the
        stated sampling rate of each table (0.01 = 1 %).
    max_gap_intervals
        A step between timestamps longer than this many sample intervals is a
        gap (rows missing).
    max_span_mismatch_s
        Largest accepted difference in start or end time between tables on the
        same clock (insole vs IMU; force vs marker).
    contact_threshold_n
        Some vertical force channel must exceed this once in the bout.
    stuck_range_adc
        An FSR channel whose range over the whole bout (max - min) is at most
        this is stuck (0: exactly constant, e.g. always 0).
    saturation_adc
        ADC count at which an FSR saturates (4095 for a 12-bit converter).
    max_saturated_fraction
        Largest accepted fraction of samples at saturation per FSR channel.
    max_constant_s
        Longest accepted stretch, seconds, over which an FSR channel keeps
        one value (e.g. 0, or saturated) while other FSR channels vary
        (counted in one-second blocks in which another channel changes).
        A working sensor returns to its unloaded level in every swing, for a
        fraction of a second.
    min_gyro_peak_dps
        The 99th percentile of the shoe's angular-rate magnitude must reach
        this, deg/s (running: several hundred; the same in rad/s: about 10).

    Raises
    ------
    EmptyTableError
        A table has no rows.
    MissingChannelError
        A required column is missing (:func:`required_channels`).
    RawDataError
        A required column is not numeric, holds an infinite value or appears
        twice; the metadata are inconsistent (no plates, duplicate plate
        names, a marker table without ``marker_rate_hz`` or the reverse).
    TimestampError
        ``time_s`` is not finite, not strictly increasing (duplicates
        included) or has a gap (see :func:`validate_time_base`).
    SamplingRateError
        A table's measured rate is off the stated one by more than
        ``rate_tolerance``.
    DropoutError
        A channel that must be continuous holds NaN (message: first row and
        run length).  NaN is allowed in plate COP columns (unloaded plate) and
        marker columns (marker outside the capture volume), but not a marker
        channel that is NaN everywhere.
    LengthMismatchError
        The IMU starts or ends more than ``max_span_mismatch_s`` away from the
        insole, or the marker away from the force.
    SensorFaultError
        An FSR channel is stuck, saturated most of the time, or holds one
        value for longer than ``max_constant_s`` while others load.
    UnitError
        The angular rate is too small for degrees per second (rad/s stored).
    NoContactError
        No vertical force channel of any plate exceeds
        ``contact_threshold_n``.  (A single plate that is never hit is
        normal overground.)
    """
    tables = {"insole": bout.insole, "imu": bout.imu, "force": bout.force}
    if bout.marker is not None:
        tables["marker"] = bout.marker
    _validate_tables(
        bout.info,
        {name: (df, None) for name, df in tables.items()},
        source,
        None,
        rate_tolerance=rate_tolerance,
        max_gap_intervals=max_gap_intervals,
        max_span_mismatch_s=max_span_mismatch_s,
        contact_threshold_n=contact_threshold_n,
        stuck_range_adc=stuck_range_adc,
        saturation_adc=saturation_adc,
        max_saturated_fraction=max_saturated_fraction,
        max_constant_s=max_constant_s,
        min_gyro_peak_dps=min_gyro_peak_dps,
    )


def _validate_tables(
    info: BoutInfo,
    tables: Mapping[str, tuple[pd.DataFrame | None, Mapping[str, np.ndarray] | None]],
    source: str | Path | None = None,
    paths: Mapping[str, Path] | None = None,
    *,
    rate_tolerance: float = 0.01,
    max_gap_intervals: float = 1.5,
    max_span_mismatch_s: float = 1.0,
    contact_threshold_n: float = 20.0,
    stuck_range_adc: float = 0.0,
    saturation_adc: float = 4095.0,
    max_saturated_fraction: float = 0.5,
    max_constant_s: float = 5.0,
    min_gyro_peak_dps: float = 50.0,
) -> BoutArrays:
    """:func:`validate_bout` of a bout's tables; returns the checked required channels as numpy arrays.

    Each table is ``(frame, arrays)``: a DataFrame, or its columns already
    converted to numpy by the reader (numeric and unique by construction);
    ``paths`` are the files read, so they are not looked up again.
    """
    source = Path(source) if source is not None else None
    _check_info(info, source / "bout.json" if source is not None else None)
    if ("marker" in tables) != (info.marker_rate_hz is not None):
        raise RawDataError(
            "marker_rate_hz is set but there is no marker table"
            if "marker" not in tables
            else "a marker table is given but marker_rate_hz is None",
            path=_file(source, "marker"),
        )
    rates = {"insole": info.insole_rate_hz, "imu": info.imu_rate_hz, "force": info.force_rate_hz,
             "marker": info.marker_rate_hz}
    required = required_channels(info)
    spans: dict[str, tuple[float, float]] = {}
    peak_fz_n = -np.inf
    checked: BoutArrays = {}
    for table in TABLES:
        if table not in tables:
            continue
        df, given = tables[table]
        rate = rates[table]
        channels = required[table]
        path = paths[table] if paths is not None and table in paths else _file(source, table)
        if given is None:
            assert df is not None
            if len(df) == 0 or len(df.columns) == 0:
                raise EmptyTableError(f"the {table} table has no rows", path=path)
            _require_columns(df, channels, path)
            duplicated = df.columns[df.columns.duplicated()]
            if len(duplicated):
                raise RawDataError(f"{table} column appears more than once", path=path, channel=str(duplicated[0]))
            given = {}
        else:  # columns unique and numeric by construction
            if len(given) == 0 or len(next(iter(given.values()))) == 0:
                raise EmptyTableError(f"the {table} table has no rows", path=path)
            missing = [c for c in channels if c not in given]
            if missing:
                raise MissingChannelError(
                    f"required column(s) {missing} missing; the table has {list(given)}", path=path, channel=missing[0]
                )
        values_of = checked[table] = {}
        time = given["time_s"] if "time_s" in given else _numeric_values(df, "time_s", path, table)
        values_of["time_s"] = time
        validate_time_base(time, rate, path=path, rate_tolerance=rate_tolerance, max_gap_intervals=max_gap_intervals)
        spans[table] = (float(time[0]), float(time[-1]))
        for channel in channels[1:]:
            values = given[channel] if channel in given else _numeric_values(df, channel, path, table)
            values_of[channel] = values
            cop = table == "force" and channel.endswith(("_cop_x_m", "_cop_y_m"))
            _check_finite(values, channel, path, table, nan_allowed=cop or table == "marker", all_nan_allowed=cop)
            if table == "insole":
                _check_fsr(
                    values,
                    channel,
                    path,
                    stuck_range_adc=stuck_range_adc,
                    saturation_adc=saturation_adc,
                    max_saturated_fraction=max_saturated_fraction,
                )
            elif table == "force" and channel.endswith("_fz_n"):
                peak_fz_n = max(peak_fz_n, float(values.max()))
        if table == "insole":
            _check_constant_stretches(values_of, rate, path, max_constant_s=max_constant_s,
                                      saturation_adc=saturation_adc)
        elif table == "imu":
            _check_gyro_unit(values_of, path, min_gyro_peak_dps=min_gyro_peak_dps)
    for reference, other, clock in (("insole", "imu", "insole"), ("force", "marker", "lab")):
        if other not in spans:
            continue
        (r0, r1), (o0, o1) = spans[reference], spans[other]
        if max(abs(o0 - r0), abs(o1 - r1)) > max_span_mismatch_s:
            raise LengthMismatchError(
                f"the {other} table covers {o0:.3f}..{o1:.3f} s but the {reference} table covers "
                f"{r0:.3f}..{r1:.3f} s ({clock} clock; accepted difference {max_span_mismatch_s:g} s at each end)",
                path=paths[other] if paths is not None and other in paths else _file(source, other),
                channel="time_s",
            )
    if not peak_fz_n > contact_threshold_n:
        fz = [f"{p.name}_fz_n" for p in info.plates]
        raise NoContactError(
            f"no vertical force above {contact_threshold_n:g} N on any plate (peak {peak_fz_n:.1f} N); "
            "vertical force must be the ground reaction on the runner, positive up",
            path=paths["force"] if paths is not None and "force" in paths else _file(source, "force"),
            channel=", ".join(fz),
        )
    return checked
