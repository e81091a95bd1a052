"""Stance features of real and simulated stances: peaks, contact time, impulses, mean curves.

:func:`stance_features` gives, per stance, the peak vertical, braking and
propulsive force (body weights), the contact time and the braking and
propulsive impulse (body-weight seconds); :data:`FEATURES` names and units
them.  :func:`curve_summary` gives the mean and SD curves of a stance set in
body weights.  Both work on any force stance set
(:func:`grfkit.real.chain.force_stance_dataset`), real or simulated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grfkit.constants import GRAVITY_MPS2, N_POINTS
from grfkit.io.stances import StanceDataset

__all__ = ["FEATURES", "stance_features", "curve_summary"]

#: Stance features compared: column -> (label, unit).
FEATURES: dict[str, tuple[str, str]] = {
    "peak_vgrf_bw": ("peak vertical force", "BW"),
    "peak_braking_bw": ("peak braking force", "BW"),
    "peak_propulsive_bw": ("peak propulsive force", "BW"),
    "contact_time_s": ("contact time", "s"),
    "braking_impulse_bws": ("braking impulse", "BW·s"),
    "propulsive_impulse_bws": ("propulsive impulse", "BW·s"),
}


def stance_features(dataset: StanceDataset) -> pd.DataFrame:
    """Peak forces, contact time and impulses of every stance.

    Parameters
    ----------
    dataset
        Stances with targets ``vgrf_n`` and ``apgrf_n`` and metadata
        ``body_mass_kg`` and ``contact_time_s``.

    Returns
    -------
    pandas.DataFrame
        The metadata columns ``dataset``, ``participant``, ``bout``, ``foot``,
        ``speed_mps`` and the :data:`FEATURES` columns; braking values are
        positive magnitudes, impulses use the 101 points spaced
        ``contact_time_s / 100`` apart (trapezoidal rule).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from grfkit.real.chain import force_stance_dataset
    >>> s = np.linspace(0, 1, 101)
    >>> curves = np.stack([700 * 2.5 * np.sin(np.pi * s), -700 * 0.3 * np.sin(2 * np.pi * s), 0 * s], -1)[None]
    >>> meta = pd.DataFrame({"dataset": ["x"], "participant": ["p"], "bout": ["b"], "foot": ["left"],
    ...                      "plate": ["belt"], "ic_s": [0.0], "to_s": [0.25], "contact_time_s": [0.25],
    ...                      "speed_mps": [3.0], "gradient_deg": [0.0], "body_mass_kg": [700 / 9.81]})
    >>> f = stance_features(force_stance_dataset(meta, curves))
    >>> round(float(f["peak_vgrf_bw"].iloc[0]), 2), round(float(f["braking_impulse_bws"].iloc[0]), 4)
    (2.5, 0.0239)
    """
    weight = dataset.meta["body_mass_kg"].to_numpy(dtype=np.float64)[:, None] * GRAVITY_MPS2
    vertical = dataset.target("vgrf_n") / weight
    ap = dataset.target("apgrf_n") / weight
    contact = dataset.meta["contact_time_s"].to_numpy(dtype=np.float64)
    step = contact / (N_POINTS - 1)
    table = dataset.meta[["dataset", "participant", "bout", "foot", "speed_mps"]].reset_index(drop=True).copy()
    table["peak_vgrf_bw"] = vertical.max(axis=1)
    table["peak_braking_bw"] = -ap.min(axis=1)
    table["peak_propulsive_bw"] = ap.max(axis=1)
    table["contact_time_s"] = contact
    table["braking_impulse_bws"] = np.trapezoid(np.maximum(-ap, 0.0), axis=1) * step
    table["propulsive_impulse_bws"] = np.trapezoid(np.maximum(ap, 0.0), axis=1) * step
    return table


def curve_summary(dataset: StanceDataset, label: str, source: str) -> pd.DataFrame:
    """Mean and SD of the vertical and anteroposterior curves in body weights.

    Parameters
    ----------
    dataset
        Stances with ``vgrf_n``, ``apgrf_n`` and ``body_mass_kg``.
    label
        Comparison label (e.g. ``"treadmill 3 m/s"``).
    source
        ``"real"`` or ``"simulated"``.

    Returns
    -------
    pandas.DataFrame
        Long table: ``comparison``, ``source``, ``channel`` (``vgrf``/``apgrf``),
        ``stance_pct`` (0-100), ``mean_bw``, ``sd_bw``, ``n_stances``.
    """
    weight = dataset.meta["body_mass_kg"].to_numpy(dtype=np.float64)[:, None] * GRAVITY_MPS2
    parts = []
    for channel in ("vgrf", "apgrf"):
        curves = dataset.target(f"{channel}_n") / weight
        parts.append(
            pd.DataFrame(
                {
                    "comparison": label,
                    "source": source,
                    "channel": channel,
                    "stance_pct": np.arange(N_POINTS, dtype=float),
                    "mean_bw": curves.mean(axis=0) if len(curves) else np.nan,
                    "sd_bw": curves.std(axis=0, ddof=1) if len(curves) > 1 else np.nan,
                    "n_stances": len(curves),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
