"""Time-normalised stances from wearable-only recordings: no force plate, no force targets.

:func:`wearable_stances` reads every bout of a raw folder (the force table
is optional: ``read_bout_arrays(..., require_force=False)``), finds the
stances in the insole load, checked by the shoe IMU
(:func:`grfkit.field.events.detect_wearable_stances`), gives each its speed
(:mod:`grfkit.field.speed`), and cuts and time-normalises the insole and IMU
channels with the training chain's own steps (the IMU's grid on the insole
clock, :func:`grfkit.preprocess.resampling.resample_poly_at`,
:func:`grfkit.preprocess.segmentation.segment_stances`,
:func:`grfkit.io.insole.insole_cop`), in the channel order
:data:`grfkit.io.channels.STANCE_SIGNAL_CHANNELS`.  Every contact or bout
that does not become a stance is listed with its reason, the contacts of
the foot without the IMU included.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.errors import ConfigError, GrfkitError, NoContactError
from grfkit.field.events import WearableEventConfig, detect_wearable_stances
from grfkit.field.speed import ImuSpeedConfig, imu_stance_speeds, metadata_speed
from grfkit.io.channels import FEET, IMU_CHANNELS, STANCE_SIGNAL_CHANNELS, fsr_channels
from grfkit.io.insole import insole_cop
from grfkit.io.read import read_bout_arrays, read_bouts, read_participants
from grfkit.io.schema import BoutArrays, BoutInfo
from grfkit.io.stances import STANCE_META_COLUMNS, StanceDataset
from grfkit.io.validate import ValidationLimits
from grfkit.preprocess.config import PreprocessConfig
from grfkit.preprocess.insole_contacts import detect_insole_contacts, insole_loads
from grfkit.preprocess.resampling import (
    check_uniform_sampling,
    resample_poly_at,
    resampled_length,
)
from grfkit.preprocess.results import SKIPPED_COLUMNS
from grfkit.preprocess.segmentation import events_outside, segment_rows, segment_stances
from grfkit.preprocess.skip_reasons import (
    REASON_BOUT_SKIPPED,
    REASON_COP_UNDEFINED,
    REASON_NO_IMU_FOOT,
    REASON_OUTSIDE_SIGNAL,
)
from grfkit.progress import progress_bar
from grfkit.workers import exit_with_parent

__all__ = ["META_COLUMNS", "SPEED_SOURCES", "FieldConfig", "wearable_stances"]

#: Allowed values of ``FieldConfig.speed_source``.
SPEED_SOURCES: tuple[str, ...] = ("auto", "stated", "imu")
#: Metadata columns of the stances, in order: the training chain's, then where the speed comes from.
META_COLUMNS: tuple[str, ...] = (
    *STANCE_META_COLUMNS[:3],
    "condition",
    *STANCE_META_COLUMNS[3:],
    "sex",
    "foot_strike",
    "speed_source",
)


@dataclass(frozen=True)
class FieldConfig:
    """Settings of :func:`wearable_stances`.

    Parameters
    ----------
    preprocess
        The training chain's settings; its ``sampling_rate_hz``, ``foot``
        (the foot with the IMU) and ``segment.n_points`` are used, so the
        stances are those a model trained on that chain accepts.
    events
        Contact detection (:class:`grfkit.field.events.WearableEventConfig`).
    speed
        The IMU speed estimate (:class:`grfkit.field.speed.ImuSpeedConfig`).
    speed_source
        ``"auto"``: a treadmill's belt speed, the IMU's elsewhere;
        ``"stated"``: the speed the recording states
        (:func:`grfkit.field.speed.metadata_speed`: the belt, else the bout's
        ``speed_mps`` in ``bouts.csv``), else the IMU's; ``"imu"``: always
        the IMU's.  An overground bout's speed in ``bouts.csv`` is a target
        the runner keeps only on average: on the simulated ``ci`` cohort it
        is off the speed at each contact by 7.4 % (median; 95th percentile
        21 %, turns included), the IMU by 1.2 % (5.1 %).
    validation
        The reader's checks; by default the IMU may cover less time than the
        insole (stances outside it are listed, not the whole bout).
    """

    preprocess: PreprocessConfig = field(default_factory=PreprocessConfig)
    events: WearableEventConfig = field(default_factory=WearableEventConfig)
    speed: ImuSpeedConfig = field(default_factory=ImuSpeedConfig)
    speed_source: str = "auto"
    validation: ValidationLimits = field(
        default_factory=lambda: ValidationLimits(max_span_mismatch_s=math.inf)
    )


def _skip_rows(
    ids: Mapping[str, str], foot: str, ic_s: np.ndarray, reasons: np.ndarray, detail: str = ""
) -> list:
    return [
        {**ids, "foot": foot, "plate": "", "ic_s": float(ic), "reason": str(r), "detail": detail}
        for ic, r in zip(ic_s, reasons, strict=True)
    ]


def _bout_stances(
    info: BoutInfo,
    arrays: BoutArrays,
    participant: Mapping[str, object],
    bout_speed_mps: float | None,
    config: FieldConfig,
) -> tuple[dict[str, np.ndarray], np.ndarray, list[dict[str, object]]]:
    """Stance metadata columns, inputs ``(n, points, channels)`` and skipped rows of one bout."""
    pre = config.preprocess
    rate, n_points, foot = pre.sampling_rate_hz, pre.segment.n_points, pre.foot
    where = f"{info.dataset}/{info.participant}/{info.bout}"
    ids = {"dataset": info.dataset, "participant": info.participant, "bout": info.bout}
    insole, imu = arrays["insole"], arrays["imu"]
    insole_t = np.asarray(insole["time_s"], dtype=float)
    imu_in_t = np.asarray(imu["time_s"], dtype=float)
    check_uniform_sampling(imu_in_t, info.imu_rate_hz, name=f"{where}/imu:time_s")
    imu_x = np.column_stack([np.asarray(imu[c], dtype=float) for c in IMU_CHANNELS])
    imu_t = imu_in_t[0] + np.arange(resampled_length(len(imu_in_t), info.imu_rate_hz, rate)) / rate
    fsr = np.column_stack([insole[c] for c in fsr_channels(foot)])

    events = detect_wearable_stances(
        insole_t,
        insole_loads(insole, (foot,)),
        insole_rate_hz=info.insole_rate_hz,
        imu_time_s=imu_in_t,
        imu_acc_mps2=imu_x[:, :3],
        imu_foot=foot,
        fsr={foot: fsr},
        config=config.events,
        name=where,
    )
    reason = events["reason"].to_numpy(dtype=object, copy=True)
    ok = reason == ""
    covered = (events_outside(insole_t, events) == "").to_numpy() & (
        events_outside(imu_t, events) == ""
    ).to_numpy()
    reason[ok & ~covered] = REASON_OUTSIDE_SIGNAL
    ok &= covered
    speed_mps = np.full(len(events), np.nan)
    stated = None
    if config.speed_source != "imu":  # "auto": the belt only; "stated": also the speed in bouts.csv
        stated = metadata_speed(info, bout_speed_mps if config.speed_source == "stated" else None)
    source = stated[1] if stated is not None else "imu"
    if stated is not None:
        speed_mps[ok] = stated[0]
    else:
        usable = np.flatnonzero(ok)
        estimate = imu_stance_speeds(
            imu_in_t,
            imu_x,
            events["ic_s"].to_numpy()[usable],
            events["to_s"].to_numpy()[usable],
            config=config.speed,
        )
        speed_mps[usable] = estimate["speed_mps"].to_numpy()
        reason[usable] = estimate["reason"].to_numpy()
        ok = reason == ""

    keep = np.flatnonzero(ok)
    cut = {"ic_s": events["ic_s"].to_numpy()[keep], "to_s": events["to_s"].to_numpy()[keep]}
    name = f"{where}/insole"
    rows = segment_rows(insole_t, cut, n_points, name=name)
    fsr_curves = segment_stances(
        insole_t, fsr[rows].astype(float), cut, n_points, name=name, rows=rows
    )
    cop = np.stack(insole_cop(fsr_curves.reshape(-1, fsr_curves.shape[2])), axis=1).reshape(
        len(keep), n_points, 2
    )
    name = f"{where}/imu"
    rows = segment_rows(imu_t, cut, n_points, name=name)
    imu_rows = resample_poly_at(
        imu_x, rows, info.imu_rate_hz, rate, channels=[f"{name}:{c}" for c in IMU_CHANNELS]
    )
    imu_curves = segment_stances(imu_t, imu_rows, cut, n_points, name=name, rows=rows)
    inputs = np.concatenate([fsr_curves, cop, imu_curves], axis=2)
    defined = np.isfinite(cop).all(axis=(1, 2))
    reason[keep[~defined]] = REASON_COP_UNDEFINED
    keep, inputs = keep[defined], inputs[defined]

    n = len(keep)
    ic, to = events["ic_s"].to_numpy()[keep], events["to_s"].to_numpy()[keep]
    meta = {
        **{key: np.full(n, value, dtype=object) for key, value in ids.items()},
        "condition": np.full(n, info.condition, dtype=object),
        "foot": np.full(n, foot, dtype=object),
        "plate": np.full(n, "", dtype=object),
        "ic_s": ic,
        "to_s": to,
        "contact_time_s": to - ic,
        "speed_mps": speed_mps[keep],
        "gradient_deg": np.full(n, float(info.gradient_deg)),
        "body_mass_kg": np.full(n, float(participant["body_mass_kg"])),
        "insole_length_m": np.full(n, float(participant["insole_length_m"])),
        "sex": np.full(n, str(participant["sex"]), dtype=object),
        "foot_strike": np.full(n, str(participant["foot_strike"]), dtype=object),
        "speed_source": np.full(n, source, dtype=object),
    }
    skipped = reason != ""
    rows = _skip_rows(ids, foot, events["ic_s"].to_numpy()[skipped], reason[skipped])
    return meta, inputs, rows + _other_foot_rows(insole, info, ids, config)


def _other_foot_rows(
    insole: Mapping[str, np.ndarray], info: BoutInfo, ids: Mapping[str, str], config: FieldConfig
) -> list[dict[str, object]]:
    """Skipped rows of the contacts of the foot without the IMU (none if its insole is absent or idle)."""
    other = next(f for f in FEET if f != config.preprocess.foot)
    if not all(c in insole for c in fsr_channels(other)):
        return []
    try:  # the contacts detect_wearable_stances would find on that foot, without its checks
        contacts = detect_insole_contacts(
            np.asarray(insole["time_s"], dtype=float),
            insole_loads(insole, (other,)),
            info.insole_rate_hz,
            config=config.events.contact_config(),
        )
    except NoContactError:
        return []
    ic_s = contacts["ic_s"].to_numpy()
    return _skip_rows(ids, other, ic_s, np.full(len(ic_s), REASON_NO_IMU_FOOT, dtype=object))


def _bout_job(
    job: tuple[Path, dict[str, str], float | None, dict[str, object], FieldConfig, bool],
) -> tuple[dict[str, np.ndarray] | None, np.ndarray | None, list[dict[str, object]]]:
    """One bout's stance metadata, inputs and skipped rows; ``(None, None, [its row])`` if it fails."""
    folder, ids, bout_speed_mps, participant, config, strict = job
    try:
        info, arrays = read_bout_arrays(
            folder, expected_ids=ids, limits=config.validation, require_force=False
        )
        return _bout_stances(info, arrays, participant, bout_speed_mps, config)
    except GrfkitError as error:
        if strict:
            raise
        reason = f"{REASON_BOUT_SKIPPED}: {type(error).__name__}: {error}"
        row = {**ids, "foot": "", "plate": "", "ic_s": np.nan, "reason": reason, "detail": ""}
        return None, None, [row]


