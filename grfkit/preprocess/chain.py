"""The preprocessing chain: raw recordings → time-normalised stance data set.

One bout at a time (:func:`preprocess_bout`), in the order of the study's
methods:

1. **IMU resampling** 1125 → 1000 Hz, polyphase, on the insole clock
   (:func:`grfkit.preprocess.resampling.resample_poly_array`).
2. **Clock synchronisation**: insole load against total measured vertical
   force (:func:`grfkit.preprocess.synchronisation.synchronise_clocks`) → offset and drift.
3. **Insole contacts** of both feet (:func:`grfkit.preprocess.events.detect_insole_contacts`),
   mapped to lab time: they tell which foot made each plate contact.
4. **Plate contacts**: 20 N initial contact and toe-off on the raw force,
   classified clean or rejected with the reason
   (:func:`grfkit.preprocess.events.classify_plate_contacts`); overground, also the
   foot outline estimated from the plate's centre-of-pressure path and the
   participant's insole size must lie inside the plate
   (:func:`grfkit.preprocess.events.foot_outline`).
5. **Force filtering**: 20 Hz zero-lag Butterworth, two-pass corrected
   (:func:`grfkit.preprocess.filtering.lowpass_zero_lag`), for the force curves.
6. **Speed** from the waist marker around each stance overground
   (:func:`grfkit.preprocess.speed.stance_speed`); the belt speed on the treadmill.
   Overground, each pass over the plate row is a trial, kept only if its
   speed lies within ±5 % of the bout's target, the median speed of its
   passes (:func:`grfkit.preprocess.speed.pass_speed_check`, which states the rule).
7. **Segmentation and time normalisation** of insole, IMU and force to 101
   points between initial contact and toe-off
   (:func:`grfkit.preprocess.segmentation.segment_stances`).  Insole and IMU are cut at
   the event times mapped back to the insole clock.

Every plate contact that does not become a stance is reported with its reason
(right foot, straddle, edge, foot near the plate edge, cut by the recording,
no speed, speed off target, ...) and, where there are figures to give, a
``detail`` (e.g. the pass's speed and the target), and a bout
that fails as a whole (bad file, no sync) is reported with its error, unless
``strict`` asks to stop at the first failure.

Throughput
----------
The chain works on the tables' columns as numpy arrays, converted once
(:func:`preprocess_raw`'s workers read them straight from the files, without
DataFrames, and send back only the stances and the contact table).  The
resampled IMU and the filtered force are needed only around the stances (a
few seconds of a two-minute overground bout), so they are computed only
there: the segmentation reads the samples :func:`grfkit.preprocess.segmentation.segment_rows`
lists, the IMU is resampled at those samples
(:func:`grfkit.preprocess.resampling.resample_poly_at`, bit-for-bit the values of the
whole-signal resampling) and the force is filtered over windows around them
(:func:`grfkit.preprocess.filtering.lowpass_zero_lag_at`, equal to filtering the whole
channel up to rounding, about 1e-12 N).  ``benchmarks/bench_preprocessing.py``
measures the throughput.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from grfkit.constants import GRAVITY_MPS2, N_POINTS
from grfkit.errors import (
    ConfigError,
    EmptyTableError,
    GrfkitError,
    MissingFileError,
    RawDataError,
    SensorFaultError,
    UnendedContactError,
    UnitError,
)
from grfkit.io.channels import (
    FEET,
    IMU_CHANNELS,
    INSOLE_COP_CHANNELS,
    STANCE_SIGNAL_CHANNELS,
    TARGET_CHANNELS,
    fsr_channels,
)
from grfkit.io.insole import insole_cop, total_load
from grfkit.io.read import (
    bout_arrays,
    read_bout_arrays,
    read_bouts,
    read_participants,
)
from grfkit.io.schema import BoutArrays, BoutInfo, RawBout
from grfkit.io.stances import SKIP_COLUMNS, StanceDataset
from grfkit.preprocess.events import (
    REASON_FOOT_EDGE,
    _classify_plate_contacts,
    _insole_contacts,
    _median_interval,
)
from grfkit.preprocess.filtering import lowpass_zero_lag_at
from grfkit.preprocess.resampling import (
    check_uniform_sampling,
    resample_poly_array,
    resample_poly_at,
    resampled_length,
)
from grfkit.preprocess.segmentation import (
    REASON_OUTSIDE_SIGNAL,
    _checked,
    _covered,
    _segment_at_rows,
    _segment_rows_of,
)
from grfkit.preprocess.speed import (
    PASS_GAP_S,
    REASON_SPEED_OFF_TARGET,
    SPEED_TOLERANCE_FRACTION,
    _pass_speed_check,
    _stance_speed,
)
from grfkit.preprocess.synchronisation import (
    ClockSync,
    _synchronise_clocks,
    insole_to_lab_time,
    lab_to_insole_time,
)
from grfkit.progress import progress_bar
from grfkit.storage.atomic import atomic_directory
from grfkit.workers import exit_with_parent

__all__ = [
    "PreprocessConfig",
    "BoutResult",
    "PreprocessResult",
    "preprocess_bout",
    "preprocess_raw",
    "force_to_weight",
    "REASON_OTHER_FOOT",
    "REASON_INSOLE_UNLOADED",
    "SKIPPED_COLUMNS",
]

#: Reason recorded for plate contacts of the foot the models do not use.
REASON_OTHER_FOOT = "other foot (the models use the left insole and left-shoe IMU)"
#: Reason recorded when the insole reads nothing during a plate contact.
REASON_INSOLE_UNLOADED = "insole unloaded during the stance"

#: Columns of the pipeline's table of skipped contacts and bouts: :data:`grfkit.io.stances.SKIP_COLUMNS` and
#: ``detail`` (figures behind the reason, e.g. a pass's speed and the target; ``""`` where there are none).
SKIPPED_COLUMNS: tuple[str, ...] = (*SKIP_COLUMNS, "detail")

#: Columns of the per-bout table of :class:`PreprocessResult`.
BOUT_TABLE_COLUMNS: tuple[str, ...] = (
    "dataset",
    "participant",
    "bout",
    "status",
    "sync_offset_s",
    "sync_drift_ppm",
    "sync_peak_ratio",
    "sync_residual_s",
    "n_plate_contacts",
    "n_stances",
    "duration_s",
    "force_to_weight",
)



@dataclass(frozen=True)
class PreprocessConfig:
    """Settings of the preprocessing chain (defaults follow the study).

    Parameters
    ----------
    sampling_rate_hz
        Common rate of insole, IMU and force after resampling, hertz.
    force_cutoff_hz
        Low-pass cutoff of the force curves, hertz (the study: 20 Hz).
    filter_order
        Butterworth order of one pass (the zero-lag filter doubles it).
    threshold_n
        Initial contact / toe-off threshold, newtons (the study: 20 N).
    detection_cutoff_hz
        Optional low-pass cutoff for event detection; ``None`` detects on
        the raw force (see :mod:`grfkit.preprocess.events` for why).
    edge_margin_m
        Smallest distance of the plate centre of pressure from the plate's
        edge for a clean contact, metres.
    duration_tolerance_s
        Largest disagreement of plate and insole IC (and TO) for a clean
        contact, seconds.
    speed_window_s
        Window centred on a stance over which the waist speed is averaged, seconds.
    speed_tolerance_fraction
        Overground passes whose speed deviates from the bout's target (the
        median of its passes) by more than this fraction are discarded
        (:func:`grfkit.preprocess.speed.pass_speed_check`); ``None`` keeps every pass.
    pass_gap_s
        Plate contacts closer in time than this belong to one pass, seconds.
    foot_outline
        Overground, reject contacts whose foot outline, estimated from the
        plate's centre-of-pressure path and the participant's insole length
        (and ``insole_width_m`` if ``participants.csv`` has it), is not
        inside the plate (:func:`grfkit.preprocess.events.foot_outline`).
    foot
        Foot whose stances are kept (the study: left, where the IMU is).
    force_to_weight_range
        Accepted range of the bout's measured vertical force over the
        participant's body weight (:func:`force_to_weight`); outside it the
        bout fails with :class:`~grfkit.errors.UnitError` (force in kgf, body
        mass in pounds, ...).  ``None`` turns the check off.
    """

    sampling_rate_hz: float = 1000.0
    force_cutoff_hz: float = 20.0
    filter_order: int = 2
    threshold_n: float = 20.0
    detection_cutoff_hz: float | None = None
    edge_margin_m: float = 0.02
    duration_tolerance_s: float = 0.005
    speed_window_s: float = 0.35
    speed_tolerance_fraction: float | None = SPEED_TOLERANCE_FRACTION
    pass_gap_s: float = PASS_GAP_S
    foot_outline: bool = True
    foot: str = "left"
    force_to_weight_range: tuple[float, float] | None = (0.8, 1.25)


@dataclass
class BoutResult:
    """What :func:`preprocess_bout` makes of one bout.

    Parameters
    ----------
    stances
        The bout's stances (possibly empty).
    contacts
        Every plate contact with its classification (columns of
        :data:`grfkit.preprocess.events.PLATE_CONTACT_COLUMNS` plus ``dataset``,
        ``participant``, ``bout``, the speed check's ``pass_index``,
        ``pass_speed_mps``, ``target_speed_mps`` and ``speed_deviation_frac``
        (see :func:`grfkit.preprocess.speed.pass_speed_check`; on the treadmill the
        whole bout is one pass at the belt speed), ``stance`` (kept as a
        stance), ``skip_reason`` and ``skip_detail``).
    sync
        Estimated clock relation.
    """

    stances: StanceDataset
    contacts: pd.DataFrame
    sync: ClockSync


def _empty_stances() -> StanceDataset:
    meta = pd.DataFrame(
        {c: pd.Series(dtype=float if c.endswith(("_s", "_mps", "_deg", "_kg", "_m")) else object)
         for c in _META_ORDER}
    )
    return StanceDataset(
        meta=meta,
        inputs=np.zeros((0, N_POINTS, len(STANCE_SIGNAL_CHANNELS)), dtype=np.float32),
        targets=np.zeros((0, N_POINTS, len(TARGET_CHANNELS)), dtype=np.float32),
        input_channels=STANCE_SIGNAL_CHANNELS,
        target_channels=TARGET_CHANNELS,
    )


_META_ORDER: tuple[str, ...] = (
    "dataset",
    "participant",
    "bout",
    "condition",
    "foot",
    "plate",
    "ic_s",
    "to_s",
    "contact_time_s",
    "speed_mps",
    "gradient_deg",
    "body_mass_kg",
    "insole_length_m",
    "sex",
    "foot_strike",
)


def _fill_nearest(values: np.ndarray) -> np.ndarray | None:
    """Fill NaN along axis 1 of ``(n, points)`` with the nearest valid point; None if a row is all NaN."""
    out = values.copy()
    idx = np.arange(values.shape[1])
    for row in out:
        ok = np.isfinite(row)
        if not ok.any():
            return None
        if not ok.all():
            row[~ok] = np.interp(idx[~ok], idx[ok], row[ok])
    return out


def preprocess_bout(
    bout: RawBout,
    participant: Mapping[str, object],
    config: PreprocessConfig = PreprocessConfig(),
) -> BoutResult:
    """Run the whole chain on one bout.

    Parameters
    ----------
    bout
        The bout's tables (validated by :func:`grfkit.io.read.read_bout`).
    participant
        The participant's row of ``participants.csv`` (``body_mass_kg``,
        ``insole_length_m``, ``sex``, ``foot_strike``, optionally ``insole_width_m``).
    config
        Chain settings.

    Returns
    -------
    BoutResult
        Stances of ``config.foot``, every plate contact with its fate, and the clock sync.

    Raises
    ------
    GrfkitError
        Any typed error of the steps (e.g. :class:`~grfkit.errors.SyncError`
        when the clocks cannot be aligned, :class:`~grfkit.errors.ConfigError`
        naming the bout when the insole size is not a positive number);
        :func:`preprocess_raw` reports it as a skipped bout.
    """
    return _preprocess_bout(bout.info, bout_arrays(bout), participant, config).result()


def _total_counts(fsr_columns: list[np.ndarray]) -> np.ndarray:
    """:func:`grfkit.io.insole.total_load` of one insole's FSR columns, without building the ``(n, 16)`` matrix.

    Integer counts are summed as integers: exact, so equal to the float sum in any order.
    """
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


def _frame(columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """A table of equal-length columns on a default RangeIndex; text columns (object arrays) as ``str``.

    (pandas infers ``str`` for text, but not for an empty column: stating it
    keeps the dtypes of a bout without stances those of any other.)
    """
    n = len(next(iter(columns.values()))) if columns else 0
    return pd.DataFrame(
        {k: pd.array(v, dtype="str") if v.dtype == object else v for k, v in columns.items()},
        index=pd.RangeIndex(n),
    )


@dataclass
class _BoutColumns:
    """What :func:`_preprocess_bout` makes of one bout, as columns (cheap to pass between processes).

    ``meta`` holds the stance metadata columns (:data:`_META_ORDER`),
    ``contacts`` the plate contact columns (as :attr:`BoutResult.contacts`),
    ``force_to_weight`` the ratio of :func:`force_to_weight`.
    """

    meta: dict[str, np.ndarray]
    inputs: np.ndarray
    targets: np.ndarray
    contacts: dict[str, np.ndarray]
    sync: ClockSync
    force_to_weight: float

    def result(self) -> BoutResult:
        stances = StanceDataset(_frame(self.meta), self.inputs, self.targets, STANCE_SIGNAL_CHANNELS,
                                TARGET_CHANNELS)
        return BoutResult(stances=stances, contacts=_frame(self.contacts), sync=self.sync)


def _preprocess_bout(
    info: BoutInfo,
    arrays: BoutArrays,
    participant: Mapping[str, object],
    config: PreprocessConfig,
) -> _BoutColumns:
    """:func:`preprocess_bout` on the bout's required channels as numpy arrays (``arrays``, as read)."""
    rate = config.sampling_rate_hz
    where = f"{info.dataset}/{info.participant}/{info.bout}"
    insole, imu, force = arrays["insole"], arrays["imu"], arrays["force"]

    # 1. IMU onto a 1000 Hz grid of the insole clock: the grid now, the values only where stances need them.
    imu_in_t = np.asarray(imu["time_s"], dtype=float)
    if len(imu_in_t) == 0:
        raise EmptyTableError("table has no rows", channel=f"{where}/imu")
    check_uniform_sampling(imu_in_t, info.imu_rate_hz, name=f"{where}/imu:time_s")
    imu_names = [f"{where}/imu:{c}" for c in IMU_CHANNELS]
    imu_x = np.column_stack([imu[c] for c in IMU_CHANNELS])  # converted to float where used
    if imu_x.dtype.kind not in "fiu" or not np.isfinite(np.add.reduce(imu_x, axis=None)):
        resample_poly_array(imu_x, info.imu_rate_hz, rate, channels=imu_names)  # DropoutError on NaN
    imu_t = imu_in_t[0] + np.arange(resampled_length(len(imu_in_t), info.imu_rate_hz, rate)) / rate
    insole_t = np.asarray(insole["time_s"], dtype=float)
    force_t = np.asarray(force["time_s"], dtype=float)
    for t, table in ((insole_t, "insole"), (force_t, "force")):
        _checked(t, t, f"{where}/{table}")  # strictly increasing (read_bout has checked more)

    # 2. Clock synchronisation from per-foot insole load and total plate force.
    feet_fsr = {foot: [insole[c] for c in fsr_channels(foot)] for foot in FEET}
    # the sums of integer counts are exact, whatever the order of summation
    feet_load = {foot: _total_counts(columns) for foot, columns in feet_fsr.items()}
    insole_period_s = _median_interval(insole_t)
    force_period_s = _median_interval(force_t)
    plate_fz = {p.name: force[f"{p.name}_fz_n"] for p in info.plates}
    total_fz = np.asarray(plate_fz[info.plates[0].name], dtype=float)
    for p in info.plates[1:]:
        total_fz = total_fz + np.asarray(plate_fz[p.name], dtype=float)
    try:
        sync = _synchronise_clocks(
            insole_t,
            np.column_stack([feet_load["left"], feet_load["right"]]),
            force_t,
            total_fz,
            insole_rate_hz=info.insole_rate_hz,
            lab_rate_hz=info.force_rate_hz,
            threshold_n=config.threshold_n,
            insole_period_s=insole_period_s,
            lab_period_s=force_period_s,
            insole_channels=[f"{foot}_fsr*_adc (sum)" for foot in ("left", "right")],
        )

        # 3. Insole contacts in lab time tell the foot of each plate contact.
        insole_contacts = _insole_contacts(insole_t, feet_load, info.insole_rate_hz, period_s=insole_period_s)
    except UnendedContactError as error:
        _raise_if_saturated(error, feet_fsr)
        raise
    reference = {
        "foot": insole_contacts["foot"],
        "ic_s": insole_to_lab_time(insole_contacts["ic_s"], sync),
        "to_s": insole_to_lab_time(insole_contacts["to_s"], sync),
        "impulse": insole_contacts["impulse"],
    }

    # 4. Plate contacts, clean or rejected; overground, the foot outline from the COP path must lie on the plate.
    outline_length_m, outline_width_m = _insole_size(participant, where) if (
        config.foot_outline and info.environment != "treadmill") else (None, None)
    table = _classify_plate_contacts(
        force_t,
        plate_fz,
        {p.name: (force[f"{p.name}_cop_x_m"], force[f"{p.name}_cop_y_m"]) for p in info.plates},
        info.plates,
        sampling_rate_hz=info.force_rate_hz,
        threshold_n=config.threshold_n,
        reference=reference,
        edge_margin_m=config.edge_margin_m,
        insole_length_m=outline_length_m,
        insole_width_m=outline_width_m,
        duration_tolerance_s=config.duration_tolerance_s,
        detection_cutoff_hz=config.detection_cutoff_hz,
        period_s=force_period_s,
    )
    ratio = force_to_weight(table, reference["ic_s"], float(participant["body_mass_kg"]))
    if config.force_to_weight_range is not None:
        _check_force_to_weight(ratio, participant, info, config.force_to_weight_range)
    n_contacts = len(table["plate"])
    skip = table["reason"].copy()
    skip[table["clean"] & (table["foot"] != config.foot) & (skip == "")] = REASON_OTHER_FOOT
    candidates = np.flatnonzero(skip == "")

    detail = np.full(n_contacts, "", dtype=object)
    for i in np.flatnonzero([REASON_FOOT_EDGE in r for r in skip]):
        detail[i] = (f"estimated foot outline {-100 * table['outline_margin_m'][i]:.1f} cm over the edge of "
                     f"{table['plate'][i]}")

    # 6. Speed (before cutting: a stance without a speed is not a complete model input); passes off target.
    speed_mps = np.full(n_contacts, np.nan)
    passes = {"pass_index": np.full(n_contacts, -1, dtype=np.int64)}
    for key in ("pass_speed_mps", "target_speed_mps", "speed_deviation_frac"):
        passes[key] = np.full(n_contacts, np.nan)
    if info.environment == "treadmill":
        # the belt speed is the target; the raw format has no belt speed channel to deviate from it
        speed_mps[candidates] = float(info.belt_speed_mps)
        passes["pass_index"][:] = 0
        passes["pass_speed_mps"][:] = passes["target_speed_mps"][:] = float(info.belt_speed_mps)
        passes["speed_deviation_frac"][:] = 0.0
    elif "marker" not in arrays:
        skip[candidates] = "no waist marker table"
    else:
        marker = arrays["marker"]
        waist = [np.asarray(marker[c], dtype=float) for c in ("time_s", "waist_x_m", "waist_y_m")]
        marker_rate_hz = info.marker_rate_hz or 200.0
        speed, reason = _stance_speed(
            *waist,
            table["ic_s"][candidates],
            table["to_s"][candidates],
            config.speed_window_s,
            sampling_rate_hz=marker_rate_hz,
        )
        speed_mps[candidates] = speed
        skip[candidates] = reason
        if n_contacts and config.speed_tolerance_fraction is not None:
            # every plate contact marks a pass, whoever's foot: its first and last samples above threshold
            checked = _pass_speed_check(
                *waist, force_t[table["ic_index"]], force_t[table["to_index"]], config.speed_window_s,
                tolerance_fraction=config.speed_tolerance_fraction, max_gap_s=config.pass_gap_s,
                sampling_rate_hz=marker_rate_hz,
            )
            for key in passes:
                passes[key] = checked[key]
            off = (skip == "") & (checked["reason"] != "")
            skip[off] = checked["reason"][off]
            for i in np.flatnonzero(off & (checked["reason"] == REASON_SPEED_OFF_TARGET)):
                detail[i] = (f"pass {checked['pass_index'][i]}: {checked['pass_speed_mps'][i]:.2f} m/s, "
                             f"target {checked['target_speed_mps'][i]:.2f} m/s "
                             f"({100 * checked['speed_deviation_frac'][i]:+.1f} %, "
                             f"tolerance ±{100 * config.speed_tolerance_fraction:g} %)")

    # 7. Events back on the insole clock; stances the wearables do not cover are skipped.
    usable = np.flatnonzero(skip == "")
    ic_insole = lab_to_insole_time(table["ic_s"][usable], sync)
    to_insole = lab_to_insole_time(table["to_s"][usable], sync)
    covered = _covered(insole_t, ic_insole, to_insole) & _covered(imu_t, ic_insole, to_insole)
    skip[usable[~covered]] = REASON_OUTSIDE_SIGNAL
    keep = usable[covered]
    ic_insole, to_insole = ic_insole[covered], to_insole[covered]

    name = f"{where}/insole"
    rows = _segment_rows_of(insole_t, ic_insole, to_insole, N_POINTS, name)
    fsr_rows = np.column_stack([np.asarray(c[rows], dtype=float) for c in feet_fsr[config.foot]])
    fsr = _segment_at_rows(insole_t, rows, fsr_rows, ic_insole, to_insole, N_POINTS, name)
    cop_ap, cop_ml = insole_cop(fsr.reshape(-1, fsr.shape[2]))
    cop = [_fill_nearest(c.reshape(len(keep), N_POINTS)) for c in (cop_ap, cop_ml)]
    if len(keep) and (cop[0] is None or cop[1] is None):
        # Rare: drop only the stances whose insole never registers load.
        loaded = np.isfinite(cop_ap.reshape(len(keep), N_POINTS)).any(axis=1)
        skip[keep[~loaded]] = REASON_INSOLE_UNLOADED
        keep, fsr, ic_insole, to_insole = keep[loaded], fsr[loaded], ic_insole[loaded], to_insole[loaded]
        cop_ap, cop_ml = insole_cop(fsr.reshape(-1, fsr.shape[2]))
        cop = [_fill_nearest(c.reshape(len(keep), N_POINTS)) for c in (cop_ap, cop_ml)]
    name = f"{where}/imu"
    rows = _segment_rows_of(imu_t, ic_insole, to_insole, N_POINTS, name)
    imu_rows = resample_poly_at(imu_x, rows, info.imu_rate_hz, rate, channels=imu_names)
    imu_curves = _segment_at_rows(imu_t, rows, imu_rows, ic_insole, to_insole, N_POINTS, name)

    # 5. Force curves: 20 Hz zero-lag low-pass (only around the stances), per plate.
    targets = np.zeros((len(keep), N_POINTS, len(TARGET_CHANNELS)))
    kept_plate = table["plate"][keep]
    name = f"{where}/force"
    for plate in pd.unique(kept_plate):
        stances = np.flatnonzero(kept_plate == plate)
        ic, to = table["ic_s"][keep[stances]], table["to_s"][keep[stances]]
        rows = _segment_rows_of(force_t, ic, to, N_POINTS, name)
        signal = np.column_stack([force[f"{plate}_{axis}_n"] for axis in ("fz", "fx")])
        filtered = lowpass_zero_lag_at(signal, rows, config.force_cutoff_hz, info.force_rate_hz, config.filter_order,
                                       channel=f"{plate}_fz_n, {plate}_fx_n")
        targets[stances] = _segment_at_rows(force_t, rows, filtered, ic, to, N_POINTS, name)

    n_keep = len(keep)
    inputs = np.concatenate(
        [fsr, np.stack(cop, axis=2) if n_keep else np.zeros((0, N_POINTS, 2)), imu_curves], axis=2
    ).astype(np.float32)
    assert inputs.shape[2] == len(fsr_channels(config.foot)) + len(INSOLE_COP_CHANNELS) + len(IMU_CHANNELS)
    meta = {
        "dataset": np.full(n_keep, info.dataset, dtype=object),
        "participant": np.full(n_keep, info.participant, dtype=object),
        "bout": np.full(n_keep, info.bout, dtype=object),
        "condition": np.full(n_keep, info.condition, dtype=object),
        "foot": np.full(n_keep, config.foot, dtype=object),
        "plate": table["plate"][keep],
        "ic_s": table["ic_s"][keep],
        "to_s": table["to_s"][keep],
        "contact_time_s": table["to_s"][keep] - table["ic_s"][keep],
        "speed_mps": speed_mps[keep],
        "gradient_deg": np.full(n_keep, float(info.gradient_deg)),
        "body_mass_kg": np.full(n_keep, float(participant["body_mass_kg"])),
        "insole_length_m": np.full(n_keep, float(participant["insole_length_m"])),
        "sex": np.full(n_keep, str(participant["sex"]), dtype=object),
        "foot_strike": np.full(n_keep, str(participant["foot_strike"]), dtype=object),
    }
    contacts = {
        "dataset": np.full(n_contacts, info.dataset, dtype=object),
        "participant": np.full(n_contacts, info.participant, dtype=object),
        "bout": np.full(n_contacts, info.bout, dtype=object),
        **table,
        **passes,
        "stance": skip == "",
        "skip_reason": skip,
        "skip_detail": detail,
    }
    return _BoutColumns(meta, inputs, targets.astype(np.float32), contacts, sync, ratio)


