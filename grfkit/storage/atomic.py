"""Atomic file and folder writes.

A result is first written next to its destination under a temporary name and
then moved into place with :func:`os.replace`, which is atomic on POSIX file
systems.  A run that is killed half-way leaves either the old result or the
new one, never a truncated file that a later run would mistake for finished
work.

Two processes may finish the same folder at the same moment (two runs on a
cold cache, two ``preprocess`` runs with one ``--out``).  :func:`swap_in`
then moves whatever folder lies at the destination aside and tries again, so
neither process fails and the destination always holds one complete result.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "atomic_directory",
    "atomic_path",
    "give_default_permissions",
    "staging_directory",
    "swap_in",
    "write_text_atomic",
]

#: How often :func:`swap_in` moves a concurrent writer's folder aside before giving up.
_MAX_SWAP_ATTEMPTS = 50


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def give_default_permissions(path: str | Path, mode: int) -> None:
    """Give a finished file or folder the mode a plain ``open``/``mkdir`` would have given it.

    Temporary files and folders are created private (0600/0700); a result moved into place
    gets ``mode`` less the process's umask, as any other file the user writes.

    Parameters
    ----------
    path
        The file or folder.
    mode
        ``0o666`` for a file, ``0o777`` for a folder.
    """
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
        give_default_permissions(tmp, 0o666)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def staging_directory(path: str | Path) -> Path:
    """Create and return an empty private folder beside ``path`` to fill before :func:`swap_in`.

    Parameters
    ----------
    path
        Final destination folder (its parent is created if needed).

    Returns
    -------
    pathlib.Path
        ``.<name>.<random>.tmp`` in the parent of ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))


def swap_in(staged: str | Path, path: str | Path) -> list[Path]:
    """Move the complete folder ``staged`` to ``path``; return the folders it displaced.

    A folder already at ``path`` is first renamed to a hidden, unique name
    beside it (``.<name>.old-<random>``); what to do with it is the caller's
    decision.  If another process puts a folder at ``path`` between the two
    renames (``ENOTEMPTY``/``EEXIST``), that one is moved aside too and the
    swap is tried again, so concurrent writers of the same folder both
    succeed and the last one wins.

    Parameters
    ----------
    staged
        A finished folder on the same file system as ``path`` (e.g. from
        :func:`staging_directory`).
    path
        Destination folder.

    Returns
    -------
    list of pathlib.Path
        The displaced folders, in the order they were moved aside (empty if
        ``path`` did not exist).

    Raises
    ------
    OSError
        If the swap keeps failing after many attempts, or for any other
        file-system error.
    """
    staged, path = Path(staged), Path(path)
    displaced: list[Path] = []
    for _ in range(_MAX_SWAP_ATTEMPTS):
        try:
            os.rename(staged, path)  # atomic; fails on a non-empty folder, replaces an empty one
            return displaced
        except OSError as err:
            if err.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
        old = path.with_name(f".{path.name}.old-{uuid.uuid4().hex[:12]}")
        try:
            os.rename(path, old)
        except FileNotFoundError:  # another writer moved it aside first: try again
            continue
        displaced.append(old)
    raise OSError(errno.ENOTEMPTY, f"could not move {staged} to {path}: other processes keep replacing it")


@contextlib.contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Yield a temporary folder that replaces folder ``path`` when the block succeeds.

    Parameters
    ----------
    path
        Final destination folder.  An existing folder there is replaced and
        deleted (use :mod:`grfkit.storage.output_folders` for folders a user names).

    Yields
    ------
    pathlib.Path
        An empty folder beside ``path`` to fill.
    """
    path = Path(path)
    tmp = staging_directory(path)
    try:
        yield tmp
        give_default_permissions(tmp, 0o777)
        for old in swap_in(tmp, path):
            shutil.rmtree(old, ignore_errors=True)
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
