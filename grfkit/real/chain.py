"""The preprocessing chain shared by every real data set: events, filter, time normalisation.

The study's steps, with the functions the simulated data go through:
initial contact and toe-off are the 20 N crossings of the unfiltered vertical
force (:func:`stance_events`, :func:`grfkit.preprocess.events.detect_contacts`);
the force is low-pass filtered at 20 Hz, zero lag, at each recording's own
rate; every stance is normalised to 101 points on its own time axis, so no
resampling is needed (:func:`force_stance_curves`).  A *force stance set*
(:func:`force_stance_dataset`) is a :class:`grfkit.io.stances.StanceDataset`
whose targets are the three force components (:data:`GRF_CHANNELS`) and whose
``skipped`` table lists every rejected contact with its reason;
:func:`stance_counts` and :func:`skip_reasons` summarise them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from grfkit.constants import FORCE_CUTOFF_HZ, N_POINTS
from grfkit.io.stances import SKIP_COLUMNS, STANCE_META_COLUMNS, StanceDataset
from grfkit.preprocess.filtering import lowpass_zero_lag
from grfkit.preprocess.segmentation import segment_stances

__all__ = [
    "GRF_CHANNELS",
    "stance_events",
    "force_stance_curves",
    "force_stance_dataset",
    "concat_trial_stances",
    "stance_counts",
    "skip_reasons",
]

#: Target channels of a force stance set: vertical, anteroposterior and
#: mediolateral ground reaction force (N; + up, + running direction, + left).
GRF_CHANNELS: tuple[str, str, str] = ("vgrf_n", "apgrf_n", "mlgrf_n")




def stance_events(ic_s: Sequence[float] | np.ndarray, to_s: Sequence[float] | np.ndarray) -> pd.DataFrame:
    """The events table :func:`grfkit.preprocess.segmentation.segment_stances` takes.

    Parameters
    ----------
    ic_s, to_s
        Initial contact and toe-off of each stance, seconds.

    Returns
    -------
    pandas.DataFrame
        Columns ``ic_s`` and ``to_s``.
    """
    return pd.DataFrame({"ic_s": np.asarray(ic_s, dtype=np.float64), "to_s": np.asarray(to_s, dtype=np.float64)})


def force_stance_curves(
    force_n: np.ndarray,
    time_s: np.ndarray,
    sampling_rate_hz: float,
    ic_s: Sequence[float] | np.ndarray,
    to_s: Sequence[float] | np.ndarray,
    *,
    cutoff_hz: float = FORCE_CUTOFF_HZ,
) -> np.ndarray:
    """Filter a force recording (20 Hz, zero lag) and cut it into 101-point stances.

    Parameters
    ----------
    force_n
        ``(n_samples, n_components)`` force of one foot or plate, newtons, finite.
    time_s
        Time of each sample.
    sampling_rate_hz
        Sampling rate of the recording (the filter is designed for it).
    ic_s, to_s
        Stance events, e.g. from :func:`grfkit.preprocess.events.detect_contacts`.
    cutoff_hz
        -3 dB frequency of the zero-lag filter.

    Returns
    -------
    numpy.ndarray
        ``(n_stances, 101, n_components)`` filtered, time-normalised force.

    Raises
    ------
    DropoutError
        If the force holds NaN values (the filter needs a continuous signal).
    EventRangeError, TimestampError, LengthMismatchError
        As :func:`grfkit.preprocess.segmentation.segment_stances`.
    """
    filtered = lowpass_zero_lag(np.asarray(force_n, dtype=np.float64), cutoff_hz, sampling_rate_hz)
    return segment_stances(time_s, filtered, stance_events(ic_s, to_s), name="force")


def force_stance_dataset(
    meta: pd.DataFrame,
    curves_n: np.ndarray,
    skipped: pd.DataFrame | None = None,
) -> StanceDataset:
    """Wrap force stances in a :class:`~grfkit.io.stances.StanceDataset` without inputs.

    Parameters
    ----------
    meta
        One row per stance with :data:`~grfkit.io.stances.STANCE_META_COLUMNS`
        (missing ones, e.g. ``insole_length_m``, are added as NaN).
    curves_n
        ``(n_stances, 101, 3)`` force in newtons, channels :data:`GRF_CHANNELS`.
    skipped
        Rejected contacts; columns :data:`~grfkit.io.stances.SKIP_COLUMNS` (more
        columns, e.g. ``detail``, are kept).

    Returns
    -------
    StanceDataset
        ``inputs`` of shape ``(n, 101, 0)``, ``targets`` the force curves.
    """
    meta = meta.reset_index(drop=True).copy()
    for column in STANCE_META_COLUMNS:
        if column not in meta.columns:
            meta[column] = np.nan
    if skipped is None or len(skipped) == 0:
        skipped = pd.DataFrame({c: pd.Series(dtype=float if c == "ic_s" else object) for c in SKIP_COLUMNS})
    curves = np.asarray(curves_n, dtype=np.float32).reshape(len(meta), N_POINTS, len(GRF_CHANNELS))
    return StanceDataset(
        meta=meta,
        inputs=np.zeros((len(meta), N_POINTS, 0), dtype=np.float32),
        targets=curves,
        input_channels=(),
        target_channels=GRF_CHANNELS,
        skipped=skipped.reset_index(drop=True),
    )


def concat_trial_stances(trials: Iterable[tuple[pd.DataFrame, np.ndarray, pd.DataFrame]]) -> StanceDataset:
    """Gather the force stances of several trials into one :func:`grfkit.real.chain.force_stance_dataset`.

    Parameters
    ----------
    trials
        Per trial: stance metadata, ``(n, 101, 3)`` force curves and rejected
        contacts, in the order they are to appear.

    Returns
    -------
    StanceDataset
        The trials' stances and skips, concatenated.
    """
    metas, curves, skips = [], [], []
    for meta, array, skipped in trials:
        metas.append(meta)
        curves.append(array)
        skips.append(skipped)
    return force_stance_dataset(
        pd.concat(metas, ignore_index=True),
        np.concatenate(curves),
        pd.concat(skips, ignore_index=True) if any(len(s) for s in skips) else None,
    )


def stance_counts(dataset: StanceDataset, by: Sequence[str] = ("dataset", "bout", "foot")) -> pd.DataFrame:
    """Accepted and rejected stances per group.

    Parameters
    ----------
    dataset
        A stance set with its ``skipped`` table.
    by
        Grouping columns present in both the metadata and the skipped table.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``accepted``, ``rejected``, ``total`` and
        ``accepted_share`` (0-1).
    """
    by = list(by)
    accepted = dataset.meta.groupby(by, dropna=False).size().rename("accepted")
    skipped = dataset.skipped
    rejected = (
        skipped.groupby(by, dropna=False).size().rename("rejected")
        if len(skipped)
        else pd.Series(dtype=np.int64, name="rejected")
    )
    table = pd.concat([accepted, rejected], axis=1).fillna(0).astype(int)
    table["total"] = table["accepted"] + table["rejected"]
    table["accepted_share"] = table["accepted"] / table["total"].where(table["total"] > 0)
    return table.reset_index()


def skip_reasons(datasets: Sequence[StanceDataset]) -> pd.DataFrame:
    """How many stances each reason rejected, per data set.

    Parameters
    ----------
    datasets
        Stance sets with their ``skipped`` tables.

    Returns
    -------
    pandas.DataFrame
        ``dataset``, ``reason`` and ``stances`` (count); reasons joined with
        ``"; "`` in a skip table count once, under their full text.
    """
    skipped = pd.concat([d.skipped for d in datasets if len(d.skipped)], ignore_index=True) if any(
        len(d.skipped) for d in datasets
    ) else pd.DataFrame(columns=["dataset", "reason"])
    return skipped.groupby(["dataset", "reason"], as_index=False).size().rename(columns={"size": "stances"})
