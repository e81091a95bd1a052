"""How the anteroposterior force reaches the wearables: one stance in a few variants.

The simulator never copies the force into a sensor: the anteroposterior (AP)
force reaches the shoe IMU and the insole only through physical paths
(braking, the braking-to-propulsion transition, propulsion).
:func:`sensor_path_variants` makes one stance of a runner in variants that
change one property of the AP force each, and records the true force and what
the simulator's own sensor functions make of it, for chapter 1 of the book.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from grfkit.constants import GRAVITY_MPS2
from grfkit.io.insole import FSR_LAYOUT, plantar_distribution
from grfkit.simulate.gait import Contact, generate_contacts
from grfkit.simulate.imu import ImuConfig, foot_kinematics, imu_signals
from grfkit.simulate.participants import (
    OVERGROUND_COHORT,
    Participant,
    sample_participant,
)
from grfkit.simulate.plantar import cop_trajectory
from grfkit.simulate.wearables import imu_foot_steps

__all__ = ["sensor_path_variants"]

#: Length of the simulated run; the variants' stance is the third left contact.
_RUN_DURATION_S = 4.5
_TARGET_LEFT_CONTACT = 2
#: Samples kept before contact and after toe-off.
_BEFORE_CONTACT_S = 0.02
_AFTER_TOE_OFF_S = 0.06
_HEEL = np.array([s.region == "heel" for s in FSR_LAYOUT])
_FOREFOOT = np.array([s.region in ("metatarsal", "toes") for s in FSR_LAYOUT])


def _run(
    person: Participant, speed_mps: float, seed: int, change_s: float = np.inf, change_mps: float = 0.0
) -> tuple[list[Contact], Contact]:
    """Contacts of a short level run whose speed steps by ``change_mps`` at ``change_s``; the left stance studied."""

    def speed_at(t: float) -> float:
        return speed_mps + (change_mps if t >= change_s else 0.0)

    def distance_m(t: float) -> float:
        return speed_mps * t + change_mps * max(0.0, t - change_s)

    contacts = generate_contacts(
        person, start_s=0.0, end_s=_RUN_DURATION_S, speed_at=speed_at, gradient_deg=0.0, rng=np.random.default_rng(seed)
    )
    for c in contacts:
        # The foot's middle is under the runner at mid-stance (as overground).
        c.track_heel_m = distance_m(c.start_s + c.contact_time_s / 2) - person.insole_length_m / 2
    left = [c for c in contacts if c.foot == "left"]
    return left, left[_TARGET_LEFT_CONTACT]


def _curves(person: Participant, left: list[Contact], target: Contact, config: ImuConfig) -> pd.DataFrame:
    """True force and noise-free sensor responses around the studied stance."""
    steps = imu_foot_steps(left, person.body_mass_kg)
    tc = target.contact_time_s
    tau = np.arange(-_BEFORE_CONTACT_S, tc + _AFTER_TOE_OFF_S, 1.0 / config.rate_hz)
    kinematics = foot_kinematics(
        target.start_s + tau,
        steps,
        insole_length_m=person.insole_length_m,
        foot_strike=person.foot_strike,
        config=config,
    )
    imu = imu_signals(
        kinematics,
        pitch_offset_deg=person.imu_pitch_offset_deg,
        roll_offset_deg=person.imu_roll_offset_deg,
        config=config,
    )
    normal, along, _ = target.force.evaluate(tau)
    weight_n = person.body_mass_kg * GRAVITY_MPS2
    stance = (tau >= 0.0) & (tau <= tc)
    cop_ap, cop_ml = cop_trajectory(tau / tc, target.cop)
    sensors = plantar_distribution(normal, cop_ap, cop_ml)
    total = sensors.sum(axis=1)
    loaded = total > 0
    safe = np.where(loaded, total, 1.0)
    return pd.DataFrame(
        {
            "time_s": tau,
            "stance_pct": 100.0 * tau / tc,
            "vgrf_bw": normal / weight_n,
            "apgrf_bw": along / weight_n,
            "acc_x_mps2": imu[:, 0],
            "gyro_y_dps": imu[:, 4],
            "cop_ap_frac": np.where(stance, cop_ap, np.nan),
            "heel_share_frac": np.where(loaded, sensors[:, _HEEL].sum(axis=1) / safe, np.nan),
            "forefoot_share_frac": np.where(loaded, sensors[:, _FOREFOOT].sum(axis=1) / safe, np.nan),
        }
    )


def _summary(
    person: Participant, target: Contact, curves: pd.DataFrame, onset_threshold_dps: float, heel_off_share_frac: float
) -> dict[str, float]:
    """The numbers each path carries: impulses, transition, and what the sensors show of them."""
    tc = target.contact_time_s
    tau = curves["time_s"].to_numpy()
    acc_x = curves["acc_x_mps2"].to_numpy()
    gyro_y = curves["gyro_y_dps"].to_numpy()
    pulse = (tau >= 0.0) & (tau <= 2.0 * target.impact_half_time_s)
    stance = (tau >= 0.0) & (tau <= tc)
    # Onset of the roll-over: start of the last run of samples above the threshold that reaches toe-off.
    below = np.flatnonzero(stance & (gyro_y <= onset_threshold_dps))
    onset = tau[below[-1] + 1] if below.size else 0.0
    heel_off = np.flatnonzero(stance & (curves["heel_share_frac"] < heel_off_share_frac).to_numpy())
    push_off = stance & (tau >= onset)
    return {
        "contact_time_s": tc,
        "braking_impulse_mps": target.force.braking_impulse_ns / person.body_mass_kg,
        "propulsive_impulse_mps": target.force.propulsive_impulse_ns / person.body_mass_kg,
        "transition_pct": 100.0 * target.force.braking_time_s / tc,
        "touchdown_acc_x_integral_mps": float(np.trapezoid(acc_x[pulse], tau[pulse])),
        "gyro_y_onset_pct": 100.0 * onset / tc,
        "gyro_y_pushoff_peak_dps": float(gyro_y[push_off].max()),
        "rollover_angle_deg": float(np.trapezoid(gyro_y[push_off], tau[push_off])),
        "heel_off_pct": float(curves["stance_pct"].iloc[heel_off[0]]) if heel_off.size else np.nan,
    }


def sensor_path_variants(
    participant: Participant | None = None,
    *,
    speed_mps: float | None = None,
    seed: int = 0,
    braking_factors: tuple[float, float] = (0.7, 1.3),
    cop_exponent_factors: tuple[float, float] = (0.5, 2.0),
    speed_change_mps: float = 0.1,
    onset_threshold_dps: float = 20.0,
    heel_off_share_frac: float = 0.05,
    imu_config: ImuConfig = ImuConfig(),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One left stance of a runner in variants of its AP force, and what the wearables make of each.

    The runner's stride-to-stride variation and left/right asymmetry are
    switched off, so that the variants of a path differ only in the one
    property of the AP force that path carries:

    * ``braking``: the lever of the AP force -- the height of the runner's
      pivot point divided by ``braking_factors`` (``low``, ``high``) or unchanged
      (``typical``); at constant speed the propulsive lobe follows, because
      the two impulses balance;
    * ``transition``: the centre of pressure moves along the foot with the
      runner's progression exponent times ``cop_exponent_factors``, which
      moves the braking-to-propulsion transition (reported in the summary);
    * ``propulsion``: the step speeds the runner down (``low``) or up
      (``high``) by ``speed_change_mps``: the momentum balance of
      :func:`~grfkit.simulate.grf_model.design_stance` moves impulse from
      braking to propulsion or back.

    The stances come from :func:`~grfkit.simulate.gait.generate_contacts` on a
    level run (the same seed in every variant); the IMU readings from
    :func:`~grfkit.simulate.imu.foot_kinematics` and
    :func:`~grfkit.simulate.imu.imu_signals` (ideal sensor: no noise or bias,
    the runner's mounting angles); the centre of pressure from
    :func:`~grfkit.simulate.plantar.cop_trajectory`, and the sensors' shares of
    the load from :func:`grfkit.io.insole.plantar_distribution`.  The FSR
    non-idealities and response come after that share and are left out here.

    Parameters
    ----------
    participant
        The runner; ``None``: the first runner of the overground cohort drawn
        with ``seed``.
    speed_mps
        Running speed; ``None``: the runner's medium speed.
    seed
        Seed of the participant draw (when ``participant`` is ``None``) and of
        the run (which foot starts, centre-of-pressure jitter).
    braking_factors
        Divisors of the pivot height for the ``low`` and ``high``
        braking variants (the AP force scales about with them).
    cop_exponent_factors
        Multipliers of the centre-of-pressure progression exponent of the two
        transition variants (named ``early`` and ``late`` after the transition
        they give).
    speed_change_mps
        Speed change over the step of the low (negative) and high (positive)
        propulsion variants.
    onset_threshold_dps
        Pitch rate above which the forefoot roll-over counts as begun.
    heel_off_share_frac
        Share of the sensor load below which the heel counts as off the ground.
    imu_config
        IMU motion and sensor parameters.

    Returns
    -------
    curves : pandas.DataFrame
        One row per IMU sample from 20 ms before contact to 60 ms after
        toe-off of each variant: ``path``, ``variant``, ``time_s`` (since
        contact), ``stance_pct``, ``vgrf_bw`` and ``apgrf_bw`` (true force in
        body weights, positive forward), ``acc_x_mps2``, ``gyro_y_dps``,
        ``cop_ap_frac`` (0 heel .. 1 toe; NaN off the ground),
        ``heel_share_frac`` and ``forefoot_share_frac`` (metatarsal heads
        and toes) of the load on the 16 sensors (NaN when unloaded).
    summary : pandas.DataFrame
        One row per variant: ``path``, ``variant``, ``contact_time_s``,
        ``braking_impulse_mps`` and ``propulsive_impulse_mps`` (N·s/kg),
        ``transition_pct`` (AP zero crossing, % stance),
        ``touchdown_acc_x_integral_mps`` (``acc_x`` integrated over the impact
        pulse, m/s), ``gyro_y_onset_pct`` (start of the roll-over, % stance),
        ``gyro_y_pushoff_peak_dps`` (largest ``gyro_y`` from the onset to
        toe-off), ``rollover_angle_deg`` (``gyro_y`` integrated from the onset
        to toe-off: how far the foot rolls over the forefoot) and ``heel_off_pct`` (first moment the heel sensors carry
        less than ``heel_off_share_frac`` of the sensor load; NaN if never).

    Raises
    ------
    ValueError
        If a braking or exponent factor is not positive.

    Examples
    --------
    >>> curves, summary = sensor_path_variants()
    >>> by = summary.set_index(["path", "variant"])
    >>> bool(by.loc[("braking", "high"), "touchdown_acc_x_integral_mps"]
    ...      < by.loc[("braking", "low"), "touchdown_acc_x_integral_mps"])
    True
    """
    if min(braking_factors) <= 0 or min(cop_exponent_factors) <= 0:
        raise ValueError(f"braking_factors and cop_exponent_factors must be positive, "
                         f"got {braking_factors} and {cop_exponent_factors}")
    if participant is None:
        participant = sample_participant(OVERGROUND_COHORT, 0, seed)
    speed = participant.speeds_mps["medium"] if speed_mps is None else speed_mps
    steady = replace(participant, timing_cv=0.0, force_cv=0.0, shape_sd_frac=0.0, lever_cv=0.0, asymmetry=0.0)
    _, typical = _run(steady, speed, seed)
    low, high = braking_factors

    def progression(factor: float) -> Participant:
        cop = steady.cop_pattern
        return replace(steady, cop_pattern=replace(cop, progression_exponent=cop.progression_exponent * factor))

    first, second = (progression(f) for f in cop_exponent_factors)
    transition = {}
    for person in (first, second):
        _, stance = _run(person, speed, seed)
        transition[id(person)] = stance.force.braking_time_s / stance.contact_time_s
    early, late = sorted((first, second), key=lambda person: transition[id(person)])
    variants: list[tuple[str, str, Participant, float]] = [
        ("braking", "low", replace(steady, pivot_height_m=steady.pivot_height_m / low), 0.0),
        ("braking", "typical", steady, 0.0),
        ("braking", "high", replace(steady, pivot_height_m=steady.pivot_height_m / high), 0.0),
        ("transition", "early", early, 0.0),
        ("transition", "typical", steady, 0.0),
        ("transition", "late", late, 0.0),
        ("propulsion", "low", steady, -speed_change_mps),
        ("propulsion", "typical", steady, 0.0),
        ("propulsion", "high", steady, speed_change_mps),
    ]
    tables, rows = [], []
    for path, variant, person, change_mps in variants:
        # The speed changes at the studied stance's toe-off: only its step speeds up or slows down.
        left, target = _run(person, speed, seed, typical.end_s, change_mps)
        curves = _curves(person, left, target, imu_config)
        numbers = _summary(person, target, curves, onset_threshold_dps, heel_off_share_frac)
        rows.append({"path": path, "variant": variant, **numbers})
        tables.append(curves.assign(path=path, variant=variant))
    curves = pd.concat(tables, ignore_index=True)
    first = ["path", "variant"]
    return curves[first + [c for c in curves.columns if c not in first]], pd.DataFrame(rows)
