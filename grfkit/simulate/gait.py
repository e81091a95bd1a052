"""The sequence of foot contacts of a bout: timing, speed changes and force of every stance.

Left and right feet alternate.  Each step gets its contact and step time from
the runner's speed (:class:`~grfkit.simulate.grf_model.GaitRelations`), scaled
by the runner's factors and asymmetry, with stride-to-stride noise.  The speed
change over the step and the gradient set the stance's net anteroposterior
impulse, the foot strike the impact, and the runner's shape parameters the
vertical curve (:func:`~grfkit.simulate.grf_model.design_stance`).  Where each
foot lands is added by the environment (:mod:`~grfkit.simulate.overground`,
:mod:`~grfkit.simulate.treadmill`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from grfkit.io.channels import FEET
from grfkit.simulate.grf_model import (
    GaitRelations,
    GrfShape,
    StanceForce,
    design_stance,
)
from grfkit.simulate.participants import Participant
from grfkit.simulate.plantar import CopPattern

__all__ = ["Contact", "generate_contacts"]


@dataclass
class Contact:
    """One foot contact of a simulated bout.

    Parameters
    ----------
    foot
        ``"left"`` or ``"right"``.
    start_s
        Lab time of the physical contact.
    step_time_s
        Time to the next contact of the other foot.
    speed_mps
        Running speed at mid-stance.
    speed_change_mps
        Speed change over the step.
    impact_velocity_change_mps, impact_half_time_s
        Impact parameters of the two-mass model.
    force
        The stance's ground reaction force (surface frame).
    cop
        The stance's centre-of-pressure pattern.
    heel_x_m, centre_y_m
        Lab x of the insole's heel end at contact and lab y of its long axis;
        set by the environment.
    track_heel_m
        Position of the heel along the running direction in the surface frame
        (distance along the path overground, belt coordinate on the
        treadmill); used for the foot's swing motion.
    on_runway
        Overground: the foot is on the plates' straight, pointing in +x.
    """

    foot: str
    start_s: float
    step_time_s: float
    speed_mps: float
    speed_change_mps: float
    impact_velocity_change_mps: float
    impact_half_time_s: float
    force: StanceForce
    cop: CopPattern
    heel_x_m: float = 0.0
    centre_y_m: float = 0.0
    track_heel_m: float = 0.0
    on_runway: bool = False

    @property
    def contact_time_s(self) -> float:
        """Physical contact duration."""
        return self.force.contact_time_s

    @property
    def end_s(self) -> float:
        """Lab time at which the foot leaves the ground."""
        return self.start_s + self.force.contact_time_s


def generate_contacts(
    participant: Participant,
    *,
    start_s: float,
    end_s: float,
    speed_at: Callable[[float], float],
    gradient_deg: float,
    rng: np.random.Generator,
    relations: GaitRelations = GaitRelations(),
    shape: GrfShape = GrfShape(),
) -> list[Contact]:
    """Generate alternating foot contacts from ``start_s`` until ``end_s``.

    Parameters
    ----------
    participant
        The runner.
    start_s, end_s
        Lab-time span to fill with contacts (the first contact is at
        ``start_s`` plus a random fraction of a step).
    speed_at
        Running speed (m/s) as a function of lab time.
    gradient_deg
        Surface incline (positive uphill).
    rng
        Random generator (which foot starts, stride-to-stride noise).
    relations, shape
        Speed relations and force shape constants.

    Returns
    -------
    list of Contact
        In time order, feet alternating; ``heel_x_m``/``centre_y_m`` are left
        at 0 for the environment to fill.
    """
    p = participant
    foot_index = int(rng.integers(2))
    t = start_s + float(rng.uniform(0.0, 0.35))
    contacts: list[Contact] = []
    while t < end_s:
        foot = FEET[foot_index]
        side = p.side_factor(foot)
        speed = float(speed_at(t))
        typical_tc = float(relations.contact_time_s(speed, p.height_m))
        typical_step = float(relations.step_time_s(speed, p.height_m, gradient_deg))
        tc = typical_tc * p.contact_time_factor * side * (1.0 + p.timing_cv * rng.normal())
        step = typical_step * p.step_time_factor * (1.0 + p.timing_cv * rng.normal())
        step = max(step, tc + relations.min_aerial_time_s)
        dv1, t1 = relations.impact_parameters(p.foot_strike, speed, gradient_deg)
        dv1 *= p.impact_factor * side * max(0.3, 1.0 + 1.5 * p.force_cv * rng.normal())
        t1 *= p.impact_time_factor * max(0.5, 1.0 + p.force_cv * rng.normal())
        mid_speed = float(speed_at(t + tc / 2))
        speed_change = float(speed_at(t + step)) - speed
        stride_shape = replace(
            shape,
            active_peak_stance_frac=float(np.clip(p.active_peak_frac + p.shape_sd_frac * rng.normal(), 0.33, 0.57)),
            active_sine_weight=p.active_sine_weight,
        )
        cop = p.cop_pattern.jittered(rng, ap_sd_frac=0.015, ml_sd_frac=0.02)
        force = design_stance(
            body_mass_kg=p.body_mass_kg,
            contact_time_s=tc,
            step_time_s=step,
            impact_velocity_change_mps=dv1,
            impact_half_time_s=t1,
            cop=cop,
            insole_length_m=p.insole_length_m,
            pivot_height_m=p.pivot_height_m * float(np.clip(1.0 + p.lever_cv * rng.normal(), 0.7, 1.3)),
            speed_mps=mid_speed,
            speed_change_mps=speed_change,
            gradient_deg=gradient_deg,
            medial_direction=-1.0 if foot == "left" else 1.0,
            shape=stride_shape,
        )
        contacts.append(
            Contact(
                foot=foot,
                start_s=t,
                step_time_s=step,
                speed_mps=mid_speed,
                speed_change_mps=speed_change,
                impact_velocity_change_mps=dv1,
                impact_half_time_s=t1,
                force=force,
                cop=cop,
            )
        )
        t += step
        foot_index = 1 - foot_index
    return contacts
