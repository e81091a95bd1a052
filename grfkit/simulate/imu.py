"""The shoe IMU: accelerometer and gyroscope on the lateral side of the left shoe.

Sensor frame: ``x`` forward along the foot, ``y`` to the runner's left (the
lateral side of the left shoe), ``z`` normal to the sole.  The accelerometer
reads specific force in m/s² (about ``(0, 0, +9.81)`` at rest on level
ground), the gyroscope angular velocity in deg/s (``gyro_y`` positive toes
down).  Foot pitch and roll follow keypoints through each gait cycle on
quintic Hermite pieces, differentiated exactly; in stance the sensor rotates
about the heel, then the metatarsal heads.  The anteroposterior force reaches
the IMU only through physical paths (touchdown deceleration, the timing of
heel rise, the push-off roll; chapter 1 of the book shows each).  Noise, bias,
range limits and resolution are added in :mod:`grfkit.simulate.wearables`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.interpolate import PchipInterpolator

from grfkit.constants import GRAVITY_MPS2

__all__ = ["ImuConfig", "FootStep", "FootKinematics", "foot_kinematics", "imu_signals"]


@dataclass(frozen=True)
class ImuConfig:
    """Parameters of the shoe IMU and of the foot motion it senses.

    Parameters
    ----------
    rate_hz
        Nominal sampling rate (insole clock).
    sensor_ap_frac
        Position of the sensor along the foot (fraction of insole length from the heel).
    sensor_height_m
        Height of the sensor above the sole.
    contact_pitch_deg
        Pitch at contact per strike pattern (negative: toes up).
    toe_off_pitch_deg, toe_off_pitch_per_mps_deg
        Pitch at toe-off at 3 m/s and its increase per m/s.
    swing_pitch_deg, swing_pitch_per_mps_deg
        Peak pitch in early swing at 3 m/s and its increase per m/s.
    swing_clearance_m, swing_clearance_per_mps_m
        Peak height of the sensor in swing at 3 m/s and its increase per m/s.
    touchdown_velocity_ratio
        Downward velocity of the sensor at touchdown as a fraction of the
        two-mass model's ``dV1`` (the foot is stopped faster than the shank).
    touchdown_braking_ratio
        Forward velocity of the sensor at touchdown per unit of the stance's
        braking impulse per kilogram of body mass (m/s per m/s).
    pushoff_pitch_per_mps_deg
        Extra pitch at toe-off per m/s of propulsive impulse per kilogram
        above ``reference_impulse_mps``.
    reference_impulse_mps
        Typical braking or propulsive impulse per kilogram (about 0.2 m/s at
        3.5 m/s), the point where the push-off term is zero.
    contact_roll_deg, stance_roll_deg
        Roll at contact (negative: inverted) and peak eversion in early stance.
    ringing_frequency_hz, ringing_decay_s, ringing_ratio
        Damped oscillation of shoe and mount after the impact: frequency,
        decay time and amplitude relative to the impact deceleration peak.
    acc_noise_sd_mps2, gyro_noise_sd_dps
        White noise of each sample.
    acc_bias_sd_mps2, gyro_bias_sd_dps
        Spread of the constant bias per bout and axis.
    acc_range_mps2, gyro_range_dps
        Measurement range (values are clipped): ±16 g and ±2000 deg/s.
    adc_bits
        Converter resolution; the recorded values are multiples of
        ``2 * range / 2 ** adc_bits``.
    """

    rate_hz: float = 1125.0
    sensor_ap_frac: float = 0.25
    sensor_height_m: float = 0.04
    contact_pitch_deg: tuple[tuple[str, float], ...] = (("rearfoot", -12.0), ("midfoot", -2.0), ("forefoot", 8.0))
    toe_off_pitch_deg: float = 30.0
    toe_off_pitch_per_mps_deg: float = 3.0
    swing_pitch_deg: float = 55.0
    swing_pitch_per_mps_deg: float = 8.0
    swing_clearance_m: float = 0.22
    swing_clearance_per_mps_m: float = 0.05
    touchdown_velocity_ratio: float = 0.6
    touchdown_braking_ratio: float = 1.75
    pushoff_pitch_per_mps_deg: float = 100.0
    reference_impulse_mps: float = 0.2
    contact_roll_deg: float = -4.0
    stance_roll_deg: float = 6.0
    ringing_frequency_hz: float = 60.0
    ringing_decay_s: float = 0.006
    ringing_ratio: float = 0.35
    acc_noise_sd_mps2: float = 0.08
    gyro_noise_sd_dps: float = 0.5
    acc_bias_sd_mps2: float = 0.15
    gyro_bias_sd_dps: float = 1.0
    acc_range_mps2: float = 16 * GRAVITY_MPS2
    gyro_range_dps: float = 2000.0
    adc_bits: int = 16

    @property
    def acc_resolution_mps2(self) -> float:
        """Accelerometer least significant bit."""
        return 2 * self.acc_range_mps2 / 2**self.adc_bits

    @property
    def gyro_resolution_dps(self) -> float:
        """Gyroscope least significant bit."""
        return 2 * self.gyro_range_dps / 2**self.adc_bits


@dataclass(frozen=True)
class FootStep:
    """One contact of the instrumented (left) foot, as the IMU model needs it.

    Parameters
    ----------
    start_s
        Lab time of contact.
    contact_time_s
        Contact duration.
    heel_x_m
        Position of the heel along the running direction in the surface frame
        (fixed ground overground, the belt on the treadmill).
    speed_mps
        Running speed.
    impact_velocity_change_mps, impact_half_time_s
        Impact parameters of the two-mass model.
    braking_frac
        Stance fraction of the braking-to-propulsion transition (heel rise).
    braking_impulse_mps, propulsive_impulse_mps
        The stance's braking and propulsive impulses per kilogram of body
        mass (N·s/kg = m/s, both positive).
    """

    start_s: float
    contact_time_s: float
    heel_x_m: float
    speed_mps: float
    impact_velocity_change_mps: float
    impact_half_time_s: float
    braking_frac: float = 0.45
    braking_impulse_mps: float = 0.2
    propulsive_impulse_mps: float = 0.2


@dataclass(frozen=True)
class FootKinematics:
    """Motion of the sensor at given lab times (surface frame).

    Parameters
    ----------
    time_s
        Lab times.
    pitch_rad, roll_rad
        Foot orientation relative to the surface.
    pitch_rate_rps, roll_rate_rps
        Their time derivatives.
    acc_x_mps2, acc_z_mps2
        Linear acceleration of the sensor point along and normal to the
        surface, impact deceleration included.
    ringing_mps2
        Damped ringing of shoe and mount after each impact (sensor frame,
        mostly along its z axis).
    """

    time_s: np.ndarray
    pitch_rad: np.ndarray
    roll_rad: np.ndarray
    pitch_rate_rps: np.ndarray
    roll_rate_rps: np.ndarray
    acc_x_mps2: np.ndarray
    acc_z_mps2: np.ndarray
    ringing_mps2: np.ndarray


def _keypoints(
    steps: Sequence[FootStep], foot_strike: str, config: ImuConfig
) -> tuple[list[float], list[float], list[float], list[float]]:
    contact_pitch = dict(config.contact_pitch_deg)[foot_strike]
    flat_frac = {"rearfoot": 0.15, "midfoot": 0.08, "forefoot": 0.2}[foot_strike]
    times: list[float] = []
    pitch: list[float] = []
    roll_times: list[float] = []
    roll: list[float] = []
    for i, step in enumerate(steps):
        tc = step.contact_time_s
        excess = step.speed_mps - 3.0
        toe_off = config.toe_off_pitch_deg + config.toe_off_pitch_per_mps_deg * excess
        toe_off += config.pushoff_pitch_per_mps_deg * (step.propulsive_impulse_mps - config.reference_impulse_mps)
        heel_rise = min(max(step.braking_frac, flat_frac + 0.05), 0.9)
        times += [step.start_s, step.start_s + flat_frac * tc, step.start_s + heel_rise * tc, step.start_s + tc]
        pitch += [contact_pitch, 0.0, 0.0, toe_off]
        roll_times += [step.start_s, step.start_s + 0.3 * tc, step.start_s + tc]
        roll += [config.contact_roll_deg, config.stance_roll_deg, 0.0]
        if i + 1 < len(steps):
            swing = steps[i + 1].start_s - (step.start_s + tc)
            times.append(step.start_s + tc + 0.3 * swing)
            pitch.append(config.swing_pitch_deg + config.swing_pitch_per_mps_deg * excess)
            roll_times.append(step.start_s + tc + 0.5 * swing)
            roll.append(0.0)
    return times, pitch, roll_times, roll


class _QuinticPath:
    """C2 curve through keypoints: quintic Hermite pieces with monotone (PCHIP) slopes and zero curvature at knots."""

    def __init__(self, times: list[float], values: np.ndarray) -> None:
        self.times = np.asarray(times, dtype=np.float64)
        self.values = np.asarray(values, dtype=np.float64)
        self.slopes = PchipInterpolator(self.times, self.values).derivative()(self.times)

    def __call__(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Value, first and second derivative at ``t`` (constant outside the keypoints)."""
        t = np.asarray(t, dtype=np.float64)
        inside = (t >= self.times[0]) & (t <= self.times[-1])
        k = np.clip(np.searchsorted(self.times, t, side="right") - 1, 0, self.times.size - 2)
        span = self.times[k + 1] - self.times[k]
        tau = np.clip((t - self.times[k]) / span, 0.0, 1.0)
        p0, p1 = self.values[k], self.values[k + 1]
        v0, v1 = self.slopes[k] * span, self.slopes[k + 1] * span
        t2, t3, t4, t5 = tau**2, tau**3, tau**4, tau**5
        value = (1 - 10 * t3 + 15 * t4 - 6 * t5) * p0 + (tau - 6 * t3 + 8 * t4 - 3 * t5) * v0
        value += (-4 * t3 + 7 * t4 - 3 * t5) * v1 + (10 * t3 - 15 * t4 + 6 * t5) * p1
        first = (-30 * t2 + 60 * t3 - 30 * t4) * (p0 - p1) + (1 - 18 * t2 + 32 * t3 - 15 * t4) * v0
        first += (-12 * t2 + 28 * t3 - 15 * t4) * v1
        second = (-60 * tau + 180 * t2 - 120 * t3) * (p0 - p1) + (-36 * tau + 96 * t2 - 60 * t3) * v0
        second += (-24 * tau + 84 * t2 - 60 * t3) * v1
        return value, np.where(inside, first / span, 0.0), np.where(inside, second / span**2, 0.0)


