"""The estimator: features, normalisation, the BiLSTM, its training, inference and metrics.

:mod:`~grfkit.model.features` builds the input and target arrays,
:mod:`~grfkit.model.normalisation` z-scores them, :mod:`~grfkit.model.presets`
names the network sizes and training settings, :mod:`~grfkit.model.network`
is the BiLSTM, :mod:`~grfkit.model.training` fits and fine-tunes it (its
losses in :mod:`~grfkit.model.history`), :mod:`~grfkit.model.trained_model`
saves and loads the result (its units and provenance in
:mod:`~grfkit.model.artifact`), :mod:`~grfkit.model.inference` applies it,
:mod:`~grfkit.model.ensemble` combines several with a calibrated band,
:mod:`~grfkit.model.export` writes it as ONNX or TorchScript,
:mod:`~grfkit.model.metrics` scores estimates (rRMSE),
:mod:`~grfkit.model.devices` chooses the torch device, and
:mod:`~grfkit.model.baselines` and :mod:`~grfkit.model.importance` give the
no-wearable baselines and permutation importance (PyTorch loads on first use).
"""

from grfkit.lazy_imports import lazy_getattr

# Public name -> the module that defines it; imported on first use.
_LAZY = {
    "TrainingProvenance": "artifact",
    "UNIT_SUFFIXES": "artifact",
    "channel_unit": "artifact",
    "channel_units": "artifact",
    "check_dataset_channels": "artifact",
    "stance_files_sha256": "artifact",
    "ExportedModel": "export",
    "FORMATS": "export",
    "RawInputModel": "export",
    "export_model": "export",
    "load_exported": "export",
    "BASELINES": "baselines",
    "BaselineModel": "baselines",
    "STATIC_BASELINE_FEATURES": "baselines",
    "fit_baseline": "baselines",
    "predict_baseline": "baselines",
    "FeatureSet": "features",
    "PUBLISHED_FEATURES": "features",
    "TARGETS": "features",
    "body_weight_n": "features",
    "build_inputs": "features",
    "build_targets": "features",
    "target_channel": "features",
    "EnsembleEstimate": "ensemble",
    "ModelEnsemble": "ensemble",
    "MEASURE_COLUMNS": "measures",
    "discrete_measures": "measures",
    "band_calibration_report": "ensemble",
    "band_stance_table": "ensemble",
    "TrainingRanges": "ood",
    "band_coverage": "uncertainty",
    "width_error_correlation": "uncertainty",
    "permutation_importance": "importance",
    "InferenceModel": "inference",
    "evaluate": "metrics",
    "participant_metrics": "metrics",
    "pearson_r": "metrics",
    "rmse": "metrics",
    "rrmse_pct": "metrics",
    "stance_metrics": "metrics",
    "summarise": "metrics",
    "TrainingHistory": "history",
    "BiLSTMRegressor": "network",
    "build_network": "network",
    "ModelPreset": "presets",
    "PRESETS": "presets",
    "get_preset": "presets",
    "TrainedModel": "trained_model",
    "Scaler": "normalisation",
    "fit_scaler": "normalisation",
    "FineTuneChoice": "training",
    "TRAINABLE": "training",
    "choose_fine_tune_epochs": "training",
    "fine_tune": "training",
    "fit": "training",
    "predict": "training",
    "split_participants": "training",
    "torch_threads": "training",
    "DEVICES": "devices",
    "resolve_device": "devices",
}

__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = sorted(_LAZY)
