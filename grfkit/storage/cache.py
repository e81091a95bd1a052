"""grfkit's computation caches: self-checking entries.

Every cache entry grfkit writes (a cohort's raw and preprocessed folders, an
experiment fold, a pre-trained model, a tuned outer fold) carries a
``manifest.json`` with its key (the configuration it was computed from), the
fingerprint of the code that computed it and every file's SHA-256
(:func:`write_manifest`). On reuse (:func:`load_entry`, :func:`verify_entry`)
the key and every checksum must match, or the entry is recomputed with a
:class:`CacheWarning`. :func:`remove_stale_temporaries` removes what killed
runs left; :mod:`grfkit.storage.cache_entries` lists and clears the entries
(``grfkit cache ls|clear``). The folder is ``$GRFKIT_CACHE_DIR``, else
``~/.cache/grfkit`` (:func:`grfkit.storage.cohort_cache.cache_dir`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

from grfkit.errors import (
    CacheError,
    ChecksumError,
    FileFormatError,
    GrfkitError,
    MissingFileError,
    TruncatedFileError,
)
from grfkit.storage.atomic import atomic_directory, write_text_atomic

__all__ = [
    "MANIFEST_NAME",
    "STALE_TEMPORARY_AGE_S",
    "CacheWarning",
    "ensure_writable",
    "load_entry",
    "read_manifest",
    "remove_stale_temporaries",
    "sha256_file",
    "size_bytes",
    "storage_errors",
    "verify_entry",
    "write_entry",
    "write_manifest",
]

#: File name of an entry's manifest.
MANIFEST_NAME = "manifest.json"
#: A temporary folder left by a killed run is removed once nothing in it changed for this long.
STALE_TEMPORARY_AGE_S = 3600.0

_FORMAT = "grfkit-cache-entry"
_VERSION = 1
# Errors of the storage itself (not of grfkit): read-only, no permission, disk or quota full.
_STORAGE_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR})
# Names grfkit.storage.atomic gives temporary folders: ".<name>.<8 random characters>.tmp" and ".<name>.old-<hex>".
_TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$|^\..+\.old-[0-9a-f]+$")

T = TypeVar("T")


class CacheWarning(UserWarning):
    """A cache entry failed its check (damaged, incomplete or another entry's) and is recomputed."""


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex SHA-256 of a file, read in 1 MiB blocks.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    str
        64 hexadecimal characters.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _entry_files(folder: Path, manifest: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p != manifest)


def write_manifest(folder: str | Path, kind: str, key: Mapping[str, object], code: str,
                   manifest: str | Path | None = None) -> Path:
    """Hash every file of ``folder`` and write its manifest.

    Parameters
    ----------
    folder
        The entry's folder, complete.
    kind
        Entry kind, e.g. ``"fold"``.
    key
        The configuration the entry was computed from (JSON-ready).
    code
        Fingerprint of the code that computed it.
    manifest
        Where to write the manifest; default ``folder / "manifest.json"``.

    Returns
    -------
    pathlib.Path
        The manifest file.
    """
    folder = Path(folder)
    manifest = Path(manifest) if manifest is not None else folder / MANIFEST_NAME
    files = {p.relative_to(folder).as_posix(): {"sha256": sha256_file(p), "size_bytes": p.stat().st_size}
             for p in _entry_files(folder, manifest)}
    content = {"format": _FORMAT, "version": _VERSION, "kind": kind, "key": json.loads(_canonical(key)),
               "code": code, "files": files}
    write_text_atomic(manifest, json.dumps(content, indent=2, sort_keys=True))
    return manifest


def read_manifest(manifest: str | Path) -> dict:
    """Read a cache manifest.

    Parameters
    ----------
    manifest
        The manifest file.

    Returns
    -------
    dict
        Its content.

    Raises
    ------
    MissingFileError
        If it is absent.
    FileFormatError
        If it is not a grfkit cache manifest.
    """
    manifest = Path(manifest)
    if not manifest.is_file():
        raise MissingFileError("cache entry has no manifest", path=manifest)
    try:
        content = json.loads(manifest.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise FileFormatError(f"cache manifest is not valid JSON ({error})", path=manifest) from None
    if not isinstance(content, dict) or content.get("format") != _FORMAT or content.get("version") != _VERSION \
            or not isinstance(content.get("files"), dict):
        raise FileFormatError(f"not a grfkit cache manifest of version {_VERSION}", path=manifest)
    return content


def verify_entry(folder: str | Path, kind: str, key: Mapping[str, object], *, manifest: str | Path | None = None,
                 hashes: bool = True) -> dict:
    """Check an entry against its manifest: its key, and every file's size and SHA-256.

    Parameters
    ----------
    folder
        The entry's folder.
    kind, key
        What the entry must be (as given to :func:`write_manifest`).
    manifest
        The manifest file; default ``folder / "manifest.json"``.
    hashes
        Also compare SHA-256 digests (``False``: sizes only, for large
        folders that are only handed on, not read).

    Returns
    -------
    dict
        The manifest.

    Raises
    ------
    MissingFileError
        If the manifest or a file it lists is absent.
    FileFormatError
        If the manifest is unreadable.
    ChecksumError
        If the entry was computed for another key, or a file's digest differs.
    TruncatedFileError
        If a file is shorter than when it was written.
    """
    folder = Path(folder)
    manifest_path = Path(manifest) if manifest is not None else folder / MANIFEST_NAME
    content = read_manifest(manifest_path)
    expected = json.loads(_canonical(key))
    if content.get("kind") != kind or content.get("key") != expected:
        differs = sorted(k for k in set(expected) | set(content.get("key") or {})
                         if (content.get("key") or {}).get(k) != expected.get(k))
        raise ChecksumError(f"cache entry was computed for another configuration (differs in {differs}; "
                            f"kind {content.get('kind')!r}, expected {kind!r})", path=manifest_path)
    for name, info in content["files"].items():
        path = folder / name
        if not path.is_file():
            raise MissingFileError("cache entry file is missing", path=path)
        size = path.stat().st_size
        if size < int(info["size_bytes"]):
            raise TruncatedFileError(f"file has {size} bytes, {info['size_bytes']} were written (truncated or "
                                     f"replaced)", path=path)
        if size != int(info["size_bytes"]):
            raise ChecksumError(f"file has {size} bytes, {info['size_bytes']} were written", path=path)
        if hashes and sha256_file(path) != info["sha256"]:
            raise ChecksumError("file's SHA-256 differs from the one written in the cache manifest", path=path)
    return content


def load_entry(folder: str | Path, kind: str, key: Mapping[str, object], load: Callable[[Path], T], *,
               manifest: str | Path | None = None, hashes: bool = True) -> T | None:
    """Return ``load(folder)`` for a valid entry, ``None`` if it is absent or fails its check.

    A present entry that fails (see :func:`verify_entry`), or that ``load``
    cannot read, gives a :class:`CacheWarning` naming its folder: the caller
    recomputes it.

    Parameters
    ----------
    folder, kind, key, manifest, hashes
        As for :func:`verify_entry`.
    load
        Reads the verified folder.

    Returns
    -------
    object or None
        What ``load`` returned, or ``None``.
    """
    folder = Path(folder)
    manifest_path = Path(manifest) if manifest is not None else folder / MANIFEST_NAME
    if not folder.exists() and not manifest_path.exists():
        return None
    try:
        verify_entry(folder, kind, key, manifest=manifest_path, hashes=hashes)
        return load(folder)
    except (GrfkitError, OSError, ValueError, KeyError, TypeError, EOFError) as error:
        warnings.warn(f"cache entry {folder} is not usable and is recomputed: {type(error).__name__}: {error}",
                      CacheWarning, stacklevel=2)
        return None


def _storage_error(error: OSError, path: Path) -> CacheError:
    return CacheError(
        f"cannot write to the cache ({error.strerror or error}); free some space, run `grfkit cache clear --stale`, "
        f"or choose another cache folder with --cache-dir or GRFKIT_CACHE_DIR",
        path=Path(error.filename) if error.filename else path,
    )


@contextlib.contextmanager
def storage_errors(path: str | Path) -> Iterator[None]:
    """Turn an error of the storage (read-only, no permission, disk full) inside the block into a CacheError.

    Parameters
    ----------
    path
        The cache entry being written, named when the error has no file name.

    Raises
    ------
    CacheError
        Instead of such an ``OSError``; other errors pass unchanged.
    """
    try:
        yield
    except CacheError:
        raise
    except OSError as error:
        if error.errno in _STORAGE_ERRNOS:
            raise _storage_error(error, Path(path)) from error
        raise


@contextlib.contextmanager
def write_entry(path: str | Path, kind: str, key: Mapping[str, object], code: str) -> Iterator[Path]:
    """Yield a temporary folder to fill; with its manifest it then replaces entry ``path`` atomically.

    Two processes storing the same entry at once both succeed (see
    :func:`grfkit.storage.atomic.swap_in`); the entries are identical.

    Parameters
    ----------
    path
        The entry's folder.
    kind, key, code
        As for :func:`write_manifest`.

    Yields
    ------
    pathlib.Path
        The temporary folder.

    Raises
    ------
    CacheError
        If the cache folder is read-only or the disk is full (naming the path).
    """
    with storage_errors(path), atomic_directory(path) as tmp:
        yield tmp
        write_manifest(tmp, kind, key, code)


def ensure_writable(folder: str | Path, *, probe: bool = True) -> Path:
    """Create ``folder`` if needed and check that files can be written in it.

    Parameters
    ----------
    folder
        A cache folder.
    probe
        Also write (and delete) a small file in it; ``False``: only create
        it, so that an existing read-only cache can still be read.

    Returns
    -------
    pathlib.Path
        ``folder``.

    Raises
    ------
    CacheError
        If it cannot be created or written to (read-only, no permission, full).
    """
    folder = Path(folder)
    try:
        with storage_errors(folder):
            folder.mkdir(parents=True, exist_ok=True)
            if probe:
                handle, name = tempfile.mkstemp(prefix=".grfkit-write-test-", dir=folder)
                os.close(handle)
                os.unlink(name)
    except FileExistsError as error:  # a file where the folder should be
        raise CacheError("cache folder path is an existing file", path=error.filename or folder) from error
    return folder


def _newest_mtime(path: Path) -> float:
    newest = path.lstat().st_mtime
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            with contextlib.suppress(OSError):
                newest = max(newest, os.lstat(os.path.join(root, name)).st_mtime)
    return newest


def size_bytes(path: str | os.PathLike[str]) -> int:
    """Return the bytes of a file, or of every file below a folder (symbolic links not followed).

    Parameters
    ----------
    path
        A file or folder.

    Returns
    -------
    int
        Total size in bytes.
    """
    path = Path(path)
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def remove_stale_temporaries(folder: str | Path, max_age_s: float = STALE_TEMPORARY_AGE_S) -> int:
    """Remove temporary folders and files that killed runs left directly in ``folder``.

    Only names that :mod:`grfkit.storage.atomic` makes (``.<name>.<8 characters>.tmp``,
    ``.<name>.old-<hex>``) are removed, and only when nothing inside them
    changed for ``max_age_s`` seconds (a run still writing one is left alone).

    Parameters
    ----------
    folder
        A cache folder (e.g. the cohort folder or ``experiments/folds``).
    max_age_s
        Minimum age of the newest file inside.

    Returns
    -------
    int
        Bytes freed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    freed = 0
    now = time.time()
    for entry in folder.iterdir():
        if not _TEMPORARY.match(entry.name) or entry.is_symlink():
            continue
        with contextlib.suppress(OSError):
            if now - _newest_mtime(entry) < max_age_s:
                continue
            size = size_bytes(entry)
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            freed += size
    return freed
