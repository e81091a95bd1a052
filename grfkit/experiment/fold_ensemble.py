"""An uncertainty band from the leave-one-subject-out fold models: jackknife+ with participants as the unit.

Member ``k`` of a :class:`grfkit.experiment.fold_ensemble.FoldEnsemble` is the
experiment's fold model that never saw participant ``k``; that fold's held-out
residuals (measured - estimated, body weights, 101 points) are out-of-sample
errors of exactly that model.  :func:`grfkit.experiment.fold_ensemble.fold_ensemble`
assembles both from a results folder kept with its models (``keep_models``);
:meth:`grfkit.experiment.fold_ensemble.FoldEnsemble.estimate` gives stances the
members' mean and the jackknife+ band of Barber, Candès, Ramdas and Tibshirani
(2021; CV+ with participants as folds, :func:`grfkit.experiment.fold_ensemble.jackknife_plus_band`)
at a level recalibrated leave-one-participant-out on the experiment's own
participants (:func:`grfkit.experiment.fold_ensemble.lopo_calibration`).  No
model is trained.  Score it with :func:`grfkit.model.uncertainty.band_coverage`
against :func:`grfkit.model.features.build_targets`.
"""

from __future__ import annotations

import datetime as _dt
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grfkit import __version__
from grfkit.errors import (
    ChannelMismatchError,
    ConfigError,
    FileFormatError,
    MissingFileError,
)
from grfkit.experiment.lopo_curve import DEFAULT_LOPO_LEVELS, LopoCurve
from grfkit.experiment.store import load_results
from grfkit.io.stances import StanceDataset
from grfkit.model.features import target_channel
from grfkit.model.trained_model import TrainedModel
from grfkit.storage.atomic import atomic_directory

__all__ = [
    "DEFAULT_N_QUANTILES",
    "MANIFEST_NAME",
    "FoldBand",
    "FoldEnsemble",
    "fold_ensemble",
    "residual_quantiles",
    "jackknife_plus_band",
    "lopo_calibration",
]

#: Quantiles kept of each participant's residuals at each point (levels ``(j + 0.5) / n``).
DEFAULT_N_QUANTILES = 40
_FORMAT = "grfkit-fold-ensemble"
_VERSION = 2
_READABLE_VERSIONS = (1, 2)  # 1 predates the LOPO curve and loads without one
_RESIDUALS = "residuals.npz"
#: The manifest file that marks a fold-ensemble folder.
MANIFEST_NAME: str = "fold_ensemble.json"
#: Pooled values (stances x points x candidates) handled at once by the band's computation.
_CHUNK_VALUES = 4_000_000


def residual_quantiles(residuals_bw: np.ndarray, n_quantiles: int = DEFAULT_N_QUANTILES) -> np.ndarray:
    """Summarise one participant's residuals by a fixed grid of quantiles at every point.

    Parameters
    ----------
    residuals_bw
        Measured minus estimated force of the participant's stances, ``(n_stances, 101)``, body weights.
    n_quantiles
        Grid size ``n``: the levels are ``(j + 0.5) / n``, ``j = 0 .. n-1`` (linear interpolation),
        so every participant carries the same weight whatever its number of stances.

    Returns
    -------
    numpy.ndarray
        ``(n_quantiles, 101)``, sorted along the first axis.

    Raises
    ------
    ConfigError
        If there are no stances, a value is not finite, or ``n_quantiles < 1``.
    """
    residuals_bw = np.asarray(residuals_bw, dtype=np.float64)
    if n_quantiles < 1:
        raise ConfigError(f"n_quantiles must be at least 1, got {n_quantiles}")
    if residuals_bw.ndim != 2 or not len(residuals_bw) or not np.isfinite(residuals_bw).all():
        raise ConfigError(f"residuals must be finite, (n_stances >= 1, points), got shape {residuals_bw.shape}")
    levels = (np.arange(n_quantiles) + 0.5) / n_quantiles
    return np.quantile(residuals_bw, levels, axis=0)