class _Stance:
    """Sensor position, velocity and acceleration while the foot rolls over heel and forefoot.

    Before foot-flat (pitch < 0) the foot rotates about the heel, after heel
    rise (pitch > 0) about the metatarsal heads; ``p = pivot + R(pitch) r``.
    """

    def __init__(self, pitch: _QuinticPath, insole_length_m: float, config: ImuConfig) -> None:
        self.pitch = pitch
        self.sensor = np.array([config.sensor_ap_frac * insole_length_m, config.sensor_height_m])
        self.mth_x = 0.7 * insole_length_m

    def state(self, t: np.ndarray, heel_x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Position, velocity and acceleration (each ``(n, 2)``: along, normal) at times ``t``."""
        angle, rate, curvature = self.pitch(t)
        pivot_x = np.where(angle < 0, 0.0, self.mth_x)
        rx, rz = self.sensor[0] - pivot_x, self.sensor[1]
        c, s = np.cos(angle), np.sin(angle)
        # p = (rx c + rz s, -rx s + rz c); dp/d(angle) = (-rx s + rz c, -rx c - rz s) = (u, w).
        u, w = -rx * s + rz * c, -rx * c - rz * s
        position = np.stack([heel_x + pivot_x + rx * c + rz * s, -rx * s + rz * c], axis=1)
        velocity = np.stack([rate * u, rate * w], axis=1)
        acceleration = np.stack([curvature * u + rate**2 * w, curvature * w - rate**2 * u], axis=1)
        return position, velocity, acceleration


def _hermite_acceleration(
    tau: np.ndarray,
    duration_s: float,
    start: tuple[np.ndarray, np.ndarray, np.ndarray],
    end: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Second derivative of the quintic Hermite curve between two (position, velocity, acceleration) states."""
    (p0, v0, a0), (p1, v1, a1) = start, end
    h0 = -60 * tau + 180 * tau**2 - 120 * tau**3
    h1 = -36 * tau + 96 * tau**2 - 60 * tau**3
    h2 = 1 - 9 * tau + 18 * tau**2 - 10 * tau**3
    h3 = 3 * tau - 12 * tau**2 + 10 * tau**3
    h4 = -24 * tau + 84 * tau**2 - 60 * tau**3
    h5 = 60 * tau - 180 * tau**2 + 120 * tau**3
    d = duration_s
    return (
        h0[:, None] * p0
        + h1[:, None] * v0 * d
        + h2[:, None] * a0 * d**2
        + h3[:, None] * a1 * d**2
        + h4[:, None] * v1 * d
        + h5[:, None] * p1
    ) / d**2


def foot_kinematics(
    t_lab_s: ArrayLike,
    steps: Sequence[FootStep],
    *,
    insole_length_m: float,
    foot_strike: str,
    config: ImuConfig = ImuConfig(),
) -> FootKinematics:
    """Sensor motion at given lab times from the instrumented foot's contacts.

    Orientation follows quintic Hermite pieces through pitch and roll
    keypoints (monotone slopes, zero curvature at the keypoints).  In stance
    the sensor point rotates about heel or forefoot
    (exact derivatives of the interpolated pitch).  In swing it follows a
    quintic Hermite curve that leaves with the toe-off velocity and
    acceleration and arrives at the next landing pose moving forward and
    down (touchdown velocity), plus a clearance bump.  At contact that
    velocity is removed by a half-sine impact pulse of the two-mass model's
    duration, so the acceleration integrates to zero over whole strides.

    Parameters
    ----------
    t_lab_s
        Sorted lab times of the IMU samples.
    steps
        Contacts of the instrumented foot in time order (fewer than two: the
        foot stands still, flat).
    insole_length_m
        Foot (insole) length.
    foot_strike
        ``"rearfoot"``, ``"midfoot"`` or ``"forefoot"``.
    config
        Motion and sensor parameters.

    Returns
    -------
    FootKinematics
        Orientation, rates and accelerations at ``t_lab_s``.
    """
    t = np.asarray(t_lab_s, dtype=np.float64)
    zeros = np.zeros(t.size)
    if len(steps) < 2:
        return FootKinematics(t, zeros, zeros, zeros, zeros, zeros, zeros.copy(), zeros.copy())
    times, pitch_deg, roll_times, roll_deg = _keypoints(steps, foot_strike, config)
    pitch_fn = _QuinticPath(times, np.radians(pitch_deg))
    pitch, pitch_rate, _ = pitch_fn(t)
    roll, roll_rate, _ = _QuinticPath(roll_times, np.radians(roll_deg))(t)

    stance = _Stance(pitch_fn, insole_length_m, config)
    starts = np.array([s.start_s for s in steps])
    ends = starts + np.array([s.contact_time_s for s in steps])
    heel = np.array([s.heel_x_m for s in steps])
    first = np.searchsorted(t, starts, side="left")
    last = np.searchsorted(t, ends, side="right")
    acc = np.zeros((t.size, 2))
    ringing = np.zeros(t.size)
    # Stance: every sample inside a contact at once.
    which = np.searchsorted(starts, t, side="right") - 1
    in_stance = (which >= 0) & (t <= ends[np.clip(which, 0, None)])
    if in_stance.any():
        acc[in_stance] = stance.state(t[in_stance], heel[which[in_stance]])[2]
    # Swing boundary states: leaving at toe-off, arriving at the next contact.
    p0, v0, a0 = stance.state(ends[:-1], heel[:-1])
    p1, v_stance, _ = stance.state(starts[1:], heel[1:])
    touchdown = config.touchdown_velocity_ratio * np.array([s.impact_velocity_change_mps for s in steps[1:]])
    forward = config.touchdown_braking_ratio * np.array([s.braking_impulse_mps for s in steps[1:]])
    v1 = np.stack([forward, -touchdown], axis=1)
    for i in range(len(steps) - 1):
        duration = starts[i + 1] - ends[i]
        lo, hi = last[i], first[i + 1]
        if lo < hi:
            tau = (t[lo:hi] - ends[i]) / duration
            acc[lo:hi] = _hermite_acceleration(tau, duration, (p0[i], v0[i], a0[i]), (p1[i], v1[i], np.zeros(2)))
            clearance = config.swing_clearance_m + config.swing_clearance_per_mps_m * (steps[i].speed_mps - 3.0)
            # Second derivative of the bump 64 tau^3 (1 - tau)^3.
            bump = 384 * tau * (1 - tau) * ((1 - 2 * tau) ** 2 - tau * (1 - tau))
            acc[lo:hi, 1] += clearance * bump / duration**2
        # Impact: the velocity jump at contact, spread as a half sine over 2 t1.
        pulse_s = 2.0 * steps[i + 1].impact_half_time_s
        jump = v_stance[i] - v1[i]
        lo, hi = np.searchsorted(t, [starts[i + 1], starts[i + 1] + pulse_s + 8 * config.ringing_decay_s])
        if lo < hi:
            tau = t[lo:hi] - starts[i + 1]
            shape = np.where(tau <= pulse_s, np.pi / (2 * pulse_s) * np.sin(np.pi * np.clip(tau / pulse_s, 0, 1)), 0.0)
            acc[lo:hi] += shape[:, None] * jump
            peak = np.pi / (2 * pulse_s) * float(np.hypot(*jump))
            decay = np.exp(-tau / config.ringing_decay_s)
            ringing[lo:hi] = config.ringing_ratio * peak * decay * np.sin(2 * np.pi * config.ringing_frequency_hz * tau)
    return FootKinematics(t, pitch, roll, pitch_rate, roll_rate, acc[:, 0], acc[:, 1], ringing)


def imu_signals(
    kinematics: FootKinematics,
    *,
    gradient_deg: float = 0.0,
    pitch_offset_deg: float = 0.0,
    roll_offset_deg: float = 0.0,
    config: ImuConfig = ImuConfig(),
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """IMU readings from the sensor's motion.

    Parameters
    ----------
    kinematics
        Sensor motion at the IMU sample times (:func:`foot_kinematics`).
    gradient_deg
        Surface incline; gravity is tilted accordingly in the surface frame.
    pitch_offset_deg, roll_offset_deg
        Mounting misalignment of the sensor on the shoe.
    config
        Sensor parameters.
    rng
        Random generator for bias and noise (``None``: ideal sensor).

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 6)``: ``acc_x, acc_y, acc_z`` (m/s², specific force) and
        ``gyro_x, gyro_y, gyro_z`` (deg/s) in the sensor frame.
    """
    k = kinematics
    pitch = k.pitch_rad + np.radians(pitch_offset_deg)
    roll = k.roll_rad + np.radians(roll_offset_deg)
    slope = np.radians(gradient_deg)
    # Specific force in the surface frame: acceleration minus gravity, gravity = (-g sin a, 0, -g cos a).
    fx = k.acc_x_mps2 + GRAVITY_MPS2 * np.sin(slope)
    fz = k.acc_z_mps2 + GRAVITY_MPS2 * np.cos(slope)
    cp, sp, cr, sr = np.cos(pitch), np.sin(pitch), np.cos(roll), np.sin(roll)
    # Sensor frame R = R_y(pitch) R_x(roll); readings are R^T f.
    normal = sp * fx + cp * fz
    out = np.empty((k.time_s.size, 6))
    out[:, 0] = cp * fx - sp * fz + 0.3 * k.ringing_mps2
    out[:, 1] = sr * normal
    out[:, 2] = cr * normal + k.ringing_mps2
    # Body rates of R_y(pitch) R_x(roll): (roll', pitch' cos(roll), -pitch' sin(roll)).
    out[:, 3] = np.degrees(k.roll_rate_rps)
    out[:, 4] = np.degrees(k.pitch_rate_rps * cr)
    out[:, 5] = np.degrees(-k.pitch_rate_rps * sr)
    if rng is not None:
        bias = np.concatenate(
            [rng.normal(0.0, config.acc_bias_sd_mps2, 3), rng.normal(0.0, config.gyro_bias_sd_dps, 3)]
        )
        noise = np.concatenate([np.full(3, config.acc_noise_sd_mps2), np.full(3, config.gyro_noise_sd_dps)])
        out += bias + rng.normal(size=out.shape) * noise
    out[:, :3] = np.clip(out[:, :3], -config.acc_range_mps2, config.acc_range_mps2)
    out[:, 3:] = np.clip(out[:, 3:], -config.gyro_range_dps, config.gyro_range_dps)
    return out
