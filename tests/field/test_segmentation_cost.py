"""The cost of wearable segmentation: the same plate contacts cut by the plate and by the wearables."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from grfkit.constants import GRAVITY_MPS2
from grfkit.errors import ConfigError
from grfkit.experiment.comparisons import paired_comparison
from grfkit.experiment.strategies import train_strategy
from grfkit.field.chain import FieldConfig, wearable_stances
from grfkit.field.segmentation_cost import SEGMENTATIONS, segmentation_cost
from grfkit.model.metrics import evaluate


def _estimator(model):
    return lambda stances: model.predict_bw(model.prepare_inputs(stances))


@pytest.fixture(scope="module")
def field_stances(tiny_raw: Path):
    return wearable_stances(tiny_raw, config=FieldConfig(speed_source="imu"))[0]


@pytest.fixture
def model(tiny_result, tiny_preset):
    return train_strategy("overground", tiny_result.stances, target="vgrf", preset=tiny_preset, seed=0)


def test_three_segmentations_of_every_paired_contact(tiny_raw, tiny_result, field_stances, model) -> None:
    plate = tiny_result.stances
    cost = segmentation_cost(_estimator(model), "vgrf", tiny_raw, plate, field_stances)
    assert cost.n_plate_stances == len(plate) and cost.n_paired == len(plate)  # all found (tiny cohort, seed 3)
    table = cost.stances
    assert len(table) == 3 * cost.n_paired
    assert list(table["segmentation"].unique()) == list(SEGMENTATIONS)
    by = {name: rows.reset_index(drop=True) for name, rows in table.groupby("segmentation", sort=False)}
    # Cut by the plate: exactly the experiment's score of these stances.
    weight_n = plate.meta["body_mass_kg"].to_numpy()[:, None] * GRAVITY_MPS2
    estimated_n = model.predict_bw(model.prepare_inputs(plate)) * weight_n
    expected = evaluate(plate, estimated_n, "vgrf")["rrmse_pct"].to_numpy()
    np.testing.assert_allclose(by["plate events"]["rrmse_pct"], expected, rtol=1e-9)
    assert (by["plate events"]["ic_shift_ms"] == 0).all()
    # The wearables' events: IC within a few ms of the plate's; TO later (the insole unloads late).
    shifted = by["wearable events"]
    assert np.median(np.abs(shifted["ic_shift_ms"])) < 3.0
    assert 0.0 < np.median(shifted["to_shift_ms"]) < 10.0
    # Same events; only the speed differs between the last two.
    np.testing.assert_array_equal(shifted["speed_mps"], by["plate events"]["speed_mps"])
    imu = by["wearable events + IMU speed"]
    np.testing.assert_array_equal(imu["ic_shift_ms"], shifted["ic_shift_ms"])
    assert not np.array_equal(imu["speed_mps"], shifted["speed_mps"])
    # Per participant, in the layout the paired statistics read.
    result = paired_comparison(cost.by_participant, SEGMENTATIONS[2], SEGMENTATIONS[0], target="vgrf")
    assert result["n_participants"] == len(plate.participants)


def test_stances_of_another_recording_do_not_pair(tiny_raw, tiny_result, field_stances, model) -> None:
    later = field_stances.meta.assign(ic_s=field_stances.meta["ic_s"] + 0.3)
    elsewhere = dataclasses.replace(field_stances, meta=later)
    with pytest.raises(ConfigError, match="pairs with"):
        segmentation_cost(_estimator(model), "vgrf", tiny_raw, tiny_result.stances, elsewhere)
