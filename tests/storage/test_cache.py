"""Tests of grfkit.storage.cache and cache_entries: listing and clearing grfkit's caches, never anything else."""

import json
import os
import threading
import time
from pathlib import Path

import pytest

import grfkit.experiment.store as experiment
import grfkit.storage.cohort_cache as cc
from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.runner import run_experiment
from grfkit.io.stances import StanceDataset
from grfkit.scales import SCALES
from grfkit.storage.cache import ensure_writable, remove_stale_temporaries
from grfkit.storage.cache_entries import cache_table, clear_cache

COLUMNS = ["kind", "key", "path", "size_mb", "modified", "current"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_scale, tiny_preset, stance_factory) -> Path:
    """A cache with a cohort, an experiment's folds and pre-trained model, a results folder, an entry of an
    older grfkit, temporary folders of killed runs, and files of the user's own."""
    root = tmp_path / "cache"
    monkeypatch.setenv(cc.CACHE_DIR_ENV, str(root))
    monkeypatch.setitem(SCALES, "tiny", tiny_scale)
    cc.prepare_cohort("tiny", seed=3)
    stances = StanceDataset.concat([
        stance_factory(participants=("OG01", "OG02", "OG03"), stances_per_participant=3, seed=1),
        stance_factory(participants=("TM01",), stances_per_participant=4, seed=2, dataset="treadmill"),
    ])
    config = ExperimentConfig(preset=tiny_preset, strategies=("overground", "transfer"), targets=("vgrf",))
    run_experiment(config, root / "results" / "tiny-run", stances=stances, cache_dir=root / "experiments",
                   progress=False)
    legacy = root / "experiments" / "folds" / ("ab" * 12)
    legacy.mkdir()
    (legacy / "fold.json").write_text(json.dumps({"key": legacy.name, "strategy": "combined", "target": "vgrf",
                                                  "subject": "OG09"}))
    (legacy / "curves.npz").write_bytes(b"x" * 5000)
    old_cohort = root / "cohort-ci-seed0-0123456789ab"  # written by a grfkit without manifests
    (old_cohort / "raw").mkdir(parents=True)
    (old_cohort / "raw" / "dataset.json").write_text(json.dumps({"format": "grfkit-raw", "version": 1}))
    (old_cohort / "raw" / "force.parquet").write_bytes(b"f" * 4000)
    two_hours_ago = time.time() - 7200
    for name, age in ((".0123456789abcdef01234567.k1ll3d_x.tmp", two_hours_ago), (".x.st1llg0n.tmp", time.time())):
        tmp = root / "experiments" / "folds" / name
        tmp.mkdir()
        (tmp / "curves.npz").write_bytes(b"y" * 3000)
        for path in (tmp / "curves.npz", tmp):
            os.utime(path, (age, age))
    (root / "notes.txt").write_text("mine")
    (root / "my-folder").mkdir()
    (root / "my-folder" / "data.csv").write_text("a,b\n")
    (root / "experiments" / "folds" / ("cd" * 12)).mkdir()  # a name like an entry's, not written by grfkit
    (root / "experiments" / "folds" / ("cd" * 12) / "mine.txt").write_text("mine")
    return root


def _users_files(root: Path) -> list[Path]:
    folds = root / "experiments" / "folds"
    return [root / "notes.txt", root / "my-folder" / "data.csv", folds / ("cd" * 12) / "mine.txt",
            folds / ".x.st1llg0n.tmp"]


def test_cache_table_lists_every_entry_and_whether_this_code_can_use_it(cache: Path) -> None:
    table = cache_table()
    assert list(table.columns) == COLUMNS
    assert table.groupby("kind").size().to_dict() == {"cohort": 2, "fold": 7, "pretrained": 1, "results": 1}
    assert (table["size_mb"] > 0).all()
    assert set(table.loc[table["kind"] == "fold", "key"]) == (
        {f"{s}/vgrf/{p}" for s in ("overground", "transfer") for p in ("OG01", "OG02", "OG03")} | {"combined/vgrf/OG09"})
    stale = table.loc[~table["current"]]
    assert list(stale["key"]) == ["cohort-ci-seed0-0123456789ab", "combined/vgrf/OG09"]  # of an older grfkit
    assert table.loc[table["kind"] == "pretrained", "key"].item() == "vgrf"
    assert str(table["modified"].dtype).startswith("datetime64") and str(table["modified"].dt.tz) == "UTC"
    # The experiments folder given directly (as `grfkit experiment --cache-dir` takes it).
    assert len(cache_table(cache / "experiments")) == 8


