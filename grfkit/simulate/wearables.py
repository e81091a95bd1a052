"""The wearable recordings of a bout: both insoles and the left-shoe IMU, on the insole clock.

Each insole sample is taken at a nominal insole-clock time, mapped to the lab
clock (:class:`~grfkit.simulate.clocks.InsoleClock`), and filled from the
contacts of that foot: the normal force goes through a first-order lag, the
plantar load model (:func:`grfkit.io.insole.plantar_distribution`), the FSR
non-idealities of :class:`InsoleConfig` (hysteresis, creep within a stance, a
slow gain drift over a bout), the session's fit and per-sensor gains, and the
FSR response with its saturation (:func:`grfkit.io.insole.fsr_response`).
The IMU (:mod:`grfkit.simulate.imu`) gets noise, bias, range limits and
16-bit resolution.  FSR counts are ``int16``, IMU channels float32.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from grfkit.io.channels import IMU_CHANNELS, N_FSR, fsr_channels
from grfkit.io.insole import (
    DEFAULT_FSR_RESPONSE,
    DEFAULT_SENSOR_LOAD_SHARE,
    FsrResponse,
    fsr_response,
    plantar_distribution,
)
from grfkit.simulate.clocks import InsoleClock
from grfkit.simulate.gait import Contact
from grfkit.simulate.grf_model import evaluate_contacts
from grfkit.simulate.imu import FootStep, ImuConfig, foot_kinematics, imu_signals
from grfkit.simulate.participants import Participant
from grfkit.simulate.plantar import cop_trajectories

__all__ = [
    "InsoleConfig",
    "sample_times",
    "quantise",
    "foot_load",
    "contact_index",
    "fsr_non_idealities",
    "insole_table",
    "imu_foot_steps",
    "imu_table",
]


@dataclass(frozen=True)
class InsoleConfig:
    """Parameters of the pressure insoles.

    Parameters
    ----------
    rate_hz
        Nominal insole sampling rate (insole clock).
    sensor_load_share
        Fraction of the plantar load passing through the sensing areas.
    response
        FSR response (sensor, divider, converter).
    response_time_s
        Time constant of the first-order lag of foam and sensor.
    hysteresis_frac
        Share of the difference between the stance's load peak so far and the
        current load that a sensor still reads while unloading.
    creep_frac, creep_time_s
        Relative rise of the reading under load within a stance and its time constant.
    drift_per_min_mean, drift_per_min_sd
        Relative gain change per minute within a bout (one rate per insole and bout).
    """

    rate_hz: float = 1000.0
    sensor_load_share: float = DEFAULT_SENSOR_LOAD_SHARE
    response: FsrResponse = DEFAULT_FSR_RESPONSE
    response_time_s: float = 0.003
    hysteresis_frac: float = 0.08
    creep_frac: float = 0.05
    creep_time_s: float = 0.15
    drift_per_min_mean: float = 0.01
    drift_per_min_sd: float = 0.02


def sample_times(duration_s: float, rate_hz: float) -> np.ndarray:
    """Nominal sample times ``0, 1/rate, ...`` up to ``duration_s`` inclusive.

    Parameters
    ----------
    duration_s
        Length of the recording.
    rate_hz
        Nominal sampling rate.

    Returns
    -------
    numpy.ndarray
        ``arange(round(duration_s * rate_hz) + 1) / rate_hz``.
    """
    return np.arange(round(duration_s * rate_hz) + 1) / rate_hz


def quantise(values: np.ndarray, step: float) -> np.ndarray:
    """Round values to a converter's resolution (NaN stays NaN).

    Parameters
    ----------
    values
        Signal.
    step
        Resolution (least significant bit) in the signal's unit.

    Returns
    -------
    numpy.ndarray
        ``round(values / step) * step``.
    """
    return np.round(np.asarray(values, dtype=np.float64) / step) * step


def foot_load(t_lab_s: np.ndarray, contacts: Sequence[Contact]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normal force and centre of pressure of one foot at given lab times.

    Parameters
    ----------
    t_lab_s
        Sorted lab times.
    contacts
        The foot's contacts, in time order.

    Returns
    -------
    normal_n, cop_ap_frac, cop_ml_frac : numpy.ndarray
        Force normal to the surface (0 off the ground) and the COP in insole
        fractions (NaN off the ground).
    """
    normal = np.zeros(t_lab_s.size)
    ap = np.full(t_lab_s.size, np.nan)
    ml = np.full(t_lab_s.size, np.nan)
    which, tau = contact_index(t_lab_s, contacts)
    on = which >= 0
    if on.any():
        forces = [c.force for c in contacts]
        normal[on] = evaluate_contacts(forces, tau[on], which[on])[0]
        duration = np.array([c.contact_time_s for c in contacts])
        ap[on], ml[on] = cop_trajectories(tau[on] / duration[which[on]], [c.cop for c in contacts], which[on])
    return normal, ap, ml


