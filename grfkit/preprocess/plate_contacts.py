"""Plate contacts, each flagged clean or rejected with its reasons.

:func:`classify_plate_contacts` detects every contact of every plate (20 N
on the raw force) and applies the rules of a clean contact: not cut by the
recording, no straddle (another plate loaded meanwhile), centre of pressure
away from the plate's edge, the foot outline (:func:`foot_outline`, from the
COP path and the insole size) inside the plate, and agreement in timing and
load with one insole contact, which gives the contact its foot.  Nothing is
dropped silently: the reasons are those of :mod:`grfkit.preprocess.skip_reasons`.
The book's chapter 2 explains each rule and its measured effect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from grfkit.errors import (
    ConfigError,
    LengthMismatchError,
    MissingChannelError,
    NoContactError,
)
from grfkit.preprocess._signals import (
    finite_1d,
    median_interval,
    runs_above,
    threshold_crossings,
)
from grfkit.preprocess.config import ContactConfig
from grfkit.preprocess.events import CONTACT_COLUMNS, detection_force
from grfkit.preprocess.skip_reasons import (
    REASON_CUT,
    REASON_EDGE,
    REASON_FOOT_EDGE,
    REASON_LOAD,
    REASON_MISMATCH,
    REASON_NO_COP,
    REASON_NO_INSOLE,
    REASON_STRADDLE,
)

if TYPE_CHECKING:
    from grfkit.io.schema import Plate

__all__ = [
    "INSOLE_WIDTH_TO_LENGTH",
    "OUTLINE_HEEL_MARGIN_FRAC",
    "OUTLINE_TOE_MARGIN_FRAC",
    "PLATE_CONTACT_COLUMNS",
    "classify_plate_contacts",
    "foot_outline",
    "outline_margin_m",
]

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

#: Heel end of the foot outline behind the rearmost centre of pressure, fraction of the insole length
#: (the heel pad's load centre lies about 15 % of the foot length in front of the heel).
OUTLINE_HEEL_MARGIN_FRAC: float = 0.15
#: Toe end of the foot outline ahead of the foremost centre of pressure, fraction of the insole length
#: (the push-off load centre lies about 10 % of the foot length behind the tip of the toes).
OUTLINE_TOE_MARGIN_FRAC: float = 0.10
#: Insole (foot) width over length, used when the width is not known: adult feet measure 0.35-0.41.
INSOLE_WIDTH_TO_LENGTH: float = 0.38


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
    toe end (the book's chapter 2 explains why).  It spans one insole width
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
        The plate (:class:`grfkit.io.schema.Plate`).

    Returns
    -------
    float
        Metres; NaN for a NaN outline.
    """
    x0, x1, y0, y1 = outline
    return float(min(x0 - plate.x_min_m, plate.x_max_m - x1, y0 - plate.y_min_m, plate.y_max_m - y1))


