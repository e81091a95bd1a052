"""The preprocessing chain: raw recordings in, time-normalised stances out.

:func:`preprocess_bout` runs the steps on one bout, in this order, each by
its public function: (1) the IMU's 1000 Hz grid on the insole clock
(:mod:`~grfkit.preprocess.resampling`); (2) clock synchronisation
(:mod:`~grfkit.preprocess.synchronisation`); (3) insole contacts, which give
each plate contact its foot (:mod:`~grfkit.preprocess.insole_contacts`);
(4) clean plate contacts (:mod:`~grfkit.preprocess.plate_contacts`) and the
force-to-weight check; (5) speed and the pass rule (:mod:`~grfkit.preprocess.speed`);
(6) insole and IMU stances cut at the events mapped to the insole clock
(:mod:`~grfkit.preprocess.segmentation`); (7) the force filtered at 20 Hz
around the kept stances and cut (:mod:`~grfkit.preprocess.filtering`).
:func:`preprocess_raw` runs it on every bout of a raw folder, in parallel,
and reports every contact and bout that did not become a stance.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.errors import (
    ConfigError,
    EmptyTableError,
    GrfkitError,
    RawDataError,
    UnendedContactError,
)
from grfkit.io.channels import (
    FEET,
    IMU_CHANNELS,
    INSOLE_COP_CHANNELS,
    STANCE_SIGNAL_CHANNELS,
    TARGET_CHANNELS,
    fsr_channels,
)
from grfkit.io.insole import insole_cop
from grfkit.io.read import bout_arrays, read_bout_arrays, read_bouts, read_participants
from grfkit.io.schema import ID_COLUMNS, BoutArrays, BoutInfo, RawBout
from grfkit.io.stances import STANCE_META_COLUMNS, StanceDataset
from grfkit.preprocess._signals import checked_signal
from grfkit.preprocess.checks import (
    check_force_to_weight,
    force_to_weight,
    insole_size,
    raise_if_saturated,
)
from grfkit.preprocess.config import PreprocessConfig
from grfkit.preprocess.filtering import lowpass_zero_lag_at
from grfkit.preprocess.insole_contacts import detect_insole_contacts, insole_loads
from grfkit.preprocess.plate_contacts import classify_plate_contacts
from grfkit.preprocess.resampling import (
    check_uniform_sampling,
    resample_poly_array,
    resample_poly_at,
    resampled_length,
)
from grfkit.preprocess.results import (
    BOUT_TABLE_COLUMNS,
    SKIPPED_COLUMNS,
    BoutResult,
    PreprocessResult,
)
from grfkit.preprocess.segmentation import events_outside, segment_rows, segment_stances
from grfkit.preprocess.skip_reasons import (
    REASON_BOUT_SKIPPED,
    REASON_FOOT_EDGE,
    REASON_INSOLE_UNLOADED,
    REASON_NO_MARKER_TABLE,
    REASON_OTHER_FOOT,
    REASON_OUTSIDE_SIGNAL,
    REASON_SPEED_OFF_TARGET,
)
from grfkit.preprocess.speed import pass_speed_check, stance_speed
from grfkit.preprocess.synchronisation import (
    ClockSync,
    insole_to_lab_time,
    lab_to_insole_time,
    synchronise_clocks,
)
from grfkit.progress import progress_bar
from grfkit.workers import exit_with_parent

__all__ = ["preprocess_bout", "preprocess_raw"]

#: Marker rate, hertz, of a bout whose ``bout.json`` does not state it.
_DEFAULT_MARKER_RATE_HZ: float = 200.0


def _empty_stances(n_points: int) -> StanceDataset:
    meta = pd.DataFrame(
        {c: pd.Series(dtype=float if c.endswith(("_s", "_mps", "_deg", "_kg", "_m")) else object)
         for c in _META_ORDER}
    )
    return StanceDataset(
        meta=meta,
        inputs=np.zeros((0, n_points, len(STANCE_SIGNAL_CHANNELS)), dtype=np.float32),
        targets=np.zeros((0, n_points, len(TARGET_CHANNELS)), dtype=np.float32),
        input_channels=STANCE_SIGNAL_CHANNELS,
        target_channels=TARGET_CHANNELS,
    )


#: The stance metadata columns, the bout's condition after its id, the runner's sex and foot strike.
_META_ORDER: tuple[str, ...] = (
    *STANCE_META_COLUMNS[: len(ID_COLUMNS)],
    "condition",
    *STANCE_META_COLUMNS[len(ID_COLUMNS) :],
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
        Chain settings (:class:`grfkit.preprocess.config.PreprocessConfig`).

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
    return _bout_columns(bout.info, bout_arrays(bout), participant, config).result()


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


def _columns(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """A step's table as numpy columns (text as object arrays of ``str``)."""
    return {name: column.to_numpy() for name, column in table.items()}


