"""Write a raw data folder: one bout at a time, then the data-set level files.

:func:`write_bout` writes a bout's ``bout.json`` and tables to its folder
``root/dataset/participant/bout``; :func:`write_dataset_files` writes
``participants.csv``, ``bouts.csv``, the simulator's ``truth/`` tables and
finally ``dataset.json``.  Every file or folder is written atomically, and
what is written is checked by the readers' rules first, so it always reads
back (:mod:`grfkit.io.read`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grfkit.errors import ConfigError, RawDataError
from grfkit.io.metadata import check_bouts, check_participants, require_columns
from grfkit.io.schema import (
    FILE_FORMATS,
    FORMAT,
    TRUTH_STANCE_COLUMNS,
    TRUTH_TRIAL_COLUMNS,
    VERSION,
    BoutInfo,
    RawBout,
    bout_path,
)
from grfkit.io.table_files import write_table
from grfkit.storage.atomic import atomic_directory, write_text_atomic

__all__ = ["write_bout", "write_dataset_files"]


def _json_default(value: object) -> object:
    """Let json write numpy scalars (e.g. a seed or rate held as np.int64)."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _to_json(data: Mapping[str, Any]) -> str:
    """``data`` as indented JSON text (numpy scalars as plain numbers)."""
    return json.dumps(data, indent=2, default=_json_default)


def _info_to_dict(info: BoutInfo) -> dict[str, Any]:
    """The content of ``bout.json``: format, version and every field of ``info``."""
    return {"format": FORMAT, "version": VERSION, **dataclasses.asdict(info)}


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
    if fmt not in FILE_FORMATS:
        raise ConfigError(f"fmt must be one of {FILE_FORMATS}, got {fmt!r}")
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
                write_table(df, tmp / f"{name}.{fmt}", fmt)
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
    check_participants(participants, root / "participants.csv")
    check_bouts(bouts, participants, root / "bouts.csv")
    write_text_atomic(root / "participants.csv", _csv_text(participants))
    write_text_atomic(root / "bouts.csv", _csv_text(bouts))
    if truth_trials is not None and truth_stances is not None:
        require_columns(truth_trials, TRUTH_TRIAL_COLUMNS, root / "truth" / "trials.csv")
        require_columns(truth_stances, TRUTH_STANCE_COLUMNS, root / "truth" / "stances.csv")
        write_text_atomic(root / "truth" / "trials.csv", _csv_text(truth_trials))
        write_text_atomic(root / "truth" / "stances.csv", _csv_text(truth_stances))
    extra = {k: v for k, v in manifest.items() if k not in ("format", "version")}
    write_text_atomic(root / "dataset.json", _to_json({"format": FORMAT, "version": VERSION, **extra}))
