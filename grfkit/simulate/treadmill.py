"""Treadmill bouts: every stance on one instrumented belt.

Every contact of either foot lands on the force-measuring belt (one plate,
``belt``) at the belt speed and the condition's gradient.  The force table is
in the belt frame (``x`` along the belt, uphill positive; ``z`` normal to the
belt), so on a slope the mean normal force is ``m g cos(gradient)``.  Each
difference from overground is a parameter of :class:`TreadmillConfig`:
constant belt speed with a slow fore-aft drift, gradients, and the
measurement (a frame resonance that rings after each impact, motor and belt
noise, larger zero offsets, a noisier centre of pressure).  No waist marker
is recorded.  :func:`simulate_treadmill_bout` records one bout.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter1d
from scipy.signal import bilinear, lfilter

from grfkit.io.channels import plate_channels
from grfkit.io.schema import BoutInfo, Plate, RawBout
from grfkit.simulate.clocks import ClockModel, InsoleClock, sample_bout_window
from grfkit.simulate.gait import Contact, generate_contacts
from grfkit.simulate.grf_model import GaitRelations, GrfShape, evaluate_contacts
from grfkit.simulate.imu import ImuConfig
from grfkit.simulate.participants import Participant
from grfkit.simulate.plantar import cop_trajectories
from grfkit.simulate.seeds import child_rng
from grfkit.simulate.truth import force_truth, stance_events, stance_table
from grfkit.simulate.wearables import (
    InsoleConfig,
    contact_index,
    imu_table,
    insole_table,
    quantise,
    sample_times,
)

__all__ = ["TreadmillConfig", "belt_plate", "resonator", "simulate_treadmill_bout"]


@dataclass(frozen=True)
class TreadmillConfig:
    """Parameters of treadmill bouts.

    Parameters
    ----------
    belt_length_m, belt_width_m
        Size of the instrumented belt surface.
    fore_aft_drift_sd_m, fore_aft_drift_time_s
        Spread and correlation time of the runner's drift along the belt.
    fore_aft_drift_smoothing_s
        Gaussian smoothing (standard deviation, s) of the drift path.  A raw
        Ornstein-Uhlenbeck path is nowhere differentiable: its 10 ms finite
        differences would give the runner speed jumps of about 0.35 m/s
        (SD) relative to the belt and, through the step's momentum balance,
        braking/propulsive impulses several times the real stride-to-stride
        spread (validated against Hamner & Delp 2013, see
        :mod:`grfkit.real.validation`).  Smoothed over 0.5 s the drift speed stays
        a few cm/s, as for a runner holding position on a belt.
    step_width_sd_m, fore_aft_sd_m
        Stride-to-stride scatter of where each foot lands.
    vertical_resonance_hz, vertical_damping_ratio
        Frame resonance seen in the normal force.  Kram et al. (1998, J Appl
        Physiol 85:764) report natural frequencies above 178 Hz (vertical)
        and 87 Hz (fore-aft) for a stiff force treadmill and below 45 Hz for
        earlier designs; the defaults sit between.  The resonance delays
        the measured force slightly (about ``2 zeta / (2 pi f)``, 0.1 ms
        here): a lower resonance makes treadmill event times measurably late.
    ap_resonance_hz, ap_damping_ratio
        Frame resonance seen in the along-belt and lateral force.
    noise_sd_n, shear_noise_sd_n
        White noise of the normal and of the horizontal channels.
    roller_diameter_m, roller_vibration_n
        Drive roller size (vibration at belt speed / (pi d)) and amplitude of
        that vibration in the normal force (half of it along the belt).
    mains_frequency_hz, mains_hum_n
        Electrical hum.
    belt_dip_ratio
        The belt slows under the braking foot and speeds up under the pushing
        one (its speed control lags the load), so the runner needs a little
        less anteroposterior force for the same speed change relative to the
        belt: both AP lobes are smaller by this share.  Switched off by
        :class:`grfkit.simulate.domain_gap.DomainGap` ``belt_dynamics``.
    belt_friction_coefficient
        Backward along-belt force per newton of normal load (belt on deck).
        0 by default: on Hamner & Delp's (2013) instrumented treadmill the
        braking and propulsive impulses of level running are equal within
        0.001 BW·s at 2-5 m/s, whereas 0.02 made the simulated braking
        impulse exceed the propulsive one by about 0.008 BW·s, more than
        twice the real stance-to-stance SD (:mod:`grfkit.real.validation`).
    offset_sd_n
        Spread of the zero offset of each channel.
    cop_moment_noise_nm
        Moment noise; the COP noise is this divided by the normal force.
    cop_threshold_n
        Below this measured normal force the COP is NaN.
    force_resolution_n, cop_resolution_m
        Resolution of the recorded forces and COP.
    force_rate_hz
        Force sampling rate (lab clock).
    clock
        Insole clock model.
    insole, imu
        Wearable sensor parameters.
    relations, shape
        Running mechanics.
    """

    belt_length_m: float = 1.8
    belt_width_m: float = 0.6
    fore_aft_drift_sd_m: float = 0.05
    fore_aft_drift_time_s: float = 4.0
    fore_aft_drift_smoothing_s: float = 0.5
    step_width_sd_m: float = 0.02
    fore_aft_sd_m: float = 0.02
    vertical_resonance_hz: float = 150.0
    vertical_damping_ratio: float = 0.1
    ap_resonance_hz: float = 90.0
    ap_damping_ratio: float = 0.12
    noise_sd_n: float = 5.0
    shear_noise_sd_n: float = 3.0
    roller_diameter_m: float = 0.12
    roller_vibration_n: float = 4.0
    mains_frequency_hz: float = 50.0
    mains_hum_n: float = 1.0
    belt_dip_ratio: float = 0.05
    belt_friction_coefficient: float = 0.0
    offset_sd_n: float = 5.0
    cop_moment_noise_nm: float = 2.0
    cop_threshold_n: float = 10.0
    force_resolution_n: float = 0.1
    cop_resolution_m: float = 0.0001
    force_rate_hz: float = 1000.0
    clock: ClockModel = field(default_factory=ClockModel)
    insole: InsoleConfig = field(default_factory=InsoleConfig)
    imu: ImuConfig = field(default_factory=ImuConfig)
    relations: GaitRelations = field(default_factory=GaitRelations)
    shape: GrfShape = field(default_factory=GrfShape)


def belt_plate(config: TreadmillConfig = TreadmillConfig()) -> Plate:
    """The instrumented belt as a plate centred on the belt-frame origin.

    Parameters
    ----------
    config
        Treadmill parameters (belt size).

    Returns
    -------
    Plate
        Named ``"belt"``.
    """
    return Plate(
        "belt", -config.belt_length_m / 2, config.belt_length_m / 2, -config.belt_width_m / 2, config.belt_width_m / 2
    )


def resonator(signal: np.ndarray, *, frequency_hz: float, damping_ratio: float, rate_hz: float) -> np.ndarray:
    """Pass a signal through a second-order resonator of unit static gain.

    ``H(s) = w**2 / (s**2 + 2 zeta w s + w**2)``, discretised with the
    bilinear transform (pre-warped at the resonance).  A step or a sharp
    impact makes the output ring at ``frequency_hz``, decaying at a rate set
    by ``damping_ratio``; slow signals pass unchanged.

    Parameters
    ----------
    signal
        Samples at ``rate_hz``.
    frequency_hz, damping_ratio
        Resonance frequency and damping ratio.
    rate_hz
        Sampling rate.

    Returns
    -------
    numpy.ndarray
        The filtered signal (same length).
    """
    w = 2 * rate_hz * np.tan(np.pi * frequency_hz / rate_hz)
    b, a = bilinear([w**2], [1.0, 2 * damping_ratio * w, w**2], fs=rate_hz)
    return lfilter(b, a, signal)


def _drift(time_s: np.ndarray, config: TreadmillConfig, rng: np.random.Generator) -> np.ndarray:
    """Smooth fore-aft position of the runner on the belt: a smoothed Ornstein-Uhlenbeck path."""
    dt = float(time_s[1] - time_s[0])
    decay = np.exp(-dt / config.fore_aft_drift_time_s)
    shocks = rng.normal(0.0, config.fore_aft_drift_sd_m * np.sqrt(1 - decay**2), time_s.size)
    path = lfilter([1.0], [1.0, -decay], shocks, zi=[decay * rng.normal(0.0, config.fore_aft_drift_sd_m)])[0]
    # smoothed so that its derivative (the runner's speed relative to the belt) is physical
    return gaussian_filter1d(path, config.fore_aft_drift_smoothing_s / dt, mode="nearest")


def _belt_forces(
    time_s: np.ndarray, contacts: list[Contact], participant: Participant, belt_speed_mps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """True normal, along and lateral belt force and the COP (NaN off the belt)."""
    fz, fx, fy = (np.zeros(time_s.size) for _ in range(3))
    cop_x = np.full(time_s.size, np.nan)
    cop_y = np.full(time_s.size, np.nan)
    which, tau = contact_index(time_s, contacts)
    on = which >= 0
    if not on.any():
        return fz, fx, fy, cop_x, cop_y
    k, tau = which[on], tau[on]
    fz[on], fx[on], fy[on] = evaluate_contacts([c.force for c in contacts], tau, k)
    duration = np.array([c.contact_time_s for c in contacts])[k]
    ap, ml = cop_trajectories(tau / duration, [c.cop for c in contacts], k)
    heel = np.array([c.heel_x_m for c in contacts])[k]
    centre = np.array([c.centre_y_m for c in contacts])[k]
    lateral_sign = np.array([1.0 if c.foot == "left" else -1.0 for c in contacts])[k]
    cop_x[on] = heel - belt_speed_mps * tau + ap * participant.insole_length_m
    cop_y[on] = centre + lateral_sign * (ml - 0.5) * participant.insole_width_m
    return fz, fx, fy, cop_x, cop_y


def simulate_treadmill_bout(
    participant: Participant,
    bout: str,
    *,
    duration_s: float,
    seed: int,
    config: TreadmillConfig = TreadmillConfig(),
) -> tuple[RawBout, pd.DataFrame, InsoleClock]:
    """Simulate one treadmill bout.

    Parameters
    ----------
    participant
        The runner (a treadmill participant).
    bout
        Condition ``"<speed>_<gradient>"``, e.g. ``"fast_uphill"`` (keys of
        ``participant.speeds_mps`` and ``participant.gradients_deg``); also the
        bout id.
    duration_s
        Length of the lab (force) recording.
    seed
        Cohort seed; the bout draws from generators keyed by data set,
        participant and bout.
    config
        Treadmill and measurement parameters.

    Returns
    -------
    raw : RawBout
        Insole and IMU tables (insole clock) and force table (lab clock, belt
        frame); no marker table.
    stances : pandas.DataFrame
        Truth of every contact completed within the lab recording.
    clock : InsoleClock
        The true insole clock.

    Raises
    ------
    KeyError
        If the condition's speed or gradient class is unknown.
    """
    speed_class, gradient_class = bout.split("_", 1)
    belt_speed = participant.speeds_mps[speed_class]
    gradient = participant.gradients_deg[gradient_class]
    keys = (seed, participant.dataset, participant.participant, bout)
    window = sample_bout_window(keys, duration_s, config.clock)
    clock, start, end = window.clock, window.start_s, window.end_s
    insole_duration, insole_end_lab = window.insole_duration_s, window.insole_end_lab_s
    gait_rng = child_rng(*keys, "gait")
    grid = np.arange(start, end + 0.01, 0.01)
    drift = _drift(grid, config, gait_rng)
    drift_speed = np.gradient(drift, grid)

    def speed_at(t: float) -> float:
        return belt_speed + float(np.interp(t, grid, drift_speed))

    contacts = generate_contacts(
        participant,
        start_s=start + 0.5,
        end_s=end - 0.5,
        speed_at=speed_at,
        gradient_deg=gradient,
        rng=gait_rng,
        relations=config.relations,
        shape=config.shape,
    )
    length = participant.insole_length_m
    keep = 1.0 - config.belt_dip_ratio
    for contact in contacts:
        contact.force = dataclasses.replace(
            contact.force, ap_scale=keep, impact_ap_ratio=contact.force.impact_ap_ratio * keep
        )
        side = 1.0 if contact.foot == "left" else -1.0
        mid = contact.start_s + contact.contact_time_s / 2
        # The foot's middle is under the runner at mid-stance and moves back with the belt.
        centre_mid = float(np.interp(mid, grid, drift)) + float(gait_rng.normal(0.0, config.fore_aft_sd_m))
        contact.heel_x_m = centre_mid + belt_speed * contact.contact_time_s / 2 - length / 2
        contact.centre_y_m = side * participant.step_width_m / 2 + float(gait_rng.normal(0.0, config.step_width_sd_m))
        contact.track_heel_m = contact.heel_x_m + belt_speed * contact.start_s
        contact.on_runway = True
    noise = child_rng(*keys, "measurement")
    force_time = sample_times(duration_s, config.force_rate_hz)
    insole_time = sample_times(insole_duration, config.insole.rate_hz)
    imu_time = sample_times(insole_duration, config.imu.rate_hz)
    plate = belt_plate(config)
    info = BoutInfo(
        dataset=participant.dataset,
        participant=participant.participant,
        bout=bout,
        condition=bout,
        environment="treadmill",
        plates=(plate,),
        gradient_deg=gradient,
        belt_speed_mps=belt_speed,
        insole_rate_hz=config.insole.rate_hz,
        imu_rate_hz=config.imu.rate_hz,
        force_rate_hz=config.force_rate_hz,
        marker_rate_hz=None,
    )
    raw = RawBout(
        info=info,
        insole=insole_table(insole_time, clock, contacts, participant, config=config.insole, rng=noise),
        imu=imu_table(imu_time, clock, contacts, participant, gradient_deg=gradient, config=config.imu, rng=noise),
        force=_force_table(force_time, contacts, participant, belt_speed, config, noise),
        marker=None,
    )
    recorded = [c for c in contacts if c.start_s >= 0 and c.end_s <= duration_s]
    ic_all, to_all = stance_events([c.force for c in recorded], np.array([c.start_s for c in recorded]))
    rows = []
    for contact, ic, to in zip(recorded, ic_all, to_all, strict=True):
        rows.append(
            {
                "dataset": participant.dataset,
                "participant": participant.participant,
                "bout": bout,
                "foot": contact.foot,
                "plate": plate.name,
                "ic_s": float(ic),
                "to_s": float(to),
                "contact_start_s": contact.start_s,
                "contact_end_s": contact.end_s,
                "clean": True,
                "speed_mps": contact.speed_mps,
                "reason": "",
                "plate_impulse_fraction": 1.0,
                "insole_recorded": clock.clock_offset_s <= contact.start_s and contact.end_s <= insole_end_lab,
                "contact_time_s": contact.contact_time_s,
                **force_truth(contact.force, participant.body_mass_kg),
            }
        )
    return raw, stance_table(rows), clock


def _force_table(
    time_s: np.ndarray,
    contacts: list[Contact],
    participant: Participant,
    belt_speed_mps: float,
    config: TreadmillConfig,
    rng: np.random.Generator,
) -> pd.DataFrame:
    fz, fx, fy, cop_x, cop_y = _belt_forces(time_s, contacts, participant, belt_speed_mps)
    rate = config.force_rate_hz
    n = time_s.size
    meas_fz = resonator(
        fz, frequency_hz=config.vertical_resonance_hz, damping_ratio=config.vertical_damping_ratio, rate_hz=rate
    )
    meas_fx = resonator(fx, frequency_hz=config.ap_resonance_hz, damping_ratio=config.ap_damping_ratio, rate_hz=rate)
    meas_fy = resonator(fy, frequency_hz=config.ap_resonance_hz, damping_ratio=config.ap_damping_ratio, rate_hz=rate)
    meas_fx = meas_fx - config.belt_friction_coefficient * meas_fz
    roller_hz = belt_speed_mps / (np.pi * config.roller_diameter_m)
    phase_roller, phase_mains = rng.uniform(0, 2 * np.pi, 2)
    roller = config.roller_vibration_n * np.sin(2 * np.pi * roller_hz * time_s + phase_roller)
    hum = config.mains_hum_n * np.sin(2 * np.pi * config.mains_frequency_hz * time_s + phase_mains)
    offsets = rng.normal(0.0, config.offset_sd_n, 3)
    meas_fz = meas_fz + roller + hum + offsets[2] + rng.normal(0.0, config.noise_sd_n, n)
    meas_fx = meas_fx + 0.5 * roller + hum + offsets[0] + rng.normal(0.0, config.shear_noise_sd_n, n)
    meas_fy = meas_fy + hum + offsets[1] + rng.normal(0.0, config.shear_noise_sd_n, n)
    valid = meas_fz >= config.cop_threshold_n
    cop_sd = config.cop_moment_noise_nm / np.maximum(np.abs(meas_fz), config.cop_threshold_n)
    centre = np.where(np.isnan(cop_x), 0.0, cop_x), np.where(np.isnan(cop_y), 0.0, cop_y)
    meas_cop_x = np.where(valid, centre[0] + rng.normal(size=n) * cop_sd, np.nan)
    meas_cop_y = np.where(valid, centre[1] + rng.normal(size=n) * cop_sd, np.nan)
    forces = (quantise(v, config.force_resolution_n) for v in (meas_fx, meas_fy, meas_fz))
    cops = (quantise(v, config.cop_resolution_m) for v in (meas_cop_x, meas_cop_y))
    values = (v.astype(np.float32) for v in (*forces, *cops))
    return pd.DataFrame({"time_s": time_s, **dict(zip(plate_channels("belt"), values, strict=True))})
