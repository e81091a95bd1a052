"""Tests of the real-data chapter's scales."""

from __future__ import annotations

import pytest

from grfkit.errors import ConfigError
from grfkit.model.network import get_preset
from grfkit.real.transfer import real_data_preset
from grfkit.scales import REAL_DATA_SCALES, RealDataScale, get_real_scale


def test_scales_grow_from_ci_to_paper() -> None:
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
