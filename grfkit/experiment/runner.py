"""Run the study's experiment: every strategy x target x held-out participant, resumably.

:func:`run_experiment` validates the stances against an
:class:`~grfkit.experiment.config.ExperimentConfig`, trains the shared
treadmill models once per target, then runs every leave-one-subject-out fold
(:func:`grfkit.experiment.evaluation.run_fold`) as units of work of a
:mod:`grfkit.executors` executor (this process, spawned processes, or a Dask
cluster), which return their results to this process; this process alone
caches them under a key of everything they depend on
(:mod:`grfkit.experiment.store`) and writes the results folder, so a killed
run resumes where it stopped.  Folds are deterministic on the CPU, so the
results do not depend on the executor or the number of workers; a script
that passes ``workers > 1`` must guard its top level with
``if __name__ == "__main__":`` (workers are spawned).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import json
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from pathlib import Path

from tqdm.std import tqdm

from grfkit import __version__
from grfkit.errors import ChannelMismatchError, ConfigError
from grfkit.executors import EXECUTORS, Executor, open_executor
from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.evaluation import FoldResult, run_fold
from grfkit.experiment.store import (
    CacheContext,
    ExperimentResults,
    cache_key,
    cached_fold,
    cached_pretrained,
    code_fingerprint,
    load_fold,
    save_fold,
    save_pretrained,
    stance_fingerprint,
    write_results,
)
from grfkit.experiment.strategies import is_baseline, needs_pretraining, pretrain, split_domains
from grfkit.io.stances import StanceDataset
from grfkit.model.devices import resolve_device
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet
from grfkit.model.presets import ModelPreset
from grfkit.model.trained_model import TrainedModel
from grfkit.progress import progress_bar
from grfkit.storage.cache import ensure_writable, remove_stale_temporaries
from grfkit.storage.output_folders import check_output
from grfkit.storage.provenance import git_state, machine

__all__ = ["run_experiment"]

# --- units of work (run by an executor: this process, worker processes or a Dask cluster) ---------


@dataclass(frozen=True)
class _Settings:
    """What every unit of work trains with (sent with the task)."""

    preset: ModelPreset
    features: FeatureSet
    seed: int
    num_threads: int
    device: str


def _pretrain_task(data: Mapping[str, StanceDataset], target: str,
                   settings: _Settings) -> tuple[TrainedModel, float]:
    started = time.perf_counter()
    model = pretrain(data["treadmill"], target=target, preset=settings.preset, features=settings.features,
                     seed=settings.seed, num_threads=settings.num_threads, device=settings.device)
    return model, time.perf_counter() - started


def _fold_task(data: Mapping[str, StanceDataset], strategy: str, target: str, subject: str,
               pretrained: TrainedModel | None, settings: _Settings) -> FoldResult:
    return run_fold(strategy, data["overground"], subject, target=target, treadmill=data["treadmill"],
                    pretrained=pretrained, preset=settings.preset, features=settings.features, seed=settings.seed,
                    num_threads=settings.num_threads, device=settings.device)


@dataclass(frozen=True)
class _PretrainJob:
    target: str
    path: Path
    key_parts: str


@dataclass(frozen=True)
class _FoldJob:
    strategy: str
    target: str
    subject: str
    path: Path
    key: str
    key_parts: str
    keep_model: bool = False


# --- the runner ---------------------------------------------------------------------


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
    keep_models: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    device: str = "cpu",
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
        Units of work run at once, each with ``config.num_threads`` torch
        threads: processes of the ``"local"`` executor (1: this process), or
        the workers of the ``"dask"`` executor's ``LocalCluster``.  Results
        do not depend on it.
    features
        Model input channels.
    on_fold
        Called in this process as ``on_fold(fold, loaded)`` after every fold
        is stored (``loaded``: taken from the cache); ``fold.model`` is the
        fold's model when it was computed in this run, else ``None``.  An
        exception it raises stops the run (finished folds stay cached).
    data_source
        Where ``stances`` came from, for ``provenance.json`` (e.g. a folder).
    command
        The command line that started the run, for ``provenance.json``
        (the ``grfkit experiment`` command records itself).
    overwrite
        Also replace an ``out_dir`` that grfkit did not write (its contents
        are moved aside to ``out_dir.replaced-<time>``, not deleted).
    keep_models
        Also write every wearable fold's model to ``out_dir/models/STRATEGY/TARGET/SUBJECT/``
        (a :class:`~grfkit.model.trained_model.TrainedModel` folder); the models are
        cached with their folds, and a cached fold without its model is trained again.
    executor
        Where the units of work run (:func:`grfkit.executors.open_executor`):
        ``"local"`` or ``"dask"``.  Either way the units return their results
        to this process, which alone writes the cache and the results folder
        (workers need no shared file system).
    scheduler
        With ``executor="dask"``: a running scheduler's address
        (``tcp://HOST:PORT``, ``tls://HOST:PORT``); default a ``LocalCluster``
        of ``workers`` processes on 127.0.0.1.
    device
        ``"cpu"``, ``"cuda"`` or ``"auto"`` (:func:`grfkit.model.devices.resolve_device`,
        resolved in this process); part of every cache key.  On the CPU
        results are bit-identical for the same threads; on CUDA they are
        expected to agree to a tolerance only (see :mod:`grfkit.model.devices`).

    Returns
    -------
    ExperimentResults
        The tables written to ``out_dir``.

    Raises
    ------
    ConfigError
        If the data do not suit the config (no treadmill stances, fewer than
        2 overground participants, unknown held-out participants), or for an
        unknown executor or device, a scheduler without ``executor="dask"``,
        or ``device="cuda"`` without a GPU.
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
    if executor not in EXECUTORS:
        raise ConfigError(f"unknown executor {executor!r}; choose from {list(EXECUTORS)}")
    if scheduler is not None and executor != "dask":
        raise ConfigError("a scheduler address needs the dask executor (--executor dask)")
    torch_device = resolve_device(device).type
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
    context = CacheContext(
        preset=preset.to_dict(),
        features=features.to_dict(),
        seed=int(config.seed),
        num_threads=int(config.num_threads),
        data=stance_fingerprint(stances),
        treadmill_data=stance_fingerprint(treadmill),
        overground_data=stance_fingerprint(overground),
        code=code_fingerprint(),
        device=torch_device,
    )
    settings = _Settings(preset=preset, features=features, seed=int(config.seed),
                         num_threads=int(config.num_threads), device=torch_device)

    pretrain_jobs: dict[str, _PretrainJob] = {}
    for target in config.targets:
        if any(needs_pretraining(s) for s in config.strategies):
            parts = context.pretrain_parts(target)
            pretrain_jobs[target] = _PretrainJob(target=target, path=cache / "pretrained" / cache_key(**parts),
                                                 key_parts=json.dumps(parts))
    fold_jobs: list[_FoldJob] = []
    for target in config.targets:
        for strategy in config.strategies:
            for subject in subjects:
                parts = context.fold_parts(strategy, target, subject)
                key = cache_key(**parts)
                fold_jobs.append(_FoldJob(strategy=strategy, target=target, subject=subject,
                                          path=cache / "folds" / key, key=key, key_parts=json.dumps(parts),
                                          keep_model=keep_models and not is_baseline(strategy)))

    folds: dict[str, FoldResult] = {}
    timing_rows: list[dict] = []
    todo_pretrain = []
    pretrained: dict[str, TrainedModel] = {}  # by target, as stored in the cache
    for job in pretrain_jobs.values():
        model = cached_pretrained(job.path, job.key_parts)  # a damaged or altered model is trained again, not used
        if model is None:
            todo_pretrain.append(job)
        else:
            pretrained[job.target] = model
            history = model.history[0]
            timing_rows.append(_timing_row("pretrain", job.target, "", history.wall_time_s, history.n_stances, True))
    todo_folds = []
    for job in fold_jobs:
        fold = cached_fold(job.path, job.key_parts)
        if fold is None or (job.keep_model and not (job.path / "model").is_dir()):
            todo_folds.append(job)
        else:
            folds[job.key] = fold
    if todo_pretrain or todo_folds:  # before any training: a cache that cannot be written fails now
        ensure_writable(cache)

    bar = progress_bar(total=len(pretrain_jobs) + len(fold_jobs), desc="experiment", unit="fit", show=progress)
    bar.update(len(pretrain_jobs) - len(todo_pretrain))
    ran_on: dict = {"executor": None}  # nothing to compute: no executor opened
    try:
        for job in fold_jobs:  # cached folds first, in a fixed order
            if job.key in folds:
                bar.update()
                if on_fold is not None:
                    on_fold(folds[job.key], True)
        if todo_pretrain or todo_folds:
            run = _Run(settings, pretrained, folds, timing_rows, bar, on_fold, len(treadmill))
            ran_on = run.execute(executor, workers, scheduler, {"overground": overground, "treadmill": treadmill},
                                 todo_pretrain, todo_folds)
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
        "executor": ran_on,
        "device": torch_device,
        "date_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "wall_time_s": time.perf_counter() - started,
        "compute_time_s": float(sum(r["wall_time_s"] for r in timing_rows)),
        "n_fits_computed": sum(not r["cached"] for r in timing_rows),
        "n_fits_cached": sum(bool(r["cached"]) for r in timing_rows),
        "cache_dir": str(cache),
    }
    models = {f"{job.strategy}/{job.target}/{job.subject}": job.path / "model" for job in fold_jobs if job.keep_model}
    return write_results(out_dir, ordered, timing_rows, provenance, overwrite=overwrite, models=models)


def _timing_row(kind: str, target: str, subject: str, wall_time_s: float, n_train: int, cached: bool) -> dict:
    return {"kind": kind, "strategy": "", "target": target, "subject": subject, "n_train_stances": int(n_train),
            "wall_time_s": float(wall_time_s), "cached": bool(cached), "key": ""}


class _Run:
    """The driver: submits the units of work, stores what they return, and records it.

    Pre-trainings and every independent fold are submitted at once (this
    process's executor runs one unit at a time, in order); a fold that needs a
    pre-trained model is submitted, with the model as stored, when that model
    is in the cache.  Results are written to the cache here and the tables
    assembled from what was stored, so that fresh and resumed runs match exactly.
    """

    def __init__(self, settings: _Settings, pretrained: dict[str, TrainedModel], folds: dict[str, FoldResult],
                 timing_rows: list[dict], bar: tqdm, on_fold: Callable[[FoldResult, bool], None] | None,
                 n_treadmill: int) -> None:
        self.settings, self.pretrained, self.folds = settings, pretrained, folds
        self.timing_rows, self.bar, self.on_fold, self.n_treadmill = timing_rows, bar, on_fold, n_treadmill

    def execute(self, executor: str, workers: int, scheduler: str | None, data: Mapping[str, StanceDataset],
                todo_pretrain: list[_PretrainJob], todo_folds: list[_FoldJob]) -> dict:
        """Open the executor, run every job on it, close it (on an error or SIGTERM: stop its workers now).

        Returns the executor's :meth:`~grfkit.executors.Executor.describe`.
        """
        with _sigterm_as_exit(), open_executor(executor, data=data, workers=workers, scheduler=scheduler) as ex:
            self.run(ex, todo_pretrain, todo_folds)
            return ex.describe()

    def run(self, ex: Executor, todo_pretrain: list[_PretrainJob], todo_folds: list[_FoldJob]) -> None:
        """Run every job on ``ex``, storing and recording each result as it arrives."""
        pending: list[_PretrainJob | _FoldJob] = [*todo_pretrain, *todo_folds]
        at_once = 1 if ex.kind == "local" and ex.workers == 1 else len(pending)
        running: dict[Future, tuple[int, _PretrainJob | _FoldJob]] = {}
        submitted = 0
        while pending or running:
            for job in [j for j in pending if self._ready(j)][: max(0, at_once - len(running))]:
                pending.remove(job)
                running[self._submit(ex, job)] = (submitted, job)
                submitted += 1
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f][0]):
                _, job = running.pop(future)
                self._store(job, future.result())

    def _ready(self, job: _PretrainJob | _FoldJob) -> bool:
        return isinstance(job, _PretrainJob) or not needs_pretraining(job.strategy) or job.target in self.pretrained

    def _submit(self, ex: Executor, job: _PretrainJob | _FoldJob) -> Future:
        if isinstance(job, _PretrainJob):
            return ex.submit(_pretrain_task, job.target, self.settings)
        model = self.pretrained[job.target] if needs_pretraining(job.strategy) else None
        return ex.submit(_fold_task, job.strategy, job.target, job.subject, model, self.settings)

    def _store(self, job: _PretrainJob | _FoldJob, result: object) -> None:
        if isinstance(job, _PretrainJob):
            model, wall_time_s = result
            save_pretrained(job.path, job.key_parts, model)
            # The folds get the model as stored, as a resumed run's folds do.
            self.pretrained[job.target] = TrainedModel.load(job.path)
            self.timing_rows.append(_timing_row("pretrain", job.target, "", wall_time_s, self.n_treadmill, False))
            self.bar.update()
            return
        fold = result
        save_fold(job.path, job.key_parts, job.key, fold, keep_model=job.keep_model)
        stored = load_fold(job.path)
        self.folds[job.key] = stored
        self.timing_rows.append({**_timing_row("fold", stored.target, stored.subject, stored.wall_time_s,
                                               stored.n_train_stances, False),
                                 "strategy": stored.strategy, "key": job.key})
        self.bar.update()
        if self.on_fold is not None:
            self.on_fold(dataclasses.replace(stored, model=fold.model), False)


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
