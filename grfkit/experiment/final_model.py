"""One model trained on every participant of a stance data set, for use beyond the experiment.

:func:`train_model` trains a strategy's model (:func:`grfkit.experiment.strategies.train_strategy`)
with nobody held out: ``"overground"`` on all overground participants,
``"treadmill"`` on the treadmill ones, ``"transfer"`` pre-trained on the
treadmill and fine-tuned on all overground participants, ``"combined"`` on
both.  The model carries the provenance of its training data
(:class:`grfkit.model.artifact.TrainingProvenance`); ``grfkit train`` saves it
as a model folder.
"""

from __future__ import annotations

from pathlib import Path

from grfkit import __version__
from grfkit.errors import ConfigError
from grfkit.experiment.strategies import STRATEGIES, split_domains, train_strategy
from grfkit.io.stances import StanceDataset
from grfkit.model.artifact import TrainingProvenance, stance_files_sha256
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet
from grfkit.model.presets import ModelPreset
from grfkit.model.trained_model import TrainedModel
from grfkit.storage.provenance import git_state

__all__ = ["train_model"]

# The domains each strategy trains on.
_DOMAINS = {
    "overground": ("overground",),
    "treadmill": ("treadmill",),
    "transfer": ("overground", "treadmill"),
    "combined": ("overground", "treadmill"),
}


def train_model(
    stances: StanceDataset | str | Path,
    *,
    target: str,
    strategy: str = "combined",
    preset: str | ModelPreset = "fast",
    features: FeatureSet = PUBLISHED_FEATURES,
    seed: int = 0,
    num_threads: int | None = None,
    progress: bool = False,
    device: str = "cpu",
) -> TrainedModel:
    """Train one strategy's model on all participants of a stance data set.

    Parameters
    ----------
    stances
        A stance data set, or its folder (then its files' SHA-256 go into the
        provenance).
    target
        ``"vgrf"`` or ``"apgrf"``.
    strategy
        One of :data:`grfkit.experiment.strategies.STRATEGIES` (the
        baselines are no wearable models and cannot be saved).
    preset, features, seed, num_threads, progress, device
        As for :func:`grfkit.model.training.fit` (``device``: a torch device name).

    Returns
    -------
    TrainedModel
        With :class:`~grfkit.model.artifact.TrainingProvenance`: strategy,
        seed, participants and stances trained on, the data set folder and
        its files' SHA-256, grfkit version and commit.

    Raises
    ------
    ConfigError
        For a baseline or unknown strategy, or a data set without the stances
        the strategy needs.
    """
    if strategy not in STRATEGIES:
        raise ConfigError(
            f"grfkit can save the models of strategies {list(STRATEGIES)}, not {strategy!r}"
        )
    folder = None
    if not isinstance(stances, StanceDataset):
        folder = Path(stances).expanduser().resolve()
        stances = StanceDataset.load(folder)
    files = stance_files_sha256(folder) if folder is not None else {}
    overground, treadmill = split_domains(stances)
    model = train_strategy(
        strategy,
        overground,
        target=target,
        treadmill=treadmill,
        preset=preset,
        features=features,
        seed=seed,
        num_threads=num_threads,
        progress=progress,
        device=device,
    )
    used = StanceDataset.concat(
        [
            d
            for name, d in (("overground", overground), ("treadmill", treadmill))
            if name in _DOMAINS[strategy] and len(d)
        ]
    )
    git = git_state()
    provenance = TrainingProvenance(
        strategy=strategy,
        seed=seed,
        participants=tuple(used.participants),
        n_stances=len(used),
        stances_path=None if folder is None else str(folder),
        stances_files=files,
        grfkit_version=__version__,
        grfkit_commit=git["commit"],
        grfkit_dirty=git["dirty"],
    )
    return TrainedModel(
        network=model.network,
        preset=model.preset,
        features=model.features,
        target=model.target,
        scaler=model.scaler,
        history=model.history,
        provenance=provenance,
    )
