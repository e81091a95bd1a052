"""The study's training as a scikit-learn estimator, so that scikit-learn's tools can run it.

:class:`GrfEstimator` trains with :func:`grfkit.experiment.strategies.train_strategy`, the
code (and the seed and thread count) of every fold of
:func:`grfkit.experiment.evaluation.run_fold`.  ``X`` is a
:class:`~grfkit.io.stances.StanceDataset` (the training needs each stance's metadata:
participant, body mass, contact time, speed), which scikit-learn can count and slice;
``y`` holds the target's measured curves, ``(n_stances, 101)`` newtons.  Scores follow
scikit-learn's "greater is better": :func:`neg_rrmse_scorer` gives minus the
per-participant rRMSE of :func:`grfkit.model.metrics.participant_metrics`, so
``cross_validate(..., groups=participant, cv=LeaveOneGroupOut())`` over the overground
stances gives, fold by fold, minus the ``rrmse_pct`` of the experiment's ``results.csv``, bit
for bit.  :func:`cross_validate_loso` runs that and returns one row per held-out participant.
scikit-learn is an optional extra: ``pip install 'grfkit[sklearn]'``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from grfkit.constants import N_POINTS
from grfkit.errors import ConfigError, LengthMismatchError
from grfkit.experiment.strategies import TREADMILL, needs_pretraining, train_strategy
from grfkit.io.stances import StanceDataset
from grfkit.model.baselines import BaselineModel, predict_baseline
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet, target_channel
from grfkit.model.metrics import evaluate, participant_metrics
from grfkit.model.presets import ModelPreset
from grfkit.model.trained_model import TrainedModel
from grfkit.model.training import predict

try:
    from sklearn.base import BaseEstimator, RegressorMixin
    from sklearn.utils import Tags
    from sklearn.model_selection import LeaveOneGroupOut, cross_validate
    from sklearn.utils.validation import check_is_fitted
except ImportError:
    raise ConfigError(
        "grfkit.experiment.estimator needs scikit-learn, an optional extra: pip install 'grfkit[sklearn]'"
    ) from None

__all__ = ["GrfEstimator", "neg_rrmse_scorer", "cross_validate_loso"]


class GrfEstimator(RegressorMixin, BaseEstimator):
    """One training strategy of the study, fitted and scored the scikit-learn way.

    ``fit`` calls :func:`grfkit.experiment.strategies.train_strategy` on exactly the
    stances it is given, with ``seed`` and ``num_threads`` as
    :func:`grfkit.experiment.evaluation.run_fold` passes them; held-out stances reach
    nothing fitted as long as they are not in ``fit``'s ``X``.  With the experiment's
    preset, seed and thread count, a leave-one-group-out fold over the overground
    stances trains the same model as the experiment's fold.

    Parameters
    ----------
    target
        ``"vgrf"`` or ``"apgrf"``.
    strategy
        One of :data:`grfkit.experiment.strategies.ALL_STRATEGIES` (the baselines too).
    preset
        Model preset name or :class:`~grfkit.model.presets.ModelPreset`.
    features
        Model input channels.
    seed
        Training seed; the experiment's ``config.seed``.
    treadmill
        Treadmill stances, for ``"treadmill"``, ``"transfer"`` and ``"combined"``;
        ``X`` then holds the overground stances.
    pretrained
        The treadmill model of :func:`grfkit.experiment.strategies.pretrain` for
        this target, preset, features and seed, for ``"treadmill"`` and
        ``"transfer"``; ``None``: every ``fit`` trains it again (the same model,
        since training is deterministic).
    num_threads
        Torch threads; the experiment's ``config.num_threads`` (results are bit-identical
        only at the same count).
    k_neighbours
        Neighbours of ``"baseline_static"``.

    Attributes
    ----------
    model_
        The fitted model: a :class:`~grfkit.model.trained_model.TrainedModel`, or a
        :class:`~grfkit.model.baselines.BaselineModel` for a baseline.
    participants_
        The participants of ``fit``'s ``X`` (a list of str).

    Notes
    -----
    scikit-learn's ``check_estimator`` does not apply: its checks feed 2-D float
    arrays, while a stance is 101 samples of many channels plus metadata (a
    :class:`~grfkit.io.stances.StanceDataset`).  :meth:`score` is minus the rRMSE
    (:func:`neg_rrmse_scorer`), not R\\ :sup:`2`.

    Examples
    --------
    >>> from sklearn.model_selection import LeaveOneGroupOut, cross_validate  # doctest: +SKIP
    >>> est = GrfEstimator("vgrf", "combined", preset="ci", treadmill=treadmill)  # doctest: +SKIP
    >>> cross_validate(est, overground, overground.target("vgrf_n"),
    ...                groups=overground.meta["participant"], cv=LeaveOneGroupOut())  # doctest: +SKIP
    """

    def __init__(
        self,
        target: str = "vgrf",
        strategy: str = "overground",
        *,
        preset: str | ModelPreset = "fast",
        features: FeatureSet = PUBLISHED_FEATURES,
        seed: int = 0,
        treadmill: StanceDataset | None = None,
        pretrained: TrainedModel | None = None,
        num_threads: int = 1,
        k_neighbours: int = 25,
    ) -> None:
        self.target = target
        self.strategy = strategy
        self.preset = preset
        self.features = features
        self.seed = seed
        self.treadmill = treadmill
        self.pretrained = pretrained
        self.num_threads = num_threads
        self.k_neighbours = k_neighbours

    def __sklearn_tags__(self) -> Tags:
        """scikit-learn's tags: 3-D input (stances x 101 samples x channels), a curve as target."""
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.target_tags.single_output = False
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: StanceDataset, y: np.ndarray | None = None) -> GrfEstimator:
        """Train the strategy's model on the stances of ``X``.

        Parameters
        ----------
        X
            Training stances (overground ones for the strategies that also use
            ``treadmill``).
        y
            The target's measured curves, ``(len(X), 101)`` newtons; they replace
            ``X``'s target channel.  ``None``: ``X``'s own.

        Returns
        -------
        GrfEstimator
            ``self``, fitted.

        Raises
        ------
        ConfigError
            For an unknown strategy or target, an ``X`` that is not a stance data set,
            treadmill stances in ``X``, a participant in both ``X`` and ``treadmill``, or as
            :func:`~grfkit.experiment.strategies.train_strategy`.
        LengthMismatchError
            If ``y`` does not have one curve per stance.
        """
        stances = _with_target(X, y, self.target)
        if needs_pretraining(self.strategy) or self.strategy == "combined":
            on_treadmill = (stances.meta["dataset"].astype(str) == TREADMILL).to_numpy()
            if on_treadmill.any():
                named = sorted(set(stances.meta.loc[on_treadmill, "participant"].astype(str)))
                raise ConfigError(f"strategy {self.strategy!r}: X must hold the overground stances (treadmill ones "
                                  f"go to the `treadmill` parameter); participants {named} are treadmill stances")
            if self.treadmill is not None:
                both = sorted(set(stances.participants) & set(self.treadmill.participants))
                if both:
                    raise ConfigError(f"participants {both} are in both X and the treadmill stances; a "
                                      "treadmill-trained model would have seen them")
        self.model_ = train_strategy(self.strategy, stances, target=self.target, treadmill=self.treadmill,
                                     pretrained=self.pretrained, preset=self.preset, features=self.features,
                                     seed=int(self.seed), num_threads=self.num_threads,
                                     k_neighbours=self.k_neighbours)
        self.participants_ = [str(p) for p in stances.participants]
        return self

    def predict(self, X: StanceDataset) -> np.ndarray:
        """Estimate the target force curve of every stance.

        Parameters
        ----------
        X
            Stances with the model's input channels and ``body_mass_kg``.

        Returns
        -------
        numpy.ndarray
            ``float64`` ``(len(X), 101)``, newtons.

        Raises
        ------
        ValueError
            Before :meth:`fit`: scikit-learn's ``NotFittedError``, a ``ValueError``.
        ConfigError
            If ``X`` is not a stance data set.
        """
        check_is_fitted(self, "model_")
        _check_stances(X)
        if isinstance(self.model_, BaselineModel):
            return predict_baseline(self.model_, X)
        return predict(self.model_, X, num_threads=self.num_threads)

    def score(self, X: StanceDataset, y: np.ndarray | None = None) -> float:
        """Minus the rRMSE of the estimates, averaged per participant then over participants.

        It replaces the R\\ :sup:`2` of scikit-learn's ``RegressorMixin``, and weights no stance.

        Parameters
        ----------
        X, y
            As for :func:`neg_rrmse_scorer`.

        Returns
        -------
        float
            :func:`neg_rrmse_scorer` of this estimator; percent, at most 0.
        """
        return neg_rrmse_scorer(self, X, y)


