"""Foot contacts from force and insole signals: initial contact, toe-off, clean plate contacts.

Event definition
----------------
Initial contact (IC) and toe-off (TO) are the times the vertical force
crosses 20 N upwards and downwards (the study's definition).  Each crossing is
placed between the two samples that straddle the threshold by linear
interpolation, so the event times are not rounded to the 1 ms sample grid.

Raw or filtered force?
----------------------
The study low-pass filters the force at 20 Hz (zero lag) and detects contacts
with a 20 N threshold.  The force rises from zero to 20 N within about a
millisecond of touch-down (slope at contact onset: tens of N/ms), so this
onset is a corner with energy far above 20 Hz.  A zero-lag filter is
non-causal: it spreads the corner symmetrically, so the filtered force
already exceeds 20 N *before* the foot touches the plate, and it stays above
20 N after the foot has left.  On a typical running contact (200-300 ms,
1500-2500 N peak) the 20 Hz filtered crossings come about 5 ms early at IC
(up to 7-8 ms) and 4-5 ms late at TO (synthetic half-sine contacts with an
impact peak; ``tests/test_events.py`` checks it and the notebook shows it),
and the filter's ringing dips below zero around the contact.  The ground truth of grfkit
defines IC/TO as the 20 N crossings of the noise-free *unfiltered* force.
Plate noise is a few newtons, well below 20 N, so grfkit detects on the raw
force by default (``detection_cutoff_hz=None``): the timing error is then the
noise divided by the force slope, a fraction of a millisecond.  Short noise
excursions are handled by minimum durations (debouncing): crossings closer
than ``min_flight_s`` are merged into one contact, and contacts shorter than
``min_contact_s`` are dropped.  The channel's zero offset (a few newtons on
real and simulated plates) is removed first (:func:`unloaded_level`).

For a noisier force (e.g. a treadmill with belt vibration) pass a cutoff
well above the force content: on the same synthetic contacts 150 Hz shifts
the crossings by about 0.1 ms, 100 Hz by 0.3 ms and 50 Hz by 1.1 ms, against
0.02 ms on the raw force with 3 N noise.  The 20 Hz filter is for the force
*curves*, not for the events.

No threshold undoes the dynamics of the instrument itself: an instrumented
treadmill whose frame resonates at a low frequency (the simulated one: 45 Hz,
damping ratio 0.12) delays the measured force, so its 20 N crossings come
about 2.4 ms late at IC and 0.7 ms late at TO against the force the foot
applies.

Clean plate contacts
--------------------
:func:`classify_plate_contacts` lists every contact of every plate with a
``clean`` flag and a ``reason``; nothing is dropped silently.  Rules (a contact
can fail several; reasons are joined with ``"; "``):

``"cut at recording start/end"``
    The force is already above threshold at the first sample or still above
    at the last: IC or TO is unknown.
``"straddle: plate2+plate3"``
    Another plate exceeds the threshold at some sample between this contact's
    IC and TO: the foot (or the other foot) loads two plates, and neither
    plate measures the whole foot.  Both contacts are rejected.
``"edge"``
    While the plate carries at least ``cop_min_fraction`` of the contact's
    peak force, its centre of pressure comes within ``edge_margin_m`` of the
    plate's edge (or outside it): part of the footprint may be off the plate.
    (``"no centre of pressure"`` when the COP channels are NaN throughout.)
``"foot near plate edge"``
    Only with ``insole_length_m`` (the participant's insole length): the
    outline of the foot, estimated from the plate's centre-of-pressure path
    (:func:`foot_outline`), must lie inside the plate.  The COP is the centre
    of the load, so it always lies some way inside the sole: the ``"edge"``
    rule above only sees a footprint over the edge once the load centre
    itself nears the edge, and a heel or toes over the edge with the COP
    3 cm inside passes it while the plate misses the load on the floor.  The
    outline runs along the running direction (+x of the lab frame) from
    the heel end to :data:`OUTLINE_TOE_MARGIN_FRAC` of the insole length
    ahead of the foremost COP, and across it one insole width
    (``insole_width_m``, else :data:`INSOLE_WIDTH_TO_LENGTH` times the
    length) centred on the median COP.  The heel end is the rearmost of
    two estimates: :data:`OUTLINE_HEEL_MARGIN_FRAC` of the length behind
    the rearmost COP, and one insole length behind the toe end.  The
    margins come from the foot, not from any data set: the load centre at
    push-off (first metatarsal head and hallux), where every strike type
    ends its stance, lies about 10 % of the foot length behind the tip of
    the toes, and the load centre of the heel pad (under the calcaneal
    tuberosity, where a rear-foot strike lands) about 15 % in front of the
    heel.  The second heel estimate places the whole insole: the
    rearmost COP of a mid- or fore-foot strike lies far in front of the
    heel, and even a rear-foot strike's COP has moved forward by the time
    the force reaches ``cop_min_fraction`` of its peak, while a heel over
    the edge still takes some load off the plate.  Only for a plate the
    foot stands still on (overground): on a treadmill belt the COP travels
    with the belt.  Measured on the simulated ci and book cohorts (seed 0, the
    simulator of 26 Nov 2026 with the steady-speed plate row): of the
    accepted left-foot overground stances, 5 of 74 (ci) and 8 of 139
    (book) were edge contacts by the truth, missing a median 3.3-3.4 % (largest
    7.6 %) of the foot's impulse; with the rule none of 68 and 125 are, at
    the cost of 1 of 69 and 4 of 129 truly clean contacts (outlines
    estimated 1-14 mm over the edge).
``"no matching insole contact"`` / ``"duration mismatch with insole contact"``
    Only with ``reference_contacts`` (insole contacts in lab time).  Every
    plate contact must overlap one insole contact, which gives it its
    ``foot``.  A footprint partly off the plate loads it for only part of the
    stance: its IC is late (heel off the plate) or its TO early (toes off).
    So plate and insole IC, and plate and insole TO, must agree within
    ``duration_tolerance_s`` after removing their typical (median)
    difference, which absorbs the systematic offset between an FSR threshold
    and a 20 N threshold.  The median is taken per foot over the contacts not
    rejected by the rules above, over both feet's when one foot has fewer
    than 3 of them.
``"load deficit against insole contact"``
    Only when the reference contacts carry an ``impulse`` (as
    :func:`detect_insole_contacts` gives).  A footprint partly off the plate
    for the whole stance (heel, toes or one side over the edge) keeps the
    timing but puts only part of the load the insole feels on the plate.
    The ratio of plate impulse to insole impulse, relative to its median over
    the bout's other contacts of that foot, must be at least
    ``min_load_ratio`` (the insole's non-linearity is absorbed by comparing
    contacts of similar load within one bout).

Measured on bouts of :mod:`grfkit.simulate` with the defaults (18
overground bouts of 60 s, 6 participants, sync by
:func:`grfkit.preprocess.synchronisation.synchronise_clocks`, insole contacts by
:func:`detect_insole_contacts`): all 107 truly clean plate contacts accepted
with the right foot, IC and TO within 0.05 and 0.10 ms of the truth (median;
95th percentiles 0.23 and 0.29 ms); 111 of the 122 contacts the generator
marks unclean rejected.  The 11 accepted ones kept 87-99.7 % of the foot's
impulse on one plate (a shoe outline over an edge with little load on it,
or a straddle with under 1 % on the second plate, below 20 N).  Clean
contacts' COP came no closer than 3 cm to an edge, their timing differences
stayed within 2 ms of the median and their load ratio above 0.95.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from grfkit.errors import (
    ConfigError,
    DropoutError,
    LengthMismatchError,
    MissingChannelError,
    NoContactError,
    UnendedContactError,
)
from grfkit.io.channels import FEET, fsr_channels
from grfkit.preprocess.filtering import lowpass_zero_lag

if TYPE_CHECKING:
    from grfkit.io.rawdata import Plate

__all__ = [
    "CONTACT_COLUMNS",
    "PLATE_CONTACT_COLUMNS",
    "REASON_FOOT_EDGE",
    "OUTLINE_HEEL_MARGIN_FRAC",
    "OUTLINE_TOE_MARGIN_FRAC",
    "INSOLE_WIDTH_TO_LENGTH",
    "foot_outline",
    "outline_margin_m",
    "detect_contacts",
    "unloaded_level",
    "detect_load_contacts",
    "load_levels",
    "detect_insole_contacts",
    "classify_plate_contacts",
]

#: Columns of the tables returned by :func:`detect_contacts` and :func:`detect_load_contacts`.
CONTACT_COLUMNS: tuple[str, ...] = ("ic_s", "to_s", "ic_index", "to_index", "complete", "peak", "impulse")

#: Columns of the table returned by :func:`classify_plate_contacts`.
PLATE_CONTACT_COLUMNS: tuple[str, ...] = (
    "plate",
    "ic_s",
    "to_s",
    "ic_index",
    "to_index",
    "complete",
    "peak_force_n",
    "impulse_n_s",
    "edge_distance_m",
    "outline_margin_m",
    "foot",
    "insole_ic_s",
    "insole_to_s",
    "load_ratio",
    "clean",
    "reason",
)

REASON_CUT = "cut at recording start/end"
_STATISTICS_STRIDE = 8
REASON_EDGE = "edge"
REASON_NO_INSOLE = "no matching insole contact"
REASON_MISMATCH = "duration mismatch with insole contact"
REASON_LOAD = "load deficit against insole contact"
#: Reason recorded when the foot outline estimated from the COP path is not inside the plate.
REASON_FOOT_EDGE = "foot near plate edge"
#: Heel end of the foot outline behind the rearmost centre of pressure, fraction of the insole length.
OUTLINE_HEEL_MARGIN_FRAC: float = 0.15
#: Toe end of the foot outline ahead of the foremost centre of pressure, fraction of the insole length.
OUTLINE_TOE_MARGIN_FRAC: float = 0.10
#: Insole (foot) width over length, used when the width is not known: adult feet measure 0.35-0.41.
INSOLE_WIDTH_TO_LENGTH: float = 0.38


def _time_axis(
    n: int, sampling_rate_hz: float, time_s: np.ndarray | None, start_s: float, channel: str | None
) -> np.ndarray:
    if not sampling_rate_hz > 0:
        raise ConfigError(f"sampling_rate_hz must be positive, got {sampling_rate_hz}")
    if time_s is None:
        return start_s + np.arange(n) / sampling_rate_hz
    t = np.asarray(time_s, dtype=float)
    if t.shape != (n,):
        raise LengthMismatchError(f"time has {t.size} samples but the signal has {n}", channel=channel)
    return t


def _threshold_contacts(
    x: np.ndarray,
    t: np.ndarray,
    threshold: float,
    rest: float,
    min_contact_s: float,
    min_flight_s: float,
    max_contact_s: float,
    channel: str | None,
    unit: str,
) -> pd.DataFrame:
    """Debounced threshold crossings of ``x`` (finite, 1-D) on the time axis ``t``; impulses above ``rest``."""
    return pd.DataFrame(
        _threshold_crossings(x, t, threshold, rest, min_contact_s, min_flight_s, max_contact_s, channel, unit)
    )


def _median_interval(t: np.ndarray) -> float:
    """Typical sample interval of a time axis (the period the impulses are integrated with)."""
    return float(np.median(np.diff(t))) if len(t) > 1 else 0.0


def _runs_above(x: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """First and last sample of each run of samples above ``threshold`` (before any debouncing)."""
    above = x > threshold
    change = np.flatnonzero(above[1:] != above[:-1])  # the sample before each change
    rising = above[change + 1]
    starts = change[rising] + 1  # first sample above
    ends = change[~rising]  # last sample above
    if len(x) and above[0]:
        starts = np.r_[0, starts]
    if len(x) and above[-1]:
        ends = np.r_[ends, len(x) - 1]
    return starts, ends


def _threshold_crossings(
    x: np.ndarray,
    t: np.ndarray,
    threshold: float,
    rest: float,
    min_contact_s: float,
    min_flight_s: float,
    max_contact_s: float,
    channel: str | None,
    unit: str,
    period_s: float | None = None,
) -> dict[str, np.ndarray]:
    """:func:`_threshold_contacts` as columns (:data:`CONTACT_COLUMNS`).

    ``period_s`` is ``_median_interval(t)`` when the caller knows it already.
    """
    n = len(x)
    starts, ends = _runs_above(x, threshold)
    if len(starts) == 0:
        peak = float(np.max(x)) if n else float("nan")
        raise NoContactError(
            f"never rises above the contact threshold {threshold:g} {unit} (maximum {peak:g} {unit})", channel=channel
        )

    # sub-sample crossing times; NaN where the contact is cut by the recording's edge
    ic = np.full(len(starts), np.nan)
    inner = starts > 0
    k = starts[inner]
    ic[inner] = t[k - 1] + (threshold - x[k - 1]) / (x[k] - x[k - 1]) * (t[k] - t[k - 1])
    to = np.full(len(ends), np.nan)
    inner = ends < n - 1
    k = ends[inner]
    to[inner] = t[k] + (x[k] - threshold) / (x[k] - x[k + 1]) * (t[k + 1] - t[k])

    # debounce 1: merge contacts separated by less than min_flight_s
    gaps = ic[1:] - to[:-1]
    new = np.r_[True, ~(gaps < min_flight_s)]
    first = np.flatnonzero(new)
    last = np.r_[first[1:] - 1, len(starts) - 1]
    starts, ends, ic, to = starts[first], ends[last], ic[first], to[last]

    # debounce 2: drop excursions shorter than min_contact_s (measured on samples when cut)
    span_s = np.where(np.isnan(to) | np.isnan(ic), t[ends] - t[starts], to - ic)
    keep = span_s >= min_contact_s
    starts, ends, ic, to, span_s = starts[keep], ends[keep], ic[keep], to[keep], span_s[keep]
    if len(starts) == 0:
        raise NoContactError(
            f"only excursions shorter than {min_contact_s:g} s above the contact threshold {threshold:g} {unit}",
            channel=channel,
        )
    too_long = np.flatnonzero(span_s > max_contact_s)
    if len(too_long):
        j = too_long[0]
        until = ", until the end of the recording" if ends[j] == n - 1 else ""
        raise UnendedContactError(
            f"contact from t={t[starts[j]]:.3f} s stays above {threshold:g} {unit} for {span_s[j]:.3f} s "
            f"(longer than max_contact_s={max_contact_s:g} s{until})",
            channel=channel,
        )
    # reductions over [start, end] of each contact, on the contacts' samples laid end to end
    lengths = ends + 1 - starts
    first = np.cumsum(lengths) - lengths
    samples = np.arange(lengths.sum()) + np.repeat(starts - first, lengths)
    inside = x[samples]
    peaks = np.maximum.reduceat(inside, first)
    if period_s is None:
        period_s = _median_interval(t)
    impulses = np.add.reduceat(inside - rest, first) * period_s
    return {
        "ic_s": ic,
        "to_s": to,
        "ic_index": starts.astype(np.int64),
        "to_index": ends.astype(np.int64),
        "complete": ~(np.isnan(ic) | np.isnan(to)),
        "peak": peaks,
        "impulse": impulses,
    }


def _finite_1d(signal: np.ndarray, channel: str | None) -> np.ndarray:
    x = np.asarray(signal, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"signal must be 1-D, got shape {x.shape}")
    bad = ~np.isfinite(x)
    if bad.any():
        raise DropoutError(
            f"{int(bad.sum())} non-finite samples (first at sample {int(np.argmax(bad))})", channel=channel
        )
    return x


def detect_contacts(
    vertical_force_n: np.ndarray,
    sampling_rate_hz: float,
    threshold_n: float = 20.0,
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
        cutoff; default ``None`` detects on the raw force (see the module notes:
        a 20 Hz filter moves the crossings several ms outwards).
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
    x = _finite_1d(vertical_force_n, channel)
    t = _time_axis(len(x), sampling_rate_hz, time_s, start_s, channel)
    x = _detection_force(x, threshold_n, sampling_rate_hz, detection_cutoff_hz, remove_offset, channel)
    return _threshold_contacts(x, t, threshold_n, 0.0, min_contact_s, min_flight_s, max_contact_s, channel, "N")


def unloaded_level(force_n: np.ndarray, threshold_n: float = 20.0) -> float:
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
    sample = np.asarray(force_n, dtype=float)[::_STATISTICS_STRIDE]
    below = sample[sample < threshold_n]
    return float(np.median(below)) if below.size else 0.0


def _detection_force(
    x: np.ndarray,
    threshold_n: float,
    sampling_rate_hz: float,
    cutoff_hz: float | None,
    remove_offset: bool,
    channel: str | None,
) -> np.ndarray:
    """The force as contacts are detected on it: zero offset removed, optionally low-pass filtered."""
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
    x = _finite_1d(load, channel)
    t = _time_axis(len(x), sampling_rate_hz, time_s, start_s, channel)
    rest, threshold = load_levels(x, threshold_fraction, channel=channel)
    return _threshold_contacts(x, t, threshold, rest, min_contact_s, min_flight_s, max_contact_s, channel, "units")


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
    sample = x[::_STATISTICS_STRIDE]
    floor, top = np.percentile(sample, [5.0, 99.0])
    if not top > floor:
        raise NoContactError(f"load is flat (5th and 99th percentiles both {floor:g}): no contacts", channel=channel)
    steps = np.abs(x[1::_STATISTICS_STRIDE] - x[:-1:_STATISTICS_STRIDE])
    noise = 1.4826 * float(np.median(steps)) / np.sqrt(2.0) if len(steps) else 0.0
    threshold = float(floor + max(threshold_fraction * (top - floor), 5.0 * noise))
    return float(np.median(sample[sample <= threshold])), threshold


def detect_insole_contacts(
    insole_table: pd.DataFrame,
    sampling_rate_hz: float = 1000.0,
    threshold_fraction: float = 0.05,
    *,
    feet: Sequence[str] = FEET,
    time_column: str = "time_s",
    min_contact_s: float = 0.05,
    min_flight_s: float = 0.01,
    max_contact_s: float = 1.0,
) -> pd.DataFrame:
    """Contacts of each foot from the sum of its insole's 16 FSR channels.

    Parameters
    ----------
    insole_table
        Insole table (insole clock): ``time_column`` and the FSR channels of ``feet``.
    sampling_rate_hz
        Nominal insole sampling rate in hertz.
    threshold_fraction
        Relative threshold, see :func:`detect_load_contacts`.
    feet
        Feet to process.
    time_column
        Name of the time column.
    min_contact_s, min_flight_s, max_contact_s
        As for :func:`detect_contacts`.

    Returns
    -------
    pandas.DataFrame
        Columns ``foot`` plus :data:`CONTACT_COLUMNS`, times on the insole
        clock (map them with :func:`grfkit.preprocess.synchronisation.insole_to_lab_time`),
        sorted by ``ic_index``.

    Raises
    ------
    MissingChannelError
        If an FSR or the time column is missing.
    DropoutError, NoContactError, UnendedContactError
        As :func:`detect_load_contacts`, naming the foot.
    """
    if time_column not in insole_table.columns:
        raise MissingChannelError("insole table has no time column", channel=time_column)
    t = insole_table[time_column].to_numpy(dtype=float)
    loads = {}
    for foot in feet:
        columns = fsr_channels(foot)
        missing = [c for c in columns if c not in insole_table.columns]
        if missing:
            raise MissingChannelError(f"insole table lacks {len(missing)} FSR channels", channel=missing[0])
        loads[foot] = insole_table[columns].to_numpy(dtype=float).sum(axis=1)
    return pd.DataFrame(
        _insole_contacts(
            t,
            loads,
            sampling_rate_hz,
            threshold_fraction,
            min_contact_s=min_contact_s,
            min_flight_s=min_flight_s,
            max_contact_s=max_contact_s,
        )
    )


def _insole_contacts(
    time_s: np.ndarray,
    loads: Mapping[str, np.ndarray],
    sampling_rate_hz: float,
    threshold_fraction: float = 0.05,
    *,
    min_contact_s: float = 0.05,
    min_flight_s: float = 0.01,
    max_contact_s: float = 1.0,
    period_s: float | None = None,
) -> dict[str, np.ndarray]:
    """:func:`detect_insole_contacts` (as columns) from each foot's summed FSR load (foot -> 1-D load, in order).

    ``period_s`` is the median sample interval of ``time_s`` when already known.
    """
    parts = []
    for foot, load in loads.items():
        channel = f"{foot}_fsr*_adc (sum)"
        x = _finite_1d(load, channel)
        t = _time_axis(len(x), sampling_rate_hz, time_s, 0.0, channel)
        rest, threshold = load_levels(x, threshold_fraction, channel=channel)
        found = _threshold_crossings(
            x, t, threshold, rest, min_contact_s, min_flight_s, max_contact_s, channel, "units", period_s
        )
        if period_s is None:
            period_s = _median_interval(t)
        parts.append((foot, found))
    order = np.argsort(np.concatenate([found["ic_index"] for _, found in parts]), kind="stable")
    columns: dict[str, np.ndarray] = {
        "foot": np.concatenate([np.full(len(found["ic_s"]), foot, dtype=object) for foot, found in parts])[order]
    }
    for column in CONTACT_COLUMNS:
        columns[column] = np.concatenate([found[column] for _, found in parts])[order]
    return columns


def _edge_distance_m(cop_x: np.ndarray, cop_y: np.ndarray, plate: Plate) -> np.ndarray:
    """Distance of each COP sample to the nearest edge of the plate (negative outside)."""
    return np.minimum.reduce(
        [cop_x - plate.x_min_m, plate.x_max_m - cop_x, cop_y - plate.y_min_m, plate.y_max_m - cop_y]
    )


def foot_outline(
    cop_x_m: np.ndarray,
    cop_y_m: np.ndarray,
    insole_length_m: float,
    insole_width_m: float | None = None,
    *,
    heel_margin_frac: float = OUTLINE_HEEL_MARGIN_FRAC,
    toe_margin_frac: float = OUTLINE_TOE_MARGIN_FRAC,
) -> tuple[float, float, float, float]:
    """Outline of the loaded foot on a plate, estimated from the centre-of-pressure path.

    The foot points in +x (the running direction of the lab frame).  The
    outline's toe end lies ``toe_margin_frac`` of the insole length ahead of
    the foremost COP; its heel end is the rearmost of ``heel_margin_frac``
    of the length behind the rearmost COP and one insole length behind the
    toe end (see the module notes for why).  It spans one insole width
    centred on the median COP across the runway.

    Parameters
    ----------
    cop_x_m, cop_y_m
        Centre of pressure while the plate is loaded, lab metres (NaN samples are ignored).
    insole_length_m
        Insole (shoe) length of the participant, metres.
    insole_width_m
        Insole width, metres; default :data:`INSOLE_WIDTH_TO_LENGTH` times the length.
    heel_margin_frac, toe_margin_frac
        Outline ends behind the rearmost and ahead of the foremost COP, fractions of the length.

    Returns
    -------
    tuple of float
        ``(x_min_m, x_max_m, y_min_m, y_max_m)``; all NaN when no COP sample is finite.

    Raises
    ------
    ConfigError
        If the length, the width or a margin is not a positive finite number (margins may be 0).
    LengthMismatchError
        If the two COP arrays differ in length.

    Examples
    --------
    >>> x0, x1, y0, y1 = foot_outline(np.array([0.30, 0.40, 0.50]), np.zeros(3), 0.26, 0.10)
    >>> round(x0, 3), round(x1, 3), round(y0, 3), round(y1, 3)
    (0.261, 0.526, -0.05, 0.05)
    >>> round(foot_outline(np.array([0.30, 0.35]), np.zeros(2), 0.26, 0.10)[0], 3)  # a short path: whole insole
    0.116
    """
    x = np.asarray(cop_x_m, dtype=float).ravel()
    y = np.asarray(cop_y_m, dtype=float).ravel()
    if x.shape != y.shape:
        raise LengthMismatchError(f"cop_x_m has {x.size} samples but cop_y_m has {y.size}")
    width = INSOLE_WIDTH_TO_LENGTH * insole_length_m if insole_width_m is None else insole_width_m
    _check_outline_sizes(insole_length_m, width, heel_margin_frac, toe_margin_frac)
    return _outline(x, y, insole_length_m, width, heel_margin_frac, toe_margin_frac)


def _check_outline_sizes(length_m: float, width_m: float, heel_frac: float, toe_frac: float) -> None:
    for name, value, positive in (("insole_length_m", length_m, True), ("insole_width_m", width_m, True),
                                  ("heel_margin_frac", heel_frac, False), ("toe_margin_frac", toe_frac, False)):
        value = float(value)
        if not np.isfinite(value) or value < 0 or (positive and value == 0):
            raise ConfigError(f"{name} must be a {'positive' if positive else 'non-negative'} number, got {value}")


def _outline(
    x: np.ndarray, y: np.ndarray, length_m: float, width_m: float, heel_frac: float, toe_frac: float
) -> tuple[float, float, float, float]:
    """:func:`foot_outline` of checked float arrays and sizes."""
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return (np.nan, np.nan, np.nan, np.nan)
    centre_y = float(np.median(y[ok]))
    toe = float(np.max(x[ok])) + toe_frac * length_m
    heel = min(float(np.min(x[ok])) - heel_frac * length_m, toe - length_m)
    return (heel, toe, centre_y - width_m / 2, centre_y + width_m / 2)


def outline_margin_m(outline: tuple[float, float, float, float], plate: Plate) -> float:
    """Smallest distance of an outline's sides inside the plate's edges (negative: over the edge).

    Parameters
    ----------
    outline
        ``(x_min_m, x_max_m, y_min_m, y_max_m)``, e.g. from :func:`foot_outline`.
    plate
        The plate (:class:`grfkit.io.rawdata.Plate`).

    Returns
    -------
    float
        Metres; NaN for a NaN outline.
    """
    x0, x1, y0, y1 = outline
    return float(min(x0 - plate.x_min_m, plate.x_max_m - x1, y0 - plate.y_min_m, plate.y_max_m - y1))


def classify_plate_contacts(
    force_table: pd.DataFrame,
    plates: Sequence[Plate],
    *,
    sampling_rate_hz: float = 1000.0,
    threshold_n: float = 20.0,
    reference_contacts: pd.DataFrame | None = None,
    edge_margin_m: float = 0.02,
    cop_min_fraction: float = 0.1,
    insole_length_m: float | None = None,
    insole_width_m: float | None = None,
    duration_tolerance_s: float = 0.005,
    min_load_ratio: float = 0.92,
    min_contact_s: float = 0.05,
    min_flight_s: float = 0.01,
    max_contact_s: float = 1.0,
    detection_cutoff_hz: float | None = None,
    remove_offset: bool = True,
    time_column: str = "time_s",
) -> pd.DataFrame:
    """List every contact of every plate, flagged clean or rejected with the reason.

    The rules are described in the module notes: cut by the recording, straddle
    (another plate loaded during the contact), edge (COP near the plate's
    edge), with ``insole_length_m`` the foot outline inside the plate and,
    with ``reference_contacts``, agreement with one insole contact.

    Parameters
    ----------
    force_table
        Force table (lab clock): ``time_column`` and ``{plate}_fz_n``,
        ``{plate}_cop_x_m``, ``{plate}_cop_y_m`` for each plate.
    plates
        Plate geometry (:class:`grfkit.io.rawdata.Plate`): name and edges in the lab frame.
    sampling_rate_hz
        Force sampling rate in hertz.
    threshold_n
        Contact threshold in newtons.
    reference_contacts
        Insole contacts already mapped to lab time: columns ``foot``,
        ``ic_s``, ``to_s`` and optionally ``impulse`` (e.g.
        :func:`detect_insole_contacts`, times mapped with
        :func:`grfkit.preprocess.synchronisation.insole_to_lab_time`).  Without it the
        insole rules are skipped and ``foot`` is ``""``; without ``impulse``
        the load rule is skipped.
    edge_margin_m
        Smallest accepted distance of the COP from the plate's edge, metres.
    cop_min_fraction
        The COP is checked where the force is at least this fraction of the
        contact's peak (it is meaningless at low force).
    insole_length_m
        Insole length of the runner, metres: turns on the foot outline rule
        (:func:`foot_outline` from the COP samples the edge rule checks).
        Only for plates the foot stands still on, not a treadmill belt.
    insole_width_m
        Insole width, metres (default :data:`INSOLE_WIDTH_TO_LENGTH` times the length).
    duration_tolerance_s
        Largest accepted deviation of the plate-minus-insole IC (and TO)
        difference from its median over the bout's contacts, seconds (see
        the module notes).
    min_load_ratio
        Smallest accepted ratio of the plate's impulse to the matched insole
        contact's ``impulse`` (if ``reference_contacts`` has that column),
        relative to its median over the bout, per foot.
    min_contact_s, min_flight_s, max_contact_s, detection_cutoff_hz, remove_offset
        As for :func:`detect_contacts`.
    time_column
        Name of the time column.

    Returns
    -------
    pandas.DataFrame
        One row per plate contact, in time order, with :data:`PLATE_CONTACT_COLUMNS`:
        ``plate``, ``ic_s``, ``to_s`` (lab seconds, NaN when cut),
        ``ic_index``, ``to_index`` (rows of ``force_table``), ``complete``,
        ``peak_force_n``, ``impulse_n_s``, ``edge_distance_m`` (smallest COP
        distance to the edge while loaded), ``outline_margin_m``
        (:func:`outline_margin_m` of the foot outline; NaN without
        ``insole_length_m``), ``foot`` (from the matched insole
        contact, else ``""``), ``insole_ic_s``, ``insole_to_s`` (matched
        insole contact, lab seconds, else NaN), ``load_ratio`` (plate over
        insole impulse relative to the bout's median for that foot, else
        NaN), ``clean`` and ``reason`` (``""`` when clean).

    Raises
    ------
    MissingChannelError
        If a plate channel or the time column is missing.
    NoContactError
        If no plate has any contact (each plate's channel is named).
    DropoutError, UnendedContactError
        As :func:`detect_contacts`, naming the plate channel.
    ConfigError
        If ``insole_length_m`` or ``insole_width_m`` is not a positive number.
    """
    if time_column not in force_table.columns:
        raise MissingChannelError("force table has no time column", channel=time_column)
    t = force_table[time_column].to_numpy(dtype=float)
    names = [p.name for p in plates]
    for name in names:
        for suffix in ("fz_n", "cop_x_m", "cop_y_m"):
            if f"{name}_{suffix}" not in force_table.columns:
                raise MissingChannelError("force table lacks a plate channel", channel=f"{name}_{suffix}")
    reference = None
    if reference_contacts is not None:
        missing = [c for c in ("foot", "ic_s", "to_s") if c not in reference_contacts.columns]
        if missing:
            raise MissingChannelError("reference contacts lack a column", channel=missing[0])
        reference = {
            "foot": reference_contacts["foot"].astype(str).to_numpy(dtype=object),
            "ic_s": reference_contacts["ic_s"].to_numpy(dtype=float),
            "to_s": reference_contacts["to_s"].to_numpy(dtype=float),
        }
        if "impulse" in reference_contacts.columns:
            reference["impulse"] = reference_contacts["impulse"].to_numpy(dtype=float)
    columns = _classify_plate_contacts(
        t,
        {name: force_table[f"{name}_fz_n"].to_numpy() for name in names},
        {name: tuple(force_table[f"{name}_cop_{axis}_m"].to_numpy() for axis in "xy") for name in names},
        plates,
        sampling_rate_hz=sampling_rate_hz,
        threshold_n=threshold_n,
        reference=reference,
        edge_margin_m=edge_margin_m,
        cop_min_fraction=cop_min_fraction,
        insole_length_m=insole_length_m,
        insole_width_m=insole_width_m,
        duration_tolerance_s=duration_tolerance_s,
        min_load_ratio=min_load_ratio,
        min_contact_s=min_contact_s,
        min_flight_s=min_flight_s,
        max_contact_s=max_contact_s,
        detection_cutoff_hz=detection_cutoff_hz,
        remove_offset=remove_offset,
    )
    return pd.DataFrame(columns)


def _classify_plate_contacts(
    t: np.ndarray,
    fz_n: Mapping[str, np.ndarray],
    cop_m: Mapping[str, tuple[np.ndarray, np.ndarray]],
    plates: Sequence[Plate],
    *,
    sampling_rate_hz: float = 1000.0,
    threshold_n: float = 20.0,
    reference: Mapping[str, np.ndarray] | None = None,
    edge_margin_m: float = 0.02,
    cop_min_fraction: float = 0.1,
    insole_length_m: float | None = None,
    insole_width_m: float | None = None,
    duration_tolerance_s: float = 0.005,
    min_load_ratio: float = 0.92,
    min_contact_s: float = 0.05,
    min_flight_s: float = 0.01,
    max_contact_s: float = 1.0,
    detection_cutoff_hz: float | None = None,
    remove_offset: bool = True,
    period_s: float | None = None,
) -> dict[str, np.ndarray]:
    """:func:`classify_plate_contacts` on arrays (same defaults): the columns :data:`PLATE_CONTACT_COLUMNS`.

    ``fz_n`` and ``cop_m`` map each plate name to its channels (any numeric
    dtype), ``reference`` holds the insole contacts' ``foot``, ``ic_s``,
    ``to_s`` and optionally ``impulse`` as arrays, ``period_s`` is the median
    sample interval of ``t`` when already known.
    """
    names = [p.name for p in plates]
    if insole_length_m is not None:
        width_m = INSOLE_WIDTH_TO_LENGTH * insole_length_m if insole_width_m is None else insole_width_m
        _check_outline_sizes(insole_length_m, width_m, OUTLINE_HEEL_MARGIN_FRAC, OUTLINE_TOE_MARGIN_FRAC)
    loads = {}
    parts = []
    for plate in plates:
        channel = f"{plate.name}_fz_n"
        fz = _finite_1d(fz_n[plate.name], channel)
        fz = _detection_force(fz, threshold_n, sampling_rate_hz, detection_cutoff_hz, remove_offset, channel)
        loads[plate.name] = fz
        try:
            found = _threshold_crossings(
                fz, t, threshold_n, 0.0, min_contact_s, min_flight_s, max_contact_s, channel, "N", period_s
            )
        except NoContactError:
            continue
        if period_s is None:
            period_s = _median_interval(t)
        parts.append((plate.name, found))
    if not parts:
        raise NoContactError(
            f"no plate rises above {threshold_n:g} N for {min_contact_s:g} s",
            channel="+".join(f"{name}_fz_n" for name in names),
        )
    # in time order (initial contact sample, then plate name)
    rank = {name: k for k, name in enumerate(sorted(names))}
    plate = np.concatenate([np.full(len(found["ic_s"]), name, dtype=object) for name, found in parts])
    found = {key: np.concatenate([f[key] for _, f in parts]) for key in CONTACT_COLUMNS}
    order = np.lexsort((np.array([rank[name] for name in plate], dtype=np.int64), found["ic_index"]))
    table: dict[str, np.ndarray] = {"plate": plate[order]}
    for key, column in (("ic_s", "ic_s"), ("to_s", "to_s"), ("ic_index", "ic_index"), ("to_index", "to_index"),
                        ("complete", "complete"), ("peak", "peak_force_n"), ("impulse", "impulse_n_s")):
        table[column] = found[key][order]
    n = len(order)
    reasons: list[list[str]] = [[] if ok else [REASON_CUT] for ok in table["complete"]]

    # (a) straddle: does a run of samples above threshold of each plate overlap the contact's samples?
    first = table["ic_index"]
    last = table["to_index"]
    others_loaded = {}
    for name in names:
        run_starts, run_ends = _runs_above(loads[name], threshold_n)
        if len(run_starts) == 0:
            others_loaded[name] = np.zeros(len(first), dtype=bool)
            continue
        k = np.searchsorted(run_ends, first)  # the first run ending at or after the contact's first sample
        others_loaded[name] = (k < len(run_starts)) & (run_starts[np.minimum(k, len(run_starts) - 1)] <= last)
    for i, own in enumerate(table["plate"]):
        involved = [name for name in names if name != own and others_loaded[name][i]]
        if involved:
            reasons[i].append("straddle: " + "+".join(sorted([own, *involved])))

    # (b) edge: COP distance to the plate's edge while loaded; (b') the foot outline from the COP path
    by_name = {p.name: p for p in plates}
    edge = np.full(n, np.nan)
    outline = np.full(n, np.nan)
    for i, (own, a, b, peak) in enumerate(zip(table["plate"], first, last, table["peak_force_n"], strict=True)):
        window = slice(a, b + 1)
        loaded = loads[own][window] >= cop_min_fraction * peak
        cop_x, cop_y = (np.asarray(values[window], dtype=float)[loaded] for values in cop_m[own])
        distance = _edge_distance_m(cop_x, cop_y, by_name[own])
        if np.all(np.isnan(distance)):
            reasons[i].append("no centre of pressure")
            continue
        edge[i] = np.nanmin(distance)
        if edge[i] < edge_margin_m:
            reasons[i].append(REASON_EDGE)
        if insole_length_m is not None:
            foot = _outline(cop_x, cop_y, insole_length_m, width_m, OUTLINE_HEEL_MARGIN_FRAC, OUTLINE_TOE_MARGIN_FRAC)
            outline[i] = outline_margin_m(foot, by_name[own])
            if outline[i] < 0:
                reasons[i].append(REASON_FOOT_EDGE)
    table["edge_distance_m"] = edge
    table["outline_margin_m"] = outline

    # (c) agreement with one insole contact
    table["foot"] = np.full(n, "", dtype=object)
    table["insole_ic_s"] = np.full(n, np.nan)
    table["insole_to_s"] = np.full(n, np.nan)
    table["load_ratio"] = np.full(n, np.nan)
    if reference is not None:
        _match_insole(table, reference, reasons, duration_tolerance_s, min_load_ratio)

    reason = np.array(["; ".join(r) for r in reasons], dtype=object)
    table["clean"] = reason == ""
    table["reason"] = reason
    return {column: table[column] for column in PLATE_CONTACT_COLUMNS}


def _typical(values: np.ndarray, same: np.ndarray, plain: np.ndarray, pooled: np.ndarray | None = None) -> float:
    """Typical value of one foot's contacts: the median over a basis chosen in this order.

    The foot's contacts not rejected so far (``same & plain``) if there are
    at least 3; else ``pooled & plain`` (e.g. both feet) if at least 3; else
    the foot's unrejected contacts if any; else all the foot's contacts.
    """
    for basis in (same & plain, None if pooled is None else pooled & plain):
        if basis is not None and np.count_nonzero(basis) >= 3:
            return float(np.median(values[basis]))
    basis = same & plain if np.any(same & plain) else same
    return float(np.median(values[basis]))


def _match_insole(
    table: dict[str, np.ndarray],
    reference: Mapping[str, np.ndarray],
    reasons: list[list[str]],
    tolerance_s: float,
    min_load_ratio: float,
) -> None:
    """Assign each plate contact its insole contact (largest overlap); check timing and load agreement."""
    usable = ~(np.isnan(reference["ic_s"]) | np.isnan(reference["to_s"]))
    ref_ic = reference["ic_s"][usable]
    ref_to = reference["to_s"][usable]
    ref_foot = reference["foot"][usable]
    plate_ic = table["ic_s"]
    plate_to = table["to_s"]
    matched = np.full(len(plate_ic), -1)
    complete = np.flatnonzero(table["complete"])
    if len(ref_ic):
        overlap = np.minimum(ref_to[None, :], plate_to[complete, None]) - np.maximum(
            ref_ic[None, :], plate_ic[complete, None]
        )
        found = overlap.max(axis=1) > 0
        matched[complete[found]] = np.argmax(overlap[found], axis=1)
    for i in complete[matched[complete] < 0]:
        reasons[i].append(REASON_NO_INSOLE)
    has = matched >= 0
    table["foot"][has] = ref_foot[matched[has]]
    table["insole_ic_s"][has] = ref_ic[matched[has]]
    table["insole_to_s"][has] = ref_to[matched[has]]
    d_ic = plate_ic - table["insole_ic_s"]
    d_to = plate_to - table["insole_to_s"]
    ratio = np.full(len(plate_ic), np.nan)
    if "impulse" in reference:
        insole_impulse = reference["impulse"][usable]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio[has] = table["impulse_n_s"][has] / insole_impulse[matched[has]]
    feet = table["foot"]
    for foot in np.unique(feet[has]):
        same = has & (feet == foot)
        plain = np.array([not r for r in reasons], dtype=bool)  # not rejected by the rules so far
        # the timing offset is a property of the two systems, shared by both feet
        late_or_early = (np.abs(d_ic - _typical(d_ic, same, plain, has)) > tolerance_s) | (
            np.abs(d_to - _typical(d_to, same, plain, has)) > tolerance_s
        )
        for i in np.flatnonzero(same & late_or_early):
            reasons[i].append(REASON_MISMATCH)
        if np.isfinite(ratio[same]).any():
            plain = np.array([not r for r in reasons], dtype=bool) & np.isfinite(ratio)
            typical = _typical(ratio, same & np.isfinite(ratio), plain)
            ratio[same] /= typical
            for i in np.flatnonzero(same & (ratio < min_load_ratio)):
                reasons[i].append(REASON_LOAD)
    table["load_ratio"] = ratio
