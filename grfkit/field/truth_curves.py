"""The simulator's true force for any stance, found by the wearables or on a force plate.

A simulated raw folder keeps every foot contact in ``truth/stances.csv``
with the parameters of the force the simulator generated for it.
:func:`true_stance_curves` pairs each stance (wearable stances on the
insole clock, plate stances on the lab clock) with its true
contact (:func:`grfkit.field.accuracy.match_events`, by the contact's
physical start) and rebuilds the noise-free vertical and anteroposterior
force between the *true* initial contact and toe-off, time-normalised like a
stance.  Off the plates this is the only reference there is; it lets a
field recording be scored over every step, not only the few on a plate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.constants import GRAVITY_MPS2, N_POINTS
from grfkit.errors import ChannelMismatchError, ConfigError, MissingFileError
from grfkit.field.accuracy import match_events
from grfkit.io.read import read_truth
from grfkit.io.schema import ID_COLUMNS
from grfkit.simulate.clocks import lab_to_insole
from grfkit.simulate.grf_model import evaluate_contacts
from grfkit.simulate.truth import stance_force_from_truth

__all__ = ["CLOCKS", "TrueCurves", "true_stance_curves"]

#: The clocks a data set's ``ic_s`` may be on: the insole's (wearable stances), the lab's (plate stances).
CLOCKS: tuple[str, ...] = ("insole", "lab")


@dataclass(frozen=True)
class TrueCurves:
    """The true contact and force of every stance of a data set.

    Parameters
    ----------
    table
        One row per stance, in the order given: its bout, foot and events
        (and ``body_mass_kg`` when the metadata had it), then
        ``truth_row`` (index into ``truth/stances.csv``, -1 unmatched),
        ``matched``, and the true ``true_ic_s``, ``true_to_s`` (on the
        stance's clock), ``true_contact_time_s`` and ``true_speed_mps``.
    vgrf_n, apgrf_n
        True force between the true events, ``(n_stances, n_points)``,
        newtons; NaN rows where unmatched.
    """

    table: pd.DataFrame
    vgrf_n: np.ndarray
    apgrf_n: np.ndarray

    def curves_n(self, target: str) -> np.ndarray:
        """True curves of ``"vgrf"`` or ``"apgrf"``, newtons.

        Parameters
        ----------
        target
            ``"vgrf"`` or ``"apgrf"``.

        Returns
        -------
        numpy.ndarray
            ``(n_stances, n_points)``.

        Raises
        ------
        ConfigError
            For another target.
        """
        if target not in ("vgrf", "apgrf"):
            raise ConfigError(f"target must be 'vgrf' or 'apgrf', not {target!r}")
        return self.vgrf_n if target == "vgrf" else self.apgrf_n

    def curves_bw(self, target: str) -> np.ndarray:
        """True curves of ``"vgrf"`` or ``"apgrf"`` in body weights of each stance's runner.

        Parameters
        ----------
        target
            ``"vgrf"`` or ``"apgrf"``.

        Returns
        -------
        numpy.ndarray
            ``(n_stances, n_points)``.

        Raises
        ------
        ChannelMismatchError
            If the stance metadata given had no ``body_mass_kg``.
        ConfigError
            For another target.
        """
        if "body_mass_kg" not in self.table.columns:
            raise ChannelMismatchError("the stance metadata had no body_mass_kg: true curves in BW need it")
        weight_n = self.table["body_mass_kg"].to_numpy(dtype=np.float64) * GRAVITY_MPS2
        return self.curves_n(target) / weight_n[:, None]


def true_stance_curves(
    raw_dir: str | Path,
    meta: pd.DataFrame,
    *,
    clock: str,
    n_points: int = N_POINTS,
    tolerance_s: float = 0.05,
) -> TrueCurves:
    """Pair every stance with its true contact and rebuild its true force.

    Parameters
    ----------
    raw_dir
        Simulated raw folder (with ``truth/``) the stances come from.
    meta
        Metadata of stances of that folder (``dataset``, ``participant``,
        ``bout``, ``foot``, ``ic_s``, ``to_s``): the ``meta`` of
        :func:`grfkit.field.chain.wearable_stances` or the rows of
        :func:`grfkit.field.predict.predict_stances` (``clock="insole"``), or
        of the training chain's stances (``clock="lab"``).
    clock
        The clock of ``meta["ic_s"]``, one of :data:`CLOCKS`.
    n_points
        Points per true curve, from the true IC to the true TO.
    tolerance_s
        Largest distance between a stance's initial contact and its true
        contact's physical start, seconds.

    Returns
    -------
    TrueCurves
        The pairing and the true curves.

    Raises
    ------
    MissingFileError
        If ``raw_dir`` has no ``truth/`` (a real recording).
    ConfigError
        For an unknown ``clock``.
    """
    if clock not in CLOCKS:
        raise ConfigError(f"clock must be one of {CLOCKS}, not {clock!r}")
    read = read_truth(raw_dir)
    if read is None:
        raise MissingFileError("no truth/ folder: true curves need a simulated cohort",
                               path=Path(raw_dir) / "truth")
    trials, truth = read
    truth = truth.reset_index(drop=True)
    trials = trials.set_index(list(ID_COLUMNS))
    meta = meta.reset_index(drop=True)
    n = len(meta)
    truth_row = np.full(n, -1)
    clock_model = np.zeros((len(truth), 2))  # (offset_s, drift_ppm) lab -> stance clock, per truth row
    timed = truth.loc[truth["ic_s"].notna()]
    contacts = {key: timed.index.to_numpy()[rows]
                for key, rows in timed.reset_index(drop=True).groupby([*ID_COLUMNS, "foot"]).indices.items()}
    for key, rows in meta.groupby([*ID_COLUMNS, "foot"], sort=False).indices.items():
        mine = contacts.get(key, np.zeros(0, dtype=int))
        start = truth["contact_start_s"].to_numpy()[mine]
        if clock == "insole":
            trial = trials.loc[key[:3]]
            offset, drift = float(trial["clock_offset_s"]), float(trial["clock_drift_ppm"])
            on_clock = lab_to_insole(start, offset, drift)
            clock_model[mine] = offset, drift
        else:
            on_clock = start
        order = np.argsort(on_clock)
        found = rows
        k = match_events(on_clock[order], meta["ic_s"].to_numpy()[found], tolerance_s)
        truth_row[found[k >= 0]] = mine[order[k[k >= 0]]]

    matched = truth_row >= 0
    picked = truth.iloc[truth_row[matched]]
    true_ic_lab = picked["ic_s"].to_numpy(dtype=float)
    true_to_lab = picked["to_s"].to_numpy(dtype=float)
    start = picked["contact_start_s"].to_numpy(dtype=float)
    fraction = np.linspace(0.0, 1.0, n_points)
    t_s = ((true_ic_lab - start)[:, None] + (true_to_lab - true_ic_lab)[:, None] * fraction).ravel()
    which = np.repeat(np.arange(len(picked)), n_points)
    forces = [stance_force_from_truth(row) for row in picked.to_dict("records")]
    normal_n, along_n, _ = (
        evaluate_contacts(forces, t_s, which) if forces else (np.zeros(0),) * 3
    )
    curves = {name: np.full((n, n_points), np.nan) for name in ("vgrf", "apgrf")}
    curves["vgrf"][matched] = np.reshape(normal_n, (-1, n_points))
    curves["apgrf"][matched] = np.reshape(along_n, (-1, n_points))

    keys = [*ID_COLUMNS, "foot", "ic_s", "to_s", *(["body_mass_kg"] if "body_mass_kg" in meta.columns else [])]
    table = meta[keys].copy()
    table["truth_row"] = truth_row
    table["matched"] = matched
    for column in ("true_ic_s", "true_to_s", "true_contact_time_s", "true_speed_mps"):
        table[column] = np.nan
    offset_s, drift_ppm = clock_model[truth_row[matched]].T
    table.loc[matched, "true_ic_s"] = lab_to_insole(true_ic_lab, offset_s, drift_ppm)
    table.loc[matched, "true_to_s"] = lab_to_insole(true_to_lab, offset_s, drift_ppm)
    table.loc[matched, "true_contact_time_s"] = true_to_lab - true_ic_lab
    table.loc[matched, "true_speed_mps"] = picked["speed_mps"].to_numpy(dtype=float)
    return TrueCurves(table=table, vgrf_n=curves["vgrf"], apgrf_n=curves["apgrf"])
