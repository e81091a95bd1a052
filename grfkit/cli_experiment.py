"""The ``grfkit experiment`` command: the training strategies and baselines, leave-one-subject-out.

:func:`add_experiment_command` adds the sub-command to the parser of
:func:`grfkit.cli.build_parser`; it runs :func:`grfkit.experiment.runner.run_experiment`
on the simulated cohort (cached) or a stance data set folder and prints the
results' summary.  Like the rest of the command line, building the parser
imports neither PyTorch nor pandas.
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
    add_device,
    add_executor,
    add_gap_off,
    add_overwrite,
    add_quiet,
    domain_gap,
    scale_help,
)
from grfkit.errors import ConfigError
from grfkit.storage.output_folders import check_output

__all__ = ["add_experiment_command"]


def _run(args: argparse.Namespace) -> int:
    from grfkit.storage.cohort_cache import cache_dir

    if args.stances is not None and args.gap_off:
        raise ConfigError("--gap-off applies to the simulated cohort, not to --stances")
    if args.scheduler is not None and args.executor != "dask":
        raise ConfigError("--scheduler needs --executor dask")
    cache = args.cache_dir if args.cache_dir is not None else cache_dir(create=False) / "experiments"
    inputs = [cache] + ([args.stances] if args.stances is not None else [])
    check_output(args.out, "results", inputs=inputs, overwrite=args.overwrite)
    gap = domain_gap(args.gap_off)

    from grfkit.experiment.config import ExperimentConfig
    from grfkit.experiment.runner import run_experiment
    from grfkit.io.stances import StanceDataset
    from grfkit.storage.cohort_cache import load_or_build_stances

    config = ExperimentConfig(
        scale=args.scale,
        seed=args.seed,
        preset=args.preset,
        strategies=tuple(args.strategies),
        targets=tuple(args.targets),
        participants=tuple(args.participants) if args.participants else None,
        num_threads=args.threads,
    )
    started = time.perf_counter()
    if args.stances is not None:
        stances, source = StanceDataset.load(args.stances), f"stance data set {args.stances}"
    elif args.gap_off:
        stances = load_or_build_stances(args.scale, args.seed, progress=not args.quiet, gap=gap)
        source = f"simulated at scale {args.scale}, seed {args.seed}, domain gap {gap.label}"
    else:
        stances, source = None, None
    results = run_experiment(
        config, out_dir=args.out, progress=not args.quiet, stances=stances, cache_dir=args.cache_dir,
        workers=args.workers, data_source=source, command=shlex.join(["grfkit", *args.argv]),
        overwrite=args.overwrite, keep_models=args.keep_models, executor=args.executor, scheduler=args.scheduler,
        device=args.device,
    )
    print(results.summary())
    print(f"results: {Path(args.out) / 'results.csv'} [{time.perf_counter() - started:.1f} s]")
    return 0


def add_experiment_command(sub: argparse._SubParsersAction, formatter_class: type[argparse.HelpFormatter]) -> None:
    """Add the ``experiment`` sub-command to the ``grfkit`` parser.

    Parameters
    ----------
    sub
        The sub-parsers of :func:`grfkit.cli.build_parser`.
    formatter_class
        The help formatter of the other sub-commands.
    """
    exp = sub.add_parser("experiment",
                         help="the four training strategies and two no-wearable baselines, leave-one-subject-out",
                         description="The four training strategies and two no-wearable baselines, "
                                     "leave-one-subject-out.", formatter_class=formatter_class)
    exp.add_argument("--scale", choices=tuple(EXPERIMENT_TIME), default="ci",
                     help=scale_help() + "; ignored with --stances")
    exp.add_argument("--seed", type=int, default=0, help="cohort and training seed")
    exp.add_argument("--out", type=Path, required=True,
                     help="results folder to write (rerunning resumes from the fold cache)")
    add_overwrite(exp, "results folder")
    # No argparse choices: grfkit.model.presets.PRESETS (checked by ExperimentConfig) may hold more than the built-in ones.
    exp.add_argument("--preset", default="fast", metavar="{" + ",".join(PRESETS) + "}",
                     help="model and training settings (grfkit.model.presets.PRESETS)")
    exp.add_argument("--strategies", nargs="+", choices=STRATEGIES, default=list(STRATEGIES),
                     help="strategies and baselines to run")
    exp.add_argument("--targets", nargs="+", choices=TARGETS, default=list(TARGETS),
                     help="forces to estimate (vertical, anteroposterior)")
    exp.add_argument("--stances", type=Path, default=None,
                     help="a stance data set folder (from `grfkit preprocess`) instead of the simulated cohort")
    add_gap_off(exp)
    exp.add_argument("--participants", nargs="+", metavar="ID",
                     help="held-out overground participants to evaluate (default: all, leave-one-subject-out)")
    add_executor(exp, "folds")
    add_device(exp, "trains the folds (part of the cache key)")
    exp.add_argument("--threads", type=int, default=1, help="torch threads per training run (part of the cache key)")
    exp.add_argument("--keep-models", action="store_true",
                     help="also write every fold's model to OUT/models/STRATEGY/TARGET/SUBJECT/ (model folders)")
    exp.add_argument("--cache-dir", type=Path, default=None,
                     help="fold and pre-training cache "
                          "(default: $GRFKIT_CACHE_DIR/experiments or ~/.cache/grfkit/experiments)")
    add_quiet(exp)
    exp.set_defaults(func=_run)
