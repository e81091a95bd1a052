"""Run the study's experiment: every strategy x target x held-out participant, resumably.

:func:`run_experiment` validates the stances against an
:class:`~grfkit.experiment.config.ExperimentConfig`, trains the shared
treadmill models once per target, then runs every leave-one-subject-out fold
(:func:`grfkit.experiment.evaluation.run_fold`) in this process or in
``workers`` spawned processes, and writes the results folder
(:func:`grfkit.experiment.store.write_results`).  Every pre-trained model
and fold is cached under a key of everything it depends on
(:mod:`grfkit.experiment.store`), so a killed run resumes where it stopped
and a finished one is only read.  Folds are deterministic, so the results
do not depend on the number of workers; a script that passes ``workers > 1``
must guard its top level with ``if __name__ == "__main__":`` (workers are
spawned).  With ``keep_models`` the results folder also keeps every fold's
model, ``models/STRATEGY/TARGET/SUBJECT/`` (a model folder).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from tqdm.std import tqdm

from grfkit import __version__
from grfkit.errors import ChannelMismatchError, ConfigError
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
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet
from grfkit.model.presets import ModelPreset
from grfkit.model.trained_model import TrainedModel
from grfkit.progress import progress_bar
from grfkit.storage.cache import ensure_writable, remove_stale_temporaries
from grfkit.storage.output_folders import check_output
from grfkit.storage.provenance import git_state, machine
from grfkit.workers import exit_with_parent

__all__ = ["run_experiment"]

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
    keep_model: bool = False


def _do_pretrain(job: _PretrainJob, treadmill: StanceDataset) -> float:
    started = time.perf_counter()
    model = pretrain(treadmill, target=job.target, preset=job.preset, features=job.features, seed=job.seed,
                     num_threads=job.num_threads)
    save_pretrained(job.path, job.key_parts, model)
    return time.perf_counter() - started


def _do_fold(job: _FoldJob, overground: StanceDataset, treadmill: StanceDataset,
             pretrained: TrainedModel | None) -> FoldResult:
    if job.pretrained_path is not None and pretrained is None:
        pretrained = TrainedModel.load(job.pretrained_path)
    fold = run_fold(job.strategy, overground, job.subject, target=job.target, treadmill=treadmill,
                    pretrained=pretrained, preset=job.preset, features=job.features, seed=job.seed,
                    num_threads=job.num_threads)
    save_fold(job.path, job.key_parts, job.key, fold, keep_model=job.keep_model)
    return fold


def _pretrain_in_worker(job: _PretrainJob) -> float:
    return _do_pretrain(job, _WORKER_DATA["treadmill"])


def _fold_in_worker(job: _FoldJob) -> float:
    return _do_fold(job, _WORKER_DATA["overground"], _WORKER_DATA["treadmill"], None).wall_time_s


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
    keep_models
        Also write every wearable fold's model to ``out_dir/models/STRATEGY/TARGET/SUBJECT/``
        (a :class:`~grfkit.model.trained_model.TrainedModel` folder); the models are
        cached with their folds, and a cached fold without its model is trained again.

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
    context = CacheContext(
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
            pretrain_jobs[target] = _PretrainJob(target=target, path=cache / "pretrained" / cache_key(**parts),
                                                 key_parts=json.dumps(parts), **common)
    fold_jobs: list[_FoldJob] = []
    for target in config.targets:
        for strategy in config.strategies:
            for subject in subjects:
                parts = context.fold_parts(strategy, target, subject)
                key = cache_key(**parts)
                pre = pretrain_jobs[target].path if needs_pretraining(strategy) else None
                fold_jobs.append(_FoldJob(strategy=strategy, target=target, subject=subject,
                                          path=cache / "folds" / key, key=key, key_parts=json.dumps(parts),
                                          pretrained_path=pre, keep_model=keep_models and not is_baseline(strategy),
                                          **common))

    folds: dict[str, FoldResult] = {}
    timing_rows: list[dict] = []
    todo_pretrain = []
    for job in pretrain_jobs.values():
        model = cached_pretrained(job.path, job.key_parts)  # a damaged or altered model is trained again, not used
        if model is None:
            todo_pretrain.append(job)
        else:
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
    models = {f"{job.strategy}/{job.target}/{job.subject}": job.path / "model" for job in fold_jobs if job.keep_model}
    return write_results(out_dir, ordered, timing_rows, provenance, overwrite=overwrite, models=models)


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
        _record(load_fold(job.path), job, folds, timing_rows, bar, on_fold, fold.model)


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
                        _record(load_fold(job.path), job, folds, timing_rows, bar, on_fold)
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