def jackknife_plus_band(member_estimates_bw: np.ndarray, quantiles_bw: np.ndarray,
                        nominal: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Jackknife+ band per point from leave-one-participant-out estimates and residual quantiles.

    For a stance ``x`` and point ``t`` the band is taken from the pooled set
    ``{mu_{-k}(x)_t + r : k = 1..K, r in R_k,t}`` of ``N = K n`` values, where
    ``mu_{-k}`` is the model that never saw participant ``k`` and ``R_k,t`` the
    ``n`` residual quantiles of participant ``k`` at ``t`` (each participant
    weighted equally).  With the pooled values sorted, ``v_(1) <= .. <= v_(N)``
    and ``m = max(1, ceil(N (1 - nominal) / 2))``, the band is
    ``[v_(m), v_(N + 1 - m)]``: the ``(1 - nominal)/2`` and ``(1 + nominal)/2``
    quantiles, resolved to ``1/N`` (keep ``(1 - nominal)/2`` above it).
    Signed residuals give an asymmetric band: one one-sided jackknife+ per
    tail at ``alpha/2`` (``alpha = 1 - nominal``).

    Guarantee (Barber et al. 2021, jackknife+ and its K-fold form CV+, with
    participants as the exchangeable unit): at least ``1 - 2 alpha`` coverage
    of a point of a new participant's stance in the worst case, about
    ``1 - alpha`` for stable models.  It assumes the new participant
    exchangeable with the K (same population, same stance extraction) and it
    needs the ``(K + 1)`` finite-sample correction, omitted here because with
    few participants (``(1 + nominal)/2 > K/(K+1)``) it makes the band
    infinite.  Without it, when errors are dominated by a per-participant
    offset, coverage falls towards an order statistic of K participants,
    below nominal for small K.  Measured at nominal 0.9 on a new simulated
    cohort's plate stances: 0.74-0.77 at K = 4 (ci), 0.83 (vGRF) and 0.91
    (apGRF) at K = 8 (book).  Over every wearable step the residuals, all
    from steady plate stances, miss accelerating and slowing steps: apGRF
    0.76 (0.86 on steps with a plate-like net impulse, 0.50 on the others).
    :func:`grfkit.experiment.fold_ensemble.lopo_calibration` measures this
    shortfall on the experiment's participants, to raise the level by.

    Parameters
    ----------
    member_estimates_bw
        ``(K, n_stances, 101)``: member ``k``'s estimates in body weights.
    quantiles_bw
        ``(K, n_quantiles, 101)``: :func:`grfkit.experiment.fold_ensemble.residual_quantiles` of participant ``k``.
    nominal
        Nominal coverage in (0, 1).

    Returns
    -------
    tuple of numpy.ndarray
        ``lower_bw`` and ``upper_bw``, ``(n_stances, 101)``.

    Raises
    ------
    ConfigError
        If ``nominal`` is not in (0, 1) or the shapes disagree.
    """
    if not 0.0 < nominal < 1.0:
        raise ConfigError(f"nominal coverage must lie in (0, 1), got {nominal}")
    mu = np.asarray(member_estimates_bw, dtype=np.float64)
    quantiles_bw = np.asarray(quantiles_bw, dtype=np.float64)
    if mu.ndim != 3 or quantiles_bw.ndim != 3 or mu.shape[0] != quantiles_bw.shape[0] \
            or mu.shape[2] != quantiles_bw.shape[2]:
        raise ConfigError(f"member estimates {mu.shape} and residual quantiles {quantiles_bw.shape} must be "
                          "(K, n_stances, points) and (K, n_quantiles, points)")
    n_members, n_stances, n_points = mu.shape
    n_quantiles = quantiles_bw.shape[1]
    rank = max(1, int(np.ceil(n_members * n_quantiles * (1.0 - nominal) / 2.0 - 1e-9)))
    # The rank-th smallest (largest) pooled value is among the rank smallest (largest) of every participant.
    depth = min(rank, n_quantiles)
    # Pooled values on the last axis, in float32 (rounding about 1e-7 BW): (points, members, depth).
    by_point = quantiles_bw.astype(np.float32).transpose(2, 0, 1)
    tails = ((by_point[:, :, :depth], rank - 1), (by_point[:, :, n_quantiles - depth:], n_members * depth - rank))
    edges = [np.empty((n_stances, n_points)), np.empty((n_stances, n_points))]
    chunk = max(1, _CHUNK_VALUES // (n_members * depth * n_points))
    for start in range(0, n_stances, chunk):
        part = slice(start, start + chunk)
        estimates = mu[:, part, :].astype(np.float32).transpose(1, 2, 0)[:, :, :, None]
        for edge, (tail, kth) in zip(edges, tails):
            pooled = (estimates + tail[None]).reshape(len(estimates), n_points, n_members * depth)
            pooled.partition(kth, axis=-1)
            edge[part] = pooled[:, :, kth]
    return edges[0], edges[1]


def lopo_calibration(quantiles_bw: np.ndarray, residuals_bw: Sequence[np.ndarray],
                     levels: np.ndarray = DEFAULT_LOPO_LEVELS) -> LopoCurve:
    """Leave-one-participant-out coverage of the jackknife+ band at a grid of internal levels.

    Each participant ``k`` plays in turn the new participant: its held-out
    stances get the band of
    :func:`grfkit.experiment.fold_ensemble.jackknife_plus_band` built from
    its clean estimate ``mu_k(x)`` (fold ``k``'s model never saw ``k``) and
    the residual quantiles of the OTHER ``K - 1`` participants only, pooled
    with equal weights as the band pools them; the curve is the share of
    ``k``'s measured points (stances x 101) inside it, which only needs
    ``k``'s residuals ``measured - mu_k(x)``; they never enter ``k``'s band.
    Bands nest as the level grows: each coverage is non-decreasing in it.

    What this calibrates: the point-wise coverage, averaged over participants
    with equal weight (``coverage`` of :class:`grfkit.experiment.lopo_curve.LopoCurve`),
    of a participant exchangeable with the experiment's, on the experiment's
    kind of stances (steady plate stances); not each participant's coverage,
    and not a shift to other stances (accelerating field steps).  The band in
    use pools ``K`` participants whereas each LOPO band pools ``K - 1``, whose
    extremes lie less far out: a level chosen on this curve is slightly
    higher than ``K`` participants would need, a slight over-correction.
    The widest band spans the pooled extreme quantiles: at K = 4 (ci scale)
    even level 0.995 covers only 0.74 (vGRF) and 0.77 (apGRF) of the
    left-out points, so nominal 0.9 is capped there.  Nominal 0.9 on a new
    simulated cohort, uncalibrated -> calibrated: plate stances, ci vGRF
    0.77 -> 0.86 and apGRF 0.74 -> 0.83 (capped); book (K = 8, levels 0.979
    and 0.989) vGRF 0.83 -> 0.89 and apGRF 0.91 -> 0.98; every wearable
    step, book: vGRF 0.81 -> 0.88, apGRF 0.76 -> 0.86.

    Parameters
    ----------
    quantiles_bw
        ``(K, n_quantiles, 101)``: what enters the bands, the ensemble's
        :func:`grfkit.experiment.fold_ensemble.residual_quantiles` of each participant.
    residuals_bw
        ``K`` arrays ``(n_stances_k, 101)``: what is scored, participant
        ``k``'s held-out residuals (measured - estimated by fold ``k``), body weights.
    levels
        Internal levels, strictly increasing in (0, 1).

    Returns
    -------
    LopoCurve
        :class:`grfkit.experiment.lopo_curve.LopoCurve`, one row per participant, in the given order.

    Raises
    ------
    ConfigError
        Unless there are ``K >= 2`` participants, each with one residual
        array, all of the same number of points.
    """
    quantiles_bw = np.asarray(quantiles_bw, dtype=np.float64)
    n_members, n_points = (quantiles_bw.shape[0], quantiles_bw.shape[2]) if quantiles_bw.ndim == 3 else (0, 0)
    if n_members < 2 or len(residuals_bw) != n_members \
            or any(np.ndim(r) != 2 or np.shape(r)[1] != n_points for r in residuals_bw):
        raise ConfigError(f"LOPO calibration needs quantiles (K >= 2, n, points) and K residual arrays "
                          f"(n_stances, points), got {quantiles_bw.shape} and "
                          f"{[np.shape(r) for r in residuals_bw]}")
    levels = np.asarray(levels, dtype=np.float64)
    at_zero = np.zeros((n_members - 1, 1, n_points))
    coverage = np.empty((n_members, len(levels)))
    for k, own in enumerate(residuals_bw):
        others = np.delete(quantiles_bw, k, axis=0)
        for i, level in enumerate(levels):
            lower, upper = jackknife_plus_band(at_zero, others, float(level))
            coverage[k, i] = np.mean((own >= lower) & (own <= upper))
    return LopoCurve(levels=levels, coverage_by_participant=coverage)


@dataclass(frozen=True)
class FoldBand:
    """Ensemble mean and jackknife+ band of some stances.

    Returned by :meth:`grfkit.experiment.fold_ensemble.FoldEnsemble.estimate`.

    Parameters
    ----------
    mean_bw, lower_bw, upper_bw
        ``(n_stances, 101)`` in body weights: mean of the members, band edges.
    member_estimates_bw
        ``(K, n_stances, 101)``: every member's estimate.
    nominal
        The band's nominal coverage, as asked.
    level
        The internal level handed to :func:`grfkit.experiment.fold_ensemble.jackknife_plus_band`:
        ``nominal`` itself when uncalibrated.
    calibrated
        Whether ``level`` comes from the ensemble's LOPO curve.
    reaches_nominal
        ``False`` when calibrated and even the curve's largest level covers
        less than ``nominal`` (the level is then capped there; expect under-coverage).
    """

    mean_bw: np.ndarray
    lower_bw: np.ndarray
    upper_bw: np.ndarray
    member_estimates_bw: np.ndarray
    nominal: float
    level: float
    calibrated: bool
    reaches_nominal: bool = True


@dataclass(frozen=True, eq=False)
class FoldEnsemble:
    """The fold models of one strategy and target, with each held-out participant's residual quantiles.

    Parameters
    ----------
    strategy, target
        Which models (``target``: ``"vgrf"`` or ``"apgrf"``).
    participants
        The held-out participants, member ``k`` the model that never saw ``participants[k]``.
    members
        The fold models, in the order of ``participants``.
    quantiles_bw
        ``(K, n_quantiles, 101)``: :func:`grfkit.experiment.fold_ensemble.residual_quantiles`
        of fold ``k``'s held-out residuals.
    n_stances
        Held-out stances behind each participant's quantiles, ``(K,)``.
    provenance
        Where the members and residuals came from (results folder, its run's date, git state, config).
    calibration
        Leave-one-participant-out curve (:func:`grfkit.experiment.fold_ensemble.lopo_calibration`,
        rows in the order of ``participants``); ``None`` (saved before it existed): uncalibrated band only.
    """

    strategy: str
    target: str
    participants: tuple[str, ...]
    members: tuple[TrainedModel, ...]
    quantiles_bw: np.ndarray
    n_stances: np.ndarray
    provenance: dict
    calibration: LopoCurve | None = None

    def __post_init__(self) -> None:
        target_channel(self.target)
        k = len(self.participants)
        if k < 2 or len(self.members) != k or self.quantiles_bw.shape[0] != k or len(self.n_stances) != k:
            raise ConfigError(f"a fold ensemble needs one member and one residual set per participant (K >= 2), "
                              f"got {k} participants, {len(self.members)} members, quantiles "
                              f"{self.quantiles_bw.shape}")
        if self.calibration is not None and len(self.calibration.coverage_by_participant) != k:
            raise ConfigError(f"the LOPO curve has {len(self.calibration.coverage_by_participant)} participants, "
                              f"the ensemble {k}")
        reference = self.members[0].features.channels
        for participant, member in zip(self.participants, self.members):
            if member.target != self.target or member.features.channels != reference:
                raise ChannelMismatchError(
                    f"fold model of {participant} estimates {member.target!r} from {list(member.features.channels)}; "
                    f"the ensemble's are {self.target!r} from {list(reference)}")

    def band_level(self, nominal: float = 0.9, *, calibrated: bool = True) -> tuple[float, bool]:
        """Return the internal level of the band of nominal coverage ``nominal``.

        Calibrated: :meth:`grfkit.experiment.lopo_curve.LopoCurve.level_for`
        of ``calibration`` (the smallest level whose leave-one-participant-out
        coverage, on the experiment's participants, reaches ``nominal``; capped
        at the curve's largest level, with a ``UserWarning``).
        Uncalibrated: ``nominal`` itself.

        Parameters
        ----------
        nominal
            Wanted coverage in (0, 1).
        calibrated
            Whether to read the level off the LOPO curve.

        Returns
        -------
        tuple of (float, bool)
            The level and whether its LOPO coverage reaches ``nominal`` (always ``True`` uncalibrated).

        Raises
        ------
        ConfigError
            If ``nominal`` is not in (0, 1), or ``calibrated`` and the ensemble has no LOPO curve.
        """
        if not 0.0 < nominal < 1.0:
            raise ConfigError(f"nominal coverage must lie in (0, 1), got {nominal}")
        if not calibrated:
            return float(nominal), True
        if self.calibration is None:
            raise ConfigError(f"the fold ensemble of {self.strategy}/{self.target} has no LOPO calibration curve "
                              f"(saved before format version {_VERSION}): rebuild it with "
                              f"grfkit.experiment.fold_ensemble.fold_ensemble from its results folder "
                              f"{self.provenance.get('results_dir')!r}, or pass calibrated=False for the "
                              "uncalibrated band")
        level, reached = self.calibration.level_for(nominal)
        if not reached:
            warnings.warn(f"fold ensemble {self.strategy}/{self.target}: even level {level:.3f} covers only "
                          f"{self.calibration.coverage[-1]:.3f} of the held-out participants' points, less than "
                          f"nominal {nominal}; the band is capped there", UserWarning, stacklevel=3)
        return level, reached

    def estimate(self, dataset: StanceDataset, nominal: float = 0.9, *, calibrated: bool = True,
                 batch_size: int = 512) -> FoldBand:
        """Estimate stances with every member; return their mean and the jackknife+ band.

        By default at the internal level where bands built from ``K - 1`` of
        the experiment's participants covered ``nominal`` of the left-out
        one's plate points, averaged over participants
        (:meth:`grfkit.experiment.fold_ensemble.FoldEnsemble.band_level`;
        ``K - 1`` against ``K`` here: a slight over-correction).
        ``calibrated=False``: the plain band at ``nominal``, under-covering with few participants.

        Parameters
        ----------
        dataset
            Stances holding the members' input channels.
        nominal
            Nominal coverage of the band (see :func:`grfkit.experiment.fold_ensemble.jackknife_plus_band`).
        calibrated
            Whether to use the LOPO-calibrated level.
        batch_size
            Stances per forward pass.

        Returns
        -------
        FoldBand
            Curves in body weights, the level used and whether it reaches ``nominal``.

        Raises
        ------
        ChannelMismatchError
            If the stances lack a channel of the members.
        ConfigError
            If ``nominal`` is not in (0, 1), or ``calibrated`` and the ensemble has no LOPO curve.
        """
        level, reached = self.band_level(nominal, calibrated=calibrated)
        mu = np.stack([m.predict_bw(m.prepare_inputs(dataset), batch_size=batch_size) for m in self.members])
        lower, upper = jackknife_plus_band(mu, self.quantiles_bw, level)
        return FoldBand(mean_bw=mu.mean(axis=0), lower_bw=lower, upper_bw=upper, member_estimates_bw=mu,
                        nominal=float(nominal), level=level, calibrated=calibrated, reaches_nominal=reached)

    def save(self, folder: str | Path) -> Path:
        """Write the ensemble to a folder atomically.

        Layout: ``fold_ensemble.json`` (format, version 2, strategy, target,
        participants, quantile levels, stances per participant, whether a LOPO
        curve is stored, provenance), ``residuals.npz`` (``quantiles_bw``,
        ``n_stances`` and, with a curve, ``lopo_levels`` and
        ``lopo_coverage``) and ``members/<participant>/`` (model folders,
        :meth:`grfkit.model.trained_model.TrainedModel.write_files`).

        Parameters
        ----------
        folder
            Destination; replaced if it exists.

        Returns
        -------
        pathlib.Path
            ``folder``.
        """
        folder = Path(folder)
        n_quantiles = self.quantiles_bw.shape[1]
        manifest = {"format": _FORMAT, "version": _VERSION, "strategy": self.strategy, "target": self.target,
                    "participants": list(self.participants), "n_quantiles": n_quantiles,
                    "quantile_levels": "(j + 0.5) / n_quantiles", "n_stances": [int(n) for n in self.n_stances],
                    "lopo_calibration": self.calibration is not None,
                    "grfkit_version": __version__, "provenance": self.provenance}
        curve = {} if self.calibration is None else {"lopo_levels": self.calibration.levels,
                                                     "lopo_coverage": self.calibration.coverage_by_participant}
        with atomic_directory(folder) as tmp:
            with open(tmp / _RESIDUALS, "wb") as handle:
                np.savez(handle, quantiles_bw=self.quantiles_bw, n_stances=np.asarray(self.n_stances), **curve)
            for participant, member in zip(self.participants, self.members):
                (tmp / "members" / participant).mkdir(parents=True)
                member.write_files(tmp / "members" / participant)
            (tmp / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> FoldEnsemble:
        """Read an ensemble written by :meth:`grfkit.experiment.fold_ensemble.FoldEnsemble.save`.

        Members are read by :meth:`grfkit.model.trained_model.TrainedModel.load` (weights only, checksums checked).
        A version 1 folder (before the LOPO curve) loads with ``calibration=None``:
        its members, residuals and uncalibrated band stay valid, while a calibrated
        estimate raises :class:`grfkit.errors.ConfigError` naming the results
        folder to rebuild from, rather than silently giving a band that under-covers.

        Parameters
        ----------
        folder
            The ensemble's folder.

        Returns
        -------
        FoldEnsemble
            Equal to the one saved.

        Raises
        ------
        MissingFileError
            If a file or member folder is absent.
        FileFormatError
            If the manifest or residual file is not a fold ensemble's.
        """
        folder = Path(folder)
        for name in (MANIFEST_NAME, _RESIDUALS):
            if not (folder / name).is_file():
                raise MissingFileError("fold ensemble file is missing", path=folder / name)
        try:
            manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
            if manifest.get("format") != _FORMAT or manifest.get("version") not in _READABLE_VERSIONS:
                raise ValueError(f"format {manifest.get('format')!r} version {manifest.get('version')!r}")
            participants = tuple(str(p) for p in manifest["participants"])
            with np.load(folder / _RESIDUALS, allow_pickle=False) as data:
                quantiles_bw, n_stances = data["quantiles_bw"], data["n_stances"]
                calibration = (LopoCurve(levels=data["lopo_levels"], coverage_by_participant=data["lopo_coverage"])
                               if manifest.get("lopo_calibration") else None)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise FileFormatError(f"not a grfkit fold ensemble of versions {list(_READABLE_VERSIONS)} ({error})",
                                  path=folder) from None
        members = tuple(TrainedModel.load(folder / "members" / p) for p in participants)
        return cls(strategy=manifest["strategy"], target=manifest["target"], participants=participants,
                   members=members, quantiles_bw=quantiles_bw, n_stances=n_stances,
                   provenance=manifest.get("provenance", {}), calibration=calibration)


def fold_ensemble(results_dir: str | Path, *, strategy: str, target: str,
                  n_quantiles: int = DEFAULT_N_QUANTILES) -> FoldEnsemble:
    """Assemble the fold ensemble of one strategy and target from a results folder kept with its models.

    Member ``k`` is ``models/STRATEGY/TARGET/<participant k>/``; participant
    ``k``'s residuals are the held-out curves of that same fold
    (``curves.npz``), so each residual is out-of-sample for the model it
    belongs to.  Residuals are converted to body weights with each stance's
    weight recovered as ``RMSE_N / rmse_bw`` (``stances.csv`` stores the
    RMSE in body weights; exact up to rounding).  The same residuals give
    the leave-one-participant-out curve (:func:`grfkit.experiment.fold_ensemble.lopo_calibration`):
    the experiment's participants only, never stances the ensemble is later used on.

    Parameters
    ----------
    results_dir
        A results folder of :func:`grfkit.experiment.runner.run_experiment` with ``keep_models=True``.
    strategy, target
        Which fold models.
    n_quantiles
        Residual quantiles kept per participant and point (:func:`grfkit.experiment.fold_ensemble.residual_quantiles`).

    Returns
    -------
    FoldEnsemble
        Members in the order of the held-out participants.

    Raises
    ------
    MissingFileError
        If the folder has no ``models/`` (rerun with ``keep_models=True`` or
        ``grfkit experiment --keep-models``), no models of this strategy and
        target, a fold model without held-out curves, or held-out curves
        without their fold model; or no ``curves.npz``/``stances.csv``.
    ChannelMismatchError
        If the fold models differ in target or input channels.
    """
    results_dir = Path(results_dir)
    results = load_results(results_dir)
    models_dir = results_dir / "models"
    if not models_dir.is_dir():
        raise MissingFileError("the results keep no fold models: rerun the experiment with keep_models=True "
                               "(grfkit experiment --keep-models)", path=models_dir)
    where = models_dir / strategy / target
    subjects = sorted(p.name for p in where.iterdir() if p.is_dir()) if where.is_dir() else []
    if not subjects:
        raise MissingFileError(f"no fold models of strategy {strategy!r} and target {target!r} were kept", path=where)
    curves, table = results.curves(), results.stances
    if table.empty or "rmse_bw" not in table.columns:
        raise MissingFileError("the results have no per-stance table with rmse_bw", path=results_dir / "stances.csv")
    rows = (curves["strategy"] == strategy) & (curves["target"] == target)
    held_out = sorted(set(curves["subject"][rows].tolist()))
    for missing, kind in ((sorted(set(subjects) - set(held_out)), "a fold model without held-out curves"),
                          (sorted(set(held_out) - set(subjects)), "held-out curves without their fold model")):
        if missing:
            raise MissingFileError(f"{kind} for participants {missing} ({strategy}, {target})",
                                   path=results_dir / ("curves.npz" if kind.startswith("a fold") else "models"))
    rmse_bw = table["rmse_bw"].to_numpy(dtype=np.float64)
    residuals, counts = [], []
    for subject in subjects:
        mine = rows & (curves["subject"] == subject)
        residual_n = curves["measured_n"][mine] - curves["estimated_n"][mine]
        rmse_n = np.sqrt(np.mean(residual_n ** 2, axis=1))
        with np.errstate(divide="ignore", invalid="ignore"):
            weight_n = np.where(rmse_bw[mine] > 0, rmse_n / rmse_bw[mine], 1.0)  # a zero residual is zero in BW too
        residual_bw = residual_n / weight_n[:, None]
        keep = np.isfinite(residual_bw).all(axis=1)
        if not keep.any():
            raise MissingFileError(f"fold of {subject} ({strategy}, {target}) has no finite held-out residual",
                                   path=results_dir / "curves.npz")
        residuals.append(residual_bw[keep])
        counts.append(int(keep.sum()))
    members = tuple(TrainedModel.load(where / s) for s in subjects)
    provenance = {"results_dir": str(results_dir.resolve()), "built_utc": _now_utc(),
                  **{k: results.provenance.get(k) for k in ("date_utc", "git", "config", "code_fingerprint")}}
    quantiles = np.stack([residual_quantiles(r, n_quantiles) for r in residuals])
    return FoldEnsemble(strategy=strategy, target=target, participants=tuple(subjects), members=members,
                        quantiles_bw=quantiles, n_stances=np.asarray(counts), provenance=provenance,
                        calibration=lopo_calibration(quantiles, residuals))


def _now_utc() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
