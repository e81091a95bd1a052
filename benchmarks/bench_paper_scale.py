"""Wall time of the whole study at paper scale, and the default preset's accuracy against the paper's.

1. **Wall time (extrapolated).**  The paper-scale cohort (15 overground
   participants, 50 treadmill runners) is simulated and preprocessed (or taken
   from the cache).  All four strategies and both targets are then run with
   the default ``"fast"`` preset for only the first ``--folds`` held-out
   participants, in a fresh cache, and timed.  The whole study's time is
   *extrapolated* from these measurements: the two shared pre-trainings as
   measured, plus each strategy's mean fold time times the number of
   overground participants, divided by the parallel speed-up the subset run
   achieved with ``--workers`` processes.  (A run of the full study, e.g.
   ``grfkit experiment --scale paper``, reports its measured wall time in
   ``provenance.json``.)
2. **Accuracy, fast vs paper preset, same folds.**  The strategies of
   ``--compare-strategies`` are run with both presets on the same held-out
   participants, and the rRMSE of each fold is printed side by side.  The
   paper preset (512 LSTM units) trains at roughly 20-30 stances/s here, so
   strategies that train on the 18,000 treadmill stances (``treadmill``,
   ``transfer``, ``combined``) cost 10-15 minutes per pre-training or fold;
   the default compares ``overground`` only.

Usage::

    python benchmarks/bench_paper_scale.py [--folds 2] [--workers 2] [--compare-folds 3]
        [--compare-strategies overground] [--compare-targets vgrf apgrf] [--skip-timing] [--skip-compare]
        [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import machine

from grfkit.experiment.config import TARGETS, ExperimentConfig
from grfkit.experiment.runner import run_experiment
from grfkit.experiment.strategies import STRATEGIES, split_domains
from grfkit.storage.cohort_cache import load_or_build_stances


def timing(stances, participants: list[str], n_participants: int, args, cache: Path) -> None:
    config = ExperimentConfig(scale=args.scale, seed=args.seed, preset="fast", participants=tuple(participants))
    started = time.perf_counter()
    results = run_experiment(config, cache / "timing-out", stances=stances, cache_dir=cache, progress=True,
                             workers=args.workers)
    wall_s = time.perf_counter() - started
    t = results.timings
    pre = t.loc[t["kind"] == "pretrain"].groupby("target")["wall_time_s"].sum()
    folds = t.loc[t["kind"] == "fold"].groupby(["target", "strategy"])["wall_time_s"].mean()
    compute_subset_s = float(t["wall_time_s"].sum())
    speedup = compute_subset_s / wall_s
    compute_full_s = float(pre.sum()) + float(folds.sum()) * n_participants
    print(f"\n== wall time at paper scale, fast preset, {args.workers} worker(s) x 1 thread ==")
    print(f"measured: {len(participants)} of {n_participants} held-out participants, all strategies, both targets: "
          f"{wall_s:.0f} s wall ({compute_subset_s:.0f} s of training+evaluation; parallel speed-up {speedup:.2f})")
    for target, seconds in pre.items():
        print(f"  pre-training on the treadmill set ({target}): {seconds:.0f} s (once per target)")
    for (target, strategy), seconds in folds.items():
        print(f"  {target} {strategy:<10} mean fold {seconds:6.1f} s")
    print(f"EXTRAPOLATED whole study ({n_participants} folds x 4 strategies x 2 targets): "
          f"{compute_full_s / 60:.1f} min of training+evaluation, "
          f"about {compute_full_s / speedup / 60:.1f} min wall with {args.workers} worker(s) "
          "(excluding simulation and preprocessing)")


def compare(stances, participants: list[str], args, cache: Path) -> None:
    tables = {}
    for preset in ("fast", "paper"):
        config = ExperimentConfig(scale=args.scale, seed=args.seed, preset=preset,
                                  strategies=tuple(args.compare_strategies), targets=tuple(args.compare_targets),
                                  participants=tuple(participants))
        started = time.perf_counter()
        results = run_experiment(config, cache / f"compare-{preset}", stances=stances, cache_dir=cache,
                                 progress=True, workers=args.workers)
        print(f"{preset}: {time.perf_counter() - started:.0f} s")
        tables[preset] = results.table.set_index(["strategy", "target", "subject"])["rrmse_pct"]
    side = pd.DataFrame({"fast_rrmse_pct": tables["fast"], "paper_rrmse_pct": tables["paper"]})
    side["paper_minus_fast"] = side["paper_rrmse_pct"] - side["fast_rrmse_pct"]
    print(f"\n== accuracy on the same folds: rRMSE %, fast vs paper preset ({len(participants)} held-out participants) ==")
    print(side.round(2).to_string())
    print("\nmean over these folds:")
    print(side.groupby(level=["strategy", "target"]).mean().round(2).to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="paper")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=2, help="held-out participants timed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--compare-folds", type=int, default=3, help="held-out participants compared")
    parser.add_argument("--compare-strategies", nargs="+", choices=STRATEGIES, default=["overground"])
    parser.add_argument("--compare-targets", nargs="+", choices=TARGETS, default=list(TARGETS))
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--skip-compare", action="store_true")
    parser.add_argument("--cache-dir", type=Path, default=None, help="default: a fresh temporary folder")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    started = time.perf_counter()
    stances = load_or_build_stances(args.scale, args.seed, progress=True)
    overground, treadmill = split_domains(stances)
    print(f"data ({args.scale}, seed {args.seed}): {len(overground)} overground stances of "
          f"{len(overground.participants)} participants, {len(treadmill)} treadmill stances of "
          f"{len(treadmill.participants)} runners (ratio {len(treadmill) / len(overground):.0f}); "
          f"loaded or built in {time.perf_counter() - started:.0f} s")
    participants = [str(p) for p in overground.participants]
    with tempfile.TemporaryDirectory(prefix="grfkit-bench-") as tmp:
        cache = args.cache_dir or Path(tmp)
        if not args.skip_timing:
            timing(stances, participants[: args.folds], len(participants), args, cache)
        if not args.skip_compare:
            compare(stances, participants[: args.compare_folds], args, cache)


if __name__ == "__main__":
    main()
