"""Readers for OpenSim's text formats: storage (``.mot``/``.sto``) and marker (``.trc``) files.

The formats are simple, so grfkit parses them with pandas rather than
OpenSim's own bindings, strictly: a file cut short, a ragged row, a cell that
is not a number, a missing ``endheader`` or a header that contradicts its
table raises a :class:`~grfkit.errors.RawDataError` subclass naming the file
and line or column.  :func:`read_sto` and :func:`read_mot` read storage files
(header up to ``endheader``, then a table whose first column is ``time``);
:func:`read_trc` reads marker files (five header lines, three columns per
marker, empty cells as NaN).  OpenSim's lab frame is X forward, Y up, Z to
the right: rotate with :func:`grfkit.real.readers.frames.rotation_to_grfkit`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.errors import (
    EmptyTableError,
    FileFormatError,
    MissingChannelError,
    MissingFileError,
    SamplingRateError,
    TimestampError,
    TruncatedFileError,
)
from grfkit.real.readers._delimited import parse_numeric_rows, split_fields

__all__ = [
    "OPENSIM_FORWARD",
    "OPENSIM_UP",
    "read_sto",
    "read_mot",
    "read_trc",
    "sampling_rate_from_time",
]

#: OpenSim's running direction and up axis (Z points to the subject's right).
OPENSIM_FORWARD: str = "+x"
OPENSIM_UP: str = "+y"

_LENGTH_TO_METRES = {"mm": 1e-3, "cm": 1e-2, "m": 1.0}


def _read_lines(path: Path) -> list[str]:
    if not path.is_file():
        raise MissingFileError("file not found", path=path)
    try:
        text = path.read_text(encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    return text.splitlines()


def _data_lines(lines: list[str], start: int) -> tuple[list[str], list[int]]:
    """Return the non-blank lines from index ``start`` on and their 1-based numbers."""
    kept, numbers = [], []
    for index in range(start, len(lines)):
        if lines[index].strip():
            kept.append(lines[index].rstrip("\r"))
            numbers.append(index + 1)
    return kept, numbers


def sampling_rate_from_time(
    time_s: np.ndarray,
    *,
    path: str | os.PathLike[str] | None = None,
    channel: str = "time",
    line_numbers: list[int] | None = None,
    rate_tolerance: float = 0.01,
) -> float | None:
    """Infer the sampling rate from time stamps and check that they are uniform.

    Parameters
    ----------
    time_s
        Time stamps in seconds.
    path, channel
        Named in error messages.
    line_numbers
        File line of each sample, named in error messages.
    rate_tolerance
        Largest accepted deviation of any interval from the mean interval,
        as a fraction of the mean interval (0.01 = 1 %; times printed with
        6 decimals at 2000 Hz deviate by up to 0.2 %).

    Returns
    -------
    float or None
        ``(n - 1) / (t[-1] - t[0])`` in Hz; ``None`` for fewer than two samples.

    Raises
    ------
    TimestampError
        If a time stamp is not finite or time does not strictly increase.
    SamplingRateError
        If an interval deviates from the mean interval by more than the tolerance.
    """
    time_s = np.asarray(time_s, dtype=np.float64)

    def where(index: int) -> str:
        return f"line {line_numbers[index]}" if line_numbers is not None else f"row {index}"

    not_finite = np.flatnonzero(~np.isfinite(time_s))
    if not_finite.size:
        raise TimestampError(f"time is not finite at {where(int(not_finite[0]))}", path=path, channel=channel)
    if time_s.size < 2:
        return None
    steps = np.diff(time_s)
    not_increasing = np.flatnonzero(steps <= 0)
    if not_increasing.size:
        index = int(not_increasing[0]) + 1
        raise TimestampError(
            f"time does not increase at {where(index)} ({time_s[index - 1]!r} then {time_s[index]!r})",
            path=path,
            channel=channel,
        )
    mean_step = (time_s[-1] - time_s[0]) / (time_s.size - 1)
    deviation = np.abs(steps - mean_step) / mean_step
    worst = int(np.argmax(deviation))
    if deviation[worst] > rate_tolerance:
        raise SamplingRateError(
            f"time is not uniformly sampled: the interval before {where(worst + 1)} is "
            f"{steps[worst]:.6g} s against a mean of {mean_step:.6g} s ({1 / mean_step:.6g} Hz)",
            path=path,
            channel=channel,
        )
    return float(1.0 / mean_step)


def _header_int(header: dict[str, str], keys: tuple[str, ...], path: Path) -> int | None:
    for key in keys:
        if key in header:
            try:
                return int(header[key].split()[0])
            except (ValueError, IndexError):
                raise FileFormatError(f"header {key} is {header[key]!r}, not a whole number", path=path) from None
    return None


def read_sto(
    path: str | os.PathLike[str],
    *,
    check_row_count: bool = True,
    rate_tolerance: float = 0.01,
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Read an OpenSim storage file (``.sto`` or ``.mot``).

    Parameters
    ----------
    path
        The file.
    check_row_count
        Reject a file with fewer rows than its header's ``nRows``/``datarows``.
    rate_tolerance
        See :func:`sampling_rate_from_time`.

    Returns
    -------
    table : pandas.DataFrame
        One column per label, in the file's order and with the file's names
        (the first is ``time``, in seconds); float values.
    header : dict
        Every header line as ``key -> value`` text, plus typed entries:
        ``name`` (str or None), ``n_rows``, ``n_columns`` (int or None as
        declared), ``in_degrees`` (bool or None) and ``sampling_rate_hz``
        (inferred from ``time``; None with fewer than two rows).

    Raises
    ------
    MissingFileError
        If the file does not exist.
    FileFormatError
        No ``endheader`` line, no column labels, a header count that is not
        a number or contradicts the table, duplicate labels, a ragged row or
        a cell that is not a number.
    TruncatedFileError
        Fewer rows than declared, or a last row cut short.
    EmptyTableError
        No data rows.
    MissingChannelError
        The first column is not ``time``.
    TimestampError, SamplingRateError
        Time not strictly increasing or not uniformly sampled.
    """
    path = Path(path)
    lines = _read_lines(path)
    end = next((index for index, line in enumerate(lines) if line.strip().lower() == "endheader"), None)
    if end is None:
        raise FileFormatError("no 'endheader' line: not an OpenSim storage file, or its header is cut", path=path)
    header: dict[str, object] = {}
    name: str | None = None
    for index, raw in enumerate(lines[:end]):
        line = raw.strip()
        if not line:
            continue
        if "=" in line:
            key, value = line.split("=", 1)
            header[key.strip()] = value.strip()
        elif index == 0:  # the storage's name, alone or after the keyword "name"
            name = line.split(None, 1)[1].strip() if line.split()[0] == "name" and " " in line else line
            header["name"] = name
        elif " " in line or "\t" in line:
            key, value = line.split(None, 1)
            header[key] = value.strip()
    text_header = {key: str(value) for key, value in header.items()}
    n_rows = _header_int(text_header, ("nRows", "datarows"), path)
    n_columns = _header_int(text_header, ("nColumns", "datacolumns"), path)
    in_degrees_text = text_header.get("inDegrees", "").strip().lower()
    in_degrees = {"yes": True, "true": True, "no": False, "false": False}.get(in_degrees_text)

    label_index = next((index for index in range(end + 1, len(lines)) if lines[index].strip()), None)
    if label_index is None:
        raise FileFormatError("no column labels after 'endheader'", path=path)
    label_line = lines[label_index].rstrip("\r")
    sep = "\t" if "\t" in label_line else None
    labels = [label.strip() for label in split_fields(label_line, sep)]
    while labels and labels[-1] == "":
        labels.pop()
    if any(label == "" for label in labels):
        raise FileFormatError(f"an empty column label on line {label_index + 1}", path=path)
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise FileFormatError(f"duplicate column labels: {', '.join(duplicates)}", path=path, channel=duplicates[0])
    if n_columns is not None and n_columns != len(labels):
        raise FileFormatError(f"header declares {n_columns} columns but {len(labels)} labels follow", path=path)
    if labels[0].lower() != "time":
        raise MissingChannelError(f"the first column is {labels[0]!r}, not 'time'", path=path, channel="time")

    rows, numbers = _data_lines(lines, label_index + 1)
    values = parse_numeric_rows(
        rows, numbers, path=path, sep=sep, column_names=labels, allow_trailing_separator=sep is not None
    )
    if values.shape[0] == 0:
        raise EmptyTableError("no data rows after the column labels", path=path)
    if n_rows is not None and values.shape[0] != n_rows:
        if values.shape[0] < n_rows and check_row_count:
            raise TruncatedFileError(
                f"header declares {n_rows} rows but only {values.shape[0]} follow: the file is cut short",
                path=path,
            )
        if values.shape[0] > n_rows:
            raise FileFormatError(f"header declares {n_rows} rows but {values.shape[0]} follow", path=path)
    table = pd.DataFrame(values, columns=labels)
    rate = sampling_rate_from_time(
        values[:, 0], path=path, channel=labels[0], line_numbers=numbers, rate_tolerance=rate_tolerance
    )
    header.update(name=name, n_rows=n_rows, n_columns=n_columns, in_degrees=in_degrees, sampling_rate_hz=rate)
    return table, header