@dataclass
class PreprocessResult:
    """Everything :func:`preprocess_raw` learnt from a raw data folder.

    Parameters
    ----------
    stances
        The stance data set; its ``skipped`` table lists every plate contact
        and bout that did not become a stance, with the reason.
    contacts
        Every plate contact of every processed bout with its classification.
    bouts
        One row per bout: status (``"ok"`` or the error), clock sync
        estimates, counts (columns :data:`BOUT_TABLE_COLUMNS`).
    """

    stances: StanceDataset
    contacts: pd.DataFrame
    bouts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(BOUT_TABLE_COLUMNS)))

    def summary(self) -> str:
        """One paragraph: stances per data set, skipped contacts by reason, failed bouts."""
        lines = []
        meta = self.stances.meta
        for dataset, group in meta.groupby("dataset", sort=True):
            lines.append(f"{dataset}: {len(group)} stances from {group['participant'].nunique()} participants")
        failed = self.bouts.loc[self.bouts["status"] != "ok"]
        lines.append(f"bouts: {len(self.bouts)} processed, {len(failed)} skipped")
        for _, row in failed.iterrows():
            lines.append(f"  skipped bout {row['dataset']}/{row['participant']}/{row['bout']}: {row['status']}")
        reasons = self.stances.skipped["reason"].value_counts()
        if len(reasons):
            lines.append("plate contacts not used, by reason:")
            lines.extend(f"  {count:6d}  {reason}" for reason, count in reasons.items())
        return "\n".join(lines)

    def save(self, path: str | Path) -> Path:
        """Write the result to folder ``path`` atomically (stances/, contacts.parquet, bouts.csv).

        Parameters
        ----------
        path
            Destination folder (replaced if it exists).
        """
        path = Path(path)
        with atomic_directory(path) as tmp:
            self.stances.save(tmp / "stances")
            self.contacts.to_parquet(tmp / "contacts.parquet", index=False)
            self.bouts.to_csv(tmp / "bouts.csv", index=False)
        return path

    @classmethod
    def load(cls, path: str | Path) -> PreprocessResult:
        """Read a result written by :meth:`save`.

        Parameters
        ----------
        path
            Folder written by :meth:`save`.

        Raises
        ------
        MissingFileError
            If a part is missing.
        """
        path = Path(path)
        for name in ("contacts.parquet", "bouts.csv"):
            if not (path / name).is_file():
                raise MissingFileError("preprocessing result file is missing", path=path / name)
        return cls(
            stances=StanceDataset.load(path / "stances"),
            contacts=pd.read_parquet(path / "contacts.parquet"),
            bouts=pd.read_csv(path / "bouts.csv", dtype={"participant": str, "bout": str}),
        )


