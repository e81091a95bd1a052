"""Tests of grfkit.io.table_files: the parquet layout written and the layouts read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from grfkit.io.read import read_bout
from grfkit.io.schema import RawBout
from grfkit.io.write import write_bout


def test_parquet_is_written_plain_and_non_nullable(tmp_path: Path, good_bout: RawBout) -> None:
    folder = write_bout(tmp_path, good_bout)
    meta = pq.ParquetFile(folder / "force.parquet").metadata
    schema = pq.read_schema(folder / "force.parquet")
    # NaN (COP of an unloaded plate) is stored as a value, so no column needs validity levels
    assert not any(field.nullable for field in schema)
    for i in range(meta.num_columns):
        column = meta.row_group(0).column(i)
        assert column.compression == "UNCOMPRESSED" and not column.has_dictionary_page
    back = pd.read_parquet(folder / "force.parquet")  # any parquet reader sees NaN where the COP is undefined
    assert back["plate2_cop_x_m"].isna().all()
    pd.testing.assert_frame_equal(back, good_bout.force)


@pytest.mark.parametrize(
    "layout",
    [
        dict(),  # pyarrow's defaults: snappy, dictionary, NaN as null
        dict(compression="none", use_dictionary=["left_fsr01_adc"]),  # grfkit's earlier layout
        dict(compression="zstd", use_dictionary=False),
    ],
)
def test_older_and_foreign_parquet_layouts_read_the_same(tmp_path: Path, good_bout: RawBout, layout: dict) -> None:
    folder = write_bout(tmp_path, good_bout)
    for table in ("insole", "force", "marker"):
        df = getattr(good_bout, table)
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), folder / f"{table}.parquet", **layout)
    back = read_bout(folder)
    for table in ("insole", "imu", "force", "marker"):
        pd.testing.assert_frame_equal(getattr(back, table), getattr(good_bout, table))


def test_parquet_with_a_stored_index_is_read_through_pandas(tmp_path: Path, good_bout: RawBout) -> None:
    folder = write_bout(tmp_path, good_bout)
    good_bout.imu.set_index(good_bout.imu.index + 10).to_parquet(folder / "imu.parquet")  # index kept in the file
    back = read_bout(folder)
    assert list(back.imu.columns) == list(good_bout.imu.columns)
    assert back.imu.index[0] == 10  # as pandas.read_parquet gives it
    np.testing.assert_array_equal(back.imu["acc_x_mps2"].to_numpy(), good_bout.imu["acc_x_mps2"].to_numpy())


def test_read_tables_are_writeable(tmp_path: Path, good_bout: RawBout) -> None:
    back = read_bout(write_bout(tmp_path, good_bout))
    back.force.loc[0, "plate1_fz_n"] = 5.0  # zero-copy views of the decoded file, but owned and writeable
    back.insole.iloc[1, 1] = 7
    assert back.force.loc[0, "plate1_fz_n"] == 5.0 and back.insole.iloc[1, 1] == 7
