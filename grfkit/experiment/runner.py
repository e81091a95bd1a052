"""The study's experiment: four training strategies and two baselines x two targets, leave-one-subject-out.

:func:`run_experiment` trains and evaluates every (strategy, target,
held-out overground participant) fold of an :class:`ExperimentConfig` and
writes a results folder::

    DIR/
      results.csv      one row per strategy x target x held-out participant:
                       strategy, target, subject, n_stances, n_undefined, rrmse_pct, rmse_bw, r,
                       peak errors (signed means, and mean absolute errors) ...,
                       fine_tune_epochs (transfer: passes chosen by inner cross-validation)
      summary.csv      mean, min and max rRMSE across participants per strategy and target,
                       and the number of stances with an undefined rRMSE
      stances.csv      the same metrics for every held-out stance
      curves.npz       measured and estimated force curves (N) of every held-out stance,
                       with strategy, target, subject, bout, ic_s of each row
      timings.csv      wall time of every fold and of the shared pre-training
      provenance.json  config, git commit, grfkit/torch versions, machine, date, wall time

The no-wearable baselines (``"baseline_mean"``, ``"baseline_static"``, see
:mod:`grfkit.model.baselines`) are folds like any other: fitted on the other
overground participants, scored on the held-out one.  A stance whose
measured curve has zero range has an undefined rRMSE (NaN); the
participant's ``rrmse_pct`` is the mean over the other stances, and
``n_undefined`` counts the left-out ones so that none disappears unnoticed.

``results.csv``, ``summary.csv``, ``stances.csv`` and the arrays of
``curves.npz`` are bit-identical for the same configuration, data and code
on the same CPU set-up; wall times, which never are, live in ``timings.csv``
and ``provenance.json``.

Caching and resuming
--------------------
Every fold's result, and every treadmill pre-trained model (one per
target, shared by all folds: see :mod:`grfkit.experiment.strategies`), is stored in a
cache folder under a key that hashes everything it depends on: the fold's
strategy, target and held-out participant, the model preset, feature
channels, seed and thread count, a content hash of the stance data, and a
fingerprint of the code that trains and evaluates (the source of
``features``, ``scaling``, ``model``, ``training``, ``metrics``,
``baselines`` and ``strategies``, and the torch and numpy versions).  Entries are written
atomically (:mod:`grfkit.storage.atomic`), so a run that is killed leaves only
complete entries; running the same configuration again loads them and
computes only what is missing, and a finished run is not recomputed.
Every entry carries a manifest (:mod:`grfkit.storage.cache`): its key and every
file's SHA-256, checked before it is used, so that a damaged entry, or
another fold's files copied in, is recomputed with a warning naming it
instead of crashing the run or giving another fold's numbers.  The
results folder itself is written at the end.  Because the key does not
include the output folder, runs with different output folders (the book's
chapters 4 and 5) share one cache.

Parallel folds
--------------
``run_experiment(..., workers=N)`` trains folds in ``N`` worker processes
(each with ``config.num_threads`` torch threads).  Folds are independent and
each is deterministic, so the results do not depend on ``N``; on a 2-core
CPU two single-threaded workers train about 1.4 times as fast as one process
with two threads.  Workers are started with the ``spawn`` method, so a
script that calls :func:`run_experiment` with ``workers > 1`` must guard its
top level with ``if __name__ == "__main__":`` (notebooks and the ``grfkit``
command need nothing).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import hashlib
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from grfkit import __version__
from grfkit.errors import ChannelMismatchError, ConfigError, MissingFileError
from grfkit.experiment.strategies import (
    ALL_STRATEGIES,
    STRATEGIES,
    FoldResult,
    check_strategy,
    needs_pretraining,
    pretrain,
    run_fold,
    split_domains,
)
from grfkit.io.stances import StanceDataset
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet
from grfkit.model.metrics import participant_metrics, summarise
from grfkit.model.presets import ModelPreset, get_preset
from grfkit.model.trained_model import TrainedModel
from grfkit.scales import SCALES
from grfkit.storage.cache import (
    ensure_writable,
    load_entry,
    remove_stale_temporaries,
    write_entry,
)
from grfkit.storage.fingerprint import package_fingerprint
from grfkit.storage.output_folders import check_output, write_output
from grfkit.storage.provenance import git_state, machine
from grfkit.workers import exit_with_parent

__all__ = [
    "STRATEGIES",
    "ALL_STRATEGIES",
    "TARGETS",
    "PUBLISHED_RRMSE",
    "ExperimentConfig",
    "ExperimentResults",
    "run_experiment",
    "load_results",
    "stance_fingerprint",
    "code_fingerprint",
    "summarise_results",
    "format_summary",
    "compare_with_published",
    "rrmse_table",
    "default_results_dir",
]

#: Force components, one model each.
TARGETS: tuple[str, ...] = ("vgrf", "apgrf")

#: The study's published rRMSE (percent): mean across the 15 held-out
#: participants and the range (min, max).  Only the combined strategy's
#: numbers are given in the abstract; the others appear only in its figure.
PUBLISHED_RRMSE: dict[tuple[str, str], tuple[float, float, float]] = {
    ("combined", "vgrf"): (6.1, 3.5, 10.7),
    ("combined", "apgrf"): (5.5, 3.2, 7.9),
}

#: Where a fold's computation starts: the model stage and the strategies (and all they import).
CODE_SOURCES: tuple[str, ...] = ("model", "experiment/strategies.py")
_CACHE_FORMAT = 3
_CURVE_ID_COLUMNS: tuple[str, ...] = ("strategy", "target", "subject", "bout", "ic_s")


@dataclass(frozen=True)
class ExperimentConfig:
    """What to run: data scale and seed, model preset, strategies, targets.

    Parameters
    ----------
    scale
        Simulated cohort size, ``"ci"``, ``"book"`` or ``"paper"`` (see
        :mod:`grfkit.scales`).  Used to build the stance data unless
        :func:`run_experiment` is given stances.
    seed
        Seeds the simulated cohort and every training run.
    preset
        Model preset name (see :data:`grfkit.model.presets.PRESETS`) or a
        :class:`~grfkit.model.presets.ModelPreset`.
    strategies
        Strategies to run, from :data:`ALL_STRATEGIES` (the four wearable
        strategies and the two no-wearable baselines; default: all six).
    targets
        Force components, from :data:`TARGETS`.
    participants
        Held-out overground participants to evaluate (a subset of the LOSO
        folds, e.g. for benchmarks); ``None``: all.  Training always uses
        every *other* overground participant.
    num_threads
        Torch threads per training run.  Results are bit-identical for the
        same thread count on the same machine; 1 is the default because
        it is reproducible everywhere and, with :func:`run_experiment`'s
        ``workers``, uses several cores better than threads do.

    Raises
    ------
    ConfigError
        For an unknown scale, preset, strategy or target, an empty or
        duplicated list, or ``num_threads`` < 1.
    """

    scale: str = "ci"
    seed: int = 0
    preset: str | ModelPreset = "fast"
    strategies: tuple[str, ...] = ALL_STRATEGIES
    targets: tuple[str, ...] = TARGETS
    participants: tuple[str, ...] | None = None
    num_threads: int = 1

    def __post_init__(self) -> None:
        for name in ("strategies", "targets"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        if self.participants is not None:
            participants = (self.participants,) if isinstance(self.participants, str) else self.participants
            object.__setattr__(self, "participants", tuple(str(p) for p in participants))
        if self.scale not in SCALES:
            raise ConfigError(f"unknown scale {self.scale!r}; choose one of {sorted(SCALES)}")
        get_preset(self.preset)
        for s in self.strategies:
            check_strategy(s)
        unknown = [t for t in self.targets if t not in TARGETS]
        if unknown:
            raise ConfigError(f"unknown targets {unknown}; choose from {list(TARGETS)}")
        for name in ("strategies", "targets", "participants"):
            value = getattr(self, name)
            if value is not None and (not value or len(set(value)) != len(value)):
                raise ConfigError(f"{name} must be a non-empty list without repeats, got {list(value)}")
        if int(self.seed) < 0:
            raise ConfigError(f"seed must be non-negative, got {self.seed}")
        if int(self.num_threads) < 1:
            raise ConfigError(f"num_threads must be at least 1, got {self.num_threads}")

    @property
    def model_preset(self) -> ModelPreset:
        """The resolved :class:`~grfkit.model.presets.ModelPreset`."""
        return get_preset(self.preset)

    def to_dict(self) -> dict:
        """Return a JSON-ready dictionary (the preset written out in full)."""
        data = asdict(self)
        data["preset"] = self.model_preset.to_dict()
        for name in ("strategies", "targets", "participants"):
            if data[name] is not None:
                data[name] = list(data[name])
        return data


# --- fingerprints and cache keys -------------------------------------------------


def stance_fingerprint(stances: StanceDataset) -> str:
    """Return a content hash of a stance data set (channels, metadata, curves).

    Parameters
    ----------
    stances
        Any stance data set.

    Returns
    -------
    str
        Hex SHA-256; equal for data sets with equal content.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps([list(stances.input_channels), list(stances.target_channels)]).encode())
    meta = stances.meta
    digest.update(json.dumps([list(meta.columns), [str(t) for t in meta.dtypes]]).encode())
    digest.update(pd.util.hash_pandas_object(meta, index=False).to_numpy().tobytes())
    for array in (stances.inputs, stances.targets):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def code_fingerprint() -> str:
    """Return a hash of the code that trains and evaluates a fold.

    Covers :data:`CODE_SOURCES`, every grfkit module they import, and the
    torch and numpy versions: change any of them and cached results are
    recomputed.

    Returns
    -------
    str
        Hex SHA-256.
    """
    digest = hashlib.sha256(f"torch {torch.__version__} numpy {np.__version__}".encode())
    digest.update(package_fingerprint(CODE_SOURCES).encode())
    return digest.hexdigest()


