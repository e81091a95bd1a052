"""Force curves and their discrete measures from a wearable-only recording: ``grfkit predict``.

:func:`grfkit.field.predict.predict_stances` cuts the stances of a raw folder from its insoles and
shoe IMU (:func:`grfkit.field.chain.wearable_stances`), refuses a model whose
input channels those stances cannot supply, estimates each stance's force
curve in batches (:func:`grfkit.field.predict.estimate_curves_bw`, with the lean
:class:`grfkit.model.inference.InferenceModel`), and returns one row per
stance: its identity and events, the speed used and its source, the
101-point curve in newtons and in body weights, and the discrete measures of
:func:`grfkit.model.measures.discrete_measures`.  Every contact that is not
estimated (the chain's skips, and stances with a non-finite input) is listed
with its reason; nothing is filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit.constants import GRAVITY_MPS2, N_POINTS
from grfkit.errors import ConfigError
from grfkit.experiment.fold_ensemble import MANIFEST_NAME as FOLD_ENSEMBLE_MANIFEST
from grfkit.experiment.fold_ensemble import FoldEnsemble
from grfkit.field.chain import META_COLUMNS, FieldConfig, wearable_stances
from grfkit.field.steadiness import STEADY_SPEED_CHANGE_PCT, speed_changes
from grfkit.io.channels import STANCE_SIGNAL_CHANNELS
from grfkit.io.stances import StanceDataset
from grfkit.model.artifact import check_dataset_channels
from grfkit.model.ensemble import MANIFEST_NAME as ENSEMBLE_MANIFEST
from grfkit.model.ensemble import ModelEnsemble
from grfkit.model.features import FeatureSet, build_inputs
from grfkit.model.inference import InferenceModel
from grfkit.model.measures import discrete_measures
from grfkit.model.ood import TrainingRanges
from grfkit.model.trained_model import TrainedModel
from grfkit.model.training import torch_threads
from grfkit.preprocess.results import SKIPPED_COLUMNS
from grfkit.preprocess.skip_reasons import REASON_NONFINITE_INPUT
from grfkit.progress import progress_bar

__all__ = [
    "PREDICTION_META_COLUMNS",
    "FieldPrediction",
    "curve_columns",
    "Estimator",
    "estimator_manifest",
    "load_estimator",
    "estimate_curves_bw",
    "predict_stances",
]

#: The identifying and input columns of every prediction row, before the curves and measures.
PREDICTION_META_COLUMNS: tuple[str, ...] = (
    "dataset",
    "participant",
    "bout",
    "foot",
    "ic_s",
    "to_s",
    "contact_time_s",
    "speed_mps",
    "speed_source",
    "body_mass_kg",
    "target",
)


@dataclass(frozen=True)
class FieldPrediction:
    """The estimates of one raw folder, and what was not estimated.

    Parameters
    ----------
    stances
        One row per estimated stance: :data:`grfkit.field.predict.PREDICTION_META_COLUMNS`, the
        curve in newtons ``force_n_000`` ... ``force_n_100`` and in body
        weights ``force_bw_000`` ... ``force_bw_100`` (sample ``k`` at
        ``k`` % of the stance), then the measures of
        :data:`grfkit.model.measures.MEASURE_COLUMNS` for the target.  With
        an ensemble, the band's edges (``force_bw_lower_000`` ...,
        ``force_bw_upper_000`` ..., and the same in newtons) and ``nominal``,
        its nominal coverage.  Then ``speed_change_pct`` and ``unsteady``
        (:func:`grfkit.field.steadiness.speed_changes`), and with training
        ranges the out-of-distribution flags of
        :meth:`grfkit.model.ood.TrainingRanges.ood_flags`.
    skipped
        One row per contact or bout not estimated, columns
        :data:`grfkit.preprocess.results.SKIPPED_COLUMNS`, the reason in ``reason``.
    """

    stances: pd.DataFrame
    skipped: pd.DataFrame


def curve_columns(unit: str, n_points: int = N_POINTS, *, edge: str | None = None) -> list[str]:
    """Names of the wide curve columns of :attr:`FieldPrediction.stances`.

    Parameters
    ----------
    unit
        ``"n"`` (newtons) or ``"bw"`` (body weights).
    n_points
        Samples per curve.
    edge
        ``None`` for the estimate, ``"lower"`` or ``"upper"`` for the band's edges.

    Returns
    -------
    list of str
        ``force_<unit>_000`` ... ``force_<unit>_100`` for 101 points, or
        ``force_<unit>_<edge>_000`` ... for an edge of the band.

    Raises
    ------
    ConfigError
        For another unit or edge.
    """
    if unit not in ("n", "bw") or edge not in (None, "lower", "upper"):
        raise ConfigError(f"curve columns exist for unit 'n' or 'bw' and edge None, 'lower' or 'upper', "
                          f"not {unit!r} and {edge!r}")
    stem = f"force_{unit}" if edge is None else f"force_{unit}_{edge}"
    return [f"{stem}_{k:03d}" for k in range(n_points)]


#: What :func:`predict_stances` estimates with: one model, or an ensemble that also gives a band.
Estimator = TrainedModel | ModelEnsemble | FoldEnsemble


def estimator_manifest(folder: str | Path) -> Path:
    """The manifest that says what kind of estimator a folder holds.

    Parameters
    ----------
    folder
        A fold-ensemble, ensemble or model folder.

    Returns
    -------
    pathlib.Path
        Its ``fold_ensemble.json``, else ``ensemble.json``, else ``model.json``
        (which :meth:`grfkit.model.trained_model.TrainedModel.load` checks).
    """
    folder = Path(folder)
    for name in (FOLD_ENSEMBLE_MANIFEST, ENSEMBLE_MANIFEST):
        if (folder / name).is_file():
            return folder / name
    return folder / "model.json"


def load_estimator(folder: str | Path) -> Estimator:
    """Read a model folder, an ensemble folder or a fold-ensemble folder.

    Parameters
    ----------
    folder
        Written by ``grfkit train`` (a model; with ``--members``, an
        ensemble: :meth:`grfkit.model.ensemble.ModelEnsemble.save`) or by
        :meth:`grfkit.experiment.fold_ensemble.FoldEnsemble.save`.

    Returns
    -------
    TrainedModel, ModelEnsemble or FoldEnsemble
        Told apart by the folder's manifest (:func:`grfkit.field.predict.estimator_manifest`).

    Raises
    ------
    GrfkitError
        As the loader of that kind of folder.
    """
    name = estimator_manifest(folder).name
    if name == FOLD_ENSEMBLE_MANIFEST:
        return FoldEnsemble.load(folder)
    if name == ENSEMBLE_MANIFEST:
        return ModelEnsemble.load(folder)
    return TrainedModel.load(folder)


def _features(estimator: Estimator) -> FeatureSet:
    return estimator.members[0].features if isinstance(estimator, FoldEnsemble) else estimator.features


def estimate_curves_bw(
    model: TrainedModel,
    stances: StanceDataset,
    *,
    batch_size: int = 256,
    num_threads: int | None = 1,
    progress: bool = False,
    device: str = "cpu",
) -> np.ndarray:
    """Estimate every stance's force curve in body weights with the lean inference path.

    The estimation step of :func:`grfkit.field.predict.predict_stances`, kept separate so that
    another estimator (e.g. an ensemble) can take its place.

    Parameters
    ----------
    model
        The trained model.
    stances
        Stances holding the model's channels, all finite.
    batch_size
        Stances per forward pass (results do not depend on it beyond float
        rounding); a few hundred is fastest on a CPU.
    num_threads
        Torch threads (:func:`grfkit.model.training.torch_threads`); one is
        fastest for this small network on a 2-core CPU (about 5,000 stances/s
        against 1,000 with two threads on a busy machine); ``None`` leaves
        torch's setting.
    progress
        Show a progress bar over stances.
    device
        Torch device name: ``"cpu"`` takes the lean inference path
        (:class:`grfkit.model.inference.InferenceModel`); another device
        (``"cuda"``) runs the model's network there
        (:meth:`grfkit.model.trained_model.TrainedModel.predict_bw`).

    Returns
    -------
    numpy.ndarray
        ``float64`` ``(n_stances, 101)``, BW.

    Raises
    ------
    ChannelMismatchError
        If the stances lack a model channel.
    DropoutError
        If a model input is NaN or infinite.
    """
    fast = InferenceModel.from_trained(model) if device == "cpu" else None
    out = np.empty((len(stances), N_POINTS), dtype=np.float64)
    bar = progress_bar(total=len(stances), desc="estimating", unit="stance", show=progress)
    with bar, torch_threads(num_threads):
        for start in range(0, len(stances), batch_size):
            stop = min(start + batch_size, len(stances))
            # Inputs per batch: a batch's arrays stay in the CPU cache (the whole set's do not).
            inputs = build_inputs(stances[start:stop], model.features)
            out[start:stop] = (fast.estimate_bw(inputs) if fast is not None
                               else model.predict_bw(model.scaler.transform(inputs, model.features.channels),
                                                     batch_size=batch_size, device=device))
            bar.update(stop - start)
    return out


def _field_channels_check(features: FeatureSet) -> None:
    """Refuse, before any work, a model whose channels wearable stances cannot supply."""
    empty = StanceDataset(
        pd.DataFrame(columns=list(META_COLUMNS)),
        np.zeros((0, N_POINTS, len(STANCE_SIGNAL_CHANNELS)), dtype=np.float32),
        np.zeros((0, N_POINTS, 0), dtype=np.float32),
        tuple(STANCE_SIGNAL_CHANNELS),
        (),
    )
    check_dataset_channels(features, empty)


def _finite_rows(features: FeatureSet, stances: StanceDataset) -> np.ndarray:
    """Whether every model input of each stance is finite."""
    index = [stances.input_channels.index(c) for c in features.signal_channels]
    finite = np.isfinite(stances.inputs[:, :, index]).all(axis=(1, 2))
    for column in features.static:
        finite &= np.isfinite(stances.meta[column].to_numpy(dtype=np.float64))
    return finite


def _nonfinite_skips(features: FeatureSet, stances: StanceDataset, finite: np.ndarray) -> pd.DataFrame:
    meta = stances.meta.loc[~finite].reset_index(drop=True)
    details = []
    for row in np.flatnonzero(~finite):
        bad = [c for c in features.static if not np.isfinite(float(stances.meta[c].iloc[row]))]
        bad += [
            c
            for c in features.signal_channels
            if not np.isfinite(stances.inputs[row, :, stances.input_channels.index(c)]).all()
        ]
        details.append(", ".join(bad))
    return pd.DataFrame(
        {
            **{c: meta[c] for c in ("dataset", "participant", "bout", "foot", "plate", "ic_s")},
            "reason": REASON_NONFINITE_INPUT,
            "detail": details,
        },
        columns=list(SKIPPED_COLUMNS),
    )


def predict_stances(
    model: Estimator | str | Path,
    raw_dir: str | Path,
    *,
    config: FieldConfig | None = None,
    nominal: float = 0.9,
    ranges: TrainingRanges | None = None,
    batch_size: int = 256,
    strict: bool = False,
    progress: bool = False,
    workers: int | None = None,
    device: str = "cpu",
) -> FieldPrediction:
    """Estimate the force of every stance of a wearable-only raw folder.

    Parameters
    ----------
    model
        A trained model, an ensemble (:class:`grfkit.model.ensemble.ModelEnsemble`
        or :class:`grfkit.experiment.fold_ensemble.FoldEnsemble`: the
        estimate is the members' mean, with a band), or a folder of either
        (:func:`grfkit.field.predict.load_estimator`).
    raw_dir
        Folder in the grfkit raw data format; bouts need no force table.
    config
        Stance settings (:class:`grfkit.field.chain.FieldConfig`, e.g. its
        ``speed_source``); default ``FieldConfig()``, the training chain's.
    nominal
        Nominal coverage of an ensemble's band.
    ranges
        What the training stances covered, to flag stances outside it
        (:class:`grfkit.model.ood.TrainingRanges`); a
        :class:`~grfkit.model.ensemble.ModelEnsemble` brings its own.
    batch_size
        Stances per forward pass (:func:`grfkit.field.predict.estimate_curves_bw`).
    strict
        Raise the first failing bout's error instead of listing the bout as skipped.
    progress
        Show progress bars (over bouts, then over stances).
    workers
        Processes cutting the bouts' stances in parallel
        (:func:`grfkit.field.chain.wearable_stances`; the result does not
        depend on it); ``None``: the number of CPUs, at most 4.
    device
        Torch device name that estimates a single model's curves
        (:func:`grfkit.field.predict.estimate_curves_bw`); ensembles estimate on the CPU.

    Returns
    -------
    FieldPrediction
        The estimated stances, in the chain's order, and the skipped contacts.

    Raises
    ------
    ChannelMismatchError
        Before reading any bout, if the model needs a channel that wearable
        stances lack (or hold in another unit), naming every difference.
    GrfkitError
        As :func:`grfkit.field.chain.wearable_stances` (invalid
        ``participants.csv`` or ``bouts.csv``; with ``strict``, the first
        failing bout's error), and as :func:`grfkit.field.predict.load_estimator`
        for a folder.
    ConfigError
        For a device other than ``"cpu"`` with an ensemble.
    """
    model = load_estimator(model) if isinstance(model, (str, Path)) else model
    if device != "cpu" and not isinstance(model, TrainedModel):
        raise ConfigError(f"ensembles estimate on the CPU; device {device!r} applies to a single model")
    features = _features(model)
    _field_channels_check(features)
    stances, skipped = wearable_stances(
        raw_dir, config=config or FieldConfig(), strict=strict, progress=progress, workers=workers
    )
    finite = _finite_rows(features, stances)
    if not finite.all():
        skipped = pd.concat([skipped, _nonfinite_skips(features, stances, finite)], ignore_index=True)
        stances = stances.subset(finite)
    meta = stances.meta.reset_index(drop=True)
    weight_n = meta["body_mass_kg"].to_numpy(dtype=np.float64)[:, None] * GRAVITY_MPS2
    if isinstance(model, TrainedModel):
        curves_bw = estimate_curves_bw(model, stances, batch_size=batch_size, progress=progress, device=device)
        band = {}
    else:
        estimate = model.estimate(stances, nominal)
        curves_bw = estimate.mean_bw
        band = {f"{unit}_{edge}": values * factor
                for edge, values in (("lower", estimate.lower_bw), ("upper", estimate.upper_bw))
                for unit, factor in (("bw", 1.0), ("n", weight_n))}
    ids = meta[[c for c in PREDICTION_META_COLUMNS if c != "target"]]
    parts = [
        ids.assign(target=model.target),
        pd.DataFrame(curves_bw * weight_n, columns=curve_columns("n")),
        pd.DataFrame(curves_bw, columns=curve_columns("bw")),
        discrete_measures(curves_bw, meta["contact_time_s"].to_numpy(dtype=np.float64), model.target),
    ]
    for key, values in band.items():
        unit, edge = key.split("_")
        parts.append(pd.DataFrame(values, columns=curve_columns(unit, edge=edge)))
    if band:
        parts.append(pd.DataFrame({"nominal": np.full(len(meta), float(nominal))}))
    change = speed_changes(meta)
    parts.append(pd.DataFrame({"speed_change_pct": change.to_numpy(),
                               "unsteady": (change > STEADY_SPEED_CHANGE_PCT).to_numpy()}))
    ranges = ranges if ranges is not None else getattr(model, "ranges", None)
    if ranges is not None:
        parts.append(ranges.ood_flags(stances).reset_index(drop=True))
    table = pd.concat(parts, axis=1)
    return FieldPrediction(stances=table, skipped=skipped.reset_index(drop=True))
