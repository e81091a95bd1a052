"""Ground reaction force of one running stance: a two-mass model with impulse bookkeeping.

Vertical force
--------------
Clark, Ryan & Weyand (2017, *J Exp Biol* 220:247-258, "A general relationship
links gait mechanics and running ground reaction forces") explain the whole
vertical force-time waveform with two body-mass components: the stance foot
and shank, ``m1 = 0.08 mb``, which collides with the ground and is stopped
during an impact phase, and the remaining mass ``m2 = 0.92 mb``.  Their
predicted waveform needs body mass, contact time, aerial time and the lower
limb's vertical velocity change during impact.  We follow that decomposition:

* impact component: impulse ``J1 = m1 * dV1`` delivered over ``2 * t1``
  (``dV1``: lower-limb vertical velocity change, ``t1``: time to the impact
  peak);
* active component: the rest of the step's vertical impulse,
  ``J2 = J_total - J1``, over the whole contact time;
* ``J_total = mb * g * cos(gradient) * (t_contact + t_aerial)``: over a
  steady step the vertical (surface-normal) impulse equals body weight times
  step time.

The pulse *shapes* are ours, not the paper's: the impact is a half-sine
pulse and the active component a blend of a half sine and a squared sine,
slightly skewed so that it peaks at 45 % of stance.  Both start with a
non-zero slope, as force-plate recordings do (a raised cosine starts flat and
would put the 20 N crossing well after the physical contact).  The strike
pattern sets ``dV1`` and ``t1``: a rear-foot strike stops the shank abruptly
(large ``dV1``, short ``t1``: a distinct impact peak), a fore-foot strike
lets the ankle yield (small ``dV1``, longer ``t1``: no distinct peak).

Anteroposterior force
---------------------
A braking lobe followed by a propulsive lobe (half sines), plus a small
posterior spike proportional to the impact force (friction during the
collision).  The net impulse over the stance is set by the momentum balance
of the step: ``m * dv + m * g * sin(gradient) * t_step`` (``dv``: change of
running speed over the step; on a slope the runner must also push against
the downhill component of gravity).  Without acceleration and on the level
the two lobes cancel.  The braking peak rises with speed.

Mediolateral force
------------------
A small half-sine lobe pushing the body towards the midline (the foot lands
beside the centre of mass), about 5 % body weight.

Forces are expressed in the *surface frame*: normal to the running surface,
along it (positive in the running direction) and across it (positive to the
runner's left).  On level ground this is the lab frame.

Speed relations
---------------
:class:`GaitRelations` gives contact time, step time, braking peak and the
impact parameters as smooth functions of speed (m/s), height and gradient.
They are chosen to stay within commonly reported ranges for distance running
at 2.5-6 m/s (contact time about 0.30 s at 2.5 m/s to 0.18 s at 6 m/s, step
frequency 2.7-3.1 Hz, peak vertical force 2-3 body weights, braking peak
0.2-0.45 body weights), not fitted to any data set.  The braking relation was
lowered after the validation against real treadmill and overground stances
(:mod:`grfkit.validation`; see :class:`GaitRelations`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "GRAVITY_MPS2",
    "GrfShape",
    "GaitRelations",
    "ImpactParameters",
    "StanceForce",
    "design_stance",
    "evaluate_contacts",
]

#: Standard gravity (m/s²).
GRAVITY_MPS2: float = 9.81


@dataclass(frozen=True)
class GrfShape:
    """Shape constants of the stance force model.

    Parameters
    ----------
    lower_limb_mass_fraction
        ``m1 / mb``, the impacting foot-and-shank mass (Clark et al. 2017: 0.08).
    active_sine_weight
        Blend of the active component: 0 a pure half sine, 1 a pure squared
        sine (flat start).  In between the start has a non-zero slope.
    active_peak_stance_frac
        Stance fraction at which the active component peaks.
    braking_stance_frac
        Stance fraction of the braking-to-propulsion transition on the level
        at constant speed.
    impact_ap_ratio
        Posterior AP force during the impact, as a fraction of the impact
        component of the vertical force.
    lateral_peak_bw
        Peak of the mediolateral lobe, in body weights.
    """

    lower_limb_mass_fraction: float = 0.08
    active_sine_weight: float = 0.5
    active_peak_stance_frac: float = 0.45
    braking_stance_frac: float = 0.47
    impact_ap_ratio: float = 0.15
    lateral_peak_bw: float = 0.05


@dataclass(frozen=True)
class ImpactParameters:
    """Impact of the lower limb for one strike pattern.

    Parameters
    ----------
    velocity_change_mps
        ``dV1`` at 3.5 m/s on the level.
    velocity_change_per_speed_s
        Increase of ``dV1`` per m/s of running speed (units m/s per m/s).
    half_time_s
        ``t1``: time from contact to the impact peak (the impact lasts ``2 t1``).
    """

    velocity_change_mps: float
    velocity_change_per_speed_s: float
    half_time_s: float


@dataclass(frozen=True)
class GaitRelations:
    """Temporal and force parameters of running as functions of speed.

    Parameters
    ----------
    contact_time_coef_s, contact_time_speed_exponent
        ``t_c = coef * speed ** -exponent`` for a 1.75 m runner (0.27 s at
        3 m/s, 0.20 s at 5 m/s), scaled by ``sqrt(height / 1.75 m)``.
    step_frequency_intercept_hz, step_frequency_slope_hz_per_mps
        Step frequency ``f = intercept + slope * speed`` for a 1.75 m runner,
        scaled by ``sqrt(1.75 m / height)``; step time is ``1 / f``.
    step_time_per_grade
        Relative change of step time per unit grade (uphill: shorter steps).
    min_aerial_time_s
        Shortest flight phase kept between two contacts.
    braking_peak_intercept_bw, braking_peak_slope_bw_per_mps
        Braking peak ``intercept + slope * speed`` in body weights.  Lowered
        from ``0.10 + 0.07 v`` to ``0.05 + 0.06 v`` after the validation
        against Hamner & Delp (2013, 10 runners on an instrumented treadmill,
        2-5 m/s; :mod:`grfkit.validation`): the old relation put the
        simulated braking peak (20 Hz filtered) 2.3-4.1 SD and the braking
        impulse 3.8-5.2 SD above the real stance means.  With the new one
        both lie within 2 SD at 2-5 m/s, and the Dorn et al. (2012)
        overground jog (one runner, 3.5 m/s, braking peak 0.37 BW) stays
        within 2 SD of the simulated overground runners.
    impact
        :class:`ImpactParameters` per strike pattern.
    impact_change_per_grade
        Relative change of ``dV1`` per unit grade (downhill: harder impacts).
    """

    contact_time_coef_s: float = 0.515
    contact_time_speed_exponent: float = 0.587
    step_frequency_intercept_hz: float = 2.45
    step_frequency_slope_hz_per_mps: float = 0.10
    step_time_per_grade: float = -0.5
    min_aerial_time_s: float = 0.03
    braking_peak_intercept_bw: float = 0.05
    braking_peak_slope_bw_per_mps: float = 0.06
    impact: tuple[tuple[str, ImpactParameters], ...] = (
        ("rearfoot", ImpactParameters(2.5, 0.30, 0.020)),
        ("midfoot", ImpactParameters(1.5, 0.20, 0.024)),
        ("forefoot", ImpactParameters(0.8, 0.10, 0.032)),
    )
    impact_change_per_grade: float = -3.0

    def contact_time_s(self, speed_mps: ArrayLike, height_m: float = 1.75) -> np.ndarray:
        """Typical contact time (s) at a running speed.

        Parameters
        ----------
        speed_mps
            Running speed in m/s (positive).
        height_m
            Runner's height; taller runners have slightly longer contacts.

        Returns
        -------
        numpy.ndarray
            Contact time in seconds.
        """
        speed = np.asarray(speed_mps, dtype=np.float64)
        return self.contact_time_coef_s * speed ** (-self.contact_time_speed_exponent) * math.sqrt(height_m / 1.75)

    def step_time_s(self, speed_mps: ArrayLike, height_m: float = 1.75, gradient_deg: float = 0.0) -> np.ndarray:
        """Typical step time (contact plus flight, s) at a running speed.

        Parameters
        ----------
        speed_mps
            Running speed in m/s.
        height_m
            Runner's height.
        gradient_deg
            Surface incline (positive uphill).

        Returns
        -------
        numpy.ndarray
            Step time in seconds.
        """
        speed = np.asarray(speed_mps, dtype=np.float64)
        frequency = (self.step_frequency_intercept_hz + self.step_frequency_slope_hz_per_mps * speed) * math.sqrt(
            1.75 / height_m
        )
        grade = math.tan(math.radians(gradient_deg))
        return (1.0 + self.step_time_per_grade * grade) / frequency

    def braking_peak_bw(self, speed_mps: ArrayLike) -> np.ndarray:
        """Typical braking peak (body weights) on the level at constant speed.

        Parameters
        ----------
        speed_mps
            Running speed in m/s.

        Returns
        -------
        numpy.ndarray
            Peak braking force in body weights (positive number).
        """
        speed = np.asarray(speed_mps, dtype=np.float64)
        return self.braking_peak_intercept_bw + self.braking_peak_slope_bw_per_mps * speed

    def impact_parameters(self, foot_strike: str, speed_mps: float, gradient_deg: float = 0.0) -> tuple[float, float]:
        """Impact velocity change and half duration for a strike pattern.

        Parameters
        ----------
        foot_strike
            ``"rearfoot"``, ``"midfoot"`` or ``"forefoot"``.
        speed_mps
            Running speed in m/s.
        gradient_deg
            Surface incline (positive uphill).

        Returns
        -------
        velocity_change_mps, half_time_s : float
            ``dV1`` and ``t1`` of the two-mass model.

        Raises
        ------
        ValueError
            For an unknown strike pattern.
        """
        table = dict(self.impact)
        if foot_strike not in table:
            raise ValueError(f"foot_strike must be one of {sorted(table)}, got {foot_strike!r}")
        p = table[foot_strike]
        grade = math.tan(math.radians(gradient_deg))
        dv = (p.velocity_change_mps + p.velocity_change_per_speed_s * (speed_mps - 3.5)) * (
            1.0 + self.impact_change_per_grade * grade
        )
        return max(dv, 0.05), p.half_time_s


def _active_unit_area(sine_weight: float, warp_exponent: float) -> float:
    """Integral over stance fraction 0..1 of the unit active shape."""
    s = np.linspace(0.0, 1.0, 4001)
    return float(np.trapezoid(_active_unit_shape(s, sine_weight, warp_exponent), s))


def _active_unit_shape(s: np.ndarray, sine_weight: float, warp_exponent: float) -> np.ndarray:
    """Active force shape over stance fraction ``s`` in 0..1 (peak 1)."""
    sine = np.sin(np.pi * s**warp_exponent)
    return sine * ((1.0 - sine_weight) + sine_weight * sine)


@dataclass(frozen=True)
class StanceForce:
    """Ground reaction force of one stance, ready to evaluate at any time.

    Build it with :func:`design_stance`.  All amplitudes are in newtons.

    Parameters
    ----------
    contact_time_s
        Physical contact duration.
    impact_impulse_ns, impact_half_time_s
        ``J1`` (N·s) and ``t1`` of the impact component.
    active_amplitude_n
        Peak of the active component.
    active_sine_weight, active_warp_exponent
        Shape of the active component (see :class:`GrfShape`).
    braking_time_s
        End of the braking lobe (braking-to-propulsion transition).
    braking_amplitude_n, propulsive_amplitude_n
        Peaks of the two AP lobes (both positive numbers).
    impact_ap_ratio
        Posterior AP force during impact relative to the impact component.
    lateral_amplitude_n
        Peak of the mediolateral lobe, signed (positive: towards +y).
    """

    contact_time_s: float
    impact_impulse_ns: float
    impact_half_time_s: float
    active_amplitude_n: float
    active_sine_weight: float
    active_warp_exponent: float
    braking_time_s: float
    braking_amplitude_n: float
    propulsive_amplitude_n: float
    impact_ap_ratio: float
    lateral_amplitude_n: float

    @property
    def braking_impulse_ns(self) -> float:
        """Posterior (braking) impulse of the stance: the braking lobe and the impact spike (N·s, positive)."""
        return (
            self.braking_amplitude_n * 2.0 * self.braking_time_s / np.pi
            + self.impact_ap_ratio * self.impact_impulse_ns
        )

    @property
    def propulsive_impulse_ns(self) -> float:
        """Anterior (propulsive) impulse of the stance (N·s, positive)."""
        return self.propulsive_amplitude_n * 2.0 * (self.contact_time_s - self.braking_time_s) / np.pi

    def impact_force_n(self, t_s: ArrayLike) -> np.ndarray:
        """Impact component of the vertical force at times ``t_s`` after contact."""
        return _impact(
            np.asarray(t_s, dtype=np.float64), self.impact_impulse_ns, self.impact_half_time_s, self.contact_time_s
        )

    def evaluate(self, t_s: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Force components at times ``t_s`` after the physical contact.

        Parameters
        ----------
        t_s
            Times relative to the start of contact, seconds (any shape).

        Returns
        -------
        normal_n, along_n, across_n : numpy.ndarray
            Surface-normal (vertical on the level), along-surface (positive in
            the running direction) and across (positive to the runner's left)
            force; zero outside ``0 <= t <= contact_time_s``.
        """
        return _evaluate(np.asarray(t_s, dtype=np.float64), *(getattr(self, f) for f in _FIELDS))