def test_clear_stale_keeps_what_this_code_uses(cache: Path) -> None:
    before = cache_table()
    freed = clear_cache(stale_only=True)
    after = cache_table()
    assert len(after) == len(before) - 2 and after["current"].all()
    assert freed >= 4000 + 5000 + 3000  # the entries of an older grfkit, the temporary folder of a killed run
    assert not (cache / "experiments" / "folds" / ".0123456789abcdef01234567.k1ll3d_x.tmp").exists()
    assert all(p.exists() for p in _users_files(cache))


def test_a_code_change_makes_every_entry_stale_and_clear_frees_them(cache: Path, monkeypatch) -> None:
    size_before = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    monkeypatch.setattr(experiment, "code_fingerprint", lambda: "0" * 64)
    monkeypatch.setattr(cc, "source_fingerprint", lambda: "0" * 12)
    assert not cache_table()["current"].any()
    freed = clear_cache(stale_only=True)
    assert cache_table().empty
    left = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    assert freed == size_before - left > 0
    assert all(p.exists() for p in _users_files(cache))


def test_clear_never_deletes_the_data_folder_or_users_files(cache: Path, monkeypatch) -> None:
    from grfkit.real.data_folder import DATA_DIR_ENV

    data = cache / "results" / "downloads"  # even where it looks like a cache entry
    data.mkdir()
    (data / "results.csv").write_text("x\n")
    (data / "provenance.json").write_text(json.dumps({"code_fingerprint": "1"}))
    monkeypatch.setenv(DATA_DIR_ENV, str(data))
    assert "downloads" in set(cache_table()["key"])
    clear_cache()
    assert (data / "results.csv").exists() and all(p.exists() for p in _users_files(cache))
    assert set(cache_table()["key"]) == {"downloads"}
    assert sorted(p.name for p in cache.iterdir()) == ["experiments", "my-folder", "notes.txt", "results"]


def test_a_cohort_folder_left_by_a_killed_first_build_goes_with_its_temporary_folder(tmp_path: Path) -> None:
    """A kill during `simulate` into the cache leaves cohort-*/.raw.*.tmp and nothing else: both go, once stale."""
    cohort = tmp_path / "cohort-ci-seed0-0123456789ab"
    killed = cohort / ".raw.k1ll3d_x.tmp"
    (killed / "overground").mkdir(parents=True)
    (killed / "overground" / "imu.parquet").write_bytes(b"i" * 700)
    mine = tmp_path / "cohort-of-mine"
    mine.mkdir()
    old = time.time() - 7200
    for path in (killed / "overground" / "imu.parquet", killed / "overground", killed):
        os.utime(path, (old, old))
    assert clear_cache(tmp_path, stale_only=True) == 700
    assert not cohort.exists() and mine.exists()


def test_a_cache_folder_that_does_not_exist_is_empty_and_not_created(tmp_path: Path) -> None:
    assert list(cache_table(tmp_path / "none").columns) == COLUMNS and cache_table(tmp_path / "none").empty
    assert clear_cache(tmp_path / "none") == 0 and not (tmp_path / "none").exists()


def test_only_grfkits_temporary_names_are_removed_and_only_when_stale(tmp_path: Path) -> None:
    names = {".raw.k1ll3d_x.tmp": True, ".fold.old-4f2a9c81d0e3": True, ".raw.abc.tmp": False,
             "raw.k1ll3d_x.tmp": False, ".raw.k1ll3d_x.tmp.bak": False}
    old = time.time() - 7200
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "f").write_bytes(b"z" * 10)
        for path in (tmp_path / name / "f", tmp_path / name):
            os.utime(path, (old, old))
    assert remove_stale_temporaries(tmp_path) == 20
    assert {p.name for p in tmp_path.iterdir()} == {n for n, removed in names.items() if not removed}
    # A temporary folder a run is still filling (a file changed recently) stays, however old the folder is.
    busy = tmp_path / ".raw.busy0000.tmp"
    (busy / "overground").mkdir(parents=True)
    os.utime(busy, (old, old))
    assert remove_stale_temporaries(tmp_path) == 0 and busy.exists()


def test_writability_checks_of_concurrent_runs_do_not_collide(tmp_path: Path) -> None:
    """Two runs (threads of one process share a pid) checking one cache at once must not break each other."""
    errors = []

    def check() -> None:
        for _ in range(200):
            try:
                ensure_writable(tmp_path)
            except OSError as error:
                errors.append(error)

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and not list(tmp_path.iterdir())
