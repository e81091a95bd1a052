"""Atomic file and folder writes.

A result is first written next to its destination under a temporary name and
then moved into place with :func:`os.replace`, which is atomic on POSIX file
systems.  A run that is killed half-way leaves either the old result or the
new one, never a truncated file that a later run would mistake for finished
work.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "atomic_directory", "write_text_atomic"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _give_default_permissions(path: Path, mode: int) -> None:
    """Temporary files and folders are private (0600/0700); results get the usual umask-based mode."""
    os.chmod(path, mode & ~_umask())


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary file path that replaces ``path`` when the block succeeds.

    Parameters
    ----------
    path
        Final destination of the file.

    Yields
    ------
    pathlib.Path
        A path in the same folder to write to.  If the ``with`` block raises,
        the temporary file is removed and ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        _give_default_permissions(tmp, 0o666)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextlib.contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Yield a temporary folder that replaces folder ``path`` when the block succeeds.

    Parameters
    ----------
    path
        Final destination folder.  An existing folder there is replaced.

    Yields
    ------
    pathlib.Path
        An empty folder beside ``path`` to fill.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        _give_default_permissions(tmp, 0o777)
        if path.exists():
            old = path.with_name(f".{path.name}.old-{os.getpid()}")
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old)
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8).

    Parameters
    ----------
    path
        Destination file.
    text
        Content to write.
    """
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
