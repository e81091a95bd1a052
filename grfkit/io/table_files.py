"""One table file of a bout, parquet or CSV: written for fast reading, read into numpy arrays.

:func:`write_table` writes a table (parquet: uncompressed, plain encoding,
NaN kept as a value); :func:`read_table` reads one file, returning plain
numeric tables as one writeable numpy array per column (no pandas copy) and
anything else as a DataFrame for the validation to report on;
:func:`read_bout_table` finds and reads one table of a bout folder.
CSV files must be comma-separated with decimal points: a semicolon-separated
file or a ragged row raises an error that names the file and the channel.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from grfkit.errors import (
    EmptyTableError,
    FileFormatError,
    LengthMismatchError,
    MissingFileError,
    RawDataError,
)
from grfkit.io.schema import table_file

__all__ = ["TableRead", "write_table", "read_table", "read_bout_table"]

#: A table as read: a DataFrame, or (plain numeric tables) its columns as numpy arrays.
TableRead = tuple[pd.DataFrame | None, dict[str, np.ndarray] | None]


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


def write_table(df: pd.DataFrame, path: Path, fmt: str) -> None:
    """Write one table as parquet or CSV.

    Parameters
    ----------
    df
        The table, one column per channel.
    path
        File to write.
    fmt
        ``"parquet"`` or ``"csv"``.

    Notes
    -----
    Parquet is written for fast reading: uncompressed, plain encoding (no
    dictionary), NaN stored as a floating-point value rather than as a
    missing value, and so every column of a raw table non-nullable: no
    validity levels are stored or decoded.  Noisy floats do not compress, so
    pyarrow's defaults (snappy, dictionary, NaN as null) only cost decoding
    time (``benchmarks/`` measures reading).  pandas and pyarrow read NaN back
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


def _arrow_columns(table: pa.Table) -> TableRead:
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


def read_table(path: Path) -> TableRead:
    """Read one table file, parquet or CSV.

    Parameters
    ----------
    path
        The file; a ``.csv`` suffix reads it as CSV, anything else as parquet.

    Returns
    -------
    (frame, arrays)
        For a plain numeric table (every raw table of the format): ``None``
        and its columns as writeable numpy arrays, name to values.  Otherwise
        the DataFrame and ``None``.

    Raises
    ------
    EmptyTableError
        If a CSV file is empty.
    FileFormatError
        If a CSV file is semicolon-separated.
    LengthMismatchError
        If a CSV row has more or fewer fields than the header.
    RawDataError
        If the file cannot be parsed.
    """
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


def read_bout_table(folder: Path, table: str) -> tuple[pd.DataFrame | None, dict[str, np.ndarray] | None, Path]:
    """Read one required table of a bout folder (:func:`read_table`), unchecked.

    Parameters
    ----------
    folder
        Bout folder.
    table
        Table name, one of :data:`grfkit.io.schema.TABLES`.

    Returns
    -------
    (frame, arrays, path)
        The table as :func:`read_table` returns it, and the file read.

    Raises
    ------
    MissingFileError
        If the folder has neither ``<table>.parquet`` nor ``<table>.csv``.
    """
    path = table_file(folder, table)
    if path is None:
        raise MissingFileError(
            f"required {table} table is missing (also looked for {table}.csv)", path=folder / f"{table}.parquet"
        )
    return (*read_table(path), path)
