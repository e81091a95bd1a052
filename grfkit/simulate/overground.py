"""Overground bouts: running loops around the lab across four floor plates.

Four force plates lie in a row in the middle of a straight runway
(:class:`~grfkit.simulate.lab.LabLayout`); the runner loops around the lab,
slowing into each turn and running at a nearly steady speed over the plates.  Where the feet land
follows from the step lengths, so only some contacts land cleanly on one
plate; others straddle two plates or cross an edge.  Floor plates are stiff
and quiet (small white noise and zero offsets); a waist marker is recorded
inside the capture volume.  Force and marker are on the lab clock, the
wearables on the insole clock.  Each difference from the treadmill is a
parameter of :class:`OvergroundConfig`; :func:`simulate_overground_bout`
records one bout.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.interpolate import PchipInterpolator

from grfkit.errors import ConfigError
from grfkit.io.channels import MARKER_CHANNELS, plate_channels
from grfkit.io.insole import plantar_weights
from grfkit.io.schema import BoutInfo, Plate, RawBout
from grfkit.simulate.clocks import ClockModel, InsoleClock, sample_bout_window
from grfkit.simulate.gait import Contact, generate_contacts
from grfkit.simulate.grf_model import GaitRelations, GrfShape
from grfkit.simulate.imu import ImuConfig
from grfkit.simulate.lab import LabLayout
from grfkit.simulate.participants import Participant
from grfkit.simulate.plantar import (
    Footprint,
    classify_footprint,
    cop_trajectory,
    plate_load_split,
)
from grfkit.simulate.seeds import child_rng
from grfkit.simulate.truth import (
    coarse_times,
    event_times,
    force_truth,
    stance_events,
    stance_table,
)
from grfkit.simulate.wearables import (
    InsoleConfig,
    imu_table,
    insole_table,
    quantise,
    sample_times,
)

__all__ = ["OvergroundConfig", "simulate_overground_bout"]


@dataclass(frozen=True)
class OvergroundConfig:
    """Parameters of overground bouts.

    Parameters
    ----------
    layout
        Lab geometry.
    turn_speed_ratio
        Speed in the turns as a fraction of the straight-line speed.
    max_turn_lateral_acc_mps2
        Upper bound of ``v**2 / R`` in the turns (caps the turn speed).
    ramp_length_m
        Distance over which the runner speeds up after and slows down before a turn.
    speed_fluctuation_cv, speed_fluctuation_time_s
        Relative size and correlation time of the random speed fluctuation.
    lap_lateral_sd_m
        Spread of the runner's line from lap to lap.
    step_width_sd_m, fore_aft_sd_m
        Stride-to-stride scatter of where each foot lands (across and along).
    plate_noise_sd_n, plate_shear_noise_sd_n
        White noise of the vertical and horizontal plate channels.
    plate_offset_sd_n
        Spread of the constant zero offset of each plate channel.
    cop_moment_noise_nm
        Moment noise; the COP noise is this divided by the vertical force.
    cop_threshold_n
        Below this measured vertical force the COP is NaN.
    force_resolution_n, cop_resolution_m
        Resolution of the recorded forces and COP (amplifier and converter).
    force_rate_hz, marker_rate_hz
        Sampling rates of force plates and motion capture (lab clock).
    marker_noise_sd_m
        Noise of the waist marker position.
    vertical_oscillation_m
        Peak-to-peak vertical excursion of the waist over a step.
    lateral_sway_m
        Sideways excursion of the waist towards the stance foot.
    clock
        Insole clock model.
    insole, imu
        Wearable sensor parameters.
    relations, shape
        Running mechanics.
    """

    layout: LabLayout = field(default_factory=LabLayout)
    turn_speed_ratio: float = 0.85
    max_turn_lateral_acc_mps2: float = 6.0
    ramp_length_m: float = 2.5
    speed_fluctuation_cv: float = 0.015
    speed_fluctuation_time_s: float = 1.5
    lap_lateral_sd_m: float = 0.06
    step_width_sd_m: float = 0.02
    fore_aft_sd_m: float = 0.02
    plate_noise_sd_n: float = 1.5
    plate_shear_noise_sd_n: float = 1.0
    plate_offset_sd_n: float = 2.0
    cop_moment_noise_nm: float = 0.3
    cop_threshold_n: float = 10.0
    force_resolution_n: float = 0.1
    cop_resolution_m: float = 0.0001
    force_rate_hz: float = 1000.0
    marker_rate_hz: float = 200.0
    marker_noise_sd_m: float = 0.0005
    vertical_oscillation_m: float = 0.07
    lateral_sway_m: float = 0.015
    clock: ClockModel = field(default_factory=ClockModel)
    insole: InsoleConfig = field(default_factory=InsoleConfig)
    imu: ImuConfig = field(default_factory=ImuConfig)
    relations: GaitRelations = field(default_factory=GaitRelations)
    shape: GrfShape = field(default_factory=GrfShape)

    def __post_init__(self) -> None:
        plates = self.layout.plates()
        start, end = self.layout.steady_section_m(self.ramp_length_m)
        if plates[0].x_min_m < start or plates[-1].x_max_m > end:
            raise ConfigError(
                f"the plate row ({plates[0].x_min_m:.2f} to {plates[-1].x_max_m:.2f} m) must lie in the "
                f"steady-speed section of the runway ({start:.2f} to {end:.2f} m); shorten ramp_length_m"
            )


@dataclass(frozen=True)
class _Path:
    """The runner's progress around the loop on a fine time grid."""

    time_s: np.ndarray
    distance_m: np.ndarray
    speed_mps: np.ndarray
    lap_offsets_m: np.ndarray

    def speed_at(self, t: float) -> float:
        return float(np.interp(t, self.time_s, self.speed_mps))

    def distance_at(self, t: np.ndarray | float) -> np.ndarray:
        return np.interp(t, self.time_s, self.distance_m)


