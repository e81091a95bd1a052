"""The experiment on the local process pool against Dask, the driver's overhead per task, and projections.

1. **Overhead.**  ``--tasks`` tasks that compute nothing and return a
   fold-sized result (``--result-kb``) through each engine (this process, the
   local pool and a Dask ``LocalCluster`` at 1 and ``--workers`` workers):
   wall time per task, and the time to open the engine with the stance data
   (the data reach each worker once).
2. **Experiment.**  The same experiment (``--scale``, ``--preset``, held-out
   ``--participants``) through the local pool and through Dask, ``--workers``
   each, fresh caches, timed in one run in the order ``--order``; the ratio
   Dask / local, and whether both ``results.csv`` are byte-identical.
3. **Projection** (printed as such, not measured): the whole study and a
   50-trial nested search on 8, 32 and 128 workers, by list scheduling of the
   measured per-task times (pre-trainings first) plus the measured overhead
   per task; the paper preset's task times are its passes over each task's
   training stances times its measured cost per stance and pass.  An inner
   fit of the combined strategy keeps every treadmill stance, so it costs the
   outer fit's time scaled by its share of the stances.  ``--gpu-run DIR``
   adds one GPU from a measured GPU run's results folder (e.g.
   ``results/paper-preset-gpu``): its study as measured, and the search as
   that many combined fits at the run's wall time per combined fit.
   ``--project-from TIMINGS_CSV`` skips parts 1 and 2 and projects from a
   kept run's per-task times (``results/paper/timings.csv``: the whole
   paper-scale study, measured) with ``--overhead-ms``.

Usage::

    python benchmarks/bench_executors.py --scale paper --participants OG01 OG02 OG03 --workers 2
"""

from __future__ import annotations

import argparse
import filecmp
import heapq
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from _common import machine

from grfkit.executors import open_executor
from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.runner import run_experiment
from grfkit.experiment.strategies import needs_pretraining, split_domains
from grfkit.model.presets import get_preset
from grfkit.model.training import fit
from grfkit.storage.cohort_cache import load_or_build_stances