def classify_plate_contacts(
    force_table: Mapping[str, np.ndarray],
    plates: Sequence[Plate],
    *,
    sampling_rate_hz: float = 1000.0,
    config: ContactConfig = ContactConfig(),
    reference_contacts: Mapping[str, np.ndarray] | None = None,
    insole_length_m: float | None = None,
    insole_width_m: float | None = None,
) -> pd.DataFrame:
    """List every contact of every plate, flagged clean or rejected with the reason.

    The rules (a contact can fail several; reasons joined with ``"; "``):
    cut by the recording; straddle (another plate above threshold during the
    contact); edge (while the plate carries at least ``cop_min_fraction`` of
    the peak, the COP comes within ``edge_margin_m`` of the edge); with
    ``insole_length_m``, the foot outline inside the plate; with
    ``reference_contacts``, one overlapping insole contact whose IC and TO
    agree within ``duration_tolerance_s`` after removing their median
    difference and, if the reference has ``impulse``, a plate-over-insole
    impulse ratio (relative to the bout's median for that foot) of at least
    ``min_load_ratio``.

    Parameters
    ----------
    force_table
        Force table (lab clock; a DataFrame, or a mapping of column name to
        array): ``time_s`` and ``{plate}_fz_n``, ``{plate}_cop_x_m``,
        ``{plate}_cop_y_m`` for each plate.
    plates
        Plate geometry (:class:`grfkit.io.schema.Plate`): name and edges in the lab frame.
    sampling_rate_hz
        Force sampling rate in hertz.
    config
        Thresholds and rules (:class:`grfkit.preprocess.config.ContactConfig`).
    reference_contacts
        Insole contacts already mapped to lab time: columns ``foot``,
        ``ic_s``, ``to_s`` and optionally ``impulse`` (e.g.
        :func:`grfkit.preprocess.insole_contacts.detect_insole_contacts`, times
        mapped with :func:`grfkit.preprocess.synchronisation.insole_to_lab_time`).
        Without it the insole rules are skipped and ``foot`` is ``""``;
        without ``impulse`` the load rule is skipped.
    insole_length_m
        Insole length of the runner, metres: turns on the foot outline rule
        (:func:`foot_outline` from the COP samples the edge rule checks).
        Only for plates the foot stands still on, not a treadmill belt.
    insole_width_m
        Insole width, metres (default :data:`INSOLE_WIDTH_TO_LENGTH` times the length).

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
        If a plate channel, the time column or a reference column is missing.
    NoContactError
        If no plate has any contact (each plate's channel is named).
    DropoutError, UnendedContactError
        As :func:`grfkit.preprocess.events.detect_contacts`, naming the plate channel.
    ConfigError
        If ``insole_length_m`` or ``insole_width_m`` is not a positive number.
    """
    if "time_s" not in force_table:
        raise MissingChannelError("force table has no time column", channel="time_s")
    t = np.asarray(force_table["time_s"], dtype=float)
    names = [p.name for p in plates]
    for name in names:
        for suffix in ("fz_n", "cop_x_m", "cop_y_m"):
            if f"{name}_{suffix}" not in force_table:
                raise MissingChannelError("force table lacks a plate channel", channel=f"{name}_{suffix}")
    reference = None
    if reference_contacts is not None:
        missing = [c for c in ("foot", "ic_s", "to_s") if c not in reference_contacts]
        if missing:
            raise MissingChannelError("reference contacts lack a column", channel=missing[0])
        reference = {
            "foot": np.array([str(foot) for foot in reference_contacts["foot"]], dtype=object),
            "ic_s": np.asarray(reference_contacts["ic_s"], dtype=float),
            "to_s": np.asarray(reference_contacts["to_s"], dtype=float),
        }
        if "impulse" in reference_contacts:
            reference["impulse"] = np.asarray(reference_contacts["impulse"], dtype=float)
    if insole_length_m is not None:
        width_m = INSOLE_WIDTH_TO_LENGTH * insole_length_m if insole_width_m is None else insole_width_m
        _check_outline_sizes(insole_length_m, width_m, OUTLINE_HEEL_MARGIN_FRAC, OUTLINE_TOE_MARGIN_FRAC)
    c = config
    cop = {name: tuple(np.asarray(force_table[f"{name}_cop_{axis}_m"]) for axis in "xy") for name in names}
    period_s = median_interval(t)
    loads = {}
    parts = []
    for plate in plates:
        channel = f"{plate.name}_fz_n"
        fz = finite_1d(force_table[channel], channel)
        fz = detection_force(fz, c.threshold_n, sampling_rate_hz, c.detection_cutoff_hz, c.remove_offset, channel)
        loads[plate.name] = fz
        try:
            found = threshold_crossings(
                fz, t, c.threshold_n, 0.0, c.min_contact_s, c.min_flight_s, c.max_contact_s, channel, "N", period_s
            )
        except NoContactError:
            continue
        parts.append((plate.name, found))
    if not parts:
        raise NoContactError(
            f"no plate rises above {c.threshold_n:g} N for {c.min_contact_s:g} s",
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
        run_starts, run_ends = runs_above(loads[name], c.threshold_n)
        if len(run_starts) == 0:
            others_loaded[name] = np.zeros(len(first), dtype=bool)
            continue
        k = np.searchsorted(run_ends, first)  # the first run ending at or after the contact's first sample
        others_loaded[name] = (k < len(run_starts)) & (run_starts[np.minimum(k, len(run_starts) - 1)] <= last)
    for i, own in enumerate(table["plate"]):
        involved = [name for name in names if name != own and others_loaded[name][i]]
        if involved:
            reasons[i].append(f"{REASON_STRADDLE}: " + "+".join(sorted([own, *involved])))

    # (b) edge: COP distance to the plate's edge while loaded; (b') the foot outline from the COP path
    by_name = {p.name: p for p in plates}
    edge = np.full(n, np.nan)
    outline = np.full(n, np.nan)
    for i, (own, a, b, peak) in enumerate(zip(table["plate"], first, last, table["peak_force_n"], strict=True)):
        window = slice(a, b + 1)
        loaded = loads[own][window] >= c.cop_min_fraction * peak
        cop_x, cop_y = (np.asarray(values[window], dtype=float)[loaded] for values in cop[own])
        distance = _edge_distance_m(cop_x, cop_y, by_name[own])
        if np.all(np.isnan(distance)):
            reasons[i].append(REASON_NO_COP)
            continue
        edge[i] = np.nanmin(distance)
        if edge[i] < c.edge_margin_m:
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
        _match_insole(table, reference, reasons, c.duration_tolerance_s, c.min_load_ratio)

    reason = np.array(["; ".join(r) for r in reasons], dtype=object)
    table["clean"] = reason == ""
    table["reason"] = reason
    return pd.DataFrame({column: table[column] for column in PLATE_CONTACT_COLUMNS})


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
