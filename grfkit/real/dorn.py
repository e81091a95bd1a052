"""Dorn et al. (2012) overground running: every clean contact on the 8 force plates.

One runner (JA1) crossed a runway of 8 force plates in a jog (about 3.5 m/s)
and a sprint (about 9 m/s); C3D files with markers at 250 Hz and plates at
1500 Hz, rotated into grfkit's frame (the lab's +Y is forward).
:func:`read_dorn_trial` reads a trial, :func:`plate_contacts` finds the
contacts (20 N on each plate; straddle, edge and cut rules, plus a guard of
:data:`STRADDLE_GUARD_S` around IC and TO), :func:`assign_feet` gives each
contact to the foot whose markers lie closest to the centre of pressure
(verified by :data:`FOOT_MATCH_M`, :data:`FOOT_CLEAR_M` and alternation), and
:func:`dorn_stances` returns the clean contacts as a force stance set, the
rejected ones with their reason.  Speed: the sacral marker's mean forward
velocity over the contacts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.constants import CONTACT_THRESHOLD_N
from grfkit.errors import ConfigError, MissingChannelError
from grfkit.io.schema import Plate
from grfkit.io.stances import StanceDataset
from grfkit.preprocess.plate_contacts import classify_plate_contacts
from grfkit.real.chain import concat_trial_stances, force_stance_curves
from grfkit.real.readers.c3d import read_c3d, to_grfkit_frame
from grfkit.real.registry import dataset_info

__all__ = [
    "DORN_DATASET",
    "DORN_TRIALS",
    "DORN_PARTICIPANT",
    "STRADDLE_GUARD_S",
    "FOOT_MATCH_M",
    "FOOT_CLEAR_M",
    "FOOT_MARKERS",
    "DornTrial",
    "read_dorn_trial",
    "plate_contacts",
    "assign_feet",
    "dorn_stances",
]

#: Registry name of the data set.
DORN_DATASET: str = "dorn2012"

#: Trial name -> (file stem, nominal speed in m/s).
DORN_TRIALS: dict[str, tuple[str, float]] = {"jog": ("JA1Gait21", 3.5), "sprint": ("JA1Gait35", 9.0)}

#: The one participant.
DORN_PARTICIPANT: str = "JA1"

#: Another plate loaded within this time of a contact's IC or TO makes it a straddle.
STRADDLE_GUARD_S: float = 0.01

#: Largest horizontal distance between the centre of pressure and the assigned foot's markers.
FOOT_MATCH_M: float = 0.15

#: Smallest horizontal distance between the centre of pressure and the other foot's markers.
FOOT_CLEAR_M: float = 0.25

#: Markers whose centroid locates each foot.
FOOT_MARKERS: dict[str, tuple[str, ...]] = {
    "left": ("LHEEL", "LTOE", "LP1MT", "LP5MT"),
    "right": ("RHEEL", "RTOE", "RP1MT", "RP5MT"),
}

_PLATE_COLUMNS = ("fx_n", "fy_n", "fz_n", "cop_x_m", "cop_y_m")


@dataclass(frozen=True)
class DornTrial:
    """One Dorn trial in grfkit's axes.

    Parameters
    ----------
    name
        ``"jog"`` or ``"sprint"``.
    file
        File stem, e.g. ``"JA1Gait21"``.
    nominal_speed_mps
        Speed the data set describes.
    body_mass_kg
        The runner's mass (registry).
    force_rate_hz, marker_rate_hz
        Sampling rates.
    force
        ``time_s`` then ``plate<k>_fx_n``, ``_fy_n``, ``_fz_n``, ``_cop_x_m``,
        ``_cop_y_m`` for the 8 plates (the raw-format force table; COP NaN
        below 10 N).
    plates
        Plate surfaces in grfkit's lab frame.
    markers
        ``time_s`` then ``<marker>_x_m``, ``_y_m``, ``_z_m`` (NaN where not seen).
    """

    name: str
    file: str
    nominal_speed_mps: float
    body_mass_kg: float
    force_rate_hz: float
    marker_rate_hz: float
    force: pd.DataFrame
    plates: tuple[Plate, ...]
    markers: pd.DataFrame

    def plate_force(self, plate: str) -> np.ndarray:
        """``(n_samples, 3)`` force of one plate: x (AP), y (ML), z (vertical), newtons."""
        return self.force[[f"{plate}_fx_n", f"{plate}_fy_n", f"{plate}_fz_n"]].to_numpy(dtype=np.float64)

    def marker(self, name: str) -> np.ndarray:
        """``(n_frames, 3)`` trajectory of one marker, metres.

        Raises
        ------
        MissingChannelError
            If the marker is absent.
        """
        columns = [f"{name}_{axis}_m" for axis in "xyz"]
        if columns[0] not in self.markers.columns:
            raise MissingChannelError(f"{self.file} has no marker {name!r}", channel=name)
        return self.markers[columns].to_numpy(dtype=np.float64)

    def speed_mps(self, t_start_s: float, t_end_s: float, marker: str = "SACR") -> float:
        """Mean forward (x) velocity of a marker between two times, m/s."""
        t = self.markers["time_s"].to_numpy()
        x = self.marker(marker)[:, 0]
        inside = (t >= t_start_s) & (t <= t_end_s) & np.isfinite(x)
        if np.count_nonzero(inside) < 2:
            raise MissingChannelError(
                f"marker {marker!r} is not seen between {t_start_s:g} and {t_end_s:g} s", channel=marker
            )
        slope = np.polyfit(t[inside], x[inside], 1)[0]
        return float(slope)


def read_dorn_trial(folder: str | os.PathLike[str], trial: str) -> DornTrial:
    """Read one Dorn trial into grfkit's axes.

    Parameters
    ----------
    folder
        The data set's folder (``grfkit.real.data_folder.fetch("dorn2012")``).
    trial
        ``"jog"`` or ``"sprint"``.

    Returns
    -------
    DornTrial
        Force table, plates and markers.

    Raises
    ------
    ConfigError
        For an unknown trial.
    RawDataError
        The C3D reader's errors.
    """
    if trial not in DORN_TRIALS:
        raise ConfigError(f"unknown Dorn trial {trial!r}; choose from {tuple(DORN_TRIALS)}")
    stem, speed = DORN_TRIALS[trial]
    recording = to_grfkit_frame(read_c3d(Path(folder) / f"{stem}.c3d"), forward="+y")
    columns: dict[str, np.ndarray] = {"time_s": recording.plates[0].data["time_s"].to_numpy()}
    plates = []
    for plate in recording.plates:
        for column in _PLATE_COLUMNS:
            columns[f"{plate.name}_{column}"] = plate.data[column].to_numpy(dtype=np.float64)
        plates.append(Plate(plate.name, *plate.bounds_m))
    return DornTrial(
        name=trial,
        file=stem,
        nominal_speed_mps=speed,
        body_mass_kg=float(dataset_info(DORN_DATASET).body_mass_kg[DORN_PARTICIPANT]),
        force_rate_hz=recording.analog_rate_hz,
        marker_rate_hz=recording.marker_rate_hz,
        force=pd.DataFrame(columns),
        plates=tuple(plates),
        markers=recording.markers,
    )


def plate_contacts(trial: DornTrial) -> pd.DataFrame:
    """Every plate contact of a trial, with the straddle guard applied.

    Parameters
    ----------
    trial
        A trial from :func:`read_dorn_trial`.

    Returns
    -------
    pandas.DataFrame
        :func:`grfkit.preprocess.plate_contacts.classify_plate_contacts`'s table; a contact
        another plate loads within :data:`STRADDLE_GUARD_S` of its IC or TO
        gets the reason ``"straddle: plateA+plateB (within 10 ms of IC/TO)"``.
    """
    table = classify_plate_contacts(trial.force, trial.plates, sampling_rate_hz=trial.force_rate_hz)
    guard = int(round(STRADDLE_GUARD_S * trial.force_rate_hz))
    n = len(trial.force)
    names = [p.name for p in trial.plates]
    loaded = {name: trial.force[f"{name}_fz_n"].to_numpy() > CONTACT_THRESHOLD_N for name in names}
    reasons = table["reason"].tolist()
    for i, row in enumerate(table.itertuples(index=False)):
        if "straddle" in reasons[i]:
            continue
        first, last = max(int(row.ic_index) - guard, 0), min(int(row.to_index) + guard, n - 1)
        others = [name for name in names if name != row.plate and loaded[name][first : last + 1].any()]
        if others:
            plates = "+".join(sorted([row.plate, *others]))
            text = f"straddle: {plates} (within {STRADDLE_GUARD_S * 1000:.0f} ms of IC/TO)"
            reasons[i] = f"{reasons[i]}; {text}" if reasons[i] else text
    table["reason"] = reasons
    table["clean"] = table["reason"] == ""
    return table


def assign_feet(trial: DornTrial, contacts: pd.DataFrame) -> pd.DataFrame:
    """Give each plate contact the foot standing on it, from the foot markers.

    Parameters
    ----------
    trial
        The trial (markers and force).
    contacts
        Table from :func:`plate_contacts` (``plate``, ``ic_index``, ``to_index``, ``complete``).

    Returns
    -------
    pandas.DataFrame
        ``contacts`` with ``foot``, ``foot_distance_m`` (median horizontal
        distance from the COP to the chosen foot's marker centroid),
        ``other_foot_distance_m`` and ``foot_verified``.
    """
    t_force = trial.force["time_s"].to_numpy()
    t_marker = trial.markers["time_s"].to_numpy()
    centroids = {}
    for foot, names in FOOT_MARKERS.items():
        stacked = np.stack([trial.marker(name) for name in names])
        centroids[foot] = np.nanmean(stacked, axis=0)
    out = contacts.copy()
    feet, distances, others, verified = [], [], [], []
    for row in contacts.itertuples(index=False):
        window = slice(int(row.ic_index), int(row.to_index) + 1)
        cop = trial.force[[f"{row.plate}_cop_x_m", f"{row.plate}_cop_y_m"]].to_numpy()[window]
        times = t_force[window]
        fz = trial.force[f"{row.plate}_fz_n"].to_numpy()[window]
        use = np.isfinite(cop).all(axis=1) & (fz >= 0.1 * np.nanmax(fz))
        distance = {}
        for foot, centroid in centroids.items():
            xy = np.column_stack([np.interp(times[use], t_marker, centroid[:, k]) for k in range(2)])
            distance[foot] = float(np.nanmedian(np.hypot(*(xy - cop[use]).T))) if use.any() else np.nan
        foot = min(distance, key=lambda f: distance[f] if np.isfinite(distance[f]) else np.inf)
        other = "right" if foot == "left" else "left"
        feet.append(foot)
        distances.append(distance[foot])
        others.append(distance[other])
        verified.append(bool(distance[foot] <= FOOT_MATCH_M and distance[other] >= FOOT_CLEAR_M))
    out["foot"] = feet
    out["foot_distance_m"] = distances
    out["other_foot_distance_m"] = others
    # successive contacts of one trial must alternate between the feet
    alternate = np.array(feet[1:]) != np.array(feet[:-1])
    ok = np.array(verified, dtype=bool)
    if len(feet) > 1:
        ok[1:] &= alternate
        ok[:-1] &= alternate
    out["foot_verified"] = ok
    return out


def _trial_stances(trial: DornTrial) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    contacts = assign_feet(trial, plate_contacts(trial))
    reasons = contacts["reason"].tolist()
    for i, row in enumerate(contacts.itertuples(index=False)):
        if row.complete and not row.foot_verified:
            reasons[i] = "; ".join(r for r in (reasons[i], "foot not identified") if r)
    contacts["reason"] = reasons
    contacts["clean"] = contacts["reason"] == ""
    clean = contacts[contacts["clean"]].reset_index(drop=True)
    complete = contacts[contacts["complete"]]
    speed = trial.speed_mps(float(complete["ic_s"].min()), float(complete["to_s"].max())) if len(complete) else np.nan
    t = trial.force["time_s"].to_numpy()
    rows, curves = [], []
    for row in clean.itertuples(index=False):
        force = trial.plate_force(row.plate)[:, [2, 0, 1]]  # vertical, AP, ML
        curves.append(force_stance_curves(force, t, trial.force_rate_hz, [row.ic_s], [row.to_s])[0])
        rows.append(
            {
                "dataset": DORN_DATASET,
                "participant": DORN_PARTICIPANT,
                "bout": trial.name,
                "foot": row.foot,
                "plate": row.plate,
                "ic_s": float(row.ic_s),
                "to_s": float(row.to_s),
                "contact_time_s": float(row.to_s - row.ic_s),
                "speed_mps": speed,
                "gradient_deg": 0.0,
                "body_mass_kg": trial.body_mass_kg,
                "insole_length_m": np.nan,
                "condition": trial.name,
                "environment": "overground",
                "nominal_speed_mps": trial.nominal_speed_mps,
                "force_rate_hz": trial.force_rate_hz,
                "edge_distance_m": float(row.edge_distance_m),
                "foot_distance_m": float(row.foot_distance_m),
            }
        )
    rejected = contacts[~contacts["clean"]]
    skipped = pd.DataFrame(
        {
            "dataset": DORN_DATASET,
            "participant": DORN_PARTICIPANT,
            "bout": trial.name,
            "foot": rejected["foot"].to_numpy(),
            "plate": rejected["plate"].to_numpy(),
            "ic_s": rejected["ic_s"].to_numpy(dtype=np.float64),
            "reason": rejected["reason"].to_numpy(),
            "detail": [f"peak {p:.0f} N" for p in rejected["peak_force_n"]],
        }
    )
    return pd.DataFrame(rows), np.asarray(curves).reshape(len(rows), 101, 3), skipped


def dorn_stances(
    folder: str | os.PathLike[str], trials: tuple[str, ...] | list[str] = tuple(DORN_TRIALS)
) -> StanceDataset:
    """Every clean plate contact of the Dorn trials, through the shared chain.

    Parameters
    ----------
    folder
        The data set's folder.
    trials
        ``"jog"`` and/or ``"sprint"``.

    Returns
    -------
    StanceDataset
        Force stance set (targets :data:`grfkit.real.chain.GRF_CHANNELS`,
        no inputs); ``bout`` is the trial name, ``speed_mps`` the measured
        speed, ``nominal_speed_mps`` the described one.  ``skipped`` lists
        every rejected plate contact with the reason.
    """
    return concat_trial_stances(_trial_stances(read_dorn_trial(folder, name)) for name in trials)