@dataclass
class _BoutColumns:
    """What :func:`_bout_columns` makes of one bout, as columns (cheap to pass between processes).

    ``meta`` holds the stance metadata columns (:data:`_META_ORDER`),
    ``contacts`` the plate contact columns (as :attr:`BoutResult.contacts`),
    ``force_to_weight`` the ratio of :func:`grfkit.preprocess.checks.force_to_weight`.
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


def _bout_columns(
    info: BoutInfo,
    arrays: BoutArrays,
    participant: Mapping[str, object],
    config: PreprocessConfig,
) -> _BoutColumns:
    """:func:`preprocess_bout` on the bout's required channels as numpy arrays (``arrays``, as read)."""
    rate = config.sampling_rate_hz
    n_points = config.segment.n_points
    where = f"{info.dataset}/{info.participant}/{info.bout}"
    insole, imu, force = arrays["insole"], arrays["imu"], arrays["force"]

    # 1. IMU onto a 1000 Hz grid of the insole clock: the grid now, the values only where stances need them (6).
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
        checked_signal(t, t, f"{where}/{table}")  # strictly increasing (read_bout has checked more)

    # 2. Clock synchronisation from per-foot insole load and total plate force.
    feet_fsr = {foot: [insole[c] for c in fsr_channels(foot)] for foot in FEET}
    feet_load = insole_loads(insole)  # sums of integer counts: exact, whatever the order of summation
    plate_fz = {p.name: force[f"{p.name}_fz_n"] for p in info.plates}
    total_fz = np.asarray(plate_fz[info.plates[0].name], dtype=float)
    for p in info.plates[1:]:
        total_fz = total_fz + np.asarray(plate_fz[p.name], dtype=float)
    try:
        sync = synchronise_clocks(
            insole_t,
            np.column_stack([feet_load["left"], feet_load["right"]]),
            force_t,
            total_fz,
            insole_rate_hz=info.insole_rate_hz,
            lab_rate_hz=info.force_rate_hz,
            config=config.sync,
            insole_channels=[f"{foot}_fsr*_adc (sum)" for foot in ("left", "right")],
        )

        # 3. Insole contacts in lab time tell the foot of each plate contact.
        insole_contacts = detect_insole_contacts(insole_t, feet_load, info.insole_rate_hz, config=config.contacts)
    except UnendedContactError as error:
        raise_if_saturated(error, feet_fsr)
        raise
    reference = {
        "foot": insole_contacts["foot"].to_numpy(),
        "ic_s": insole_to_lab_time(insole_contacts["ic_s"].to_numpy(), sync),
        "to_s": insole_to_lab_time(insole_contacts["to_s"].to_numpy(), sync),
        "impulse": insole_contacts["impulse"].to_numpy(),
    }

    # 4. Plate contacts, clean or rejected; overground, the foot outline from the COP path must lie on the plate.
    outline_length_m, outline_width_m = insole_size(participant, where) if (
        config.foot_outline and info.environment != "treadmill") else (None, None)
    table = _columns(classify_plate_contacts(
        force,
        info.plates,
        sampling_rate_hz=info.force_rate_hz,
        config=config.contacts,
        reference_contacts=reference,
        insole_length_m=outline_length_m,
        insole_width_m=outline_width_m,
    ))
    ratio = force_to_weight(table, reference["ic_s"], float(participant["body_mass_kg"]))
    if config.force_to_weight_range is not None:
        check_force_to_weight(ratio, participant, info, config.force_to_weight_range)
    n_contacts = len(table["plate"])
    skip = table["reason"].copy()
    skip[table["clean"] & (table["foot"] != config.foot) & (skip == "")] = REASON_OTHER_FOOT
    candidates = np.flatnonzero(skip == "")

    detail = np.full(n_contacts, "", dtype=object)
    for i in np.flatnonzero([REASON_FOOT_EDGE in r for r in skip]):
        detail[i] = (f"estimated foot outline {-100 * table['outline_margin_m'][i]:.1f} cm over the edge of "
                     f"{table['plate'][i]}")

    # 5. Speed (before cutting: a stance without a speed is not a complete model input); passes off target.
    speed_mps = np.full(n_contacts, np.nan)
    passes = {"pass_index": np.full(n_contacts, -1, dtype=np.int64)}
    for key in ("pass_speed_mps", "target_speed_mps", "speed_deviation_frac"):
        passes[key] = np.full(n_contacts, np.nan)
    tolerance = config.speed.tolerance_fraction
    if info.environment == "treadmill":
        # the belt speed is the target; the raw format has no belt speed channel to deviate from it
        speed_mps[candidates] = float(info.belt_speed_mps)
        passes["pass_index"][:] = 0
        passes["pass_speed_mps"][:] = passes["target_speed_mps"][:] = float(info.belt_speed_mps)
        passes["speed_deviation_frac"][:] = 0.0
    elif "marker" not in arrays:
        skip[candidates] = REASON_NO_MARKER_TABLE
    else:
        marker = arrays["marker"]
        marker_rate_hz = info.marker_rate_hz or _DEFAULT_MARKER_RATE_HZ
        speed = stance_speed(marker, table["ic_s"][candidates], table["to_s"][candidates],
                             sampling_rate_hz=marker_rate_hz, config=config.speed)
        speed_mps[candidates] = speed["speed_mps"].to_numpy()
        skip[candidates] = speed["reason"].to_numpy()
        if n_contacts and tolerance is not None:
            # every plate contact marks a pass, whoever's foot: its first and last samples above threshold
            checked = _columns(pass_speed_check(marker, force_t[table["ic_index"]], force_t[table["to_index"]],
                                                sampling_rate_hz=marker_rate_hz, config=config.speed))
            for key in passes:
                passes[key] = checked[key]
            off = (skip == "") & (checked["reason"] != "")
            skip[off] = checked["reason"][off]
            for i in np.flatnonzero(off & (checked["reason"] == REASON_SPEED_OFF_TARGET)):
                detail[i] = (f"pass {checked['pass_index'][i]}: {checked['pass_speed_mps'][i]:.2f} m/s, "
                             f"target {checked['target_speed_mps'][i]:.2f} m/s "
                             f"({100 * checked['speed_deviation_frac'][i]:+.1f} %, "
                             f"tolerance ±{100 * tolerance:g} %)")

    # 6. Events back on the insole clock; stances the wearables do not cover are skipped; insole and IMU cut.
    usable = np.flatnonzero(skip == "")
    events = {"ic_s": lab_to_insole_time(table["ic_s"][usable], sync),
              "to_s": lab_to_insole_time(table["to_s"][usable], sync)}
    covered = ((events_outside(insole_t, events) == "") & (events_outside(imu_t, events) == "")).to_numpy()
    skip[usable[~covered]] = REASON_OUTSIDE_SIGNAL
    keep = usable[covered]
    events = {key: times[covered] for key, times in events.items()}

    name = f"{where}/insole"
    rows = segment_rows(insole_t, events, n_points, name=name)
    fsr_rows = np.column_stack([np.asarray(c[rows], dtype=float) for c in feet_fsr[config.foot]])
    fsr = segment_stances(insole_t, fsr_rows, events, n_points, name=name, rows=rows)
    cop_ap, cop_ml = insole_cop(fsr.reshape(-1, fsr.shape[2]))
    cop = [_fill_nearest(c.reshape(len(keep), n_points)) for c in (cop_ap, cop_ml)]
    if len(keep) and (cop[0] is None or cop[1] is None):
        # Rare: drop only the stances whose insole never registers load.
        loaded = np.isfinite(cop_ap.reshape(len(keep), n_points)).any(axis=1)
        skip[keep[~loaded]] = REASON_INSOLE_UNLOADED
        keep, fsr = keep[loaded], fsr[loaded]
        events = {key: times[loaded] for key, times in events.items()}
        cop_ap, cop_ml = insole_cop(fsr.reshape(-1, fsr.shape[2]))
        cop = [_fill_nearest(c.reshape(len(keep), n_points)) for c in (cop_ap, cop_ml)]
    name = f"{where}/imu"
    rows = segment_rows(imu_t, events, n_points, name=name)
    imu_rows = resample_poly_at(imu_x, rows, info.imu_rate_hz, rate, channels=imu_names)
    imu_curves = segment_stances(imu_t, imu_rows, events, n_points, name=name, rows=rows)

    # 7. Force curves: 20 Hz zero-lag low-pass (only around the kept stances), per plate, cut at the lab events.
    targets = np.zeros((len(keep), n_points, len(TARGET_CHANNELS)))
    kept_plate = table["plate"][keep]
    name = f"{where}/force"
    for plate in pd.unique(kept_plate):
        stances = np.flatnonzero(kept_plate == plate)
        plate_events = {"ic_s": table["ic_s"][keep[stances]], "to_s": table["to_s"][keep[stances]]}
        rows = segment_rows(force_t, plate_events, n_points, name=name)
        signal = np.column_stack([force[f"{plate}_{axis}_n"] for axis in ("fz", "fx")])
        filtered = lowpass_zero_lag_at(signal, rows, config.filter.cutoff_hz, info.force_rate_hz,
                                       config.filter.order, channel=f"{plate}_fz_n, {plate}_fx_n")
        targets[stances] = segment_stances(force_t, filtered, plate_events, n_points, name=name, rows=rows)

    n_keep = len(keep)
    inputs = np.concatenate(
        [fsr, np.stack(cop, axis=2) if n_keep else np.zeros((0, n_points, 2)), imu_curves], axis=2
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
            columns = _bout_columns(info, arrays, participant, config)
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
    cache: bool | str | Path = False,
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
        Chain settings (:class:`grfkit.preprocess.config.PreprocessConfig`).
    cache
        ``False`` computes the result.  ``True`` (the cache folder of
        :func:`grfkit.storage.cohort_cache.cache_dir`) or a folder reuses the
        result computed before from the same raw files, ``config`` and
        preprocessing code, or computes and keeps it
        (:func:`grfkit.storage.cohort_cache.preprocessed`).
    strict
        Stop at the first bout that fails (raise its error) instead of
        reporting it as skipped and going on (not with ``cache``).
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
    CacheError
        With ``cache``, if the cache folder cannot be written to, naming it.
    """
    if cache is not False:
        if strict:
            raise ConfigError("strict and cache do not go together: a cached result keeps the failed bouts")
        # Imported by name, not by an import statement: the cohort's source fingerprint
        # (grfkit.storage.fingerprint) follows import statements from this module and must
        # cover the code that computes the stances, not the cache's bookkeeping.
        cohort_cache = importlib.import_module("grfkit.storage.cohort_cache")
        return cohort_cache.preprocessed(raw_dir, config=config, cache=cache, progress=progress, workers=workers)
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
                    skipped.append({**ids, "foot": "", "plate": "", "ic_s": np.nan,
                                    "reason": f"{REASON_BOUT_SKIPPED}: {error}", "detail": ""})
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
        empty = _empty_stances(config.segment.n_points)
        stances = StanceDataset(empty.meta, empty.inputs, empty.targets, empty.input_channels,
                                empty.target_channels, skipped_table)
        contacts = pd.DataFrame()
    return PreprocessResult(
        stances=stances,
        contacts=contacts,
        bouts=pd.DataFrame(bout_rows, columns=list(BOUT_TABLE_COLUMNS)),
    )
