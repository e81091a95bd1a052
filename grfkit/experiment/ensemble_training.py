"""Train a deep ensemble and calibrate its band on participants its calibration members never saw.

:func:`train_ensemble` splits the overground participants into K groups
(:func:`calibration_groups`).  For each group k it trains M members
(:func:`train_members`, seeds ``seed .. seed + M - 1``) without group k's
participants (:func:`cross_calibrate`) and scores group k's stances with them
(:func:`grfkit.model.uncertainty.conformity_scores`).  The pooled scores give
the band scale at every nominal level
(:func:`grfkit.model.uncertainty.conformal_scales`).  A calibration
participant's data never reaches the members whose residuals calibrate on it.
The K x M models are the ensemble (as in CV+); ``refit=True`` instead trains M
members on everybody, whose band tends to under-cover.  Cost: ``K * M``
trainings (``(K + 1) * M`` with ``refit``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grfkit import __version__
from grfkit.errors import ConfigError
from grfkit.experiment.final_model import train_model
from grfkit.experiment.strategies import (
    STRATEGIES,
    needs_pretraining,
    pretrain,
    split_domains,
    train_strategy,
)
from grfkit.io.stances import StanceDataset
from grfkit.model.artifact import TrainingProvenance, stance_files_sha256
from grfkit.model.ensemble import ModelEnsemble
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet, build_targets
from grfkit.model.ood import TrainingRanges
from grfkit.model.presets import ModelPreset, get_preset
from grfkit.model.trained_model import TrainedModel
from grfkit.model.training import torch_threads
from grfkit.model.uncertainty import (
    CALIBRATION_LEVELS,
    DEFAULT_EPS_BW,
    conformal_scales,
    conformity_scores,
)
from grfkit.storage.provenance import git_state

__all__ = ["CrossCalibration", "calibration_groups", "cross_calibrate", "train_ensemble", "train_members"]


def calibration_groups(participants: list[str], n_groups: int, seed: int = 0) -> tuple[tuple[str, ...], ...]:
    """Split participants into ``n_groups`` groups of near-equal size, shuffled by ``seed``.

    Parameters
    ----------
    participants
        Overground participants.
    n_groups
        K, at least 2 and at most the number of participants.
    seed
        Shuffle seed.

    Returns
    -------
    tuple of tuple of str
        Each group sorted; together every participant once.

    Raises
    ------
    ConfigError
        If K is out of range.

    Examples
    --------
    >>> calibration_groups(["A", "B", "C", "D"], 2, seed=0)
    (('B', 'D'), ('A', 'C'))
    """
    names = sorted(set(map(str, participants)))
    if not 2 <= n_groups <= len(names):
        raise ConfigError(f"calibration needs 2 to {len(names)} groups of overground participants "
                          f"({names}), got {n_groups}")
    order = np.random.default_rng(seed).permutation(len(names))
    return tuple(tuple(sorted(names[i] for i in order[k::n_groups])) for k in range(n_groups))


def train_members(
    overground: StanceDataset,
    treadmill: StanceDataset,
    *,
    target: str,
    strategy: str,
    members: int,
    preset: ModelPreset,
    features: FeatureSet,
    seed: int,
    pretrained: tuple[TrainedModel, ...] | None = None,
    num_threads: int | None = None,
    device: str = "cpu",
) -> tuple[TrainedModel, ...]:
    """Train ``members`` models of one strategy with seeds ``seed, seed + 1, ...``.

    Parameters
    ----------
    overground, treadmill
        The training stances of each domain.
    target, strategy, preset, features
        As for :func:`grfkit.experiment.strategies.train_strategy`.
    members
        M.
    seed
        Seed of member 0.
    pretrained
        Member m's treadmill model (strategies that pre-train), reused across
        calibration groups; trained here when missing.
    num_threads, device
        As for :func:`grfkit.model.training.fit` (``device``: a torch device name).

    Returns
    -------
    tuple of TrainedModel
    """
    return tuple(
        train_strategy(strategy, overground, target=target, treadmill=treadmill,
                       pretrained=None if pretrained is None else pretrained[m], preset=preset,
                       features=features, seed=seed + m, num_threads=num_threads, device=device)
        for m in range(members)
    )


@dataclass(frozen=True)
class CrossCalibration:
    """The held-out scores of the cross-calibration and the members that produced them.

    Parameters
    ----------
    groups
        The K groups of overground participants.
    scores
        ``(n_overground_stances, 101)`` conformity scores, stances in the
        overground data set's order.
    participants
        Participant of each row of ``scores``.
    members
        ``members[k]``: the M models trained without group k.
    """

    groups: tuple[tuple[str, ...], ...]
    scores: np.ndarray
    participants: np.ndarray
    members: tuple[tuple[TrainedModel, ...], ...]


def cross_calibrate(
    overground: StanceDataset,
    treadmill: StanceDataset,
    *,
    target: str,
    strategy: str = "combined",
    members: int = 5,
    calibration_groups_n: int = 4,
    preset: ModelPreset,
    features: FeatureSet = PUBLISHED_FEATURES,
    seed: int = 0,
    eps_bw: float = DEFAULT_EPS_BW,
    pretrained: tuple[TrainedModel, ...] | None = None,
    num_threads: int | None = None,
    device: str = "cpu",
) -> CrossCalibration:
    """Score every overground stance with M members trained without its participant's group.

    Parameters
    ----------
    overground, treadmill
        The two domains (:func:`grfkit.experiment.strategies.split_domains`).
    target, strategy, members, preset, features, seed
        As for :func:`train_ensemble`.
    calibration_groups_n
        K.
    eps_bw
        Floor added to the spread (:func:`grfkit.model.uncertainty.conformity_scores`).
    pretrained, num_threads, device
        As for :func:`train_members` (``device`` also estimates).

    Returns
    -------
    CrossCalibration
    """
    groups = calibration_groups(overground.participants, calibration_groups_n, seed)
    participant = overground.meta["participant"].astype(str).to_numpy()
    scores = np.full((len(overground), overground.inputs.shape[1]), np.nan)
    trained = []
    for group in groups:
        held = np.isin(participant, group)
        models = train_members(overground.subset(~held), treadmill, target=target, strategy=strategy,
                               members=members, preset=preset, features=features, seed=seed, pretrained=pretrained,
                               num_threads=num_threads, device=device)
        trained.append(models)
        calibration = overground.subset(held)
        with torch_threads(num_threads):
            estimates = np.stack([m.predict_bw(m.prepare_inputs(calibration), device=device) for m in models])
        scores[held] = conformity_scores(build_targets(calibration, target), estimates.mean(axis=0),
                                         estimates.std(axis=0, ddof=1), eps_bw)
    return CrossCalibration(groups=groups, scores=scores, participants=participant, members=tuple(trained))


def train_ensemble(
    stances: StanceDataset | str | Path,
    *,
    target: str,
    strategy: str = "combined",
    members: int = 5,
    calibration_groups: int = 4,
    preset: str | ModelPreset = "fast",
    features: FeatureSet = PUBLISHED_FEATURES,
    seed: int = 0,
    eps_bw: float = DEFAULT_EPS_BW,
    refit: bool = False,
    num_threads: int | None = None,
    progress: bool = False,
    device: str = "cpu",
) -> ModelEnsemble:
    """Train a calibrated deep ensemble of one strategy on all participants.

    Parameters
    ----------
    stances
        A stance data set or its folder (then its files' SHA-256 go into the provenance).
    target
        ``"vgrf"`` or ``"apgrf"``.
    strategy
        One of :data:`grfkit.experiment.strategies.STRATEGIES`.
    members
        M, at least 2: models per ensemble, seeds ``seed .. seed + M - 1``.
    calibration_groups
        K: groups of overground participants for the cross-calibration.
    preset, features, seed, num_threads, device
        As for :func:`grfkit.experiment.final_model.train_model`.
    eps_bw
        Floor added to the spread before scaling (body weights).
    refit
        ``False`` (default): the ensemble's members are the K x M
        cross-calibration models themselves (grouped, as CV+ does), so the
        band is applied to exactly the kind of model it was calibrated on.
        ``True``: M new members trained on everybody; they agree more than
        the calibration members did while their error on new runners barely
        shrinks, so the band tends to cover less than nominal (measured in
        ``benchmarks/bench_ensemble_band.py``).
    progress
        Print one line per training round.

    Returns
    -------
    ModelEnsemble
        Members (each with the provenance of its own training stances), band
        scales at :data:`grfkit.model.uncertainty.CALIBRATION_LEVELS`, the
        training ranges of the stances the strategy trains on, and the
        ensemble's provenance.

    Raises
    ------
    ConfigError
        For an unknown strategy, fewer than 2 members, or K out of range.
    """
    if strategy not in STRATEGIES:
        raise ConfigError(f"grfkit can build ensembles of strategies {list(STRATEGIES)}, not {strategy!r}")
    if members < 2:
        raise ConfigError(f"an ensemble needs at least 2 members, got {members}")
    folder = None
    if not isinstance(stances, StanceDataset):
        folder = Path(stances).expanduser().resolve()
        stances = StanceDataset.load(folder)
    preset = get_preset(preset) if isinstance(preset, str) else preset
    overground, treadmill = split_domains(stances)
    pretrained = None
    if needs_pretraining(strategy):
        pretrained = tuple(pretrain(treadmill, target=target, preset=preset, features=features, seed=seed + m,
                                    num_threads=num_threads, device=device) for m in range(members))
    if progress:
        print(f"cross-calibration: {calibration_groups} groups x {members} members", flush=True)
    cross = cross_calibrate(overground, treadmill, target=target, strategy=strategy, members=members,
                            calibration_groups_n=calibration_groups, preset=preset, features=features, seed=seed,
                            eps_bw=eps_bw, pretrained=pretrained, num_threads=num_threads, device=device)
    scales = conformal_scales(cross.scores, cross.participants, CALIBRATION_LEVELS)
    files = stance_files_sha256(folder) if folder is not None else {}
    git = git_state()
    used = _used_stances(strategy, overground, treadmill)
    if refit:
        if progress:
            print(f"final members: {members} on every participant", flush=True)
        final = tuple(train_model(stances, target=target, strategy=strategy, preset=preset, features=features,
                                  seed=seed + m, num_threads=num_threads, device=device) for m in range(members))
        groups: tuple[int, ...] = ()
    else:
        final, groups = (), ()
        for k, (group, models) in enumerate(zip(cross.groups, cross.members)):
            seen = used.subset(~used.meta["participant"].astype(str).isin(group).to_numpy())
            final += tuple(_with_provenance(model, strategy, seed + m, seen, folder, files, git)
                           for m, model in enumerate(models))
            groups += (k,) * len(models)
    provenance = {
        **_provenance(strategy, seed, used, folder, files, git).to_dict(),
        "member_seeds": [seed + m for m in range(members)], "preset": preset.name, "refit": refit,
    }
    calibration = {
        "method": "split-conformal cross-calibration over groups of overground participants, each "
                  "participant weighted equally; points within a stance are correlated, so coverage is approximate",
        "groups": [list(g) for g in cross.groups], "n_scores": int(cross.scores.size),
        "n_stances": len(cross.scores), "seed": seed,
        # Share of each calibration participant's points inside its 90 % band: how unequal participants are.
        "coverage_90_per_participant": {
            str(p): float(np.mean(cross.scores[cross.participants == p] <= scales[CALIBRATION_LEVELS.index(0.9)]))
            for p in sorted(set(cross.participants))
        },
    }
    return ModelEnsemble(members=final, band_scales=tuple(scales), ranges=TrainingRanges.from_stances(used, features),
                         levels=CALIBRATION_LEVELS, eps_bw=eps_bw, calibration=calibration, provenance=provenance,
                         member_groups=groups)


def _used_stances(strategy: str, overground: StanceDataset, treadmill: StanceDataset) -> StanceDataset:
    """The stances a strategy trains on (the treadmill ones included for all but ``"overground"``)."""
    parts = {"overground": [overground], "treadmill": [treadmill]}.get(strategy, [overground, treadmill])
    return StanceDataset.concat([d for d in parts if len(d)])


def _provenance(strategy: str, seed: int, used: StanceDataset, folder: Path | None, files: dict[str, str],
                git: dict) -> TrainingProvenance:
    return TrainingProvenance(strategy=strategy, seed=seed, participants=tuple(used.participants),
                              n_stances=len(used), stances_path=None if folder is None else str(folder),
                              stances_files=files, grfkit_version=__version__, grfkit_commit=git["commit"],
                              grfkit_dirty=git["dirty"])


def _with_provenance(model: TrainedModel, strategy: str, seed: int, used: StanceDataset, folder: Path | None,
                     files: dict[str, str], git: dict) -> TrainedModel:
    """The model with the provenance of the stances it was trained on."""
    return TrainedModel(network=model.network, preset=model.preset, features=model.features, target=model.target,
                        scaler=model.scaler, history=model.history,
                        provenance=_provenance(strategy, seed, used, folder, files, git))
