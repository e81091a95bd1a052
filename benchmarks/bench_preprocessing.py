"""Preprocessing throughput: hours of 1000 Hz recording processed per second of wall time.

Target: >= 2 h/s on a 2-core machine.  Prints figures; asserts nothing (the machines are
shared and noisy, so compare the numbers of one run with each other, e.g. 1 vs 2 workers).

Usage::

    python benchmarks/bench_preprocessing.py [--scale ci] [--seed 0] [--raw DIR]

Without ``--raw`` the cohort comes from the grfkit cohort cache (simulated once).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from grfkit.io.read import iter_bout_paths, read_bout
from grfkit.preprocess.chain import preprocess_raw
from grfkit.storage.cohort_cache import prepare_cohort


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="ci")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--raw", type=Path, help="raw data folder (default: simulated cohort from the cache)")
    args = parser.parse_args()
    raw = args.raw or prepare_cohort(args.scale, args.seed).raw_dir

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    started = time.perf_counter()
    recorded_s = 0.0
    for folder in iter_bout_paths(raw):
        bout = read_bout(folder)
        recorded_s += float(bout.insole["time_s"].iloc[-1] - bout.insole["time_s"].iloc[0])
    read_wall = time.perf_counter() - started
    hours = recorded_s / 3600.0
    print(f"raw data: {raw} — {hours:.2f} h of insole recording")
    print(f"read + validate only: {read_wall:.1f} s -> {hours / read_wall:.2f} h/s")
    for workers in (1, 2):
        started = time.perf_counter()
        result = preprocess_raw(raw, workers=workers)
        wall = time.perf_counter() - started
        print(f"preprocess_raw, {workers} worker(s): {wall:.1f} s -> {hours / wall:.2f} h/s "
              f"({len(result.stances)} stances, {len(result.bouts)} bouts)")


if __name__ == "__main__":
    main()
