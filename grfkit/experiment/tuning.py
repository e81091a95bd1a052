"""Hyper-parameter search with nested cross-validation (``grfkit tune``), as the published treadmill study did it.

:func:`tune` holds out each overground participant in turn (the outer fold);
an Optuna study (TPE, seeded) searches :data:`SEARCH_SPACE` on inner folds
of that fold's *training* participants only (:func:`grouped_folds`, checked
by :func:`check_inner_folds`); treadmill stances, when the strategy uses
them, are training data in every fold.  The chosen settings are refitted on
all training participants and scored on the held-out one: the outer rRMSE,
the result (the best inner score is kept, labelled optimistic).  Trials are
asked in fixed batches of ``parallel_trials``; every (trial, inner fold) is a
task of :func:`grfkit.executors.open_executor`, so results depend on the
seed, not on the engine or its workers.  Finished outer folds are cached (a
killed run resumes); :class:`~grfkit.experiment.tuning_results.TuningResult`
holds the tuning folder (``trials.csv``, ``chosen.csv``, ``provenance.json``).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from grfkit import __version__
from grfkit.errors import ConfigError
from grfkit.experiment.evaluation import score_split
from grfkit.experiment.store import cache_key, code_fingerprint, stance_fingerprint
from grfkit.experiment.strategies import STRATEGIES, check_strategy, split_domains
from grfkit.experiment.tuning_results import (
    CACHE_KIND,
    INNER_SCORE,
    TuningResult,
    load_outer_fold,
    save_outer_fold,
)
from grfkit.io.stances import StanceDataset
from grfkit.model.presets import ModelPreset, get_preset
from grfkit.storage.cache import ensure_writable, load_entry, remove_stale_temporaries
from grfkit.storage.fingerprint import package_fingerprint
from grfkit.storage.output_folders import check_output
from grfkit.storage.provenance import git_state, machine

__all__ = [
    "SEARCH_SPACE",
    "Dimension",
    "LeakageError",
    "TuningResult",
    "check_inner_folds",
    "grouped_folds",
    "tune",
    "tuning_code_fingerprint",
]


@dataclass(frozen=True)
class Dimension:
    """One searched field of :class:`~grfkit.model.presets.ModelPreset`.

    Parameters
    ----------
    choices
        The values to choose from (a categorical dimension); empty for a range.
    low, high
        The range of a continuous dimension (inclusive).
    log
        Sample the range log-uniformly.
    """

    choices: tuple[int | float, ...] = ()
    low: float | None = None
    high: float | None = None
    log: bool = False

    def __post_init__(self) -> None:
        ranged = self.low is not None and self.high is not None
        if bool(self.choices) == ranged:
            raise ConfigError(f"a search dimension needs either choices or low and high, got {self}")
        if ranged and not (self.low <= self.high and (not self.log or self.low > 0)):
            raise ConfigError(f"a search range needs low <= high (and low > 0 when log), got {self}")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary (for cache keys and provenance)."""
        if self.choices:
            return {"choices": list(self.choices)}
        return {"low": self.low, "high": self.high, "log": self.log}

    def distribution(self) -> Any:
        """Return the Optuna distribution (``optuna.distributions``) of this dimension."""
        from optuna.distributions import CategoricalDistribution, FloatDistribution

        if self.choices:
            return CategoricalDistribution(list(self.choices))
        return FloatDistribution(float(self.low), float(self.high), log=self.log)


#: The default search space over the preset: LSTM units per direction, Adam learning rate (log-uniform),
#: dropout after the LSTM and dense layers, and stances per optimiser step.
SEARCH_SPACE: Mapping[str, Dimension] = MappingProxyType({
    "hidden_size": Dimension(choices=(16, 32, 64)),
    "learning_rate": Dimension(low=3e-4, high=1e-2, log=True),
    "dropout": Dimension(low=0.0, high=0.3),
    "batch_size": Dimension(choices=(16, 32, 64)),
})

_CACHE_FORMAT = 1


class LeakageError(ConfigError):
    """The held-out participant of an outer fold reached an inner fold of its hyper-parameter search."""