def contact_index(t_lab_s: np.ndarray, contacts: Sequence[Contact]) -> tuple[np.ndarray, np.ndarray]:
    """Which contact (if any) each time falls in, and the time since its start.

    Parameters
    ----------
    t_lab_s
        Lab times.
    contacts
        Non-overlapping contacts of one foot (or of a single-plate
        treadmill), in time order.

    Returns
    -------
    which : numpy.ndarray
        Index of the contact, ``-1`` outside every contact.
    tau_s : numpy.ndarray
        Time since that contact's start (meaningless where ``which`` is -1).
    """
    starts = np.array([c.start_s for c in contacts])
    ends = np.array([c.end_s for c in contacts])
    if starts.size == 0:
        return np.full(t_lab_s.size, -1), np.zeros(t_lab_s.size)
    k = np.searchsorted(starts, t_lab_s, side="right") - 1
    safe = np.clip(k, 0, None)
    tau = t_lab_s - starts[safe]
    which = np.where((k >= 0) & (t_lab_s <= ends[safe]), k, -1)
    return which, tau


def fsr_non_idealities(
    sensor_force_n: np.ndarray,
    which: np.ndarray,
    tau_s: np.ndarray,
    time_s: np.ndarray,
    *,
    drift_per_min: float,
    config: InsoleConfig = InsoleConfig(),
) -> np.ndarray:
    """Hysteresis, creep and gain drift of the FSRs, applied to the force on each sensor.

    Parameters
    ----------
    sensor_force_n
        Force on each sensor, ``(n, 16)``, for samples in time order.
    which, tau_s
        Contact index (``-1`` off the ground) and time since its start of each
        sample (:func:`contact_index`).
    time_s
        Time of each sample since the start of the bout (for the drift).
    drift_per_min
        Relative gain change per minute of this insole in this bout.
    config
        Non-ideality parameters.

    Returns
    -------
    numpy.ndarray
        The force each sensor responds to, same shape: the force plus
        ``hysteresis_frac`` times the gap to its peak so far in the stance,
        times ``1 + creep_frac (1 - exp(-tau / creep_time_s))``, times
        ``1 + drift_per_min * time / 60``.

    Examples
    --------
    >>> f = np.array([[1.0], [3.0], [2.0]])
    >>> out = fsr_non_idealities(f, np.zeros(3, int), np.zeros(3), np.zeros(3), drift_per_min=0.0,
    ...                          config=InsoleConfig(hysteresis_frac=0.5, creep_frac=0.0))
    >>> out.ravel().tolist()
    [1.0, 3.0, 2.5]
    """
    force = np.asarray(sensor_force_n, dtype=np.float64)
    # Running peak within each contact: offset every contact above the previous one, accumulate, remove the offset.
    offset = (np.maximum(which, 0) * (np.abs(force).max() + 1.0))[:, None]
    peak = np.maximum.accumulate(force + offset, axis=0) - offset
    out = force + config.hysteresis_frac * (peak - force)
    out *= (1.0 + config.creep_frac * (1.0 - np.exp(-np.maximum(tau_s, 0.0) / config.creep_time_s)))[:, None]
    out *= (1.0 + drift_per_min * np.asarray(time_s) / 60.0)[:, None]
    return out


