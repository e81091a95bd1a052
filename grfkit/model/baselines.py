"""Baselines that use no wearable signal: what are the insole and IMU worth?

``"baseline_mean"`` estimates every stance by the training stances' mean
curve in body weights; ``"baseline_static"`` by the mean curve of the ``k``
training stances nearest in their stance metadata
(:data:`STATIC_BASELINE_FEATURES`: contact time, speed, body mass,
gradient; z-scored Euclidean distance).  Both return newtons and are fitted
on the training stances only, so they enter the leave-one-subject-out
evaluation as two more strategies.  Entry points: :func:`fit_baseline`,
:func:`predict_baseline`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grfkit.constants import N_POINTS
from grfkit.errors import ConfigError
from grfkit.io.stances import StanceDataset
from grfkit.model._finite_rows import raise_if_any_nonfinite
from grfkit.model.features import body_weight_n, build_targets, target_channel

__all__ = [
    "BASELINES",
    "STATIC_BASELINE_FEATURES",
    "BaselineModel",
    "fit_baseline",
    "predict_baseline",
]

#: The baseline estimators, in the order reports show them.
BASELINES: tuple[str, ...] = ("baseline_mean", "baseline_static")

#: Stance metadata columns :data:`"baseline_static" <BASELINES>` matches on:
#: what a model knows about a stance without any wearable signal.
STATIC_BASELINE_FEATURES: tuple[str, ...] = ("contact_time_s", "speed_mps", "body_mass_kg", "gradient_deg")


@dataclass(frozen=True, eq=False)
class BaselineModel:
    """A fitted no-wearable baseline.

    Parameters
    ----------
    kind
        One of :data:`BASELINES`.
    target
        ``"vgrf"`` or ``"apgrf"``.
    curves_bw
        The training stances' force curves in body weights, ``float64``
        ``(n_train, 101)``.
    static_features
        The training stances' :data:`STATIC_BASELINE_FEATURES`, ``float64``
        ``(n_train, 4)`` in their own units (s, m/s, kg, degrees).
    feature_mean, feature_sd
        Mean and population SD (``ddof=0``) of ``static_features`` over the
        training stances, ``(4,)``; features with zero SD are ignored.
    k_neighbours
        Neighbours averaged by ``"baseline_static"`` (capped at ``n_train``
        when predicting).
    participants
        Training participants, in order of first appearance.
    """

    kind: str
    target: str
    curves_bw: np.ndarray
    static_features: np.ndarray
    feature_mean: np.ndarray
    feature_sd: np.ndarray
    k_neighbours: int
    participants: tuple[str, ...]

    @property
    def n_stances(self) -> int:
        """Number of training stances."""
        return int(self.curves_bw.shape[0])

    def equals(self, other: BaselineModel) -> bool:
        """Return whether ``other`` was fitted identically (every field, arrays bit for bit).

        Parameters
        ----------
        other
            Another baseline.

        Returns
        -------
        bool
            ``True`` if kind, target, ``k_neighbours``, participants and all
            arrays are identical.
        """
        arrays = ("curves_bw", "static_features", "feature_mean", "feature_sd")
        return (
            (self.kind, self.target, self.k_neighbours, self.participants)
            == (other.kind, other.target, other.k_neighbours, other.participants)
            and all(np.array_equal(getattr(self, a), getattr(other, a)) for a in arrays)
        )


def _static_features(dataset: StanceDataset) -> np.ndarray:
    values = dataset.meta[list(STATIC_BASELINE_FEATURES)].to_numpy(dtype=np.float64)
    for j, column in enumerate(STATIC_BASELINE_FEATURES):
        raise_if_any_nonfinite(~np.isfinite(values[:, j]), dataset, "stances", column)
    return values


def fit_baseline(kind: str, train: StanceDataset, *, target: str, k_neighbours: int = 25) -> BaselineModel:
    """Fit a no-wearable baseline on the training stances.

    Parameters
    ----------
    kind
        ``"baseline_mean"`` or ``"baseline_static"`` (:data:`BASELINES`).
    train
        The training stances -- never the participant you will test on.
    target
        ``"vgrf"`` or ``"apgrf"``.
    k_neighbours
        Nearest training stances ``"baseline_static"`` averages (at least 1).

    Returns
    -------
    BaselineModel
        The training curves in body weights and the standardisation of the
        static features, both from ``train`` only.

    Raises
    ------
    ConfigError
        For an unknown kind or target, ``k_neighbours`` < 1, an empty training
        set, or a body mass that is not positive.
    ChannelMismatchError
        If the stances lack the target channel.
    DropoutError
        If a target curve or static feature holds NaN or infinite values.
    """
    if kind not in BASELINES:
        raise ConfigError(f"unknown baseline {kind!r}; choose from {list(BASELINES)}")
    target_channel(target)
    if int(k_neighbours) < 1:
        raise ConfigError(f"k_neighbours must be at least 1, got {k_neighbours}")
    if len(train) == 0:
        raise ConfigError(f"baseline {kind!r} needs training stances, but there are none")
    features = _static_features(train)
    return BaselineModel(
        kind=kind,
        target=target,
        curves_bw=build_targets(train, target).astype(np.float64),
        static_features=features,
        feature_mean=features.mean(axis=0),
        feature_sd=features.std(axis=0),
        k_neighbours=int(k_neighbours),
        participants=tuple(str(p) for p in train.participants),
    )


def predict_baseline(model: BaselineModel, test: StanceDataset) -> np.ndarray:
    """Estimate the force curves of test stances with a fitted baseline.

    Parameters
    ----------
    model
        From :func:`fit_baseline`.
    test
        Stances to estimate (their body mass, and for ``"baseline_static"``
        their static features, are read; their forces are not).

    Returns
    -------
    numpy.ndarray
        Estimated force in newtons, ``float64`` ``(n_test, 101)``: the
        baseline's body-weight curve times each test stance's body weight
        (``body_mass_kg * 9.81``).

    Raises
    ------
    ConfigError
        If a test body mass is not positive.
    DropoutError
        If ``"baseline_static"`` meets a NaN or infinite static feature of a test stance.
    """
    weight_n = body_weight_n(test)
    if model.kind == "baseline_mean":
        curves_bw = np.broadcast_to(model.curves_bw.mean(axis=0), (len(test), N_POINTS))
    else:
        used = model.feature_sd > 0
        sd = model.feature_sd[used]
        train_z = (model.static_features[:, used] - model.feature_mean[used]) / sd
        test_z = (_static_features(test)[:, used] - model.feature_mean[used]) / sd
        distance = np.sqrt(((test_z[:, None, :] - train_z[None, :, :]) ** 2).sum(axis=-1))
        k = min(model.k_neighbours, model.n_stances)
        nearest = np.argsort(distance, axis=1, kind="stable")[:, :k]
        curves_bw = model.curves_bw[nearest].mean(axis=1)
    return curves_bw * weight_n[:, None]
