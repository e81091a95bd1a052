"""Is the runner holding their speed?  A field stance's speed change, from the shoe IMU.

Training stances are steady by construction: the study keeps a plate
contact only if the runner's speed stayed within 5 % of the bout's
(:func:`grfkit.preprocess.speed.pass_speed_check`).  In the field a runner
speeds up, slows down and turns, and the anteroposterior force of such a
step -- its braking and propulsion no longer balance -- lies outside what
the model learnt.  :func:`speed_changes` measures, for every stance, how
much the speed of the neighbouring strides of the same foot differs from its
own, so that :func:`grfkit.field.predict.predict_stances` can flag the
stances taken while the speed changed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grfkit.errors import ChannelMismatchError

__all__ = ["STEADY_SPEED_CHANGE_PCT", "MAX_STRIDE_GAP_S", "speed_changes"]

#: Largest speed change, percent, of a steady stance: the training chain's pass rule.
STEADY_SPEED_CHANGE_PCT: float = 5.0
#: Two stances of a foot further apart than this are not neighbouring strides (seconds).
MAX_STRIDE_GAP_S: float = 2.0
_COLUMNS = ("dataset", "participant", "bout", "foot", "ic_s", "speed_mps")


def speed_changes(meta: pd.DataFrame, *, max_stride_gap_s: float = MAX_STRIDE_GAP_S) -> pd.Series:
    """The largest speed change from each stance to the previous and the next stride of its foot.

    Parameters
    ----------
    meta
        One row per stance: ``dataset``, ``participant``, ``bout``, ``foot``,
        ``ic_s`` and ``speed_mps`` (e.g. the IMU's, per stance).
    max_stride_gap_s
        Stances of a foot further apart are not neighbours.

    Returns
    -------
    pandas.Series
        Indexed as ``meta``, named ``speed_change_pct``: ``100 * max(|v - v_prev|,
        |v_next - v|) / v`` over the neighbours a stance has; NaN for a stance
        with no neighbour or no finite speed.

    Raises
    ------
    ChannelMismatchError
        If a column is missing.

    Examples
    --------
    >>> meta = pd.DataFrame({"dataset": "overground", "participant": "OG01", "bout": "fast",
    ...                      "foot": "left", "ic_s": [0.0, 0.7, 1.4, 5.0],
    ...                      "speed_mps": [4.0, 4.0, 4.4, 4.4]})
    >>> speed_changes(meta).round(1).tolist()
    [0.0, 10.0, 9.1, nan]
    """
    missing = [c for c in _COLUMNS if c not in meta.columns]
    if missing:
        raise ChannelMismatchError(f"stance metadata lacks columns {missing}")
    change = pd.Series(np.nan, index=meta.index, name="speed_change_pct")
    for _, rows in meta.groupby(list(_COLUMNS[:4]), sort=False):
        rows = rows.sort_values("ic_s")
        speed = rows["speed_mps"].to_numpy(dtype=float)
        ic = rows["ic_s"].to_numpy(dtype=float)
        step = np.abs(np.diff(speed))
        near = np.diff(ic) <= max_stride_gap_s
        step = np.where(near, step, np.nan)
        before = np.concatenate([[np.nan], step])
        after = np.concatenate([step, [np.nan]])
        with np.errstate(invalid="ignore", divide="ignore"):
            largest = np.fmax(before, after)
            change.loc[rows.index] = 100.0 * largest / speed
    return change