def _insole_size(participant: Mapping[str, object], where: str) -> tuple[float, float | None]:
    """The participant's insole length and width (``None`` when ``insole_width_m`` is absent or empty), checked."""
    length = float(participant["insole_length_m"])
    width = participant.get("insole_width_m")
    width = None if width is None or pd.isna(width) else float(width)
    for name, value in (("insole_length_m", length), ("insole_width_m", width)):
        if value is not None and not (np.isfinite(value) and value > 0):
            raise ConfigError(f"{where}: the participant's {name} must be a positive number of metres, got {value}")
    return length, width


#: ADC count at which an FSR of the format's 12-bit converters saturates.
FSR_SATURATION_ADC: float = 4095.0
#: Fraction of a bout at saturation above which an FSR explains a load that never returns to rest.
_SATURATED_FRACTION_NAMED: float = 0.05


def _raise_if_saturated(error: UnendedContactError, feet_fsr: Mapping[str, list[np.ndarray]]) -> None:
    """SensorFaultError naming the FSR channel whose saturation keeps an insole's load up, if there is one.

    A sensor stuck at saturation for stretches holds the foot's summed load
    above the contact threshold, which contact detection can only report as
    a contact that never ends; validation accepts saturation up to half of
    the bout (in stretches shorter than ``max_constant_s``).
    """
    fractions = {
        channel: np.count_nonzero(values >= FSR_SATURATION_ADC) / len(values)
        for foot, columns in feet_fsr.items()
        for channel, values in zip(fsr_channels(foot), columns, strict=True)
    }
    channel = max(fractions, key=fractions.__getitem__)
    if fractions[channel] > _SATURATED_FRACTION_NAMED:
        raise SensorFaultError(
            f"FSR channel saturated ({FSR_SATURATION_ADC:g} ADC counts) {fractions[channel]:.0%} of the time, in "
            f"stretches that keep the insole's load from returning to rest between steps (seen as: {error})",
            channel=channel,
        ) from error