def _key(**parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class _Context:
    """Everything a cache key depends on besides the fold itself."""

    preset: dict
    features: dict
    seed: int
    num_threads: int
    data: str
    treadmill_data: str
    code: str

    def pretrain_parts(self, target: str) -> dict:
        """What a pre-trained model depends on (its cache key, and its manifest's ``key``)."""
        training = {k: v for k, v in self.preset.items() if not k.startswith("fine_tune_")}
        return dict(kind="pretrain", format=_CACHE_FORMAT, target=target, preset=training,
                    features=self.features, seed=self.seed, num_threads=self.num_threads,
                    data=self.treadmill_data, code=self.code)

    def fold_parts(self, strategy: str, target: str, subject: str) -> dict:
        """What a fold's result depends on (its cache key, and its manifest's ``key``)."""
        return dict(kind="fold", format=_CACHE_FORMAT, strategy=strategy, target=target, subject=subject,
                    preset=self.preset, features=self.features, seed=self.seed, num_threads=self.num_threads,
                    data=self.data, code=self.code)


# --- the cache -------------------------------------------------------------------


def _save_fold(job: _FoldJob, fold: FoldResult) -> None:
    parts = json.loads(job.key_parts)
    with write_entry(job.path, "fold", parts, parts["code"]) as tmp:
        fold.stances.to_parquet(tmp / "stances.parquet", index=False)
        np.savez_compressed(tmp / "curves.npz", measured_n=fold.measured_n, estimated_n=fold.estimated_n)
        info = {"key": job.key, "strategy": fold.strategy, "target": fold.target, "subject": fold.subject,
                "n_train_stances": fold.n_train_stances, "wall_time_s": fold.wall_time_s,
                "fine_tune_epochs": fold.fine_tune_epochs}
        (tmp / "fold.json").write_text(json.dumps(info, indent=2), encoding="utf-8")


def _load_fold(path: Path) -> FoldResult:
    info = json.loads((path / "fold.json").read_text(encoding="utf-8"))
    with np.load(path / "curves.npz", allow_pickle=False) as curves:
        measured_n, estimated_n = curves["measured_n"], curves["estimated_n"]
    return FoldResult(
        strategy=info["strategy"],
        target=info["target"],
        subject=info["subject"],
        stances=pd.read_parquet(path / "stances.parquet"),
        measured_n=measured_n,
        estimated_n=estimated_n,
        n_train_stances=int(info["n_train_stances"]),
        wall_time_s=float(info["wall_time_s"]),
        fine_tune_epochs=info["fine_tune_epochs"],
    )


def _cached_fold(job: _FoldJob) -> FoldResult | None:
    """The fold's cached result if its entry passes its check; ``None`` (with a warning if damaged) otherwise."""
    return load_entry(job.path, "fold", json.loads(job.key_parts), _load_fold)


def _save_pretrained(job: _PretrainJob, model: TrainedModel) -> None:
    parts = json.loads(job.key_parts)
    with write_entry(job.path, "pretrained", parts, parts["code"]) as tmp:
        model._write_files(tmp)


def _cached_pretrained(job: _PretrainJob) -> TrainedModel | None:
    """The cached pre-trained model if its entry passes its check (weights' SHA-256 included), else ``None``."""
    return load_entry(job.path, "pretrained", json.loads(job.key_parts), TrainedModel.load)


# --- units of work (run in this process or in worker processes) ------------------

_WORKER_DATA: dict[str, StanceDataset] = {}
def _init_worker(parent_pid: int, overground: StanceDataset, treadmill: StanceDataset) -> None:
    exit_with_parent(parent_pid)
    _WORKER_DATA["overground"], _WORKER_DATA["treadmill"] = overground, treadmill


@dataclass(frozen=True)
class _PretrainJob:
    target: str
    path: Path
    key_parts: str
    preset: ModelPreset
    features: FeatureSet
    seed: int
    num_threads: int


@dataclass(frozen=True)
class _FoldJob:
    strategy: str
    target: str
    subject: str
    path: Path
    key: str
    key_parts: str
    pretrained_path: Path | None
    preset: ModelPreset
    features: FeatureSet
    seed: int
    num_threads: int


def _do_pretrain(job: _PretrainJob, treadmill: StanceDataset) -> float:
    started = time.perf_counter()
    model = pretrain(treadmill, target=job.target, preset=job.preset, features=job.features, seed=job.seed,
                     num_threads=job.num_threads)
    _save_pretrained(job, model)
    return time.perf_counter() - started


def _do_fold(job: _FoldJob, overground: StanceDataset, treadmill: StanceDataset,
             pretrained: TrainedModel | None) -> FoldResult:
    if job.pretrained_path is not None and pretrained is None:
        pretrained = TrainedModel.load(job.pretrained_path)
    fold = run_fold(job.strategy, overground, job.subject, target=job.target, treadmill=treadmill,
                    pretrained=pretrained, preset=job.preset, features=job.features, seed=job.seed,
                    num_threads=job.num_threads)
    _save_fold(job, fold)
    return fold


def _pretrain_in_worker(job: _PretrainJob) -> float:
    return _do_pretrain(job, _WORKER_DATA["treadmill"])


def _fold_in_worker(job: _FoldJob) -> float:
    return _do_fold(job, _WORKER_DATA["overground"], _WORKER_DATA["treadmill"], None).wall_time_s


# --- results ---------------------------------------------------------------------


@dataclass
class ExperimentResults:
    """The tables of a finished experiment (what :func:`run_experiment` writes).

    Parameters
    ----------
    table
        ``results.csv``: one row per strategy x target x held-out participant.
    stances
        ``stances.csv``: one row per held-out stance and fold.
    timings
        ``timings.csv``: wall time per fold (and pre-training), and whether
        this run computed it or loaded it from the cache.
    provenance
        ``provenance.json`` as a dictionary.
    out_dir
        The results folder.
    """

    table: pd.DataFrame
    stances: pd.DataFrame
    timings: pd.DataFrame
    provenance: dict
    out_dir: Path | None = None
    _curves: dict[str, np.ndarray] | None = field(default=None, repr=False)

    def summary_table(self) -> pd.DataFrame:
        """Mean, min and max rRMSE (%) across participants per strategy and target (see :func:`summarise_results`)."""
        return summarise_results(self.table)

    def summary(self) -> str:
        """The study's format: mean (min-max) rRMSE per strategy and target, as text."""
        config = self.provenance.get("config", {})
        preset = config.get("preset", {}).get("name", "?")
        head = f"scale {config.get('scale', '?')}, seed {config.get('seed', '?')}, preset {preset}"
        return f"{head}\n{format_summary(self.table)}"

    def curves(self) -> dict[str, np.ndarray]:
        """Measured and estimated curves of every held-out stance (``curves.npz``).

        Returns
        -------
        dict of numpy.ndarray
            ``measured_n`` and ``estimated_n`` ``(n, 101)`` in newtons, and
            ``strategy``, ``target``, ``subject``, ``bout``, ``ic_s`` ``(n,)``
            identifying each row (the row order of ``stances``).

        Raises
        ------
        MissingFileError
            If the results folder has no ``curves.npz`` (e.g. a results table
            kept without its curves).
        """
        if self._curves is None:
            if self.out_dir is None or not (self.out_dir / "curves.npz").is_file():
                where = (self.out_dir or Path()) / "curves.npz"
                raise MissingFileError("no curves were kept with these results", path=where)
            with np.load(self.out_dir / "curves.npz", allow_pickle=False) as data:
                self._curves = {k: data[k] for k in data.files}
        return self._curves


def summarise_results(table: pd.DataFrame, column: str = "rrmse_pct") -> pd.DataFrame:
    """Mean and range across held-out participants per strategy and target.

    Parameters
    ----------
    table
        ``results.csv`` (one row per strategy x target x subject).
    column
        Metric to summarise.

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy``, ``target``, ``n_participants``, ``<column>_mean``,
        ``_min``, ``_max``, and ``n_undefined`` (stances with an undefined
        rRMSE, summed over participants) when ``table`` has that column
        (results written before it existed do not); rows in the table's
        order of strategies and targets.

    Raises
    ------
    ConfigError
        If a column is missing.
    """
    summary = summarise(table, columns=(column,), by=("strategy", "target"))
    if "n_undefined" in table.columns:
        undefined = table.groupby(["strategy", "target"], sort=False)["n_undefined"].sum()
        keys = pd.MultiIndex.from_frame(summary[["strategy", "target"]])
        summary["n_undefined"] = undefined.reindex(keys).to_numpy(dtype=np.int64)
    return summary


def format_summary(table: pd.DataFrame) -> str:
    """Format mean (min-max) rRMSE per strategy (rows) and target (columns).

    Parameters
    ----------
    table
        ``results.csv``.

    Returns
    -------
    str
        A small text table, e.g. ``combined     6.1 (3.5-10.7)   5.5 (3.2-7.9)``;
        a cell ends with ``undefined k`` when ``k`` stances had an undefined
        rRMSE (left out of the means).

    Examples
    --------
    >>> t = pd.DataFrame({"strategy": ["combined"] * 2, "target": ["vgrf"] * 2,
    ...                   "subject": ["a", "b"], "rrmse_pct": [4.0, 8.0]})
    >>> print(format_summary(t))
    rRMSE %, mean (min–max) over held-out participants
    strategy    vgrf
    combined    6.0 (4.0–8.0)  n=2
    """
    summary = summarise_results(table)
    targets = list(dict.fromkeys(summary["target"]))
    label = max(12, *(len(s) + 1 for s in summary["strategy"]))
    width = 40 if "n_undefined" in summary and summary["n_undefined"].any() else 26
    lines = [
        "rRMSE %, mean (min–max) over held-out participants",
        f"{'strategy':<{label}}" + "".join(f"{t:<{width}}" for t in targets).rstrip(),
    ]
    for strategy, group in summary.groupby("strategy", sort=False):
        cells = []
        for target in targets:
            row = group.loc[group["target"] == target]
            if row.empty:
                cells.append(f"{'-':<26}")
                continue
            r = row.iloc[0]
            cell = f"{r.rrmse_pct_mean:.1f} ({r.rrmse_pct_min:.1f}–{r.rrmse_pct_max:.1f})  n={r.n_participants}"
            if getattr(r, "n_undefined", 0):
                cell += f" undefined {r.n_undefined}"
            cells.append(f"{cell:<{width}}")
        lines.append(f"{strategy:<{label}}" + "".join(cells).rstrip())
    return "\n".join(lines)


def compare_with_published(table: pd.DataFrame) -> pd.DataFrame:
    """Our mean (min-max) rRMSE beside the study's published numbers.

    Parameters
    ----------
    table
        ``results.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per strategy and target: ``ours_mean``, ``ours_min``,
        ``ours_max``, ``published_mean``, ``published_min``,
        ``published_max`` (NaN where the study gives no number).
    """
    summary = summarise_results(table)
    rows = []
    for r in summary.itertuples(index=False):
        published = PUBLISHED_RRMSE.get((r.strategy, r.target), (np.nan, np.nan, np.nan))
        rows.append(
            {
                "strategy": r.strategy,
                "target": r.target,
                "n_participants": r.n_participants,
                "ours_mean": r.rrmse_pct_mean,
                "ours_min": r.rrmse_pct_min,
                "ours_max": r.rrmse_pct_max,
                "published_mean": published[0],
                "published_min": published[1],
                "published_max": published[2],
            }
        )
    return pd.DataFrame(rows)


def rrmse_table(
    runs: Mapping[str, pd.DataFrame],
    published: Mapping[tuple[str, str], tuple[float, float, float]] | None = PUBLISHED_RRMSE,
) -> pd.DataFrame:
    """Mean (min–max) rRMSE of several runs side by side, in the study's format.

    Parameters
    ----------
    runs
        ``{label: results table}``, e.g. ``{"book scale": ..., "paper scale": ...}``.
    published
        Published values to add as a last column (``None``: none).

    Returns
    -------
    pandas.DataFrame
        Index (strategy, target); one text column per run (and
        ``"published"``), cells like ``"6.1 (3.5–10.7)"``, ``"–"`` where a run
        has no such rows or the study gives no number.

    Examples
    --------
    >>> t = pd.DataFrame({"strategy": ["combined"] * 2, "target": ["vgrf"] * 2,
    ...                   "subject": ["a", "b"], "rrmse_pct": [4.0, 8.0]})
    >>> rrmse_table({"ours": t}).iloc[0].tolist()
    ['6.0 (4.0–8.0)', '6.1 (3.5–10.7)']
    """
    columns: dict[str, dict[tuple[str, str], str]] = {}
    order: list[tuple[str, str]] = []
    for label, table in runs.items():
        cells = {}
        for r in summarise_results(table).itertuples(index=False):
            cells[(r.strategy, r.target)] = f"{r.rrmse_pct_mean:.1f} ({r.rrmse_pct_min:.1f}–{r.rrmse_pct_max:.1f})"
            if (r.strategy, r.target) not in order:
                order.append((r.strategy, r.target))
        columns[label] = cells
    if published is not None:
        columns["published"] = {k: f"{m:.1f} ({lo:.1f}–{hi:.1f})" for k, (m, lo, hi) in published.items()}
    index = pd.MultiIndex.from_tuples(order, names=["strategy", "target"])
    return pd.DataFrame({label: [cells.get(key, "–") for key in order] for label, cells in columns.items()},
                        index=index)


def default_results_dir(config: ExperimentConfig) -> Path:
    """Return the results folder the book's chapters use for a config, inside grfkit's cache folder.

    Chapters 4 and 5 run the same configuration; with this folder (and the
    shared fold cache) the second one only reads what the first computed.

    Parameters
    ----------
    config
        The experiment configuration.

    Returns
    -------
    pathlib.Path
        ``<cache>/results/<scale>-seed<seed>-<preset>-<hash of the config>``.
    """
    from grfkit.storage.cohort_cache import cache_dir

    digest = _key(config=config.to_dict())[:10]
    return cache_dir() / "results" / f"{config.scale}-seed{config.seed}-{config.model_preset.name}-{digest}"


def load_results(out_dir: str | Path) -> ExperimentResults:
    """Read a results folder written by :func:`run_experiment`.

    ``results.csv`` and ``provenance.json`` are required; ``stances.csv``,
    ``timings.csv`` and ``curves.npz`` are optional (a kept paper-scale run
    may have only the first two).

    Parameters
    ----------
    out_dir
        The results folder.

    Returns
    -------
    ExperimentResults
        Missing optional tables are empty.

    Raises
    ------
    MissingFileError
        If ``results.csv`` or ``provenance.json`` is absent.
    """
    out_dir = Path(out_dir)
    for name in ("results.csv", "provenance.json"):
        if not (out_dir / name).is_file():
            raise MissingFileError("experiment results file is missing", path=out_dir / name)
    text = {"subject": str, "strategy": str, "target": str}

    def optional(name: str) -> pd.DataFrame:
        path = out_dir / name
        return pd.read_csv(path, dtype=text) if path.is_file() else pd.DataFrame()

    return ExperimentResults(
        table=pd.read_csv(out_dir / "results.csv", dtype=text),
        stances=optional("stances.csv"),
        timings=optional("timings.csv"),
        provenance=json.loads((out_dir / "provenance.json").read_text(encoding="utf-8")),
        out_dir=out_dir,
    )


# --- the runner ------------------------------------------------------------------


def _check_data(config: ExperimentConfig, overground: StanceDataset, treadmill: StanceDataset,
                features: FeatureSet) -> list[str]:
    """Validate the stances against the config before any training; return the held-out participants."""
    for name, part in (("overground", overground), ("treadmill", treadmill)):
        if not len(part):
            continue
        missing = [c for c in features.signal_channels if c not in part.input_channels]
        missing += [c for c in features.static if c not in part.meta.columns]
        if missing:
            raise ChannelMismatchError(
                f"the {name} stances lack channels the model's feature set {features.name!r} needs: {missing}"
            )
    participants = [str(p) for p in overground.participants]
    if len(participants) < 2:
        raise ConfigError(f"leave-one-subject-out needs at least 2 overground participants, got {participants}")
    if any(needs_pretraining(s) or s == "combined" for s in config.strategies) and not len(treadmill):
        raise ConfigError(f"strategies {list(config.strategies)} need treadmill stances; the data set has none")
    if config.participants is None:
        return participants
    unknown = [p for p in config.participants if p not in participants]
    if unknown:
        raise ConfigError(f"participants {unknown} are not overground participants of the data ({participants})")
    return list(config.participants)


def _load_stances(config: ExperimentConfig, progress: bool) -> StanceDataset:
    from grfkit.storage.cohort_cache import load_or_build_stances

    return load_or_build_stances(config.scale, config.seed, progress=progress)


def run_experiment(
    config: ExperimentConfig,
    out_dir: str | Path,
    *,
    progress: bool = True,
    stances: StanceDataset | None = None,
    cache_dir: str | Path | None = None,
    workers: int = 1,
    features: FeatureSet = PUBLISHED_FEATURES,
    on_fold: Callable[[FoldResult, bool], None] | None = None,
    data_source: str | None = None,
    command: str | None = None,
    overwrite: bool = False,
) -> ExperimentResults:
    """Run (or resume) an experiment and write its results folder.

    Parameters
    ----------
    config
        What to run.
    out_dir
        Results folder to write (see the module docstring), swapped in whole
        at the end.  An existing one is replaced only if it is a results
        folder grfkit wrote (see :mod:`grfkit.storage.output_folders`); this is
        checked, with the folder's writability, before any training.
    progress
        Show a progress bar over pre-trainings and folds.
    stances
        The stance data (overground and treadmill); default: simulated and
        preprocessed at ``config.scale`` and ``config.seed`` by
        :func:`grfkit.storage.cohort_cache.load_or_build_stances` (cached).
    cache_dir
        Where fold results and pre-trained models are cached; default
        ``experiments/`` in grfkit's cache folder (``$GRFKIT_CACHE_DIR``, else
        ``~/.cache/grfkit``; see :func:`grfkit.storage.cohort_cache.cache_dir`).
    workers
        Processes training folds in parallel, each with
        ``config.num_threads`` torch threads.  Results do not depend on it.
    features
        Model input channels.
    on_fold
        Called in this process as ``on_fold(fold, loaded)`` after every fold
        is stored (``loaded``: taken from the cache); ``fold.model`` is the
        fold's model when it was trained in this process (``workers=1``),
        else ``None``.  An exception it raises stops the run (finished folds
        stay cached).
    data_source
        Where ``stances`` came from, for ``provenance.json`` (e.g. a folder).
    command
        The command line that started the run, for ``provenance.json``
        (the ``grfkit experiment`` command records itself).
    overwrite
        Also replace an ``out_dir`` that grfkit did not write (its contents
        are moved aside to ``out_dir.replaced-<time>``, not deleted).

    Returns
    -------
    ExperimentResults
        The tables written to ``out_dir``.

    Raises
    ------
    ConfigError
        If the data do not suit the config (no treadmill stances, fewer than
        2 overground participants, unknown held-out participants).
    ChannelMismatchError
        If the stances lack channels of ``features``.
    OutputError
        If ``out_dir`` may not be replaced or cannot be written.
    CacheError
        If the cache cannot be written (read-only, disk full), naming the
        path; checked before any training when something is to be computed.

    Warns
    -----
    grfkit.storage.cache.CacheWarning
        For every cache entry that fails its check and is recomputed.
    """
    started = time.perf_counter()
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}")
    out_dir = check_output(out_dir, "results", overwrite=overwrite)
    if cache_dir is None:
        from grfkit.storage.cohort_cache import cache_dir as grfkit_cache_dir

        cache_dir = grfkit_cache_dir() / "experiments"
    cache = Path(cache_dir)
    simulated = stances is None
    if simulated:
        stances = _load_stances(config, progress)
    overground, treadmill = split_domains(stances)
    subjects = _check_data(config, overground, treadmill, features)
    for part in ("folds", "pretrained"):
        remove_stale_temporaries(cache / part)
    preset = config.model_preset
    context = _Context(
        preset=preset.to_dict(),
        features=features.to_dict(),
        seed=int(config.seed),
        num_threads=int(config.num_threads),
        data=stance_fingerprint(stances),
        treadmill_data=stance_fingerprint(treadmill),
        code=code_fingerprint(),
    )
    common = dict(preset=preset, features=features, seed=int(config.seed), num_threads=int(config.num_threads))

    pretrain_jobs: dict[str, _PretrainJob] = {}
    for target in config.targets:
        if any(needs_pretraining(s) for s in config.strategies):
            parts = context.pretrain_parts(target)
            pretrain_jobs[target] = _PretrainJob(target=target, path=cache / "pretrained" / _key(**parts),
                                                 key_parts=json.dumps(parts), **common)
    fold_jobs: list[_FoldJob] = []
    for target in config.targets:
        for strategy in config.strategies:
            for subject in subjects:
                parts = context.fold_parts(strategy, target, subject)
                key = _key(**parts)
                pre = pretrain_jobs[target].path if needs_pretraining(strategy) else None
                fold_jobs.append(_FoldJob(strategy=strategy, target=target, subject=subject,
                                          path=cache / "folds" / key, key=key, key_parts=json.dumps(parts),
                                          pretrained_path=pre, **common))

    folds: dict[str, FoldResult] = {}
    timing_rows: list[dict] = []
    todo_pretrain = []
    for job in pretrain_jobs.values():
        model = _cached_pretrained(job)  # a damaged or altered model is trained again, not used
        if model is None:
            todo_pretrain.append(job)
        else:
            history = model.history[0]
            timing_rows.append(_timing_row("pretrain", job.target, "", history.wall_time_s, history.n_stances, True))
    todo_folds = []
    for job in fold_jobs:
        fold = _cached_fold(job)
        if fold is None:
            todo_folds.append(job)
        else:
            folds[job.key] = fold
    if todo_pretrain or todo_folds:  # before any training: a cache that cannot be written fails now
        ensure_writable(cache)

    bar = tqdm(total=len(pretrain_jobs) + len(fold_jobs), desc="experiment", unit="fit", disable=not progress)
    bar.update(len(pretrain_jobs) - len(todo_pretrain))
    try:
        for job in fold_jobs:  # cached folds first, in a fixed order
            if job.key in folds:
                bar.update()
                if on_fold is not None:
                    on_fold(folds[job.key], True)
        if workers == 1 or not (todo_pretrain or todo_folds):
            _run_inline(todo_pretrain, todo_folds, overground, treadmill, folds, timing_rows, bar, on_fold)
        else:
            _run_pool(workers, todo_pretrain, todo_folds, overground, treadmill, folds, timing_rows, bar, on_fold)
    finally:
        bar.close()

    ordered = [folds[job.key] for job in fold_jobs]
    computed = {r["key"] for r in timing_rows if r["kind"] == "fold"}
    for job, fold in zip(fold_jobs, ordered):
        if job.key not in computed:
            timing_rows.append({**_timing_row("fold", fold.target, fold.subject, fold.wall_time_s,
                                              fold.n_train_stances, True), "strategy": fold.strategy, "key": job.key})
    provenance = {
        "grfkit_version": __version__,
        "command": command,
        "git": git_state(),
        "config": config.to_dict(),
        "features": features.to_dict(),
        "data": {
            "fingerprint": context.data,
            "n_overground_stances": len(overground),
            "n_treadmill_stances": len(treadmill),
            "overground_participants": [str(p) for p in overground.participants],
            "n_treadmill_participants": len(treadmill.participants),
            "held_out": subjects,
            "source": (
                "simulated at the config's scale and seed" if simulated else data_source or "given to run_experiment"
            ),
        },
        "code_fingerprint": context.code,
        "machine": machine(torch_threads_per_run=int(config.num_threads), workers=workers),
        "date_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "wall_time_s": time.perf_counter() - started,
        "compute_time_s": float(sum(r["wall_time_s"] for r in timing_rows)),
        "n_fits_computed": sum(not r["cached"] for r in timing_rows),
        "n_fits_cached": sum(bool(r["cached"]) for r in timing_rows),
        "cache_dir": str(cache),
    }
    return _write_results(out_dir, ordered, timing_rows, provenance, overwrite=overwrite)