def grouped_folds(participants: Sequence[str], n_folds: int) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Split participants into grouped K folds: (training, validation) participants per fold.

    Participants are dealt round-robin, in sorted order, into
    ``min(n_folds, len(participants))`` groups (leave-one-subject-out when
    there are fewer participants than folds); each group is validated once.

    Parameters
    ----------
    participants
        The outer fold's training participants (overground).
    n_folds
        Folds wanted (at least 2).

    Returns
    -------
    list of (tuple of str, tuple of str)
        ``(training, validation)`` participants of each fold.

    Raises
    ------
    ConfigError
        With fewer than 2 folds or 2 participants.

    Examples
    --------
    >>> grouped_folds(["c", "a", "b"], 3)
    [(('b', 'c'), ('a',)), (('a', 'c'), ('b',)), (('a', 'b'), ('c',))]
    """
    ordered = sorted(str(p) for p in participants)
    if n_folds < 2 or len(ordered) < 2:
        raise ConfigError(f"inner cross-validation needs at least 2 folds and 2 training participants; got "
                          f"{n_folds} folds and participants {ordered}")
    k = min(int(n_folds), len(ordered))
    groups = [tuple(ordered[i::k]) for i in range(k)]
    return [(tuple(p for p in ordered if p not in group), group) for group in groups]


def check_inner_folds(folds: Sequence[tuple[Sequence[str], Sequence[str]]], held_out: str) -> None:
    """Raise if the outer fold's held-out participant is in any inner fold, or a fold is not disjoint.

    Parameters
    ----------
    folds
        ``(training, validation)`` participants of each inner fold.
    held_out
        The outer fold's held-out participant.

    Raises
    ------
    LeakageError
        If ``held_out`` is among any fold's training or validation
        participants, or a participant is on both sides of a fold.
    """
    for number, (train, validation) in enumerate(folds):
        if str(held_out) in {str(p) for p in (*train, *validation)}:
            raise LeakageError(f"held-out participant {held_out!r} is in inner fold {number} (training {list(train)}, "
                               f"validation {list(validation)}); the search would see the participant it is "
                               "scored on")
        both = sorted({str(p) for p in train} & {str(p) for p in validation})
        if both:
            raise LeakageError(f"participants {both} are both trained on and validated in inner fold {number} of "
                               f"held-out participant {held_out!r}")


# --- units of work (run on the executor) -------------------------------------------------


@dataclass(frozen=True)
class _FitJob:
    """Train on ``train`` (plus treadmill stances if the strategy uses them), score ``test``."""

    strategy: str
    target: str
    preset: ModelPreset
    seed: int
    num_threads: int
    held_out: str
    train: tuple[str, ...]
    test: tuple[str, ...]
    inner: bool


def _fit_task(data: Mapping[str, Any], job: _FitJob) -> tuple[float, int, float]:
    """Return the mean rRMSE (%) of the test stances, their number and the wall time (s)."""
    started = time.perf_counter()
    if job.inner:
        check_inner_folds([(job.train, job.test)], job.held_out)
    overground, treadmill = split_domains(data["stances"])
    participant = overground.meta["participant"].astype(str)

    def pick(names: tuple[str, ...]) -> StanceDataset:
        return overground.subset(participant.isin(names).to_numpy())

    scores = score_split(pick(job.train), pick(job.test), target=job.target, strategy=job.strategy,
                         treadmill=treadmill if len(treadmill) else None, preset=job.preset, seed=job.seed,
                         num_threads=job.num_threads)
    rrmse = scores.stances["rrmse_pct"].to_numpy(dtype=np.float64)
    value = float(np.nanmean(rrmse)) if np.isfinite(rrmse).any() else float("nan")
    return value, len(rrmse), time.perf_counter() - started


# --- the search ---------------------------------------------------------------------


@dataclass(eq=False)
class _Search:
    """The state of one outer fold's study."""

    subject: str
    train: tuple[str, ...]
    folds: list[tuple[tuple[str, ...], tuple[str, ...]]]
    path: Path
    parts: dict
    study: Any
    asked: int = 0
    batch: list[Any] = field(default_factory=list)
    scores: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    rows: list[dict] = field(default_factory=list)
    compute_s: float = 0.0


def tuning_code_fingerprint() -> str:
    """Return the code fingerprint of the tuning's cache entries (the experiment's code, this module, Optuna).

    Returns
    -------
    str
        A SHA-256 hex digest; an entry with another one was computed by other code and is never used.
    """
    from optuna import __version__ as optuna_version

    text = f"{code_fingerprint()} {package_fingerprint(('experiment/tuning.py',))} optuna {optuna_version}"
    return hashlib.sha256(text.encode()).hexdigest()


