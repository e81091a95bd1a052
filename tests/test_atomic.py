"""Tests of grfkit.atomic: a failed write never replaces the old result."""

from pathlib import Path

import pytest

from grfkit.atomic import atomic_directory, atomic_path, write_text_atomic


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
