"""The rules of a raw folder's metadata: ``participants.csv``, ``bouts.csv`` and ``bout.json``.

:func:`check_participants`, :func:`check_bouts` and :func:`check_bout_info`
raise a typed error of :mod:`grfkit.errors` naming the file, the column and
the participant or bout on the first broken rule; :func:`require_columns`
checks that a table has its required columns.  Both the readers
(:mod:`grfkit.io.read`) and the writers (:mod:`grfkit.io.write`) apply them,
so that what is written always reads back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.errors import MissingChannelError, RawDataError
from grfkit.io.schema import (
    BOUT_COLUMNS,
    FOOT_STRIKES,
    ID_COLUMNS,
    PARTICIPANT_COLUMNS,
    BoutInfo,
    check_folder_name,
)

__all__ = ["require_columns", "check_participants", "check_bouts", "check_bout_info", "check_force_plates"]

# Plausible ranges of participant properties: values outside are almost
# always a unit mistake (grams, pounds, centimetres, millimetres).
_BODY_MASS_RANGE_KG: tuple[float, float] = (20.0, 250.0)
_HEIGHT_RANGE_M: tuple[float, float] = (0.8, 2.5)
_INSOLE_LENGTH_RANGE_M: tuple[float, float] = (0.1, 0.45)


def require_columns(df: pd.DataFrame, columns: tuple[str, ...] | list[str], path: Path | None) -> None:
    """Raise if a table lacks a required column.

    Parameters
    ----------
    df
        The table.
    columns
        Its required columns.
    path
        File the table comes from, named in the error.

    Raises
    ------
    MissingChannelError
        Naming the first missing column and listing the table's columns.
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise MissingChannelError(
            f"required column(s) {missing} missing; the table has {list(df.columns)}",
            path=path,
            channel=missing[0],
        )


def _numeric_column(df: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    """A metadata column as float64; RawDataError if it is not numeric."""
    series = df[column]
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        raise RawDataError(f"column must be numeric, found dtype {series.dtype}", path=path, channel=column)
    return series.to_numpy(dtype=np.float64)


def _check_ids(df: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    """RawDataError naming the first row whose identifier in ``columns`` is empty."""
    for column in columns:
        bad = df[column].isna() | (df[column].astype(str).str.strip() == "")
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise RawDataError(f"empty identifier in row {row}", path=path, channel=column)


def check_participants(df: pd.DataFrame, path: Path) -> None:
    """Check a participants table against the rules of ``participants.csv``.

    Parameters
    ----------
    df
        One row per participant (:data:`~grfkit.io.schema.PARTICIPANT_COLUMNS`).
    path
        The file, named in errors.

    Raises
    ------
    MissingChannelError
        If a required column is missing.
    RawDataError
        If an identifier is empty, a participant is listed twice, a body mass
        (20-250 kg), height (0.8-2.5 m) or insole length (0.10-0.45 m) is
        missing or implausible (a unit mistake), or a foot strike is not one
        of :data:`~grfkit.io.schema.FOOT_STRIKES`; the message names the participant.
    """
    require_columns(df, PARTICIPANT_COLUMNS, path)
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


def check_bouts(df: pd.DataFrame, participants: pd.DataFrame, path: Path) -> None:
    """Check a bouts table against the rules of ``bouts.csv`` and its participants.

    Parameters
    ----------
    df
        One row per bout (:data:`~grfkit.io.schema.BOUT_COLUMNS`).
    participants
        The participants table the bouts belong to.
    path
        The file, named in errors.

    Raises
    ------
    MissingChannelError
        If a required column is missing.
    RawDataError
        If an identifier is empty or not a folder name, a bout is listed
        twice, its participant is not in ``participants``, ``speed_mps`` is
        not positive (NaN, unknown, is allowed) or ``gradient_deg`` is not a
        finite angle below 45 degrees.
    """
    require_columns(df, BOUT_COLUMNS, path)
    _check_ids(df, ("dataset", "participant", "bout", "condition"), path)
    for column in ID_COLUMNS:
        for value in df[column]:
            check_folder_name(str(value), column, path)
    duplicated = df.duplicated(list(ID_COLUMNS))
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


def check_force_plates(info: BoutInfo, path: Path | None) -> None:
    """Check that a bout with a force table lists the plates whose channels it holds.

    Parameters
    ----------
    info
        The bout's metadata.
    path
        Its ``bout.json``, named in errors.

    Raises
    ------
    RawDataError
        If the bout lists no plates.
    """
    if not info.plates:
        raise RawDataError("the bout lists no force plates; the force table needs at least one", path=path)


def check_bout_info(info: BoutInfo, path: Path | None) -> None:
    """Check the rules on a bout's metadata that do not need its tables.

    Parameters
    ----------
    info
        The bout's metadata.
    path
        Its ``bout.json``, named in errors.

    Raises
    ------
    RawDataError
        If two plates share a name, or a sampling rate is not positive.  A
        bout with no plates is allowed here: it is a recording without force
        (a field recording), refused only with a force table
        (:func:`check_force_plates`).
    """
    names = [p.name for p in info.plates]
    if len(set(names)) != len(names):
        raise RawDataError(f"plate names must be unique, got {names}", path=path)
    for key in ("insole_rate_hz", "imu_rate_hz", "force_rate_hz", "marker_rate_hz"):
        rate = getattr(info, key)
        if rate is not None and not rate > 0:
            raise RawDataError(f"{key} must be positive, got {rate:g}", path=path)
