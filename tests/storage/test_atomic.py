"""Tests of grfkit.storage.atomic: a failed write never replaces the old result."""

from pathlib import Path

import pytest

from grfkit.storage.atomic import atomic_directory, atomic_path, write_text_atomic


def test_write_text_atomic_creates_parents_and_content(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    write_text_atomic(target, "hello")
    assert target.read_text() == "hello"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]


def test_atomic_path_keeps_old_file_when_block_raises(tmp_path: Path) -> None:
    target = tmp_path / "result.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half-written")
            raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["result.csv"]


def test_atomic_directory_replaces_existing_folder(tmp_path: Path) -> None:
    target = tmp_path / "stances"
    target.mkdir()
    (target / "stale.txt").write_text("x")
    with atomic_directory(target) as tmp:
        (tmp / "new.txt").write_text("y")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["stances"]


def test_atomic_directory_leaves_nothing_when_block_raises(tmp_path: Path) -> None:
    target = tmp_path / "stances"
    with pytest.raises(ValueError):
        with atomic_directory(target) as tmp:
            (tmp / "partial.txt").write_text("y")
            raise ValueError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_results_get_the_usual_permissions_not_the_temporary_private_ones(tmp_path: Path) -> None:
    import os

    mask = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "f.txt", "x")
        with atomic_directory(tmp_path / "d") as tmp:
            (tmp / "a").write_text("y")
    finally:
        os.umask(mask)
    assert (tmp_path / "f.txt").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o755


def test_b10_a_folder_put_in_place_by_another_writer_between_the_checks_does_not_crash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """B10/B12: two writers finish the same folder together; the loser's rename met a non-empty folder."""
    import os

    import grfkit.storage.atomic as atomic

    target = tmp_path / "st"
    real_rename, real_replace = os.rename, os.replace
    raced = []

    def other_writer_first(src, dst, *args, **kwargs):
        # Just before this process moves its finished folder into place, the other process does.
        if Path(dst) == target and not raced:
            raced.append(True)
            target.mkdir()
            (target / "theirs.txt").write_text("complete")
        return (real_rename if move is os.rename else real_replace)(src, dst, *args, **kwargs)

    for move in (os.rename, os.replace):
        monkeypatch.setattr(atomic.os, move.__name__, other_writer_first)
    with atomic_directory(target) as tmp:
        (tmp / "mine.txt").write_text("complete")
    monkeypatch.undo()
    assert [p.name for p in target.iterdir()] == ["mine.txt"]  # the last writer wins, whole
    assert [p.name for p in tmp_path.iterdir()] == ["st"]  # the displaced folder was removed


def test_concurrent_writers_of_one_folder_all_succeed(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    target = tmp_path / "folds" / "key"

    def write(i: int) -> None:
        for _ in range(10):
            with atomic_directory(target) as tmp:
                for name in ("a", "b", "c"):
                    (tmp / name).write_text(str(i))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))  # re-raises any writer's error
    contents = {p.name: p.read_text() for p in target.iterdir()}
    assert sorted(contents) == ["a", "b", "c"] and len(set(contents.values())) == 1  # one writer's complete folder
    assert [p.name for p in target.parent.iterdir()] == ["key"]


def test_swap_in_returns_the_displaced_folder(tmp_path: Path) -> None:
    from grfkit.storage.atomic import staging_directory, swap_in

    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    staged = staging_directory(target)
    (staged / "new.txt").write_text("new")
    [old] = swap_in(staged, target)
    assert (old / "old.txt").read_text() == "old" and (target / "new.txt").read_text() == "new"
    assert old.parent == tmp_path and old.name.startswith(".out.old-")