def read_mot(
    path: str | os.PathLike[str],
    *,
    check_row_count: bool = True,
    rate_tolerance: float = 0.01,
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Read an OpenSim motion file (``.mot``); the same storage format as :func:`read_sto`.

    Parameters
    ----------
    path
        The file, e.g. a Hamner ``Run_3_grf.mot``.
    check_row_count
        Reject a file with fewer rows than its header declares.
    rate_tolerance
        See :func:`sampling_rate_from_time`.

    Returns
    -------
    table : pandas.DataFrame
        See :func:`read_sto`.
    header : dict
        See :func:`read_sto`.

    Raises
    ------
    RawDataError
        The subclasses listed in :func:`read_sto`.
    """
    return read_sto(path, check_row_count=check_row_count, rate_tolerance=rate_tolerance)


def _trc_number(header: dict[str, str], key: str, path: Path, *, required: bool) -> float | None:
    if key not in header or header[key].strip() == "":
        if required:
            raise FileFormatError(f"TRC header has no {key}", path=path)
        return None
    try:
        return float(header[key])
    except ValueError:
        raise FileFormatError(f"TRC header {key} is {header[key]!r}, not a number", path=path) from None


def read_trc(
    path: str | os.PathLike[str],
    *,
    check_frame_count: bool = True,
    rate_tolerance: float = 0.01,
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Read a TRC marker file, converting positions to metres.

    Parameters
    ----------
    path
        The file, e.g. a Hamner ``Run_3.trc``.
    check_frame_count
        Reject a file with fewer rows than its header's ``NumFrames``.  Turn
        off for files whose header is known to be stale (the registry's
        ``DataFile.read_options`` says which).
    rate_tolerance
        See :func:`sampling_rate_from_time`.

    Returns
    -------
    table : pandas.DataFrame
        ``frame`` (int), ``time_s``, then ``<marker>_x_m``, ``<marker>_y_m``,
        ``<marker>_z_m`` per marker in file order, in metres, in the file's
        own lab axes; gaps are NaN.
    header : dict
        ``markers`` (list of names), ``units`` (as in the file),
        ``data_rate_hz``, ``camera_rate_hz``, ``num_frames`` (declared),
        ``num_markers``, ``orig_data_rate_hz``, ``orig_data_start_frame``,
        ``orig_num_frames`` (None where absent), ``sampling_rate_hz``
        (inferred from ``Time``) and ``fields`` (the raw key -> value text).

    Raises
    ------
    MissingFileError
        If the file does not exist.
    FileFormatError
        Header lines missing or malformed, unknown units, marker names not
        matching ``NumMarkers``, a ragged row, a cell that is not a number,
        more rows than declared.
    TruncatedFileError
        Fewer rows than ``NumFrames`` (with ``check_frame_count``), or a last
        row cut short.
    EmptyTableError
        No data rows.
    TimestampError, SamplingRateError
        Time not strictly increasing, not uniform, or not at ``DataRate``.
    """
    path = Path(path)
    lines = _read_lines(path)
    if len(lines) < 5 or not lines[0].startswith("PathFileType"):
        raise FileFormatError("not a TRC file: it must start with 'PathFileType' and 5 header lines", path=path)
    keys = [key.strip() for key in lines[1].split("\t")]
    values = [value.strip() for value in lines[2].split("\t")]
    if len(values) < len(keys):
        values += [""] * (len(keys) - len(values))
    fields = {key: value for key, value in zip(keys, values, strict=False) if key}
    data_rate = _trc_number(fields, "DataRate", path, required=True)
    camera_rate = _trc_number(fields, "CameraRate", path, required=False)
    num_frames = _trc_number(fields, "NumFrames", path, required=True)
    num_markers = _trc_number(fields, "NumMarkers", path, required=True)
    units = fields.get("Units", "").strip()
    if units not in _LENGTH_TO_METRES:
        raise FileFormatError(f"TRC Units {units!r} is not one of {', '.join(_LENGTH_TO_METRES)}", path=path)
    orig_rate = _trc_number(fields, "OrigDataRate", path, required=False)
    orig_start = _trc_number(fields, "OrigDataStartFrame", path, required=False)
    orig_frames = _trc_number(fields, "OrigNumFrames", path, required=False)

    name_fields = lines[3].rstrip("\r").split("\t")
    if len(name_fields) < 2 or name_fields[0].strip() != "Frame#":
        raise FileFormatError("line 4 must start with 'Frame#' and 'Time'", path=path)
    markers = [name.strip() for name in name_fields[2:] if name.strip()]
    assert num_markers is not None and num_frames is not None and data_rate is not None  # required above
    if len(markers) != int(num_markers):
        raise FileFormatError(f"NumMarkers is {int(num_markers)} but line 4 names {len(markers)} markers", path=path)
    duplicates = sorted({marker for marker in markers if markers.count(marker) > 1})
    if duplicates:
        raise FileFormatError(f"duplicate marker names: {', '.join(duplicates)}", path=path, channel=duplicates[0])

    columns = ["frame", "time_s"] + [f"{marker}_{axis}_m" for marker in markers for axis in "xyz"]
    rows, numbers = _data_lines(lines, 5)
    table_values = parse_numeric_rows(
        rows, numbers, path=path, sep="\t", column_names=columns, allow_empty_cells=True, allow_trailing_separator=True
    )
    if table_values.shape[0] == 0:
        raise EmptyTableError("no data rows after the header", path=path)
    declared = int(num_frames)
    if table_values.shape[0] > declared:
        raise FileFormatError(f"NumFrames is {declared} but {table_values.shape[0]} rows follow", path=path)
    if table_values.shape[0] < declared and check_frame_count:
        raise TruncatedFileError(
            f"NumFrames is {declared} but only {table_values.shape[0]} rows follow: the file is cut short "
            "(pass check_frame_count=False if the header is known to be stale)",
            path=path,
        )
    frames = table_values[:, 0]
    if not np.all(np.isfinite(frames)) or np.any(frames != np.round(frames)):
        raise FileFormatError("the Frame# column holds values that are not whole numbers", path=path, channel="Frame#")
    rate = sampling_rate_from_time(
        table_values[:, 1], path=path, channel="Time", line_numbers=numbers, rate_tolerance=rate_tolerance
    )
    if rate is not None and abs(rate - data_rate) > rate_tolerance * data_rate:
        raise SamplingRateError(
            f"time advances at {rate:.6g} Hz but DataRate is {data_rate:.6g} Hz", path=path, channel="Time"
        )
    table_values[:, 2:] *= _LENGTH_TO_METRES[units]
    table = pd.DataFrame(table_values, columns=columns)
    table["frame"] = frames.astype(np.int64)
    header: dict[str, object] = {
        "markers": markers,
        "units": units,
        "data_rate_hz": data_rate,
        "camera_rate_hz": camera_rate,
        "num_frames": declared,
        "num_markers": int(num_markers),
        "orig_data_rate_hz": orig_rate,
        "orig_data_start_frame": None if orig_start is None else int(orig_start),
        "orig_num_frames": None if orig_frames is None else int(orig_frames),
        "sampling_rate_hz": rate,
        "fields": fields,
    }
    return table, header
