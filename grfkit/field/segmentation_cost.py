"""What finding the stances with the wearables costs the force estimate, against force plates.

In the lab a force plate cuts every stance: its initial contact, toe-off and
the speed the training chain gives it.  In the field the insole and the shoe
IMU must do both (:func:`grfkit.field.chain.wearable_stances`).
:func:`segmentation_cost` estimates, with one estimator, every plate
contact three ways -- cut by the plate (the experiment's way), cut by the
wearables but at the plate chain's speed, and cut by the wearables at the
IMU's speed (the field's way) -- and scores all three against the same
measured plate force, so that the differences are the cost of the
wearables' events and of the IMU speed alone.  Contacts are paired through
the simulator's truth (:func:`grfkit.field.truth_curves.true_stance_curves`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.errors import ConfigError
from grfkit.field.truth_curves import true_stance_curves
from grfkit.io.stances import StanceDataset
from grfkit.model.features import body_weight_n, target_channel
from grfkit.model.metrics import rrmse_pct

__all__ = ["SEGMENTATIONS", "SegmentationCost", "segmentation_cost"]

#: The three ways a plate contact is cut and given its speed, in the order of :func:`segmentation_cost`.
SEGMENTATIONS: tuple[str, ...] = ("plate events", "wearable events", "wearable events + IMU speed")


@dataclass(frozen=True)
class SegmentationCost:
    """rRMSE of one estimator's estimates of the same plate contacts, cut three ways.

    Parameters
    ----------
    stances
        One row per paired plate contact and segmentation: ``participant``,
        ``bout``, ``truth_row``, ``segmentation`` (one of
        :data:`SEGMENTATIONS`), ``target``, ``rrmse_pct`` (against the
        measured plate force), ``ic_shift_ms`` and ``to_shift_ms`` (the
        wearables' events minus the plate's, on the true clock; 0 for
        ``"plate events"``) and ``speed_mps``.
    by_participant
        Mean ``rrmse_pct`` per participant and segmentation, in the layout of
        an experiment's ``results.csv`` (``strategy`` holds the
        segmentation, ``subject`` the participant, plus ``target`` and
        ``n_stances``), so that
        :func:`grfkit.experiment.comparisons.paired_comparison` compares two
        segmentations participant by participant.
    n_plate_stances, n_paired
        Plate stances given, and those paired with a wearable stance.
    """

    stances: pd.DataFrame
    by_participant: pd.DataFrame
    n_plate_stances: int
    n_paired: int


def _take(stances: StanceDataset, rows: np.ndarray) -> StanceDataset:
    """The stances at ``rows``, in that order."""
    return dataclasses.replace(
        stances,
        meta=stances.meta.iloc[rows].reset_index(drop=True),
        inputs=stances.inputs[rows],
        targets=stances.targets[rows],
    )


def _event_error_s(truth: pd.DataFrame, rows: np.ndarray, event: str) -> np.ndarray:
    """Detected minus true ``"ic"`` or ``"to"`` of the stances at ``rows``, seconds."""
    return (truth[f"{event}_s"].to_numpy(dtype=float)[rows]
            - truth[f"true_{event}_s"].to_numpy(dtype=float)[rows])


def segmentation_cost(
    estimate_bw: Callable[[StanceDataset], np.ndarray],
    target: str,
    raw_dir: str | Path,
    plate_stances: StanceDataset,
    wearable_stances: StanceDataset,
    *,
    tolerance_s: float = 0.05,
) -> SegmentationCost:
    """Score one estimator on the plate contacts cut by the plates and by the wearables.

    Parameters
    ----------
    estimate_bw
        The estimator: stances -> force curves in body weights ``(n, n_points)``,
        e.g. ``lambda s: model.predict_bw(model.prepare_inputs(s))`` for a
        :class:`~grfkit.model.trained_model.TrainedModel`.
    target
        The force it estimates, ``"vgrf"`` or ``"apgrf"``.
    raw_dir
        The simulated raw folder both data sets come from (its ``truth/``
        pairs the contacts).
    plate_stances
        The training chain's stances of ``raw_dir`` (with measured targets),
        e.g. ``preprocess_raw(raw_dir).stances``.
    wearable_stances
        :func:`grfkit.field.chain.wearable_stances` of ``raw_dir`` (the
        speed each stance was given is its ``speed_mps``).
    tolerance_s
        Largest distance of a stance's initial contact from its true contact's start.

    Returns
    -------
    SegmentationCost
        Per stance and per participant rRMSE of each of :data:`SEGMENTATIONS`.

    Raises
    ------
    ConfigError
        If no plate contact pairs with a wearable stance.
    ChannelMismatchError
        If either data set lacks a channel the estimator needs.
    """
    channel = target_channel(target)
    plate_truth = true_stance_curves(raw_dir, plate_stances.meta, clock="lab",
                                     tolerance_s=tolerance_s).table
    field_truth = true_stance_curves(raw_dir, wearable_stances.meta, clock="insole",
                                     tolerance_s=tolerance_s).table
    field_of = pd.Series(np.arange(len(field_truth)), index=field_truth["truth_row"].to_numpy())
    field_of = field_of[field_of.index >= 0]
    plate_rows = np.flatnonzero(
        plate_truth["matched"].to_numpy() & plate_truth["truth_row"].isin(field_of.index).to_numpy()
    )
    if not len(plate_rows):
        raise ConfigError(
            f"none of the {len(plate_stances)} plate stances pairs with one of the "
            f"{len(wearable_stances)} wearable stances: are they of the same raw folder {raw_dir}?"
        )
    field_rows = field_of.loc[plate_truth["truth_row"].to_numpy()[plate_rows]].to_numpy()
    plate = _take(plate_stances, plate_rows)
    field = _take(wearable_stances, field_rows)
    at_plate_speed = dataclasses.replace(
        field, meta=field.meta.assign(speed_mps=plate.meta["speed_mps"].to_numpy())
    )
    # In float64, as the experiment's own scores (grfkit.model.metrics.stance_metrics) divide.
    measured_bw = plate.target(channel) / body_weight_n(plate)[:, None]
    # The wearables' events minus the plate's: each against its true event, so the clocks cancel.
    shift_ms = {
        event: 1000.0 * (_event_error_s(field_truth, field_rows, event)
                         - _event_error_s(plate_truth, plate_rows, event))
        for event in ("ic", "to")
    }
    rows = []
    for name, stances, shifted in (
        (SEGMENTATIONS[0], plate, False),
        (SEGMENTATIONS[1], at_plate_speed, True),
        (SEGMENTATIONS[2], field, True),
    ):
        rows.append(pd.DataFrame({
            "participant": plate.meta["participant"].to_numpy(),
            "bout": plate.meta["bout"].to_numpy(),
            "truth_row": plate_truth["truth_row"].to_numpy()[plate_rows],
            "segmentation": name,
            "target": target,
            "rrmse_pct": rrmse_pct(measured_bw, estimate_bw(stances)),
            "ic_shift_ms": shift_ms["ic"] if shifted else 0.0,
            "to_shift_ms": shift_ms["to"] if shifted else 0.0,
            "speed_mps": stances.meta["speed_mps"].to_numpy(dtype=float),
        }))
    table = pd.concat(rows, ignore_index=True)
    by_participant = (
        table.groupby(["segmentation", "participant"], sort=False)["rrmse_pct"]
        .agg(rrmse_pct="mean", n_stances="size")
        .reset_index()
        .rename(columns={"segmentation": "strategy", "participant": "subject"})
        .assign(target=target)
    )
    return SegmentationCost(
        stances=table,
        by_participant=by_participant[["strategy", "target", "subject", "rrmse_pct", "n_stances"]],
        n_plate_stances=len(plate_stances),
        n_paired=len(plate_rows),
    )
