"""Plausibility checks of a bout before its stances are kept: units, sensor saturation, insole size.

:func:`force_to_weight` compares the vertical impulse over whole steps with
body weight (about 1 in the format's units; force in kgf gives 0.10, a body
mass in pounds 0.45), and :func:`check_force_to_weight` turns a ratio off
the accepted range into a :class:`~grfkit.errors.UnitError` that names the
likely unit slip.  :func:`raise_if_saturated` explains an insole contact
that never ends by a saturated FSR channel; :func:`insole_size` reads and
checks the participant's insole size.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from grfkit.constants import GRAVITY_MPS2
from grfkit.errors import ConfigError, SensorFaultError, UnendedContactError, UnitError
from grfkit.io.channels import fsr_channels

if TYPE_CHECKING:
    from grfkit.io.rawdata import BoutInfo

__all__ = ["FSR_SATURATION_ADC", "check_force_to_weight", "force_to_weight", "insole_size", "raise_if_saturated"]


def insole_size(participant: Mapping[str, object], where: str) -> tuple[float, float | None]:
    """The participant's insole length and width, checked.

    Parameters
    ----------
    participant
        The participant's row of ``participants.csv`` (``insole_length_m``, optionally ``insole_width_m``).
    where
        The bout, for the error message.

    Returns
    -------
    length_m, width_m
        Metres; the width is ``None`` when ``insole_width_m`` is absent or empty.

    Raises
    ------
    ConfigError
        If a size is not a positive number, naming the bout.
    """
    length = float(participant["insole_length_m"])
    width = participant.get("insole_width_m")
    width = None if width is None or pd.isna(width) else float(width)
    for name, value in (("insole_length_m", length), ("insole_width_m", width)):
        if value is not None and not (np.isfinite(value) and value > 0):
            raise ConfigError(f"{where}: the participant's {name} must be a positive number of metres, got {value}")
    return length, width


#: ADC count at which an FSR of the format's 12-bit converters saturates.
FSR_SATURATION_ADC: float = 4095.0
#: Fraction of a bout at saturation above which an FSR explains a load that never returns to rest.
_SATURATED_FRACTION_NAMED: float = 0.05


def raise_if_saturated(error: UnendedContactError, feet_fsr: Mapping[str, list[np.ndarray]]) -> None:
    """SensorFaultError naming the FSR channel whose saturation keeps an insole's load up, if there is one.

    A sensor stuck at saturation for stretches holds the foot's summed load
    above the contact threshold, which contact detection can only report as
    a contact that never ends; validation accepts saturation up to half of
    the bout (in stretches shorter than ``max_constant_s``).

    Parameters
    ----------
    error
        The contact that never ended, as contact detection reported it.
    feet_fsr
        Foot -> its 16 FSR columns (ADC counts), in the order of :func:`grfkit.io.channels.fsr_channels`.

    Raises
    ------
    SensorFaultError
        If one FSR channel is saturated more than 5 % of the bout, naming it.
    """
    fractions = {
        channel: np.count_nonzero(values >= FSR_SATURATION_ADC) / len(values)
        for foot, columns in feet_fsr.items()
        for channel, values in zip(fsr_channels(foot), columns, strict=True)
    }
    channel = max(fractions, key=fractions.__getitem__)
    if fractions[channel] > _SATURATED_FRACTION_NAMED:
        raise SensorFaultError(
            f"FSR channel saturated ({FSR_SATURATION_ADC:g} ADC counts) {fractions[channel]:.0%} of the time, in "
            f"stretches that keep the insole's load from returning to rest between steps (seen as: {error})",
            channel=channel,
        ) from error


#: Unit slips that scale the force-to-weight ratio by a known factor, and what to say about each.
_UNIT_SLIPS: tuple[tuple[float, str], ...] = (
    (1.0 / GRAVITY_MPS2, "the plate force looks like it is in kgf (kilogram-force), not newtons"),
    (1.0 / 2.20462, "body_mass_kg looks like it is in pounds, not kilograms"),
    (2.20462, "body_mass_kg looks like it is in kilograms where the force is in pound-force"),
)


def force_to_weight(
    plate_contacts: Mapping[str, np.ndarray], insole_ic_s: np.ndarray, body_mass_kg: float
) -> float:
    """Vertical force over whole steps divided by body weight, from a bout's clean plate contacts.

    Over one step of steady running (an initial contact to the next, either
    foot) the runner's vertical velocity returns to its starting value, so the
    vertical impulse of one stance equals body weight times the step time
    (the same argument as :func:`grfkit.real.hamner.body_mass_from_force`
    over whole strides).  Each clean plate contact gives
    ``impulse / (m g T)``, where ``T`` is half the time between the insole
    initial contacts before and after its own; the median over the contacts
    is returned.  It is about 1 for data in the format's units; force in kgf
    gives 0.10, a body mass in pounds 0.45.

    Parameters
    ----------
    plate_contacts
        Columns of :func:`grfkit.preprocess.plate_contacts.classify_plate_contacts` (``clean``,
        ``impulse_n_s``, ``insole_ic_s``).
    insole_ic_s
        Initial contacts of both insoles on the lab clock, seconds.
    body_mass_kg
        The participant's body mass.

    Returns
    -------
    float
        The ratio; NaN when no clean contact has insole contacts on both sides.
    """
    ics = np.sort(insole_ic_s[np.isfinite(insole_ic_s)])
    use = np.flatnonzero(np.asarray(plate_contacts["clean"], dtype=bool) & np.isfinite(plate_contacts["insole_ic_s"]))
    k = np.searchsorted(ics, plate_contacts["insole_ic_s"][use])
    inner = (k >= 1) & (k <= len(ics) - 2)
    use, k = use[inner], k[inner]
    if not len(use):
        return float("nan")
    step_s = (ics[k + 1] - ics[k - 1]) / 2.0
    ratio = plate_contacts["impulse_n_s"][use] / (body_mass_kg * GRAVITY_MPS2 * step_s)
    return float(np.median(ratio))


def check_force_to_weight(ratio: float, participant: Mapping[str, object], info: BoutInfo,
                          accepted: tuple[float, float]) -> None:
    """Raise a UnitError naming the participant, both numbers and the likely unit slip when ``ratio`` is off.

    Parameters
    ----------
    ratio
        The bout's :func:`force_to_weight`.
    participant
        The participant's row of ``participants.csv`` (``body_mass_kg``).
    info
        The bout's identity, for the message.
    accepted
        Lowest and highest accepted ratio.

    Raises
    ------
    UnitError
        If ``ratio`` is finite and outside ``accepted``.
    """
    low, high = accepted
    if not np.isfinite(ratio) or low <= ratio <= high:
        return
    mass_kg = float(participant["body_mass_kg"])
    slips = [text for factor, text in _UNIT_SLIPS if abs(np.log(ratio / factor)) < np.log(high)]
    likely = slips[0] if slips else "check that the force is in newtons and body_mass_kg in kilograms"
    raise UnitError(
        f"bout {info.dataset}/{info.participant}/{info.bout}: the measured vertical force over whole steps "
        f"averages {ratio:.3g} times participant {info.participant!r}'s body weight (body_mass_kg {mass_kg:g} kg, "
        f"{mass_kg * GRAVITY_MPS2:.0f} N); over whole steps of running it equals the body weight "
        f"(accepted {low:g} to {high:g}). Likely {likely}."
    )