#: Unit slips that scale the force-to-weight ratio by a known factor, and what to say about each.
_UNIT_SLIPS: tuple[tuple[float, str], ...] = (
    (1.0 / GRAVITY_MPS2, "the plate force looks like it is in kgf (kilogram-force), not newtons"),
    (1.0 / 2.20462, "body_mass_kg looks like it is in pounds, not kilograms"),
    (2.20462, "body_mass_kg looks like it is in kilograms where the force is in pound-force"),
)


def force_to_weight(
    plate_contacts: Mapping[str, np.ndarray], insole_ic_s: np.ndarray, body_mass_kg: float
) -> float:
    """Vertical force over whole steps divided by body weight, from a bout's clean plate contacts.

    Over one step of steady running (an initial contact to the next, either
    foot) the runner's vertical velocity returns to its starting value, so the
    vertical impulse of one stance equals body weight times the step time
    (the same argument as :func:`grfkit.real.hamner.body_mass_from_force`
    over whole strides).  Each clean plate contact gives
    ``impulse / (m g T)``, where ``T`` is half the time between the insole
    initial contacts before and after its own; the median over the contacts
    is returned.  It is about 1 for data in the format's units; force in kgf
    gives 0.10, a body mass in pounds 0.45.

    Parameters
    ----------
    plate_contacts
        Columns of :func:`grfkit.preprocess.events.classify_plate_contacts` (``clean``,
        ``impulse_n_s``, ``insole_ic_s``).
    insole_ic_s
        Initial contacts of both insoles on the lab clock, seconds.
    body_mass_kg
        The participant's body mass.

    Returns
    -------
    float
        The ratio; NaN when no clean contact has insole contacts on both sides.
    """
    ics = np.sort(insole_ic_s[np.isfinite(insole_ic_s)])
    use = np.flatnonzero(np.asarray(plate_contacts["clean"], dtype=bool) & np.isfinite(plate_contacts["insole_ic_s"]))
    k = np.searchsorted(ics, plate_contacts["insole_ic_s"][use])
    inner = (k >= 1) & (k <= len(ics) - 2)
    use, k = use[inner], k[inner]
    if not len(use):
        return float("nan")
    step_s = (ics[k + 1] - ics[k - 1]) / 2.0
    ratio = plate_contacts["impulse_n_s"][use] / (body_mass_kg * GRAVITY_MPS2 * step_s)
    return float(np.median(ratio))


