"""Tests of grfkit.model.history: the per-epoch table and the JSON round trip."""

import dataclasses
import json

import numpy as np
import pytest

from grfkit.model.history import TrainingHistory


def _history(validation: tuple[float, ...] = (0.3, 0.2)) -> TrainingHistory:
    return TrainingHistory(phase="fit", step_loss=(0.9, 0.5, 0.4, 0.3), epoch_loss=(0.7, 0.35),
                           validation_loss=validation, n_stances=40, participants=("A", "B"),
                           validation_participants=("C",) if validation else (), learning_rate=1e-3,
                           batch_size=20, epochs=2, trainable="all", seed=0, wall_time_s=2.0)


def test_to_frame_has_one_row_per_epoch() -> None:
    frame = _history().to_frame()
    assert list(frame.columns) == ["phase", "epoch", "train_loss", "validation_loss"]
    assert frame["epoch"].tolist() == [1, 2] and frame["validation_loss"].tolist() == [0.3, 0.2]
    assert np.isnan(_history(validation=()).to_frame()["validation_loss"]).all()


def test_json_round_trip_and_throughput() -> None:
    history = _history()
    assert TrainingHistory.from_dict(json.loads(json.dumps(history.to_dict()))) == history
    assert history.stances_per_s == 40 * 2 / 2.0
    assert np.isnan(TrainingHistory.from_dict({**history.to_dict(), "wall_time_s": 0.0}).stances_per_s)


def test_best_epoch_and_overfitting_rule() -> None:
    falling = _history(validation=(0.3, 0.2))
    assert falling.best_epoch() == 2 and not falling.overfits()
    rising = _history(validation=(0.2, 0.3))  # training loss 0.7 -> 0.35 keeps falling
    assert rising.best_epoch() == 1 and rising.overfits()
    flat_training = dataclasses.replace(rising, epoch_loss=(0.35, 0.7))
    assert not flat_training.overfits()
    assert not _history(validation=(0.2,)).overfits()
    with pytest.raises(ValueError, match="fit phase has no validation loss"):
        _history(validation=()).best_epoch()