def _echo(data: dict, size_bytes: int) -> np.ndarray:
    return np.zeros(size_bytes // 8)


def overhead(stances, args) -> float:
    """Print the per-task wall time of each engine; return the Dask one at ``--workers`` workers."""
    overground, treadmill = split_domains(stances)
    data = {"overground": overground, "treadmill": treadmill}
    print(f"\n== driver overhead: {args.tasks} empty tasks returning {args.result_kb} kB ==")
    per_task = {}
    for kind, workers in (("local", 1), ("local", args.workers), ("dask", 1), ("dask", args.workers)):
        started = time.perf_counter()
        with open_executor(kind, data=data, workers=workers) as ex:
            for future in [ex.submit(_echo, 8) for _ in range(10 * workers)]:  # every worker has started
                future.result()
            opened_s = time.perf_counter() - started
            started = time.perf_counter()
            futures = [ex.submit(_echo, args.result_kb * 1024) for _ in range(args.tasks)]
            for future in futures:
                future.result()
            per_task[(kind, workers)] = (time.perf_counter() - started) / args.tasks
        print(f"{kind:5s} x {workers}: open with the data {opened_s:6.2f} s, "
              f"{1e3 * per_task[(kind, workers)]:7.2f} ms per task")
    return max(per_task.values())


def experiment(stances, args, root: Path) -> pd.DataFrame:
    """Time the experiment through each engine; return the local run's timings."""
    config = ExperimentConfig(scale=args.scale, seed=args.seed, preset=args.preset,
                              participants=tuple(args.participants) if args.participants else None)
    print(f"\n== experiment: scale {args.scale}, preset {args.preset}, held out {args.participants or 'all'}, "
          f"{args.workers} workers x 1 thread, fresh caches, in the order {args.order} ==")
    walls, timings = {}, {}
    for kind in args.order:
        started = time.perf_counter()
        results = run_experiment(config, root / f"out-{kind}", stances=stances, cache_dir=root / f"cache-{kind}",
                                 workers=args.workers, executor=kind, progress=False)
        walls[kind] = time.perf_counter() - started
        timings[kind] = results.timings
        print(f"{kind:5s}: {walls[kind]:7.1f} s wall, {results.timings['wall_time_s'].sum():7.1f} s in tasks "
              f"({machine()})")
    same = filecmp.cmp(root / "out-local" / "results.csv", root / "out-dask" / "results.csv", shallow=False)
    print(f"dask / local wall: {walls['dask'] / walls['local']:.3f}; results.csv byte-identical: {same}")
    return timings["local"]


def list_schedule(pretrain_s: list[float], tasks: list[tuple[float, bool]], workers: int,
                  overhead_s: float) -> float:
    """Wall time on ``workers``: pre-trainings first, then tasks longest first, each to the first free worker.

    ``tasks`` holds (seconds, needs a pre-training); such a task starts when every pre-training is done.
    """
    free = [0.0] * workers
    for seconds in sorted(pretrain_s, reverse=True):
        heapq.heappush(free, heapq.heappop(free) + seconds + overhead_s)
    released = max(free) if pretrain_s else 0.0
    for seconds, dependent in sorted(tasks, reverse=True):
        at = heapq.heappop(free)
        heapq.heappush(free, max(at, released if dependent else 0.0) + seconds + overhead_s)
    return max(free)


def cost_per_stance(stances, args) -> dict[str, float]:
    """Training cost per stance and pass of the fast and the paper preset (1 thread).

    The cost per stance is the difference between one pass over ``2 n`` and over ``n`` stances, divided by
    ``n`` (the fastest of ``--ratio-repeats``): what does not grow with the data (the scaler, building the
    network) cancels.  ``n`` is ``--ratio-stances`` for the paper preset and 8 times as many for the
    fast one, whose stances cost about a tenth as much.
    """
    _, treadmill = split_domains(stances)
    seconds = {}
    for name, n in (("fast", 8 * args.ratio_stances), ("paper", args.ratio_stances)):
        n = min(n, len(treadmill) // 2)
        timed = replace(get_preset(name), epochs=1, min_steps=0)
        best = {}
        for _ in range(args.ratio_repeats):
            for size in (n, 2 * n):
                started = time.perf_counter()
                fit(treadmill.subset(np.arange(len(treadmill)) < size), target="vgrf", preset=timed,
                    progress=False, num_threads=1)
                best[size] = min(best.get(size, np.inf), time.perf_counter() - started)
        seconds[name] = (best[2 * n] - best[n]) / n
        print(f"{name}: one pass over {n} stances {best[n]:.2f} s, over {2 * n} {best[2 * n]:.2f} s")
    print(f"\n== training cost per stance and pass, 1 thread: fast {1e3 * seconds['fast']:.2f} ms, "
          f"paper {1e3 * seconds['paper']:.2f} ms: paper / fast {seconds['paper'] / seconds['fast']:.1f} ==")
    return seconds


def _paper_tasks(timings: pd.DataFrame, seconds_per_stance: float) -> tuple[list[float], list[tuple[float, bool]]]:
    """The paper preset's pre-trainings and folds: its passes over each task's training stances times the cost.

    The paper preset trains ``epochs`` passes with no minimum of steps and fine-tunes ``fine_tune_epochs``
    passes with no inner cross-validation; treadmill-only folds and baselines train nothing.
    """
    paper = get_preset("paper")
    pretrain = [n * paper.epochs * seconds_per_stance
                for n in timings.loc[timings["kind"] == "pretrain", "n_train_stances"]]
    passes = {"overground": paper.epochs, "combined": paper.epochs, "transfer": paper.fine_tune_epochs}
    folds = timings.loc[timings["kind"] == "fold"]
    tasks = [(n * passes.get(strategy, 0) * seconds_per_stance, needs_pretraining(strategy))
             for strategy, n in zip(folds["strategy"], folds["n_train_stances"])]
    return pretrain, tasks


def _inner_share(timings: pd.DataFrame, inner_folds: int) -> float:
    """An inner combined fit's stances over an outer one's: every treadmill stance, (k-1)/k of the overground ones."""
    n_treadmill = timings.loc[timings["kind"] == "pretrain", "n_train_stances"].mean()
    n_combined = timings.loc[timings["strategy"] == "combined", "n_train_stances"].mean()
    return float((n_treadmill + (n_combined - n_treadmill) * (inner_folds - 1) / inner_folds) / n_combined)


def _gpu_row(folder: Path, n_combined_fits: float, args) -> dict:
    """The study as measured in a GPU run's results folder, and the search at its wall time per combined fit.

    The wall time per combined fit is the run's wall time times the combined folds' share of its fit time,
    divided by their number: what one combined fit cost with the run's workers sharing the GPU.
    """
    made = json.loads((folder / "provenance.json").read_text())
    timings = pd.read_csv(folder / "timings.csv")
    combined = timings.loc[timings["strategy"] == "combined", "wall_time_s"]
    wall_s = float(made["wall_time_s"])
    per_fit_s = wall_s * combined.sum() / timings["wall_time_s"].sum() / len(combined)
    print(f"\n{folder}: {made['config']['preset']['name']} preset on {made['device']}, "
          f"{made['machine']['workers']} workers, study {wall_s:.1f} s wall; "
          f"{per_fit_s:.1f} s of wall time per combined fit")
    return {"preset": made["config"]["preset"]["name"],
            "workers": f"1 GPU, {made['machine']['workers']} processes (study measured)",
            "study_min": wall_s / 60, f"search_{args.trials}_trials_h": n_combined_fits * per_fit_s / 3600}


def projection(timings: pd.DataFrame, seconds_per_stance: dict[str, float], overhead_s: float, args) -> None:
    """Print the projected wall time of the study and of a nested search, per preset and number of workers."""
    folds = timings.loc[timings["kind"] == "fold"]
    tasks = {args.preset: (timings.loc[timings["kind"] == "pretrain", "wall_time_s"].tolist(),
                           [(t, needs_pretraining(s)) for s, t in zip(folds["strategy"], folds["wall_time_s"])])}
    if args.preset == "fast":
        tasks["paper"] = _paper_tasks(timings, seconds_per_stance["paper"])
    n_outer = folds["subject"].nunique()
    inner_scale = _inner_share(timings, args.inner_folds)
    print(f"\n== projection (not measured): {n_outer} held-out participants; {args.preset}: the per-task times "
          f"above; paper: its passes over each task's stances x {1e3 * seconds_per_stance['paper']:.1f} ms; "
          f"overhead {1e3 * overhead_s:.1f} ms per task; a nested search of {args.trials} trials x "
          f"{args.inner_folds} inner folds of the combined strategy, plus one refit per held-out participant ==")
    rows = []
    for label, (pretrain, study) in tasks.items():
        combined = [t for (t, _), s in zip(study, folds["strategy"]) if s == "combined"]
        fit_s = float(np.mean(combined))
        search = [(fit_s * inner_scale, False)] * (n_outer * args.trials * args.inner_folds) + [(fit_s, False)] * n_outer
        for workers in (2, 8, 32, 128):
            rows.append({"preset": label, "workers": workers,
                         "study_min": list_schedule(pretrain, study, workers, overhead_s) / 60,
                         f"search_{args.trials}_trials_h": list_schedule([], search, workers, overhead_s) / 3600})
    if args.gpu_run is not None:
        rows.append(_gpu_row(args.gpu_run, n_outer * args.trials * args.inner_folds * inner_scale + n_outer, args))
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.1f}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="ci")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--participants", nargs="*", default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--order", nargs=2, default=["local", "dask"], choices=["local", "dask"])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--result-kb", type=int, default=200)
    parser.add_argument("--ratio-stances", type=int, default=128)
    parser.add_argument("--ratio-repeats", type=int, default=2)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--inner-folds", type=int, default=3)
    parser.add_argument("--project-from", type=Path, default=None, metavar="TIMINGS_CSV",
                        help="skip parts 1 and 2: project from a kept run's timings.csv (e.g. "
                             "results/paper/timings.csv, the whole paper-scale study) with --overhead-ms")
    parser.add_argument("--overhead-ms", type=float, default=20.0,
                        help="driver overhead per task for --project-from (part 1 measures it)")
    parser.add_argument("--gpu-run", type=Path, default=None, metavar="DIR",
                        help="a measured GPU run's results folder (e.g. results/paper-preset-gpu) for a GPU row")
    args = parser.parse_args()
    print(machine())
    stances = load_or_build_stances(args.scale, args.seed, progress=True)
    if args.project_from is not None:
        timings = pd.read_csv(args.project_from)
        print(f"\nper-task times from {args.project_from}")
        projection(timings, cost_per_stance(stances, args), args.overhead_ms / 1e3, args)
        return
    overhead_s = overhead(stances, args)
    seconds = cost_per_stance(stances, args)
    with tempfile.TemporaryDirectory(prefix="bench-executors-") as tmp:
        timings = experiment(stances, args, Path(tmp))
    projection(timings, seconds, overhead_s, args)
    print(machine())


if __name__ == "__main__":
    main()
