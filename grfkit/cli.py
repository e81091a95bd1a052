"""Command-line interface: ``grfkit simulate | preprocess | experiment``.

Each command is one arrow of the data flow (raw recordings → stance data set
→ results) and calls exactly one library function, so the shell and the
notebooks do the same thing.
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .errors import ConfigError, GrfkitError
from .simulate.domain_gap import DomainGap

__all__ = ["main", "build_parser"]

_SCALES = ("ci", "book", "paper")


def _domain_gap(gap_off: Sequence[str]) -> DomainGap:
    """The :class:`DomainGap` with the named differences (or ``all``) switched off."""
    off = {f.name for f in dataclasses.fields(DomainGap)} if "all" in gap_off else set(gap_off)
    return DomainGap(**{name: False for name in off})


def _add_gap_off(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gap-off", nargs="+", default=[], metavar="DIFFERENCE",
                        choices=[*(f.name for f in dataclasses.fields(DomainGap)), "all"],
                        help="switch treadmill/overground differences off (names of grfkit.simulate.DomainGap, "
                             "or all)")


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import simulate_cohort

    gap = _domain_gap(args.gap_off)
    started = time.perf_counter()
    out = simulate_cohort(args.scale, seed=args.seed, out_dir=args.out, progress=not args.quiet, gap=gap)
    print(f"simulated cohort (scale {args.scale}, seed {args.seed}, domain gap: {gap.label}) in {out} "
          f"[{time.perf_counter() - started:.1f} s]")
    return 0


def _cmd_preprocess(args: argparse.Namespace) -> int:
    from .pipeline import preprocess_raw

    started = time.perf_counter()
    result = preprocess_raw(args.raw_dir, strict=args.strict, progress=not args.quiet)
    result.stances.save(args.out)
    print(result.summary())
    print(f"stance data set: {args.out} [{time.perf_counter() - started:.1f} s]")
    return 0


def _cmd_experiment(args: argparse.Namespace) -> int:
    from .cohort_cache import load_or_build_stances
    from .experiment import ExperimentConfig, run_experiment
    from .stances import StanceDataset

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
    gap = _domain_gap(args.gap_off)
    if args.stances is not None and gap != DomainGap():
        raise ConfigError("--gap-off applies to the simulated cohort, not to --stances")
    if args.stances is not None:
        stances, source = StanceDataset.load(args.stances), f"stance data set {args.stances}"
    elif gap != DomainGap():
        stances = load_or_build_stances(args.scale, args.seed, progress=not args.quiet, gap=gap)
        source = f"simulated at scale {args.scale}, seed {args.seed}, domain gap {gap.label}"
    else:
        stances, source = None, None
    results = run_experiment(
        config, out_dir=args.out, progress=not args.quiet, stances=stances, cache_dir=args.cache_dir,
        workers=args.workers, data_source=source, command=shlex.join(["grfkit", *args.argv]),
    )
    print(results.summary())
    print(f"results: {Path(args.out) / 'results.csv'} [{time.perf_counter() - started:.1f} s]")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``grfkit`` command.

    Returns
    -------
    argparse.ArgumentParser
        Parser with the sub-commands ``simulate``, ``preprocess`` and ``experiment``.
    """
    from .experiment import ALL_STRATEGIES, TARGETS
    from .model import PRESETS

    parser = argparse.ArgumentParser(prog="grfkit", description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sub = parser.add_subparsers(dest="command", required=True)

    sim = sub.add_parser("simulate", help="generate a simulated raw cohort (both data sets, with ground truth)")
    sim.add_argument("--scale", choices=_SCALES, default="ci")
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument("--out", type=Path, required=True, help="raw data folder to write")
    _add_gap_off(sim)
    sim.set_defaults(func=_cmd_simulate)

    pre = sub.add_parser("preprocess", help="raw recordings -> time-normalised stance data set")
    pre.add_argument("raw_dir", type=Path, help="folder in the grfkit raw data format")
    pre.add_argument("--out", type=Path, required=True, help="stance data set folder to write")
    pre.add_argument("--strict", action="store_true", help="stop at the first bad bout instead of skipping it")
    pre.set_defaults(func=_cmd_preprocess)

    exp = sub.add_parser("experiment",
                         help="the four training strategies and two no-wearable baselines, leave-one-subject-out")
    exp.add_argument("--scale", choices=_SCALES, default="ci")
    exp.add_argument("--seed", type=int, default=0)
    exp.add_argument("--out", type=Path, required=True,
                     help="results folder to write (rerunning resumes from the fold cache)")
    exp.add_argument("--preset", choices=sorted(PRESETS), default="fast")
    exp.add_argument("--strategies", nargs="+", choices=ALL_STRATEGIES, default=list(ALL_STRATEGIES),
                     help="strategies and baselines to run (default: all)")
    exp.add_argument("--targets", nargs="+", choices=TARGETS, default=list(TARGETS))
    exp.add_argument("--stances", type=Path, default=None,
                     help="a stance data set folder (from `grfkit preprocess`) instead of the simulated cohort")
    _add_gap_off(exp)
    exp.add_argument("--participants", nargs="+", metavar="ID",
                     help="held-out overground participants to evaluate (default: all, leave-one-subject-out)")
    exp.add_argument("--workers", type=int, default=1,
                     help="processes training folds in parallel (results do not depend on it)")
    exp.add_argument("--threads", type=int, default=1, help="torch threads per training run (part of the cache key)")
    exp.add_argument("--cache-dir", type=Path, default=None,
                     help="fold and pre-training cache "
                          "(default: $GRFKIT_CACHE_DIR/experiments or ~/.cache/grfkit/experiments)")
    exp.set_defaults(func=_cmd_experiment)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``grfkit`` command.

    Parameters
    ----------
    argv
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 on success, 2 when grfkit reports bad input or configuration.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    try:
        return args.func(args)
    except GrfkitError as err:
        print(f"grfkit {args.command}: {type(err).__name__}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
