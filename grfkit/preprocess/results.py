"""What the preprocessing chain returns: one bout's result and a whole raw folder's.

:class:`BoutResult` holds one bout's stances, every plate contact with its
fate and the clock sync; :class:`PreprocessResult` a whole raw folder's
stances (with the table of skipped contacts and bouts), contacts and
per-bout report, which it can summarise, save and load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from grfkit.errors import MissingFileError
from grfkit.io.stances import SKIP_COLUMNS, StanceDataset
from grfkit.preprocess.synchronisation import ClockSync
from grfkit.storage.atomic import atomic_directory

__all__ = ["BOUT_TABLE_COLUMNS", "BoutResult", "PreprocessResult", "SKIPPED_COLUMNS"]

#: Columns of the pipeline's table of skipped contacts and bouts: :data:`grfkit.io.stances.SKIP_COLUMNS` and
#: ``detail`` (figures behind the reason, e.g. a pass's speed and the target; ``""`` where there are none).
SKIPPED_COLUMNS: tuple[str, ...] = (*SKIP_COLUMNS, "detail")

#: Columns of the per-bout table of :class:`PreprocessResult`.
BOUT_TABLE_COLUMNS: tuple[str, ...] = (
    "dataset",
    "participant",
    "bout",
    "status",
    "sync_offset_s",
    "sync_drift_ppm",
    "sync_peak_ratio",
    "sync_residual_s",
    "n_plate_contacts",
    "n_stances",
    "duration_s",
    "force_to_weight",
)


@dataclass
class BoutResult:
    """What :func:`grfkit.preprocess.chain.preprocess_bout` makes of one bout.

    Parameters
    ----------
    stances
        The bout's stances (possibly empty).
    contacts
        Every plate contact with its classification (columns of
        :data:`grfkit.preprocess.plate_contacts.PLATE_CONTACT_COLUMNS` plus ``dataset``,
        ``participant``, ``bout``, the speed check's ``pass_index``,
        ``pass_speed_mps``, ``target_speed_mps`` and ``speed_deviation_frac``
        (see :func:`grfkit.preprocess.speed.pass_speed_check`; on the treadmill the
        whole bout is one pass at the belt speed), ``stance`` (kept as a
        stance), ``skip_reason`` and ``skip_detail``).
    sync
        Estimated clock relation.
    """

    stances: StanceDataset
    contacts: pd.DataFrame
    sync: ClockSync


@dataclass
class PreprocessResult:
    """Everything :func:`grfkit.preprocess.chain.preprocess_raw` learnt from a raw data folder.

    Parameters
    ----------
    stances
        The stance data set; its ``skipped`` table lists every plate contact
        and bout that did not become a stance, with the reason.
    contacts
        Every plate contact of every processed bout with its classification.
    bouts
        One row per bout: status (``"ok"`` or the error), clock sync
        estimates, counts (columns :data:`BOUT_TABLE_COLUMNS`).
    """

    stances: StanceDataset
    contacts: pd.DataFrame
    bouts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(BOUT_TABLE_COLUMNS)))

    def summary(self) -> str:
        """One paragraph: stances per data set, skipped contacts by reason, failed bouts."""
        lines = []
        meta = self.stances.meta
        for dataset, group in meta.groupby("dataset", sort=True):
            lines.append(f"{dataset}: {len(group)} stances from {group['participant'].nunique()} participants")
        failed = self.bouts.loc[self.bouts["status"] != "ok"]
        lines.append(f"bouts: {len(self.bouts)} processed, {len(failed)} skipped")
        for _, row in failed.iterrows():
            lines.append(f"  skipped bout {row['dataset']}/{row['participant']}/{row['bout']}: {row['status']}")
        reasons = self.stances.skipped["reason"].value_counts()
        if len(reasons):
            lines.append("plate contacts not used, by reason:")
            lines.extend(f"  {count:6d}  {reason}" for reason, count in reasons.items())
        return "\n".join(lines)

    def save(self, path: str | Path) -> Path:
        """Write the result to folder ``path`` atomically (stances/, contacts.parquet, bouts.csv).

        Parameters
        ----------
        path
            Destination folder (replaced if it exists).
        """
        path = Path(path)
        with atomic_directory(path) as tmp:
            self.stances.save(tmp / "stances")
            self.contacts.to_parquet(tmp / "contacts.parquet", index=False)
            self.bouts.to_csv(tmp / "bouts.csv", index=False)
        return path

    @classmethod
    def load(cls, path: str | Path) -> PreprocessResult:
        """Read a result written by :meth:`save`.

        Parameters
        ----------
        path
            Folder written by :meth:`save`.

        Raises
        ------
        MissingFileError
            If a part is missing.
        """
        path = Path(path)
        for name in ("contacts.parquet", "bouts.csv"):
            if not (path / name).is_file():
                raise MissingFileError("preprocessing result file is missing", path=path / name)
        return cls(
            stances=StanceDataset.load(path / "stances"),
            contacts=pd.read_parquet(path / "contacts.parquet"),
            bouts=pd.read_csv(path / "bouts.csv", dtype={"participant": str, "bout": str}),
        )
