"""Hamner & Delp (2013) treadmill running: trials, body masses and every stance of both feet.

Ten subjects ran on an instrumented treadmill at 2, 3, 4 and 5 m/s; each
foot's force is already split in the ``.mot`` files (960-2000 Hz), the
markers are in ``.trc`` files (100-120 Hz).  :func:`read_hamner_trial` reads
a trial into grfkit's axes (the centre of pressure is NaN where the foot
carries under 10 N), :func:`hamner_body_masses` gives the registry's masses
and, for subject20, :func:`body_mass_from_force`.  :func:`hamner_stances`
returns every contact of both feet through the shared chain
(:mod:`grfkit.real.chain`); a contact is rejected when the trial cuts it or
when the other foot's channel carries over 20 N for more than
:data:`MAX_DOUBLE_SUPPORT_S` of it (a foot across both belt halves).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.constants import CONTACT_THRESHOLD_N, GRAVITY_MPS2
from grfkit.errors import ConfigError, MissingChannelError, NoContactError
from grfkit.io.stances import StanceDataset
from grfkit.preprocess.events import detect_contacts
from grfkit.preprocess.skip_reasons import REASON_BOTH_FEET, REASON_CUT
from grfkit.real.chain import concat_trial_stances, force_stance_curves
from grfkit.real.readers.frames import rotate_vector_columns, rotation_to_grfkit
from grfkit.real.readers.opensim import OPENSIM_FORWARD, OPENSIM_UP, read_mot, read_trc
from grfkit.real.registry import dataset_info

__all__ = [
    "HAMNER_DATASET",
    "HAMNER_SUBJECTS",
    "HAMNER_RUNS",
    "MAX_DOUBLE_SUPPORT_S",
    "HamnerTrial",
    "read_hamner_trial",
    "body_mass_from_force",
    "hamner_body_masses",
    "trial_stances",
    "hamner_stances",
]

#: Registry name of the data set.
HAMNER_DATASET: str = "hamner2013"

#: The ten subjects.
HAMNER_SUBJECTS: tuple[str, ...] = (
    "subject01",
    "subject02",
    "subject03",
    "subject04",
    "subject08",
    "subject10",
    "subject11",
    "subject17",
    "subject19",
    "subject20",
)

#: Trial name -> treadmill belt speed (m/s).
HAMNER_RUNS: dict[str, float] = {"Run_2": 2.0, "Run_3": 3.0, "Run_4": 4.0, "Run_5": 5.0}

#: Longest time both feet's channels may exceed 20 N together before a contact is rejected.
MAX_DOUBLE_SUPPORT_S: float = 0.03

_SIDES: dict[str, str] = {"left": "L", "right": "R"}
_COP_THRESHOLD_N = 10.0


@dataclass(frozen=True)
class HamnerTrial:
    """One Hamner treadmill trial in grfkit's axes and SI units.

    Parameters
    ----------
    subject, run
        E.g. ``"subject01"``, ``"Run_3"``.
    speed_mps
        Belt speed.
    force_rate_hz, marker_rate_hz
        Sampling rates (``marker_rate_hz`` is NaN when markers were not read).
    force
        ``time_s`` then, per foot (``left``/``right``), ``{foot}_fx_n``,
        ``{foot}_fy_n``, ``{foot}_fz_n`` (ground reaction on that foot) and
        ``{foot}_cop_x_m``, ``{foot}_cop_y_m``, ``{foot}_cop_z_m`` (NaN where
        the foot's vertical force is below 10 N).
    markers
        ``time_s`` then ``<marker>_x_m``, ``_y_m``, ``_z_m``, or ``None``.
    """

    subject: str
    run: str
    speed_mps: float
    force_rate_hz: float
    marker_rate_hz: float
    force: pd.DataFrame
    markers: pd.DataFrame | None

    def foot_force(self, foot: str) -> np.ndarray:
        """``(n_samples, 3)`` force of one foot, columns x (AP), y (ML), z (vertical), newtons."""
        return self.force[[f"{foot}_fx_n", f"{foot}_fy_n", f"{foot}_fz_n"]].to_numpy(dtype=np.float64)


def _check_names(subject: str, run: str) -> None:
    if subject not in HAMNER_SUBJECTS:
        raise ConfigError(f"unknown Hamner subject {subject!r}; choose from {HAMNER_SUBJECTS}")
    if run not in HAMNER_RUNS:
        raise ConfigError(f"unknown Hamner trial {run!r}; choose from {tuple(HAMNER_RUNS)}")


def read_hamner_trial(
    folder: str | os.PathLike[str], subject: str, run: str, *, markers: bool = True
) -> HamnerTrial:
    """Read one trial's force (and markers) into grfkit's axes.

    Parameters
    ----------
    folder
        The data set's folder (``grfkit.real.data_folder.fetch("hamner2013")``).
    subject
        One of :data:`HAMNER_SUBJECTS`.
    run
        One of :data:`HAMNER_RUNS` (``"Run_2"`` is 2 m/s ... ``"Run_5"`` 5 m/s).
    markers
        Also read the ``.trc`` file.

    Returns
    -------
    HamnerTrial
        Force and markers rotated into grfkit's axes.

    Raises
    ------
    ConfigError
        For an unknown subject or trial.
    RawDataError
        The readers' errors for a missing, bad or truncated file.
    MissingChannelError
        If a force column is absent.
    """
    _check_names(subject, run)
    folder = Path(folder)
    mot_path = folder / subject / f"{run}_grf.mot"
    table, header = read_mot(mot_path)
    rotation = rotation_to_grfkit(OPENSIM_FORWARD, OPENSIM_UP)
    columns: dict[str, np.ndarray] = {"time_s": table["time"].to_numpy(dtype=np.float64)}
    for foot, prefix in _SIDES.items():
        names = [f"{prefix}_ground_force_{kind}{axis}" for kind in ("v", "p") for axis in "xyz"]
        missing = [name for name in names if name not in table.columns]
        if missing:
            raise MissingChannelError("force column is missing", path=mot_path, channel=missing[0])
        force = table[names[:3]].to_numpy(dtype=np.float64) @ rotation.T
        cop = table[names[3:]].to_numpy(dtype=np.float64) @ rotation.T
        cop[force[:, 2] < _COP_THRESHOLD_N] = np.nan
        for axis_index, axis in enumerate("xyz"):
            columns[f"{foot}_f{axis}_n"] = force[:, axis_index]
        for axis_index, axis in enumerate("xyz"):
            columns[f"{foot}_cop_{axis}_m"] = cop[:, axis_index]
    marker_table = None
    marker_rate = float("nan")
    if markers:
        trc_name = f"{subject}/{run}.trc"
        options = dict(dataset_info(HAMNER_DATASET).file(trc_name).read_options)
        raw_markers, marker_header = read_trc(folder / trc_name, **options)  # type: ignore[arg-type]
        marker_table = rotate_vector_columns(raw_markers.drop(columns=["frame"]), rotation)
        marker_rate = float(marker_header["data_rate_hz"])  # type: ignore[arg-type]
    return HamnerTrial(
        subject=subject,
        run=run,
        speed_mps=HAMNER_RUNS[run],
        force_rate_hz=float(header["sampling_rate_hz"]),  # type: ignore[arg-type]
        marker_rate_hz=marker_rate,
        force=pd.DataFrame(columns),
        markers=marker_table,
    )


def body_mass_from_force(
    total_vertical_force_n: np.ndarray, time_s: np.ndarray, stride_start_s: np.ndarray
) -> float:
    """Body mass from the mean vertical force over whole strides of steady running.

    Over a whole number of strides the runner's vertical velocity returns to
    its starting value, so the mean vertical ground reaction equals body
    weight: ``m = mean(Fz) / g``.

    Parameters
    ----------
    total_vertical_force_n
        Vertical force under both feet together, newtons.
    time_s
        Time of each sample.
    stride_start_s
        Successive initial contacts of one foot (at least two): the mean is
        taken from the first to the last.

    Returns
    -------
    float
        Body mass in kg.

    Raises
    ------
    NoContactError
        With fewer than two initial contacts.

    Examples
    --------
    >>> t = np.arange(0, 2, 0.001)
    >>> f = np.where((t % 0.5) < 0.25, 2 * 700.0, 0.0)  # 700 N runner, half of each step in the air
    >>> round(body_mass_from_force(f, t, np.array([0.0, 1.0])), 1)
    71.4
    """
    starts = np.sort(np.asarray(stride_start_s, dtype=np.float64))
    starts = starts[np.isfinite(starts)]
    if starts.size < 2:
        raise NoContactError("need at least two initial contacts of one foot to span whole strides")
    inside = (time_s >= starts[0]) & (time_s < starts[-1])
    return float(np.mean(np.asarray(total_vertical_force_n)[inside]) / GRAVITY_MPS2)


def hamner_body_masses(
    folder: str | os.PathLike[str], subjects: tuple[str, ...] | list[str] = HAMNER_SUBJECTS
) -> pd.DataFrame:
    """Body mass of every subject, with its source.

    Parameters
    ----------
    folder
        The data set's folder.
    subjects
        Which subjects (default: all ten).

    Returns
    -------
    pandas.DataFrame
        ``subject``, ``body_mass_kg``, ``source`` (``"model"``: the scaled
        OpenSim model's mass, from the registry's ``body_mass_kg``;
        ``"force"`` where the registry has none, estimated with
        :func:`body_mass_from_force` as the median over the four trials) and
        ``force_estimate_kg`` (that estimate for every subject, a check of the
        method against the model masses).
    """
    folder = Path(folder)
    model_mass_kg = dataset_info(HAMNER_DATASET).body_mass_kg
    rows = []
    for subject in subjects:
        _check_names(subject, "Run_2")
        estimates = []
        for run in HAMNER_RUNS:
            trial = read_hamner_trial(folder, subject, run, markers=False)
            t = trial.force["time_s"].to_numpy()
            left = detect_contacts(trial.force["left_fz_n"].to_numpy(), trial.force_rate_hz, time_s=t)
            total = trial.force["left_fz_n"].to_numpy() + trial.force["right_fz_n"].to_numpy()
            estimates.append(body_mass_from_force(total, t, left["ic_s"].to_numpy()))
        estimate = float(np.median(estimates))
        has_model = subject in model_mass_kg
        rows.append(
            {
                "subject": subject,
                "body_mass_kg": float(model_mass_kg[subject]) if has_model else estimate,
                "source": "model" if has_model else "force",
                "force_estimate_kg": estimate,
            }
        )
    return pd.DataFrame(rows)


def _skip(subject: str, run: str, foot: str, ic_s: float, reason: str, detail: str) -> dict[str, object]:
    return {
        "dataset": HAMNER_DATASET,
        "participant": subject,
        "bout": run,
        "foot": foot,
        "plate": "belt",
        "ic_s": ic_s,
        "reason": reason,
        "detail": detail,
    }


def trial_stances(trial: HamnerTrial, body_mass_kg: float) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Stances of both feet of one trial.

    Parameters
    ----------
    trial
        A trial from :func:`read_hamner_trial`.
    body_mass_kg
        The subject's body mass.

    Returns
    -------
    meta : pandas.DataFrame
        One row per accepted stance (stance metadata columns plus
        ``condition``, ``environment``, ``force_rate_hz``, ``peak_vgrf_raw_n``).
    curves : numpy.ndarray
        ``(n, 101, 3)`` filtered force (vertical, AP, ML), newtons.
    skipped : pandas.DataFrame
        Rejected contacts with ``reason`` and ``detail``.
    """
    t = trial.force["time_s"].to_numpy()
    vertical = {foot: trial.force[f"{foot}_fz_n"].to_numpy() for foot in _SIDES}
    rows, curves, skips = [], [], []
    for foot in _SIDES:
        other = vertical["right" if foot == "left" else "left"]
        contacts = detect_contacts(
            vertical[foot],
            trial.force_rate_hz,
            CONTACT_THRESHOLD_N,
            time_s=t,
            channel=f"{trial.subject}/{trial.run}:{foot}",
        )
        loaded_other = np.r_[0, np.cumsum(other > CONTACT_THRESHOLD_N)]
        keep = []
        for contact in contacts.itertuples(index=False):
            ic = float(contact.ic_s) if np.isfinite(contact.ic_s) else float(t[contact.ic_index])
            if not contact.complete:
                detail = "trial starts or ends inside the contact"
                skips.append(_skip(trial.subject, trial.run, foot, ic, REASON_CUT, detail))
                continue
            overlap = int(loaded_other[contact.to_index + 1] - loaded_other[contact.ic_index])
            if overlap / trial.force_rate_hz > MAX_DOUBLE_SUPPORT_S:
                peak_other = float(other[contact.ic_index : contact.to_index + 1].max())
                skips.append(
                    _skip(
                        trial.subject,
                        trial.run,
                        foot,
                        ic,
                        REASON_BOTH_FEET,
                        f"other foot above {CONTACT_THRESHOLD_N:g} N for {overlap / trial.force_rate_hz * 1000:.0f} ms "
                        f"(peak {peak_other:.0f} N)",
                    )
                )
                continue
            keep.append(contact)
        if not keep:
            continue
        ic = np.array([c.ic_s for c in keep])
        to = np.array([c.to_s for c in keep])
        force = trial.foot_force(foot)[:, [2, 0, 1]]  # vertical, AP, ML
        curves.append(force_stance_curves(force, t, trial.force_rate_hz, ic, to))
        for c in keep:
            rows.append(
                {
                    "dataset": HAMNER_DATASET,
                    "participant": trial.subject,
                    "bout": trial.run,
                    "foot": foot,
                    "plate": "belt",
                    "ic_s": float(c.ic_s),
                    "to_s": float(c.to_s),
                    "contact_time_s": float(c.to_s - c.ic_s),
                    "speed_mps": trial.speed_mps,
                    "gradient_deg": 0.0,
                    "body_mass_kg": body_mass_kg,
                    "insole_length_m": np.nan,
                    "condition": f"{trial.speed_mps:g} m/s",
                    "environment": "treadmill",
                    "force_rate_hz": trial.force_rate_hz,
                    "peak_vgrf_raw_n": float(c.peak),
                }
            )
    meta = pd.DataFrame(rows)
    array = np.concatenate(curves) if curves else np.zeros((0, 101, 3))
    return meta, array, pd.DataFrame(skips)


def hamner_stances(
    folder: str | os.PathLike[str],
    *,
    subjects: tuple[str, ...] | list[str] = HAMNER_SUBJECTS,
    runs: tuple[str, ...] | list[str] = tuple(HAMNER_RUNS),
    body_masses: pd.DataFrame | None = None,
) -> StanceDataset:
    """Every stance of both feet of the chosen trials, through the shared chain.

    Parameters
    ----------
    folder
        The data set's folder.
    subjects, runs
        Which trials (default: all 10 x 4).
    body_masses
        Output of :func:`hamner_body_masses` (computed when ``None``).

    Returns
    -------
    StanceDataset
        Force stance set (targets :data:`grfkit.real.chain.GRF_CHANNELS`, no
        inputs), stances ordered by subject, trial, foot and time; the
        ``skipped`` table lists every rejected contact with ``reason`` and
        ``detail``.
    """
    masses = hamner_body_masses(folder, subjects) if body_masses is None else body_masses
    mass_of = dict(zip(masses["subject"], masses["body_mass_kg"], strict=True))
    return concat_trial_stances(
        trial_stances(read_hamner_trial(folder, subject, run, markers=False), mass_of[subject])
        for subject in subjects
        for run in runs
    )
