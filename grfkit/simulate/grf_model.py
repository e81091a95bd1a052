"""Ground reaction force of one running stance: a two-mass model with impulse bookkeeping.

The vertical (surface-normal) force follows the two-mass decomposition of
Clark, Ryan & Weyand (2017): an impact of the lower limb (``m1 = 0.08 mb``)
plus the slower loading of the rest of the body, with the step's vertical
impulse equal to body weight times step time; the pulse shapes are grfkit's.
The anteroposterior force is grfkit's own model, not Clark's: the normal
force times the lean of the line from the centre of pressure to a pivot point
above the centre of mass, with the landing point set by the step's momentum
balance.  A small mediolateral lobe completes the force, in the surface frame.
:class:`GaitRelations` gives contact time, step time and impact parameters as
smooth functions of speed, height and gradient; :func:`design_stance` designs one stance and
:func:`evaluate_contacts` evaluates the forces of many.  Chapter 1 of the book explains the model.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from grfkit.constants import GRAVITY_MPS2
from grfkit.simulate.plantar import CopPattern, cop_ap_path

__all__ = [
    "GrfShape",
    "GaitRelations",
    "ImpactParameters",
    "StanceForce",
    "design_stance",
    "evaluate_contacts",
]



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
    impact_ap_ratio
        Posterior AP force during the impact, as a fraction of the impact
        component of the vertical force.
    lateral_peak_bw
        Peak of the mediolateral lobe, in body weights.
    """

    lower_limb_mass_fraction: float = 0.08
    active_sine_weight: float = 0.5
    active_peak_stance_frac: float = 0.45
    impact_ap_ratio: float = 0.2
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

    Build it with :func:`design_stance`.  Amplitudes in newtons, lengths in
    metres.

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
    impact_ap_ratio
        Posterior AP force during impact relative to the impact component.
    lateral_amplitude_n
        Peak of the mediolateral lobe, signed (positive: towards +y).
    pivot_height_m
        Height of the point the active force aims at (above the centre of mass).
    speed_mps
        Forward speed of the centre of mass over the foot during the stance.
    insole_length_m
        Foot (insole) length: turns the COP path's fractions into metres.
    com_offset_m
        Position of the centre of mass at contact, along the surface,
        relative to the insole's heel end (the foot lands ahead of it when
        this is below the COP); set by the step's momentum balance.
    cop_start_ap_frac, cop_end_ap_frac, cop_exponent, cop_dip_ap_frac
        The stance's centre-of-pressure path along the foot
        (:class:`grfkit.simulate.plantar.CopPattern`).
    ap_scale
        Share of the COM-directed AP force the surface measures (1; less on a
        treadmill whose belt gives way, see
        :class:`grfkit.simulate.treadmill.TreadmillConfig`).
    """

    contact_time_s: float
    impact_impulse_ns: float
    impact_half_time_s: float
    active_amplitude_n: float
    active_sine_weight: float
    active_warp_exponent: float
    impact_ap_ratio: float
    lateral_amplitude_n: float
    pivot_height_m: float
    speed_mps: float
    insole_length_m: float
    com_offset_m: float
    cop_start_ap_frac: float
    cop_end_ap_frac: float
    cop_exponent: float
    cop_dip_ap_frac: float
    ap_scale: float = 1.0

    @functools.cached_property
    def _ap_profile(self) -> tuple[np.ndarray, np.ndarray]:
        t = np.linspace(0.0, self.contact_time_s, _PROFILE_POINTS)
        return t, self.evaluate(t)[1]

    @property
    def braking_time_s(self) -> float:
        """Time of the braking-to-propulsion transition: the last upward zero crossing of the AP force."""
        t, along = self._ap_profile
        up = np.flatnonzero((along[:-1] < 0) & (along[1:] >= 0))
        if up.size == 0:
            return float(t[-1] if along[1:-1].mean() < 0 else t[0])
        k = up[-1]
        return float(t[k] - along[k] * (t[k + 1] - t[k]) / (along[k + 1] - along[k]))

    @property
    def braking_impulse_ns(self) -> float:
        """Posterior (braking) impulse of the stance (N·s, positive)."""
        t, along = self._ap_profile
        return float(-np.trapezoid(np.minimum(along, 0.0), t))

    @property
    def propulsive_impulse_ns(self) -> float:
        """Anterior (propulsive) impulse of the stance (N·s, positive)."""
        t, along = self._ap_profile
        return float(np.trapezoid(np.maximum(along, 0.0), t))

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
#: Samples over the stance for the transition time and the impulses.
_PROFILE_POINTS: int = 801


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
    impact_ap_ratio: ArrayLike,
    lateral: ArrayLike,
    com_height: ArrayLike,
    speed: ArrayLike,
    insole_length: ArrayLike,
    com_offset: ArrayLike,
    cop_start: ArrayLike,
    cop_end: ArrayLike,
    cop_exponent: ArrayLike,
    cop_dip: ArrayLike,
    ap_scale: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Force components; parameters are scalars or arrays matching ``t``."""
    inside = (t >= 0) & (t <= tc)
    s = np.where(inside, t / tc, 0.0)
    impact = _impact(t, impulse, half_time, tc)
    active = np.where(inside, amplitude * _active_unit_shape(s, sine_weight, warp), 0.0)
    cop = insole_length * cop_ap_path(s, cop_start, cop_end, cop_exponent, cop_dip)
    lean = (cop - com_offset - speed * np.where(inside, t, 0.0)) / com_height
    along = np.where(inside, -ap_scale * active * lean - impact_ap_ratio * impact, 0.0)
    across = np.where(inside, lateral * np.sin(np.pi * s), 0.0)
    return impact + active, along, across


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
    cop: CopPattern,
    insole_length_m: float,
    pivot_height_m: float,
    speed_mps: float,
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
    cop
        The stance's centre-of-pressure path.
    insole_length_m
        Foot (insole) length.
    pivot_height_m
        Height of the point the active force aims at (above the centre of mass).
    speed_mps
        Running speed during the stance.
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
        step_time``: where the centre of mass is at contact is solved for the
        latter.

    Raises
    ------
    ValueError
        If the contact time is not shorter than the step time or not
        positive, or a length is not positive.

    Examples
    --------
    >>> from grfkit.simulate.plantar import COP_PATTERNS
    >>> f = design_stance(body_mass_kg=70.0, contact_time_s=0.25, step_time_s=0.35,
    ...                   impact_velocity_change_mps=2.5, impact_half_time_s=0.02,
    ...                   cop=COP_PATTERNS["rearfoot"], insole_length_m=0.26, pivot_height_m=1.0, speed_mps=3.5)
    >>> abs(f.braking_impulse_ns - f.propulsive_impulse_ns) < 1e-9  # level, steady: they balance
    True
    """
    if not 0 < contact_time_s < step_time_s:
        raise ValueError(f"need 0 < contact_time_s < step_time_s, got {contact_time_s} and {step_time_s}")
    if not (insole_length_m > 0 and pivot_height_m > 0):
        raise ValueError(f"lengths must be positive, got insole {insole_length_m} m and COM height {pivot_height_m} m")
    weight_n = body_mass_kg * GRAVITY_MPS2
    slope = math.radians(gradient_deg)
    half_time = min(impact_half_time_s, 0.45 * contact_time_s)
    impact_impulse = shape.lower_limb_mass_fraction * body_mass_kg * impact_velocity_change_mps
    total_normal = weight_n * math.cos(slope) * step_time_s
    active_impulse = total_normal - impact_impulse
    warp = math.log(0.5) / math.log(shape.active_peak_stance_frac)
    active_amplitude = active_impulse / (contact_time_s * _active_unit_area(shape.active_sine_weight, warp))
    # Momentum balance along the surface: -(1/h) * integral(active * (x_cop - c - v t)) - r J1 = J_net, solved for c.
    net = body_mass_kg * speed_change_mps + weight_n * math.sin(slope) * step_time_s
    t = np.linspace(0.0, contact_time_s, _PROFILE_POINTS)
    s = t / contact_time_s
    active = active_amplitude * _active_unit_shape(s, shape.active_sine_weight, warp)
    cop_m = insole_length_m * cop_ap_path(s, cop.start_ap_frac, cop.end_ap_frac, cop.progression_exponent,
                                          cop.forefoot_dip_ap_frac)
    impact = _impact(t, impact_impulse, half_time, contact_time_s)
    # The same grid and rule as StanceForce's impulses, so that they balance to rounding error.
    offset = (np.trapezoid(active * (cop_m - speed_mps * t), t)
              + pivot_height_m * (net + shape.impact_ap_ratio * np.trapezoid(impact, t))) / np.trapezoid(active, t)
    return StanceForce(
        contact_time_s=contact_time_s,
        impact_impulse_ns=impact_impulse,
        impact_half_time_s=half_time,
        active_amplitude_n=active_amplitude,
        active_sine_weight=shape.active_sine_weight,
        active_warp_exponent=warp,
        impact_ap_ratio=shape.impact_ap_ratio,
        lateral_amplitude_n=medial_direction * shape.lateral_peak_bw * weight_n,
        pivot_height_m=pivot_height_m,
        speed_mps=speed_mps,
        insole_length_m=insole_length_m,
        com_offset_m=float(offset),
        cop_start_ap_frac=cop.start_ap_frac,
        cop_end_ap_frac=cop.end_ap_frac,
        cop_exponent=cop.progression_exponent,
        cop_dip_ap_frac=cop.forefoot_dip_ap_frac,
    )
