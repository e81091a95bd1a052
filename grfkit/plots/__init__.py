"""Figures of the book: plotly figures built from grfkit's data sets and results.

:mod:`~grfkit.plots.signals` draws raw signals and stances,
:mod:`~grfkit.plots.results` model and experiment results,
:mod:`~grfkit.plots.real` the real-data chapter's figures, and
:mod:`~grfkit.plots.field` estimates in the field and
:mod:`~grfkit.plots.sweeps` the learning curves of ablation sweeps.
"""

from grfkit.lazy_imports import lazy_getattr

# Public name -> the module that defines it; imported on first use.
_LAZY = {
    "band_width_figure": "field",
    "field_stretch_figure": "field",
    "condition_rrmse_figure": "real",
    "estimates_figure": "real",
    "explained_range_figure": "real",
    "input_curves_figure": "real",
    "mean_curves_figure": "real",
    "participant_rrmse_figure": "real",
    "stance_count_figure": "real",
    "validation_curves_figure": "real",
    "STRATEGY_LABELS": "results",
    "TARGET_LABELS": "results",
    "feature_importance": "results",
    "participant_errors": "results",
    "predicted_vs_measured": "results",
    "rrmse_example": "results",
    "strategy_comparison": "results",
    "training_curves": "results",
    "learning_curve_figure": "sweeps",
    "bout_signals_figure": "signals",
    "channel_label": "signals",
    "cohort_figure": "signals",
    "event_error_figure": "signals",
    "filter_response_figure": "signals",
    "filtered_stance_figure": "signals",
    "sensor_paths_figure": "signals",
    "stance_curves_figure": "signals",
    "sync_figure": "signals",
}

__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = sorted(_LAZY)
