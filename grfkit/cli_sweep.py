"""The ``grfkit sweep`` command: an ablation sweep, one cached experiment per value.

:func:`add_sweep_command` adds the sub-command to the parser of
:func:`grfkit.cli.build_parser`; it runs :func:`grfkit.experiment.sweeps.run_sweep`
and prints the mean rRMSE of every point.  Like the rest of the command line,
building the parser imports neither PyTorch nor pandas.
"""

from __future__ import annotations

import argparse
import shlex
import time
from pathlib import Path

from grfkit.cli_options import (
    EXPERIMENT_TIME,
    PRESETS,
    STRATEGIES,
    TARGETS,
    add_executor,
    add_quiet,
    scale_help,
)
from grfkit.errors import ConfigError

__all__ = ["SWEEP_NAMES", "add_sweep_command"]

#: The sweeps ``grfkit sweep`` runs: those of grfkit.experiment.sweeps.SWEEPS
#: (tests/experiment/test_sweeps.py checks that they agree).
SWEEP_NAMES: tuple[str, ...] = ("treadmill-fraction", "overground-participants", "fine-tuning", "model-size")


def _run(args: argparse.Namespace) -> int:
    if args.scheduler is not None and args.executor != "dask":
        raise ConfigError("--scheduler needs --executor dask")
    from grfkit.experiment.sweeps import run_sweep

    started = time.perf_counter()
    sweep = run_sweep(args.name, scale=args.scale, seed=args.seed, out_dir=args.out, preset=args.preset,
                      strategies=args.strategies, targets=args.targets, values=args.values, executor=args.executor,
                      workers=args.workers, scheduler=args.scheduler, cache_dir=args.cache_dir,
                      progress=not args.quiet, command=shlex.join(["grfkit", *args.argv]))
    means = sweep.table.groupby(["target", "strategy", "value", "point"], sort=False)["rrmse_pct"].mean()
    print(f"sweep {sweep.name}: mean rRMSE (%) across held-out participants\n{means.round(2).to_string()}")
    print(f"sweep table: {sweep.folder / 'sweep.csv'} [{time.perf_counter() - started:.1f} s]")
    return 0


def add_sweep_command(sub: argparse._SubParsersAction, formatter_class: type[argparse.HelpFormatter]) -> None:
    """Add the ``sweep`` sub-command to the ``grfkit`` parser.

    Parameters
    ----------
    sub
        The sub-parsers of :func:`grfkit.cli.build_parser`.
    formatter_class
        The help formatter of the other sub-commands.
    """
    sweep = sub.add_parser("sweep", help="an ablation sweep: one experiment per value (grfkit.experiment.sweeps)",
                           description="An ablation sweep: one cached experiment per value, written to "
                                       "OUT/NAME/points/LABEL/, with OUT/NAME/sweep.csv and provenance.json "
                                       "(grfkit.experiment.sweeps.SWEEPS).", formatter_class=formatter_class)
    sweep.add_argument("name", choices=SWEEP_NAMES, metavar="NAME", help="one of " + ", ".join(SWEEP_NAMES))
    sweep.add_argument("--scale", choices=tuple(EXPERIMENT_TIME), default="ci", help=scale_help())
    sweep.add_argument("--seed", type=int, default=0, help="cohort, subset and training seed")
    sweep.add_argument("--out", type=Path, required=True, help="folder that holds the sweep folder NAME "
                       "(rerunning resumes from the fold cache)")
    sweep.add_argument("--values", nargs="+", default=None, metavar="V",
                       help="the sweep's values (fractions such as 1/16, counts or 'all', variant names, hidden "
                            "sizes; default: all of the sweep's)")
    sweep.add_argument("--preset", default=None, metavar="{" + ",".join(PRESETS) + "}",
                       help="model preset the variants start from (default: the scale's)")
    sweep.add_argument("--strategies", nargs="+", choices=STRATEGIES, default=None,
                       help="strategies to run (default: the sweep's)")
    sweep.add_argument("--targets", nargs="+", choices=TARGETS, default=list(TARGETS), help="forces to estimate")
    add_executor(sweep, "each point's folds")
    sweep.add_argument("--cache-dir", type=Path, default=None,
                       help="fold cache (default: $GRFKIT_CACHE_DIR/experiments or ~/.cache/grfkit/experiments)")
    add_quiet(sweep)
    sweep.set_defaults(func=_run)
