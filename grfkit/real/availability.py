"""Which real data sets are on this machine, and what a page should say about the absent ones.

Every data set is looked up on its own, so that a chapter uses each present
data set even when another is absent, and tells the reader how to fetch the
missing ones.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grfkit.errors import DataUnavailableError
from grfkit.real.data_folder import fetch
from grfkit.real.registry import DATASETS

__all__ = ["RealData", "locate_real_data"]


@dataclass(frozen=True)
class RealData:
    """The registered real data sets found, and those absent, with the reason.

    Parameters
    ----------
    folders
        Data set name -> verified folder, for every present data set.
    absent
        Data set name -> why it is absent (the lookup's message).
    """

    folders: dict[str, Path]
    absent: dict[str, str]

    def has(self, *names: str) -> bool:
        """``True`` when every named data set is present."""
        return all(name in self.folders for name in names)

    def folder(self, name: str) -> Path:
        """The verified folder of a present data set.

        Raises
        ------
        DataUnavailableError
            If the data set is absent (the message says how to fetch it).
        """
        if name not in self.folders:
            raise DataUnavailableError(f"{name} is absent: {self.absent.get(name, 'not looked up')}")
        return self.folders[name]

    def note(self, kept_from: str) -> str:
        """A Markdown note for a page whose absent data sets are replaced by a kept run.

        Parameters
        ----------
        kept_from
            Where the kept results come from (:meth:`grfkit.storage.kept_run.KeptRun.describe`).

        Returns
        -------
        str
            Empty when every data set is present.
        """
        if not self.absent:
            return ""
        names = " ".join(sorted(self.absent))
        listed = ", ".join(f"`{name}`" for name in sorted(self.absent))
        return (
            f"**Data absent: {listed}.** The sections that need "
            f"{'it' if len(self.absent) == 1 else 'them'} show the results and figures of a kept run "
            f"instead ({kept_from}); the sections whose data are present are computed here. "
            f"To compute everything on this machine, fetch the data (every file's checksum is "
            f"verified) with `grfkit data fetch {names}` (or `make data`) and run this page again."
        )


def locate_real_data(names: Sequence[str] = tuple(DATASETS), data_dir: str | os.PathLike[str] | None = None) -> RealData:
    """Look up each registered real data set in the data directory, without downloading.

    Parameters
    ----------
    names
        Data sets to look up; default every registered one.
    data_dir
        Data directory; default as :func:`grfkit.real.data_folder.data_dir`.

    Returns
    -------
    RealData
        Present data sets (every file verified against its checksum) and
        absent ones.

    Raises
    ------
    ChecksumError
        If a present file has another checksum than registered: a damaged
        copy is an error, not an absence.
    """
    folders: dict[str, Path] = {}
    absent: dict[str, str] = {}
    for name in names:
        try:
            folders[name] = fetch(name, data_dir=data_dir, download=False)
        except DataUnavailableError as missing:
            absent[name] = str(missing)
    return RealData(folders=folders, absent=absent)
