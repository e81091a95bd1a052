"""Tests of grfkit.scales: the simulation sizes, the model preset and the real-data scale of each scale."""

from __future__ import annotations

import dataclasses

import pytest

from grfkit.errors import ConfigError
from grfkit.model.presets import PRESETS, get_preset
from grfkit.real.transfer import real_data_preset
from grfkit.scales import (
    REAL_DATA_SCALES,
    SCALE_PRESETS,
    SCALES,
    TREADMILL_CONDITIONS,
    RealDataScale,
    get_real_scale,
    get_scale,
    preset_for_scale,
)

# --------------------------------------------------------------------------- simulation sizes


def test_paper_scale_follows_the_study() -> None:
    paper = get_scale("paper")
    assert paper.overground_participants == 15 and paper.overground_duration_s == 120.0
    assert paper.overground_bouts == ("slow", "medium", "fast")
    assert paper.treadmill_participants == 50 and paper.treadmill_conditions == TREADMILL_CONDITIONS
    assert len(TREADMILL_CONDITIONS) == 10 and "fixed_level" in TREADMILL_CONDITIONS


def test_simulation_scales_grow_from_ci_to_paper() -> None:
    ci, book, paper = (SCALES[n] for n in ("ci", "book", "paper"))
    for field in ("overground_participants", "treadmill_participants"):
        assert getattr(ci, field) < getattr(book, field) < getattr(paper, field)


def test_get_scale_passes_configs_through_and_rejects_unknown_names() -> None:
    assert get_scale(SCALES["ci"]) is SCALES["ci"]
    with pytest.raises(ConfigError, match="unknown scale"):
        get_scale("huge")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"overground_bouts": ("sprint",)},
        {"treadmill_conditions": ("fast_steep",)},
        {"overground_participants": -1},
        {"treadmill_duration_s": 5.0},
    ],
)
def test_invalid_scale_configs_are_rejected(tiny_scale, kwargs) -> None:
    with pytest.raises(ConfigError):
        dataclasses.replace(tiny_scale, **kwargs)
    dataclasses.replace(tiny_scale, overground_duration_s=10.0, treadmill_duration_s=10.0)  # the shortest valid


def test_scales_are_nested() -> None:
    ci, book, paper = (SCALES[n] for n in ("ci", "book", "paper"))
    for small, large in ((ci, book), (book, paper)):
        assert set(small.overground_bouts) <= set(large.overground_bouts)
        assert set(small.treadmill_conditions) <= set(large.treadmill_conditions)
        assert small.overground_duration_s == large.overground_duration_s
        assert small.treadmill_duration_s == large.treadmill_duration_s


# --------------------------------------------------------------------------- real-data scales


def test_real_data_scales_grow_from_ci_to_paper() -> None:
    ci, book, paper = (get_real_scale(name) for name in ("ci", "book", "paper"))
    assert ci.loso_participants < book.loso_participants == paper.loso_participants == 10
    assert ci.min_steps < book.min_steps < paper.min_steps
    assert ci.alcantara_folds >= 2 and book.alcantara_folds >= ci.alcantara_folds


def test_preset_is_the_fast_architecture_with_the_scale_training_length() -> None:
    preset = real_data_preset("book")
    fast = get_preset("fast")
    assert preset.hidden_size == fast.hidden_size and preset.dense_sizes == fast.dense_sizes
    assert preset.min_steps == REAL_DATA_SCALES["book"].min_steps and preset.epochs == 1


def test_get_real_scale_passes_objects_and_rejects_unknown_names() -> None:
    custom = RealDataScale("mine", 3, 10, 2, 1, 10.0, 20.0)
    assert get_real_scale(custom) is custom
    with pytest.raises(ConfigError):
        get_real_scale("huge")


def test_preset_for_scale() -> None:
    assert preset_for_scale("ci") == "ci" and preset_for_scale("book") == preset_for_scale("paper") == "fast"
    assert set(SCALE_PRESETS.values()) <= set(PRESETS)
    with pytest.raises(ConfigError, match="unknown scale"):
        preset_for_scale("huge")
