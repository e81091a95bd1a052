"""Tests of the treadmill LOSO and treadmill-to-overground evaluation."""

from __future__ import annotations

import numpy as np
import pytest

import grfkit.experiment.strategies as strategies
from grfkit.experiment.strategies import exaggerate_participant, identical_fit
from grfkit.real.transfer import (
    leave_one_subject_out,
    summarise_transfer,
    train_and_test,
)


def _recording_fit(monkeypatch) -> list[list[str]]:
    """Replace the evaluation loop's fit by a wrapper that records the training participants of every call."""
    seen: list[list[str]] = []
    real_fit = strategies.fit

    def spy(dataset, **kwargs):
        seen.append(list(dataset.participants))
        return real_fit(dataset, **kwargs)

    monkeypatch.setattr(strategies, "fit", spy)
    return seen


def test_leave_one_subject_out_never_trains_on_the_held_out_runner(monkeypatch, stance_factory, tiny_preset) -> None:
    data = stance_factory(participants=("A", "B", "C"), stances_per_participant=4, dataset="treadmill")
    seen = _recording_fit(monkeypatch)
    result = leave_one_subject_out(data, preset=tiny_preset, progress=False)
    assert len(seen) == 6  # 3 folds x 2 targets
    for held_out, training in zip(["A", "A", "B", "B", "C", "C"], seen, strict=True):
        assert held_out not in training and len(training) == 2
    assert len(result.stances) == 2 * len(data)
    assert set(result.stances["target"]) == {"vgrf", "apgrf"}
    assert result.estimates["vgrf"].shape == (len(data), 101)
    assert list(result.dataset.meta["participant"]) == list(result.stances.query("target == 'vgrf'")["participant"])
    summary = summarise_transfer(result)
    assert list(summary["target"]) == ["vgrf", "apgrf"]
    assert (summary["n_participants"] == 3).all() and (summary["n_stances"] == len(data)).all()
    assert np.isfinite(summary["rrmse_pct_mean"]).all()


def test_train_and_test_estimates_every_test_stance(stance_factory, tiny_preset) -> None:
    train = stance_factory(participants=("A", "B"), stances_per_participant=4, dataset="treadmill")
    test = stance_factory(participants=("Z",), stances_per_participant=3, seed=5)
    result = train_and_test(train, test, targets=("vgrf",), preset=tiny_preset, progress=False)
    assert result.estimates["vgrf"].shape == (3, 101)
    assert (result.stances["participant"] == "Z").all()
    by_bout = summarise_transfer(result, by=("target", "bout"))
    assert by_bout["n_stances"].tolist() == [3]
    assert by_bout["rrmse_pct_mean"].iloc[0] == pytest.approx(result.stances["rrmse_pct"].mean())


def test_the_held_out_runner_touches_nothing_fitted(monkeypatch, stance_factory, tiny_preset) -> None:
    """Extreme inputs, forces and body mass of the held-out runner leave its fold's models bit-identical."""
    models = []
    real_fit = strategies.fit

    def keep(dataset, **kwargs):
        models.append(real_fit(dataset, **kwargs))
        return models[-1]

    monkeypatch.setattr(strategies, "fit", keep)
    data = stance_factory(participants=("A", "B", "C"), stances_per_participant=4, dataset="treadmill")
    normal = leave_one_subject_out(data, participants=["B"], preset=tiny_preset)
    extreme = exaggerate_participant(data, "B", factor=1000.0, target_factor=1000.0, mass_factor=3.0)
    leaked = leave_one_subject_out(extreme, participants=["B"], preset=tiny_preset)
    assert len(models) == 4 and all(identical_fit(a, b) for a, b in zip(models[:2], models[2:], strict=True))
    assert not np.array_equal(normal.estimates["vgrf"], leaked.estimates["vgrf"])