def neg_rrmse_scorer(estimator: GrfEstimator, X: StanceDataset, y: np.ndarray | None = None) -> float:
    """Minus the study's rRMSE of a fitted estimator on some stances: a scikit-learn scorer.

    Each stance is scored by :func:`grfkit.model.metrics.evaluate`, averaged per
    participant by :func:`grfkit.model.metrics.participant_metrics` (stances of
    undefined rRMSE left out) and over participants; for one held-out participant
    this is minus the ``rrmse_pct`` of the experiment's ``results.csv``.

    Parameters
    ----------
    estimator
        A fitted :class:`GrfEstimator`.
    X
        Stances to estimate and score.
    y
        Their measured curves of the estimator's target, ``(len(X), 101)`` newtons;
        ``None``: ``X``'s own.

    Returns
    -------
    float
        Minus the mean over participants of each one's mean stance rRMSE, percent.

    Raises
    ------
    ConfigError
        If ``X`` is not a stance data set.
    LengthMismatchError
        If ``y`` does not have one curve per stance.

    Notes
    -----
    The stance rRMSE are the experiment's bit for bit.  pandas averages a participant's
    stances by plain summation when the table's numeric block holds no NaN and by compensated
    summation when it does; an experiment table of both targets holds NaN (each target's own
    error columns), so its ``rrmse_pct`` may differ from this scorer's (and from a one-target
    experiment's) in the last bit.
    """
    stances = _with_target(X, y, estimator.target)
    table = participant_metrics(evaluate(stances, estimator.predict(stances), estimator.target))
    return -float(table["rrmse_pct"].mean())