def _check_force_to_weight(ratio: float, participant: Mapping[str, object], info: BoutInfo,
                           accepted: tuple[float, float]) -> None:
    """UnitError naming the participant, both numbers and the likely unit slip when ``ratio`` is off."""
    low, high = accepted
    if not np.isfinite(ratio) or low <= ratio <= high:
        return
    mass_kg = float(participant["body_mass_kg"])
    slips = [text for factor, text in _UNIT_SLIPS if abs(np.log(ratio / factor)) < np.log(high)]
    likely = slips[0] if slips else "check that the force is in newtons and body_mass_kg in kilograms"
    raise UnitError(
        f"bout {info.dataset}/{info.participant}/{info.bout}: the measured vertical force over whole steps "
        f"averages {ratio:.3g} times participant {info.participant!r}'s body weight (body_mass_kg {mass_kg:g} kg, "
        f"{mass_kg * GRAVITY_MPS2:.0f} N); over whole steps of running it equals the body weight "
        f"(accepted {low:g} to {high:g}). Likely {likely}."
    )


def _in_bout(error: GrfkitError, folder: Path) -> GrfkitError:
    """Name the bout folder in an error raised after validation, in place (reasons and strict errors alike).

    Validation errors name their file already; the steps after it (clock
    synchronisation, contact detection, segmentation) work on derived signals
    such as "insole load" and know no file.  Errors whose pickling is their
    own (a custom ``__reduce__``) are left as they are.
    """
    if isinstance(error, RawDataError) and error.path is not None:
        return error
    if str(folder) in str(error) or type(error).__reduce__ is not BaseException.__reduce__:
        return error
    error.args = (f"[bout {folder}] {error}", *error.args[1:])
    if isinstance(error, RawDataError):
        error.path = folder
    return error


