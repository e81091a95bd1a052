"""Where a kept result came from: the git commit, whether it was clean, and the machine.

A number quoted from a kept result is only as good as its provenance: the
commit it was computed at (and whether the working tree had uncommitted
changes), the exact command, and the software that ran it.
"""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

__all__ = ["git_state", "machine"]


def git_state(where: str | os.PathLike[str] | None = None) -> dict[str, object]:
    """Return the commit of the repository grfkit is imported from, and whether it is dirty.

    Parameters
    ----------
    where
        A folder inside the repository; default the folder of this module.

    Returns
    -------
    dict
        ``{"commit": str | None, "dirty": bool | None}``: ``None`` where git is
        absent or the folder is no git checkout.  ``dirty`` counts changes to
        tracked files only.
    """
    folder = Path(where) if where is not None else Path(__file__).resolve().parents[1]

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine(**extra: object) -> dict[str, object]:
    """Return the platform, CPU count and the versions of the main libraries.

    Parameters
    ----------
    **extra
        Further entries (e.g. ``workers=2``) added to the record.

    Returns
    -------
    dict
        ``platform``, ``processor``, ``cpu_count``, ``python`` and the
        versions of ``grfkit``, ``torch``, ``numpy`` and ``pandas`` (read from
        the installed package metadata, so nothing is imported), then ``extra``.
    """
    record: dict[str, object] = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }
    record |= {package: _version(package) for package in ("grfkit", "torch", "numpy", "pandas")}
    return record | extra
