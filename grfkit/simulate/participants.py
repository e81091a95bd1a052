"""Simulated runners: the overground and the treadmill cohorts.

:data:`OVERGROUND_COHORT` (15 runners, three self-selected speeds on a lab
loop) and :data:`TREADMILL_COHORT` (the 50 runners and the published protocol
of Carter et al. 2024: 0.9, 1.0 and 1.1 times the preferred speed plus
12 km/h, at three inclines read as percent grade) are :class:`CohortSpec`
objects.  :func:`sample_participant` draws one :class:`Participant`: body
size, foot strike, preferred speeds, gait and force-shape factors, stride
variability, asymmetry and the session's sensor gains and IMU mounting.
Every participant draws from its own generator keyed by data set and id, so
a participant is the same runner at every scale; the hidden parameters go to
``truth/participants.csv`` (:func:`truth_table`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from grfkit.io.channels import N_FSR
from grfkit.simulate.plantar import COP_PATTERNS, CopPattern
from grfkit.simulate.seeds import child_rng

__all__ = [
    "CohortSpec",
    "OVERGROUND_COHORT",
    "TREADMILL_COHORT",
    "Participant",
    "sample_participant",
    "sample_cohort",
    "participants_table",
    "truth_table",
]


@dataclass(frozen=True)
class CohortSpec:
    """Population from which a cohort's participants are drawn.

    Parameters
    ----------
    dataset
        Data set name (``"overground"`` or ``"treadmill"``).
    id_prefix
        Participant ids are the prefix and a two-digit number (``OG01``).
    n_participants
        Size of the full cohort (the sex quota applies to it).
    n_female
        Number of women in the full cohort.
    height_mean_m
        Mean height of women and of men.
    height_sd_m
        Standard deviation of height within sex.
    bmi_mean_kgpm2
        Mean body-mass index of women and of men.
    bmi_sd_kgpm2
        Standard deviation of the body-mass index.
    foot_length_height_ratio
        Foot (insole) length as a fraction of height.
    foot_length_sd_frac
        Relative individual deviation of foot length from that ratio.
    insole_width_length_ratio
        Insole width as a fraction of its length.
    strike_proportions
        Probability of each foot-strike pattern.
    preferred_speed_mean_mps
        Mean preferred (medium) running speed of women and of men.
    preferred_speed_sd_mps
        Standard deviation of the preferred speed.
    speed_ratios
        Each speed class as a multiple of the preferred speed.
    fixed_speeds_mps
        Speed classes at a fixed speed for everyone (name, m/s).
    gradients_deg
        Gradient classes (name, degrees); level only overground.
    timing_cv_range
        Range of the stride-to-stride coefficient of variation of contact and
        step time (uniform per participant).
    """

    dataset: str
    id_prefix: str
    n_participants: int
    n_female: int
    height_mean_m: tuple[float, float] = (1.66, 1.79)
    height_sd_m: float = 0.065
    bmi_mean_kgpm2: tuple[float, float] = (21.5, 23.0)
    bmi_sd_kgpm2: float = 2.0
    foot_length_height_ratio: float = 0.15
    foot_length_sd_frac: float = 0.03
    insole_width_length_ratio: float = 0.36
    strike_proportions: tuple[tuple[str, float], ...] = (("rearfoot", 0.7), ("midfoot", 0.2), ("forefoot", 0.1))
    preferred_speed_mean_mps: tuple[float, float] = (3.1, 3.5)
    preferred_speed_sd_mps: float = 0.3
    speed_ratios: tuple[tuple[str, float], ...] = (("slow", 0.85), ("medium", 1.0), ("fast", 1.18))
    fixed_speeds_mps: tuple[tuple[str, float], ...] = ()
    gradients_deg: tuple[tuple[str, float], ...] = (("level", 0.0),)
    timing_cv_range: tuple[float, float] = (0.02, 0.04)


#: The overground cohort of the study (15 runners, 6 female).
OVERGROUND_COHORT = CohortSpec(dataset="overground", id_prefix="OG", n_participants=15, n_female=6)


def grade_deg(grade_pct: float) -> float:
    """Incline in degrees of a treadmill grade setting in percent.

    Parameters
    ----------
    grade_pct
        Rise per 100 units of horizontal distance.

    Returns
    -------
    float
        ``degrees(atan(grade_pct / 100))``.

    Examples
    --------
    >>> round(grade_deg(6.0), 2)
    3.43
    """
    return math.degrees(math.atan(grade_pct / 100.0))


#: The treadmill cohort of the published treadmill study (50 runners, 25 female).
TREADMILL_COHORT = CohortSpec(
    dataset="treadmill",
    id_prefix="TM",
    n_participants=50,
    n_female=25,
    preferred_speed_mean_mps=(3.2, 3.7),
    preferred_speed_sd_mps=0.4,
    speed_ratios=(("slow", 0.9), ("medium", 1.0), ("fast", 1.1)),
    fixed_speeds_mps=(("fixed", 12.0 / 3.6),),
    gradients_deg=(("downhill", grade_deg(-4.0)), ("level", grade_deg(1.0)), ("uphill", grade_deg(6.0))),
)


@dataclass(frozen=True)
class Participant:
    """One simulated runner.

    Parameters
    ----------
    dataset, participant
        Data set and participant id.
    sex
        ``"female"`` or ``"male"``.
    body_mass_kg, height_m
        Body size.
    insole_length_m, insole_width_m
        Insole (foot) size.
    foot_strike
        ``"rearfoot"``, ``"midfoot"`` or ``"forefoot"``.
    speeds_mps
        Speed class name to speed (m/s).
    gradients_deg
        Gradient class name to incline (degrees).
    contact_time_factor, step_time_factor
        Individual multipliers of the typical contact and step time.
    impact_factor
        Individual multiplier of the typical impact ``dV1``.
    timing_cv
        Stride-to-stride coefficient of variation of contact and step time.
    force_cv
        Stride-to-stride coefficient of variation of the impact.
    impact_time_factor
        Multiplier of the time to the impact peak (loading rate: a larger
        factor, a slower load).
    active_peak_frac
        Stance fraction at which the active (vertical) peak falls.
    active_sine_weight
        Shape of the active peak: 0 a broad half sine, 1 a narrow squared sine.
    shape_sd_frac
        Stride-to-stride SD (stance fraction) of the active-peak timing:
        shape variation that the impulse balance of the step does not fix.
    pivot_height_m
        Height of the point the ground reaction force aims at (the
        anteroposterior force's lever arm, :mod:`grfkit.simulate.grf_model`):
        a virtual pivot point above the centre of mass, 0.66 x height (the
        centre of mass is at about 0.55 x height; 0.66 was chosen against the
        calibration runners of Hamner & Delp 2013, see
        :mod:`grfkit.real.calibration`).
    lever_cv
        Stride-to-stride coefficient of variation of that height: trunk and
        swing-leg motion move the point the force aims at, differently in
        every stride.
    asymmetry
        Relative left-minus-right difference of contact time (and of the
        force parameters, with the same sign).
    step_width_m
        Mean lateral distance between left and right foot placements.
    waist_height_m
        Height of the waist marker when standing.
    cop_pattern
        The runner's centre-of-pressure pattern.
    fsr_gain_left, fsr_gain_right
        Fit/calibration gain of each insole.
    sensor_gains_left, sensor_gains_right
        Gain of each of the 16 sensors of each insole.
    imu_pitch_offset_deg, imu_roll_offset_deg
        Mounting misalignment of the shoe IMU.
    """

    dataset: str
    participant: str
    sex: str
    body_mass_kg: float
    height_m: float
    insole_length_m: float
    insole_width_m: float
    foot_strike: str
    speeds_mps: dict[str, float]
    gradients_deg: dict[str, float]
    contact_time_factor: float
    step_time_factor: float
    impact_factor: float
    timing_cv: float
    force_cv: float
    asymmetry: float
    step_width_m: float
    waist_height_m: float
    cop_pattern: CopPattern
    fsr_gain_left: float
    fsr_gain_right: float
    sensor_gains_left: tuple[float, ...] = field(repr=False)
    sensor_gains_right: tuple[float, ...] = field(repr=False)
    imu_pitch_offset_deg: float = 0.0
    imu_roll_offset_deg: float = 0.0
    impact_time_factor: float = 1.0
    active_peak_frac: float = 0.45
    active_sine_weight: float = 0.5
    shape_sd_frac: float = 0.0
    pivot_height_m: float = 0.97
    lever_cv: float = 0.0

    def side_factor(self, foot: str) -> float:
        """Multiplier of contact time and force parameters for one foot (asymmetry).

        Parameters
        ----------
        foot
            ``"left"`` or ``"right"``.

        Returns
        -------
        float
            ``1 + asymmetry / 2`` for the left foot, ``1 - asymmetry / 2`` for the right.
        """
        return 1.0 + (0.5 if foot == "left" else -0.5) * self.asymmetry

    def to_row(self) -> dict[str, object]:
        """One row of ``participants.csv``: what a lab records about a participant."""
        return {
            "dataset": self.dataset,
            "participant": self.participant,
            "sex": self.sex,
            "body_mass_kg": round(self.body_mass_kg, 2),
            "height_m": round(self.height_m, 3),
            "insole_length_m": round(self.insole_length_m, 4),
            "foot_strike": self.foot_strike,
            "insole_width_m": round(self.insole_width_m, 4),
            **{f"{name}_speed_mps": round(v, 3) for name, v in self.speeds_mps.items()},
        }

    def truth_row(self) -> dict[str, object]:
        """One row of ``truth/participants.csv``: the generator's hidden parameters."""
        hidden = (
            "contact_time_factor", "step_time_factor", "impact_factor", "timing_cv", "force_cv",
            "asymmetry", "fsr_gain_left", "fsr_gain_right", "imu_pitch_offset_deg", "imu_roll_offset_deg",
            "impact_time_factor", "active_peak_frac", "active_sine_weight", "shape_sd_frac", "pivot_height_m",
            "lever_cv",
        )
        return {
            "dataset": self.dataset,
            "participant": self.participant,
            **{name: round(float(getattr(self, name)), 5) for name in hidden},
        }


def _female_indices(spec: CohortSpec, seed: int) -> set[int]:
    order = child_rng(seed, spec.dataset, "sex").permutation(spec.n_participants)
    return set(order[: spec.n_female].tolist())


def sample_participant(spec: CohortSpec, index: int, seed: int) -> Participant:
    """Draw participant number ``index`` (0-based) of a cohort.

    Parameters
    ----------
    spec
        The cohort's population.
    index
        0-based position; the id is ``f"{spec.id_prefix}{index + 1:02d}"``.
    seed
        Cohort seed.

    Returns
    -------
    Participant
        The same participant for the same ``(spec, index, seed)``, whatever
        else is drawn.

    Raises
    ------
    ValueError
        If ``index`` is negative.
    """
    if index < 0:
        raise ValueError(f"index must be non-negative, got {index}")
    pid = f"{spec.id_prefix}{index + 1:02d}"
    rng = child_rng(seed, spec.dataset, pid)
    if index < spec.n_participants:
        female = index in _female_indices(spec, seed)
    else:
        female = bool(rng.random() < spec.n_female / max(spec.n_participants, 1))
    k = 0 if female else 1
    height = float(np.clip(rng.normal(spec.height_mean_m[k], spec.height_sd_m), 1.45, 2.05))
    bmi = float(np.clip(rng.normal(spec.bmi_mean_kgpm2[k], spec.bmi_sd_kgpm2), 17.5, 30.0))
    mass = bmi * height**2
    insole_length = spec.foot_length_height_ratio * height * (1.0 + rng.normal(0.0, spec.foot_length_sd_frac))
    names = [name for name, _ in spec.strike_proportions]
    probabilities = np.array([p for _, p in spec.strike_proportions])
    strike = str(names[rng.choice(len(names), p=probabilities / probabilities.sum())])
    preferred = float(np.clip(rng.normal(spec.preferred_speed_mean_mps[k], spec.preferred_speed_sd_mps), 2.4, 4.8))
    speeds = {name: preferred * ratio for name, ratio in spec.speed_ratios} | dict(spec.fixed_speeds_mps)

    def log_normal(sd: float) -> float:
        return float(np.exp(rng.normal(0.0, sd)))

    sensor_gains = np.exp(rng.normal(0.0, 0.10, size=(2, N_FSR)))
    return Participant(
        dataset=spec.dataset,
        participant=pid,
        sex="female" if female else "male",
        body_mass_kg=mass,
        height_m=height,
        insole_length_m=insole_length,
        insole_width_m=spec.insole_width_length_ratio * insole_length,
        foot_strike=strike,
        speeds_mps=speeds,
        gradients_deg=dict(spec.gradients_deg),
        contact_time_factor=log_normal(0.06),
        step_time_factor=log_normal(0.05),
        impact_factor=log_normal(0.15),
        timing_cv=float(rng.uniform(*spec.timing_cv_range)),
        force_cv=float(rng.uniform(0.05, 0.10)),
        asymmetry=float(rng.normal(0.0, 0.03)),
        step_width_m=float(np.clip(rng.normal(0.08, 0.025), 0.02, 0.15)),
        waist_height_m=0.57 * height,
        cop_pattern=COP_PATTERNS[strike].jittered(rng, ap_sd_frac=0.03, ml_sd_frac=0.04),
        fsr_gain_left=log_normal(0.15),
        fsr_gain_right=log_normal(0.15),
        sensor_gains_left=tuple(sensor_gains[0].tolist()),
        sensor_gains_right=tuple(sensor_gains[1].tolist()),
        imu_pitch_offset_deg=float(rng.normal(0.0, 3.0)),
        imu_roll_offset_deg=float(rng.normal(0.0, 3.0)),
        impact_time_factor=log_normal(0.2),
        active_peak_frac=float(np.clip(rng.normal(0.45, 0.025), 0.38, 0.52)),
        active_sine_weight=float(rng.uniform(0.2, 0.8)),
        shape_sd_frac=float(rng.uniform(0.01, 0.025)),
        pivot_height_m=0.66 * height * log_normal(0.04),
        lever_cv=float(rng.uniform(0.04, 0.08)),
    )


def sample_cohort(spec: CohortSpec, n_participants: int, seed: int) -> list[Participant]:
    """Draw the first ``n_participants`` participants of a cohort.

    Parameters
    ----------
    spec
        The cohort's population.
    n_participants
        How many (a smaller number gives a prefix of a larger one).
    seed
        Cohort seed.

    Returns
    -------
    list of Participant
        Ids ``<prefix>01`` onwards.
    """
    return [sample_participant(spec, i, seed) for i in range(n_participants)]


def participants_table(participants: list[Participant]) -> pd.DataFrame:
    """The ``participants.csv`` table of a list of participants.

    Parameters
    ----------
    participants
        Participants of one or more cohorts.

    Returns
    -------
    pandas.DataFrame
        One row per participant (:meth:`Participant.to_row`).
    """
    return pd.DataFrame([p.to_row() for p in participants])


def truth_table(participants: list[Participant]) -> pd.DataFrame:
    """The ``truth/participants.csv`` table: each participant's hidden generator parameters.

    Parameters
    ----------
    participants
        Participants of one or more cohorts.

    Returns
    -------
    pandas.DataFrame
        One row per participant (:meth:`Participant.truth_row`).
    """
    return pd.DataFrame([p.truth_row() for p in participants])
