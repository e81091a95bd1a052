"""Permutation feature importance per input channel.

:func:`permutation_importance` shuffles one channel at a time across the
test stances (whole curves or static values; every other channel stays in
place), measures the model's rRMSE again and reports the increase over the
unshuffled rRMSE (percentage points) and the RMSE ratio.  rRMSE is
aggregated as in :mod:`grfkit.model.metrics`.  Chapter 4 of the book
explains how to read the result.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from grfkit.errors import ChannelMismatchError, ConfigError
from grfkit.io.stances import StanceDataset
from grfkit.model.features import build_targets
from grfkit.model.metrics import rmse, rrmse_pct
from grfkit.model.trained_model import TrainedModel
from grfkit.model.training import torch_threads

__all__ = ["permutation_importance"]


def _aggregate(per_stance: np.ndarray, participants: np.ndarray) -> float:
    """Mean over participants of the per-participant mean."""
    frame = pd.DataFrame({"participant": participants, "value": per_stance})
    return float(frame.groupby("participant", sort=False)["value"].mean().mean())


def permutation_importance(
    model: TrainedModel,
    dataset: StanceDataset,
    *,
    channels: Sequence[str] | None = None,
    n_repeats: int = 5,
    seed: int = 0,
    batch_size: int = 512,
    num_threads: int | None = None,
) -> pd.DataFrame:
    """Increase in rRMSE when one input channel is shuffled across stances.

    Parameters
    ----------
    model
        A trained model.
    dataset
        Test stances (e.g. the held-out participant), at least 2.
    channels
        Channels to test; default every channel of ``model.features``.
    n_repeats
        Shuffles per channel (each a fresh permutation); results are averaged.
    seed
        Seeds the permutations (``numpy.random.default_rng``).
    batch_size
        Stances per forward pass.
    num_threads
        Torch threads for this call (``None``: leave unchanged).

    Returns
    -------
    pandas.DataFrame
        One row per channel, sorted by decreasing importance: ``channel``,
        ``kind`` (``"signal"`` or ``"static"``), ``baseline_rrmse_pct``,
        ``permuted_rrmse_pct`` (mean over repeats), ``increase_pp`` (mean
        increase, percentage points), ``increase_sd_pp`` (SD over repeats),
        ``rmse_ratio`` (mean permuted RMSE / baseline RMSE, over stances and
        repeats), ``n_repeats``.

    Raises
    ------
    ChannelMismatchError
        If ``channels`` names a channel the model does not use, or the data set
        lacks the model's channels.
    ConfigError
        If there are fewer than 2 stances or ``n_repeats`` < 1.
    """
    names = list(model.features.channels if channels is None else channels)
    unknown = [c for c in names if c not in model.features.channels]
    if unknown:
        raise ChannelMismatchError(f"the model does not use channels {unknown}; it uses {list(model.features.channels)}")
    if len(dataset) < 2:
        raise ConfigError("permutation importance needs at least 2 stances")
    if n_repeats < 1:
        raise ConfigError(f"n_repeats must be at least 1, got {n_repeats}")
    inputs = model.prepare_inputs(dataset)
    measured = build_targets(dataset, model.target).astype(np.float64)
    # In body weights: rRMSE and the RMSE ratio are the same as in newtons.
    participants = dataset.meta["participant"].astype(str).to_numpy()
    rng = np.random.default_rng(seed)
    rows = []
    with torch_threads(num_threads):
        baseline_estimate = model.predict_bw(inputs, batch_size=batch_size)
        baseline_rrmse = _aggregate(rrmse_pct(measured, baseline_estimate), participants)
        baseline_rmse = rmse(measured, baseline_estimate)
        for channel in names:
            j = model.features.channels.index(channel)
            increases, ratios = [], []
            for _ in range(n_repeats):
                permuted = inputs.copy()
                permuted[:, :, j] = inputs[rng.permutation(len(inputs)), :, j]
                estimate = model.predict_bw(permuted, batch_size=batch_size)
                increases.append(_aggregate(rrmse_pct(measured, estimate), participants) - baseline_rrmse)
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratios.append(np.nanmean(rmse(measured, estimate) / baseline_rmse))
            rows.append(
                {
                    "channel": channel,
                    "kind": "static" if channel in model.features.static else "signal",
                    "baseline_rrmse_pct": baseline_rrmse,
                    "permuted_rrmse_pct": baseline_rrmse + float(np.mean(increases)),
                    "increase_pp": float(np.mean(increases)),
                    "increase_sd_pp": float(np.std(increases)),
                    "rmse_ratio": float(np.mean(ratios)),
                    "n_repeats": n_repeats,
                }
            )
    table = pd.DataFrame(rows)
    return table.sort_values("increase_pp", ascending=False, kind="stable").reset_index(drop=True)
