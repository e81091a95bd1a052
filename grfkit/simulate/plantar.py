"""Where the foot presses: centre-of-pressure progression and the footprint on the force plates.

:data:`COP_PATTERNS` holds a centre-of-pressure path per foot-strike type
(rear-foot strikers land near 15 % of insole length, mid-foot near 40 %,
fore-foot near 70 %; all leave near the hallux), and :func:`cop_trajectory`
evaluates it over a stance.  The same path sets the lever of the
anteroposterior force (:mod:`grfkit.simulate.grf_model`).
:func:`plate_load_split` uses the insole's plantar load model to split a
foot's load between plates when it straddles a plate edge; a contact is
clean only when the whole footprint stays on one plate for the whole stance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from grfkit.io.insole import FSR_AP_FRAC, FSR_ML_FRAC
from grfkit.io.schema import Plate

__all__ = [
    "CopPattern",
    "cop_ap_path",
    "COP_PATTERNS",
    "cop_trajectory",
    "cop_trajectories",
    "Footprint",
    "PATCH_HALF_LENGTH_FRAC",
    "PATCH_HALF_WIDTH_FRAC",
    "classify_footprint",
    "plate_load_split",
]


@dataclass(frozen=True)
class CopPattern:
    """Centre-of-pressure path of one stance, in insole fractions.

    Parameters
    ----------
    start_ap_frac, end_ap_frac
        Position along the insole at contact and at toe-off.
    progression_exponent
        ``ap = end - (end - start) * (1 - s) ** exponent`` for stance fraction
        ``s``: above 1 the COP moves forward fast early in stance (rear-foot
        strike); 1 is uniform.
    forefoot_dip_ap_frac
        Backward excursion mid-stance as the heel lowers (fore-foot strike).
    start_ml_frac, end_ml_frac
        Position across the insole (0 medial, 1 lateral) at contact and
        toe-off; the COP moves from lateral to medial.
    """

    start_ap_frac: float
    end_ap_frac: float
    progression_exponent: float
    forefoot_dip_ap_frac: float
    start_ml_frac: float
    end_ml_frac: float

    def jittered(self, rng: np.random.Generator, *, ap_sd_frac: float, ml_sd_frac: float) -> CopPattern:
        """Return a copy with start and end points moved by Gaussian noise.

        Parameters
        ----------
        rng
            Random generator.
        ap_sd_frac, ml_sd_frac
            Standard deviations along and across the insole.

        Returns
        -------
        CopPattern
            The perturbed pattern (start before end along the insole).
        """
        start_ap = self.start_ap_frac + rng.normal(0.0, ap_sd_frac)
        end_ap = self.end_ap_frac + rng.normal(0.0, ap_sd_frac / 2)
        return replace(
            self,
            start_ap_frac=float(np.clip(start_ap, 0.05, end_ap - 0.1)),
            end_ap_frac=float(np.clip(end_ap, 0.8, 0.95)),
            start_ml_frac=float(np.clip(self.start_ml_frac + rng.normal(0.0, ml_sd_frac), 0.2, 0.85)),
            end_ml_frac=float(np.clip(self.end_ml_frac + rng.normal(0.0, ml_sd_frac), 0.15, 0.6)),
        )


#: Typical COP patterns per strike type.
COP_PATTERNS: dict[str, CopPattern] = {
    "rearfoot": CopPattern(0.15, 0.90, 2.4, 0.0, 0.62, 0.30),
    "midfoot": CopPattern(0.42, 0.90, 1.6, 0.0, 0.66, 0.30),
    "forefoot": CopPattern(0.70, 0.91, 2.0, 0.07, 0.70, 0.30),
}


def cop_trajectory(stance_frac: ArrayLike, pattern: CopPattern) -> tuple[np.ndarray, np.ndarray]:
    """Centre of pressure at fractions of the stance.

    Parameters
    ----------
    stance_frac
        0 at contact to 1 at toe-off (clipped to that range).
    pattern
        The stance's COP pattern.

    Returns
    -------
    cop_ap_frac, cop_ml_frac : numpy.ndarray
        COP along (0 heel .. 1 toe) and across (0 medial .. 1 lateral) the insole.

    Examples
    --------
    >>> ap, ml = cop_trajectory([0.0, 1.0], COP_PATTERNS["rearfoot"])
    >>> ap.round(2).tolist(), ml.round(2).tolist()
    ([0.15, 0.9], [0.62, 0.3])
    """
    s = np.clip(np.asarray(stance_frac, dtype=np.float64), 0.0, 1.0)
    return _cop(s, *(getattr(pattern, name) for name in _COP_FIELDS))


_COP_FIELDS: tuple[str, ...] = tuple(CopPattern.__dataclass_fields__)


def cop_ap_path(
    s: np.ndarray, start_ap: ArrayLike, end_ap: ArrayLike, exponent: ArrayLike, dip: ArrayLike
) -> np.ndarray:
    """Centre of pressure along the foot at stance fractions ``s`` (0 heel .. 1 toe).

    A positive ``dip`` selects the fore-foot form (slow start, backward dip
    as the heel lowers); otherwise the COP moves forward fast early in stance
    (``exponent`` above 1).

    Parameters
    ----------
    s
        Stance fractions in 0..1.
    start_ap, end_ap, exponent, dip
        :class:`CopPattern` fields (scalars or arrays matching ``s``).

    Returns
    -------
    numpy.ndarray
        COP position as a fraction of the insole length.
    """
    forefoot = start_ap + (end_ap - start_ap) * s**exponent - dip * np.sin(np.pi * s)
    heel_first = end_ap - (end_ap - start_ap) * (1.0 - s) ** exponent
    return np.where(np.asarray(dip) > 0, forefoot, heel_first)


def _cop(
    s: np.ndarray,
    start_ap: ArrayLike,
    end_ap: ArrayLike,
    exponent: ArrayLike,
    dip: ArrayLike,
    start_ml: ArrayLike,
    end_ml: ArrayLike,
) -> tuple[np.ndarray, np.ndarray]:
    """COP path along and across the foot."""
    ml = start_ml + (end_ml - start_ml) * (3 * s**2 - 2 * s**3)
    return cop_ap_path(s, start_ap, end_ap, exponent, dip), ml


def cop_trajectories(
    stance_frac: np.ndarray, patterns: Sequence[CopPattern], which: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Centre of pressure of many stances at once.

    Parameters
    ----------
    stance_frac
        Stance fraction of each sample (clipped to 0..1), 1-D.
    patterns
        COP pattern of each stance.
    which
        Index into ``patterns`` of each sample.

    Returns
    -------
    cop_ap_frac, cop_ml_frac : numpy.ndarray
        As :func:`cop_trajectory`, one value per sample.
    """
    table = np.array([[getattr(p, name) for name in _COP_FIELDS] for p in patterns], dtype=np.float64)
    table = table.reshape(-1, len(_COP_FIELDS))[np.asarray(which)]
    return _cop(np.clip(np.asarray(stance_frac, dtype=np.float64), 0.0, 1.0), *table.T)


