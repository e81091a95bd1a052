"""Tests of grfkit.experiment.store: fingerprints, results folders, and a fold cache that never serves wrong entries."""

import errno
import json
import re
import shutil
import tempfile

import numpy as np
import pandas as pd
import pytest
import torch

import grfkit.experiment.store as store
from grfkit.errors import CacheError, MissingFileError
from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.runner import run_experiment
from grfkit.experiment.store import (
    CacheContext,
    code_fingerprint,
    default_results_dir,
    load_results,
    stance_fingerprint,
)
from grfkit.io.stances import StanceDataset
from grfkit.storage.cache import CacheWarning
from grfkit.storage.cohort_cache import CACHE_DIR_ENV

OVERGROUND = ("OG01", "OG02", "OG03")


# --- fingerprints and results folders ------------------------------------------------


def test_stance_fingerprint_follows_content(stances) -> None:
    assert stance_fingerprint(stances) == stance_fingerprint(StanceDataset.concat([stances]))
    changed = stances.inputs.copy()
    changed[0, 0, 0] += 1e-3
    other = StanceDataset(stances.meta, changed, stances.targets, stances.input_channels, stances.target_channels)
    assert stance_fingerprint(other) != stance_fingerprint(stances)
    meta = stances.meta.copy()
    meta.loc[0, "body_mass_kg"] += 1.0
    other = StanceDataset(meta, stances.inputs, stances.targets, stances.input_channels, stances.target_channels)
    assert stance_fingerprint(other) != stance_fingerprint(stances)
    assert len(code_fingerprint()) == 64 and code_fingerprint() == code_fingerprint()