def wearable_stances(
    raw_dir: str | Path,
    *,
    config: FieldConfig = FieldConfig(),
    strict: bool = False,
    progress: bool = False,
    workers: int | None = 1,
) -> tuple[StanceDataset, pd.DataFrame]:
    """Stances of every bout of a raw folder from its insoles and shoe IMU alone.

    Parameters
    ----------
    raw_dir
        Folder in the grfkit raw data format; bouts need no force table.
    config
        Settings (:class:`FieldConfig`).
    strict
        Raise the first failing bout's error instead of listing the bout as skipped.
    progress
        Show a progress bar over bouts.
    workers
        Processes working on bouts in parallel (the result does not depend on
        it); ``None``: the number of CPUs, at most 4.  With ``strict`` the
        bouts are read in this process, so that the error raised is the bout's own.

    Returns
    -------
    (stances, skipped)
        ``stances``: inputs in the channels
        :data:`grfkit.io.channels.STANCE_SIGNAL_CHANNELS` of ``config.preprocess.foot``
        (the insole of that foot and the shoe IMU), no targets (zero target
        channels); metadata as the training chain's (``plate`` is ``""``,
        ``ic_s`` and ``to_s`` on the insole clock) plus ``speed_source``
        (``"belt"``, ``"bouts.csv"`` or ``"imu"``).  ``skipped``: one row per
        contact that is not a stance and per failed bout, columns
        :data:`grfkit.preprocess.results.SKIPPED_COLUMNS` (also the stances'
        ``skipped`` table).

    Raises
    ------
    GrfkitError
        Invalid ``participants.csv`` or ``bouts.csv`` always; with ``strict``,
        the first failing bout's error, which names the file, channel or bout:
        e.g. :class:`~grfkit.errors.SamplingRateError` (a wrong sampling rate),
        :class:`~grfkit.errors.NoContactError` (no contacts in the insole load),
        :class:`~grfkit.errors.SensorFaultError` (a dead or saturated FSR),
        :class:`~grfkit.errors.MissingFileError` (no IMU table).
    ConfigError
        If ``config.speed_source`` is not one of :data:`SPEED_SOURCES`.
    """
    if config.speed_source not in SPEED_SOURCES:
        raise ConfigError(
            f"speed_source must be one of {SPEED_SOURCES}, got {config.speed_source!r}"
        )
    root = Path(raw_dir)
    people = read_participants(root).set_index(["dataset", "participant"])
    jobs = [
        (
            root / row.dataset / row.participant / row.bout,
            {"dataset": row.dataset, "participant": row.participant, "bout": row.bout},
            row.speed_mps,
            people.loc[(row.dataset, row.participant)].to_dict(),
            config,
            strict,
        )
        for row in read_bouts(root).itertuples(index=False)
    ]
    n_workers = 1 if strict else min(workers or min(os.cpu_count() or 1, 4), max(len(jobs), 1))
    metas, inputs, skipped = [], [], []
    with progress_bar(total=len(jobs), desc="wearable stances", unit="bout", show=progress) as bar:
        pool = None
        if n_workers == 1:
            outcomes: Iterator = map(_bout_job, jobs)
        else:
            pool = ProcessPoolExecutor(
                max_workers=n_workers, initializer=exit_with_parent, initargs=(os.getpid(),)
            )
            outcomes = pool.map(_bout_job, jobs, chunksize=1)
        try:
            for meta, x, rows in outcomes:
                if meta is not None:
                    metas.append(meta)
                    inputs.append(x)
                skipped.extend(rows)
                bar.update()
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    n_points = config.preprocess.segment.n_points
    table = pd.DataFrame(skipped, columns=list(SKIPPED_COLUMNS))
    meta = pd.DataFrame(
        {c: np.concatenate([m[c] for m in metas]) if metas else [] for c in META_COLUMNS}
    )
    x = np.concatenate(inputs) if inputs else np.zeros((0, n_points, len(STANCE_SIGNAL_CHANNELS)))
    stances = StanceDataset(
        meta,
        x.astype(np.float32),
        np.zeros((len(x), n_points, 0), dtype=np.float32),
        tuple(STANCE_SIGNAL_CHANNELS),
        (),
        table,
    )
    return stances, table
