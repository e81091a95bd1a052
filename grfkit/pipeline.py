"""The preprocessing chain: raw recordings → time-normalised stance data set.

One bout at a time (:func:`preprocess_bout`), in the order of the study's
methods:

1. **IMU resampling** 1125 → 1000 Hz, polyphase, on the insole clock
   (:func:`grfkit.resampling.resample_table`).
2. **Clock synchronisation**: insole load against total measured vertical
   force (:func:`grfkit.synchronisation.synchronise_clocks`) → offset and drift.
3. **Insole contacts** of both feet (:func:`grfkit.events.detect_insole_contacts`),
   mapped to lab time: they tell which foot made each plate contact.
4. **Plate contacts**: 20 N initial contact and toe-off on the raw force,
   classified clean or rejected with the reason
   (:func:`grfkit.events.classify_plate_contacts`).
5. **Force filtering**: 20 Hz zero-lag Butterworth, two-pass corrected
   (:func:`grfkit.filtering.lowpass_zero_lag`), for the force curves.
6. **Speed** from the waist marker around each stance overground
   (:func:`grfkit.speed.stance_speed`); the belt speed on the treadmill.
7. **Segmentation and time normalisation** of insole, IMU and force to 101
   points between initial contact and toe-off
   (:func:`grfkit.segmentation.segment_stances`).  Insole and IMU are cut at
   the event times mapped back to the insole clock.

Every plate contact that does not become a stance is reported with its reason
(right foot, straddle, edge, cut by the recording, no speed, ...), and a bout
that fails as a whole (bad file, no sync) is reported with its error, unless
``strict`` asks to stop at the first failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .atomic import atomic_directory
from .channels import IMU_CHANNELS, INSOLE_COP_CHANNELS, STANCE_SIGNAL_CHANNELS, TARGET_CHANNELS, fsr_channels
from .errors import GrfkitError, MissingFileError
from .events import classify_plate_contacts, detect_insole_contacts
from .filtering import lowpass_zero_lag
from .insole import insole_cop, total_load
from .rawdata import RawBout, read_bout, read_bouts, read_participants
from .resampling import resample_table
from .segmentation import events_outside, segment_stances
from .speed import stance_speed
from .stances import N_POINTS, SKIP_COLUMNS, StanceDataset
from .synchronisation import ClockSync, insole_to_lab_time, lab_to_insole_time, synchronise_clocks

__all__ = [
    "PreprocessConfig",
    "BoutResult",
    "PreprocessResult",
    "preprocess_bout",
    "preprocess_raw",
    "REASON_OTHER_FOOT",
    "REASON_INSOLE_UNLOADED",
]

#: Reason recorded for plate contacts of the foot the models do not use.
REASON_OTHER_FOOT = "other foot (the models use the left insole and left-shoe IMU)"
#: Reason recorded when the insole reads nothing during a plate contact.
REASON_INSOLE_UNLOADED = "insole unloaded during the stance"

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
        the raw force (see :mod:`grfkit.events` for why).
    edge_margin_m
        Smallest distance of the plate centre of pressure from the plate's
        edge for a clean contact, metres.
    duration_tolerance_s
        Largest disagreement of plate and insole IC (and TO) for a clean
        contact, seconds.
    speed_window_s
        Window centred on a stance over which the waist speed is averaged, seconds.
    foot
        Foot whose stances are kept (the study: left, where the IMU is).
    """

    sampling_rate_hz: float = 1000.0
    force_cutoff_hz: float = 20.0
    filter_order: int = 2
    threshold_n: float = 20.0
    detection_cutoff_hz: float | None = None
    edge_margin_m: float = 0.02
    duration_tolerance_s: float = 0.005
    speed_window_s: float = 0.35
    foot: str = "left"


