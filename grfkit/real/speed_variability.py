"""Step-to-step running speed of real runners, from pelvis markers between force events.

A *step* runs from the initial contact (IC) of one foot to the next IC of the
other; its mean speed is the forward displacement of the centroid of the
:data:`PELVIS_MARKERS` between the two ICs over the step time.  On the
treadmill the nominal belt speed is added as a constant (it cancels from every
step-to-step change).  :func:`step_speeds` computes the steps of one trial,
with the braking and net impulse of the opening stance as velocities;
:func:`hamner_step_speeds` and :func:`dorn_step_speeds` run it on each data
set; :func:`summarise_speed_variability` gives the SD of the speed changes,
the coefficient of variation, and the correlation of each change with the
net impulse (steps longer than :data:`MAX_STEP_TIME_RATIO` times the median
are dropped).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from grfkit.constants import GRAVITY_MPS2
from grfkit.errors import ConfigError, MissingChannelError
from grfkit.io.stances import StanceDataset
from grfkit.real.chain import force_stance_curves, force_stance_dataset
from grfkit.real.dorn import (
    DORN_DATASET,
    DORN_PARTICIPANT,
    DORN_TRIALS,
    assign_feet,
    plate_contacts,
    read_dorn_trial,
)
from grfkit.real.hamner import (
    HAMNER_DATASET,
    HAMNER_RUNS,
    HAMNER_SUBJECTS,
    hamner_stances,
    read_hamner_trial,
)
from grfkit.real.stance_features import stance_features

__all__ = [
    "PELVIS_MARKERS",
    "MAX_STEP_TIME_RATIO",
    "step_speeds",
    "summarise_speed_variability",
    "hamner_step_speeds",
    "dorn_step_speeds",
]

#: Pelvis markers whose centroid gives the runner's forward position, per data set.
PELVIS_MARKERS: dict[str, tuple[str, ...]] = {
    HAMNER_DATASET: ("LASI", "RASI", "LPSI", "RPSI"),
    DORN_DATASET: ("SACR", "LASI", "RASI"),
}

#: A step longer than this times the trial's median step time spans a missed contact.
MAX_STEP_TIME_RATIO: float = 1.5

_CONTACT_COLUMNS = ("ic_s", "foot", "braking_impulse_bws", "net_impulse_bws")


def step_speeds(
    contacts: pd.DataFrame,
    marker_time_s: np.ndarray,
    pelvis_forward_m: np.ndarray,
    *,
    belt_speed_mps: float = 0.0,
    trial: str = "",
) -> pd.DataFrame:
    """Mean running speed of every step of one trial, and the change to the next step.

    Parameters
    ----------
    contacts
        One row per foot contact of the trial: ``ic_s``, ``foot``
        (``"left"``/``"right"``), ``braking_impulse_bws`` and
        ``net_impulse_bws`` (braking and net anteroposterior impulse of that
        stance, body-weight seconds).
    marker_time_s
        Marker time stamps, on the force's clock.
    pelvis_forward_m
        ``(n_frames, n_markers)`` forward (running direction, grfkit ``x``)
        coordinate of each pelvis marker, metres; NaN where not seen.
    belt_speed_mps
        Treadmill belt speed (0 overground): added to the pelvis's velocity.
    trial
        Name used in error messages (e.g. ``"subject01/Run_3"``).

    Returns
    -------
    pandas.DataFrame
        One row per kept step: ``step`` (index of its opening contact in time
        order), ``ic_s``, ``next_ic_s``, ``step_time_s``, ``foot`` (the foot
        that opens the step), ``speed_mps`` (belt speed + pelvis displacement
        over step time), ``braking_velocity_mps`` and ``net_impulse_velocity_mps``
        (the opening stance's impulses times g, i.e. divided by body mass),
        and ``speed_change_mps`` (next step's speed minus this one's; NaN
        when the next step is not kept or not consecutive).

    Raises
    ------
    ConfigError
        If ``contacts`` lacks a column, or ``pelvis_forward_m`` does not have
        one row per marker time stamp.

    Examples
    --------
    >>> t = np.arange(0.0, 3.0, 0.01)
    >>> pelvis = (0.05 * np.sin(2 * np.pi * t / 0.35))[:, None]  # on the belt's spot, bouncing every step
    >>> contacts = pd.DataFrame({"ic_s": [0.0, 0.35, 0.7, 1.05], "foot": ["left", "right"] * 2,
    ...                          "braking_impulse_bws": 0.02, "net_impulse_bws": 0.0})
    >>> steps = step_speeds(contacts, t, pelvis, belt_speed_mps=3.0)
    >>> steps["speed_mps"].round(6).tolist(), bool(steps["speed_change_mps"].abs().max() < 1e-9)
    ([3.0, 3.0, 3.0], True)
    """
    missing = [c for c in _CONTACT_COLUMNS if c not in contacts.columns]
    if missing:
        raise ConfigError(f"{trial or 'contacts'}: contact table lacks columns {missing}")
    marker_time_s = np.asarray(marker_time_s, dtype=np.float64)
    forward = np.asarray(pelvis_forward_m, dtype=np.float64).reshape(len(marker_time_s), -1)
    if forward.shape[0] != marker_time_s.size:
        raise ConfigError(f"{trial or 'trial'}: pelvis trajectory and marker time stamps differ in length")
    table = contacts.sort_values("ic_s").reset_index(drop=True)
    ic = table["ic_s"].to_numpy(dtype=np.float64)
    feet = table["foot"].astype(str).to_numpy()
    at_ic = np.column_stack([np.interp(ic, marker_time_s, forward[:, k]) for k in range(forward.shape[1])])
    position = at_ic.mean(axis=1)
    rows = []
    if len(table) >= 2:
        step_time = np.diff(ic)
        median = float(np.median(step_time))
        for k in range(len(table) - 1):
            kept = feet[k] != feet[k + 1] and step_time[k] <= MAX_STEP_TIME_RATIO * median
            speed = belt_speed_mps + (position[k + 1] - position[k]) / step_time[k]
            if kept and np.isfinite(speed):
                rows.append(
                    {
                        "step": k,
                        "ic_s": ic[k],
                        "next_ic_s": ic[k + 1],
                        "step_time_s": step_time[k],
                        "foot": feet[k],
                        "speed_mps": speed,
                        "braking_velocity_mps": float(table["braking_impulse_bws"].iloc[k]) * GRAVITY_MPS2,
                        "net_impulse_velocity_mps": float(table["net_impulse_bws"].iloc[k]) * GRAVITY_MPS2,
                    }
                )
    steps = pd.DataFrame(
        rows,
        columns=[
            "step", "ic_s", "next_ic_s", "step_time_s", "foot", "speed_mps",
            "braking_velocity_mps", "net_impulse_velocity_mps",
        ],
    )
    following = steps["step"].shift(-1) == steps["step"] + 1
    steps["speed_change_mps"] = np.where(following, steps["speed_mps"].shift(-1) - steps["speed_mps"], np.nan)
    return steps


def summarise_speed_variability(steps: pd.DataFrame, by: Sequence[str] = ("dataset", "condition")) -> pd.DataFrame:
    """Step-to-step speed variability per group of trials.

    Parameters
    ----------
    steps
        Rows of :func:`step_speeds` of several trials, with ``dataset``,
        ``participant``, ``bout`` and the ``by`` columns.
    by
        Grouping columns of the result.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n_trials``, ``n_steps``, ``n_changes``,
        ``mean_speed_mps``, ``speed_change_sd_mps`` (SD of every step-to-step
        speed change of the group, pooled over its trials), ``speed_cv_mean``
        and ``speed_cv_max`` (coefficient of variation of the step speeds
        within a trial, averaged / largest over the trials),
        ``braking_velocity_mps`` (mean braking impulse over body mass),
        ``change_to_braking`` (``speed_change_sd_mps / braking_velocity_mps``)
        and ``change_net_impulse_r`` (correlation of each speed change with
        the net impulse of the stance between the two steps; NaN with fewer
        than three changes).

    Raises
    ------
    ConfigError
        If a grouping or trial column is missing.
    """
    by = list(by)
    trial = ["dataset", "participant", "bout"]
    missing = [c for c in {*by, *trial} if c not in steps.columns]
    if missing:
        raise ConfigError(f"step table lacks columns {sorted(missing)}")
    keys = list(dict.fromkeys([*by, *trial]))
    per_trial = steps.groupby(keys, sort=False)["speed_mps"].agg(["mean", "std"]).reset_index()
    per_trial["cv"] = per_trial["std"] / per_trial["mean"]
    rows = []
    for key, group in steps.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        changes = group.dropna(subset=["speed_change_mps"])
        trials = per_trial.merge(pd.DataFrame([dict(zip(by, key, strict=True))]), on=by)
        sd = float(changes["speed_change_mps"].std(ddof=1)) if len(changes) > 1 else np.nan
        braking = float(group["braking_velocity_mps"].mean())
        r = (
            float(np.corrcoef(changes["speed_change_mps"], changes["net_impulse_velocity_mps"])[0, 1])
            if len(changes) >= 3
            else np.nan
        )
        rows.append(
            {
                **dict(zip(by, key, strict=True)),
                "n_trials": len(trials),
                "n_steps": len(group),
                "n_changes": len(changes),
                "mean_speed_mps": float(group["speed_mps"].mean()),
                "speed_change_sd_mps": sd,
                "speed_cv_mean": float(trials["cv"].mean()),
                "speed_cv_max": float(trials["cv"].max()),
                "braking_velocity_mps": braking,
                "change_to_braking": sd / braking if braking > 0 else np.nan,
                "change_net_impulse_r": r,
            }
        )
    return pd.DataFrame(rows)


def _impulse_columns(stances: StanceDataset) -> pd.DataFrame:
    """``ic_s``, ``foot``, braking and net AP impulse (BW·s) of every stance."""
    features = stance_features(stances)
    return pd.DataFrame(
        {
            "ic_s": stances.meta["ic_s"].to_numpy(dtype=np.float64),
            "foot": stances.meta["foot"].to_numpy(),
            "braking_impulse_bws": features["braking_impulse_bws"].to_numpy(),
            "net_impulse_bws": (features["propulsive_impulse_bws"] - features["braking_impulse_bws"]).to_numpy(),
        }
    )


def _pelvis(markers: pd.DataFrame, names: Sequence[str], where: str) -> np.ndarray:
    columns = [f"{name}_x_m" for name in names]
    absent = [name for name, column in zip(names, columns, strict=True) if column not in markers.columns]
    if absent:
        raise MissingChannelError(f"{where} has no pelvis marker {absent[0]!r}", channel=absent[0])
    return markers[columns].to_numpy(dtype=np.float64)


def hamner_step_speeds(
    folder: str | os.PathLike[str],
    stances: StanceDataset | None = None,
    *,
    subjects: Sequence[str] = HAMNER_SUBJECTS,
    runs: Sequence[str] = tuple(HAMNER_RUNS),
) -> pd.DataFrame:
    """Per-step speeds of the Hamner treadmill trials, relative to the belt.

    Parameters
    ----------
    folder
        The Hamner data set's folder.
    stances
        Output of :func:`grfkit.real.hamner.hamner_stances` covering the
        chosen trials (computed when ``None``); its accepted stances give the
        ICs and impulses.
    subjects, runs
        Which trials.

    Returns
    -------
    pandas.DataFrame
        :func:`step_speeds` rows with ``dataset``, ``participant``, ``bout``,
        ``condition`` (e.g. ``"3 m/s"``), ``belt_speed_mps`` and ``markers``
        (the pelvis markers used) in front.

    Raises
    ------
    MissingChannelError
        If a trial's ``.trc`` file lacks a pelvis marker (named with the trial).
    """
    forces = hamner_stances(folder, subjects=subjects, runs=runs) if stances is None else stances
    names = PELVIS_MARKERS[HAMNER_DATASET]
    parts = []
    for subject in subjects:
        for run in runs:
            mask = ((forces.meta["participant"] == subject) & (forces.meta["bout"] == run)).to_numpy()
            if not mask.any():
                continue
            trial = read_hamner_trial(folder, subject, run)
            assert trial.markers is not None  # read_hamner_trial(markers=True) always reads them
            where = f"{subject}/{run}.trc"
            steps = step_speeds(
                _impulse_columns(forces.subset(mask)),
                trial.markers["time_s"].to_numpy(),
                _pelvis(trial.markers, names, where),
                belt_speed_mps=trial.speed_mps,
                trial=f"{subject}/{run}",
            )
            steps.insert(0, "markers", "+".join(names))
            steps.insert(0, "belt_speed_mps", trial.speed_mps)
            steps.insert(0, "condition", f"{trial.speed_mps:g} m/s")
            steps.insert(0, "bout", run)
            steps.insert(0, "participant", subject)
            steps.insert(0, "dataset", HAMNER_DATASET)
            parts.append(steps)
    return pd.concat(parts, ignore_index=True)


def dorn_step_speeds(folder: str | os.PathLike[str], trials: Sequence[str] = tuple(DORN_TRIALS)) -> pd.DataFrame:
    """Per-step speeds of the Dorn overground trials.

    Every complete plate contact whose foot the markers identify opens or
    closes a step (straddles at toe-off included: their IC lies on the plate
    hit first); its impulses come from that plate's force through the shared
    chain.

    Parameters
    ----------
    folder
        The Dorn data set's folder.
    trials
        ``"jog"`` and/or ``"sprint"``.

    Returns
    -------
    pandas.DataFrame
        As :func:`hamner_step_speeds`; ``condition`` is the trial name and
        ``belt_speed_mps`` 0.
    """
    names = PELVIS_MARKERS[DORN_DATASET]
    parts = []
    for name in trials:
        trial = read_dorn_trial(folder, name)
        contacts = assign_feet(trial, plate_contacts(trial))
        contacts = contacts[contacts["complete"] & contacts["foot_verified"]].reset_index(drop=True)
        t = trial.force["time_s"].to_numpy()
        curves = [
            force_stance_curves(
                trial.plate_force(row.plate)[:, [2, 0, 1]], t, trial.force_rate_hz, [row.ic_s], [row.to_s]
            )[0]
            for row in contacts.itertuples(index=False)
        ]
        meta = pd.DataFrame(
            {
                "dataset": DORN_DATASET,
                "participant": DORN_PARTICIPANT,
                "bout": name,
                "foot": contacts["foot"].to_numpy(),
                "plate": contacts["plate"].to_numpy(),
                "ic_s": contacts["ic_s"].to_numpy(dtype=np.float64),
                "to_s": contacts["to_s"].to_numpy(dtype=np.float64),
                "contact_time_s": (contacts["to_s"] - contacts["ic_s"]).to_numpy(dtype=np.float64),
                "speed_mps": trial.nominal_speed_mps,
                "gradient_deg": 0.0,
                "body_mass_kg": trial.body_mass_kg,
            }
        )
        stances = force_stance_dataset(meta, np.asarray(curves).reshape(len(meta), -1, 3))
        markers = _pelvis(trial.markers, names, f"{trial.file}.c3d")
        steps = step_speeds(
            _impulse_columns(stances), trial.markers["time_s"].to_numpy(), markers, trial=f"{trial.file}.c3d"
        )
        steps.insert(0, "markers", "+".join(names))
        steps.insert(0, "belt_speed_mps", 0.0)
        steps.insert(0, "condition", name)
        steps.insert(0, "bout", name)
        steps.insert(0, "participant", DORN_PARTICIPANT)
        steps.insert(0, "dataset", DORN_DATASET)
        parts.append(steps)
    return pd.concat(parts, ignore_index=True)