def _timing_row(kind: str, target: str, subject: str, wall_time_s: float, n_train: int, cached: bool) -> dict:
    return {"kind": kind, "strategy": "", "target": target, "subject": subject, "n_train_stances": int(n_train),
            "wall_time_s": float(wall_time_s), "cached": bool(cached), "key": ""}


def _record(fold: FoldResult, job: _FoldJob, folds: dict, timing_rows: list, bar: tqdm,
            on_fold: Callable[[FoldResult, bool], None] | None, model: TrainedModel | None = None) -> None:
    folds[job.key] = fold
    timing_rows.append({**_timing_row("fold", fold.target, fold.subject, fold.wall_time_s, fold.n_train_stances,
                                      False), "strategy": fold.strategy, "key": job.key})
    bar.update()
    if on_fold is not None:
        on_fold(dataclasses.replace(fold, model=model), False)


def _run_inline(todo_pretrain, todo_folds, overground, treadmill, folds, timing_rows, bar, on_fold) -> None:
    pretrained: dict[Path, TrainedModel] = {}
    for job in todo_pretrain:
        wall_time_s = _do_pretrain(job, treadmill)
        timing_rows.append(_timing_row("pretrain", job.target, "", wall_time_s, len(treadmill), False))
        bar.update()
    for job in todo_folds:
        model = None
        if job.pretrained_path is not None:
            if job.pretrained_path not in pretrained:
                pretrained[job.pretrained_path] = TrainedModel.load(job.pretrained_path)
            model = pretrained[job.pretrained_path]
        fold = _do_fold(job, overground, treadmill, model)
        # Tables are assembled from what was stored, so that fresh and resumed runs match exactly;
        # the callback also gets the fold's model, which only exists in this process.
        _record(_load_fold(job.path), job, folds, timing_rows, bar, on_fold, fold.model)