@dataclass
class BoutResult:
    """What :func:`preprocess_bout` makes of one bout.

    Parameters
    ----------
    stances
        The bout's stances (possibly empty).
    contacts
        Every plate contact with its classification (columns of
        :data:`grfkit.events.PLATE_CONTACT_COLUMNS` plus ``dataset``,
        ``participant``, ``bout``, ``stance`` (kept as a stance) and ``skip_reason``).
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
        The bout's tables (validated by :func:`grfkit.rawdata.read_bout`).
    participant
        The participant's row of ``participants.csv`` (``body_mass_kg``,
        ``insole_length_m``, ``sex``, ``foot_strike``).
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
        when the clocks cannot be aligned); :func:`preprocess_raw` reports
        it as a skipped bout.
    """
    info = bout.info
    rate = config.sampling_rate_hz
    where = f"{info.dataset}/{info.participant}/{info.bout}"

    # 1. IMU onto a 1000 Hz grid of the insole clock.
    imu = resample_table(bout.imu, info.imu_rate_hz, rate, name=f"{where}/imu")

    # 2. Clock synchronisation from per-foot insole load and total plate force.
    insole_t = bout.insole["time_s"].to_numpy(dtype=float)
    left_fsr = bout.insole[fsr_channels("left")].to_numpy(dtype=float)
    right_fsr = bout.insole[fsr_channels("right")].to_numpy(dtype=float)
    feet_fsr = {"left": left_fsr, "right": right_fsr}
    load = np.column_stack([total_load(left_fsr), total_load(right_fsr)])
    force_t = bout.force["time_s"].to_numpy(dtype=float)
    plate_fz = {p.name: bout.force[f"{p.name}_fz_n"].to_numpy(dtype=float) for p in info.plates}
    sync = synchronise_clocks(
        insole_t,
        load,
        force_t,
        np.sum(list(plate_fz.values()), axis=0),
        insole_rate_hz=info.insole_rate_hz,
        lab_rate_hz=info.force_rate_hz,
        threshold_n=config.threshold_n,
    )

    # 3. Insole contacts in lab time tell the foot of each plate contact.
    insole_contacts = detect_insole_contacts(bout.insole, info.insole_rate_hz)
    reference = insole_contacts.assign(
        ic_s=insole_to_lab_time(insole_contacts["ic_s"].to_numpy(), sync),
        to_s=insole_to_lab_time(insole_contacts["to_s"].to_numpy(), sync),
    )

    # 4. Plate contacts, clean or rejected.
    contacts = classify_plate_contacts(
        bout.force,
        info.plates,
        sampling_rate_hz=info.force_rate_hz,
        threshold_n=config.threshold_n,
        reference_contacts=reference,
        edge_margin_m=config.edge_margin_m,
        duration_tolerance_s=config.duration_tolerance_s,
        detection_cutoff_hz=config.detection_cutoff_hz,
    )
    contacts.insert(0, "bout", info.bout)
    contacts.insert(0, "participant", info.participant)
    contacts.insert(0, "dataset", info.dataset)
    skip = contacts["reason"].astype(str).to_numpy(dtype=object)
    skip = np.where(contacts["clean"] & (contacts["foot"] != config.foot) & (skip == ""), REASON_OTHER_FOOT, skip)
    candidates = contacts.loc[skip == ""]

    # 6. Speed (before cutting: a stance without a speed is not a complete model input).
    if info.environment == "treadmill":
        speed = pd.DataFrame({"speed_mps": np.full(len(candidates), float(info.belt_speed_mps)), "reason": ""},
                             index=candidates.index)
    elif bout.marker is None:
        speed = pd.DataFrame({"speed_mps": np.nan, "reason": "no waist marker table"}, index=candidates.index)
    else:
        speed = stance_speed(
            bout.marker,
            candidates["ic_s"].to_numpy(),
            candidates["to_s"].to_numpy(),
            config.speed_window_s,
            sampling_rate_hz=info.marker_rate_hz or 200.0,
        ).set_axis(candidates.index)
    skip[contacts.index.get_indexer(candidates.index)] = speed["reason"].to_numpy(dtype=object)

    # 7. Events back on the insole clock; stances the wearables do not cover are skipped.
    events_lab = contacts.loc[skip == "", ["ic_s", "to_s"]]
    events_insole = pd.DataFrame(
        {
            "ic_s": lab_to_insole_time(events_lab["ic_s"].to_numpy(), sync),
            "to_s": lab_to_insole_time(events_lab["to_s"].to_numpy(), sync),
        },
        index=events_lab.index,
    )
    outside = events_outside(insole_t, events_insole).where(
        lambda r: r != "", events_outside(imu["time_s"].to_numpy(), events_insole)
    )
    skip[contacts.index.get_indexer(events_lab.index)] = outside.to_numpy(dtype=object)
    keep = contacts.index[skip == ""]
    events_insole = events_insole.loc[keep]
    kept = contacts.loc[keep]

    fsr = segment_stances(insole_t, feet_fsr[config.foot], events_insole, N_POINTS, name=f"{where}/insole")
    cop_ap, cop_ml = insole_cop(fsr.reshape(-1, fsr.shape[2]))
    cop = [_fill_nearest(c.reshape(len(keep), N_POINTS)) for c in (cop_ap, cop_ml)]
    if len(keep) and (cop[0] is None or cop[1] is None):
        # Rare: drop only the stances whose insole never registers load.
        loaded = np.isfinite(cop_ap.reshape(len(keep), N_POINTS)).any(axis=1)
        skip[contacts.index.get_indexer(keep[~loaded])] = REASON_INSOLE_UNLOADED
        keep, events_insole, kept, fsr = keep[loaded], events_insole[loaded], kept[loaded], fsr[loaded]
        cop_ap, cop_ml = insole_cop(fsr.reshape(-1, fsr.shape[2]))
        cop = [_fill_nearest(c.reshape(len(keep), N_POINTS)) for c in (cop_ap, cop_ml)]
    imu_curves = segment_stances(
        imu["time_s"].to_numpy(), imu[list(IMU_CHANNELS)].to_numpy(dtype=float), events_insole, N_POINTS,
        name=f"{where}/imu",
    )

    # 5. Force curves: 20 Hz zero-lag low-pass, only on plates that carry a stance.
    targets = np.zeros((len(keep), N_POINTS, len(TARGET_CHANNELS)))
    for plate in kept["plate"].unique():
        rows = np.flatnonzero((kept["plate"] == plate).to_numpy())
        filtered = np.column_stack(
            [
                lowpass_zero_lag(bout.force[f"{plate}_{axis}_n"].to_numpy(dtype=float), config.force_cutoff_hz,
                                 info.force_rate_hz, config.filter_order, channel=f"{plate}_{axis}_n")
                for axis in ("fz", "fx")
            ]
        )
        targets[rows] = segment_stances(force_t, filtered, kept.iloc[rows][["ic_s", "to_s"]], N_POINTS,
                                        name=f"{where}/force")

    n_keep = len(keep)
    inputs = np.concatenate(
        [fsr, np.stack(cop, axis=2) if n_keep else np.zeros((0, N_POINTS, 2)), imu_curves], axis=2
    ).astype(np.float32)
    assert inputs.shape[2] == len(fsr_channels(config.foot)) + len(INSOLE_COP_CHANNELS) + len(IMU_CHANNELS)
    meta = pd.DataFrame(
        {
            "dataset": info.dataset,
            "participant": info.participant,
            "bout": info.bout,
            "condition": info.condition,
            "foot": config.foot,
            "plate": kept["plate"].to_numpy(dtype=object),
            "ic_s": kept["ic_s"].to_numpy(dtype=float),
            "to_s": kept["to_s"].to_numpy(dtype=float),
            "contact_time_s": (kept["to_s"] - kept["ic_s"]).to_numpy(dtype=float),
            "speed_mps": speed.reindex(keep)["speed_mps"].to_numpy(dtype=float),
            "gradient_deg": float(info.gradient_deg),
            "body_mass_kg": float(participant["body_mass_kg"]),
            "insole_length_m": float(participant["insole_length_m"]),
            "sex": str(participant["sex"]),
            "foot_strike": str(participant["foot_strike"]),
        },
        index=range(n_keep),
    )
    contacts["stance"] = skip == ""
    contacts["skip_reason"] = skip
    stances = StanceDataset(meta, inputs, targets.astype(np.float32), STANCE_SIGNAL_CHANNELS, TARGET_CHANNELS)
    return BoutResult(stances=stances, contacts=contacts, sync=sync)


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


