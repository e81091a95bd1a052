"""The two data sets' protocols as a table: the study's cohorts beside this run's.

:func:`protocol_table` describes the overground and the treadmill data set
side by side, from the simulator's cohort definitions
(:data:`grfkit.simulate.participants.OVERGROUND_COHORT`,
:data:`grfkit.simulate.participants.TREADMILL_COHORT`: participants, speed
and gradient classes) and from a simulated raw data folder's participant and
bout tables (participants and bouts in this run).  The book's chapter 1
shows it.
"""

from __future__ import annotations

import math

import pandas as pd

from grfkit.simulate.participants import OVERGROUND_COHORT, TREADMILL_COHORT, CohortSpec

__all__ = ["protocol_table"]

# What the simulator does not vary: how each data set is run and measured.
_SETTINGS: dict[str, dict[str, str]] = {
    "overground": {
        "running": "loops around the lab, across the force plates",
        "force": "force plates in the floor: only some contacts land cleanly on one plate",
        "speed measured by": "a waist marker (motion capture); varies around the loop",
    },
    "treadmill": {
        "running": "on an instrumented treadmill",
        "force": "the treadmill's force-measuring belt: every contact is measured",
        "speed measured by": "the set belt speed",
    },
}


def _speed_classes(spec: CohortSpec) -> str:
    """Speed classes: multiples of preferred speed, fixed speeds (km/h)."""
    ratios = [f"{name} {ratio:g} × preferred" for name, ratio in spec.speed_ratios]
    fixed = [f"{name} {speed_mps * 3.6:g} km/h" for name, speed_mps in spec.fixed_speeds_mps]
    return ", ".join(ratios + fixed)


def _gradients(spec: CohortSpec) -> str:
    """Gradient classes of a cohort in percent grade."""
    grades = {name: round(100 * math.tan(math.radians(deg))) for name, deg in spec.gradients_deg}
    return ", ".join(f"{name} {grade:+d} %" if grade else f"{name} 0 %"
                     for name, grade in grades.items())


def _bouts_per_participant(bouts: pd.DataFrame, dataset: str) -> str:
    """Bouts per participant and their length in this run."""
    b = bouts.loc[bouts["dataset"] == dataset]
    if b.empty:
        return "none in this run"
    n_bouts = b.groupby("participant").size().max()
    conditions = ", ".join(sorted(b["condition"].unique()))
    return f"{n_bouts} of {b['duration_s'].median():g} s ({conditions})"


def protocol_table(participants: pd.DataFrame, bouts: pd.DataFrame) -> pd.DataFrame:
    """The overground and the treadmill protocol, the study's and this run's.

    Parameters
    ----------
    participants
        A raw data folder's participant table
        (:func:`grfkit.io.read.read_participants`: a ``dataset`` column).
    bouts
        Its bout table (:func:`grfkit.io.read.read_bouts`: ``dataset``,
        ``participant``, ``condition`` and ``duration_s``).

    Returns
    -------
    pandas.DataFrame
        One column per data set (``overground``, ``treadmill``); rows:
        participants in the study (female), participants in this run, speeds,
        gradient (percent grade), bouts per participant in this run (their
        most, median length in seconds, conditions), how the runners ran, how
        force and speed were measured.
    """
    n_by_dataset = participants["dataset"].value_counts()
    columns = {}
    for spec in (OVERGROUND_COHORT, TREADMILL_COHORT):
        speeds = _speed_classes(spec)
        columns[spec.dataset] = {
            "participants in the study": f"{spec.n_participants} ({spec.n_female} female)",
            "participants in this run": int(n_by_dataset.get(spec.dataset, 0)),
            "speeds": (f"self-selected; simulated as {speeds}"
                       if spec.dataset == "overground" else speeds),
            "gradient": _gradients(spec),
            "bouts per participant in this run": _bouts_per_participant(bouts, spec.dataset),
            **_SETTINGS[spec.dataset],
        }
    return pd.DataFrame(columns)
