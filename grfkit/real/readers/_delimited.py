"""Strict parsing of numeric delimited tables, with errors that point at the cell.

Shared by the text readers (OpenSim storage, TRC, the Alcantara CSV files).
A well-formed table goes through pandas' C parser in one call; only a table
that fails is scanned cell by cell to name the offending line and column.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.errors import FileFormatError, TruncatedFileError

#: Tokens read as NaN (never the empty cell unless a reader allows it).
NAN_TOKENS: tuple[str, ...] = ("nan", "NaN", "NAN", "-nan", "-NaN")


def split_fields(line: str, sep: str | None) -> list[str]:
    """Split one line into fields (``sep=None`` splits on runs of white space)."""
    return line.split() if sep is None else line.split(sep)


def parse_numeric_rows(
    lines: Sequence[str],
    line_numbers: Sequence[int],
    *,
    path: Path,
    sep: str | None,
    column_names: Sequence[str],
    allow_empty_cells: bool = False,
    allow_trailing_separator: bool = False,
) -> np.ndarray:
    """Parse data lines into a float array, checking every row's length and cell.

    Parameters
    ----------
    lines
        Data lines without line endings; blank lines already removed.
    line_numbers
        1-based line number in the file of each entry of ``lines``.
    path
        The file, for error messages.
    sep
        Field separator (a tab or a comma), or ``None`` for white space.
    column_names
        One name per expected field, used in error messages.
    allow_empty_cells
        Read empty cells as NaN (TRC gaps) instead of rejecting them.
    allow_trailing_separator
        Accept one extra, empty field at the end of a row (a trailing tab).

    Returns
    -------
    numpy.ndarray
        Shape ``(len(lines), len(column_names))``.

    Raises
    ------
    TruncatedFileError
        If the last row has fewer fields than expected (the file was cut).
    FileFormatError
        If another row has the wrong number of fields, or a cell is not a
        number; the message gives the line number and the column name.
    """
    n_fields = len(column_names)
    if not lines:
        return np.empty((0, n_fields))
    if sep is None:
        counts = [len(line.split()) for line in lines]
    else:
        counts = [line.count(sep) + 1 for line in lines]
    for index, count in enumerate(counts):
        if count == n_fields:
            continue
        if allow_trailing_separator and count == n_fields + 1 and lines[index].rstrip(" ").endswith(sep or " "):
            continue
        if index == len(lines) - 1 and count < n_fields:
            raise TruncatedFileError(
                f"the last row (line {line_numbers[index]}) ends after {count} of {n_fields} values: "
                "the file is cut short",
                path=path,
            )
        raise FileFormatError(
            f"line {line_numbers[index]} has {count} values, expected {n_fields} (ragged row)",
            path=path,
        )
    na_values = [*NAN_TOKENS, ""] if allow_empty_cells else list(NAN_TOKENS)
    try:
        table = pd.read_csv(
            io.StringIO("\n".join(lines)),
            sep=r"\s+" if sep is None else sep,
            header=None,
            usecols=range(n_fields),
            dtype=np.float64,
            na_values=na_values,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except ValueError as exc:
        _raise_first_bad_cell(lines, line_numbers, path=path, sep=sep, column_names=column_names, na_values=na_values)
        raise FileFormatError(f"the table could not be read as numbers: {exc}", path=path) from exc
    return table.to_numpy(dtype=np.float64)


def _raise_first_bad_cell(
    lines: Sequence[str],
    line_numbers: Sequence[int],
    *,
    path: Path,
    sep: str | None,
    column_names: Sequence[str],
    na_values: Sequence[str],
) -> None:
    """Raise :class:`FileFormatError` naming the first cell that is not a number, if any."""
    allowed_nan = set(na_values)
    for line, number in zip(lines, line_numbers, strict=True):
        for name, token in zip(column_names, split_fields(line, sep), strict=False):
            if token.strip() in allowed_nan:
                continue
            try:
                float(token)
            except ValueError:
                shown = "an empty cell" if token.strip() == "" else f"{token!r}"
                raise FileFormatError(
                    f"line {number}: {shown} in column {name!r} is not a number",
                    path=path,
                    channel=name,
                ) from None
