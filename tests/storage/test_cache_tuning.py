"""``grfkit cache ls`` and ``grfkit cache clear`` cover the tuning's outer folds (``<cache>/tuning/<key>``).

A real ``tune`` run writes the entry; a copy with another code fingerprint stands for an entry of an older
grfkit.  Listing marks which one this code can use, clearing deletes the stale one and then the current one,
and the user's files in the tuning folder (also a folder whose name looks like an entry's) survive.
"""

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from grfkit.cli import main
from grfkit.experiment.tuning import tune
from grfkit.storage.cache import MANIFEST_NAME
from grfkit.storage.cache_entries import cache_table
from grfkit.storage.cohort_cache import CACHE_DIR_ENV

#: The smallest search of tests/experiment/test_tuning.py, one outer fold.
SMALL = {"strategy": "overground", "target": "vgrf", "preset": "ci", "seed": 0, "n_trials": 3, "parallel_trials": 2,
         "inner_folds": 2, "participants": ["OG01"], "num_threads": 1}


@pytest.fixture(scope="module")
def ci_stances():
    """The ci cohort, seed 0, from grfkit's cohort cache."""
    from grfkit.storage.cohort_cache import load_or_build_stances

    return load_or_build_stances("ci", 0, progress=False)


def snapshot(paths: list[Path]) -> dict[str, str]:
    """SHA-256 of each file."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_cache_ls_and_clear_list_and_delete_the_tuning_entries_only(ci_stances, tmp_path: Path, monkeypatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(root))
    tune(ci_stances, **SMALL)  # default cache folder: <cache>/tuning
    tuning = root / "tuning"
    [current] = [p for p in tuning.iterdir() if not p.name.startswith(".")]
    stale = tuning / ("ef" * 12)
    shutil.copytree(current, stale)
    manifest = json.loads((stale / MANIFEST_NAME).read_text(encoding="utf-8"))
    (stale / MANIFEST_NAME).write_text(json.dumps({**manifest, "code": "0" * 64}), encoding="utf-8")
    (tuning / "notes.txt").write_text("mine")
    (tuning / ("cd" * 12)).mkdir()  # a name like an entry's, not written by grfkit
    (tuning / ("cd" * 12) / "mine.txt").write_text("mine")
    (tuning / ("ab" * 12)).mkdir()
    (tuning / ("ab" * 12) / MANIFEST_NAME).write_text("{not json")
    users = [tuning / "notes.txt", tuning / ("cd" * 12) / "mine.txt", tuning / ("ab" * 12) / MANIFEST_NAME]
    before = snapshot(users)

    table = cache_table()
    rows = table.loc[table["kind"] == "tuning"].set_index("path")
    assert sorted(rows.index) == sorted([str(current), str(stale)])
    assert set(rows["key"]) == {"overground/vgrf/OG01"}
    assert bool(rows.loc[str(current), "current"]) and not bool(rows.loc[str(stale), "current"])
    assert (rows["size_mb"] > 0).all()
    # tune --cache-dir X keeps its entries in X itself: cache ls --cache-dir X lists them the same way.
    assert sorted(cache_table(tuning).loc[lambda t: t["kind"] == "tuning", "path"]) == sorted(rows.index)

    assert main(["cache", "ls"]) == 0
    out = capsys.readouterr().out
    assert "tuning" in out and "overground/vgrf/OG01" in out

    assert main(["cache", "clear", "--stale", "--yes"]) == 0
    assert "1 stale cache entries" in capsys.readouterr().out
    assert not stale.exists() and current.is_dir() and snapshot(users) == before
    loaded = []
    tune(ci_stances, **SMALL, on_fold=lambda chosen, was_cached: loaded.append(was_cached))
    assert loaded == [True]  # the entry the listing called current is the one tune reuses

    assert main(["cache", "clear", "--yes"]) == 0
    assert not current.exists() and snapshot(users) == before
    assert not len(cache_table().loc[lambda t: t["kind"] == "tuning"])


def test_without_optuna_no_tuning_entry_is_current(ci_stances, tmp_path: Path, monkeypatch) -> None:
    from grfkit.experiment import tuning

    root = tmp_path / "cache"
    tune(ci_stances, **SMALL, cache_dir=root)

    def no_optuna() -> str:
        raise ImportError("No module named 'optuna'")

    monkeypatch.setattr(tuning, "tuning_code_fingerprint", no_optuna)
    table = cache_table(root)
    assert list(table["kind"]) == ["tuning"] and not table["current"].any()
