"""The settings of each preprocessing step, and of the whole chain, as frozen dataclasses.

One small config per step (:class:`SyncConfig`, :class:`ContactConfig`,
:class:`FilterConfig`, :class:`SpeedConfig`, :class:`SegmentConfig`), each
the one home of that step's parameters, and :class:`PreprocessConfig`, which
holds one of each plus the chain's own choices (output rate, foot, checks).
The step functions take their config as one argument; the defaults follow
the study (20 N contacts, 20 Hz force filter, 101 points per stance).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grfkit.constants import CONTACT_THRESHOLD_N, FORCE_CUTOFF_HZ, N_POINTS

__all__ = [
    "ContactConfig",
    "FilterConfig",
    "PASS_GAP_S",
    "PreprocessConfig",
    "SPEED_TOLERANCE_FRACTION",
    "SegmentConfig",
    "SpeedConfig",
    "SyncConfig",
]

#: Largest accepted relative deviation of a pass's speed from the target speed (±5 %).
SPEED_TOLERANCE_FRACTION: float = 0.05
#: Plate contacts (first sample to last) closer in time than this belong to one pass, seconds.  A pass
#: over a plate row lasts about a second; a runner needs far longer to leave the runway and come back.
PASS_GAP_S: float = 2.0


@dataclass(frozen=True)
class SyncConfig:
    """Settings of the clock synchronisation (:func:`grfkit.preprocess.synchronisation.synchronise_clocks`).

    Parameters
    ----------
    threshold_n
        Force threshold for the lab contact onsets, newtons.
    insole_threshold_fraction
        Relative threshold for the insole onsets (fraction of the load range).
    max_offset_s
        Largest offset searched, seconds (offset at the insole's first sample).
    max_drift_ppm
        Largest clock drift searched, ppm.
    kernel_s
        Standard deviation of the Gaussian onset kernel, seconds: larger than
        the onset timing noise, smaller than the step-time variability.
    exclusion_fraction
        Half-width of the zone around the best correlation peak, as a fraction
        of the median step period, outside which the second peak is sought.
    min_peak_ratio
        Smallest accepted ratio of the best to the second peak.
    min_match_fraction
        Smallest accepted correlation peak (fraction of lab onsets matched).
    min_drift_span_s
        Smallest insole-time span of the paired onsets for which the drift is fitted.
    """

    threshold_n: float = CONTACT_THRESHOLD_N
    insole_threshold_fraction: float = 0.005
    max_offset_s: float = 30.0
    max_drift_ppm: float = 100.0
    kernel_s: float = 0.003
    exclusion_fraction: float = 0.5
    min_peak_ratio: float = 1.25
    min_match_fraction: float = 0.5
    min_drift_span_s: float = 10.0


@dataclass(frozen=True)
class ContactConfig:
    """Settings of contact detection on insoles and plates and of the clean-contact rules.

    Used by :func:`grfkit.preprocess.insole_contacts.detect_insole_contacts`
    and :func:`grfkit.preprocess.plate_contacts.classify_plate_contacts`.

    Parameters
    ----------
    threshold_n
        Plate contact threshold, newtons (the study: 20 N).
    insole_threshold_fraction
        Insole contact threshold, fraction of the load's floor-to-top range
        (:func:`grfkit.preprocess.events.load_levels`).
    min_contact_s
        Excursions above threshold shorter than this are noise, not contacts.
    min_flight_s
        Dips below threshold shorter than this are merged into one contact.
    max_contact_s
        A contact lasting longer is an error (a stuck channel).
    detection_cutoff_hz
        Optional zero-lag low-pass cutoff of the force the plate contacts are
        detected on, hertz; ``None`` detects on the raw force.
    remove_offset
        Subtract each plate's zero offset first
        (:func:`grfkit.preprocess.events.unloaded_level`).
    edge_margin_m
        Smallest distance of the plate centre of pressure from the plate's
        edge for a clean contact, metres.
    cop_min_fraction
        The COP is checked where the force is at least this fraction of the
        contact's peak.
    duration_tolerance_s
        Largest disagreement of plate and insole IC (and TO), after removing
        their median difference, for a clean contact, seconds.
    min_load_ratio
        Smallest accepted plate-over-insole impulse ratio, relative to its
        median over the bout's contacts of that foot.
    """

    threshold_n: float = CONTACT_THRESHOLD_N
    insole_threshold_fraction: float = 0.05
    min_contact_s: float = 0.05
    min_flight_s: float = 0.01
    max_contact_s: float = 1.0
    detection_cutoff_hz: float | None = None
    remove_offset: bool = True
    edge_margin_m: float = 0.02
    cop_min_fraction: float = 0.1
    duration_tolerance_s: float = 0.005
    min_load_ratio: float = 0.92


@dataclass(frozen=True)
class FilterConfig:
    """Settings of the force filter (:func:`grfkit.preprocess.filtering.lowpass_zero_lag`).

    Parameters
    ----------
    cutoff_hz
        -3 dB frequency of the zero-lag (two-pass, corrected) low-pass, hertz (the study: 20 Hz).
    order
        Butterworth order of one pass (the zero-lag filter doubles it).
    """

    cutoff_hz: float = FORCE_CUTOFF_HZ
    order: int = 2


@dataclass(frozen=True)
class SpeedConfig:
    """Settings of the running speed from the waist marker (:mod:`grfkit.preprocess.speed`).

    Parameters
    ----------
    window_s
        Length of the window centred on a stance over which the waist speed
        is averaged, seconds (about one step period); a pass's speed window
        is widened by it.
    tolerance_fraction
        Passes whose speed deviates from the target by more than this
        fraction are discarded; ``None`` keeps every pass.
    pass_gap_s
        Plate contacts closer in time than this belong to one pass, seconds.
    cutoff_hz
        -3 dB frequency of the zero-lag low-pass of the marker position, hertz.
    min_run_s
        Stretches of finite marker samples shorter than this get no speed, seconds.
    """

    window_s: float = 0.35
    tolerance_fraction: float | None = SPEED_TOLERANCE_FRACTION
    pass_gap_s: float = PASS_GAP_S
    cutoff_hz: float = 6.0
    min_run_s: float = 0.1


@dataclass(frozen=True)
class SegmentConfig:
    """Settings of segmentation (:func:`grfkit.preprocess.segmentation.segment_stances`).

    Parameters
    ----------
    n_points
        Points per time-normalised stance (the study: 101, 0 to 100 % of stance).
    """

    n_points: int = N_POINTS


@dataclass(frozen=True)
class PreprocessConfig:
    """Settings of the whole preprocessing chain (defaults follow the study).

    Parameters
    ----------
    sampling_rate_hz
        Common rate of insole, IMU and force after resampling, hertz.
    foot
        Foot whose stances are kept (the study: left, where the IMU is).
    foot_outline
        Overground, reject contacts whose foot outline, estimated from the
        plate's centre-of-pressure path and the participant's insole size,
        is not inside the plate
        (:func:`grfkit.preprocess.plate_contacts.foot_outline`).
    force_to_weight_range
        Accepted range of the bout's measured vertical force over the
        participant's body weight
        (:func:`grfkit.preprocess.checks.force_to_weight`); outside it
        the bout fails with :class:`~grfkit.errors.UnitError`.  ``None``
        turns the check off.
    sync, contacts, filter, speed, segment
        The settings of each step.
    """

    sampling_rate_hz: float = 1000.0
    foot: str = "left"
    foot_outline: bool = True
    force_to_weight_range: tuple[float, float] | None = (0.8, 1.25)
    sync: SyncConfig = field(default_factory=SyncConfig)
    contacts: ContactConfig = field(default_factory=ContactConfig)
    filter: FilterConfig = field(default_factory=FilterConfig)
    speed: SpeedConfig = field(default_factory=SpeedConfig)
    segment: SegmentConfig = field(default_factory=SegmentConfig)
