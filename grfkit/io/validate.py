"""Checks on a bout's tables against the raw data format.

:func:`validate_bout` checks a bout against the format (rows, columns, types,
timestamps and rates, finite values, sensor faults, table spans, contact)
and raises a typed error of :mod:`grfkit.errors` on the first problem;
:func:`validate_tables` runs the same checks on tables as the reader holds
them and returns the checked channels; :func:`validate_time_base` checks one
``time_s`` column.  The metadata's rules are in :mod:`grfkit.io.metadata`,
the sensor-fault checks in :mod:`grfkit.io.sensor_faults`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from grfkit.constants import CONTACT_THRESHOLD_N
from grfkit.errors import (
    DropoutError,
    EmptyTableError,
    LengthMismatchError,
    MissingChannelError,
    NoContactError,
    RawDataError,
    SamplingRateError,
    TimestampError,
)
from grfkit.io.metadata import check_bout_info, check_force_plates, require_columns
from grfkit.io.schema import (
    TABLES,
    BoutArrays,
    BoutInfo,
    RawBout,
    required_channels,
    table_file,
)
from grfkit.io.sensor_faults import (
    check_constant_stretches,
    check_fsr_channel,
    check_gyro_unit,
)

__all__ = [
    "ValidationLimits",
    "validate_time_base",
    "validate_bout",
    "validate_tables",
]

@dataclass(frozen=True)
class ValidationLimits:
    """The thresholds of :func:`validate_bout`: one home for every limit the checks apply.

    Parameters
    ----------
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
    """

    rate_tolerance: float = 0.01
    max_gap_intervals: float = 1.5
    max_span_mismatch_s: float = 1.0
    contact_threshold_n: float = CONTACT_THRESHOLD_N
    stuck_range_adc: float = 0.0
    saturation_adc: float = 4095.0
    max_saturated_fraction: float = 0.5
    max_constant_s: float = 5.0
    min_gyro_peak_dps: float = 50.0


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
    return table_file(source, table) or source / f"{table}.parquet"


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


def validate_bout(
    bout: RawBout,
    source: str | Path | None = None,
    limits: ValidationLimits = ValidationLimits(),
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
    limits
        The thresholds of the checks.

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
        ``limits.rate_tolerance``.
    DropoutError
        A channel that must be continuous holds NaN (message: first row and
        run length).  NaN is allowed in plate COP columns (unloaded plate) and
        marker columns (marker outside the capture volume), but not a marker
        channel that is NaN everywhere.
    LengthMismatchError
        The IMU starts or ends more than ``limits.max_span_mismatch_s`` away
        from the insole, or the marker away from the force.
    SensorFaultError
        An FSR channel is stuck, saturated most of the time, or holds one
        value for longer than ``limits.max_constant_s`` while others load.
    UnitError
        The angular rate is too small for degrees per second (rad/s stored).
    NoContactError
        No vertical force channel of any plate exceeds
        ``limits.contact_threshold_n``.  (A single plate that is never hit is
        normal overground.)  A bout whose ``force`` is ``None`` (a
        wearable-only recording) has no force checks.
    """
    tables = {"insole": bout.insole, "imu": bout.imu}
    if bout.force is not None:
        tables["force"] = bout.force
    if bout.marker is not None:
        tables["marker"] = bout.marker
    validate_tables(bout.info, {name: (df, None) for name, df in tables.items()}, source, None, limits)


def validate_tables(
    info: BoutInfo,
    tables: Mapping[str, tuple[pd.DataFrame | None, Mapping[str, np.ndarray] | None]],
    source: str | Path | None = None,
    paths: Mapping[str, Path] | None = None,
    limits: ValidationLimits = ValidationLimits(),
) -> BoutArrays:
    """Run the checks of :func:`validate_bout` on a bout's tables as the reader holds them.

    Parameters
    ----------
    info
        The bout's metadata.
    tables
        Table name -> ``(frame, arrays)``: a DataFrame, or its columns already
        converted to numpy by the reader (numeric and unique by construction),
        as :func:`grfkit.io.table_files.read_table` returns them.
    source
        Bout folder, named in errors.
    paths
        The files read, table name -> path, so they are not looked up again.
    limits
        The thresholds of the checks.

    Returns
    -------
    BoutArrays
        The checked required channels as numpy arrays: table -> channel -> values.

    Raises
    ------
    RawDataError
        Or one of its subclasses, as :func:`validate_bout`.
    """
    source = Path(source) if source is not None else None
    check_bout_info(info, source / "bout.json" if source is not None else None)
    if "force" in tables:
        check_force_plates(info, source / "bout.json" if source is not None else None)
    # A wearable-only read (no force table) may lack the marker table bout.json announces.
    wearable_only = "force" not in tables and "marker" not in tables
    if ("marker" in tables) != (info.marker_rate_hz is not None) and not wearable_only:
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
            require_columns(df, channels, path)
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
        validate_time_base(time, rate, path=path, rate_tolerance=limits.rate_tolerance,
                           max_gap_intervals=limits.max_gap_intervals)
        spans[table] = (float(time[0]), float(time[-1]))
        for channel in channels[1:]:
            values = given[channel] if channel in given else _numeric_values(df, channel, path, table)
            values_of[channel] = values
            cop = table == "force" and channel.endswith(("_cop_x_m", "_cop_y_m"))
            _check_finite(values, channel, path, table, nan_allowed=cop or table == "marker", all_nan_allowed=cop)
            if table == "insole":
                check_fsr_channel(
                    values,
                    channel,
                    path,
                    stuck_range_adc=limits.stuck_range_adc,
                    saturation_adc=limits.saturation_adc,
                    max_saturated_fraction=limits.max_saturated_fraction,
                )
            elif table == "force" and channel.endswith("_fz_n"):
                peak_fz_n = max(peak_fz_n, float(values.max()))
        if table == "insole":
            check_constant_stretches(values_of, rate, path, max_constant_s=limits.max_constant_s,
                                      saturation_adc=limits.saturation_adc)
        elif table == "imu":
            check_gyro_unit(values_of, path, min_gyro_peak_dps=limits.min_gyro_peak_dps)
    for reference, other, clock in (("insole", "imu", "insole"), ("force", "marker", "lab")):
        if other not in spans or reference not in spans:
            continue
        (r0, r1), (o0, o1) = spans[reference], spans[other]
        if max(abs(o0 - r0), abs(o1 - r1)) > limits.max_span_mismatch_s:
            raise LengthMismatchError(
                f"the {other} table covers {o0:.3f}..{o1:.3f} s but the {reference} table covers "
                f"{r0:.3f}..{r1:.3f} s ({clock} clock; accepted difference "
                f"{limits.max_span_mismatch_s:g} s at each end)",
                path=paths[other] if paths is not None and other in paths else _file(source, other),
                channel="time_s",
            )
    if "force" in tables and not peak_fz_n > limits.contact_threshold_n:
        fz = [f"{p.name}_fz_n" for p in info.plates]
        raise NoContactError(
            f"no vertical force above {limits.contact_threshold_n:g} N on any plate (peak {peak_fz_n:.1f} N); "
            "vertical force must be the ground reaction on the runner, positive up",
            path=paths["force"] if paths is not None and "force" in paths else _file(source, "force"),
            channel=", ".join(fz),
        )
    return checked
