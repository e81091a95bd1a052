"""Where experiment results live: the fold cache and the results folder.

Cache keys hash everything a fold depends on (:class:`CacheContext`: preset,
features, seed, threads, device, :func:`stance_fingerprint` of the data it
reads and :func:`code_fingerprint` of the code that trains and evaluates);
:func:`save_fold`, :func:`cached_fold`, :func:`save_pretrained` and
:func:`cached_pretrained` write and check entries (:mod:`grfkit.storage.cache`).
:func:`write_results` writes a results folder whole, :func:`load_results`
reads one back as :class:`ExperimentResults`, and :func:`default_results_dir`
is the folder the book's chapters share.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from grfkit.errors import MissingFileError
from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.evaluation import FoldResult
from grfkit.experiment.report import format_summary, summarise_results
from grfkit.experiment.strategies import uses_treadmill
from grfkit.io.stances import StanceDataset
from grfkit.model.metrics import participant_metrics
from grfkit.model.presets import ModelPreset
from grfkit.model.trained_model import TrainedModel
from grfkit.storage.cache import load_entry, write_entry
from grfkit.storage.fingerprint import package_fingerprint
from grfkit.storage.output_folders import write_output

__all__ = [
    "CODE_SOURCES",
    "CACHE_FORMAT",
    "stance_fingerprint",
    "code_fingerprint",
    "cache_key",
    "CacheContext",
    "save_fold",
    "load_fold",
    "cached_fold",
    "save_pretrained",
    "cached_pretrained",
    "ExperimentResults",
    "default_results_dir",
    "load_results",
    "write_results",
]

#: Where a fold's computation starts: the model stage and the evaluation loop (and all they import).
CODE_SOURCES: tuple[str, ...] = ("model", "experiment/evaluation.py")
#: Version of the cache entries' layout; part of every key.
CACHE_FORMAT = 4
_CURVE_ID_COLUMNS: tuple[str, ...] = ("strategy", "target", "subject", "bout", "ic_s")


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


def cache_key(**parts: object) -> str:
    """Return the 24-hex-digit key of a cache entry: a hash of ``parts`` (JSON, sorted keys).

    Parameters
    ----------
    **parts
        What the entry depends on (JSON-serialisable).
    """
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class CacheContext:
    """Everything a cache key depends on besides the fold itself.

    Parameters
    ----------
    preset, features
        The model preset and feature set as dictionaries.
    seed, num_threads
        Training seed and torch threads.
    data, treadmill_data, overground_data
        :func:`stance_fingerprint` of all stances, of the treadmill stances and
        of the overground stances.  A fold of a strategy that never reads the
        treadmill stances (:func:`grfkit.experiment.strategies.uses_treadmill`)
        is keyed on the overground stances only, so that changing the treadmill
        set does not recompute it.
    code
        :func:`code_fingerprint`.
    device
        The resolved torch device that trains (``"cpu"``, ``"cuda"``).
    """

    preset: dict
    features: dict
    seed: int
    num_threads: int
    data: str
    treadmill_data: str
    overground_data: str
    code: str
    device: str = "cpu"

    def pretrain_parts(self, target: str) -> dict:
        """What a pre-trained model depends on (its cache key, and its manifest's ``key``)."""
        return dict(kind="pretrain", format=CACHE_FORMAT, target=target,
                    preset=ModelPreset.from_dict(self.preset).training_dict(),
                    features=self.features, seed=self.seed, num_threads=self.num_threads,
                    data=self.treadmill_data, code=self.code, device=self.device)

    def fold_parts(self, strategy: str, target: str, subject: str) -> dict:
        """What a fold's result depends on (its cache key, and its manifest's ``key``)."""
        data = self.data if uses_treadmill(strategy) else self.overground_data
        return dict(kind="fold", format=CACHE_FORMAT, strategy=strategy, target=target, subject=subject,
                    preset=self.preset, features=self.features, seed=self.seed, num_threads=self.num_threads,
                    data=data, code=self.code, device=self.device)


def save_fold(path: Path, key_parts: str, key: str, fold: FoldResult, *, keep_model: bool = False) -> None:
    """Store a fold's result atomically as a cache entry with a manifest.

    Parameters
    ----------
    path
        The entry's folder.
    key_parts
        JSON of :meth:`CacheContext.fold_parts` (the manifest's key).
    key
        :func:`cache_key` of those parts.
    fold
        The result to store.
    keep_model
        Also store its model (a :class:`~grfkit.model.trained_model.TrainedModel`)
        in the entry's ``model/`` folder; baselines are never stored.
    """
    parts = json.loads(key_parts)
    with write_entry(path, "fold", parts, parts["code"]) as tmp:
        fold.stances.to_parquet(tmp / "stances.parquet", index=False)
        np.savez_compressed(tmp / "curves.npz", measured_n=fold.measured_n, estimated_n=fold.estimated_n)
        info = {"key": key, "strategy": fold.strategy, "target": fold.target, "subject": fold.subject,
                "n_train_stances": fold.n_train_stances, "wall_time_s": fold.wall_time_s,
                "fine_tune_epochs": fold.fine_tune_epochs}
        (tmp / "fold.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
        if keep_model and isinstance(fold.model, TrainedModel):
            (tmp / "model").mkdir()
            fold.model.write_files(tmp / "model")


def load_fold(path: Path) -> FoldResult:
    """Read a fold's result stored by :func:`save_fold` (without checking its manifest).

    Parameters
    ----------
    path
        The entry's folder.

    Returns
    -------
    FoldResult
        Without a model.
    """
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


def cached_fold(path: Path, key_parts: str) -> FoldResult | None:
    """Return the cached fold if its entry passes its check; ``None`` (with a warning if damaged) otherwise.

    Parameters
    ----------
    path
        The entry's folder.
    key_parts
        JSON of :meth:`CacheContext.fold_parts`: the key the manifest must hold.
    """
    return load_entry(path, "fold", json.loads(key_parts), load_fold)


def save_pretrained(path: Path, key_parts: str, model: TrainedModel) -> None:
    """Store a pre-trained model atomically as a cache entry with a manifest.

    Parameters
    ----------
    path
        The entry's folder.
    key_parts
        JSON of :meth:`CacheContext.pretrain_parts`.
    model
        The treadmill model.
    """
    parts = json.loads(key_parts)
    with write_entry(path, "pretrained", parts, parts["code"]) as tmp:
        model.write_files(tmp)


def cached_pretrained(path: Path, key_parts: str) -> TrainedModel | None:
    """Return the cached pre-trained model if its entry passes its check (weights' SHA-256 included), else ``None``.

    Parameters
    ----------
    path
        The entry's folder.
    key_parts
        JSON of :meth:`CacheContext.pretrain_parts`.
    """
    return load_entry(path, "pretrained", json.loads(key_parts), TrainedModel.load)


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

    def origin(self) -> str:
        """Where these results came from, read from ``provenance.json``, as lines of text.

        When, which grfkit and commit (with or without uncommitted changes), the
        command, the preset, threads, workers and device, the data and the
        machine, and the wall time; ``?`` or ``not recorded`` for what an older
        ``provenance.json`` lacks.
        """
        p = self.provenance
        git, config = p.get("git") or {}, p.get("config") or {}
        machine, data = p.get("machine") or {}, p.get("data") or {}
        wall_s = p.get("wall_time_s")
        return "\n".join([
            f"date {p.get('date_utc', '?')}, grfkit {p.get('grfkit_version', '?')}",
            f"commit {(git.get('commit') or 'not recorded')[:12]}, uncommitted changes: {git.get('dirty', '?')}",
            f"command: {p.get('command') or 'not recorded'}",
            f"preset {(config.get('preset') or {}).get('name', '?')}, {config.get('num_threads', '?')} torch "
            f"thread(s) per training, {machine.get('workers', '?')} worker(s), device {p.get('device', 'not recorded')}",
            f"{data.get('n_overground_stances', '?')} overground stances of "
            f"{len(data.get('overground_participants', []))} participants, {data.get('n_treadmill_stances', '?')} "
            f"treadmill stances of {data.get('n_treadmill_participants', '?')} runners",
            f"{machine.get('cpu_count', '?')} CPUs, torch {machine.get('torch', '?')}, wall time "
            + (f"{wall_s / 60:.1f} min" if wall_s is not None else "not recorded"),
        ])

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

    digest = cache_key(config=config.to_dict())[:10]
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


def write_results(
    out_dir: Path, folds: list[FoldResult], timing_rows: list[dict], provenance: dict, *, overwrite: bool,
    models: Mapping[str, Path] | None = None,
) -> ExperimentResults:
    """Write the results folder as a whole: a new folder beside ``out_dir`` swapped in when complete.

    Parameters
    ----------
    out_dir
        The results folder (checked by :func:`grfkit.storage.output_folders.check_output`).
    folds
        Every fold's result, in the order of the tables.
    timing_rows
        One row per fold and pre-training (``timings.csv``).
    provenance
        ``provenance.json``.
    overwrite
        Also replace a folder grfkit did not write (moved aside).
    models
        Model folders to copy into ``models/``: relative destination
        (``strategy/target/subject``) -> source folder.

    Returns
    -------
    ExperimentResults
        The tables written.
    """
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
        for relative, source in (models or {}).items():
            shutil.copytree(source, tmp / "models" / relative)
    return ExperimentResults(table=table, stances=stances, timings=timings, provenance=provenance, out_dir=out_dir,
                             _curves=curves)
