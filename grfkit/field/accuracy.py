"""How well the wearables alone find the stances: events and speed against the simulator's truth.

:func:`event_accuracy` runs the wearable event detection
(:func:`grfkit.field.events.detect_wearable_stances`) and the IMU speed
(:func:`grfkit.field.speed.imu_stance_speeds`) on a simulated raw folder,
matches each true contact (``truth/stances.csv``, mapped to the insole clock
with the true clock of ``truth/trials.csv``) by its physical start to the
nearest wearable contact of its foot (:func:`match_events`), and reports the error of initial
contact,
toe-off, contact time and speed, and the share of plate contacts found, in an
:class:`EventAccuracy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.errors import MissingFileError
from grfkit.field.chain import FieldConfig
from grfkit.field.events import detect_wearable_stances
from grfkit.field.speed import imu_stance_speeds
from grfkit.io.channels import FEET, IMU_CHANNELS, fsr_channels
from grfkit.io.read import iter_bout_paths, read_bout_arrays, read_bouts, read_truth
from grfkit.preprocess.insole_contacts import insole_loads
from grfkit.simulate.clocks import lab_to_insole

__all__ = ["SUMMARY_COLUMNS", "EventAccuracy", "match_events", "event_accuracy"]

#: Columns of ``EventAccuracy.summary``.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "quantity",
    "unit",
    "n",
    "median_abs",
    "p95_abs",
    "median_signed",
)
#: A true contact with all its foot's force on one plate (or off the plates) has the foot's events.
_WHOLE_FOOT_FRACTION: float = 0.999


@dataclass(frozen=True)
class EventAccuracy:
    """Wearable events and speed against the truth.

    Parameters
    ----------
    summary
        One row per quantity (``"IC"``, ``"TO"``, ``"contact time"`` in ms;
        ``"IMU speed"`` in m/s and in % of the true speed, ``"stated speed"``
        in m/s), columns
        :data:`SUMMARY_COLUMNS`: matched contacts, median and 95th percentile
        of the absolute error, median signed error (wearable minus truth).
    plate_contacts_found
        Share of the clean plate contacts (those the training chain keeps
        candidates) whose foot's wearable contact was found and is a stance.
    contacts_found
        The same share over every true contact the insole recorded.
    matches
        One row per true whole-foot contact: its ids, foot, plate, true and
        wearable events (insole clock), the wearable contact's ``reason``,
        true speed and the IMU estimate.
    """

    summary: pd.DataFrame
    plate_contacts_found: float
    contacts_found: float
    matches: pd.DataFrame


def match_events(
    wearable_ic_s: np.ndarray, truth_ic_s: np.ndarray, tolerance_s: float = 0.05
) -> np.ndarray:
    """Index of the wearable contact matched to each true contact, one to one (-1: none).

    Parameters
    ----------
    wearable_ic_s
        Initial contacts found by the wearables, seconds, sorted.
    truth_ic_s
        True initial contacts on the same clock, seconds.
    tolerance_s
        Largest accepted distance of a match, seconds.

    Returns
    -------
    numpy.ndarray
        For each true contact the index into ``wearable_ic_s`` of the nearest
        contact within ``tolerance_s`` not taken by a nearer true contact, else -1.

    Examples
    --------
    >>> match_events(np.array([1.0, 2.0, 3.0]), np.array([2.01, 0.5, 2.02])).tolist()
    [1, -1, -1]
    """
    found = np.asarray(wearable_ic_s, dtype=float)
    truth = np.asarray(truth_ic_s, dtype=float)
    out = np.full(len(truth), -1)
    if not len(found) or not len(truth):
        return out
    right = (
        np.clip(np.searchsorted(found, truth), 1, len(found) - 1)
        if len(found) > 1
        else np.zeros(len(truth), int)
    )
    left = np.maximum(right - 1, 0)
    nearest = np.where(np.abs(found[left] - truth) <= np.abs(found[right] - truth), left, right)
    distance = np.abs(found[nearest] - truth)
    taken: set[int] = set()
    for k in np.argsort(distance, kind="stable"):
        if distance[k] <= tolerance_s and int(nearest[k]) not in taken:
            out[k] = nearest[k]
            taken.add(int(nearest[k]))
    return out


def _summary_row(quantity: str, unit: str, error: np.ndarray) -> dict[str, object]:
    e = np.asarray(error, dtype=float)
    e = e[np.isfinite(e)]
    stats = (
        (np.median(np.abs(e)), np.percentile(np.abs(e), 95), np.median(e))
        if len(e)
        else (np.nan,) * 3
    )
    return dict(zip(SUMMARY_COLUMNS, (quantity, unit, len(e), *map(float, stats)), strict=True))


def _bout_matches(
    folder: Path,
    truth: pd.DataFrame,
    trial: pd.Series,
    stated_mps: float,
    config: FieldConfig,
    tolerance_s: float,
) -> pd.DataFrame:
    """The truth rows of one bout with their matched wearable events and speeds."""
    info, arrays = read_bout_arrays(folder, limits=config.validation, require_force=False)
    insole, imu = arrays["insole"], arrays["imu"]
    imu_t = np.asarray(imu["time_s"], dtype=float)
    imu_x = np.column_stack([np.asarray(imu[c], dtype=float) for c in IMU_CHANNELS])
    foot_imu = config.preprocess.foot
    events = detect_wearable_stances(
        insole["time_s"],
        insole_loads(insole),
        insole_rate_hz=info.insole_rate_hz,
        imu_time_s=imu_t,
        imu_acc_mps2=imu_x[:, :3],
        imu_foot=foot_imu,
        fsr={foot: np.column_stack([insole[c] for c in fsr_channels(foot)]) for foot in FEET},
        config=config.events,
        name=f"{info.dataset}/{info.participant}/{info.bout}",
    )
    on_imu = np.flatnonzero(((events["foot"] == foot_imu) & (events["reason"] == "")).to_numpy())
    speed = np.full(len(events), np.nan)
    speed[on_imu] = imu_stance_speeds(
        imu_t,
        imu_x,
        events["ic_s"].to_numpy()[on_imu],
        events["to_s"].to_numpy()[on_imu],
        config=config.speed,
    )["speed_mps"]
    rows = truth.copy()
    for column in ("ic_s", "to_s", "contact_start_s"):
        rows[f"true_{column}"] = lab_to_insole(
            rows[column].to_numpy(), trial["clock_offset_s"], trial["clock_drift_ppm"]
        )
    for column in ("found_ic_s", "found_to_s", "imu_speed_mps"):
        rows[column] = np.nan
    rows["found_reason"] = ""
    rows["matched"] = False
    for foot in FEET:
        mine = np.flatnonzero((events["foot"] == foot).to_numpy())
        at = np.flatnonzero((rows["foot"] == foot).to_numpy())
        k = match_events(
            events["ic_s"].to_numpy()[mine],
            rows["true_contact_start_s"].to_numpy()[at],
            tolerance_s,
        )
        hit = at[k >= 0]
        which = mine[k[k >= 0]]
        rows.iloc[hit, rows.columns.get_loc("found_ic_s")] = events["ic_s"].to_numpy()[which]
        rows.iloc[hit, rows.columns.get_loc("found_to_s")] = events["to_s"].to_numpy()[which]
        rows.iloc[hit, rows.columns.get_loc("found_reason")] = events["reason"].to_numpy()[which]
        rows.iloc[hit, rows.columns.get_loc("imu_speed_mps")] = speed[which]
        rows.iloc[hit, rows.columns.get_loc("matched")] = True
    rows["stated_speed_mps"] = stated_mps
    return rows


def event_accuracy(
    raw_dir: str | Path, *, config: FieldConfig = FieldConfig(), tolerance_s: float = 0.05
) -> EventAccuracy:
    """Score the wearable events and the IMU speed of a simulated raw folder against its truth.

    A true contact counts as found when a wearable contact of its foot
    starts within ``tolerance_s`` of its physical start (``contact_start_s``)
    and is a stance (its ``reason`` is ``""``).
    Event errors are measured on found contacts whose true events are the
    whole foot's (off the plates, or all of the foot's force on one plate);
    the IMU speed on found contacts of the IMU foot, against the speed the
    simulator ran at that contact (``"stated speed"``: the bout's speed in
    ``bouts.csv`` or the belt, against the same).

    Parameters
    ----------
    raw_dir
        Raw folder written by :func:`grfkit.simulate.cohort.simulate_cohort` (with ``truth/``).
    config
        Detection and speed settings (:class:`grfkit.field.chain.FieldConfig`).
    tolerance_s
        Largest distance of a matched initial contact, seconds.

    Returns
    -------
    EventAccuracy
        The summary, the shares found and the matched contacts.

    Raises
    ------
    MissingFileError
        If the folder has no ``truth/`` (a real recording).
    GrfkitError
        Any error of reading a bout or detecting its contacts, naming it.
    """
    root = Path(raw_dir)
    read = read_truth(root)
    if read is None:
        raise MissingFileError(
            "no truth/ folder: accuracy needs a simulated cohort", path=root / "truth"
        )
    trials, truth = read
    bouts = read_bouts(root).set_index(["dataset", "participant", "bout"])
    trials = trials.set_index(["dataset", "participant", "bout"])
    truth = (
        truth.loc[truth["insole_recorded"].astype(bool)] if "insole_recorded" in truth else truth
    )
    parts = []
    for folder in iter_bout_paths(root):
        key = (folder.parent.parent.name, folder.parent.name, folder.name)
        mine = (
            (truth["dataset"] == key[0])
            & (truth["participant"] == key[1])
            & (truth["bout"] == key[2])
        )
        stated = bouts.loc[key, "speed_mps"]
        parts.append(
            _bout_matches(
                folder, truth.loc[mine], trials.loc[key], float(stated), config, tolerance_s
            )
        )
    rows = pd.concat(parts, ignore_index=True)
    found = rows["matched"] & (rows["found_reason"] == "")
    plate = (rows["plate"] != "") & rows["clean"]
    whole = (rows["plate"] == "") | (rows["plate_impulse_fraction"] >= _WHOLE_FOOT_FRACTION)
    timed = rows.loc[found & whole & rows["true_ic_s"].notna() & rows["true_to_s"].notna()]
    ic_ms = 1000 * (timed["found_ic_s"] - timed["true_ic_s"])
    to_ms = 1000 * (timed["found_to_s"] - timed["true_to_s"])
    speed = rows.loc[found & rows["imu_speed_mps"].notna()]
    summary = pd.DataFrame(
        [
            _summary_row("IC", "ms", ic_ms),
            _summary_row("TO", "ms", to_ms),
            _summary_row("contact time", "ms", to_ms - ic_ms),
            _summary_row("IMU speed", "m/s", speed["imu_speed_mps"] - speed["speed_mps"]),
            _summary_row("IMU speed", "%", 100 * (speed["imu_speed_mps"] / speed["speed_mps"] - 1)),
            _summary_row("stated speed", "m/s", speed["stated_speed_mps"] - speed["speed_mps"]),
        ],
        columns=list(SUMMARY_COLUMNS),
    )
    return EventAccuracy(
        summary=summary,
        plate_contacts_found=float(found[plate].mean()) if plate.any() else float("nan"),
        contacts_found=float(found.mean()) if len(found) else float("nan"),
        matches=rows,
    )
