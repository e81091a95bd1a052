"""Tests of grfkit.storage.cohort_cache: build once, reuse, never serve stale data."""

import errno
import os
import re
import shutil
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import grfkit.storage.cohort_cache as cc
from grfkit.errors import CacheError, ConfigError
from grfkit.scales import SCALES
from grfkit.storage.cache import CacheWarning
from grfkit.storage.fingerprint import PACKAGE_DIR, package_fingerprint


def test_fingerprint_is_stable_and_short() -> None:
    assert cc.source_fingerprint() == cc.source_fingerprint()
    assert len(cc.source_fingerprint()) == 12


def test_fingerprint_covers_what_simulates_and_preprocesses_and_nothing_else(tmp_path: Path) -> None:
    """Keys change with the simulator, the chain and what they import; not with models, the CLI or ground truth."""
    package = tmp_path / "grfkit"
    shutil.copytree(PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    original = package_fingerprint(cc.COHORT_SOURCES, package)
    for name, changes in (("model/network.py", False), ("cli.py", False), ("experiment/runner.py", False),
                          ("storage/cohort_cache.py", False), ("preprocess/ground_truth.py", False),
                          ("preprocess/chain.py", True), ("simulate/gait.py", True),
                          ("preprocess/filtering.py", True), ("io/stances.py", True)):
        path = package / name
        text = path.read_text()
        path.write_text(text + "\n# changed\n")
        assert (package_fingerprint(cc.COHORT_SOURCES, package) != original) == changes, name
        path.write_text(text)
    assert package_fingerprint(cc.COHORT_SOURCES, package) == original


def test_cache_dir_prefers_argument_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cc.CACHE_DIR_ENV, str(tmp_path / "env"))
    assert cc.cache_dir() == tmp_path / "env"
    assert cc.cache_dir(tmp_path / "arg") == tmp_path / "arg"
    assert (tmp_path / "arg").is_dir()


def test_prepare_cohort_builds_once_then_reuses(tmp_path: Path, counted: dict) -> None:
    calls = counted
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


# --- integrity: a damaged entry is rebuilt, with a warning naming it ---------------------------


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch, tiny_scale) -> dict:
    """Count simulations and preprocessings of the tiny cohort (the calls that compute, not the cached ones)."""
    monkeypatch.setitem(SCALES, "tiny", tiny_scale)
    calls = {"simulate": 0, "preprocess": 0}
    real_simulate, real_preprocess = cc.simulate_cohort, cc.preprocess_raw

    def counting_simulate(*args, **kwargs):
        calls["simulate"] += kwargs.get("cache", False) is False
        return real_simulate(*args, **kwargs)

    def counting_preprocess(*args, **kwargs):
        calls["preprocess"] += kwargs.get("cache", False) is False
        return real_preprocess(*args, **kwargs)

    monkeypatch.setattr(cc, "simulate_cohort", counting_simulate)
    monkeypatch.setattr(cc, "preprocess_raw", counting_preprocess)
    return calls