def _check_arguments(strategy: str, target: str, n_trials: int, inner_folds: int, parallel_trials: int,
                     search_space: Mapping[str, Dimension]) -> None:
    check_strategy(strategy)
    if strategy not in STRATEGIES:
        raise ConfigError(f"strategy {strategy!r} is a baseline with no hyper-parameters to tune; choose one of "
                          f"{list(STRATEGIES)}")
    if target not in ("vgrf", "apgrf"):
        raise ConfigError(f"unknown target {target!r}; choose 'vgrf' or 'apgrf'")
    for name, value in (("trials", n_trials), ("parallel_trials", parallel_trials)):
        if int(value) != value or value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value!r}")
    if int(inner_folds) != inner_folds or inner_folds < 2:
        raise ConfigError(f"inner_folds must be an integer of at least 2, got {inner_folds!r}")
    fields = {f.name for f in dataclasses.fields(ModelPreset)} - {"name"}
    unknown = sorted(set(search_space) - fields)
    if not search_space or unknown:
        raise ConfigError(f"search space names {unknown or 'nothing'}; it must name fields of ModelPreset: "
                          f"{sorted(fields)}")
    for name, dimension in search_space.items():
        if not isinstance(dimension, Dimension):
            raise ConfigError(f"search dimension {name!r} must be a grfkit.experiment.tuning.Dimension, "
                              f"got {dimension!r}")


def _outer_participants(overground: StanceDataset, participants: Sequence[str] | None) -> list[str]:
    everyone = [str(p) for p in overground.participants]
    if len(everyone) < 3:
        raise ConfigError(f"nested cross-validation needs at least 3 overground participants (one held out, two "
                          f"for the inner folds), got {everyone}")
    if participants is None:
        return everyone
    unknown = [str(p) for p in participants if str(p) not in everyone]
    if unknown or not participants:
        raise ConfigError(f"outer participants {unknown or '[]'} are not overground participants of the data "
                          f"({everyone})")
    return [str(p) for p in participants]


def _trial_row(search: _Search, trial: Any, value: float) -> dict:
    return {"participant": search.subject, "trial": int(trial.number), **trial.params,
            "inner_rrmse_pct": value, "state": "complete" if np.isfinite(value) else "failed"}


def _chosen_row(search: _Search, outer: tuple[float, int, float]) -> dict:
    """The outer fold's row of ``chosen.csv``; ``compute_time_s`` sums its tasks' wall times, the refit's included."""
    best = search.study.best_trial
    return {"participant": search.subject, **best.params, "best_trial": int(best.number),
            INNER_SCORE: float(best.value), "outer_rrmse_pct": outer[0], "n_outer_stances": int(outer[1]),
            "compute_time_s": search.compute_s}


class _Driver:
    """Asks, submits and tells the trials of every outer fold's study; deterministic for a seed."""

    def __init__(self, executor: Any, settings: dict, base: ModelPreset, space: Mapping[str, Dimension],
                 n_trials: int, parallel_trials: int) -> None:
        self.executor, self.settings, self.base = executor, settings, base
        self.distributions = {name: d.distribution() for name, d in space.items()}
        self.n_trials, self.parallel_trials = n_trials, parallel_trials
        self.pending: dict[Future, tuple[_Search, int, int]] = {}

    def _job(self, search: _Search, params: Mapping[str, Any], train: tuple[str, ...], test: tuple[str, ...],
             inner: bool) -> _FitJob:
        preset = dataclasses.replace(self.base, name=f"{self.base.name}+tuned", **params)
        return _FitJob(preset=preset, held_out=search.subject, train=train, test=test, inner=inner, **self.settings)

    def ask(self, search: _Search) -> None:
        """Ask the next batch of trials and submit every (trial, inner fold)."""
        n = min(self.parallel_trials, self.n_trials - search.asked)
        search.batch = [search.study.ask(self.distributions) for _ in range(n)]
        search.asked += n
        search.scores = np.full((n, len(search.folds)), np.nan)
        for i, trial in enumerate(search.batch):
            for f, (train, validation) in enumerate(search.folds):
                future = self.executor.submit(_fit_task, self._job(search, trial.params, train, validation, True))
                self.pending[future] = (search, i, f)

    def finished(self, future: Future) -> tuple[_Search, tuple[float, int, float]] | None:
        """Record a finished task; return ``(search, outer score)`` when an outer fold is complete."""
        from optuna.trial import TrialState

        search, i, f = self.pending.pop(future)
        outcome = future.result()
        search.compute_s += outcome[2]
        if i < 0:
            return search, outcome
        search.scores[i, f] = outcome[0]
        if any(s is search for s, _, _ in self.pending.values()):
            return None
        for trial, values in zip(search.batch, search.scores):  # tell in trial order: deterministic
            value = float(np.mean(values))
            if np.isfinite(value):
                search.study.tell(trial, value)
            else:
                search.study.tell(trial, state=TrialState.FAIL)
            search.rows.append(_trial_row(search, trial, value))
        if search.asked < self.n_trials:
            self.ask(search)
        elif not any(row["state"] == "complete" for row in search.rows):
            raise ConfigError(f"every trial of held-out participant {search.subject!r} scored NaN (undefined "
                              "rRMSE on every inner fold); nothing to choose")
        else:
            params = search.study.best_trial.params
            refit = self.executor.submit(_fit_task, self._job(search, params, search.train, (search.subject,), False))
            self.pending[refit] = (search, -1, -1)
        return None


