"""Stance data sets of *virtual* wearables built from real recordings (Hamner, Dorn).

For every accepted left-foot stance the study's inputs are derived
(:mod:`grfkit.real.virtual_sensors`): a shoe IMU from the left heel, toe and
5th-metatarsal markers, and 16 insole FSR counts with the insole centre of
pressure from the measured vertical force and centre of pressure -- so the
insole is made from the force the model estimates.  Targets are the measured,
20 Hz filtered forces; static inputs are contact time, body mass, speed,
gradient and the insole length.  :func:`virtual_wearable_inputs` derives one
trial's inputs, :func:`hamner_wearable_stances` and
:func:`dorn_wearable_stances` build the stance sets;
``meta["cop_clipped_share"]`` reports the share of centre-of-pressure
samples clipped onto the insole (chapter 6 shows it per runner).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from grfkit.constants import N_POINTS
from grfkit.io.channels import STANCE_SIGNAL_CHANNELS, TARGET_CHANNELS
from grfkit.io.stances import SKIP_COLUMNS, StanceDataset
from grfkit.preprocess.segmentation import segment_stances
from grfkit.preprocess.skip_reasons import REASON_NO_MARKER
from grfkit.real.chain import stance_events
from grfkit.real.dorn import DORN_TRIALS, DornTrial, dorn_stances, read_dorn_trial
from grfkit.real.hamner import (
    HAMNER_RUNS,
    HAMNER_SUBJECTS,
    hamner_stances,
    read_hamner_trial,
)
from grfkit.real.virtual_sensors import (
    insole_cop_fractions,
    insole_geometry,
    virtual_insole_signals,
    virtual_shoe_imu,
)

__all__ = [
    "LEFT_FOOT_MARKERS",
    "virtual_wearable_inputs",
    "hamner_wearable_stances",
    "dorn_wearable_stances",
]

#: Heel, toe and 5th-metatarsal markers of the left foot in each data set.
LEFT_FOOT_MARKERS: dict[str, tuple[str, str, str]] = {
    "hamner2013": ("LCAL", "LTOE", "LMT5"),
    "dorn2012": ("LHEEL", "LTOE", "LP5MT"),
}

_IMU = [c for c in STANCE_SIGNAL_CHANNELS if c.startswith(("acc_", "gyro_"))]
_INSOLE = [c for c in STANCE_SIGNAL_CHANNELS if c not in _IMU]


def _fill_edges(curves: np.ndarray) -> np.ndarray:
    """Replace NaN points of each ``(n, 101)`` curve by the nearest valid point (unloaded insole at IC/TO)."""
    out = curves.copy()
    index = np.arange(curves.shape[1])
    for row in out:
        valid = np.isfinite(row)
        if valid.any() and not valid.all():
            row[~valid] = np.interp(index[~valid], index[valid], row[valid])
    return out


def virtual_wearable_inputs(
    *,
    marker_time_s: np.ndarray,
    marker_rate_hz: float,
    heel: np.ndarray,
    toe: np.ndarray,
    lateral: np.ndarray,
    force_time_s: np.ndarray,
    vertical_force_n: np.ndarray,
    cop_m: np.ndarray,
    ic_s: np.ndarray,
    to_s: np.ndarray,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, float, np.ndarray]:
    """Virtual left-shoe IMU and insole inputs of the given left-foot stances of one trial.

    Parameters
    ----------
    marker_time_s, marker_rate_hz
        Marker time stamps and rate.
    heel, toe, lateral
        ``(m, 3)`` left-foot marker trajectories (grfkit axes, metres).
    force_time_s
        Force time stamps.
    vertical_force_n
        The left foot's unfiltered vertical force (the plate or belt it stands on).
    cop_m
        ``(n, 2)`` or ``(n, 3)`` that force's centre of pressure (NaN when unloaded).
    ic_s, to_s
        The stances to cut (they also level the foot frame, see
        :func:`grfkit.real.virtual_sensors.mounting_offset`).
    rng
        Insole converter noise (``None``: noise-free).

    Returns
    -------
    inputs : numpy.ndarray
        ``(n_stances, 101, 24)`` in :data:`grfkit.io.channels.STANCE_SIGNAL_CHANNELS` order.
    insole_length_m : float
        Insole length placed from the markers (:func:`grfkit.real.virtual_sensors.insole_geometry`).
    cop_clipped_share : numpy.ndarray
        Per stance, share of loaded samples whose COP was clipped onto the insole.
    """
    imu, frames = virtual_shoe_imu(
        heel, toe, lateral, marker_time_s, marker_rate_hz, side="left", stance_ic_s=ic_s, stance_to_s=to_s
    )
    length, lateral_edge = insole_geometry(np.asarray(heel), np.asarray(lateral), frames, side="left")
    ap, ml = insole_cop_fractions(
        cop_m,
        force_time_s,
        np.asarray(heel, dtype=np.float64),
        frames,
        marker_time_s,
        side="left",
        insole_length_m=length,
        lateral_edge_m=lateral_edge,
    )
    clipped = np.empty(len(ic_s))
    for k, (a, b) in enumerate(zip(ic_s, to_s, strict=True)):
        inside = (force_time_s >= a) & (force_time_s <= b) & np.isfinite(ap)
        _, clipped[k] = virtual_insole_signals(vertical_force_n[inside], ap[inside], ml[inside])
    insole, _ = virtual_insole_signals(vertical_force_n, ap, ml, rng=rng)
    inputs = np.empty((len(ic_s), N_POINTS, len(STANCE_SIGNAL_CHANNELS)))
    events = stance_events(ic_s, to_s)
    imu_curves = segment_stances(imu["time_s"].to_numpy(), imu[_IMU].to_numpy(), events, name="virtual IMU")
    insole_curves = segment_stances(force_time_s, insole[_INSOLE].to_numpy(), events, name="virtual insole")
    for j, channel in enumerate(STANCE_SIGNAL_CHANNELS):
        if channel in _IMU:
            inputs[:, :, j] = imu_curves[:, :, _IMU.index(channel)]
        else:
            inputs[:, :, j] = _fill_edges(insole_curves[:, :, _INSOLE.index(channel)])
    return inputs, length, clipped


def _wearable_dataset(
    metas: list[pd.DataFrame], inputs: list[np.ndarray], targets: list[np.ndarray], skips: list[dict]
) -> StanceDataset:
    skipped = pd.DataFrame(skips, columns=[*SKIP_COLUMNS, "detail"]).astype({"ic_s": np.float64})
    return StanceDataset(
        meta=pd.concat(metas, ignore_index=True),
        inputs=np.concatenate(inputs).astype(np.float32),
        targets=np.concatenate(targets).astype(np.float32),
        input_channels=STANCE_SIGNAL_CHANNELS,
        target_channels=TARGET_CHANNELS,
        skipped=skipped,
    )


def _add_trial(
    collected: tuple[list[pd.DataFrame], list[np.ndarray], list[np.ndarray]],
    part: StanceDataset,
    inputs: np.ndarray,
    insole_length_m: float,
    cop_clipped_share: np.ndarray,
) -> None:
    """Append one trial's metadata (with its virtual insole's length and COP clip share), inputs and targets."""
    metas, all_inputs, targets = collected
    meta = part.meta.copy()
    meta["insole_length_m"] = insole_length_m
    meta["cop_clipped_share"] = cop_clipped_share
    metas.append(meta)
    all_inputs.append(inputs)
    targets.append(np.stack([part.target("vgrf_n"), part.target("apgrf_n")], axis=-1))


def hamner_wearable_stances(
    folder: str | os.PathLike[str],
    force_stances: StanceDataset | None = None,
    *,
    subjects: tuple[str, ...] | list[str] = HAMNER_SUBJECTS,
    seed: int = 0,
) -> StanceDataset:
    """Left-foot Hamner stances with virtual shoe-IMU and insole inputs.

    Parameters
    ----------
    folder
        The Hamner data set's folder.
    force_stances
        Output of :func:`grfkit.real.hamner.hamner_stances` (computed when ``None``).
    subjects
        Subjects to include.
    seed
        Seeds the virtual insole's converter noise.

    Returns
    -------
    StanceDataset
        Inputs :data:`grfkit.io.channels.STANCE_SIGNAL_CHANNELS`, targets
        ``vgrf_n``, ``apgrf_n``; ``skipped`` lists left stances of trials
        without the 5th-metatarsal marker (subject04 ``Run_5``).
    """
    forces = hamner_stances(folder, subjects=subjects) if force_stances is None else force_stances
    heel_name, toe_name, lateral_name = LEFT_FOOT_MARKERS["hamner2013"]
    rng = np.random.default_rng(seed)
    metas, inputs, targets, skips = [], [], [], []
    for subject in subjects:
        for run in HAMNER_RUNS:
            mask = (
                (forces.meta["participant"] == subject) & (forces.meta["bout"] == run) & (forces.meta["foot"] == "left")
            ).to_numpy()
            if not mask.any():
                continue
            part = forces.subset(mask)
            trial = read_hamner_trial(folder, subject, run)
            markers = trial.markers
            if f"{lateral_name}_x_m" not in markers.columns:
                for ic in part.meta["ic_s"]:
                    skips.append(
                        {
                            "dataset": "hamner2013",
                            "participant": subject,
                            "bout": run,
                            "foot": "left",
                            "plate": "belt",
                            "ic_s": float(ic),
                            "reason": REASON_NO_MARKER,
                            "detail": f"{lateral_name} absent from {run}.trc",
                        }
                    )
                continue

            def marker(name: str) -> np.ndarray:
                return markers[[f"{name}_{axis}_m" for axis in "xyz"]].to_numpy(dtype=np.float64)

            ic = part.meta["ic_s"].to_numpy()
            to = part.meta["to_s"].to_numpy()
            x, length, clipped = virtual_wearable_inputs(
                marker_time_s=markers["time_s"].to_numpy(),
                marker_rate_hz=trial.marker_rate_hz,
                heel=marker(heel_name),
                toe=marker(toe_name),
                lateral=marker(lateral_name),
                force_time_s=trial.force["time_s"].to_numpy(),
                vertical_force_n=trial.force["left_fz_n"].to_numpy(),
                cop_m=trial.force[["left_cop_x_m", "left_cop_y_m", "left_cop_z_m"]].to_numpy(),
                ic_s=ic,
                to_s=to,
                rng=rng,
            )
            _add_trial((metas, inputs, targets), part, x, length, clipped)
    return _wearable_dataset(metas, inputs, targets, skips)


def _dorn_trial_inputs(
    trial: DornTrial, meta: pd.DataFrame, rng: np.random.Generator
) -> tuple[np.ndarray, float, np.ndarray]:
    heel_name, toe_name, lateral_name = LEFT_FOOT_MARKERS["dorn2012"]
    t = trial.force["time_s"].to_numpy()
    # the left foot's force and COP: on each stance, the plate it stands on
    vertical = np.zeros(len(t))
    cop = np.full((len(t), 2), np.nan)
    for row in meta.itertuples(index=False):
        inside = (t >= row.ic_s - 0.02) & (t <= row.to_s + 0.02)
        vertical[inside] = trial.force[f"{row.plate}_fz_n"].to_numpy()[inside]
        cop[inside] = trial.force[[f"{row.plate}_cop_x_m", f"{row.plate}_cop_y_m"]].to_numpy()[inside]
    return virtual_wearable_inputs(
        marker_time_s=trial.markers["time_s"].to_numpy(),
        marker_rate_hz=trial.marker_rate_hz,
        heel=trial.marker(heel_name),
        toe=trial.marker(toe_name),
        lateral=trial.marker(lateral_name),
        force_time_s=t,
        vertical_force_n=vertical,
        cop_m=cop,
        ic_s=meta["ic_s"].to_numpy(),
        to_s=meta["to_s"].to_numpy(),
        rng=rng,
    )


def dorn_wearable_stances(
    folder: str | os.PathLike[str], force_stances: StanceDataset | None = None, *, seed: int = 0
) -> StanceDataset:
    """Clean left-foot Dorn plate contacts with virtual shoe-IMU and insole inputs.

    Parameters
    ----------
    folder
        The Dorn data set's folder.
    force_stances
        Output of :func:`grfkit.real.dorn.dorn_stances` (computed when ``None``).
    seed
        Seeds the virtual insole's converter noise.

    Returns
    -------
    StanceDataset
        As :func:`hamner_wearable_stances`; ``bout`` is ``"jog"`` or ``"sprint"``.
    """
    forces = dorn_stances(folder) if force_stances is None else force_stances
    rng = np.random.default_rng(seed)
    metas, inputs, targets = [], [], []
    for name in DORN_TRIALS:
        mask = ((forces.meta["bout"] == name) & (forces.meta["foot"] == "left")).to_numpy()
        if not mask.any():
            continue
        part = forces.subset(mask)
        x, length, clipped = _dorn_trial_inputs(read_dorn_trial(folder, name), part.meta, rng)
        _add_trial((metas, inputs, targets), part, x, length, clipped)
    return _wearable_dataset(metas, inputs, targets, [])
