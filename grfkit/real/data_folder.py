"""The local data folder of the real data sets: where it is, what it holds, filling it.

The data directory is, in order: the ``data_dir`` argument, the environment
variable ``GRFKIT_DATA_DIR``, or the per-user data folder
(``platformdirs.user_data_dir("grfkit")``) -- never grfkit's computation
cache, so clearing the cache never deletes downloads.  :func:`dataset_table`
says which data sets are present, :func:`fetch_datasets` downloads every
missing file (resumable, checksum-verified, atomic;
:mod:`grfkit.real.download`) and :func:`fetch` returns one data set's verified
folder, downloading what is missing unless downloads are off
(``GRFKIT_OFFLINE=1``).  ``GRFKIT_DATA_URL`` names a mirror laid out like
``https://raw.githubusercontent.com/``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import platformdirs

from grfkit.errors import ChecksumError, DataUnavailableError
from grfkit.progress import progress_bar
from grfkit.real.download import download_file
from grfkit.real.registry import DataFile, DatasetInfo, dataset_info, dataset_names

__all__ = [
    "DATA_DIR_ENV",
    "OFFLINE_ENV",
    "data_dir",
    "dataset_table",
    "fetch",
    "fetch_datasets",
    "sha256_of",
    "verify_file",
]

#: Environment variable naming the data directory (one sub-folder per data set).
DATA_DIR_ENV: str = "GRFKIT_DATA_DIR"

#: Environment variable that, set to ``1``/``true``/``yes``, forbids downloads by default.
OFFLINE_ENV: str = "GRFKIT_OFFLINE"

_TRUTHY = frozenset({"1", "true", "yes", "on"})


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the data directory (the folder holding one sub-folder per data set).

    Parameters
    ----------
    path
        Explicit directory.  When ``None``, the environment variable
        ``GRFKIT_DATA_DIR`` is used, else the per-user data folder
        ``platformdirs.user_data_dir("grfkit")`` (``~/.local/share/grfkit`` on
        Linux) -- a folder apart from grfkit's computation cache.

    Returns
    -------
    pathlib.Path
        The directory (it need not exist yet).
    """
    if path is not None:
        return Path(path).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_data_dir("grfkit"))


# The functions below take a ``data_dir`` argument, which hides the function.
_resolve_data_dir = data_dir


# size and mtime of each file hashed in this process, with its digest
_HASH_CACHE: dict[Path, tuple[int, int, str]] = {}


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 of a file, re-hashing only when its size or mtime changed.

    Parameters
    ----------
    path
        File to hash.

    Returns
    -------
    str
        Lower-case hex digest.
    """
    resolved = Path(path).resolve()
    stat = resolved.stat()
    cached = _HASH_CACHE.get(resolved)
    if cached is not None and cached[:2] == (stat.st_size, stat.st_mtime_ns):
        return cached[2]
    digest = hashlib.sha256()
    with resolved.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    hexdigest = digest.hexdigest()
    _HASH_CACHE[resolved] = (stat.st_size, stat.st_mtime_ns, hexdigest)
    return hexdigest


def verify_file(path: str | os.PathLike[str], sha256: str) -> None:
    """Check a file's SHA-256.

    Parameters
    ----------
    path
        File to check.
    sha256
        Expected lower-case hex digest.

    Raises
    ------
    ChecksumError
        If the digest differs (the message gives both).
    """
    actual = sha256_of(path)
    if actual != sha256.lower():
        raise ChecksumError(
            f"SHA-256 is {actual}, the registry expects {sha256.lower()}: the file is corrupted or "
            "another version; delete it and fetch again, or restore it from the original source",
            path=path,
        )


def _downloads_allowed(download: bool | None) -> bool:
    if download is not None:
        return download
    return os.environ.get(OFFLINE_ENV, "").strip().lower() not in _TRUTHY


def _checked(info: DatasetInfo, folder: Path) -> tuple[list[DataFile], list[DataFile], list[DataFile]]:
    """Split a data set's files into (correct, wrong checksum, missing) in ``folder``."""
    good: list[DataFile] = []
    bad: list[DataFile] = []
    missing: list[DataFile] = []
    for data_file in info.files:
        path = folder / data_file.path
        if not path.is_file():
            missing.append(data_file)
        elif sha256_of(path) == data_file.sha256:
            good.append(data_file)
        else:
            bad.append(data_file)
    return good, bad, missing


