"""Initial contact and toe-off from the wearables alone: insole load, checked by the shoe IMU.

:func:`detect_wearable_stances` finds each foot's contacts where its summed
insole load crosses a relative threshold
(:func:`grfkit.preprocess.insole_contacts.detect_insole_contacts`, with the
threshold of :func:`grfkit.preprocess.events.load_levels` and the same
debounce rules as training: minimum contact and flight times, maximum
contact time).  On the foot that carries the IMU every contact must show an
impact transient (a jerk peak) near its initial contact.  Every contact that
cannot become a stance keeps its row, with the reason in ``reason``; the
settings live in :class:`WearableEventConfig`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grfkit.errors import LengthMismatchError, NoContactError
from grfkit.preprocess.config import ContactConfig
from grfkit.preprocess.insole_contacts import detect_insole_contacts
from grfkit.preprocess.segmentation import events_outside
from grfkit.preprocess.skip_reasons import (
    REASON_CUT,
    REASON_NO_IMPACT,
    REASON_SATURATED,
)

__all__ = [
    "EVENT_COLUMNS",
    "WearableEventConfig",
    "impact_jerk",
    "detect_wearable_stances",
]


#: Columns of the table :func:`detect_wearable_stances` returns.
EVENT_COLUMNS: tuple[str, ...] = (
    "foot",
    "ic_s",
    "to_s",
    "contact_time_s",
    "ic_index",
    "to_index",
    "complete",
    "peak",
    "impulse",
    "impact_jerk_ratio",
    "saturated_frac",
    "reason",
)


@dataclass(frozen=True)
class WearableEventConfig:
    """Settings of contact detection from insoles and shoe IMU.

    Parameters
    ----------
    threshold_fraction
        Insole load threshold as a fraction of the load's floor-to-top range
        (:func:`grfkit.preprocess.events.load_levels`, which keeps it at least
        5 noise standard deviations above the floor).  The training chain
        detects insole contacts at 0.05 only to match them to plates; here
        the insole sets the events, so the threshold is low: on the simulated
        cohort the initial contact is then within about a millisecond of the
        plate's 20 N crossing.  Lower (0.005) is closer still, but the
        insole's centre of pressure (:func:`grfkit.io.insole.insole_cop`,
        defined from 100 counts) is then missing at the ends of a light
        runner's stances.
    min_contact_s, min_flight_s, max_contact_s
        Debounce rules, as :class:`grfkit.preprocess.config.ContactConfig`:
        shorter excursions are noise, shorter dips are merged, a longer
        contact is an error.
    impact_before_s, impact_after_s
        The IMU impact is sought from this long before to this long after
        the insole's initial contact, seconds.
    min_impact_jerk_ratio
        Smallest accepted peak of the acceleration's jerk magnitude in that
        window, as a multiple of the median jerk over the recording
        (:func:`impact_jerk`).  A flat, detached or mistimed IMU (a window in
        the foot-flat phase) has none.  A coarse check: on the simulated
        cohort the weakest impacts (a forefoot striker's) reach about 2.5,
        windows in mid-stance or swing at most about 2.2.
    saturation_adc
        FSR count at saturation (12-bit converter: 4095).
    max_saturated_fraction
        Largest accepted fraction of a stance's samples during which some FSR
        of the foot is at ``saturation_adc``.
    """

    threshold_fraction: float = 0.01
    min_contact_s: float = 0.05
    min_flight_s: float = 0.01
    max_contact_s: float = 1.0
    impact_before_s: float = 0.01
    impact_after_s: float = 0.03
    min_impact_jerk_ratio: float = 2.0
    saturation_adc: float = 4095.0
    max_saturated_fraction: float = 0.1

    def contact_config(self) -> ContactConfig:
        """The :class:`grfkit.preprocess.config.ContactConfig` of the insole contact detection."""
        return ContactConfig(
            insole_threshold_fraction=self.threshold_fraction,
            min_contact_s=self.min_contact_s,
            min_flight_s=self.min_flight_s,
            max_contact_s=self.max_contact_s,
        )


def impact_jerk(imu_time_s: np.ndarray, acc_mps2: np.ndarray) -> np.ndarray:
    """Magnitude of the accelerometer's jerk, m/s³, one value per IMU sample.

    Parameters
    ----------
    imu_time_s
        IMU timestamps, seconds, strictly increasing.
    acc_mps2
        Accelerometer readings, shape ``(n, 3)``, m/s².

    Returns
    -------
    numpy.ndarray
        ``|a[k] - a[k-1]| / (t[k] - t[k-1])``; the first sample gets the second's value.

    Raises
    ------
    LengthMismatchError
        If times and readings differ in length, or there are fewer than two samples.

    Examples
    --------
    >>> impact_jerk(np.array([0.0, 0.5, 1.0]), np.array([[0, 0, 0], [0, 3, 4], [0, 3, 4]])).tolist()
    [10.0, 10.0, 0.0]
    """
    t = np.asarray(imu_time_s, dtype=float)
    a = np.asarray(acc_mps2, dtype=float).reshape(len(acc_mps2), -1)
    if len(t) != len(a) or len(t) < 2:
        raise LengthMismatchError(
            f"{len(t)} IMU timestamps for {len(a)} accelerometer samples (need >= 2)"
        )
    jerk = np.linalg.norm(np.diff(a, axis=0), axis=1) / np.diff(t)
    return np.r_[jerk[:1], jerk]


def _impact_ratios(
    ic_s: np.ndarray, imu_time_s: np.ndarray, jerk: np.ndarray, config: WearableEventConfig
) -> np.ndarray:
    """Peak jerk near each initial contact over the median jerk (NaN: no IMU samples there)."""
    lo = np.searchsorted(imu_time_s, ic_s - config.impact_before_s, side="left")
    hi = np.searchsorted(imu_time_s, ic_s + config.impact_after_s, side="right")
    typical = float(np.median(jerk))
    ratios = np.full(len(ic_s), np.nan)
    for k, (a, b) in enumerate(zip(lo, hi, strict=True)):
        if b > a:
            peak = float(jerk[a:b].max())
            ratios[k] = peak / typical if typical > 0 else (np.inf if peak > 0 else 0.0)
    return ratios


def _saturated_fractions(
    insole_time_s: np.ndarray,
    fsr: np.ndarray,
    ic_index: np.ndarray,
    to_index: np.ndarray,
    saturation_adc: float,
) -> np.ndarray:
    """Fraction of each contact's samples at which some FSR reads ``saturation_adc`` or more."""
    at_top = (np.asarray(fsr) >= saturation_adc).any(axis=1)
    counts = np.r_[0, np.cumsum(at_top)]
    out = np.zeros(len(ic_index))
    ok = (ic_index >= 0) & (to_index >= ic_index)
    first, last = ic_index[ok], to_index[ok]
    out[ok] = (counts[last + 1] - counts[first]) / (last - first + 1)
    return out


def detect_wearable_stances(
    insole_time_s: np.ndarray,
    loads: Mapping[str, np.ndarray],
    *,
    insole_rate_hz: float,
    imu_time_s: np.ndarray | None = None,
    imu_acc_mps2: np.ndarray | None = None,
    imu_foot: str = "left",
    fsr: Mapping[str, np.ndarray] | None = None,
    config: WearableEventConfig = WearableEventConfig(),
    name: str = "bout",
) -> pd.DataFrame:
    """Contacts of each foot from its insole load, checked against the shoe IMU.

    Parameters
    ----------
    insole_time_s
        Insole timestamps (insole clock), seconds.
    loads
        Foot -> summed FSR load (:func:`grfkit.preprocess.insole_contacts.insole_loads`).
    insole_rate_hz
        Nominal insole sampling rate, hertz.
    imu_time_s, imu_acc_mps2
        Timestamps (insole clock) and accelerometer readings ``(n, 3)`` of
        the IMU on ``imu_foot``; ``None``: no IMU, no check.
    imu_foot
        The foot that carries the IMU.
    fsr
        Foot -> its FSR channels as ``(n, 16)`` counts, for the saturation
        check; ``None`` skips the check.
    config
        Detection settings.
    name
        The bout, named in errors (e.g. ``"overground/OG01/medium"``).

    Returns
    -------
    pandas.DataFrame
        One row per contact, sorted by initial contact, columns
        :data:`EVENT_COLUMNS`: the contact columns of
        :data:`grfkit.preprocess.events.CONTACT_COLUMNS` (times on the insole
        clock), ``contact_time_s``, ``impact_jerk_ratio`` (NaN on the foot
        without IMU), ``saturated_frac`` and ``reason``: ``""`` for a stance,
        else why not (:data:`grfkit.preprocess.skip_reasons.REASON_CUT`,
        :data:`grfkit.preprocess.skip_reasons.REASON_OUTSIDE_SIGNAL` where the
        IMU does not cover the stance, :data:`~grfkit.preprocess.skip_reasons.REASON_NO_IMPACT`,
        :data:`~grfkit.preprocess.skip_reasons.REASON_SATURATED`; several joined with ``"; "``).

    Raises
    ------
    NoContactError
        If a foot's load has no contact, naming the bout and the foot's channels.
    DropoutError, UnendedContactError, LengthMismatchError
        As :func:`grfkit.preprocess.insole_contacts.detect_insole_contacts`.
    """
    try:
        table = detect_insole_contacts(
            insole_time_s, loads, insole_rate_hz, config=config.contact_config()
        )
    except NoContactError as error:
        raise NoContactError(
            f"[bout {name}] no contacts in the insole load: {error}", channel=error.channel
        ) from None
    for foot in loads:
        if not (table["foot"] == foot).any():
            raise NoContactError(
                f"[bout {name}] no contacts in the insole load", channel=f"{foot}_fsr*_adc (sum)"
            )
    table["contact_time_s"] = table["to_s"] - table["ic_s"]
    # NumPy columns: pandas indexing per call costs more than the arithmetic on a bout's contacts.
    feet, complete = table["foot"].to_numpy(), table["complete"].to_numpy(dtype=bool)
    ic_s, to_s = table["ic_s"].to_numpy(dtype=float), table["to_s"].to_numpy(dtype=float)
    reasons = [np.where(complete, "", REASON_CUT)]
    ratio = np.full(len(table), np.nan)
    if imu_time_s is not None and imu_acc_mps2 is not None:
        on_imu = feet == imu_foot
        t = np.asarray(imu_time_s, dtype=float)
        outside = events_outside(t, {"ic_s": ic_s[on_imu], "to_s": to_s[on_imu]}).to_numpy(
            dtype=object, copy=True
        )
        outside[~complete[on_imu]] = ""  # already cut
        reason = np.full(len(table), "", dtype=object)
        reason[on_imu] = outside
        reasons.append(reason)
        ratio[on_imu] = _impact_ratios(ic_s[on_imu], t, impact_jerk(t, imu_acc_mps2), config)
        no_impact = on_imu & (reason == "") & complete & ~(ratio >= config.min_impact_jerk_ratio)
        reasons.append(np.where(no_impact, REASON_NO_IMPACT, ""))
    saturated = np.zeros(len(table))
    if fsr is not None:
        ic_index, to_index = table["ic_index"].to_numpy(), table["to_index"].to_numpy()
        for foot, channels in fsr.items():
            rows = feet == foot
            saturated[rows] = _saturated_fractions(
                np.asarray(insole_time_s),
                channels,
                ic_index[rows],
                to_index[rows],
                config.saturation_adc,
            )
        reasons.append(np.where(saturated > config.max_saturated_fraction, REASON_SATURATED, ""))
    table["impact_jerk_ratio"] = ratio
    table["saturated_frac"] = saturated
    table["reason"] = ["; ".join(r for r in parts if r) for parts in zip(*reasons, strict=True)]
    return table.loc[:, list(EVENT_COLUMNS)]
