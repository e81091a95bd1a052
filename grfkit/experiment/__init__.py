"""Leave-one-subject-out experiments: the training strategies, the runner and paired statistics.

:mod:`~grfkit.experiment.strategies` defines the four training strategies and
the baselines, :mod:`~grfkit.experiment.runner` runs them fold by fold with a
resumable cache (:func:`run_experiment`), and
:mod:`~grfkit.experiment.comparisons` compares strategies with paired
statistics over participants.
"""

from grfkit.lazy_imports import lazy_getattr

# Public name -> the module that defines it; imported on first use.
_LAZY = {
    "BEST_VS_BASELINE": "comparisons",
    "PUBLISHED_FINDINGS": "comparisons",
    "describe_comparison": "comparisons",
    "findings_table": "comparisons",
    "friedman_test": "comparisons",
    "paired_comparison": "comparisons",
    "ALL_STRATEGIES": "runner",
    "ExperimentConfig": "runner",
    "ExperimentResults": "runner",
    "PUBLISHED_RRMSE": "runner",
    "STRATEGIES": "runner",
    "TARGETS": "runner",
    "code_fingerprint": "runner",
    "compare_with_published": "runner",
    "default_results_dir": "runner",
    "format_summary": "runner",
    "load_results": "runner",
    "rrmse_table": "runner",
    "run_experiment": "runner",
    "stance_fingerprint": "runner",
    "summarise_results": "runner",
    "BASELINES": "strategies",
    "FoldResult": "strategies",
    "OVERGROUND": "strategies",
    "TREADMILL": "strategies",
    "check_strategy": "strategies",
    "exaggerate_participant": "strategies",
    "identical_fit": "strategies",
    "is_baseline": "strategies",
    "needs_pretraining": "strategies",
    "pretrain": "strategies",
    "run_fold": "strategies",
    "split_domains": "strategies",
    "train_strategy": "strategies",
}

__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = sorted(_LAZY)