def _settings_parts(strategy: str, target: str, base: ModelPreset, space: Mapping[str, Dimension], seed: int,
                    n_trials: int, inner_folds: int, parallel_trials: int, num_threads: int) -> dict:
    return dict(kind=CACHE_KIND, format=_CACHE_FORMAT, strategy=strategy, target=target, preset=base.to_dict(),
                search_space={k: v.to_dict() for k, v in space.items()}, seed=int(seed), trials=int(n_trials),
                inner_folds=int(inner_folds), parallel_trials=int(parallel_trials), num_threads=int(num_threads))


def tune(
    stances: StanceDataset,
    out_dir: str | Path | None = None,
    *,
    strategy: str = "combined",
    target: str = "vgrf",
    preset: str | ModelPreset = "fast",
    seed: int = 0,
    n_trials: int = 20,
    inner_folds: int = 3,
    parallel_trials: int = 4,
    participants: Sequence[str] | None = None,
    search_space: Mapping[str, Dimension] = SEARCH_SPACE,
    executor: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    num_threads: int = 1,
    cache_dir: str | Path | None = None,
    command: str | None = None,
    overwrite: bool = False,
    on_fold: Callable[[dict, bool], None] | None = None,
) -> TuningResult:
    """Search hyper-parameters by nested leave-one-subject-out cross-validation (see the module docstring).

    Parameters
    ----------
    stances
        Overground stances (and treadmill stances for the strategies that use them).
    out_dir
        Tuning folder to write (``trials.csv``, ``chosen.csv``,
        ``provenance.json``), swapped in whole at the end; ``None``: write none.
    strategy
        A wearable strategy of :data:`grfkit.experiment.strategies.STRATEGIES`.
    target
        ``"vgrf"`` or ``"apgrf"``.
    preset
        The preset whose :data:`SEARCH_SPACE` fields are searched; the others are kept.
    seed
        Seeds every training run and, with the held-out participant, each outer fold's TPE sampler.
    n_trials
        Trials per outer fold.
    inner_folds
        Grouped folds over the outer fold's training participants (fewer
        participants: leave-one-subject-out).
    parallel_trials
        Trials asked at once; part of the result, unlike ``workers``.
    participants
        Outer (held-out) participants; default every overground participant.
    search_space
        Preset field -> :class:`Dimension`.
    executor, workers, scheduler
        As for :func:`grfkit.executors.open_executor`; results do not depend on them.
    num_threads
        Torch threads per training run.
    cache_dir
        Where finished outer folds are kept; default ``tuning/`` in grfkit's cache folder.
    command
        The command line, for ``provenance.json``.
    overwrite
        Replace an ``out_dir`` grfkit did not write (its contents are moved aside).
    on_fold
        Called as ``on_fold(chosen_row, loaded)`` when an outer fold is done
        (``loaded``: from the cache); an exception it raises stops the run.

    Returns
    -------
    TuningResult
        Trials, chosen settings and outer rRMSE per participant.

    Raises
    ------
    ConfigError
        For a baseline or unknown strategy, bad counts, a search space naming
        no preset field, unknown outer participants, fewer than 3 overground
        participants, or missing treadmill stances.
    LeakageError
        If an inner fold holds the outer fold's held-out participant.
    OutputError, CacheError
        If ``out_dir`` or the cache cannot be written (checked before any training).
    """
    started = time.perf_counter()
    _check_arguments(strategy, target, n_trials, inner_folds, parallel_trials, search_space)
    base = get_preset(preset)
    if out_dir is not None:
        check_output(out_dir, "tuning", overwrite=overwrite)
    overground, treadmill = split_domains(stances)
    subjects = _outer_participants(overground, participants)
    if strategy != "overground" and not len(treadmill):
        raise ConfigError(f"strategy {strategy!r} needs treadmill stances; the data set has none")
    if cache_dir is None:
        from grfkit.storage.cohort_cache import cache_dir as grfkit_cache_dir

        cache_dir = grfkit_cache_dir() / "tuning"
    cache = Path(cache_dir)
    remove_stale_temporaries(cache)
    settings = _settings_parts(strategy, target, base, search_space, seed, n_trials, inner_folds, parallel_trials,
                               num_threads)
    data_fingerprint, code = stance_fingerprint(stances), tuning_code_fingerprint()

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    searches, done = [], {}
    everyone = [str(p) for p in overground.participants]
    for subject in subjects:
        parts = {**settings, "subject": subject, "data": data_fingerprint, "code": code}
        path = cache / cache_key(**parts)
        cached = load_entry(path, CACHE_KIND, parts, load_outer_fold)
        if cached is not None:
            done[subject] = cached
            continue
        train = tuple(p for p in everyone if p != subject)
        folds = grouped_folds(train, inner_folds)
        check_inner_folds(folds, subject)
        # each outer fold's own sampler seed: the folds' random first trials differ, reproducibly
        sampler_seed = int(np.random.SeedSequence([int(seed), zlib.crc32(subject.encode())]).generate_state(1)[0])
        study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=sampler_seed))
        searches.append(_Search(subject=subject, train=train, folds=folds, path=path, parts=parts, study=study))
    for subject in subjects:
        if subject in done and on_fold is not None:
            on_fold(done[subject][1], True)

    from grfkit.executors import open_executor

    job_settings = dict(strategy=strategy, target=target, seed=int(seed), num_threads=int(num_threads))
    with open_executor(executor, data={"stances": stances}, workers=workers, scheduler=scheduler) as ex:
        described = ex.describe()
        if searches:
            ensure_writable(cache)
            driver = _Driver(ex, job_settings, base, search_space, n_trials, parallel_trials)
            for search in searches:
                driver.ask(search)
            while driver.pending:
                finished, _ = wait(list(driver.pending), return_when=FIRST_COMPLETED)
                for future in finished:
                    complete = driver.finished(future)
                    if complete is None:
                        continue
                    search, outer = complete
                    trials, chosen = pd.DataFrame(search.rows), _chosen_row(search, outer)
                    save_outer_fold(search.path, search.parts, trials, chosen)
                    done[search.subject] = (trials, chosen)
                    if on_fold is not None:
                        on_fold(chosen, False)

    trials = pd.concat([done[s][0] for s in subjects], ignore_index=True)
    chosen = pd.DataFrame([done[s][1] for s in subjects])
    provenance = {
        "grfkit_version": __version__,
        "command": command,
        "git": git_state(),
        "config": {**settings, "preset_name": base.name, "participants": subjects},
        "data": {"fingerprint": data_fingerprint, "n_overground_stances": len(overground),
                 "n_treadmill_stances": len(treadmill), "overground_participants": everyone},
        "code_fingerprint": code,
        "executor": described,
        "machine": machine(torch_threads_per_run=int(num_threads)),
        "date_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "wall_time_s": time.perf_counter() - started,
        "compute_time_s": float(chosen["compute_time_s"].sum()),
        "n_outer_folds_from_cache": len(subjects) - len(searches),
        "note": f"{INNER_SCORE} is the best mean inner-fold score, selected on those folds and so optimistic; "
                "outer_rrmse_pct (the refitted model on the held-out participant) is the result",
    }
    result = TuningResult(trials=trials, chosen=chosen, provenance=provenance)
    if out_dir is not None:
        result.save(out_dir, overwrite=overwrite)
    return result
