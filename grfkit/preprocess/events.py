"""Contact events as threshold crossings: initial contact (IC) and toe-off (TO).

:func:`detect_contacts` finds the contacts of a vertical force (20 N,
zero offset removed first by :func:`unloaded_level`, on the raw force unless
a detection cutoff is given: :func:`detection_force`);
:func:`detect_load_contacts` those of a load in arbitrary units (an insole's
summed FSR counts) at a relative threshold (:func:`load_levels`).  Crossings
are interpolated between the two samples around the threshold and debounced
(minimum contact and flight times).  The book's chapter 2 discusses why
contacts are detected on the raw, not the 20 Hz filtered, force, and
measures the difference with :func:`filtered_detection_shift_ms`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grfkit.constants import CONTACT_THRESHOLD_N
from grfkit.errors import ConfigError, NoContactError
from grfkit.preprocess._signals import (
    STATISTICS_STRIDE,
    finite_1d,
    threshold_crossings,
    time_axis,
)
from grfkit.preprocess.filtering import lowpass_zero_lag

__all__ = [
    "CONTACT_COLUMNS",
    "detect_contacts",
    "detect_load_contacts",
    "detection_force",
    "filtered_detection_shift_ms",
    "load_levels",
    "unloaded_level",
]

#: Columns of the tables returned by :func:`detect_contacts` and :func:`detect_load_contacts`.
CONTACT_COLUMNS: tuple[str, ...] = ("ic_s", "to_s", "ic_index", "to_index", "complete", "peak", "impulse")


def detect_contacts(
    vertical_force_n: np.ndarray,
    sampling_rate_hz: float,
    threshold_n: float = CONTACT_THRESHOLD_N,
    *,
    time_s: np.ndarray | None = None,
    start_s: float = 0.0,
    min_contact_s: float = 0.05,
    min_flight_s: float = 0.01,
    max_contact_s: float = 1.0,
    detection_cutoff_hz: float | None = None,
    remove_offset: bool = True,
    channel: str | None = None,
) -> pd.DataFrame:
    """Find contacts as threshold crossings of a vertical force.

    Parameters
    ----------
    vertical_force_n
        Vertical ground reaction force in newtons, 1-D.
    sampling_rate_hz
        Sampling rate in hertz.
    threshold_n
        Contact threshold in newtons (20 N, the study's definition).
    time_s
        Timestamps of the samples (e.g. the force table's ``time_s``); default
        ``start_s + index / sampling_rate_hz``.
    start_s
        Time of the first sample when ``time_s`` is not given.
    min_contact_s
        Excursions above threshold shorter than this are noise, not contacts
        (running contacts last 0.15-0.4 s).
    min_flight_s
        Dips below threshold shorter than this are noise within one contact
        (they are merged); running flight phases last 0.05 s or more.
    max_contact_s
        A contact lasting longer is an error (a stuck channel or a contact
        that never ends); running contacts last well under 0.5 s.
    detection_cutoff_hz
        If given, detect on the force low-pass filtered (zero lag) at this
        cutoff; default ``None`` detects on the raw force (a 20 Hz filter moves
        the crossings several ms outwards: see the book's chapter 2).
    remove_offset
        Subtract the channel's zero offset first (:func:`unloaded_level`): a
        plate reading +5 N when unloaded would otherwise cross 20 N when the
        foot applies 15 N.
    channel
        Channel name for error messages (e.g. ``"plate2_fz_n"``).

    Returns
    -------
    pandas.DataFrame
        One row per contact, in time order, with columns :data:`CONTACT_COLUMNS`:
        ``ic_s`` and ``to_s`` (interpolated threshold crossings, seconds on the
        time axis; NaN where the contact is cut by the recording's start or
        end), ``ic_index`` (first sample above threshold), ``to_index`` (last
        sample above threshold), ``complete`` (both crossings seen),
        ``peak`` (largest force of the contact, newtons) and ``impulse``
        (sum of the force over the contact's samples times the sample
        period, newton seconds, after the zero offset is removed).

    Raises
    ------
    DropoutError
        If the force contains NaN or infinite values.
    LengthMismatchError
        If ``time_s`` and the force differ in length.
    NoContactError
        If the force never stays above the threshold for ``min_contact_s``.
    UnendedContactError
        If a contact lasts longer than ``max_contact_s``.

    Examples
    --------
    >>> f = np.zeros(1000)
    >>> f[200:450] = 1500.0 * np.sin(np.linspace(0, np.pi, 250))
    >>> c = detect_contacts(f, 1000.0)
    >>> len(c), bool(c["complete"].all())
    (1, True)
    """
    x = finite_1d(vertical_force_n, channel)
    t = time_axis(len(x), sampling_rate_hz, time_s, start_s, channel)
    x = detection_force(x, threshold_n, sampling_rate_hz, detection_cutoff_hz, remove_offset, channel)
    return pd.DataFrame(
        threshold_crossings(x, t, threshold_n, 0.0, min_contact_s, min_flight_s, max_contact_s, channel, "N")
    )


def unloaded_level(force_n: np.ndarray, threshold_n: float = CONTACT_THRESHOLD_N) -> float:
    """Zero offset of a force channel: the median of its samples below the contact threshold.

    Force plates are zeroed before a recording but keep a small offset (a
    few newtons).  Samples below threshold are the unloaded ones (flight
    phases; most of the recording for an overground plate) plus the few
    samples on the edges of each contact, so their median is the unloaded
    level.  Every 8th sample is used (as precise, faster).

    Parameters
    ----------
    force_n
        Vertical force in newtons, 1-D, finite.
    threshold_n
        Contact threshold in newtons.

    Returns
    -------
    float
        The offset in newtons (0.0 when no sample is below threshold).
    """
    sample = np.asarray(force_n, dtype=float)[::STATISTICS_STRIDE]
    below = sample[sample < threshold_n]
    return float(np.median(below)) if below.size else 0.0


def detection_force(
    x: np.ndarray,
    threshold_n: float,
    sampling_rate_hz: float,
    cutoff_hz: float | None,
    remove_offset: bool,
    channel: str | None,
) -> np.ndarray:
    """The force as contacts are detected on it: zero offset removed, optionally low-pass filtered.

    Parameters
    ----------
    x
        Vertical force in newtons, 1-D, finite.
    threshold_n
        Contact threshold in newtons (the offset is the median below it, :func:`unloaded_level`).
    sampling_rate_hz
        Sampling rate in hertz.
    cutoff_hz
        Zero-lag low-pass cutoff in hertz (:func:`grfkit.preprocess.filtering.lowpass_zero_lag`);
        ``None`` keeps the raw force.
    remove_offset
        Subtract the zero offset first.
    channel
        Channel name for error messages.

    Returns
    -------
    numpy.ndarray
        The force to detect contacts on, newtons.
    """
    if remove_offset:
        x = x - unloaded_level(x, threshold_n)
    if cutoff_hz is not None:
        x = lowpass_zero_lag(x, cutoff_hz, sampling_rate_hz, channel=channel)
    return x


def detect_load_contacts(
    load: np.ndarray,
    sampling_rate_hz: float,
    threshold_fraction: float = 0.05,
    *,
    time_s: np.ndarray | None = None,
    start_s: float = 0.0,
    min_contact_s: float = 0.05,
    min_flight_s: float = 0.01,
    max_contact_s: float = 1.0,
    channel: str | None = None,
) -> pd.DataFrame:
    """Find contacts in a load signal of arbitrary units (e.g. summed insole FSR counts).

    The threshold is relative (:func:`load_levels`):
    ``floor + threshold_fraction * (top - floor)`` where ``floor`` is the 5th
    and ``top`` the 99th percentile of the signal, raised if needed to stay
    5 noise standard deviations above the floor.
    During running each foot is in the air for more than half of the time, so
    the 5th percentile is the unloaded level (including any FSR offset) and
    the 99th the loaded one; a low fraction keeps the crossing close to the
    start of loading even when the sensor response saturates.

    Parameters
    ----------
    load
        1-D load signal (arbitrary units, e.g. ADC counts).
    sampling_rate_hz
        Sampling rate in hertz.
    threshold_fraction
        Threshold as a fraction of the floor-to-top range.
    time_s, start_s, min_contact_s, min_flight_s, max_contact_s, channel
        As for :func:`detect_contacts`.

    Returns
    -------
    pandas.DataFrame
        As :func:`detect_contacts` (``peak`` in the units of ``load``,
        ``impulse`` of the load above its resting level in those units
        times seconds).

    Raises
    ------
    DropoutError
        If the load contains NaN or infinite values.
    NoContactError
        If the load is flat (no contacts).
    UnendedContactError
        If a contact lasts longer than ``max_contact_s``.
    """
    x = finite_1d(load, channel)
    t = time_axis(len(x), sampling_rate_hz, time_s, start_s, channel)
    rest, threshold = load_levels(x, threshold_fraction, channel=channel)
    return pd.DataFrame(
        threshold_crossings(x, t, threshold, rest, min_contact_s, min_flight_s, max_contact_s, channel, "units")
    )


def load_levels(load: np.ndarray, threshold_fraction: float, *, channel: str | None = None) -> tuple[float, float]:
    """Resting level and contact threshold of a load in arbitrary units.

    The threshold is ``floor + max(threshold_fraction * (top - floor), 5 *
    noise)``, where ``floor`` is the 5th and ``top`` the 99th percentile of
    the load and ``noise`` its sample-to-sample noise (standard deviation
    estimated from the median absolute first difference): the noise term
    keeps the threshold out of the noise band when the sensor's range is
    small.  The resting level is the median of the samples below the
    threshold.  The statistics use every 8th sample (7500 per minute at
    1000 Hz): as precise, and faster.

    Parameters
    ----------
    load
        1-D load signal.
    threshold_fraction
        Fraction of the floor-to-top range, between 0 and 1.
    channel
        Name for error messages.

    Returns
    -------
    rest, threshold
        In the units of ``load``.

    Raises
    ------
    NoContactError
        If the load is empty or flat.
    """
    if not 0 < threshold_fraction < 1:
        raise ConfigError(f"threshold_fraction must be between 0 and 1, got {threshold_fraction}")
    if len(load) == 0:
        raise NoContactError("empty load signal", channel=channel)
    x = np.asarray(load, dtype=float)
    sample = x[::STATISTICS_STRIDE]
    floor, top = np.percentile(sample, [5.0, 99.0])
    if not top > floor:
        raise NoContactError(f"load is flat (5th and 99th percentiles both {floor:g}): no contacts", channel=channel)
    steps = np.abs(x[1::STATISTICS_STRIDE] - x[:-1:STATISTICS_STRIDE])
    noise = 1.4826 * float(np.median(steps)) / np.sqrt(2.0) if len(steps) else 0.0
    threshold = float(floor + max(threshold_fraction * (top - floor), 5.0 * noise))
    return float(np.median(sample[sample <= threshold])), threshold


def filtered_detection_shift_ms(
    vertical_force_n: np.ndarray,
    sampling_rate_hz: float,
    *,
    time_s: np.ndarray | None = None,
    detection_cutoff_hz: float = 20.0,
    max_ic_distance_s: float = 0.05,
    channel: str | None = None,
) -> pd.DataFrame:
    """How far detecting on the low-pass filtered force moves IC and TO.

    The contacts of the raw force and of the force filtered at
    ``detection_cutoff_hz`` (both by :func:`detect_contacts`) are paired by
    nearest IC; a raw contact without a filtered one within
    ``max_ic_distance_s`` is left out.

    Parameters
    ----------
    vertical_force_n
        Vertical ground reaction force in newtons, 1-D.
    sampling_rate_hz
        Sampling rate in hertz.
    time_s
        Timestamps of the samples; default ``index / sampling_rate_hz``.
    detection_cutoff_hz
        Cutoff of the zero-lag low-pass filter in hertz (the study's 20 Hz).
    max_ic_distance_s
        Largest IC distance, in seconds, at which two contacts are a pair.
    channel
        Channel name for error messages (e.g. ``"plate2_fz_n"``).

    Returns
    -------
    pandas.DataFrame
        One row per paired raw contact, in time order: ``ic_shift_ms`` and
        ``to_shift_ms``, the filtered event time minus the raw one in
        milliseconds (negative: earlier; NaN where either contact is cut by
        the recording's start or end).

    Raises
    ------
    NoContactError
        If either force has no contact (see :func:`detect_contacts`).
    """
    raw = detect_contacts(vertical_force_n, sampling_rate_hz, time_s=time_s, channel=channel)
    low = detect_contacts(
        vertical_force_n, sampling_rate_hz, time_s=time_s, detection_cutoff_hz=detection_cutoff_hz,
        channel=channel,
    )
    low_ic_s = np.nan_to_num(low["ic_s"].to_numpy(), nan=np.inf)  # a cut contact pairs with none
    with np.errstate(invalid="ignore"):
        near = np.abs(low_ic_s[None, :] - raw["ic_s"].to_numpy()[:, None])
    match = near.argmin(axis=1)
    ok = near.min(axis=1) < max_ic_distance_s
    events = ["ic_s", "to_s"]
    shift = low.iloc[match[ok]][events].to_numpy() - raw.loc[ok, events].to_numpy()
    return pd.DataFrame(shift * 1e3, columns=["ic_shift_ms", "to_shift_ms"])
