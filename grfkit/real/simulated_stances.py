"""Simulated stances at the speeds of real recordings, cut by the real-data chain.

:func:`simulate_treadmill_stances` runs simulated treadmill bouts at given
belt speeds (level), :func:`simulate_overground_stances` overground bouts at a
straight-line speed (clean plate contacts only).  Both run in memory, find
contacts on the simulated force with the real chain (20 N, unfiltered) and
return force stance sets (:func:`grfkit.real.chain.force_stance_dataset`) to
compare with real ones.  :data:`SIMULATOR_SPEED_RANGE_MPS` is the speed range
the simulator's gait relations are written for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from grfkit.constants import CONTACT_THRESHOLD_N, N_POINTS
from grfkit.io.stances import StanceDataset
from grfkit.preprocess.events import detect_contacts
from grfkit.preprocess.plate_contacts import classify_plate_contacts
from grfkit.real.chain import GRF_CHANNELS, force_stance_curves, force_stance_dataset
from grfkit.simulate import (
    OVERGROUND_COHORT,
    TREADMILL_COHORT,
    sample_participant,
    simulate_bout,
)
from grfkit.simulate.overground import OvergroundConfig
from grfkit.simulate.participants import Participant
from grfkit.simulate.treadmill import TreadmillConfig

__all__ = [
    "SIMULATOR_SPEED_RANGE_MPS",
    "simulate_treadmill_stances",
    "simulate_overground_stances",
]

#: Running speeds the simulator's gait relations are written for
#: (:class:`grfkit.simulate.grf_model.GaitRelations`), m/s.
SIMULATOR_SPEED_RANGE_MPS: tuple[float, float] = (2.5, 6.0)
_MATCH_TOLERANCE_S = 0.03


def _truth_feet(detected_ic_s: np.ndarray, truth: pd.DataFrame) -> list[str]:
    """Foot of the truth contact whose IC is nearest each detected IC ("" if none within 30 ms)."""
    ic = truth["ic_s"].to_numpy(dtype=np.float64)
    feet = truth["foot"].astype(str).to_numpy()
    out = []
    for t in detected_ic_s:
        k = int(np.argmin(np.abs(ic - t))) if ic.size else -1
        out.append(feet[k] if k >= 0 and abs(ic[k] - t) <= _MATCH_TOLERANCE_S else "")
    return out


def _meta_row(
    person: Participant, bout: str, foot: str, plate: str, ic: float, to: float, speed: float, environment: str
) -> dict[str, object]:
    return {
        "dataset": f"simulated {environment}",
        "participant": person.participant,
        "bout": bout,
        "foot": foot,
        "plate": plate,
        "ic_s": ic,
        "to_s": to,
        "contact_time_s": to - ic,
        "speed_mps": speed,
        "gradient_deg": 0.0,
        "body_mass_kg": person.body_mass_kg,
        "insole_length_m": person.insole_length_m,
        "condition": f"{speed:g} m/s",
        "environment": environment,
        "foot_strike": person.foot_strike,
    }


def simulate_treadmill_stances(
    speeds_mps: Sequence[float] = (2.0, 3.0, 4.0, 5.0),
    *,
    n_participants: int = 4,
    duration_s: float = 12.0,
    seed: int = 0,
    config: TreadmillConfig = TreadmillConfig(),
) -> StanceDataset:
    """Simulate level treadmill running at given belt speeds and cut it into stances.

    Each of the first ``n_participants`` runners of the simulated treadmill
    cohort runs one bout per speed (the runner's ``medium`` speed replaced by
    the belt speed, level gradient), in memory.  Contacts are found on the
    simulated belt force with the real chain (20 N, unfiltered), curves are
    20 Hz filtered and normalised; the foot comes from the simulation's truth.

    Parameters
    ----------
    speeds_mps
        Belt speeds.
    n_participants
        Runners ``TM01`` onwards.
    duration_s
        Length of each bout.
    seed
        Cohort seed.
    config
        Treadmill parameters (e.g. to try other gait relations).

    Returns
    -------
    StanceDataset
        Force stance set, ``dataset`` ``"simulated treadmill"``,
        ``environment`` ``"treadmill"``; contacts cut by the recording's ends
        are left out.
    """
    rows, curves = [], []
    for index in range(n_participants):
        person = sample_participant(TREADMILL_COHORT, index, seed)
        for speed in speeds_mps:
            runner = dataclasses.replace(person, speeds_mps={**person.speeds_mps, "medium": float(speed)})
            bout = simulate_bout(
                "treadmill", runner, "medium_level", seed=seed, duration_s=duration_s, treadmill=config
            )
            force = bout.raw.force
            t = force["time_s"].to_numpy()
            rate = bout.raw.info.force_rate_hz
            contacts = detect_contacts(force["belt_fz_n"].to_numpy(), rate, CONTACT_THRESHOLD_N, time_s=t)
            contacts = contacts[contacts["complete"]]
            feet = _truth_feet(contacts["ic_s"].to_numpy(), bout.stances)
            curves.append(
                force_stance_curves(
                    force[["belt_fz_n", "belt_fx_n", "belt_fy_n"]].to_numpy(),
                    t,
                    rate,
                    contacts["ic_s"],
                    contacts["to_s"],
                )
            )
            for foot, ic, to in zip(feet, contacts["ic_s"], contacts["to_s"], strict=True):
                rows.append(
                    _meta_row(runner, f"{speed:g}_level", foot, "belt", float(ic), float(to), float(speed), "treadmill")
                )
    return force_stance_dataset(pd.DataFrame(rows), np.concatenate(curves))


def simulate_overground_stances(
    speed_mps: float = 3.5,
    *,
    n_participants: int = 4,
    duration_s: float = 60.0,
    seed: int = 0,
    config: OvergroundConfig = OvergroundConfig(),
) -> StanceDataset:
    """Simulate overground loops at a straight-line speed and keep the clean plate contacts.

    Parameters
    ----------
    speed_mps
        Straight-line running speed (the runner slows in the turns).
    n_participants
        Runners ``OG01`` onwards.
    duration_s
        Length of each bout.
    seed
        Cohort seed.
    config
        Overground parameters.

    Returns
    -------
    StanceDataset
        Force stance set of the contacts :func:`grfkit.preprocess.plate_contacts.classify_plate_contacts`
        finds clean, ``dataset`` ``"simulated overground"``; ``speed_mps`` is
        the straight-line speed.
    """
    rows, curves = [], []
    for index in range(n_participants):
        person = sample_participant(OVERGROUND_COHORT, index, seed)
        runner = dataclasses.replace(person, speeds_mps={**person.speeds_mps, "medium": float(speed_mps)})
        bout = simulate_bout("overground", runner, "medium", seed=seed, duration_s=duration_s, overground=config)
        force = bout.raw.force
        t = force["time_s"].to_numpy()
        rate = bout.raw.info.force_rate_hz
        table = classify_plate_contacts(force, bout.raw.info.plates, sampling_rate_hz=rate)
        table = table[table["clean"]]
        feet = _truth_feet(table["ic_s"].to_numpy(), bout.stances)
        for foot, row in zip(feet, table.itertuples(index=False), strict=True):
            columns = [f"{row.plate}_fz_n", f"{row.plate}_fx_n", f"{row.plate}_fy_n"]
            curves.append(force_stance_curves(force[columns].to_numpy(), t, rate, [row.ic_s], [row.to_s]))
            rows.append(
                _meta_row(
                    runner, "medium", foot, row.plate, float(row.ic_s), float(row.to_s), float(speed_mps), "overground"
                )
            )
    array = np.concatenate(curves) if curves else np.zeros((0, N_POINTS, len(GRF_CHANNELS)))
    return force_stance_dataset(pd.DataFrame(rows), array)
