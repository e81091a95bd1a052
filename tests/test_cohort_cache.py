"""Tests of grfkit.cohort_cache: build once, reuse, never serve stale data."""

from pathlib import Path

import numpy as np
import pytest

import grfkit.cohort_cache as cc
from grfkit.errors import ConfigError
from grfkit.simulate import SCALES


def test_fingerprint_is_stable_and_short() -> None:
    assert cc.source_fingerprint() == cc.source_fingerprint()
    assert len(cc.source_fingerprint()) == 12


def test_cache_dir_prefers_argument_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cc.CACHE_DIR_ENV, str(tmp_path / "env"))
    assert cc.cache_dir() == tmp_path / "env"
    assert cc.cache_dir(tmp_path / "arg") == tmp_path / "arg"
    assert (tmp_path / "arg").is_dir()


def test_prepare_cohort_builds_once_then_reuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_scale) -> None:
    monkeypatch.setitem(SCALES, "tiny", tiny_scale)
    calls = {"simulate": 0, "preprocess": 0}
    real_simulate, real_preprocess = cc.simulate_cohort, cc.preprocess_raw

    def counting_simulate(*args, **kwargs):
        calls["simulate"] += 1
        return real_simulate(*args, **kwargs)

    def counting_preprocess(*args, **kwargs):
        calls["preprocess"] += 1
        return real_preprocess(*args, **kwargs)

    monkeypatch.setattr(cc, "simulate_cohort", counting_simulate)
    monkeypatch.setattr(cc, "preprocess_raw", counting_preprocess)
    first = cc.prepare_cohort("tiny", seed=3, cache=tmp_path)
    second = cc.prepare_cohort("tiny", seed=3, cache=tmp_path)
    assert calls == {"simulate": 1, "preprocess": 1}
    assert first.raw_dir == second.raw_dir and cc.source_fingerprint() in first.raw_dir.parent.name
    np.testing.assert_array_equal(first.result.stances.inputs, second.result.stances.inputs)
    stances = cc.load_or_build_stances("tiny", seed=3, cache=tmp_path)
    assert calls == {"simulate": 1, "preprocess": 1}
    assert len(stances) == len(first.result.stances) > 0


def test_a_cohort_without_the_domain_gap_is_cached_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_scale
) -> None:
    import json

    from grfkit.simulate import NO_GAP

    monkeypatch.setitem(SCALES, "tiny", tiny_scale)
    with_gap = cc.prepare_cohort("tiny", seed=3, cache=tmp_path)
    without = cc.prepare_cohort("tiny", seed=3, cache=tmp_path, gap=NO_GAP)
    assert with_gap.raw_dir != without.raw_dir and "nogap" in without.raw_dir.parent.name
    manifest = json.loads((without.raw_dir / "dataset.json").read_text())
    assert not any(manifest["domain_gap"].values())


def test_unknown_scale_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        cc.prepare_cohort("huge", seed=0, cache=tmp_path)
