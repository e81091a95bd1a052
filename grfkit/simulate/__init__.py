"""A physically grounded simulator of the study's two raw data sets.

It generates what a lab records, not pre-cut stances: continuous insole,
IMU, force and marker tables of overground bouts (loops over four floor
plates) and treadmill bouts (one instrumented belt), with the ground truth
the generator knows (clock offsets, every contact's timing and plate).
The entry points are :func:`simulate_cohort` and :func:`simulate_bout`
(:mod:`~grfkit.simulate.cohort`); the cohorts are in
:mod:`~grfkit.simulate.participants`, the stance force in
:mod:`~grfkit.simulate.grf_model`, the sensors in :mod:`~grfkit.simulate.imu`
and :mod:`~grfkit.simulate.wearables`, the two environments in
:mod:`~grfkit.simulate.overground` and :mod:`~grfkit.simulate.treadmill`,
and the treadmill/overground switches in :mod:`~grfkit.simulate.domain_gap`.
"""

from typing import TYPE_CHECKING

from grfkit.lazy_imports import lazy_getattr

# Where each public name lives; imported on first use, so that reading the scales (``grfkit --help``)
# does not load the simulator and pandas.
_LAZY = {
    "DomainGap": "domain_gap",
    "NO_GAP": "domain_gap",
    "COHORTS": "cohort",
    "SimulatedBout": "cohort",
    "cohort_plan": "cohort",
    "simulate_bout": "cohort",
    "simulate_cohort": "cohort",
    "OVERGROUND_COHORT": "participants",
    "TREADMILL_COHORT": "participants",
    "CohortSpec": "participants",
    "Participant": "participants",
    "sample_cohort": "participants",
    "sample_participant": "participants",
    "protocol_table": "protocol",
}

if TYPE_CHECKING:
    from grfkit.simulate.cohort import (
        COHORTS,
        SimulatedBout,
        cohort_plan,
        simulate_bout,
        simulate_cohort,
    )
    from grfkit.simulate.domain_gap import NO_GAP, DomainGap
    from grfkit.simulate.participants import (
        OVERGROUND_COHORT,
        TREADMILL_COHORT,
        CohortSpec,
        Participant,
        sample_cohort,
        sample_participant,
    )
    from grfkit.simulate.protocol import protocol_table


__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = [
    "DomainGap",
    "NO_GAP",
    "COHORTS",
    "SimulatedBout",
    "cohort_plan",
    "simulate_bout",
    "simulate_cohort",
    "OVERGROUND_COHORT",
    "TREADMILL_COHORT",
    "CohortSpec",
    "Participant",
    "sample_cohort",
    "sample_participant",
    "protocol_table",
]
