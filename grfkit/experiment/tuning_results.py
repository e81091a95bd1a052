"""The results of :func:`grfkit.experiment.tuning.tune`: trials, chosen settings, outer scores, and their cache.

:class:`TuningResult` holds the tables and writes or reads a tuning folder
(``trials.csv``, ``chosen.csv``, ``provenance.json``), swapped in whole by
:func:`grfkit.storage.output_folders.write_output`; :func:`save_outer_fold`
and :func:`load_outer_fold` keep one finished outer fold as a cache entry
with a manifest (:mod:`grfkit.storage.cache`), so that a killed run resumes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from grfkit.errors import MissingFileError
from grfkit.storage.cache import write_entry
from grfkit.storage.output_folders import write_output

__all__ = ["INNER_SCORE", "TuningResult", "load_outer_fold", "save_outer_fold"]

#: Column of the best inner-fold score: selected on those folds, so optimistic; never the result.
INNER_SCORE: str = "inner_best_rrmse_pct_optimistic"
#: Kind of the cache entry of one finished outer fold.
CACHE_KIND: str = "tuning_fold"


@dataclass(eq=False)
class TuningResult:
    """What :func:`tune` found: every trial, the chosen settings and the outer-fold scores.

    Parameters
    ----------
    trials
        One row per (outer participant, trial): ``participant``, ``trial``,
        one column per searched field, ``inner_rrmse_pct`` (mean over the
        inner folds; NaN for a failed trial) and ``state``.
    chosen
        One row per outer participant: the chosen settings, ``best_trial``,
        ``inner_best_rrmse_pct_optimistic`` (the best inner score: optimistic,
        since it was selected on those folds; never the result),
        ``outer_rrmse_pct`` (the refitted model on the held-out participant:
        the result) and ``n_outer_stances``.
    provenance
        Command, git state, configuration, executor, times.
    out_dir
        The tuning folder, if written.
    """

    trials: pd.DataFrame
    chosen: pd.DataFrame
    provenance: dict = field(default_factory=dict)
    out_dir: Path | None = None

    @property
    def outer_rrmse_pct(self) -> float:
        """Mean outer-fold rRMSE (%) over the held-out participants: the nested cross-validation estimate."""
        return float(self.chosen["outer_rrmse_pct"].mean())

    def summary(self) -> str:
        """Return the chosen settings and outer rRMSE per participant as text."""
        table = self.chosen.set_index("participant").to_string(float_format=lambda v: f"{v:.4g}")
        return (f"{table}\nouter rRMSE (nested cross-validation): {self.outer_rrmse_pct:.2f} % "
                f"(the inner best scores are optimistic: they were selected on the inner folds)")

    def save(self, out_dir: str | Path, *, overwrite: bool = False) -> Path:
        """Write ``trials.csv``, ``chosen.csv`` and ``provenance.json`` to ``out_dir``, swapped in whole.

        Parameters
        ----------
        out_dir
            The tuning folder (an output folder of kind ``"tuning"``, see
            :func:`grfkit.storage.output_folders.write_output`).
        overwrite
            Replace a folder grfkit did not write (its contents are moved aside).

        Returns
        -------
        pathlib.Path
            ``out_dir``.
        """
        with write_output(out_dir, "tuning", overwrite=overwrite) as tmp:
            (tmp / "trials.csv").write_text(self.trials.to_csv(index=False), encoding="utf-8")
            (tmp / "chosen.csv").write_text(self.chosen.to_csv(index=False), encoding="utf-8")
            (tmp / "provenance.json").write_text(json.dumps(self.provenance, indent=2), encoding="utf-8")
        self.out_dir = Path(out_dir)
        return self.out_dir

    @classmethod
    def load(cls, out_dir: str | Path) -> TuningResult:
        """Read a folder written by :meth:`save`.

        Parameters
        ----------
        out_dir
            The tuning folder.

        Returns
        -------
        TuningResult
            Its tables and provenance.

        Raises
        ------
        MissingFileError
            If a file is absent.
        """
        out_dir = Path(out_dir)
        for name in ("trials.csv", "chosen.csv", "provenance.json"):
            if not (out_dir / name).is_file():
                raise MissingFileError(f"not a grfkit tuning results folder (no {name})", path=out_dir)
        ids = {"participant": str}
        return cls(trials=pd.read_csv(out_dir / "trials.csv", dtype=ids),
                   chosen=pd.read_csv(out_dir / "chosen.csv", dtype=ids),
                   provenance=json.loads((out_dir / "provenance.json").read_text(encoding="utf-8")), out_dir=out_dir)


def save_outer_fold(path: Path, parts: dict, trials: pd.DataFrame, chosen: dict) -> None:
    """Keep one finished outer fold as a cache entry (written atomically, with a manifest).

    Parameters
    ----------
    path
        The entry's folder.
    parts
        What it depends on (the manifest's key; ``parts["code"]`` its code fingerprint).
    trials, chosen
        The fold's rows of :attr:`TuningResult.trials` and :attr:`TuningResult.chosen`.
    """
    with write_entry(path, CACHE_KIND, parts, parts["code"]) as tmp:
        (tmp / "trials.csv").write_text(trials.to_csv(index=False), encoding="utf-8")
        (tmp / "chosen.json").write_text(json.dumps(chosen, indent=2), encoding="utf-8")


def load_outer_fold(path: Path) -> tuple[pd.DataFrame, dict]:
    """Read an entry of :func:`save_outer_fold` (checked by :func:`grfkit.storage.cache.load_entry`)."""
    trials = pd.read_csv(path / "trials.csv", dtype={"participant": str})
    return trials, json.loads((path / "chosen.json").read_text(encoding="utf-8"))
