"""The ``grfkit tune`` command: hyper-parameter search by nested leave-one-subject-out cross-validation.

:func:`add_tune_command` adds the sub-command to the parser of
:func:`grfkit.cli.build_parser`; it runs :func:`grfkit.experiment.tuning.tune`
on the simulated cohort (or a stance data set folder) and prints the chosen
settings and the outer rRMSE of every held-out participant.  Like the rest
of the command line, building the parser imports neither PyTorch nor pandas.
"""

from __future__ import annotations

import argparse
import shlex
import time
from pathlib import Path

from grfkit.cli_options import add_executor
from grfkit.storage.output_folders import check_output

__all__ = ["TUNE_STRATEGIES", "add_tune_command"]

#: The strategies ``grfkit tune`` accepts: the wearable ones of grfkit.experiment.strategies.STRATEGIES
#: (tests/experiment/test_tuning.py checks that they agree).
TUNE_STRATEGIES: tuple[str, ...] = ("overground", "treadmill", "transfer", "combined")


def _run(args: argparse.Namespace) -> int:
    from grfkit.storage.cohort_cache import cache_dir

    cache = args.cache_dir if args.cache_dir is not None else cache_dir(create=False) / "tuning"
    inputs = [cache] + ([args.stances] if args.stances is not None else [])
    check_output(args.out, "tuning", inputs=inputs, overwrite=args.overwrite)
    from grfkit.experiment.tuning import tune
    from grfkit.io.stances import StanceDataset
    from grfkit.storage.cohort_cache import load_or_build_stances

    started = time.perf_counter()
    stances = (StanceDataset.load(args.stances) if args.stances is not None
               else load_or_build_stances(args.scale, args.seed, progress=not args.quiet))
    result = tune(stances, args.out, strategy=args.strategy, target=args.target, preset=args.preset, seed=args.seed,
                  n_trials=args.trials, inner_folds=args.inner_folds, parallel_trials=args.parallel_trials,
                  participants=args.participants, executor=args.executor, workers=args.workers,
                  scheduler=args.scheduler, num_threads=args.threads, cache_dir=args.cache_dir,
                  command=shlex.join(["grfkit", *args.argv]), overwrite=args.overwrite)
    print(result.summary())
    print(f"tuning results: {args.out} [{time.perf_counter() - started:.1f} s]")
    return 0


def add_tune_command(sub: argparse._SubParsersAction, formatter_class: type[argparse.HelpFormatter]) -> None:
    """Add the ``tune`` sub-command to the ``grfkit`` parser.

    Parameters
    ----------
    sub
        The sub-parsers of :func:`grfkit.cli.build_parser`.
    formatter_class
        The help formatter of the other sub-commands.
    """
    tune = sub.add_parser("tune", help="hyper-parameter search by nested leave-one-subject-out cross-validation",
                          formatter_class=formatter_class,
                          description="Search the preset's hyper-parameters (Optuna TPE) on inner folds of each outer "
                                      "fold's training participants, refit the chosen settings and score the "
                                      "held-out participant (grfkit.experiment.tuning).")
    tune.add_argument("--scale", choices=("ci", "book", "paper"), default="ci",
                      help="simulated cohort size (as for grfkit experiment); ignored with --stances")
    tune.add_argument("--seed", type=int, default=0, help="cohort, sampler and training seed")
    tune.add_argument("--stances", type=Path, default=None,
                      help="a stance data set folder instead of the simulated cohort")
    tune.add_argument("--strategy", choices=TUNE_STRATEGIES, default="combined", help="training strategy")
    tune.add_argument("--target", choices=("vgrf", "apgrf"), default="vgrf", help="force to estimate")
    tune.add_argument("--preset", default="fast", metavar="{ci,fast,paper}",
                      help="the preset whose hidden size, learning rate, dropout and batch size are searched")
    tune.add_argument("--trials", type=int, default=20, help="trials per outer fold")
    tune.add_argument("--inner-folds", type=int, default=3, help="grouped folds over the training participants")
    tune.add_argument("--parallel-trials", type=int, default=4,
                      help="trials asked at once (part of the result, unlike --workers)")
    tune.add_argument("--participants", nargs="+", metavar="ID", help="outer held-out participants (default: all)")
    add_executor(tune, "trials")
    tune.add_argument("--threads", type=int, default=1, help="torch threads per training run")
    tune.add_argument("--cache-dir", type=Path, default=None,
                      help="finished outer folds (default: $GRFKIT_CACHE_DIR/tuning or ~/.cache/grfkit/tuning)")
    tune.add_argument("--out", type=Path, required=True,
                      help="folder to write: trials.csv, chosen.csv, provenance.json (rerunning resumes from the cache)")
    tune.add_argument("--overwrite", action="store_true",
                      help="replace an existing --out that is not a grfkit tuning folder (its contents are moved "
                           "aside to OUT.replaced-<time>, never deleted)")
    tune.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress bars")
    tune.set_defaults(func=_run)
