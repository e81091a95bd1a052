"""Download one file over HTTP(S): resumable, checksum-verified, written atomically.

:func:`download_file` writes into ``<target>.part`` and renames it to
``<target>`` only after the whole file's SHA-256 matched, so a target that
exists is always complete and correct.  An interrupted transfer keeps its
``.part``; the next attempt (in the same call, up to :data:`ATTEMPTS` times, or
in a later run) asks for the rest with an HTTP ``Range`` request, and starts
over when the server answers with the whole file instead.  Only the ``.part``
file this module writes is ever deleted (after a checksum mismatch, or when it
is longer than the file).

The standard library's :mod:`urllib.request` does the HTTP, so ``http://``,
``https://`` (and a proxy set with ``https_proxy``) work without extra
dependencies.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
from collections.abc import Callable
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from grfkit.errors import ChecksumError, DataUnavailableError

__all__ = ["ATTEMPTS", "TIMEOUT_S", "download_file", "part_path"]

#: Attempts per file within one call (each resumes what the previous one received).
ATTEMPTS: int = 3

#: Seconds without data after which a connection counts as interrupted.
TIMEOUT_S: float = 60.0

_CHUNK_BYTES = 1 << 16
# HTTP statuses that say the file is not (or not publicly) at that URL: retrying cannot help
_NOT_THERE = frozenset({401, 403, 404, 410})


class _Interrupted(Exception):
    """The transfer stopped before the whole file arrived (the ``.part`` is kept)."""


def part_path(target: Path) -> Path:
    """Return the partial-download file of ``target``: ``<target>.part`` beside it.

    Parameters
    ----------
    target
        The final file.

    Returns
    -------
    pathlib.Path
        Where its bytes accumulate until they are verified.
    """
    return target.with_name(target.name + ".part")


def download_file(
    url: str,
    target: Path,
    sha256: str,
    *,
    label: str,
    size_bytes: int | None = None,
    on_bytes: Callable[[int], object] | None = None,
) -> None:
    """Download ``url`` to ``target``, resuming a ``.part`` left by an earlier attempt.

    Parameters
    ----------
    url
        Where the file is.
    target
        The file to create (its folder is created if needed).  It must not
        exist: this function never replaces a file it did not write.
    sha256
        Expected SHA-256 (lower-case hex) of the whole file.
    label
        How messages name the file, e.g. ``"dorn2012/JA1Gait21.c3d"``.
    size_bytes
        Expected size, if known: a transfer that stops short of it counts as
        interrupted even when the server sent no ``Content-Length``.
    on_bytes
        Called with the number of bytes each step adds (negative when a
        ``.part`` is discarded), e.g. a progress bar's ``update``.

    Raises
    ------
    DataUnavailableError
        The server says the file is not there (404 and the like; no retry),
        the URL is malformed, the folder cannot be created, or every attempt
        was interrupted (the ``.part`` is kept for the next run).  The message
        names the file and the URL.
    ChecksumError
        The complete download has another SHA-256 than expected; the ``.part``
        is deleted and ``target`` is not created.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataUnavailableError(f"cannot write {label} into {target.parent}: {error}", path=target) from error
    part = part_path(target)
    notify = on_bytes if on_bytes is not None else (lambda n: None)
    if part.exists():
        notify(part.stat().st_size)
    last_error: BaseException | None = None
    for _ in range(max(ATTEMPTS, 1)):
        try:
            _transfer(url, part, size_bytes, notify)
            break
        except HTTPError as error:
            if error.code in _NOT_THERE:
                raise DataUnavailableError(
                    f"could not download {label}: the server answered {error.code} ({error.reason}) for {url}",
                    path=target,
                ) from error
            last_error = error
        except ValueError as error:  # not a URL urllib can open (a malformed mirror base)
            raise DataUnavailableError(f"could not download {label} from {url}: {error}", path=target) from error
        except (_Interrupted, URLError, OSError, http.client.HTTPException) as error:
            last_error = error
    else:
        received = part.stat().st_size if part.exists() else 0
        of_total = f" of {size_bytes}" if size_bytes is not None else ""
        raise DataUnavailableError(
            f"could not download {label} from {url} ({ATTEMPTS} attempt(s)): {last_error}. "
            f"{received}{of_total} bytes arrived and are kept in {part}; fetch again to resume from there.",
            path=target,
        ) from last_error
    actual = _sha256_file(part)
    if actual != sha256.lower():
        notify(-part.stat().st_size)
        part.unlink()
        raise ChecksumError(
            f"{label} downloaded from {url} has SHA-256 {actual}, the registry expects {sha256.lower()}; "
            "the download was discarded (the source changed, or a proxy altered it)",
            path=target,
        )
    os.replace(part, target)


def _transfer(url: str, part: Path, size_bytes: int | None, notify: Callable[[int], object]) -> None:
    """Append the rest of ``url`` to ``part`` (or rewrite it when the server ignores Range)."""
    offset = part.stat().st_size if part.exists() else 0
    if size_bytes is not None and offset > size_bytes:  # not a prefix of this file: start over
        notify(-offset)
        part.unlink()
        offset = 0
    if size_bytes is not None and offset == size_bytes:
        return  # complete already (the checksum decides)
    headers = {"User-Agent": "grfkit"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        response = urlopen(Request(url, headers=headers), timeout=TIMEOUT_S)
    except HTTPError as error:
        if error.code == 416 and offset:  # our .part is no prefix of the file: start over
            notify(-offset)
            part.unlink()
        raise
    with response:
        resumed = offset > 0 and response.status == 206 and _range_start(response) == offset
        if offset and not resumed:  # the server sent the whole file
            notify(-offset)
            offset = 0
        length = response.headers.get("Content-Length")
        expected = offset + int(length) if length is not None else size_bytes
        written = offset
        with part.open("ab" if resumed else "wb") as handle:
            while chunk := response.read(_CHUNK_BYTES):
                handle.write(chunk)
                written += len(chunk)
                notify(len(chunk))
    if expected is not None and written < expected:
        raise _Interrupted(f"the connection closed after {written} of {expected} bytes")


def _range_start(response: http.client.HTTPResponse) -> int | None:
    match = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    return int(match[1]) if match else None


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