def _run_pool(workers, todo_pretrain, todo_folds, overground, treadmill, folds, timing_rows, bar, on_fold) -> None:
    # "spawn": a forked child of a process that has started torch's thread pools can hang.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                               initializer=_init_worker, initargs=(os.getpid(), overground, treadmill))
    try:
        with _sigterm_as_exit():
            waiting = {job.path for job in todo_pretrain}
            running: dict[Future, object] = {pool.submit(_pretrain_in_worker, j): j for j in todo_pretrain}
            blocked = [j for j in todo_folds if j.pretrained_path in waiting]
            running.update({pool.submit(_fold_in_worker, j): j for j in todo_folds if j not in blocked})
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    wall_time_s = future.result()
                    if isinstance(job, _PretrainJob):
                        timing_rows.append(_timing_row("pretrain", job.target, "", wall_time_s, len(treadmill),
                                                       False))
                        bar.update()
                        waiting.discard(job.path)
                        ready = [j for j in blocked if j.pretrained_path == job.path]
                        blocked = [j for j in blocked if j.pretrained_path != job.path]
                        running.update({pool.submit(_fold_in_worker, j): j for j in ready})
                    else:
                        _record(_load_fold(job.path), job, folds, timing_rows, bar, on_fold)
    except BaseException:
        # Stopped (an error, Ctrl-C, SIGTERM): end the workers now instead of waiting for their fits.
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