def _bout_job(args: tuple[Path, dict[str, object], dict[str, object], PreprocessConfig, bool]):
    folder, ids, participant, config, strict = args
    try:
        bout = read_bout(folder)
        duration = float(bout.force["time_s"].iloc[-1] - bout.force["time_s"].iloc[0])
        return ids, duration, preprocess_bout(bout, participant, config), ""
    except GrfkitError as err:
        if strict:
            raise
        return ids, float("nan"), None, f"{type(err).__name__}: {err}"


def _iter_jobs(root: Path, config: PreprocessConfig, strict: bool) -> Iterator[tuple]:
    participants = read_participants(root).set_index("participant")
    for row in read_bouts(root).itertuples(index=False):
        ids = {"dataset": row.dataset, "participant": row.participant, "bout": row.bout}
        folder = root / row.dataset / row.participant / row.bout
        yield folder, ids, participants.loc[row.participant].to_dict(), config, strict


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
    jobs = list(_iter_jobs(root, config, strict))
    n_workers = min(workers or min(os.cpu_count() or 1, 4), max(len(jobs), 1))
    parts, contacts, bout_rows, skipped = [], [], [], []
    with tqdm(total=len(jobs), desc="preprocess", unit="bout", disable=not progress) as bar:
        if n_workers == 1:
            outcomes: Iterator = map(_bout_job, jobs)
            pool = None
        else:
            pool = ProcessPoolExecutor(max_workers=n_workers)
            outcomes = pool.map(_bout_job, jobs, chunksize=1)
        try:
            for ids, duration, result, error in outcomes:
                bar.update()
                if result is None:
                    bout_rows.append({**ids, "status": error, "duration_s": duration})
                    skipped.append({**ids, "foot": "", "plate": "", "ic_s": np.nan, "reason": f"bout skipped: {error}"})
                    continue
                parts.append(result.stances)
                contacts.append(result.contacts)
                not_used = result.contacts.loc[~result.contacts["stance"]]
                skipped.extend(
                    {**ids, "foot": r.foot, "plate": r.plate, "ic_s": r.ic_s, "reason": r.skip_reason}
                    for r in not_used.itertuples(index=False)
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
                        "n_plate_contacts": len(result.contacts),
                        "n_stances": len(result.stances),
                        "duration_s": duration,
                    }
                )
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    stances = StanceDataset.concat(parts) if parts else _empty_stances()
    skipped_table = pd.DataFrame(skipped, columns=list(SKIP_COLUMNS))
    stances = StanceDataset(stances.meta, stances.inputs, stances.targets, stances.input_channels,
                            stances.target_channels, skipped_table)
    return PreprocessResult(
        stances=stances,
        contacts=pd.concat(contacts, ignore_index=True) if contacts else pd.DataFrame(),
        bouts=pd.DataFrame(bout_rows, columns=list(BOUT_TABLE_COLUMNS)),
    )
