"""Tests of the keyed random generators."""

from __future__ import annotations

import pytest

from grfkit.simulate.seeds import child_rng


def test_same_keys_same_stream_different_keys_different_stream() -> None:
    a = child_rng(3, "overground", "OG01").normal(size=5)
    b = child_rng(3, "overground", "OG01").normal(size=5)
    c = child_rng(3, "overground", "OG02").normal(size=5)
    d = child_rng(4, "overground", "OG01").normal(size=5)
    assert (a == b).all()
    assert not (a == c).any() and not (a == d).any()


def test_key_order_matters() -> None:
    assert child_rng(0, "a", "b").random() != child_rng(0, "b", "a").random()


def test_negative_seed_is_rejected() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        child_rng(-1, "x")