def test_a_damaged_stance_file_is_preprocessed_again(tmp_path: Path, counted) -> None:
    """C10: a truncated arrays.npz in the cohort cache is noticed and rebuilt from the (verified) raw folder."""
    first = cc.prepare_cohort("tiny", seed=3, cache=tmp_path)
    arrays = first.raw_dir.parent / "preprocessed" / "stances" / "arrays.npz"
    arrays.write_bytes(arrays.read_bytes()[:1000])
    with pytest.warns(CacheWarning, match=re.escape(str(arrays.parent.parent))):
        second = cc.prepare_cohort("tiny", seed=3, cache=tmp_path)
    assert counted == {"simulate": 1, "preprocess": 2}
    np.testing.assert_array_equal(second.result.stances.inputs, first.result.stances.inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cc.prepare_cohort("tiny", seed=3, cache=tmp_path)  # repaired: reused silently
    assert counted == {"simulate": 1, "preprocess": 2}


def test_a_damaged_raw_folder_is_simulated_again(tmp_path: Path, counted) -> None:
    first = cc.prepare_cohort("tiny", seed=3, cache=tmp_path)
    force = sorted(first.raw_dir.rglob("force.parquet"))[0]
    force.write_bytes(force.read_bytes()[:-100])  # caught by its size even while the stances are valid
    with pytest.warns(CacheWarning, match=re.escape(str(first.raw_dir))):
        cc.prepare_cohort("tiny", seed=3, cache=tmp_path)
    assert counted == {"simulate": 2, "preprocess": 1}
    # Flipped bytes keep the size: caught by SHA-256 before the raw folder is preprocessed again.
    data = bytearray(force.read_bytes())
    data[200:264] = bytes(b ^ 0xFF for b in data[200:264])
    force.write_bytes(bytes(data))
    shutil.rmtree(first.raw_dir.parent / "preprocessed")
    (first.raw_dir.parent / "preprocessed.manifest.json").unlink()
    with pytest.warns(CacheWarning, match="SHA-256"):
        cc.prepare_cohort("tiny", seed=3, cache=tmp_path)
    assert counted == {"simulate": 3, "preprocess": 2}


def test_a_cohort_of_another_seed_copied_in_is_not_used(tmp_path: Path, counted) -> None:
    seed3 = cc.prepare_cohort("tiny", seed=3, cache=tmp_path)
    folder = seed3.raw_dir.parent
    shutil.copytree(folder, folder.with_name(folder.name.replace("seed3", "seed4")))
    with pytest.warns(CacheWarning, match="another configuration"):
        seed4 = cc.prepare_cohort("tiny", seed=4, cache=tmp_path)
    assert counted == {"simulate": 2, "preprocess": 2}
    assert not np.array_equal(seed4.result.stances.inputs[:5], seed3.result.stances.inputs[:5])


def test_temporary_folders_of_killed_runs_are_removed_when_stale(tmp_path: Path, counted) -> None:
    """A kill during `simulate` into the cache leaves `.raw.*.tmp`; it goes once an hour old, nothing else does."""
    folder = cc.prepare_cohort("tiny", seed=3, cache=tmp_path).raw_dir.parent
    old, fresh = folder / ".raw.k1ll3d_x.tmp", folder / ".raw.st1llg0n.tmp"
    for tmp in (old, fresh):
        (tmp / "overground").mkdir(parents=True)
        (tmp / "overground" / "force.parquet").write_bytes(b"x" * 100)
    user_file = folder / ".raw.mine.tmp"
    user_file.write_text("not grfkit's")
    two_hours_ago = time.time() - 7200
    for path in (old / "overground" / "force.parquet", old / "overground", old, user_file):
        os.utime(path, (two_hours_ago, two_hours_ago))
    cc.prepare_cohort("tiny", seed=3, cache=tmp_path)
    assert not old.exists() and fresh.exists() and user_file.exists()
    assert counted == {"simulate": 1, "preprocess": 1}


def test_a_read_only_cache_gives_a_typed_error_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         counted) -> None:
    """A26c: the cache on a read-only mount (root ignores chmod, so the mount's error is injected)."""
    cache = tmp_path / "ro" / "cache"
    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if tmp_path / "ro" in (self, *self.parents):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(CacheError, match=r"Read-only file system.*GRFKIT_CACHE_DIR") as raised:
        cc.prepare_cohort("tiny", seed=3, cache=cache)
    assert str(cache) in str(raised.value)
    monkeypatch.undo()
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    with pytest.raises(CacheError, match=re.escape(str(a_file))):
        cc.cache_dir(a_file / "cache")
    assert counted == {"simulate": 0, "preprocess": 0}


def test_a_full_disk_while_simulating_gives_a_typed_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          tiny_scale) -> None:
    """A27b (cohort side): no traceback, the folder named; the next run starts cleanly."""
    monkeypatch.setitem(SCALES, "tiny", tiny_scale)

    real_simulate = cc.simulate_cohort

    def disk_full(config, seed, out_dir=None, cache=False, **kwargs):
        if cache is not False:  # the front door: on to the cache, which simulates into out_dir
            return real_simulate(config, seed, cache=cache, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device", str(out_dir / "overground" / "force.parquet"))

    monkeypatch.setattr(cc, "simulate_cohort", disk_full)
    with pytest.raises(CacheError, match="No space left on device") as raised:
        cc.prepare_cohort("tiny", seed=3, cache=tmp_path)
    assert "force.parquet" in str(raised.value)
