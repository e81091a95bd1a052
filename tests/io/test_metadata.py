"""Tests of grfkit.io.metadata: the rules of participants.csv and bouts.csv."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import MissingChannelError, MissingFileError, RawDataError
from grfkit.io.read import iter_bout_paths, read_bouts, read_participants
from grfkit.io.schema import BOUT_COLUMNS, PARTICIPANT_COLUMNS, TRUTH_STANCE_COLUMNS
from grfkit.io.write import write_dataset_files


def test_participants_missing_column_names_file_and_column(tmp_path: Path, names: Any, participants_table: Any) -> None:
    participants_table().drop(columns="insole_length_m").to_csv(tmp_path / "participants.csv", index=False)
    with pytest.raises(MissingChannelError) as info:
        read_participants(tmp_path)
    assert names(str(info.value), tmp_path / "participants.csv", "insole_length_m")


@pytest.mark.parametrize(
    ("column", "value"),
    [("body_mass_kg", 74000.0), ("body_mass_kg", -60.0), ("body_mass_kg", np.nan), ("height_m", 180.0)],
)
def test_implausible_participant_is_named(
    tmp_path: Path,
    column: str,
    value: float,
    names: Any,
    participants_table: Any,
    bouts_table: Any,
) -> None:
    table = participants_table()
    table.loc[1, column] = value
    table.to_csv(tmp_path / "participants.csv", index=False)
    with pytest.raises(RawDataError) as info:
        read_participants(tmp_path)
    message = str(info.value)
    assert "'OG02'" in message and names(message, tmp_path / "participants.csv", column)
    with pytest.raises(RawDataError, match="OG02"):  # the writer refuses it too
        write_dataset_files(tmp_path / "w", participants=table, bouts=bouts_table(), manifest={})
    assert not (tmp_path / "w" / "dataset.json").exists()


def test_bouts_of_unknown_participant(tmp_path: Path, names: Any, participants_table: Any, bouts_table: Any) -> None:
    participants_table().to_csv(tmp_path / "participants.csv", index=False)
    bouts = bouts_table()
    bouts.loc[2, "participant"] = "OG99"
    bouts.to_csv(tmp_path / "bouts.csv", index=False)
    with pytest.raises(RawDataError) as info:
        read_bouts(tmp_path)
    assert "'OG99'" in str(info.value) and names(str(info.value), tmp_path / "bouts.csv", "participant")
    with pytest.raises(RawDataError, match="OG99"):
        list(iter_bout_paths(tmp_path))


def test_bouts_missing_column_and_missing_file(
    tmp_path: Path,
    names: Any,
    participants_table: Any,
    bouts_table: Any,
) -> None:
    participants_table().to_csv(tmp_path / "participants.csv", index=False)
    with pytest.raises(MissingFileError) as info:
        read_bouts(tmp_path)
    assert names(str(info.value), tmp_path / "bouts.csv")
    bouts_table().drop(columns="gradient_deg").to_csv(tmp_path / "bouts.csv", index=False)
    with pytest.raises(MissingChannelError) as info2:
        read_bouts(tmp_path)
    assert names(str(info2.value), tmp_path / "bouts.csv", "gradient_deg")
    assert set(BOUT_COLUMNS) - {"gradient_deg"} <= set(pd.read_csv(tmp_path / "bouts.csv").columns)
    assert len(PARTICIPANT_COLUMNS) == 7 and "clean" in TRUTH_STANCE_COLUMNS