def insole_table(
    time_insole_s: np.ndarray,
    clock: InsoleClock,
    contacts: Sequence[Contact],
    participant: Participant,
    *,
    config: InsoleConfig = InsoleConfig(),
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The insole table of a bout.

    Parameters
    ----------
    time_insole_s
        Sample times on the insole clock (nominal rate).
    clock
        The bout's insole clock.
    contacts
        All contacts of the bout (both feet).
    participant
        The runner (insole size, gains).
    config
        Insole parameters.
    rng
        Random generator for converter noise.

    Returns
    -------
    pandas.DataFrame
        ``time_s`` and the 32 FSR channels (``int16`` ADC counts).
    """
    t_lab = clock.to_lab(time_insole_s)
    alpha = 1.0 - np.exp(-1.0 / (config.rate_hz * config.response_time_s))
    columns: dict[str, np.ndarray] = {"time_s": time_insole_s}
    for foot, gain, sensor_gains in (
        ("left", participant.fsr_gain_left, participant.sensor_gains_left),
        ("right", participant.fsr_gain_right, participant.sensor_gains_right),
    ):
        own = [c for c in contacts if c.foot == foot]
        normal, ap, ml = foot_load(t_lab, own)
        # The lag acts on the load; the COP (hence the load's distribution) changes slowly in comparison.
        lagged = lfilter([alpha], [1.0, alpha - 1.0], normal)
        loaded = normal > 0
        forces = np.zeros((normal.size, N_FSR))
        forces[loaded] = plantar_distribution(
            lagged[loaded], ap[loaded], ml[loaded], sensor_load_share=config.sensor_load_share
        )
        which, tau = contact_index(t_lab, own)
        drift = float(rng.normal(config.drift_per_min_mean, config.drift_per_min_sd))
        forces[loaded] = fsr_non_idealities(
            forces[loaded], which[loaded], tau[loaded], time_insole_s[loaded], drift_per_min=drift, config=config
        )
        adc = fsr_response(forces, response=config.response, gain=gain * np.asarray(sensor_gains), rng=rng)
        for name, values in zip(fsr_channels(foot), adc.T, strict=True):
            columns[name] = values
    return pd.DataFrame(columns)


def imu_foot_steps(contacts: Sequence[Contact], body_mass_kg: float) -> list[FootStep]:
    """The IMU model's view of the instrumented (left) foot's contacts.

    Parameters
    ----------
    contacts
        Contacts of a bout (both feet, in time order).
    body_mass_kg
        The runner's mass, to express the impulses per kilogram.

    Returns
    -------
    list of FootStep
        One per left-foot contact, with its braking-to-propulsion transition
        and braking and propulsive impulses per kilogram.
    """
    return [
        FootStep(
            start_s=c.start_s,
            contact_time_s=c.contact_time_s,
            heel_x_m=c.track_heel_m,
            speed_mps=c.speed_mps,
            impact_velocity_change_mps=c.impact_velocity_change_mps,
            impact_half_time_s=c.impact_half_time_s,
            braking_frac=c.force.braking_time_s / c.contact_time_s,
            braking_impulse_mps=c.force.braking_impulse_ns / body_mass_kg,
            propulsive_impulse_mps=c.force.propulsive_impulse_ns / body_mass_kg,
        )
        for c in contacts
        if c.foot == "left"
    ]


def imu_table(
    time_insole_s: np.ndarray,
    clock: InsoleClock,
    contacts: Sequence[Contact],
    participant: Participant,
    *,
    gradient_deg: float,
    config: ImuConfig = ImuConfig(),
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The IMU table of a bout (left shoe).

    Parameters
    ----------
    time_insole_s
        Sample times on the insole clock (nominal IMU rate).
    clock
        The bout's insole clock.
    contacts
        All contacts of the bout; the left foot's drive the IMU.
    participant
        The runner (foot size and strike, IMU mounting).
    gradient_deg
        Surface incline.
    config
        IMU parameters.
    rng
        Random generator for bias and noise.

    Returns
    -------
    pandas.DataFrame
        ``time_s`` and the six IMU channels.
    """
    t_lab = clock.to_lab(time_insole_s)
    kinematics = foot_kinematics(
        t_lab,
        imu_foot_steps(contacts, participant.body_mass_kg),
        insole_length_m=participant.insole_length_m,
        foot_strike=participant.foot_strike,
        config=config,
    )
    values = imu_signals(
        kinematics,
        gradient_deg=gradient_deg,
        pitch_offset_deg=participant.imu_pitch_offset_deg,
        roll_offset_deg=participant.imu_roll_offset_deg,
        config=config,
        rng=rng,
    )
    values[:, :3] = quantise(values[:, :3], config.acc_resolution_mps2)
    values[:, 3:] = quantise(values[:, 3:], config.gyro_resolution_dps)
    values = values.astype(np.float32)
    return pd.DataFrame({"time_s": time_insole_s, **{name: values[:, j] for j, name in enumerate(IMU_CHANNELS)}})
