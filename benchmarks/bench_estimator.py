"""scikit-learn's leave-one-subject-out (GrfEstimator + cross_validate) beside the experiment's own.

For each strategy and target asked for, the same folds run twice in one process: through
:func:`grfkit.experiment.runner.run_experiment` (one target, a fresh temporary cache, one
worker) and through :func:`grfkit.experiment.estimator.cross_validate_loso`
(``sklearn.model_selection.cross_validate`` with ``LeaveOneGroupOut``).  Reported per
strategy and target: the wall time of each (and of the experiment's folds, without its
pre-training, cache and results files; and of the estimator's fits), and how many participants' rRMSE agree bit for
bit (else the largest difference in ulps).  With ``--reference`` (``ci`` scale, seed 0,
``ci`` preset) the rRMSE are also compared with ``tests/data/reference-ci/results.csv``, a
table of both targets, whose participant means pandas may sum differently (see
:func:`grfkit.experiment.estimator.neg_rrmse_scorer`).

Usage::

    python benchmarks/bench_estimator.py [--scale ci] [--seed 0] [--preset ci]
        [--strategies overground transfer] [--targets vgrf] [--reference]
        [--share-pretrained] [--n-jobs 1]

``--share-pretrained`` trains the treadmill model once (timed apart) and gives it to the
estimator (``pretrained=``), as the experiment shares it; otherwise every ``"transfer"`` or
``"treadmill"`` fold trains it again.  ``--n-jobs`` runs scikit-learn's folds in parallel.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import machine

from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.estimator import GrfEstimator, cross_validate_loso
from grfkit.experiment.runner import run_experiment
from grfkit.experiment.strategies import needs_pretraining, pretrain, split_domains
from grfkit.storage.cohort_cache import load_or_build_stances

REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "data" / "reference-ci" / "results.csv"


def ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance of two float64 arrays in units in the last place."""
    return np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)) / np.spacing(np.abs(b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="ci")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--preset", default="ci")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--strategies", nargs="+", default=["overground", "transfer"])
    parser.add_argument("--targets", nargs="+", default=["vgrf"])
    parser.add_argument("--reference", action="store_true", help="also compare with tests/data/reference-ci")
    parser.add_argument("--share-pretrained", action="store_true", help="pre-train once and pass the model")
    parser.add_argument("--n-jobs", type=int, default=1, help="folds in parallel (scikit-learn's n_jobs)")
    args = parser.parse_args()
    print(machine())
    stances = load_or_build_stances(args.scale, args.seed, progress=False)
    overground, treadmill = split_domains(stances)
    print(f"{args.scale} seed {args.seed}: {len(overground)} overground stances of {len(overground.participants)} "
          f"participants, {len(treadmill)} treadmill stances; preset {args.preset}, {args.threads} thread(s)")
    reference = pd.read_csv(REFERENCE, dtype={"subject": str}) if args.reference else None
    for target in args.targets:
        for strategy in args.strategies:
            config = ExperimentConfig(scale=args.scale, seed=args.seed, preset=args.preset, strategies=(strategy,),
                                      targets=(target,), num_threads=args.threads)
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                results = run_experiment(config, Path(tmp) / "out", stances=stances, cache_dir=Path(tmp) / "cache",
                                         progress=False)
                experiment_s = time.perf_counter() - started
            pretrained, pretrain_note = None, ""
            if args.share_pretrained and needs_pretraining(strategy):
                started = time.perf_counter()
                pretrained = pretrain(treadmill, target=target, preset=args.preset, seed=args.seed,
                                      num_threads=args.threads)
                pretrain_note = f" + pre-training once {time.perf_counter() - started:.1f} s"
            estimator = GrfEstimator(target, strategy, preset=args.preset, seed=args.seed, treadmill=treadmill,
                                     pretrained=pretrained, num_threads=args.threads)
            started = time.perf_counter()
            table = cross_validate_loso(estimator, overground, n_jobs=args.n_jobs)
            sklearn_s = time.perf_counter() - started
            merged = table.merge(results.table[["subject", "rrmse_pct"]], on="subject", suffixes=("", "_exp"))
            same = int((merged["rrmse_pct"] == merged["rrmse_pct_exp"]).sum())
            folds_s = results.timings.loc[results.timings["kind"] != "pretrain", "wall_time_s"].sum()
            line = (f"{strategy:>15} {target}: run_experiment {experiment_s:6.1f} s (folds {folds_s:.1f} s), "
                    f"cross_validate {sklearn_s:6.1f} s"
                    f"{pretrain_note} (fits {table['fit_time_s'].sum():.1f} s); rRMSE identical for {same}/{len(merged)} "
                    f"participants (max {ulps(merged['rrmse_pct'], merged['rrmse_pct_exp']).max():.0f} ulp); "
                    f"mean {merged['rrmse_pct'].mean():.3f} %")
            if reference is not None:
                rows = reference[(reference["strategy"] == strategy) & (reference["target"] == target)]
                vs = table.merge(rows[["subject", "rrmse_pct"]], on="subject", suffixes=("", "_ref"))
                line += (f"; vs reference-ci identical for {int((vs['rrmse_pct'] == vs['rrmse_pct_ref']).sum())}/"
                         f"{len(vs)} (max {ulps(vs['rrmse_pct'], vs['rrmse_pct_ref']).max():.0f} ulp)")
            print(line, flush=True)


if __name__ == "__main__":
    main()