def cross_validate_loso(estimator: GrfEstimator, overground: StanceDataset, *, n_jobs: int | None = None
                        ) -> pd.DataFrame:
    """Leave-one-subject-out with ``sklearn.model_selection.cross_validate``: one row per held-out participant.

    Parameters
    ----------
    estimator
        An unfitted :class:`GrfEstimator` (cloned for every fold).
    overground
        The stances to split by participant (the treadmill ones stay in
        ``estimator.treadmill``).
    n_jobs
        Folds in parallel, as scikit-learn's ``n_jobs``.

    Returns
    -------
    pandas.DataFrame
        In scikit-learn's fold order (participants sorted): ``subject``,
        ``n_stances``, ``rrmse_pct`` (minus the test score), ``fit_time_s``,
        ``score_time_s``.

    Raises
    ------
    ConfigError
        As :meth:`GrfEstimator.fit`.
    """
    y = _with_target(overground, None, estimator.target).target(target_channel(estimator.target))
    participant = overground.meta["participant"].astype(str).to_numpy()
    scores = cross_validate(estimator, overground, y,
                            groups=participant, cv=LeaveOneGroupOut(), scoring=neg_rrmse_scorer, n_jobs=n_jobs,
                            return_indices=True, error_score="raise")
    tests = scores["indices"]["test"]
    return pd.DataFrame({
        "subject": [str(participant[t[0]]) for t in tests],
        "n_stances": [len(t) for t in tests],
        "rrmse_pct": -scores["test_score"],
        "fit_time_s": scores["fit_time"],
        "score_time_s": scores["score_time"],
    })


def _check_stances(X: object) -> None:
    if not isinstance(X, StanceDataset):
        raise ConfigError(f"GrfEstimator takes a grfkit.io.stances.StanceDataset as X (stances with their metadata), "
                          f"got {type(X).__name__}")


def _with_target(X: StanceDataset, y: np.ndarray | None, target: str) -> StanceDataset:
    """``X`` checked, with ``y`` (if given) as its target channel; ``X`` itself is not modified."""
    _check_stances(X)
    channel = target_channel(target)
    X.target(channel)  # a missing channel is a ChannelMismatchError naming it
    if y is None:
        return X
    y = np.asarray(y)
    if y.shape != (len(X), N_POINTS):
        raise LengthMismatchError(f"y must hold the {channel} curve of each of the {len(X)} stances of X, shape "
                                  f"({len(X)}, {N_POINTS}); got {y.shape}")
    targets = X.targets.astype(np.result_type(X.targets.dtype, y.dtype))
    targets[:, :, X.target_channels.index(channel)] = y
    return dataclasses.replace(X, targets=targets)
