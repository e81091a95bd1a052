"""Wall time of ``grfkit predict`` on one hour of wearable-only recording (1000 Hz insoles, 1125 Hz IMU).

Setup, not timed: a small cohort is simulated and preprocessed, and a model
of the chosen preset is trained on it for one epoch (the weights' values do
not change the cost of estimation); then an hour of recording is simulated
in the grfkit raw data format -- per hour, 5 overground runners x 3 bouts
and 3 treadmill runners x 5 conditions, every bout 2 min long, both
insoles at 1000 Hz and the left-shoe IMU at 1125 Hz -- and written once to a
temporary folder, without its force and marker tables (a field recording).

Timed: ``grfkit predict MODEL RAW --out OUT -q`` in this process (reading
every bout, finding the stances, IMU speed on the overground bouts, belt
speed on the treadmill, estimation in batches, writing the Parquet table),
``--repeats`` times; the files are in the page cache after the first run.
Reported: seconds, stances per second, recording hours per second, the CPU
seconds of each run (this process and its worker processes: less sensitive
to other jobs on a shared machine than the wall time) and the load average
before and after.  ``--profile`` prints the top of a cProfile
of one more run.

Usage::

    python benchmarks/bench_predict.py [--hours 1] [--preset fast] [--repeats 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import json
import os
import pstats
import tempfile
import time
from pathlib import Path

from _common import machine

from grfkit.cli import main as grfkit_main
from grfkit.model.presets import get_preset
from grfkit.model.training import fit, torch_threads
from grfkit.preprocess.chain import preprocess_raw
from grfkit.scales import OVERGROUND_BOUTS, TREADMILL_CONDITIONS, ScaleConfig
from grfkit.simulate import simulate_cohort

#: The small cohort the model is trained on (seconds to simulate and preprocess).
TRAIN_SCALE = ScaleConfig(name="bench-train", overground_participants=2, overground_bouts=("medium",),
                          overground_duration_s=30.0, treadmill_participants=1,
                          treadmill_conditions=("medium_level",), treadmill_duration_s=12.0)


def field_scale(hours: float) -> ScaleConfig:
    """Bouts of 2 min, half overground (5 runners x 3 per hour), half treadmill (3 runners x 5 per hour)."""
    return ScaleConfig(name="bench-field", overground_participants=max(1, round(5 * hours)),
                       overground_bouts=OVERGROUND_BOUTS, overground_duration_s=BOUT_S,
                       treadmill_participants=max(1, round(3 * hours)),
                       treadmill_conditions=TREADMILL_CONDITIONS[:5], treadmill_duration_s=BOUT_S)


#: Length of every bout of the timed recording, seconds.
BOUT_S = 120.0


def write_field_recording(hours: float, folder: Path) -> float:
    """Simulate the recording into ``folder``, drop force and marker tables; return its hours."""
    scale = field_scale(hours)
    simulate_cohort(scale, seed=11, out_dir=folder)
    for pattern in ("force.*", "marker.*"):
        for path in folder.rglob(pattern):
            path.unlink()
    n_bouts = scale.overground_participants * len(scale.overground_bouts) + scale.treadmill_participants * len(
        scale.treadmill_conditions)
    rates = {json.loads(p.read_text())["imu_rate_hz"] for p in folder.rglob("bout.json")}
    rates |= {json.loads(p.read_text())["insole_rate_hz"] for p in folder.rglob("bout.json")}
    print(f"recording: {n_bouts} bouts of {BOUT_S:g} s, insole and IMU rates {sorted(rates)} Hz, "
          f"no force or marker tables")
    return n_bouts * BOUT_S / 3600.0


def _cpu_s() -> float:
    """CPU seconds used so far by this process and its ended children (the worker processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0, help="recording length in all")
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--workers", type=int, default=None, help="grfkit predict --workers (default: CPUs)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of one run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, torch_threads(1):
        root = Path(tmp)
        started = time.perf_counter()
        train = preprocess_raw(simulate_cohort(TRAIN_SCALE, seed=5, out_dir=root / "train"), workers=1)
        preset = dataclasses.replace(get_preset(args.preset), epochs=1, min_steps=0)
        fit(train.stances, target="vgrf", preset=preset, progress=False).save(root / "model")
        hours = write_field_recording(args.hours, root / "raw")
        print(f"setup (not timed: simulation, training, writing): {time.perf_counter() - started:.1f} s")

        argv = ["-q", "predict", str(root / "model"), str(root / "raw"), "--out", str(root / "out")]
        argv += [] if args.workers is None else ["--workers", str(args.workers)]
        load_before = os.getloadavg()
        seconds, cpu_seconds = [], []
        for _ in range(args.repeats):
            started, cpu_started = time.perf_counter(), _cpu_s()
            assert grfkit_main(argv) == 0
            seconds.append(time.perf_counter() - started)
            cpu_seconds.append(_cpu_s() - cpu_started)
        load_after = os.getloadavg()
        counts = json.loads((root / "out" / "prediction.json").read_text())["counts"]
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(grfkit_main, argv)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)

    best, median = min(seconds), sorted(seconds)[len(seconds) // 2]
    print(f"machine: {machine()}")
    print(f"load average (1, 5, 15 min): before {' '.join(f'{v:.2f}' for v in load_before)}, "
          f"after {' '.join(f'{v:.2f}' for v in load_after)}")
    print(f"preset {preset.name}, workers {args.workers or 'default'}; {counts['stances']} stances estimated, "
          f"{counts['skipped']} contacts or bouts skipped ({counts['skipped_by_reason']})")
    print(f"grfkit predict on {hours:.2f} h of recording: runs {' '.join(f'{s:.2f}' for s in seconds)} s; "
          f"median {median:.2f} s = {counts['stances'] / median:.0f} stances/s = {hours / median:.2f} "
          f"recording-hours/s (best {best:.2f} s)")
    print(f"CPU time per run (this process and its workers): {' '.join(f'{s:.2f}' for s in cpu_seconds)} s "
          f"(on an otherwise idle 2-core machine the wall time is about this over the cores kept busy)")
    print("target (issue 10): <= 10 s for one hour on a 2-core CPU")


if __name__ == "__main__":
    main()
