"""A deep ensemble of trained models with a calibrated uncertainty band and out-of-distribution flags.

:class:`ModelEnsemble` holds models of one target and channel set trained
with different seeds, by default in K groups that each left one group of
participants out (:func:`grfkit.experiment.ensemble_training.train_ensemble`),
the band scales calibrated on held-out participants
(:mod:`grfkit.model.uncertainty`) and the ranges of its training stances
(:class:`grfkit.model.ood.TrainingRanges`).  :meth:`ModelEnsemble.estimate`
gives mean, spread and band; :meth:`ModelEnsemble.ood_flags` flags unseen stances.  On disk::

    ensemble/
      ensemble.json   target, channels and units, band calibration, training
                      ranges, provenance, each member's model.json SHA-256
      members/00/     one model folder per member (grfkit.model.trained_model)
      members/01/ ...
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from grfkit import __version__
from grfkit.errors import (
    ChannelMismatchError,
    ChecksumError,
    ConfigError,
    FileFormatError,
    MissingFileError,
)
from grfkit.io.stances import StanceDataset
from grfkit.model.artifact import channel_units, check_dataset_channels
from grfkit.model.features import FeatureSet, build_inputs, build_targets
from grfkit.model.inference import InferenceModel
from grfkit.model.ood import TrainingRanges
from grfkit.model.trained_model import TrainedModel
from grfkit.model.training import torch_threads
from grfkit.model.uncertainty import (
    CALIBRATION_LEVELS,
    DEFAULT_EPS_BW,
    band_coverage,
    ensemble_band,
    width_error_correlation,
)
from grfkit.storage.atomic import atomic_directory
from grfkit.storage.cache import sha256_file

__all__ = ["MANIFEST_NAME", "EnsembleEstimate", "ModelEnsemble", "band_calibration_report", "band_stance_table"]

_FORMAT = "grfkit-ensemble"
_VERSION = 1
#: The manifest file that marks an ensemble folder.
MANIFEST_NAME: str = "ensemble.json"


@dataclass(frozen=True)
class EnsembleEstimate:
    """The ensemble's estimate of some stances, in body weights.

    Parameters
    ----------
    mean_bw, spread_bw
        Members' mean and standard deviation (``ddof=1``; with member
        groups, the mean over groups of the SD within each), ``(n, 101)``.
    lower_bw, upper_bw
        The band at level :attr:`nominal`, ``(n, 101)``.
    nominal
        Nominal coverage of the band.
    band_scale
        The calibrated scale ``q`` used (:func:`grfkit.model.uncertainty.ensemble_band`).
    """

    mean_bw: np.ndarray
    spread_bw: np.ndarray
    lower_bw: np.ndarray
    upper_bw: np.ndarray
    nominal: float
    band_scale: float


@dataclass(eq=False)
class ModelEnsemble:
    """M trained models of one target and channel set, with a calibrated band.

    Parameters
    ----------
    members
        At least two :class:`~grfkit.model.trained_model.TrainedModel`, same
        target, channels, static channels and units.
    band_scales
        Calibrated scale at each of ``levels`` (non-decreasing).
    ranges
        What the training stances covered.
    levels
        Nominal levels of ``band_scales``.
    eps_bw
        Floor added to the spread before scaling (body weights).
    calibration
        Description of the calibration (groups, participants, scores), JSON-ready.
    provenance
        The ensemble's training provenance, JSON-ready.
    member_groups
        Calibration group of each member, when the members are the
        cross-calibration models (each group's members never saw that group's
        participants); the spread is then the mean over groups of the
        standard deviation within each group, as in the calibration.  Empty:
        one group.

    Raises
    ------
    ConfigError
        With fewer than two members, members of different targets, or scales
        that do not fit the levels.
    ChannelMismatchError
        If members differ in input channels, static channels or units (naming
        the member and the difference).
    """

    members: tuple[TrainedModel, ...]
    band_scales: tuple[float, ...]
    ranges: TrainingRanges
    levels: tuple[float, ...] = CALIBRATION_LEVELS
    eps_bw: float = DEFAULT_EPS_BW
    calibration: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    member_groups: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        self.members = tuple(self.members)
        self.band_scales = tuple(float(q) for q in self.band_scales)
        self.levels = tuple(float(a) for a in self.levels)
        if len(self.members) < 2:
            raise ConfigError(f"an ensemble needs at least two members, got {len(self.members)}")
        first = self.members[0]
        for k, member in enumerate(self.members[1:], start=1):
            if member.target != first.target:
                raise ConfigError(f"ensemble member {k:02d} estimates {member.target!r}, member 00 {first.target!r}")
            _check_same_channels(first, member, k)
        self.member_groups = tuple(int(g) for g in self.member_groups)
        sizes = np.unique(self.member_groups, return_counts=True)[1] if self.member_groups else [len(self.members)]
        if self.member_groups and (len(self.member_groups) != len(self.members) or min(sizes) < 2):
            raise ConfigError(f"member_groups must give each of the {len(self.members)} members a group of at "
                              f"least two members, got {list(self.member_groups)}")
        if len(self.band_scales) != len(self.levels) or np.any(np.diff(self.band_scales) < 0):
            raise ConfigError(f"need one non-decreasing band scale per level ({len(self.levels)}), got "
                              f"{len(self.band_scales)}")
        self._fast = tuple(InferenceModel.from_trained(m) for m in self.members)

    @property
    def target(self) -> str:
        """``"vgrf"`` or ``"apgrf"``."""
        return self.members[0].target

    @property
    def features(self) -> FeatureSet:
        """The members' :class:`~grfkit.model.features.FeatureSet`."""
        return self.members[0].features

    def band_scale(self, nominal: float = 0.9) -> float:
        """Return the calibrated scale ``q`` at a nominal level (linear between calibrated levels).

        Raises
        ------
        ConfigError
            If ``nominal`` lies outside the calibrated levels.
        """
        if not self.levels[0] <= nominal <= self.levels[-1]:
            raise ConfigError(f"the band is calibrated for nominal levels {self.levels[0]}-{self.levels[-1]}, "
                              f"not {nominal}")
        return float(np.interp(nominal, self.levels, self.band_scales))

    def estimate(self, dataset: StanceDataset, nominal: float = 0.9, *,
                 num_threads: int | None = 1) -> EnsembleEstimate:
        """Estimate force curves with their band.

        Parameters
        ----------
        dataset
            Stances holding every channel of :attr:`features`.
        nominal
            Nominal coverage of the band.
        num_threads
            Torch threads (:func:`grfkit.model.training.torch_threads`); ``None``
            leaves torch's setting unchanged.

        Returns
        -------
        EnsembleEstimate

        Raises
        ------
        ChannelMismatchError
            If the data set lacks a channel or holds it in another unit.
        ConfigError
            If ``nominal`` lies outside the calibrated levels.
        """
        scale = self.band_scale(nominal)
        check_dataset_channels(self.features, dataset)
        inputs = build_inputs(dataset, self.features)
        with torch_threads(num_threads):
            estimates = np.stack([fast.estimate_bw(inputs) for fast in self._fast]) if len(dataset) else \
                np.zeros((len(self.members), 0, inputs.shape[1]))
        mean_bw, spread_bw = estimates.mean(axis=0), self._spread(estimates)
        lower_bw, upper_bw = ensemble_band(mean_bw, spread_bw, scale, self.eps_bw)
        return EnsembleEstimate(mean_bw=mean_bw, spread_bw=spread_bw, lower_bw=lower_bw, upper_bw=upper_bw,
                                nominal=float(nominal), band_scale=scale)

    def _spread(self, estimates: np.ndarray) -> np.ndarray:
        """Members' SD (``ddof=1``), averaged over groups when :attr:`member_groups` is set."""
        if not self.member_groups:
            return estimates.std(axis=0, ddof=1)
        groups = np.asarray(self.member_groups)
        return np.mean([estimates[groups == g].std(axis=0, ddof=1) for g in np.unique(groups)], axis=0)

    def ood_flags(self, dataset: StanceDataset) -> pd.DataFrame:
        """Flag stances outside the training distribution (:meth:`grfkit.model.ood.TrainingRanges.ood_flags`)."""
        return self.ranges.ood_flags(dataset)

    def config(self) -> dict:
        """Return the JSON-ready content of ``ensemble.json`` (without member checksums)."""
        return {
            "format": _FORMAT,
            "version": _VERSION,
            "target": self.target,
            "features": self.features.to_dict(),
            "channel_units": channel_units(self.features.channels),
            "n_members": len(self.members),
            "member_groups": list(self.member_groups),
            "band": {"levels": list(self.levels), "band_scales": list(self.band_scales), "eps_bw": self.eps_bw,
                     "formula": "mean ± q(nominal) * (spread + eps_bw), spread = members' SD (ddof=1), "
                                "averaged over member groups"},
            "calibration": self.calibration,
            "training_ranges": self.ranges.to_dict(),
            "provenance": self.provenance,
            "grfkit_version": __version__,
        }

    def save(self, folder: str | Path) -> Path:
        """Write the ensemble to ``folder`` atomically (replaced if it exists).

        Returns
        -------
        pathlib.Path
            ``folder``.
        """
        folder = Path(folder)
        with atomic_directory(folder) as tmp:
            self.write_files(tmp)
        return folder

    def write_files(self, folder: str | Path) -> None:
        """Write ``ensemble.json`` and ``members/NN/`` into an existing (empty) folder, not atomically."""
        folder = Path(folder)
        checksums = {}
        for k, member in enumerate(self.members):
            name = f"members/{k:02d}"
            (folder / name).mkdir(parents=True)
            member.write_files(folder / name)
            checksums[name] = sha256_file(folder / name / "model.json")
        config = {**self.config(), "members": checksums}
        (folder / MANIFEST_NAME).write_text(json.dumps(config, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path) -> ModelEnsemble:
        """Read an ensemble written by :meth:`save`.

        Every member loads as :meth:`grfkit.model.trained_model.TrainedModel.load`
        does (checksums, ``weights_only``), and its ``model.json`` must be the
        one the manifest lists.

        Raises
        ------
        MissingFileError
            If ``ensemble.json`` or a member folder is missing.
        ConfigError
            If ``ensemble.json`` is not a grfkit ensemble of this version, or
            members estimate different targets.
        FileFormatError
            If it is not valid JSON or lacks a field.
        ChecksumError
            If a member's ``model.json`` is not the one saved with the manifest.
        ChannelMismatchError
            If members, or members and manifest, differ in channels or units.
        """
        folder = Path(folder)
        path = folder / MANIFEST_NAME
        if not path.is_file():
            raise MissingFileError("ensemble manifest is missing (not a grfkit ensemble folder?)", path=path)
        try:
            config = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise FileFormatError(f"ensemble.json is not valid JSON ({error})", path=path) from None
        if not isinstance(config, dict) or (config.get("format"), config.get("version")) != (_FORMAT, _VERSION):
            raise ConfigError(f"{path} is not a grfkit ensemble of version {_VERSION}")
        try:
            members = []
            for name, digest in config["members"].items():
                if not (folder / name / "model.json").is_file():
                    raise MissingFileError("ensemble member folder is missing", path=folder / name)
                if sha256_file(folder / name / "model.json") != digest:
                    raise ChecksumError("member model.json is not the one saved with ensemble.json",
                                        path=folder / name / "model.json")
                members.append(TrainedModel.load(folder / name))
            band = config["band"]
            ranges = TrainingRanges.from_dict(config["training_ranges"])
            listed = (config["target"], tuple(config["features"]["channels"]), config["channel_units"])
        except (KeyError, TypeError, AttributeError) as error:
            raise FileFormatError(f"ensemble.json lacks or mangles a field ({type(error).__name__}: {error})",
                                  path=path) from None
        ensemble = cls(members=tuple(members), band_scales=tuple(band["band_scales"]), ranges=ranges,
                       levels=tuple(band["levels"]), eps_bw=float(band["eps_bw"]),
                       calibration=config.get("calibration", {}), provenance=config.get("provenance", {}),
                       member_groups=tuple(config.get("member_groups", ())))
        found = (ensemble.target, ensemble.features.channels, channel_units(ensemble.features.channels))
        if found != listed:
            raise ChannelMismatchError(f"ensemble.json lists target {listed[0]!r} and channels {list(listed[1])}, "
                                       f"its members estimate {found[0]!r} from {list(found[1])}")
        return ensemble


def _check_same_channels(first: TrainedModel, member: TrainedModel, k: int) -> None:
    a, b = first.features, member.features
    differences = []
    if a.channels != b.channels:
        differences.append(f"channels only in member 00: {[c for c in a.channels if c not in b.channels]}, only in "
                           f"member {k:02d}: {[c for c in b.channels if c not in a.channels]}"
                           + ("" if set(a.channels) != set(b.channels) else " (same channels, other order)"))
    if a.static != b.static:
        differences.append(f"static channels {list(a.static)} vs {list(b.static)}")
    if differences:
        raise ChannelMismatchError(f"ensemble member {k:02d} does not share member 00's inputs: "
                                   + "; ".join(differences))


def band_stance_table(ensemble: ModelEnsemble, dataset: StanceDataset, nominal: float = 0.9) -> pd.DataFrame:
    """One row per stance: band width, coverage and error of the ensemble against the measured force.

    Parameters
    ----------
    ensemble
        The ensemble to score.
    dataset
        Stances with the ensemble's target measured (participants it never saw).
    nominal
        Nominal coverage of the band.

    Returns
    -------
    pandas.DataFrame
        ``participant``, ``target``, ``band_width_bw`` (mean width),
        ``coverage`` (share of points inside), ``rmse_bw`` and the
        out-of-distribution columns of :meth:`ModelEnsemble.ood_flags`; it
        feeds :func:`grfkit.plots.field.band_width_figure`.
    """
    estimate = ensemble.estimate(dataset, nominal)
    measured_bw = build_targets(dataset, ensemble.target).astype(np.float64)
    table = pd.DataFrame({
        "participant": dataset.meta["participant"].astype(str).to_numpy(),
        "target": ensemble.target,
        "band_width_bw": (estimate.upper_bw - estimate.lower_bw).mean(axis=1),
        "coverage": band_coverage(measured_bw, estimate.lower_bw, estimate.upper_bw).per_stance,
        "rmse_bw": np.sqrt(np.mean((measured_bw - estimate.mean_bw) ** 2, axis=1)),
    }, index=dataset.meta.index)
    return pd.concat([table, ensemble.ood_flags(dataset)], axis=1)


def band_calibration_report(ensemble: ModelEnsemble, dataset: StanceDataset,
                            nominals: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95)) -> pd.DataFrame:
    """How well the band holds the measured force of held-out stances, one row per nominal level.

    Parameters
    ----------
    ensemble
        The ensemble to score.
    dataset
        Stances of participants the ensemble never saw, with the target measured.
    nominals
        Nominal levels to score.

    Returns
    -------
    pandas.DataFrame
        ``target``, ``nominal``, ``band_scale``, ``coverage`` (share of all
        points inside), ``coverage_min_participant`` and
        ``coverage_max_participant`` (per participant), ``mean_width_bw``,
        ``rmse_bw`` (all points), ``width_error_spearman``
        (:func:`grfkit.model.uncertainty.width_error_correlation`),
        ``n_stances``, ``n_participants`` and ``ood_share``.
    """
    measured_bw = build_targets(dataset, ensemble.target).astype(np.float64)
    participants = dataset.meta["participant"].astype(str).to_numpy()
    ood_share = float(ensemble.ood_flags(dataset)["ood"].mean()) if len(dataset) else float("nan")
    rows = []
    for nominal in nominals:
        e = ensemble.estimate(dataset, nominal)
        inside = (measured_bw >= e.lower_bw) & (measured_bw <= e.upper_bw)
        per_participant = pd.Series(inside.mean(axis=1)).groupby(participants).mean()
        rows.append({
            "target": ensemble.target, "nominal": nominal, "band_scale": e.band_scale,
            "coverage": float(inside.mean()),
            "coverage_min_participant": float(per_participant.min()),
            "coverage_max_participant": float(per_participant.max()),
            "mean_width_bw": float((e.upper_bw - e.lower_bw).mean()),
            "rmse_bw": float(np.sqrt(np.mean((measured_bw - e.mean_bw) ** 2))),
            "width_error_spearman": width_error_correlation(measured_bw, e.mean_bw, e.lower_bw, e.upper_bw),
            "n_stances": len(dataset), "n_participants": len(set(participants)), "ood_share": ood_share,
        })
    return pd.DataFrame(rows)
