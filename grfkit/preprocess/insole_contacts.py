"""Contacts of each foot from its insole: the summed FSR load at a relative threshold.

:func:`insole_loads` sums each insole's 16 FSR channels (integer counts
exactly); :func:`detect_insole_contacts` finds each foot's contacts in its
load (:func:`grfkit.preprocess.events.load_levels` sets the threshold),
on the insole clock.  Mapped to the lab clock
(:func:`grfkit.preprocess.synchronisation.insole_to_lab_time`), they tell
which foot made each plate contact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from grfkit.errors import MissingChannelError
from grfkit.io.channels import FEET, fsr_channels
from grfkit.io.insole import total_load
from grfkit.preprocess._signals import (
    finite_1d,
    median_interval,
    threshold_crossings,
    time_axis,
)
from grfkit.preprocess.config import ContactConfig
from grfkit.preprocess.events import CONTACT_COLUMNS, load_levels

__all__ = ["detect_insole_contacts", "insole_loads"]


def insole_loads(insole_table: Mapping[str, np.ndarray], feet: Sequence[str] = FEET) -> dict[str, np.ndarray]:
    """Each foot's insole load: the sum of its 16 FSR channels, ADC counts.

    Integer counts are summed as integers, which is exact, so the result
    equals the float sum in any order (:func:`grfkit.io.insole.total_load`).

    Parameters
    ----------
    insole_table
        Insole table (a DataFrame, or a mapping of column name to array) with
        the FSR channels of ``feet``.
    feet
        Feet to sum.

    Returns
    -------
    dict
        Foot -> load (float array), in the order of ``feet``.

    Raises
    ------
    MissingChannelError
        If an FSR channel is missing.
    """
    loads = {}
    for foot in feet:
        columns = fsr_channels(foot)
        missing = [c for c in columns if c not in insole_table]
        if missing:
            raise MissingChannelError(f"insole table lacks {len(missing)} FSR channels", channel=missing[0])
        loads[foot] = _total_counts([np.asarray(insole_table[c]) for c in columns])
    return loads


def _total_counts(fsr_columns: list[np.ndarray]) -> np.ndarray:
    """Sum of one insole's FSR columns, without building the ``(n, 16)`` matrix."""
    if all(column.dtype.kind in "iu" and column.dtype.itemsize <= 2 for column in fsr_columns):
        total = fsr_columns[0].astype(np.int32)  # 16 counts of at most 16 bits cannot overflow
        for column in fsr_columns[1:]:
            np.add(total, column, out=total)
        return total.astype(float)
    if all(column.dtype.kind in "iu" for column in fsr_columns):
        total = fsr_columns[0].astype(np.int64)
        for column in fsr_columns[1:]:
            np.add(total, column, out=total, casting="unsafe")
        return total.astype(float)
    return total_load(np.column_stack([np.asarray(column, dtype=float) for column in fsr_columns]))


def detect_insole_contacts(
    time_s: np.ndarray,
    loads: Mapping[str, np.ndarray],
    sampling_rate_hz: float = 1000.0,
    *,
    config: ContactConfig = ContactConfig(),
) -> pd.DataFrame:
    """Contacts of each foot from its summed insole load.

    Parameters
    ----------
    time_s
        Insole timestamps (insole clock), seconds.
    loads
        Foot -> summed FSR load, e.g. :func:`insole_loads`; one value per timestamp.
    sampling_rate_hz
        Nominal insole sampling rate in hertz.
    config
        Detection settings: ``insole_threshold_fraction`` (relative threshold,
        :func:`grfkit.preprocess.events.load_levels`), ``min_contact_s``,
        ``min_flight_s`` and ``max_contact_s``
        (as for :func:`grfkit.preprocess.events.detect_contacts`).

    Returns
    -------
    pandas.DataFrame
        Columns ``foot`` plus :data:`grfkit.preprocess.events.CONTACT_COLUMNS`,
        times on the insole clock (map them with
        :func:`grfkit.preprocess.synchronisation.insole_to_lab_time`), sorted by ``ic_index``.

    Raises
    ------
    DropoutError, NoContactError, UnendedContactError, LengthMismatchError
        As :func:`grfkit.preprocess.events.detect_load_contacts`, naming the foot.
    """
    period_s = None
    parts = []
    for foot, load in loads.items():
        channel = f"{foot}_fsr*_adc (sum)"
        x = finite_1d(load, channel)
        t = time_axis(len(x), sampling_rate_hz, time_s, 0.0, channel)
        if period_s is None:
            period_s = median_interval(t)
        rest, threshold = load_levels(x, config.insole_threshold_fraction, channel=channel)
        found = threshold_crossings(
            x, t, threshold, rest, config.min_contact_s, config.min_flight_s, config.max_contact_s, channel, "units",
            period_s,
        )
        parts.append((foot, found))
    order = np.argsort(np.concatenate([found["ic_index"] for _, found in parts]), kind="stable")
    columns: dict[str, np.ndarray] = {
        "foot": np.concatenate([np.full(len(found["ic_s"]), foot, dtype=object) for foot, found in parts])[order]
    }
    for column in CONTACT_COLUMNS:
        columns[column] = np.concatenate([found[column] for _, found in parts])[order]
    return pd.DataFrame(columns)