_FIELDS: tuple[str, ...] = tuple(StanceForce.__dataclass_fields__)


def _impact(t: np.ndarray, impulse: ArrayLike, half_time: ArrayLike, contact_time: ArrayLike) -> np.ndarray:
    duration = 2.0 * np.asarray(half_time)
    peak = impulse * np.pi / (2.0 * duration)
    inside = (t >= 0) & (t <= np.minimum(duration, contact_time))
    return np.where(inside, peak * np.sin(np.pi * np.where(inside, t, 0.0) / duration), 0.0)


def _evaluate(
    t: np.ndarray,
    tc: ArrayLike,
    impulse: ArrayLike,
    half_time: ArrayLike,
    amplitude: ArrayLike,
    sine_weight: ArrayLike,
    warp: ArrayLike,
    tb: ArrayLike,
    braking: ArrayLike,
    propulsion: ArrayLike,
    impact_ap_ratio: ArrayLike,
    lateral: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Force components; parameters are scalars or arrays matching ``t``."""
    inside = (t >= 0) & (t <= tc)
    s = np.where(inside, t / tc, 0.0)
    impact = _impact(t, impulse, half_time, tc)
    normal = np.where(inside, impact + amplitude * _active_unit_shape(s, sine_weight, warp), 0.0)
    lobe = np.where(t < tb, -braking * np.sin(np.pi * t / tb), propulsion * np.sin(np.pi * (t - tb) / (tc - tb)))
    along = np.where(inside, lobe - impact_ap_ratio * impact, 0.0)
    across = np.where(inside, lateral * np.sin(np.pi * s), 0.0)
    return normal, along, across


def evaluate_contacts(
    forces: Sequence[StanceForce], t_s: np.ndarray, which: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate many stances at once.

    Parameters
    ----------
    forces
        The stances.
    t_s
        Times relative to the start of each sample's stance, 1-D.
    which
        Index into ``forces`` of each sample, same length as ``t_s``.

    Returns
    -------
    normal_n, along_n, across_n : numpy.ndarray
        As :meth:`StanceForce.evaluate`, one value per sample.
    """
    table = np.array([[getattr(f, name) for name in _FIELDS] for f in forces], dtype=np.float64).reshape(
        -1, len(_FIELDS)
    )
    return _evaluate(np.asarray(t_s, dtype=np.float64), *table[np.asarray(which)].T)


def design_stance(
    *,
    body_mass_kg: float,
    contact_time_s: float,
    step_time_s: float,
    impact_velocity_change_mps: float,
    impact_half_time_s: float,
    braking_peak_bw: float,
    speed_change_mps: float = 0.0,
    gradient_deg: float = 0.0,
    medial_direction: float = -1.0,
    shape: GrfShape = GrfShape(),
) -> StanceForce:
    """Design the force of one stance from its mechanics and momentum balance.

    Parameters
    ----------
    body_mass_kg
        Runner's mass.
    contact_time_s
        Physical contact time.
    step_time_s
        Time from this contact to the next contact of the other foot; the
        stance must supply the vertical impulse of the whole step.
    impact_velocity_change_mps, impact_half_time_s
        ``dV1`` and ``t1`` of the two-mass model.
    braking_peak_bw
        Braking peak (body weights) this runner would show at this speed on
        the level at constant speed; acceleration and slope shift impulse
        between braking and propulsion.
    speed_change_mps
        Change of running speed over the step (positive: accelerating).
    gradient_deg
        Surface incline (positive uphill).
    medial_direction
        ``-1`` for a left foot (the midline is towards -y), ``+1`` for a right
        foot; the mediolateral lobe pushes the body that way.
    shape
        Shape constants.

    Returns
    -------
    StanceForce
        Whose normal impulse is ``mb g cos(gradient) step_time`` and whose
        along-surface impulse is ``mb speed_change + mb g sin(gradient)
        step_time`` (unless the acceleration is so large that a lobe would
        vanish; each lobe keeps at least 10 % of its level-ground impulse and
        the other absorbs the rest).

    Raises
    ------
    ValueError
        If the contact time is not shorter than the step time or not positive.
    """
    if not 0 < contact_time_s < step_time_s:
        raise ValueError(f"need 0 < contact_time_s < step_time_s, got {contact_time_s} and {step_time_s}")
    weight_n = body_mass_kg * GRAVITY_MPS2
    slope = math.radians(gradient_deg)
    half_time = min(impact_half_time_s, 0.45 * contact_time_s)
    impact_impulse = shape.lower_limb_mass_fraction * body_mass_kg * impact_velocity_change_mps
    total_normal = weight_n * math.cos(slope) * step_time_s
    active_impulse = total_normal - impact_impulse
    warp = math.log(0.5) / math.log(shape.active_peak_stance_frac)
    active_amplitude = active_impulse / (contact_time_s * _active_unit_area(shape.active_sine_weight, warp))

    impact_braking = shape.impact_ap_ratio * impact_impulse
    braking_lobe = braking_peak_bw * weight_n * 2.0 * shape.braking_stance_frac * contact_time_s / np.pi
    level_braking = braking_lobe + impact_braking
    net = body_mass_kg * speed_change_mps + weight_n * math.sin(slope) * step_time_s
    braking = level_braking - net / 2.0
    propulsion = level_braking + net / 2.0
    min_braking = impact_braking + 0.1 * braking_lobe
    min_propulsion = 0.1 * level_braking
    if braking < min_braking:
        braking, propulsion = min_braking, min_braking + net
    if propulsion < min_propulsion:
        propulsion, braking = min_propulsion, min_propulsion - net
    braking_frac = float(np.clip(2.0 * shape.braking_stance_frac * braking / (braking + propulsion), 0.25, 0.7))
    braking_time = braking_frac * contact_time_s
    return StanceForce(
        contact_time_s=contact_time_s,
        impact_impulse_ns=impact_impulse,
        impact_half_time_s=half_time,
        active_amplitude_n=active_amplitude,
        active_sine_weight=shape.active_sine_weight,
        active_warp_exponent=warp,
        braking_time_s=braking_time,
        braking_amplitude_n=(braking - impact_braking) * np.pi / (2.0 * braking_time),
        propulsive_amplitude_n=propulsion * np.pi / (2.0 * (contact_time_s - braking_time)),
        impact_ap_ratio=shape.impact_ap_ratio,
        lateral_amplitude_n=medial_direction * shape.lateral_peak_bw * weight_n,
    )