def _lateral_offset(distance_m: np.ndarray, lap_offsets_m: np.ndarray, layout: LabLayout) -> np.ndarray:
    """Runner's line offset (left of the path), cosine-interpolated between lap values.

    Lap ``k``'s value holds at the middle of the runway straight of lap ``k``.
    """
    u = (np.asarray(distance_m) - layout.straight_length_m / 2) / layout.loop_length_m
    k = np.clip(np.floor(u).astype(int), 0, lap_offsets_m.size - 2)
    frac = np.clip(u - k, 0.0, 1.0)
    w = 0.5 - 0.5 * np.cos(np.pi * frac)
    return (1 - w) * lap_offsets_m[k] + w * lap_offsets_m[k + 1]


def _runner_path(
    target_speed_mps: float, start_s: float, end_s: float, config: OvergroundConfig, rng: np.random.Generator
) -> _Path:
    """Integrate the runner's distance around the loop with the speed profile and fluctuation."""
    layout = config.layout
    dt = 0.01
    t = np.arange(start_s, end_s + 2 * dt, dt)
    turn_speed = min(
        config.turn_speed_ratio * target_speed_mps,
        float(np.sqrt(config.max_turn_lateral_acc_mps2 * layout.turn_radius_m)),
    )
    # Target speed around one lap, tabulated every centimetre.
    step_m = 0.01
    lap = np.arange(0.0, layout.loop_length_m + step_m, step_m)
    ramp = np.clip(layout.turn_distance_m(lap) / config.ramp_length_m, 0.0, 1.0)
    profile = (turn_speed + (target_speed_mps - turn_speed) * ramp * ramp * (3 - 2 * ramp)).tolist()
    # Ornstein-Uhlenbeck relative speed fluctuation.
    decay = float(np.exp(-dt / config.speed_fluctuation_time_s))
    shocks = rng.normal(0.0, config.speed_fluctuation_cv * np.sqrt(1 - decay**2), t.size).tolist()
    loop = layout.loop_length_m
    # Start somewhere on the lap; one lap added so that lap indices (offset table) are never negative.
    s = float(rng.uniform(0.0, loop)) + loop
    f = float(rng.normal(0.0, config.speed_fluctuation_cv))
    distance = [0.0] * t.size
    speed = [0.0] * t.size
    for i in range(t.size):
        v = profile[int((s % loop) / step_m)] * (1.0 + f)
        distance[i], speed[i] = s, v
        s += v * dt
        f = decay * f + shocks[i]
    n_laps = int(distance[-1] // loop) + 3
    offsets = rng.normal(0.0, config.lap_lateral_sd_m, n_laps)
    return _Path(time_s=t, distance_m=np.array(distance), speed_mps=np.array(speed), lap_offsets_m=offsets)


def _place_feet(
    contacts: list[Contact], path: _Path, participant: Participant, config: OvergroundConfig, rng: np.random.Generator
) -> None:
    """Set where each foot lands: under the waist at mid-stance, beside the runner's line."""
    layout = config.layout
    length = participant.insole_length_m
    mid = np.array([c.start_s + c.contact_time_s / 2 for c in contacts])
    distance = path.distance_at(mid)
    x, y, heading = layout.position(distance)
    offset = _lateral_offset(distance, path.lap_offsets_m, layout)
    for i, contact in enumerate(contacts):
        side = 1.0 if contact.foot == "left" else -1.0
        along = float(rng.normal(0.0, config.fore_aft_sd_m)) - length / 2
        across = offset[i] + side * participant.step_width_m / 2 + float(rng.normal(0.0, config.step_width_sd_m))
        contact.track_heel_m = float(distance[i]) + along
        contact.heel_x_m = float(x[i] + along * np.cos(heading[i]) - across * np.sin(heading[i]))
        contact.centre_y_m = float(y[i] + along * np.sin(heading[i]) + across * np.cos(heading[i]))
        contact.on_runway = bool(np.mod(distance[i], layout.loop_length_m) < layout.straight_length_m)


def _footprint(contact: Contact, participant: Participant) -> Footprint:
    return Footprint(
        heel_x_m=contact.heel_x_m,
        centre_y_m=contact.centre_y_m,
        length_m=participant.insole_length_m,
        width_m=participant.insole_width_m,
        lateral_sign=1.0 if contact.foot == "left" else -1.0,
    )


def _plate_contacts(
    contacts: list[Contact], participant: Participant, plates: tuple[Plate, ...]
) -> list[tuple[Contact, Footprint, list[str], str]]:
    """Contacts whose footprint touches a plate, with the plates touched and the reason."""
    out = []
    for contact in contacts:
        if not contact.on_runway:
            continue
        footprint = _footprint(contact, participant)
        touched, reason = classify_footprint(footprint, plates)
        if touched:
            out.append((contact, footprint, touched, reason))
    return out


def _plate_share(contact: Contact, footprint: Footprint, plates: tuple[Plate, ...], tau_s: np.ndarray) -> np.ndarray:
    """Fraction of the contact's load on each plate at times after contact, shape (n, n_plates)."""
    ap, ml = cop_trajectory(tau_s / contact.contact_time_s, contact.cop)
    return plate_load_split(plantar_weights(ap, ml), footprint, plates)[0]


def _true_plate_forces(
    time_s: np.ndarray, plate_contacts: list[tuple[Contact, Footprint, list[str], str]], plates: tuple[Plate, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Noise-free plate forces (n, n_plates) and moment-weighted COP sums."""
    n, m = time_s.size, len(plates)
    fx, fy, fz, mx, my = (np.zeros((n, m)) for _ in range(5))
    for contact, footprint, _, _ in plate_contacts:
        lo = np.searchsorted(time_s, contact.start_s, side="left")
        hi = np.searchsorted(time_s, contact.end_s, side="right")
        if lo == hi:
            continue
        tau = time_s[lo:hi] - contact.start_s
        normal, along, across = contact.force.evaluate(tau)
        ap, ml = cop_trajectory(tau / contact.contact_time_s, contact.cop)
        share, cop_x, cop_y = plate_load_split(plantar_weights(ap, ml), footprint, plates)
        load = share * normal[:, None]
        fz[lo:hi] += load
        fx[lo:hi] += share * along[:, None]
        fy[lo:hi] += share * across[:, None]
        mx[lo:hi] += np.nan_to_num(cop_x) * load
        my[lo:hi] += np.nan_to_num(cop_y) * load
    return fx, fy, fz, mx, my


def _force_table(
    time_s: np.ndarray,
    plate_contacts: list[tuple[Contact, Footprint, list[str], str]],
    plates: tuple[Plate, ...],
    config: OvergroundConfig,
    rng: np.random.Generator,
) -> pd.DataFrame:
    fx, fy, fz, mx, my = _true_plate_forces(time_s, plate_contacts, plates)
    n = fz.shape[0]
    columns: dict[str, np.ndarray] = {"time_s": time_s}
    for j, plate in enumerate(plates):
        offsets = rng.normal(0.0, config.plate_offset_sd_n, 3)
        meas_fx = fx[:, j] + offsets[0] + rng.normal(0.0, config.plate_shear_noise_sd_n, n)
        meas_fy = fy[:, j] + offsets[1] + rng.normal(0.0, config.plate_shear_noise_sd_n, n)
        meas_fz = fz[:, j] + offsets[2] + rng.normal(0.0, config.plate_noise_sd_n, n)
        loaded = fz[:, j] > 0
        safe = np.where(loaded, fz[:, j], 1.0)
        true_x = np.where(loaded, mx[:, j] / safe, (plate.x_min_m + plate.x_max_m) / 2)
        true_y = np.where(loaded, my[:, j] / safe, (plate.y_min_m + plate.y_max_m) / 2)
        valid = meas_fz >= config.cop_threshold_n
        cop_sd = config.cop_moment_noise_nm / np.maximum(np.abs(meas_fz), config.cop_threshold_n)
        cop_x = np.where(valid, true_x + rng.normal(size=n) * cop_sd, np.nan)
        cop_y = np.where(valid, true_y + rng.normal(size=n) * cop_sd, np.nan)
        forces = (quantise(v, config.force_resolution_n) for v in (meas_fx, meas_fy, meas_fz))
        cops = (quantise(v, config.cop_resolution_m) for v in (cop_x, cop_y))
        for name, values in zip(plate_channels(plate.name), (*forces, *cops), strict=True):
            columns[name] = values.astype(np.float32)
    return pd.DataFrame(columns)


def _marker_table(
    time_s: np.ndarray,
    path: _Path,
    contacts: list[Contact],
    participant: Participant,
    config: OvergroundConfig,
    rng: np.random.Generator,
) -> pd.DataFrame:
    layout = config.layout
    distance = path.distance_at(time_s)
    x, y, heading = layout.position(distance)
    offset = _lateral_offset(distance, path.lap_offsets_m, layout)
    mid = np.array([c.start_s + c.contact_time_s / 2 for c in contacts])
    side = np.array([1.0 if c.foot == "left" else -1.0 for c in contacts])
    # Waist lowest at mid-stance, highest mid-flight; sways towards the stance foot.
    knots = np.concatenate([mid, (mid[:-1] + mid[1:]) / 2])
    order = np.argsort(knots)
    half = config.vertical_oscillation_m / 2
    height = np.concatenate([np.full(mid.size, -half), np.full(mid.size - 1, half)])[order]
    vertical = PchipInterpolator(knots[order], height, extrapolate=True)(time_s)
    sway = PchipInterpolator(mid, side * config.lateral_sway_m, extrapolate=True)(time_s)
    lateral = offset + sway
    wx = x - lateral * np.sin(heading) + rng.normal(0.0, config.marker_noise_sd_m, time_s.size)
    wy = y + lateral * np.cos(heading) + rng.normal(0.0, config.marker_noise_sd_m, time_s.size)
    wz = participant.waist_height_m + vertical + rng.normal(0.0, config.marker_noise_sd_m, time_s.size)
    visible = (
        (wx >= layout.capture_x_m[0])
        & (wx <= layout.capture_x_m[1])
        & (wy >= layout.capture_y_m[0])
        & (wy <= layout.capture_y_m[1])
    )
    values = np.where(visible[:, None], np.stack([wx, wy, wz], axis=1), np.nan).astype(np.float32)
    return pd.DataFrame({"time_s": time_s, **{name: values[:, j] for j, name in enumerate(MARKER_CHANNELS)}})


def _truth_rows(
    contacts: list[Contact],
    plate_contacts: list[tuple[Contact, Footprint, list[str], str]],
    participant: Participant,
    bout: str,
    plates: tuple[Plate, ...],
    duration_s: float,
    insole_span_s: tuple[float, float],
) -> list[dict[str, object]]:
    on_plates = {id(c): (fp, touched, reason) for c, fp, touched, reason in plate_contacts}
    names = [p.name for p in plates]
    recorded = [c for c in contacts if c.start_s >= 0 and c.end_s <= duration_s]
    # Whole-force events for every contact; replaced below for contacts split between plate and floor.
    ic_all, to_all = stance_events([c.force for c in recorded], np.array([c.start_s for c in recorded]))
    rows = []
    for contact, ic, to in zip(recorded, ic_all, to_all, strict=True):
        plate, reason, fraction = "", "off_plate", 0.0
        if id(contact) in on_plates:
            footprint, _, reason = on_plates[id(contact)]
            tau = coarse_times(contact.contact_time_s)
            normal = contact.force.evaluate(tau)[0]
            share = _plate_share(contact, footprint, plates, tau)
            impulse = np.trapezoid(share * normal[:, None], tau, axis=0)
            main = int(np.argmax(impulse))
            plate = names[main]
            fraction = float(impulse[main] / np.trapezoid(normal, tau))
            if reason:

                def plate_force(
                    tau: np.ndarray, contact: Contact = contact, footprint: Footprint = footprint, main: int = main
                ) -> np.ndarray:
                    return _plate_share(contact, footprint, plates, tau)[:, main] * contact.force.evaluate(tau)[0]

                ic, to = event_times(plate_force, contact.contact_time_s, contact.start_s)
        rows.append(
            {
                "dataset": participant.dataset,
                "participant": participant.participant,
                "bout": bout,
                "foot": contact.foot,
                "plate": plate,
                "ic_s": float(ic),
                "to_s": float(to),
                "contact_start_s": contact.start_s,
                "contact_end_s": contact.end_s,
                "clean": reason == "",
                "speed_mps": contact.speed_mps,
                "reason": reason,
                "plate_impulse_fraction": fraction,
                "insole_recorded": insole_span_s[0] <= contact.start_s and contact.end_s <= insole_span_s[1],
                "contact_time_s": contact.contact_time_s,
                **force_truth(contact.force, participant.body_mass_kg),
            }
        )
    return rows


def simulate_overground_bout(
    participant: Participant,
    bout: str,
    *,
    duration_s: float,
    seed: int,
    config: OvergroundConfig = OvergroundConfig(),
) -> tuple[RawBout, pd.DataFrame, InsoleClock]:
    """Simulate one overground bout.

    Parameters
    ----------
    participant
        The runner (an overground participant).
    bout
        Speed class, ``"slow"``, ``"medium"`` or ``"fast"`` (a key of
        ``participant.speeds_mps``); also the bout id and condition.
    duration_s
        Length of the lab recording (force and marker).
    seed
        Cohort seed; the bout draws from generators keyed by data set,
        participant and bout.
    config
        Lab and measurement parameters.

    Returns
    -------
    raw : RawBout
        Insole and IMU tables (insole clock), force and marker tables (lab clock).
    stances : pandas.DataFrame
        Truth of every contact completed within the lab recording
        (:func:`grfkit.simulate.truth.stance_table`).
    clock : InsoleClock
        The true insole clock.

    Raises
    ------
    KeyError
        If ``bout`` is not one of the participant's speed classes.
    """
    keys = (seed, participant.dataset, participant.participant, bout)
    target_speed = participant.speeds_mps[bout]
    window = sample_bout_window(keys, duration_s, config.clock)
    clock, start, end = window.clock, window.start_s, window.end_s
    insole_duration, insole_end_lab = window.insole_duration_s, window.insole_end_lab_s
    gait_rng = child_rng(*keys, "gait")
    path = _runner_path(target_speed, start, end, config, gait_rng)
    contacts = generate_contacts(
        participant,
        start_s=start + 0.5,
        end_s=end - 0.5,
        speed_at=path.speed_at,
        gradient_deg=0.0,
        rng=gait_rng,
        relations=config.relations,
        shape=config.shape,
    )
    _place_feet(contacts, path, participant, config, gait_rng)
    plates = config.layout.plates()
    plate_contacts = _plate_contacts(contacts, participant, plates)
    noise = child_rng(*keys, "measurement")
    force_time = sample_times(duration_s, config.force_rate_hz)
    marker_time = sample_times(duration_s, config.marker_rate_hz)
    insole_time = sample_times(insole_duration, config.insole.rate_hz)
    imu_time = sample_times(insole_duration, config.imu.rate_hz)
    info = BoutInfo(
        dataset=participant.dataset,
        participant=participant.participant,
        bout=bout,
        condition=bout,
        environment="overground",
        plates=plates,
        gradient_deg=0.0,
        belt_speed_mps=None,
        insole_rate_hz=config.insole.rate_hz,
        imu_rate_hz=config.imu.rate_hz,
        force_rate_hz=config.force_rate_hz,
        marker_rate_hz=config.marker_rate_hz,
    )
    raw = RawBout(
        info=info,
        insole=insole_table(insole_time, clock, contacts, participant, config=config.insole, rng=noise),
        imu=imu_table(imu_time, clock, contacts, participant, gradient_deg=0.0, config=config.imu, rng=noise),
        force=_force_table(force_time, plate_contacts, plates, config, noise),
        marker=_marker_table(marker_time, path, contacts, participant, config, noise),
    )
    rows = _truth_rows(
        contacts, plate_contacts, participant, bout, plates, duration_s, (clock.clock_offset_s, insole_end_lab)
    )
    return raw, stance_table(rows), clock