@contextlib.contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """In the main thread, turn SIGTERM into ``SystemExit(143)`` so that the workers are ended on the way out."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _write_results(
    out_dir: Path, folds: list[FoldResult], timing_rows: list[dict], provenance: dict, *, overwrite: bool
) -> ExperimentResults:
    """Write the results folder as a whole: a new folder beside ``out_dir`` swapped in when complete."""
    parts = []
    for fold in folds:
        part = fold.stances.drop(columns=["dataset"]).copy()
        part.insert(0, "subject", fold.subject)
        part.insert(0, "target", fold.target)
        part.insert(0, "strategy", fold.strategy)
        parts.append(part.drop(columns=["participant"]))
    stances = pd.concat(parts, ignore_index=True)
    table = participant_metrics(stances, by=["strategy", "target", "subject"])
    # Stances with an undefined rRMSE (measured curve of zero range) are left out of the means: count them.
    undefined = stances["rrmse_pct"].isna().groupby([stances[c] for c in ("strategy", "target", "subject")],
                                                   sort=False).sum()
    keys = pd.MultiIndex.from_frame(table[["strategy", "target", "subject"]])
    table.insert(table.columns.get_loc("n_stances") + 1, "n_undefined",
                 undefined.reindex(keys).to_numpy(dtype=np.int64))
    epochs = {(f.strategy, f.target, f.subject): f.fine_tune_epochs for f in folds}
    table["fine_tune_epochs"] = pd.array([epochs[k] for k in keys], dtype="Int64")
    curves = {
        "measured_n": np.concatenate([f.measured_n for f in folds]),
        "estimated_n": np.concatenate([f.estimated_n for f in folds]),
        **{c: stances[c].to_numpy(dtype=str if c != "ic_s" else np.float64) for c in _CURVE_ID_COLUMNS},
    }
    timings = pd.DataFrame(timing_rows)[
        ["kind", "strategy", "target", "subject", "n_train_stances", "wall_time_s", "cached"]
    ]
    with write_output(out_dir, "results", overwrite=overwrite) as tmp:
        with open(tmp / "curves.npz", "wb") as handle:
            np.savez_compressed(handle, **curves)
        for name, text in (("stances.csv", stances.to_csv(index=False)),
                           ("timings.csv", timings.to_csv(index=False)),
                           ("summary.csv", summarise_results(table).to_csv(index=False)),
                           ("provenance.json", json.dumps(provenance, indent=2)),
                           ("results.csv", table.to_csv(index=False))):
            (tmp / name).write_text(text, encoding="utf-8")
    return ExperimentResults(table=table, stances=stances, timings=timings, provenance=provenance, out_dir=out_dir,
                             _curves=curves)