def _bout_job(args: tuple[Path, dict[str, str], dict[str, object], PreprocessConfig, bool]):
    folder, ids, participant, config, strict = args
    try:
        info, arrays = read_bout_arrays(folder, expected_ids=ids)
        force_t = arrays["force"]["time_s"]
        duration = float(force_t[-1] - force_t[0])
        try:
            columns = _preprocess_bout(info, arrays, participant, config)
        except GrfkitError as err:
            _in_bout(err, folder)
            raise
        return ids, duration, columns, ""
    except GrfkitError as err:
        if strict:
            raise
        return ids, float("nan"), None, f"{type(err).__name__}: {err}"


def _check_ids_unique_across_datasets(root: Path, participants: pd.DataFrame) -> None:
    """RawDataError naming the id and its folders if one participant id is used in two data sets.

    The format asks ids to be unique within a data set; the stance data set
    and the experiments tell runners apart by id alone, so the data sets
    preprocessed together must not share one.
    """
    shared = participants.loc[participants.duplicated("participant", keep=False)]
    if not len(shared):
        return
    participant = str(shared["participant"].iloc[0])
    datasets = shared.loc[shared["participant"] == participant, "dataset"].astype(str).tolist()
    folders = " and ".join(str(root / dataset / participant) for dataset in datasets)
    raise RawDataError(
        f"participant id {participant!r} is used in data sets {', '.join(datasets)} ({folders}); the stances of "
        "all data sets are preprocessed together and tell runners apart by id alone, so ids must be unique "
        "across the data sets of a raw folder: rename one of them (folder, participants.csv, bouts.csv, bout.json)",
        path=root / "participants.csv",
        channel="participant",
    )


