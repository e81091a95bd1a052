"""Ground truth of a simulated bout: event times and the stance table.

The truth applies the study's event definition to the generator's own force:
initial contact and toe-off are where the *noise-free, unfiltered* vertical
force crosses 20 N, bracketed on a 1 ms grid, then located on a 10 µs grid
inside the bracket and refined by linear interpolation (the error of the
interpolation is far below a microsecond for these smooth forces).  For a
contact on force plates that force is the one the named plate receives; for
a contact off the plates it is the foot's total
force.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from grfkit.constants import CONTACT_THRESHOLD_N, GRAVITY_MPS2
from grfkit.io.schema import TRUTH_STANCE_COLUMNS
from grfkit.simulate.grf_model import StanceForce, evaluate_contacts

__all__ = [
    "COARSE_GRID_S",
    "FORCE_PARAMETER_COLUMNS",
    "IMPULSE_COLUMNS",
    "TRUTH_EXTRA_COLUMNS",
    "force_truth",
    "stance_force_from_truth",
    "coarse_times",
    "threshold_crossings",
    "event_times",
    "stance_events",
    "stance_table",
]

#: Spacing of the grid on which contacts are first scanned (and impulses integrated).
COARSE_GRID_S: float = 1e-3
_FINE_GRID_S: float = 1e-5
#: Prefix of the truth columns that hold the fields of the contact's :class:`StanceForce`.
_FORCE_PREFIX: str = "force_"
#: Truth columns of the contact's force parameters: ``force_`` + every :class:`StanceForce` field
#: (units as the field's name says; ``force_contact_time_s`` equals ``contact_time_s``).
FORCE_PARAMETER_COLUMNS: tuple[str, ...] = tuple(_FORCE_PREFIX + name for name in StanceForce.__dataclass_fields__)
#: Truth columns of the contact's braking and propulsive impulse over body weight (body-weight seconds).
IMPULSE_COLUMNS: tuple[str, ...] = ("braking_impulse_bws", "propulsive_impulse_bws")
#: Columns of ``truth/stances.csv`` beyond the required ones.
TRUTH_EXTRA_COLUMNS: tuple[str, ...] = (
    "plate_impulse_fraction",
    "insole_recorded",
    "contact_time_s",
    *FORCE_PARAMETER_COLUMNS,
    *IMPULSE_COLUMNS,
)


def force_truth(force: StanceForce, body_mass_kg: float) -> dict[str, float]:
    """Truth columns of one contact's force: its parameters and impulses.

    Parameters
    ----------
    force
        The contact's force, as the simulator evaluated it (on the treadmill
        after the belt's share of the AP force is removed).
    body_mass_kg
        The runner's body mass; body weight is ``body_mass_kg * g``.

    Returns
    -------
    dict
        :data:`FORCE_PARAMETER_COLUMNS` and :data:`IMPULSE_COLUMNS` with their values.

    Examples
    --------
    >>> from grfkit.simulate.grf_model import design_stance
    >>> from grfkit.simulate.plantar import COP_PATTERNS
    >>> f = design_stance(body_mass_kg=70.0, contact_time_s=0.25, step_time_s=0.35, impact_velocity_change_mps=2.5,
    ...                   impact_half_time_s=0.02, cop=COP_PATTERNS["rearfoot"], insole_length_m=0.26,
    ...                   pivot_height_m=1.0, speed_mps=3.5)
    >>> row = force_truth(f, 70.0)
    >>> row["force_pivot_height_m"], round(row["propulsive_impulse_bws"] - row["braking_impulse_bws"], 6)
    (1.0, 0.0)
    """
    body_weight_n = body_mass_kg * GRAVITY_MPS2
    row = {_FORCE_PREFIX + name: float(getattr(force, name)) for name in StanceForce.__dataclass_fields__}
    row["braking_impulse_bws"] = float(force.braking_impulse_ns) / body_weight_n
    row["propulsive_impulse_bws"] = float(force.propulsive_impulse_ns) / body_weight_n
    return row


def stance_force_from_truth(row: Mapping[str, object]) -> StanceForce:
    """Rebuild a contact's :class:`StanceForce` from its truth row.

    Parameters
    ----------
    row
        A row of ``truth/stances.csv`` (a mapping or a :class:`pandas.Series`)
        with every column of :data:`FORCE_PARAMETER_COLUMNS`.

    Returns
    -------
    StanceForce
        The force the simulator generated for the contact.

    Raises
    ------
    KeyError
        If a force parameter column is missing.
    """
    return StanceForce(**{name: float(row[_FORCE_PREFIX + name]) for name in StanceForce.__dataclass_fields__})


def coarse_times(contact_time_s: float) -> np.ndarray:
    """Times after contact, 0 to ``contact_time_s`` inclusive, every :data:`COARSE_GRID_S`.

    Parameters
    ----------
    contact_time_s
        Contact duration.

    Returns
    -------
    numpy.ndarray
        The grid.
    """
    return np.append(np.arange(0.0, contact_time_s, COARSE_GRID_S), contact_time_s)


def threshold_crossings(
    tau_s: np.ndarray, force_n: np.ndarray, start_s: float, threshold_n: float = CONTACT_THRESHOLD_N
) -> tuple[float, float]:
    """First upward and last downward crossing of a threshold.

    Parameters
    ----------
    tau_s
        Sorted times relative to ``start_s``.
    force_n
        Force at those times.
    start_s
        Absolute time of ``tau_s == 0``.
    threshold_n
        Threshold.

    Returns
    -------
    ic_s, to_s : float
        Absolute times of the crossings (linear interpolation between grid
        points), NaN if the force never reaches the threshold.

    Examples
    --------
    >>> threshold_crossings(np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 40.0, 40.0, 0.0]), 10.0)
    (10.5, 12.5)
    """
    above = np.flatnonzero(force_n >= threshold_n)
    if above.size == 0:
        return float("nan"), float("nan")
    first, last = above[0], above[-1]

    def cross(i: int, j: int) -> float:
        f0, f1 = force_n[i], force_n[j]
        frac = 0.0 if f1 == f0 else (threshold_n - f0) / (f1 - f0)
        return float(start_s + tau_s[i] + frac * (tau_s[j] - tau_s[i]))

    ic = float(start_s + tau_s[0]) if first == 0 else cross(first - 1, first)
    to = float(start_s + tau_s[-1]) if last == force_n.size - 1 else cross(last, last + 1)
    return ic, to


def event_times(
    force_fn: Callable[[np.ndarray], np.ndarray],
    contact_time_s: float,
    start_s: float,
    threshold_n: float = CONTACT_THRESHOLD_N,
) -> tuple[float, float]:
    """Initial contact and toe-off of a contact from its force function.

    Parameters
    ----------
    force_fn
        Vertical force (N) as a function of time after the physical contact.
    contact_time_s
        Physical contact duration (the force is zero outside it).
    start_s
        Lab time of the physical contact.
    threshold_n
        Event threshold.

    Returns
    -------
    ic_s, to_s : float
        Lab times of the first upward and last downward threshold crossing,
        accurate to well below a microsecond for smooth forces; NaN if the
        force never reaches the threshold.
    """
    tau = coarse_times(contact_time_s)
    force = force_fn(tau)
    above = np.flatnonzero(force >= threshold_n)
    if above.size == 0:
        return float("nan"), float("nan")
    first, last = above[0], above[-1]
    lo = tau[max(first - 1, 0)]
    fine = np.arange(lo, tau[first] + _FINE_GRID_S / 2, _FINE_GRID_S)
    ic = threshold_crossings(fine, force_fn(fine), start_s, threshold_n)[0] if first > 0 else start_s
    hi = tau[min(last + 1, tau.size - 1)]
    fine = np.arange(tau[last], hi + _FINE_GRID_S / 2, _FINE_GRID_S)
    to = threshold_crossings(fine, force_fn(fine), start_s, threshold_n)[1] if last < tau.size - 1 else start_s + hi
    return ic, to


def stance_events(
    forces: Sequence[StanceForce], start_s: np.ndarray, threshold_n: float = CONTACT_THRESHOLD_N
) -> tuple[np.ndarray, np.ndarray]:
    """Initial contact and toe-off of many contacts from their total vertical force.

    The batched form of :func:`event_times` for contacts whose whole force
    is measured (off the plates, clean on a plate, on the treadmill belt).

    Parameters
    ----------
    forces
        The stances' forces.
    start_s
        Lab times of the physical contacts.
    threshold_n
        Event threshold.

    Returns
    -------
    ic_s, to_s : numpy.ndarray
        Lab times of the crossings (NaN where the force never reaches the threshold).
    """
    n = len(forces)
    ic = np.full(n, np.nan)
    to = np.full(n, np.nan)
    if n == 0:
        return ic, to
    start_s = np.asarray(start_s, dtype=np.float64)
    grids = [coarse_times(f.contact_time_s) for f in forces]
    sizes = np.array([g.size for g in grids])
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    tau = np.concatenate(grids)
    which = np.repeat(np.arange(n), sizes)
    above = evaluate_contacts(forces, tau, which)[0] >= threshold_n
    hits = np.flatnonzero(above)
    if hits.size == 0:
        return ic, to
    found, first = np.unique(which[hits], return_index=True)
    first = hits[first]
    last = hits[::-1][np.unique(which[hits][::-1], return_index=True)[1]]
    fine = np.arange(round(COARSE_GRID_S / _FINE_GRID_S) + 1) * _FINE_GRID_S
    # Initial contact: between the last coarse point below and the first above.
    at_start = first == offsets[found]
    ic[found[at_start]] = start_s[found[at_start]]
    rising = found[~at_start]
    if rising.size:
        windows = tau[first[~at_start] - 1][:, None] + fine[None, :]
        values = evaluate_contacts(forces, windows.ravel(), np.repeat(rising, fine.size))[0].reshape(windows.shape)
        k = np.argmax(values >= threshold_n, axis=1)
        rows = np.arange(rising.size)
        f0, f1 = values[rows, k - 1], values[rows, k]
        ic[rising] = start_s[rising] + windows[rows, k - 1] + (threshold_n - f0) / (f1 - f0) * _FINE_GRID_S
    # Toe-off: between the last coarse point above and the next one.
    at_end = last == offsets[found + 1] - 1
    to[found[at_end]] = start_s[found[at_end]] + tau[last[at_end]]
    falling = found[~at_end]
    if falling.size:
        windows = tau[last[~at_end]][:, None] + fine[None, :]
        values = evaluate_contacts(forces, windows.ravel(), np.repeat(falling, fine.size))[0].reshape(windows.shape)
        k = fine.size - 1 - np.argmax(values[:, ::-1] >= threshold_n, axis=1)
        rows = np.arange(falling.size)
        f0, f1 = values[rows, k], values[rows, k + 1]
        to[falling] = start_s[falling] + windows[rows, k] + (threshold_n - f0) / (f1 - f0) * _FINE_GRID_S
    return ic, to


def stance_table(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Assemble truth rows into the ``truth/stances.csv`` table.

    Parameters
    ----------
    rows
        One dict per contact with the required and extra columns.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`grfkit.io.schema.TRUTH_STANCE_COLUMNS` then
        :data:`TRUTH_EXTRA_COLUMNS`, sorted by lab time; ``clean`` and
        ``insole_recorded`` boolean.
    """
    columns = [*TRUTH_STANCE_COLUMNS, *TRUTH_EXTRA_COLUMNS]
    table = pd.DataFrame(rows, columns=columns)
    table["clean"] = table["clean"].astype(bool)
    table["insole_recorded"] = table["insole_recorded"].astype(bool)
    return table.sort_values("contact_start_s", kind="stable").reset_index(drop=True)