def test_default_results_dir_is_per_config(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    a = default_results_dir(ExperimentConfig(scale="book", seed=0))
    assert a.parent == tmp_path / "results" and a.name.startswith("book-seed0-fast-")
    assert a == default_results_dir(ExperimentConfig(scale="book", seed=0))
    assert a != default_results_dir(ExperimentConfig(scale="book", seed=0, targets=("vgrf",)))


def test_load_results_gives_back_what_the_run_wrote(run, config, stances, tmp_path) -> None:
    results = run(config, stances, tmp_path, "out")
    text = results.summary()
    loaded = load_results(tmp_path / "out")
    pd.testing.assert_frame_equal(loaded.table, results.table, check_dtype=False)
    assert loaded.summary() == text
    np.testing.assert_array_equal(loaded.curves()["estimated_n"], results.curves()["estimated_n"])
    (tmp_path / "out" / "curves.npz").unlink()
    with pytest.raises(MissingFileError):
        load_results(tmp_path / "out").curves()
    with pytest.raises(MissingFileError, match="results.csv"):
        load_results(tmp_path / "nothing")
    origin = loaded.origin().splitlines()
    made = loaded.provenance
    assert len(origin) == 6 and origin[2] == f"command: {made.get('command') or 'not recorded'}"
    assert f"preset {config.model_preset.name}" in origin[3] and f"device {made['device']}" in origin[3]
    assert origin[5].endswith(f"wall time {made['wall_time_s'] / 60:.1f} min")


def test_origin_names_what_an_older_provenance_lacks() -> None:
    old = store.ExperimentResults(table=pd.DataFrame(), stances=pd.DataFrame(), timings=pd.DataFrame(),
                                  provenance={"git": {"commit": "a" * 40, "dirty": False}, "wall_time_s": 90.0})
    lines = old.origin().splitlines()
    assert lines[1] == "commit aaaaaaaaaaaa, uncommitted changes: False"
    assert lines[2] == "command: not recorded" and "device not recorded" in lines[3]
    assert lines[5].endswith("wall time 1.5 min")


def test_cache_writes_are_atomic(config, stances, tmp_path, monkeypatch) -> None:
    """A fold killed while being stored leaves no entry a later run would mistake for finished."""
    original = np.savez_compressed
    calls = []

    def dies_on_third_write(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(store.np, "savez_compressed", dies_on_third_write)
    cache = tmp_path / "cache"
    with pytest.raises(OSError, match="disk full"):
        run_experiment(config, tmp_path / "out", stances=stances, cache_dir=cache, progress=False)
    monkeypatch.undo()
    entries = list((cache / "folds").iterdir())
    assert len(entries) == 2  # no temporary or partial folders
    assert all(sorted(p.name for p in e.iterdir()) == ["curves.npz", "fold.json", "manifest.json", "stances.parquet"]
               for e in entries)
    assert not (tmp_path / "out").exists()
    results = run_experiment(config, tmp_path / "out", stances=stances, cache_dir=cache, progress=False)
    assert results.provenance["n_fits_cached"] == 2 + 1  # two folds and the pre-training
    assert len(list((cache / "folds").iterdir())) == 18
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp") or ".old-" in p.name]


# --- cache integrity: damaged, foreign or altered entries are recomputed, never used ---------


def _entry(cache, strategy: str, subject: str):
    """The fold entry of one strategy and held-out participant (from its manifest)."""
    for folder in (cache / "folds").iterdir():
        key = json.loads((folder / "manifest.json").read_text())["key"]
        if (key["strategy"], key["subject"]) == (strategy, subject):
            return folder
    raise AssertionError(f"no fold {strategy}/{subject}")


def _truncate(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _flip64(path):
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    path.write_bytes(bytes(data))


DAMAGED_FOLDS = [
    ("C9a", "curves.npz", _truncate),
    ("C9b", "stances.parquet", _truncate),
    ("C9c", "fold.json", _truncate),
    ("C9d", "curves.npz", lambda p: p.write_bytes(b"")),
    ("C9e", "stances.parquet", _flip64),
    ("manifest", "manifest.json", _truncate),
]


def test_a_damaged_fold_entry_is_recomputed_with_a_warning(run, small, stances, tmp_path, fit_counter) -> None:
    """C9a-e: truncated, emptied or flipped cache files: a warning naming the entry, then the same results."""
    cache = tmp_path / "cache"
    reference = run(small, stances, tmp_path, "reference", cache_dir=cache)
    for case, name, damage in DAMAGED_FOLDS:
        entry = _entry(cache, "overground", "OG02")
        damage(entry / name)
        fit_counter.update(fit=0, fine_tune=0)
        with pytest.warns(CacheWarning, match=re.escape(str(entry))):
            again = run(small, stances, tmp_path, case, cache_dir=cache)
        assert again.provenance["n_fits_computed"] == 1 and fit_counter == {"fit": 1, "fine_tune": 0}, case
        assert (tmp_path / case / "results.csv").read_bytes() == (tmp_path / "reference" / "results.csv").read_bytes()
    pd.testing.assert_frame_equal(again.table, reference.table)


def test_another_folds_files_copied_in_are_not_used(run, small, stances, tmp_path) -> None:
    """C9f: another fold's valid files in an entry (with or without its manifest) never give its numbers."""
    cache = tmp_path / "cache"
    reference = run(small, stances, tmp_path, "reference", cache_dir=cache)
    source, target = _entry(cache, "transfer", "OG02"), _entry(cache, "overground", "OG02")
    for name in ("stances.parquet", "curves.npz"):
        shutil.copy(source / name, target / name)
    with pytest.warns(CacheWarning, match=re.escape(str(target))):
        run(small, stances, tmp_path, "files", cache_dir=cache)
    shutil.copy(source / "manifest.json", target / "manifest.json")
    shutil.copy(source / "fold.json", target / "fold.json")
    # (an overground fold is keyed on the overground stances only, a transfer fold on all of them)
    with pytest.warns(CacheWarning, match=r"another configuration \(differs in \['data', 'strategy'\]"):
        again = run(small, stances, tmp_path, "whole", cache_dir=cache)
    assert again.provenance["n_fits_computed"] == 1
    assert (tmp_path / "whole" / "results.csv").read_bytes() == (tmp_path / "reference" / "results.csv").read_bytes()
    pd.testing.assert_frame_equal(again.table, reference.table)


def test_a_damaged_pretrained_model_is_trained_again(run, small, stances, tmp_path, fit_counter) -> None:
    """C9g: a truncated pre-trained model with all folds cached: no crash, trained again."""
    cache = tmp_path / "cache"
    run(small, stances, tmp_path, "reference", cache_dir=cache)
    (model_dir,) = (cache / "pretrained").iterdir()
    _truncate(model_dir / "weights.pt")
    fit_counter.update(fit=0, fine_tune=0)
    with pytest.warns(CacheWarning, match=re.escape(str(model_dir))):
        again = run(small, stances, tmp_path, "again", cache_dir=cache)
    assert fit_counter == {"fit": 1, "fine_tune": 0} and again.provenance["n_fits_computed"] == 1
    assert (tmp_path / "again" / "results.csv").read_bytes() == (tmp_path / "reference" / "results.csv").read_bytes()


def test_an_altered_pretrained_model_is_not_used_by_its_folds(run, small, stances, tmp_path, fit_counter) -> None:
    """C9h: weights x3 (a valid file) and the dependent folds removed: the model is trained again first."""
    cache = tmp_path / "cache"
    run(small, stances, tmp_path, "reference", cache_dir=cache)
    (model_dir,) = (cache / "pretrained").iterdir()
    state = torch.load(model_dir / "weights.pt", weights_only=True)
    torch.save({k: v * 3 for k, v in state.items()}, model_dir / "weights.pt")
    for subject in OVERGROUND:
        shutil.rmtree(_entry(cache, "transfer", subject))
    fit_counter.update(fit=0, fine_tune=0)
    with pytest.warns(CacheWarning, match=re.escape(str(model_dir / "weights.pt"))):
        again = run(small, stances, tmp_path, "again", cache_dir=cache)
    assert fit_counter == {"fit": 1, "fine_tune": 3} and again.provenance["n_fits_computed"] == 1 + 3
    assert (tmp_path / "again" / "results.csv").read_bytes() == (tmp_path / "reference" / "results.csv").read_bytes()


def test_a_read_only_cache_is_a_typed_error_before_any_training(run, small, stances, tmp_path, monkeypatch,
                                                                 fit_counter) -> None:
    """A26c: the cache on a read-only mount (root ignores chmod, so the mount's errors are injected).

    A complete cache can still be read; one that lacks an entry fails with a CacheError naming it
    before anything is trained.
    """
    cache = tmp_path / "ro" / "cache"
    run(small, stances, tmp_path, "first", cache_dir=cache)
    path_type = type(cache)
    real_mkdir = path_type.mkdir

    def on_the_mount(path) -> bool:
        return tmp_path / "ro" in path_type(path).parents

    def mkdir(self, *args, **kwargs):
        if on_the_mount(self) and not self.exists():
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *args, **kwargs)

    def make_temporary(real):
        def call(*args, dir=None, **kwargs):
            if dir is not None and on_the_mount(path_type(dir) / "x"):
                raise OSError(errno.EROFS, "Read-only file system", str(dir))
            return real(*args, dir=dir, **kwargs)

        return call

    monkeypatch.setattr(path_type, "mkdir", mkdir)
    for name in ("mkstemp", "mkdtemp"):
        monkeypatch.setattr(tempfile, name, make_temporary(getattr(tempfile, name)))
    fit_counter.update(fit=0, fine_tune=0)
    again = run(small, stances, tmp_path, "again", cache_dir=cache)
    assert again.provenance["n_fits_computed"] == 0
    shutil.rmtree(_entry(cache, "overground", "OG03"))
    with pytest.raises(CacheError, match=re.escape(str(cache))):
        run(small, stances, tmp_path, "out", cache_dir=cache)
    assert fit_counter == {"fit": 0, "fine_tune": 0}
    monkeypatch.undo()
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    with pytest.raises(CacheError, match="Not a directory"):
        run(small, stances, tmp_path, "out", cache_dir=a_file / "cache")


def test_a_full_disk_while_caching_a_fold_is_a_typed_error_and_the_rerun_resumes(
    run, small, stances, tmp_path, monkeypatch
) -> None:
    """A27b: ENOSPC while a fold is stored: CacheError naming the entry; complete entries kept, none partial."""
    original = np.savez_compressed
    calls = []

    def full_on_third(file, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return original(file, *args, **kwargs)

    monkeypatch.setattr(store.np, "savez_compressed", full_on_third)
    cache = tmp_path / "cache"
    with pytest.raises(CacheError, match=r"No space left on device.*cache clear --stale") as raised:
        run(small, stances, tmp_path, "out", cache_dir=cache)
    assert str(cache / "folds") in str(raised.value)
    monkeypatch.undo()
    assert len(list((cache / "folds").iterdir())) == 2
    results = run(small, stances, tmp_path, "out", cache_dir=cache)
    assert results.provenance["n_fits_cached"] == 2 + 1



def test_presets_that_train_alike_share_one_pretraining_key_and_folds_do_not() -> None:
    """The name and the fine-tuning settings do not change pre-training; every other field does."""
    from dataclasses import replace

    from grfkit.model.presets import get_preset

    fast = get_preset("fast")
    variant = replace(fast, name="fast-ft-head", fine_tune_trainable="head", fine_tune_lr_factor=0.1)
    wider = replace(fast, name="fast-h64", hidden_size=64)

    def context(preset) -> CacheContext:
        return CacheContext(preset=preset.to_dict(), features={}, seed=0, num_threads=1, data="d",
                            treadmill_data="t", overground_data="o", code="c", device="cpu")

    assert context(fast).pretrain_parts("vgrf") == context(variant).pretrain_parts("vgrf")
    assert context(fast).pretrain_parts("vgrf") != context(wider).pretrain_parts("vgrf")
    assert context(fast).fold_parts("transfer", "vgrf", "OG01") != context(variant).fold_parts("transfer", "vgrf",
                                                                                                  "OG01")
