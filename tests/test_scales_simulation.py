"""Tests of the simulation scales."""

from __future__ import annotations

import pytest

from grfkit.errors import ConfigError
from grfkit.scales import SCALES, TREADMILL_CONDITIONS, ScaleConfig, get_scale


def test_paper_scale_follows_the_study() -> None:
    paper = get_scale("paper")
    assert paper.overground_participants == 15 and paper.overground_duration_s == 120.0
    assert paper.overground_bouts == ("slow", "medium", "fast")
    assert paper.treadmill_participants == 50 and paper.treadmill_conditions == TREADMILL_CONDITIONS
    assert len(TREADMILL_CONDITIONS) == 10 and "fixed_level" in TREADMILL_CONDITIONS


def test_scales_grow_from_ci_to_paper() -> None:
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
def test_invalid_scale_configs_are_rejected(kwargs) -> None:
    base = dict(
        name="x",
        overground_participants=1,
        overground_bouts=("slow",),
        overground_duration_s=20.0,
        treadmill_participants=1,
        treadmill_conditions=("medium_level",),
        treadmill_duration_s=10.0,
    )
    with pytest.raises(ConfigError):
        ScaleConfig(**{**base, **kwargs})


def test_scales_are_nested() -> None:
    ci, book, paper = (SCALES[n] for n in ("ci", "book", "paper"))
    for small, large in ((ci, book), (book, paper)):
        assert set(small.overground_bouts) <= set(large.overground_bouts)
        assert set(small.treadmill_conditions) <= set(large.treadmill_conditions)
        assert small.overground_duration_s == large.overground_duration_s
        assert small.treadmill_duration_s == large.treadmill_duration_s