#: Half length of the sole patch each sensor stands for (fraction of insole
#: length), limited so that every patch lies inside the insole outline.
PATCH_HALF_LENGTH_FRAC: np.ndarray = np.minimum(0.06, np.minimum(FSR_AP_FRAC, 1.0 - FSR_AP_FRAC))
#: Half width of the sole patch each sensor stands for (fraction of insole width).
PATCH_HALF_WIDTH_FRAC: np.ndarray = np.minimum(0.12, np.minimum(FSR_ML_FRAC, 1.0 - FSR_ML_FRAC))


@dataclass(frozen=True)
class Footprint:
    """A foot flat on the ground, pointing in +x (the runway direction).

    Parameters
    ----------
    heel_x_m
        Lab x of the insole's heel end.
    centre_y_m
        Lab y of the insole's long axis.
    length_m, width_m
        Insole length and width.
    lateral_sign
        ``+1`` when the foot's lateral edge is towards +y (a left foot running
        in +x), ``-1`` for a right foot.
    """

    heel_x_m: float
    centre_y_m: float
    length_m: float
    width_m: float
    lateral_sign: float

    def rectangle(self) -> tuple[float, float, float, float]:
        """``(x_min, x_max, y_min, y_max)`` of the load-bearing outline."""
        half = self.width_m / 2
        return self.heel_x_m, self.heel_x_m + self.length_m, self.centre_y_m - half, self.centre_y_m + half

    def lab_xy(self, ap_frac: ArrayLike, ml_frac: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Lab coordinates of points given in insole fractions.

        Parameters
        ----------
        ap_frac, ml_frac
            Positions along (0 heel .. 1 toe) and across (0 medial .. 1
            lateral) the insole.

        Returns
        -------
        x_m, y_m : numpy.ndarray
            Lab coordinates.
        """
        x = self.heel_x_m + np.asarray(ap_frac, dtype=np.float64) * self.length_m
        y = self.centre_y_m + self.lateral_sign * (np.asarray(ml_frac, dtype=np.float64) - 0.5) * self.width_m
        return x, y


def classify_footprint(footprint: Footprint, plates: tuple[Plate, ...]) -> tuple[list[str], str]:
    """Which plates a footprint touches and whether the contact is clean.

    Parameters
    ----------
    footprint
        The foot on the ground.
    plates
        Force plates of the lab.

    Returns
    -------
    touched : list of str
        Names of the plates the outline overlaps (by a positive area).
    reason : str
        ``""`` (clean: the outline lies inside one plate), ``"edge"`` (one
        plate, partly on the floor), ``"straddle"`` (two or more plates) or
        ``"off_plate"`` (no plate).
    """
    x0, x1, y0, y1 = footprint.rectangle()
    touched = [
        p.name for p in plates if min(x1, p.x_max_m) > max(x0, p.x_min_m) and min(y1, p.y_max_m) > max(y0, p.y_min_m)
    ]
    if not touched:
        return touched, "off_plate"
    if len(touched) > 1:
        return touched, "straddle"
    plate = next(p for p in plates if p.name == touched[0])
    inside = x0 >= plate.x_min_m and x1 <= plate.x_max_m and y0 >= plate.y_min_m and y1 <= plate.y_max_m
    return touched, "" if inside else "edge"


def plate_load_split(
    weights: np.ndarray, footprint: Footprint, plates: tuple[Plate, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share of the load and centre of pressure on each plate.

    Parameters
    ----------
    weights
        Plantar load shares of the 16 sensors, shape ``(n, 16)`` (rows sum to
        1), from :func:`grfkit.io.insole.plantar_weights`.
    footprint
        The foot on the ground.
    plates
        Force plates.

    Returns
    -------
    share : numpy.ndarray
        ``(n, n_plates)``: fraction of the foot's load on each plate (the rest
        is on the floor).
    cop_x_m, cop_y_m : numpy.ndarray
        ``(n, n_plates)``: centre of pressure of the load on each plate (NaN
        where a plate carries nothing).
    """
    centre_x, centre_y = footprint.lab_xy(FSR_AP_FRAC, FSR_ML_FRAC)
    half_x = PATCH_HALF_LENGTH_FRAC * footprint.length_m
    half_y = PATCH_HALF_WIDTH_FRAC * footprint.width_m
    n = weights.shape[0]
    share = np.zeros((n, len(plates)))
    cop_x = np.full((n, len(plates)), np.nan)
    cop_y = np.full((n, len(plates)), np.nan)
    for j, plate in enumerate(plates):
        lo_x = np.maximum(centre_x - half_x, plate.x_min_m)
        hi_x = np.minimum(centre_x + half_x, plate.x_max_m)
        lo_y = np.maximum(centre_y - half_y, plate.y_min_m)
        hi_y = np.minimum(centre_y + half_y, plate.y_max_m)
        fraction = np.clip(hi_x - lo_x, 0, None) * np.clip(hi_y - lo_y, 0, None) / (4 * half_x * half_y)
        if not fraction.any():
            continue
        loads = weights * fraction[None, :]
        total = loads.sum(axis=1)
        share[:, j] = total
        on = total > 0
        cop_x[on, j] = loads[on] @ ((lo_x + hi_x) / 2) / total[on]
        cop_y[on, j] = loads[on] @ ((lo_y + hi_y) / 2) / total[on]
    return share, cop_x, cop_y