def _iter_jobs(root: Path, config: PreprocessConfig, strict: bool) -> Iterator[tuple]:
    participants = read_participants(root)
    _check_ids_unique_across_datasets(root, participants)
    by_id = participants.set_index(["dataset", "participant"])
    for row in read_bouts(root).itertuples(index=False):
        ids = {"dataset": row.dataset, "participant": row.participant, "bout": row.bout}
        folder = root / row.dataset / row.participant / row.bout
        yield folder, ids, by_id.loc[(row.dataset, row.participant)].to_dict(), config, strict


def preprocess_raw(
    raw_dir: str | Path,
    *,
    config: PreprocessConfig = PreprocessConfig(),
    strict: bool = False,
    progress: bool = False,
    workers: int | None = None,
) -> PreprocessResult:
    """Run the preprocessing chain on every bout of a raw data folder.

    Parameters
    ----------
    raw_dir
        Folder in the grfkit raw data format (see the book's *Raw data format* page).
    config
        Chain settings.
    strict
        Stop at the first bout that fails (raise its error) instead of
        reporting it as skipped and going on.
    progress
        Show a progress bar over bouts.
    workers
        Processes working on bouts in parallel; default: the number of CPUs
        (at most 4).  ``1`` runs in this process.

    Returns
    -------
    PreprocessResult
        Stances, every plate contact with its fate, and the per-bout report.

    Raises
    ------
    GrfkitError
        Invalid ``participants.csv``/``bouts.csv`` always; a failing bout's
        error only with ``strict``.
    """
    root = Path(raw_dir)
    jobs = list(_iter_jobs(root, config, strict))  # RawDataError at the start: participants, bouts, shared ids
    n_workers = min(workers or min(os.cpu_count() or 1, 4), max(len(jobs), 1))
    parts: list[_BoutColumns] = []
    bout_rows, skipped = [], []
    with progress_bar(total=len(jobs), desc="preprocess", unit="bout", show=progress) as bar:
        if n_workers == 1:
            outcomes: Iterator = map(_bout_job, jobs)
            pool = None
        else:
            pool = ProcessPoolExecutor(max_workers=n_workers, initializer=exit_with_parent, initargs=(os.getpid(),))
            outcomes = pool.map(_bout_job, jobs, chunksize=1)
        try:
            for ids, duration, result, error in outcomes:
                bar.update()
                if result is None:
                    bout_rows.append({**ids, "status": error, "duration_s": duration})
                    skipped.append({**ids, "foot": "", "plate": "", "ic_s": np.nan, "reason": f"bout skipped: {error}",
                                    "detail": ""})
                    continue
                parts.append(result)
                c = result.contacts
                skipped.extend(
                    {**ids, "foot": foot, "plate": plate, "ic_s": ic, "reason": reason, "detail": detail}
                    for foot, plate, ic, reason, detail in zip(
                        *(c[k][~c["stance"]] for k in ("foot", "plate", "ic_s", "skip_reason", "skip_detail")),
                        strict=True,
                    )
                )
                s = result.sync
                bout_rows.append(
                    {
                        **ids,
                        "status": "ok",
                        "sync_offset_s": s.offset_s,
                        "sync_drift_ppm": s.drift_ppm,
                        "sync_peak_ratio": s.peak_ratio,
                        "sync_residual_s": s.residual_s,
                        "n_plate_contacts": len(c["stance"]),
                        "n_stances": len(result.inputs),
                        "duration_s": duration,
                        "force_to_weight": result.force_to_weight,
                    }
                )
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    skipped_table = pd.DataFrame(skipped, columns=list(SKIPPED_COLUMNS))
    if parts:
        stances = StanceDataset(
            _frame({k: np.concatenate([p.meta[k] for p in parts]) for k in parts[0].meta}),
            np.concatenate([p.inputs for p in parts]),
            np.concatenate([p.targets for p in parts]),
            STANCE_SIGNAL_CHANNELS,
            TARGET_CHANNELS,
            skipped_table,
        )
        contacts = _frame({k: np.concatenate([p.contacts[k] for p in parts]) for k in parts[0].contacts})
    else:
        empty = _empty_stances()
        stances = StanceDataset(empty.meta, empty.inputs, empty.targets, empty.input_channels,
                                empty.target_channels, skipped_table)
        contacts = pd.DataFrame()
    return PreprocessResult(
        stances=stances,
        contacts=contacts,
        bouts=pd.DataFrame(bout_rows, columns=list(BOUT_TABLE_COLUMNS)),
    )
