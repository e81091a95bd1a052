"""Preprocessing accuracy against the simulator's ground truth.

The simulated cohort writes what the lab can never know: the true clock
offset and drift of every bout, every foot contact with its true IC and TO
(the 20 N crossings of the noise-free, unfiltered force), whether the whole
footprint stayed on one plate, and each contact's force parameters.  These
functions score a :class:`~grfkit.preprocess.results.PreprocessResult`
against it (:func:`match_plate_contacts`, :func:`contact_detection_summary`,
:func:`edge_accepts`, :func:`sync_errors`, :func:`stance_truth`), and
:func:`oracle_floor` scores the true force, passed through the chain's own
filtering, against the measured target: a floor no wearable model can beat.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.constants import N_POINTS
from grfkit.errors import ChannelMismatchError
from grfkit.io.read import read_bout_info
from grfkit.io.schema import bout_path
from grfkit.io.stances import StanceDataset
from grfkit.io.table_files import read_bout_table
from grfkit.model.features import target_channel
from grfkit.model.metrics import evaluate, participant_metrics
from grfkit.preprocess.config import PreprocessConfig
from grfkit.preprocess.filtering import lowpass_zero_lag_at
from grfkit.preprocess.segmentation import segment_rows, segment_stances
from grfkit.simulate.truth import FORCE_PARAMETER_COLUMNS, stance_force_from_truth

__all__ = [
    "match_plate_contacts",
    "contact_detection_summary",
    "edge_accepts",
    "sync_errors",
    "stance_truth",
    "oracle_floor",
]

_KEYS = ["dataset", "participant", "bout"]


def _require(table: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ChannelMismatchError(f"{what} lacks columns {missing}")


def match_plate_contacts(
    contacts: pd.DataFrame,
    truth_stances: pd.DataFrame,
    *,
    tolerance_s: float = 0.05,
) -> pd.DataFrame:
    """Pair every true plate contact with the detected contact on the same plate.

    Parameters
    ----------
    contacts
        Detected plate contacts (``PreprocessResult.contacts``): ``dataset``,
        ``participant``, ``bout``, ``plate``, ``ic_s``, ``to_s``, ``stance``
        (kept as a stance) and ``skip_reason``.
    truth_stances
        ``truth/stances.csv``: ``dataset``, ``participant``, ``bout``,
        ``foot``, ``plate`` (empty off the plates), ``ic_s``, ``to_s``,
        ``clean``, ``reason``.
    tolerance_s
        Largest initial-contact difference for a pair, seconds.

    Returns
    -------
    pandas.DataFrame
        One row per true contact on a plate: the truth columns, ``found``
        (a detected contact paired), ``kept`` (it became a stance),
        ``skip_reason``, and ``ic_error_ms`` / ``to_error_ms`` (detected
        minus true; NaN when not found).
    """
    _require(contacts, [*_KEYS, "plate", "ic_s", "to_s", "stance", "skip_reason"], "contacts")
    _require(truth_stances, [*_KEYS, "foot", "plate", "ic_s", "to_s", "clean"], "truth stances")
    truth = truth_stances.loc[truth_stances["plate"].fillna("").astype(str) != ""].copy()
    truth["plate"] = truth["plate"].astype(str)
    detected = contacts[[*_KEYS, "plate", "ic_s", "to_s", "stance", "skip_reason"]].rename(
        columns={"ic_s": "det_ic_s", "to_s": "det_to_s"}
    )
    truth = truth.reset_index(drop=True).reset_index(names="truth_row")
    pairs = truth.merge(detected, on=[*_KEYS, "plate"], how="left")
    pairs["gap"] = (pairs["det_ic_s"] - pairs["ic_s"]).abs()
    pairs = pairs.loc[pairs["gap"] <= tolerance_s].sort_values("gap").drop_duplicates("truth_row")
    out = truth.merge(pairs[["truth_row", "det_ic_s", "det_to_s", "stance", "skip_reason"]], on="truth_row", how="left")
    out["found"] = out["det_ic_s"].notna()
    out["kept"] = out["stance"].fillna(False).astype(bool)
    out["skip_reason"] = out["skip_reason"].fillna("not detected")
    out["ic_error_ms"] = (out["det_ic_s"] - out["ic_s"]) * 1e3
    out["to_error_ms"] = (out["det_to_s"] - out["to_s"]) * 1e3
    return out.drop(columns=["truth_row", "det_ic_s", "det_to_s", "stance"])


def contact_detection_summary(matched: pd.DataFrame, *, foot: str = "left") -> pd.DataFrame:
    """Headline detection figures per data set.

    Parameters
    ----------
    matched
        Output of :func:`match_plate_contacts`.  When it has the truth column
        ``insole_recorded``, contacts the insoles did not record (before the
        insole recording started or after it stopped) are left out of
        ``true_clean``: no method could turn them into stances.
    foot
        Foot whose stances the models use.

    Returns
    -------
    pandas.DataFrame
        One row per data set: ``true_clean`` (true clean contacts of ``foot``
        recorded by the insoles),
        ``found_pct`` (share of them kept as stances), ``false_accepts``
        (stances whose true contact was not clean), median and 95th
        percentile absolute IC and TO errors in ms over the kept stances.
    """
    rows = []
    for dataset, g in matched.groupby("dataset", sort=True):
        ours = g.loc[g["foot"] == foot]
        clean = ours.loc[ours["clean"].astype(bool)]
        if "insole_recorded" in clean.columns:
            clean = clean.loc[clean["insole_recorded"].astype(bool)]
        kept = ours.loc[ours["kept"]]
        ic = kept["ic_error_ms"].abs()
        to = kept["to_error_ms"].abs()
        rows.append(
            {
                "dataset": dataset,
                "true_clean": len(clean),
                "found_pct": 100.0 * clean["kept"].mean() if len(clean) else np.nan,
                "false_accepts": int((~kept["clean"].astype(bool)).sum()),
                "ic_median_ms": ic.median(),
                "ic_p95_ms": ic.quantile(0.95),
                "to_median_ms": to.median(),
                "to_p95_ms": to.quantile(0.95),
            }
        )
    return pd.DataFrame(rows)


def edge_accepts(matched: pd.DataFrame, *, foot: str = "left") -> pd.DataFrame:
    """Truncated force curves among the stances: accepted contacts the truth calls ``edge``.

    An edge contact has part of the footprint on the floor, so the plate
    measures only part of the force: its deficit is ``1 - plate_impulse_fraction``
    (the truth's plate impulse over the foot's impulse).

    Parameters
    ----------
    matched
        Output of :func:`match_plate_contacts`; the truth column
        ``plate_impulse_fraction`` gives the deficits (NaN without it).
    foot
        Foot whose stances the models use.

    Returns
    -------
    pandas.DataFrame
        One row per data set: ``accepted`` (stances of ``foot``),
        ``edge_accepted`` (of them, truth ``edge``), ``edge_accept_pct``
        (their share, percent), ``deficit_median_pct`` and ``deficit_max_pct``
        (force deficit of those edge stances, percent; NaN when there are none).
    """
    _require(matched, [*_KEYS, "foot", "kept", "reason"], "matched contacts")
    rows = []
    for dataset, g in matched.groupby("dataset", sort=True):
        kept = g.loc[g["kept"] & (g["foot"] == foot)]
        edge = kept.loc[kept["reason"] == "edge"]
        if "plate_impulse_fraction" in edge.columns:
            deficit = 100.0 * (1.0 - edge["plate_impulse_fraction"].astype(float))
        else:
            deficit = pd.Series(np.nan, index=edge.index)
        rows.append(
            {
                "dataset": dataset,
                "accepted": len(kept),
                "edge_accepted": len(edge),
                "edge_accept_pct": 100.0 * len(edge) / len(kept) if len(kept) else np.nan,
                "deficit_median_pct": deficit.median() if len(edge) else np.nan,
                "deficit_max_pct": deficit.max() if len(edge) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def sync_errors(bouts: pd.DataFrame, truth_trials: pd.DataFrame) -> pd.DataFrame:
    """Clock synchronisation errors per bout.

    The offset is the lab time at insole time zero, so its error alone
    mixes in the drift error extrapolated to insole time zero.  What matters
    for segmentation is the error of the mapped times during the recording:
    ``mapping_error_ms`` is the largest error of
    ``t_lab = offset + t_insole (1 + drift)`` over the bout's lab duration
    (starting at the lab recording's start, which is near insole time
    ``-offset``).

    Parameters
    ----------
    bouts
        ``PreprocessResult.bouts``: ``sync_offset_s``, ``sync_drift_ppm``, ``duration_s``, ``status``.
    truth_trials
        ``truth/trials.csv``: ``clock_offset_s``, ``clock_drift_ppm``.

    Returns
    -------
    pandas.DataFrame
        Per synchronised bout: ``offset_error_ms``, ``drift_error_ppm`` and
        ``mapping_error_ms`` (largest absolute mapping error over the recording).
    """
    _require(bouts, [*_KEYS, "status", "sync_offset_s", "sync_drift_ppm", "duration_s"], "bouts")
    _require(truth_trials, [*_KEYS, "clock_offset_s", "clock_drift_ppm"], "truth trials")
    both = bouts.loc[bouts["status"] == "ok"].merge(truth_trials, on=_KEYS, how="inner")
    d_off = both["sync_offset_s"] - both["clock_offset_s"]
    d_drift = (both["sync_drift_ppm"] - both["clock_drift_ppm"]) * 1e-6
    # Insole time spans of the lab recording: from -offset to -offset + duration.
    t0 = -both["clock_offset_s"]
    t1 = t0 + both["duration_s"]
    err0 = (d_off + d_drift * t0).abs()
    err1 = (d_off + d_drift * t1).abs()
    out = both[_KEYS].copy()
    out["offset_error_ms"] = d_off * 1e3
    out["drift_error_ppm"] = d_drift * 1e6
    out["mapping_error_ms"] = np.maximum(err0, err1) * 1e3
    return out.reset_index(drop=True)


def stance_truth(meta: pd.DataFrame, truth_stances: pd.DataFrame, *, tolerance_s: float = 0.05) -> pd.DataFrame:
    """Attach to every stance the generator's truth of its contact.

    Parameters
    ----------
    meta
        Stance metadata (``StanceDataset.meta``): ``dataset``, ``participant``,
        ``bout``, ``plate``, ``ic_s``, ``to_s``, ``speed_mps``.
    truth_stances
        ``truth/stances.csv``.
    tolerance_s
        Largest initial-contact difference for a pair, seconds.

    Returns
    -------
    pandas.DataFrame
        ``meta`` (same row order) plus ``true_ic_s``, ``true_to_s``,
        ``true_speed_mps``, ``true_clean`` and ``true_reason``; NaN where no
        true contact lies within ``tolerance_s``.
    """
    _require(meta, [*_KEYS, "plate", "ic_s"], "stance metadata")
    _require(truth_stances, [*_KEYS, "plate", "ic_s", "to_s", "speed_mps", "clean", "reason"], "truth stances")
    on_plate = (truth_stances["plate"].fillna("").astype(str) != "") & truth_stances["ic_s"].notna()
    truth = truth_stances.loc[on_plate, [*_KEYS, "plate", "ic_s", "to_s", "speed_mps", "clean", "reason"]]
    truth = truth.rename(columns={"to_s": "true_to_s", "speed_mps": "true_speed_mps", "clean": "true_clean",
                                  "reason": "true_reason"})
    truth["true_ic_s"] = truth["ic_s"]
    left = meta.reset_index(names="_row").sort_values("ic_s")
    paired = pd.merge_asof(left, truth.sort_values("ic_s"), on="ic_s", by=[*_KEYS, "plate"],
                           direction="nearest", tolerance=tolerance_s)
    return paired.sort_values("_row").drop(columns="_row").reset_index(drop=True)


#: Component of :meth:`grfkit.simulate.grf_model.StanceForce.evaluate` each target channel measures.
_COMPONENT: dict[str, int] = {"vgrf_n": 0, "apgrf_n": 1}


def _true_plate_force(time_s: np.ndarray, contacts: pd.DataFrame, component: int) -> np.ndarray:
    """Noise-free force of ``contacts`` (truth rows) sampled at ``time_s``, summed."""
    force = np.zeros(time_s.size)
    for _, row in contacts.iterrows():
        lo = np.searchsorted(time_s, row["contact_start_s"], side="left")
        hi = np.searchsorted(time_s, row["contact_end_s"], side="right")
        if lo < hi:
            force[lo:hi] += stance_force_from_truth(row).evaluate(time_s[lo:hi] - row["contact_start_s"])[component]
    return force


def oracle_floor(
    raw_dir: str | Path,
    stances: StanceDataset,
    truth: pd.DataFrame,
    *,
    target: str,
    config: PreprocessConfig = PreprocessConfig(),
    tolerance_s: float = 0.05,
) -> pd.DataFrame:
    """rRMSE of the true force against the measured target: the floor of any estimate.

    For every stance matched to its true contact (:func:`stance_truth`), the
    true force of the contacts on the stance's plate is rebuilt from the
    truth's force parameters (:func:`grfkit.simulate.truth.stance_force_from_truth`)
    at the bout's force sample times, low-pass filtered as the pipeline
    filters the plate force (:func:`grfkit.preprocess.filtering.lowpass_zero_lag_at`
    with ``config``'s cutoff and order), cut at the stance's *detected*
    initial contact and toe-off and time-normalised to 101 points by the
    pipeline's own segmentation.  This oracle knows every force parameter;
    its error against the measured target is what the measurement leaves
    (plate noise, offsets and resolution; on the treadmill the belt's
    resonance, vibration and mains hum; overground the load a truncated
    footprint puts beside the plate).  The oracle uses the foot's whole
    force, so for a contact partly off its plate the deficit counts as
    measurement error.  Overground the remaining errors are random, so no
    estimate can beat the oracle; on the treadmill part of it (the belt's
    resonance) is a fixed transform of the force, so there the oracle's
    error bounds the floor from above.

    Parameters
    ----------
    raw_dir
        The simulated cohort's raw data folder (bout metadata and force time axes).
    stances
        Its stance data set (``stances`` of a
        :class:`~grfkit.preprocess.results.PreprocessResult`).
    truth
        ``truth/stances.csv`` of ``raw_dir`` (:func:`grfkit.io.read.read_truth`),
        with ``contact_start_s``, ``contact_end_s`` and
        :data:`grfkit.simulate.truth.FORCE_PARAMETER_COLUMNS`.
    target
        ``"vgrf"`` or ``"apgrf"``.
    config
        The preprocessing configuration ``stances`` were made with.
    tolerance_s
        Largest initial-contact difference between a stance and its true contact.

    Returns
    -------
    pandas.DataFrame
        One row per participant: ``target``, ``dataset``, ``participant``,
        ``n_stances`` (stances matched to a true contact), ``n_unmatched``
        and the means of :func:`grfkit.model.metrics.evaluate`'s metrics over the
        matched stances (``rrmse_pct``, ``rmse_bw``, ``r``, ...).

    Raises
    ------
    ChannelMismatchError
        If ``truth`` lacks a column the oracle needs.
    ConfigError
        For an unknown target.
    MissingFileError, RawDataError
        If a stance's bout folder or force table is missing or unreadable.
    """
    channel = target_channel(target)
    _require(truth, [*_KEYS, "plate", "ic_s", "contact_start_s", "contact_end_s", *FORCE_PARAMETER_COLUMNS],
             f"truth stances of {raw_dir}")
    paired = stance_truth(stances.meta, truth, tolerance_s=tolerance_s)
    matched = paired["true_ic_s"].notna().to_numpy()
    on_plate = truth.loc[truth["plate"].fillna("").astype(str) != ""]
    oracle = np.full((len(stances), N_POINTS), np.nan)
    for (dataset, participant, bout), rows in paired.loc[matched].groupby(_KEYS, sort=False):
        folder = bout_path(raw_dir, str(dataset), str(participant), str(bout))
        info = read_bout_info(folder)
        frame, arrays, path = read_bout_table(folder, "force")
        force_t = np.asarray(arrays["time_s"] if arrays is not None else frame["time_s"], dtype=np.float64)
        in_bout = on_plate.loc[(on_plate["dataset"] == dataset) & (on_plate["participant"] == participant)
                               & (on_plate["bout"] == bout)]
        for plate, group in rows.groupby("plate", sort=False):
            events = {"ic_s": group["ic_s"].to_numpy(float), "to_s": group["to_s"].to_numpy(float)}
            name = f"{path}:{plate}"
            samples = segment_rows(force_t, events, N_POINTS, name=name)
            signal = _true_plate_force(force_t, in_bout.loc[in_bout["plate"] == plate], _COMPONENT[channel])
            filtered = lowpass_zero_lag_at(signal, samples, config.filter.cutoff_hz, info.force_rate_hz,
                                           config.filter.order, channel=f"oracle {plate} {channel}")
            curves = segment_stances(force_t, filtered, events, N_POINTS, name=name, rows=samples)
            oracle[group.index] = curves[..., 0]
    scored = evaluate(stances.subset(matched), oracle[matched], target)
    table = participant_metrics(scored, by=["dataset", "participant"])
    unmatched = (~pd.Series(matched)).groupby(stances.meta["participant"].astype(str).to_numpy()).sum()
    table.insert(3, "n_unmatched", table["participant"].astype(str).map(unmatched).fillna(0).astype(int))
    table.insert(0, "target", target)
    return table
