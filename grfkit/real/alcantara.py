"""Alcantara et al. (2022): a real wearable -- sacral accelerometer to vertical force, stance by stance.

One runner, 31 treadmill trials (2.5-4.17 m/s, slopes -10 to +10 degrees) at
500 Hz: a sacral accelerometer (vertical and anteroposterior, g) and the
force normal to the belt in body weights.  :func:`alcantara_stances` filters
the force (20 Hz, zero lag), removes each trial's flight-phase offset
(:func:`flight_offset_bw`) and cuts stances at the :data:`THRESHOLD_BW`
crossings (a 20 N threshold would lie inside the flight-phase noise).
:func:`condition_split_evaluation` trains the study's network with whole
conditions (speed x slope) dealt into folds (:func:`condition_folds`), and
:func:`summarise_by_trial` sets the result beside the published
:data:`PUBLISHED_RRMSE_PCT`, which comes from another design (chapter 6).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from grfkit.constants import FORCE_CUTOFF_HZ, GRAVITY_MPS2
from grfkit.errors import ConfigError
from grfkit.experiment.evaluation import score_splits
from grfkit.io.stances import SKIP_COLUMNS, StanceDataset
from grfkit.model.features import FeatureSet
from grfkit.model.metrics import participant_metrics
from grfkit.model.presets import ModelPreset
from grfkit.preprocess.events import detect_contacts
from grfkit.preprocess.filtering import lowpass_zero_lag
from grfkit.preprocess.segmentation import segment_stances
from grfkit.preprocess.skip_reasons import REASON_CUT
from grfkit.real.chain import stance_events
from grfkit.real.readers.alcantara import AlcantaraData, read_alcantara
from grfkit.real.transfer import TransferResult, transfer_result

__all__ = [
    "ALCANTARA_DATASET",
    "THRESHOLD_BW",
    "ACC_CHANNELS",
    "ALCANTARA_FEATURES",
    "PUBLISHED_RRMSE_PCT",
    "flight_offset_bw",
    "trial_stances",
    "alcantara_stances",
    "condition_folds",
    "condition_split_evaluation",
    "summarise_by_trial",
]

#: Registry name of the data set.
ALCANTARA_DATASET: str = "alcantara2022"

#: Contact threshold on the filtered, offset-corrected force (body weights).
THRESHOLD_BW: float = 0.05

#: Input channels of an Alcantara stance (sacral acceleration, g).
ACC_CHANNELS: tuple[str, str] = ("acc_vertical_g", "acc_ap_g")

#: Model inputs: both accelerometer curves, speed and slope.
ALCANTARA_FEATURES: FeatureSet = FeatureSet(
    channels=(*ACC_CHANNELS, "speed_mps", "gradient_deg"),
    static=("speed_mps", "gradient_deg"),
    name="sacral accelerometer",
)

#: The published result: mean +/- SD rRMSE of the vertical force over 19 runners (LOSO).
PUBLISHED_RRMSE_PCT: tuple[float, float] = (6.4, 1.5)

_COARSE_THRESHOLD_BW = 0.2


def flight_offset_bw(force_bw: np.ndarray, sampling_rate_hz: float) -> float:
    """Level of a filtered force during flight: the median of the flight phases' middle thirds.

    Parameters
    ----------
    force_bw
        Filtered vertical force of a running trial, body weights.
    sampling_rate_hz
        Sampling rate.

    Returns
    -------
    float
        The offset in BW (0 if the trial has fewer than two contacts).

    Examples
    --------
    >>> t = np.arange(0, 3, 1 / 500)
    >>> f = np.where((t % 0.4) < 0.25, 2.0 * np.sin(np.pi * (t % 0.4) / 0.25), 0.0) + 0.01
    >>> round(flight_offset_bw(f, 500.0), 3)
    0.01
    """
    contacts = detect_contacts(force_bw, sampling_rate_hz, _COARSE_THRESHOLD_BW)
    ends = contacts["to_index"].to_numpy()[:-1]
    starts = contacts["ic_index"].to_numpy()[1:]
    middles = [force_bw[a + (b - a) // 3 : b - (b - a) // 3] for a, b in zip(ends, starts, strict=True) if b - a >= 6]
    return float(np.median(np.concatenate(middles))) if middles else 0.0


def trial_stances(
    data: AlcantaraData, trial: int, *, threshold_bw: float = THRESHOLD_BW
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.DataFrame]:
    """Stances of one trial.

    Parameters
    ----------
    data
        The data set (:func:`grfkit.real.readers.alcantara.read_alcantara`).
    trial
        Row of the files (0-based).
    threshold_bw
        Contact threshold after filtering and offset correction.

    Returns
    -------
    meta : pandas.DataFrame
        One row per stance (stance metadata columns, ``trial``, ``condition``,
        ``offset_bw``).
    inputs : numpy.ndarray
        ``(n, 101, 2)`` sacral acceleration (g), :data:`ACC_CHANNELS`.
    vgrf_n : numpy.ndarray
        ``(n, 101)`` filtered, offset-corrected vertical force in newtons.
    skipped : pandas.DataFrame
        Stances cut by the trial's start or end.
    """
    if not 0 <= trial < data.n_trials:
        raise ConfigError(f"trial must be between 0 and {data.n_trials - 1}, got {trial}")
    info = data.info.iloc[trial]
    n = int(info["valid_length"])
    rate = data.sampling_rate_hz
    t = np.arange(n) / rate
    force = lowpass_zero_lag(data.grf_bw[trial, :n], FORCE_CUTOFF_HZ, rate, channel=f"trial {trial}")
    offset = flight_offset_bw(force, rate)
    force = force - offset
    contacts = detect_contacts(force, rate, threshold_bw, channel=f"{ALCANTARA_DATASET} trial {trial} (BW)")
    participant = f"sub{int(info['subject']):02d}"
    condition = f"{float(info['speed_mps']):.2f} m/s {float(info['slope_deg']):+g} deg"
    complete = contacts[contacts["complete"]]
    skipped = pd.DataFrame(
        [
            {
                "dataset": ALCANTARA_DATASET,
                "participant": participant,
                "bout": f"trial{trial:02d}",
                "foot": "",
                "plate": "treadmill",
                "ic_s": float(t[row.ic_index]),
                "reason": REASON_CUT,
            }
            for row in contacts[~contacts["complete"]].itertuples(index=False)
        ],
        columns=list(SKIP_COLUMNS),
    )
    ic, to = complete["ic_s"].to_numpy(), complete["to_s"].to_numpy()
    weight_n = float(info["body_mass_kg"]) * GRAVITY_MPS2
    acc = np.column_stack([data.acc_vertical_g[trial, :n], data.acc_ap_g[trial, :n]])
    events = stance_events(ic, to)
    inputs = segment_stances(t, acc, events, name="sacral accelerometer")
    vgrf_n = segment_stances(t, force, events, name="force")[:, :, 0] * weight_n
    meta = pd.DataFrame(
        {
            "dataset": ALCANTARA_DATASET,
            "participant": participant,
            "bout": f"trial{trial:02d}",
            "foot": "",
            "plate": "treadmill",
            "ic_s": ic,
            "to_s": to,
            "contact_time_s": to - ic,
            "speed_mps": float(info["speed_mps"]),
            "gradient_deg": float(info["slope_deg"]),
            "body_mass_kg": float(info["body_mass_kg"]),
            "insole_length_m": np.nan,
            "trial": trial,
            "condition": condition,
            "offset_bw": offset,
        }
    )
    return meta, inputs, vgrf_n, skipped


def alcantara_stances(folder: str | os.PathLike[str], *, threshold_bw: float = THRESHOLD_BW) -> StanceDataset:
    """Every complete stance of the 31 trials.

    Parameters
    ----------
    folder
        The data set's folder (``grfkit.real.data_folder.fetch("alcantara2022")``).
    threshold_bw
        Contact threshold, see :data:`THRESHOLD_BW`.

    Returns
    -------
    StanceDataset
        Inputs :data:`ACC_CHANNELS` (g), target ``vgrf_n`` (N); ``bout`` is
        ``trialNN``, ``condition`` speed and slope; ``skipped`` the stances cut
        by a trial's ends.
    """
    data = read_alcantara(folder)
    metas, inputs, targets, skips = [], [], [], []
    for trial in range(data.n_trials):
        meta, x, y, skipped = trial_stances(data, trial, threshold_bw=threshold_bw)
        metas.append(meta)
        inputs.append(x)
        targets.append(y)
        skips.append(skipped)
    return StanceDataset(
        meta=pd.concat(metas, ignore_index=True),
        inputs=np.concatenate(inputs).astype(np.float32),
        targets=np.concatenate(targets)[:, :, None].astype(np.float32),
        input_channels=ACC_CHANNELS,
        target_channels=("vgrf_n",),
        skipped=pd.concat(skips, ignore_index=True),
    )


def condition_folds(conditions: Sequence[str], n_folds: int, seed: int = 0) -> list[list[str]]:
    """Deal the distinct conditions into folds at random.

    Parameters
    ----------
    conditions
        Condition label of every stance (or trial).
    n_folds
        Number of folds, at least 2 and at most the number of conditions.
    seed
        Shuffling seed.

    Returns
    -------
    list of list of str
        The test conditions of each fold; every condition is in exactly one fold.

    Raises
    ------
    ConfigError
        If ``n_folds`` is out of range.

    Examples
    --------
    >>> folds = condition_folds(["a", "a", "b", "c", "d"], 2, seed=1)
    >>> sorted(c for fold in folds for c in fold)
    ['a', 'b', 'c', 'd']
    """
    distinct = sorted(set(conditions))
    if not 2 <= n_folds <= len(distinct):
        raise ConfigError(f"n_folds must be between 2 and {len(distinct)} (the number of conditions), got {n_folds}")
    order = np.random.default_rng(seed).permutation(len(distinct))
    return [[distinct[i] for i in part] for part in np.array_split(order, n_folds)]


def condition_split_evaluation(
    dataset: StanceDataset,
    *,
    n_folds: int = 5,
    preset: str | ModelPreset = "fast",
    features: FeatureSet = ALCANTARA_FEATURES,
    seed: int = 0,
    num_threads: int | None = 1,
    progress: bool = False,
) -> TransferResult:
    """Train and test the accelerometer-to-vGRF model with folds of whole conditions.

    Parameters
    ----------
    dataset
        Output of :func:`alcantara_stances`.
    n_folds
        Folds of conditions (:func:`condition_folds`).
    preset
        Model preset.
    features
        Model inputs.
    seed
        Seeds the folds and the training.
    num_threads
        Torch threads during training.
    progress
        Show progress bars.

    Returns
    -------
    TransferResult
        Per-stance errors (with ``fold``, ``trial`` and ``condition`` columns)
        and the estimated curves, in the order of the returned data set.

    Raises
    ------
    ConfigError
        If a trial would be in both training and test (cannot happen with
        condition folds; :func:`grfkit.experiment.evaluation.score_split` checks nonetheless).
    """
    conditions = dataset.meta["condition"].astype(str).to_numpy()
    test_masks = [np.isin(conditions, fold) for fold in condition_folds(conditions, n_folds, seed)]
    splits = ((dataset.subset(~is_test), dataset.subset(is_test)) for is_test in test_masks)
    result = transfer_result(score_splits(splits, targets=("vgrf",), disjoint_by="trial", preset=preset,
                                          features=features, seed=seed, num_threads=num_threads, progress=progress))
    stances, meta = result.stances, result.dataset.meta
    stances["fold"] = np.concatenate([np.full(int(is_test.sum()), fold) for fold, is_test in enumerate(test_masks)])
    for column in ("trial", "condition", "gradient_deg"):
        stances[column] = meta[column].to_numpy()
    return result


def summarise_by_trial(result: TransferResult) -> pd.DataFrame:
    """rRMSE per test trial and its mean and SD across trials.

    Parameters
    ----------
    result
        Output of :func:`condition_split_evaluation`.

    Returns
    -------
    pandas.DataFrame
        One row: ``n_trials``, ``n_stances``, ``rrmse_pct_mean``,
        ``rrmse_pct_sd`` (across trial means), ``rrmse_pct_min``, ``rrmse_pct_max``,
        ``published_rrmse_pct_mean``, ``published_rrmse_pct_sd``.
    """
    per_trial = participant_metrics(result.stances, by=["trial"])
    values = per_trial["rrmse_pct"]
    return pd.DataFrame(
        [
            {
                "n_trials": len(per_trial),
                "n_stances": len(result.stances),
                "rrmse_pct_mean": float(values.mean()),
                "rrmse_pct_sd": float(values.std(ddof=1)),
                "rrmse_pct_min": float(values.min()),
                "rrmse_pct_max": float(values.max()),
                "published_rrmse_pct_mean": PUBLISHED_RRMSE_PCT[0],
                "published_rrmse_pct_sd": PUBLISHED_RRMSE_PCT[1],
            }
        ]
    )