def dataset_table(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Describe every registered data set and whether it is in the data directory.

    Parameters
    ----------
    data_dir
        Data directory; see :func:`data_dir` for the default.

    Returns
    -------
    pandas.DataFrame
        One row per data set: ``name``, ``title``, ``n_files``, ``size_mb``
        (all files, 10^6 bytes), ``licence``, ``citation`` (each reference
        with its DOI), ``local_path`` (its folder) and ``status``:
        ``"present"`` (every file there with the registered checksum),
        ``"absent"`` (no file there) or ``"partial (k of n files)"``, with
        ``"; m with a wrong checksum"`` where files are damaged.  Checksums
        are computed once per file version in a process (:func:`sha256_of`).
    """
    root = _resolve_data_dir(data_dir)
    rows = []
    for info in (dataset_info(name) for name in dataset_names()):
        folder = root / info.name
        good, bad, _ = _checked(info, folder)
        n_files = len(info.files)
        if len(good) == n_files:
            status = "present"
        elif not good and not bad:
            status = "absent"
        else:
            damaged = f"; {len(bad)} with a wrong checksum" if bad else ""
            status = f"partial ({len(good)} of {n_files} files{damaged})"
        rows.append(
            {
                "name": info.name,
                "title": info.title,
                "n_files": n_files,
                "size_mb": sum(data_file.size_bytes for data_file in info.files) / 1e6,
                "licence": info.licence,
                "citation": "; ".join(f"{citation.text} doi:{citation.doi}" for citation in info.citations),
                "local_path": str(folder),
                "status": status,
            }
        )
    return pd.DataFrame(rows, columns=["name", "title", "n_files", "size_mb", "licence", "citation", "local_path", "status"])


def fetch_datasets(
    names: Iterable[str] | str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
    base_url: str | None = None,
) -> list[Path]:
    """Download every missing file of the named data sets and verify every file.

    Each missing file is downloaded from its public source (or the mirror
    ``base_url`` / ``$GRFKIT_DATA_URL``) with a progress bar per data set,
    resumed with an HTTP ``Range`` request after an interruption, checked
    against its SHA-256 and only then moved into place
    (:func:`grfkit.real.download.download_file`).  Files already there with the
    right checksum are not downloaded again: a second call sends no request.
    A file already there with a wrong checksum is reported, never
    overwritten; nothing outside the data sets' files (and their ``.part``
    files) is written or deleted.

    Parameters
    ----------
    names
        Data sets to fetch; default every registered one.
    data_dir
        Data directory; see :func:`data_dir` for the default.
    progress
        Show a progress bar (on stderr) per data set with files to download.
    base_url
        Mirror replacing ``https://raw.githubusercontent.com/``.

    Returns
    -------
    list of pathlib.Path
        The data sets' folders, in the order of ``names``.

    Raises
    ------
    ConfigError
        If a name is not registered (checked before anything is downloaded).
    ChecksumError
        If a file (downloaded, or already there) has another SHA-256 than
        registered; the other files are still fetched.
    DataUnavailableError
        If a file cannot be downloaded (404, no network, interrupted too
        often); fetching stops there.  The message names the file and its URL.
        Where several files failed, the message lists each.
    """
    if isinstance(names, str):
        names = [names]
    infos = [dataset_info(name) for name in (dataset_names() if names is None else names)]
    root = _resolve_data_dir(data_dir)
    failures: list[ChecksumError | DataUnavailableError] = []
    for info in infos:
        failures += _fetch_missing(info, root / info.name, progress=progress, base_url=base_url)
        if any(isinstance(failure, DataUnavailableError) for failure in failures):
            break
    if failures:
        raise _combined(failures)
    return [root / info.name for info in infos]


def _fetch_missing(
    info: DatasetInfo, folder: Path, *, progress: bool, base_url: str | None
) -> list[ChecksumError | DataUnavailableError]:
    """Download the missing files of one data set; return what went wrong (stopping at an unavailable file)."""
    _, bad, missing = _checked(info, folder)
    failures: list[ChecksumError | DataUnavailableError] = [
        ChecksumError(
            f"{info.name}/{data_file.path} is there but has SHA-256 {sha256_of(folder / data_file.path)}, "
            f"the registry expects {data_file.sha256}. grfkit does not overwrite a file it did not "
            f"write: delete it (or move it away) and fetch again to download it from "
            f"{info.url(data_file, base_url)}.",
            path=folder / data_file.path,
        )
        for data_file in bad
    ]
    if not missing:
        return failures
    with progress_bar(
        total=sum(data_file.size_bytes for data_file in missing),
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=info.name,
        show=progress,
    ) as bar:
        for data_file in missing:
            bar.set_postfix_str(data_file.path, refresh=False)
            try:
                download_file(
                    info.url(data_file, base_url),
                    folder / data_file.path,
                    data_file.sha256,
                    label=f"{info.name}/{data_file.path}",
                    size_bytes=data_file.size_bytes,
                    on_bytes=bar.update,
                )
            except ChecksumError as mismatch:
                failures.append(mismatch)
            except DataUnavailableError as unavailable:
                failures.append(unavailable)
                break
    return failures


def _combined(failures: list[ChecksumError | DataUnavailableError]) -> ChecksumError | DataUnavailableError:
    """One error for several failed files: the first if alone, else a list (unavailable wins over checksum)."""
    if len(failures) == 1:
        return failures[0]
    kind = DataUnavailableError if any(isinstance(f, DataUnavailableError) for f in failures) else ChecksumError
    first = next(f for f in failures if isinstance(f, kind))
    listed = "\n".join(f"- {failure}" for failure in failures)
    return kind(f"{len(failures)} files could not be fetched:\n{listed}", path=first.path)


def fetch(
    dataset: str,
    data_dir: str | os.PathLike[str] | None = None,
    download: bool | None = None,
) -> Path:
    """Return a data set's folder after checking (and if needed downloading) every file.

    Parameters
    ----------
    dataset
        A registered name: ``"hamner2013"``, ``"dorn2012"`` or ``"alcantara2022"``.
    data_dir
        Data directory; see :func:`data_dir` for the default.  The data set
        lives in its sub-folder named ``dataset``.
    download
        ``True`` to download missing files, ``False`` never to, ``None`` to
        download unless ``GRFKIT_OFFLINE`` is set.  Downloads go through
        :func:`fetch_datasets` (no progress bar).

    Returns
    -------
    pathlib.Path
        ``<data_dir>/<dataset>``, holding every registered file with the
        registered checksum.

    Raises
    ------
    ConfigError
        If ``dataset`` is not registered.
    DataUnavailableError
        If a file is missing and downloads are not allowed, or the download
        failed (no network, read-only folder, not at its source).  The
        message names the file and its source URL.
    ChecksumError
        If a file present on disk (or downloaded) has another SHA-256 than
        registered.
    """
    info = dataset_info(dataset)
    folder = _resolve_data_dir(data_dir) / info.name
    missing = [data_file for data_file in info.files if not (folder / data_file.path).is_file()]
    if missing and not _downloads_allowed(download):
        first = missing[0]
        more = f" (and {len(missing) - 1} more of its files)" if len(missing) > 1 else ""
        raise DataUnavailableError(
            f"{info.name}/{first.path} is missing{more} and downloads are off "
            f"(download=False or {OFFLINE_ENV} set). Get it from {info.url(first)}, run "
            f"`grfkit data fetch {info.name}`, point {DATA_DIR_ENV} at a folder holding {info.name}/, "
            f"or call fetch({info.name!r}, download=True).",
            path=folder / first.path,
        )
    if missing:
        fetch_datasets([info.name], data_dir=folder.parent, progress=False)
    for data_file in info.files:
        verify_file(folder / data_file.path, data_file.sha256)
    return folder
