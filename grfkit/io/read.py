"""Read a raw data folder: its data-set level files and each bout, validated.

:func:`read_manifest`, :func:`read_participants`, :func:`read_bouts` and
:func:`read_truth` read the data-set level files; :func:`iter_bout_paths`
lists the bout folders in ``bouts.csv`` order; :func:`read_bout_info` and
:func:`read_bout` read one bout (validated by
:func:`grfkit.io.validate.validate_bout`); :func:`read_bout_arrays` reads it
as numpy arrays without building DataFrames, as the preprocessing chain
does.  Every error is a typed error of :mod:`grfkit.errors` that names the
file and the channel (or participant).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grfkit.errors import (
    EmptyTableError,
    MissingChannelError,
    MissingFileError,
    RawDataError,
)
from grfkit.io.metadata import (
    check_bout_info,
    check_bouts,
    check_force_plates,
    check_participants,
    require_columns,
)
from grfkit.io.schema import (
    ENVIRONMENTS,
    FORMAT,
    ID_COLUMNS,
    TABLES,
    TRUTH_STANCE_COLUMNS,
    TRUTH_TRIAL_COLUMNS,
    VERSION,
    BoutArrays,
    BoutInfo,
    Plate,
    RawBout,
    bout_path,
    check_folder_name,
    required_channels,
    table_file,
)
from grfkit.io.table_files import TableRead, read_bout_table
from grfkit.io.validate import ValidationLimits, validate_tables

__all__ = [
    "read_manifest",
    "read_participants",
    "read_bouts",
    "read_truth",
    "iter_bout_paths",
    "read_bout_info",
    "read_bout",
    "read_bout_arrays",
    "bout_arrays",
]

# The lab's instruments: tables a wearable-only recording (``require_force=False``) may lack.
_LAB_TABLES: tuple[str, ...] = ("force", "marker")


def _require_file(path: Path, what: str) -> Path:
    """``path`` if it is a file, else MissingFileError naming ``what``."""
    if not path.is_file():
        raise MissingFileError(f"{what} is missing", path=path)
    return path


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
    check_participants(df, path)
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
    check_bouts(df, participants, path)
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
    trials = _read_small_csv(trials_path, ID_COLUMNS)
    require_columns(trials, TRUTH_TRIAL_COLUMNS, trials_path)
    try:
        stances = pd.read_csv(stances_path, dtype={c: str for c in (*ID_COLUMNS, "foot", "plate", "reason")})
    except pd.errors.EmptyDataError:
        raise EmptyTableError("the file is empty", path=stances_path) from None
    require_columns(stances, TRUTH_STANCE_COLUMNS, stances_path)
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


def _load_json(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``; RawDataError if it is not valid JSON or not an object."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RawDataError(f"not valid JSON: {exc}", path=path) from None
    if not isinstance(value, dict):
        raise RawDataError(f"expected a JSON object, found {type(value).__name__}", path=path)
    return value


def _json_number(data: Mapping[str, Any], key: str, path: Path, *, optional: bool = False) -> float | None:
    """``data[key]`` as a float; RawDataError unless a finite number (or, if ``optional``, null)."""
    value = data[key]
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RawDataError(f"{key} must be a finite number{' or null' if optional else ''}, got {value!r}", path=path)
    return float(value)


def _plate_from_json(value: Any, path: Path) -> Plate:
    """A :class:`Plate` from its ``bout.json`` object, checked."""
    fields = [f.name for f in dataclasses.fields(Plate)]
    if not isinstance(value, dict) or set(value) != set(fields):
        raise RawDataError(f"each plate must be an object with exactly the keys {fields}, got {value!r}", path=path)
    name = check_folder_name(value["name"], "plate name", path)
    x_min, x_max, y_min, y_max = (_json_number(value, k, path) for k in fields[1:])
    assert x_min is not None and x_max is not None and y_min is not None and y_max is not None
    if not (x_min < x_max and y_min < y_max):
        raise RawDataError(f"plate {name!r} must have x_min_m < x_max_m and y_min_m < y_max_m", path=path)
    return Plate(name, x_min, x_max, y_min, y_max)


def _info_from_json(data: dict[str, Any], path: Path) -> BoutInfo:
    """A :class:`BoutInfo` from the content of ``bout.json``, checked."""
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
        values[key] = check_folder_name(data[key], key, path)
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
    check_bout_info(info, path)
    return info


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


def _frame(frame: pd.DataFrame | None, arrays: Mapping[str, np.ndarray] | None) -> pd.DataFrame:
    """The DataFrame of a table as read (built around its arrays without copying)."""
    return frame if frame is not None else pd.DataFrame(dict(arrays or {}), copy=False)


def read_bout(
    folder: str | Path,
    validate: bool = True,
    limits: ValidationLimits = ValidationLimits(),
    *,
    require_force: bool = True,
) -> RawBout:
    """Read one bout folder, and by default validate it.

    Each table may be stored as ``<table>.parquet`` or ``<table>.csv``; when
    both exist the parquet file is read.

    Parameters
    ----------
    folder
        Bout folder (``root/dataset/participant/bout``), e.g. from
        :func:`iter_bout_paths` or :func:`bout_path`.
    validate
        Run :func:`grfkit.io.validate.validate_bout` on what was read (default).
    limits
        The thresholds of the validation.
    require_force
        Require the lab's tables (default).  ``False`` reads a wearable-only
        recording: without a force file ``force`` is ``None`` and the force
        checks are not run, without a marker file ``marker`` is ``None``
        (:func:`grfkit.field.chain.wearable_stances`).

    Returns
    -------
    RawBout
        The bout; ``marker`` is ``None`` when ``bout.json`` states no
        ``marker_rate_hz``; ``force`` and ``marker`` are ``None`` when
        ``require_force`` is false and there is no such file.

    Raises
    ------
    MissingFileError
        If the folder, ``bout.json`` or a required table is absent (the
        message names the missing path).
    RawDataError
        If a marker table exists although ``marker_rate_hz`` is null, a file
        cannot be parsed, or (with ``validate``) any error of
        :func:`grfkit.io.validate.validate_bout`.
    LengthMismatchError
        If a CSV file has ragged rows.

    Examples
    --------
    >>> bout = read_bout("raw/overground/OG03/medium")  # doctest: +SKIP
    >>> bout.info.plates[0].name  # doctest: +SKIP
    'plate1'
    """
    folder = Path(folder)
    info, tables, paths = _read_bout_tables(folder, require_force)
    frames = {name: _frame(*table) for name, table in tables.items()}
    bout = RawBout(
        info=info,
        insole=frames["insole"],
        imu=frames["imu"],
        force=frames.get("force"),
        marker=frames.get("marker"),
    )
    if validate:
        validate_tables(info, tables, folder, paths, limits)
    return bout


def _read_bout_tables(
    folder: Path, require_force: bool = True
) -> tuple[BoutInfo, dict[str, TableRead], dict[str, Path]]:
    """``bout.json`` and each table of a bout folder as read (arrays or a frame), and the files read.

    Without ``require_force`` a bout folder without a force (or marker) file has no such table.
    """
    if not folder.is_dir():
        raise MissingFileError("bout folder is missing", path=folder)
    info = read_bout_info(folder)
    marker_path = table_file(folder, "marker")
    if info.marker_rate_hz is None and marker_path is not None:
        raise RawDataError(
            f"a marker table ({marker_path.name}) exists but bout.json states no marker_rate_hz",
            path=folder / "bout.json",
        )
    tables, paths = {}, {}
    for name in TABLES if info.marker_rate_hz is not None else TABLES[:-1]:
        if name in _LAB_TABLES and not require_force and table_file(folder, name) is None:
            continue
        if name == "force":
            check_force_plates(info, folder / "bout.json")
        frame, arrays, paths[name] = read_bout_table(folder, name)
        tables[name] = (frame, arrays)
    return info, tables, paths


def _check_bout_ids(info: BoutInfo, expected_ids: Mapping[str, str], path: Path) -> None:
    """RawDataError naming ``bout.json`` and both values if its identifiers are not those of its folder."""
    for key in ID_COLUMNS:
        stated, expected = getattr(info, key), expected_ids[key]
        if stated != expected:
            raise RawDataError(
                f"bout.json says {key} {stated!r} but its folder and bouts.csv say {expected!r}; a copy-paste "
                f"slip would file this bout's stances under another {key}: correct bout.json (or move the folder)",
                path=path,
                channel=key,
            )


def read_bout_arrays(
    folder: str | Path,
    expected_ids: Mapping[str, str] | None = None,
    limits: ValidationLimits = ValidationLimits(),
    *,
    require_force: bool = True,
) -> tuple[BoutInfo, BoutArrays]:
    """Read and validate a bout (as :func:`read_bout`), returning its required channels as numpy arrays.

    No DataFrame is built for numeric tables: what the preprocessing chain
    needs, at the least cost.

    Parameters
    ----------
    folder
        Bout folder (``root/dataset/participant/bout``).
    expected_ids
        ``dataset``, ``participant`` and ``bout`` of the folder's row of
        ``bouts.csv``; ``bout.json`` must state the same identifiers.
    limits
        The thresholds of the validation.
    require_force
        As :func:`read_bout`: ``False`` accepts a bout without a force or
        marker file (``arrays`` then has no such table).

    Returns
    -------
    (info, arrays)
        The bout's metadata and its required channels
        (:func:`grfkit.io.schema.required_channels`): table -> channel -> values.

    Raises
    ------
    MissingFileError, RawDataError
        As :func:`read_bout`; RawDataError naming both values also if
        ``bout.json`` states other identifiers than ``expected_ids``.
    """
    folder = Path(folder)
    info, tables, paths = _read_bout_tables(folder, require_force)
    if expected_ids is not None:
        _check_bout_ids(info, expected_ids, folder / "bout.json")
    return info, validate_tables(info, tables, folder, paths, limits)


def bout_arrays(bout: RawBout) -> BoutArrays:
    """Return the required channels of each table of a bout as numpy arrays, unchecked.

    Parameters
    ----------
    bout
        The bout, e.g. from :func:`read_bout` or the simulator.

    Returns
    -------
    BoutArrays
        Table -> channel (:func:`grfkit.io.schema.required_channels`) ->
        values, taken from the tables as they are (pandas extension dtypes
        become float64 with NaN).

    Raises
    ------
    MissingChannelError
        If a table lacks a required channel.
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
