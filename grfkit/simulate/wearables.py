"""The wearable recordings of a bout: both insoles and the left-shoe IMU, on the insole clock.

Each insole sample is taken at a nominal insole-clock time (1000 Hz), mapped
to the lab clock through the bout's :class:`~grfkit.simulate.clocks.InsoleClock`,
and filled from the contacts of that foot: the stance's vertical (surface
normal) force goes through a first-order lag (foam and sensor response) and,
with the stance's centre of pressure, through the plantar load model
(:func:`grfkit.insole.plantar_distribution`), the insole's fit gain and
per-sensor gains, and the FSR response (:func:`grfkit.insole.fsr_response`).
The lagged load is only distributed while the foot is on the ground: the
sensors unload at toe-off.  FSR counts are ``int16``, IMU channels float32
(16-bit converters); time stays float64.  The IMU (1125 Hz, same
clock) senses the left foot's motion (:mod:`grfkit.simulate.imu`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from ..channels import IMU_CHANNELS, N_FSR, fsr_channels
from ..insole import (
    DEFAULT_FSR_RESPONSE,
    DEFAULT_SENSOR_LOAD_SHARE,
    FsrResponse,
    fsr_response,
    plantar_distribution,
)
from .clocks import InsoleClock
from .gait import Contact
from .grf_model import evaluate_contacts
from .imu import FootStep, ImuConfig, foot_kinematics, imu_signals
from .participants import Participant
from .plantar import cop_trajectories

__all__ = ["InsoleConfig", "sample_times", "quantise", "foot_load", "contact_index", "insole_table", "imu_table"]


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
    """

    rate_hz: float = 1000.0
    sensor_load_share: float = DEFAULT_SENSOR_LOAD_SHARE
    response: FsrResponse = DEFAULT_FSR_RESPONSE
    response_time_s: float = 0.003


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
        normal, ap, ml = foot_load(t_lab, [c for c in contacts if c.foot == foot])
        # The lag acts on the load; the COP (hence the load's distribution) changes slowly in comparison.
        lagged = lfilter([alpha], [1.0, alpha - 1.0], normal)
        loaded = normal > 0
        forces = np.zeros((normal.size, N_FSR))
        forces[loaded] = plantar_distribution(
            lagged[loaded], ap[loaded], ml[loaded], sensor_load_share=config.sensor_load_share
        )
        adc = fsr_response(forces, response=config.response, gain=gain * np.asarray(sensor_gains), rng=rng)
        for name, values in zip(fsr_channels(foot), adc.T, strict=True):
            columns[name] = values
    return pd.DataFrame(columns)


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
    steps = [
        FootStep(
            start_s=c.start_s,
            contact_time_s=c.contact_time_s,
            heel_x_m=c.track_heel_m,
            speed_mps=c.speed_mps,
            impact_velocity_change_mps=c.impact_velocity_change_mps,
            impact_half_time_s=c.impact_half_time_s,
        )
        for c in contacts
        if c.foot == "left"
    ]
    kinematics = foot_kinematics(
        t_lab,
        steps,
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
