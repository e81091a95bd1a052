"""Sensor faults in a bout's insole and IMU channels: checks the validation runs on every bout.

:func:`check_fsr_channel` finds an FSR channel that is stuck or saturated
most of the time; :func:`check_constant_stretches` one that holds a single
value for seconds while the others load (a broken lead, a short);
:func:`check_gyro_unit` an angular rate stored in rad/s instead of deg/s.
Each raises :class:`~grfkit.errors.SensorFaultError` or
:class:`~grfkit.errors.UnitError` naming the file and the channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from grfkit.errors import SensorFaultError, UnitError
from grfkit.io.channels import IMU_CHANNELS, fsr_channels

__all__ = ["check_fsr_channel", "check_constant_stretches", "check_gyro_unit"]


def check_fsr_channel(
    values: np.ndarray,
    channel: str,
    path: Path | None,
    *,
    stuck_range_adc: float,
    saturation_adc: float,
    max_saturated_fraction: float,
) -> None:
    """Raise if an FSR channel is stuck or saturated most of the time.

    Parameters
    ----------
    values
        The channel's samples, ADC counts (finite).
    channel
        Channel name, named in the error.
    path
        Insole file, named in the error.
    stuck_range_adc
        A channel whose range (max - min) is at most this is stuck.
    saturation_adc
        ADC count at which an FSR saturates.
    max_saturated_fraction
        Largest accepted fraction of samples at saturation.

    Raises
    ------
    SensorFaultError
        If the channel is stuck or saturated too often.
    """
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


def check_constant_stretches(
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

    Raises
    ------
    SensorFaultError
        Naming the channel, its value and the stretch's rows and duration.
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


def check_gyro_unit(imu: Mapping[str, np.ndarray], path: Path | None, *, min_gyro_peak_dps: float = 50.0) -> None:
    """Raise if the shoe's angular rate is too small for degrees per second (rad/s stored).

    A shoe turns at several hundred degrees per second in every running
    stride (the simulated cohorts at ci and book scale: 99th percentile of
    the magnitude 306-754 deg/s); the same motion in rad/s gives 5-13.

    Parameters
    ----------
    imu
        The IMU channels (finite values), name to samples.
    path
        IMU file, named in the error.
    min_gyro_peak_dps
        The 99th percentile of the angular-rate magnitude must reach this, deg/s.

    Raises
    ------
    UnitError
        If it does not; the message gives the value and its conversion.
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
