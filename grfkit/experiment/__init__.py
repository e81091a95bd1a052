"""Leave-one-subject-out experiments: strategies, the evaluation loop, the runner and statistics.

:mod:`~grfkit.experiment.strategies` defines the training strategies and the
baselines, :mod:`~grfkit.experiment.evaluation` the split -> train -> predict
-> score loop, :mod:`~grfkit.experiment.config` what an experiment runs;
:mod:`~grfkit.experiment.runner` runs it fold by fold with the cache and
results folders of :mod:`~grfkit.experiment.store`;
:mod:`~grfkit.experiment.report` and :mod:`~grfkit.experiment.comparisons`
summarise and compare strategies.  Beyond the experiment:
:mod:`~grfkit.experiment.final_model` (``grfkit train``),
:mod:`~grfkit.experiment.ensemble_training` (a calibrated deep ensemble),
:mod:`~grfkit.experiment.fold_ensemble` (a band from the fold models),
:mod:`~grfkit.experiment.estimator` (a scikit-learn estimator), :mod:`~grfkit.experiment.sweeps`
(ablation sweeps) and :mod:`~grfkit.experiment.tuning` (nested hyper-parameter search; its
results in :mod:`~grfkit.experiment.tuning_results`).
"""

from grfkit.lazy_imports import lazy_getattr

# Public name -> the module that defines it; imported on first use.
_LAZY = {
    "BEST_VS_BASELINE": "comparisons",
    "PUBLISHED_FINDINGS": "comparisons",
    "FineTuningEffect": "comparisons",
    "compare_runs": "comparisons",
    "describe_comparison": "comparisons",
    "fine_tuning_effect": "comparisons",
    "findings_table": "comparisons",
    "friedman_test": "comparisons",
    "holm_adjusted": "comparisons",
    "paired_comparison": "comparisons",
    "significantly_better": "comparisons",
    "ExperimentConfig": "config",
    "PUBLISHED_RRMSE": "config",
    "TARGETS": "config",
    "GrfEstimator": "estimator",
    "cross_validate_loso": "estimator",
    "neg_rrmse_scorer": "estimator",
    "FoldResult": "evaluation",
    "train_model": "final_model",
    "train_ensemble": "ensemble_training",
    "DEFAULT_N_QUANTILES": "fold_ensemble",
    "FoldBand": "fold_ensemble",
    "FoldEnsemble": "fold_ensemble",
    "fold_ensemble": "fold_ensemble",
    "jackknife_plus_band": "fold_ensemble",
    "lopo_calibration": "fold_ensemble",
    "residual_quantiles": "fold_ensemble",
    "DEFAULT_LOPO_LEVELS": "lopo_curve",
    "LopoCurve": "lopo_curve",
    "SplitScores": "evaluation",
    "run_fold": "evaluation",
    "score_split": "evaluation",
    "score_splits": "evaluation",
    "LeakageCheck": "leakage",
    "leakage_check": "leakage",
    "leakage_guard": "leakage",
    "compare_with_published": "report",
    "format_summary": "report",
    "rrmse_table": "report",
    "summarise_results": "report",
    "run_experiment": "runner",
    "CACHE_FORMAT": "store",
    "CODE_SOURCES": "store",
    "CacheContext": "store",
    "ExperimentResults": "store",
    "cache_key": "store",
    "cached_fold": "store",
    "cached_pretrained": "store",
    "code_fingerprint": "store",
    "default_results_dir": "store",
    "load_fold": "store",
    "load_results": "store",
    "save_fold": "store",
    "save_pretrained": "store",
    "stance_fingerprint": "store",
    "write_results": "store",
    "ALL_STRATEGIES": "strategies",
    "BASELINES": "strategies",
    "OVERGROUND": "strategies",
    "STRATEGIES": "strategies",
    "TREADMILL": "strategies",
    "check_strategy": "strategies",
    "exaggerate_participant": "strategies",
    "identical_fit": "strategies",
    "is_baseline": "strategies",
    "needs_pretraining": "strategies",
    "pretrain": "strategies",
    "split_domains": "strategies",
    "train_strategy": "strategies",
    "uses_treadmill": "strategies",
    "FINE_TUNING_VARIANTS": "sweeps",
    "SWEEPS": "sweeps",
    "Sweep": "sweeps",
    "SweepSpec": "sweeps",
    "load_sweep": "sweeps",
    "run_sweep": "sweeps",
    "sweep_statistics": "sweeps",
    "sweep_table": "sweeps",
    "SEARCH_SPACE": "tuning",
    "Dimension": "tuning",
    "LeakageError": "tuning",
    "check_inner_folds": "tuning",
    "grouped_folds": "tuning",
    "tune": "tuning",
    "INNER_SCORE": "tuning_results",
    "TuningResult": "tuning_results",
}

__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = sorted(_LAZY)
