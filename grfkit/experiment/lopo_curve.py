"""The leave-one-participant-out calibration curve of a fold ensemble's jackknife+ band.

A :class:`grfkit.experiment.lopo_curve.LopoCurve` maps the level handed to
:func:`grfkit.experiment.fold_ensemble.jackknife_plus_band` to the coverage
that level gave each of the experiment's participants when the band was built
without them (:func:`grfkit.experiment.fold_ensemble.lopo_calibration` measures
it).  :meth:`grfkit.experiment.lopo_curve.LopoCurve.level_for` inverts the
participant-averaged curve: the smallest level whose coverage reaches a
nominal one, which :meth:`grfkit.experiment.fold_ensemble.FoldEnsemble.estimate`
uses by default.  This module knows nothing of models; it only stores and
inverts the curve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grfkit.errors import ConfigError

__all__ = ["DEFAULT_LOPO_LEVELS", "LopoCurve"]

#: Levels at which the curve is measured: 0.05 to 0.995 in steps of 0.005.
DEFAULT_LOPO_LEVELS = np.round(np.arange(10, 200) * 0.005, 3)


@dataclass(frozen=True, eq=False)
class LopoCurve:
    """Coverage of each held-out participant at each internal band level.

    Parameters
    ----------
    levels
        ``(n_levels,)`` internal levels, strictly increasing in (0, 1).
    coverage_by_participant
        ``(K, n_levels)``: share of participant ``k``'s held-out points
        (stances x 101) inside the band built at each level from the other
        participants' residuals; non-decreasing along the levels.

    Raises
    ------
    ConfigError
        If the shapes disagree, the levels are not increasing in (0, 1) or a
        coverage is outside [0, 1].
    """

    levels: np.ndarray
    coverage_by_participant: np.ndarray

    def __post_init__(self) -> None:
        levels = np.asarray(self.levels, dtype=np.float64)
        coverage = np.asarray(self.coverage_by_participant, dtype=np.float64)
        if levels.ndim != 1 or not len(levels) or coverage.ndim != 2 or coverage.shape[1] != len(levels):
            raise ConfigError(f"a LOPO curve needs levels (n_levels,) and coverage (K, n_levels), got "
                              f"{levels.shape} and {coverage.shape}")
        if not (np.all(np.diff(levels) > 0) and levels[0] > 0.0 and levels[-1] < 1.0):
            raise ConfigError(f"LOPO levels must increase strictly inside (0, 1), got {levels.tolist()}")
        if not (np.isfinite(coverage).all() and coverage.min() >= 0.0 and coverage.max() <= 1.0):
            raise ConfigError("LOPO coverages must lie in [0, 1]")
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "coverage_by_participant", coverage)

    @property
    def coverage(self) -> np.ndarray:
        """``(n_levels,)``: coverage at each level, the mean over participants (each weighted equally)."""
        return self.coverage_by_participant.mean(axis=0)

    def level_for(self, nominal: float) -> tuple[float, bool]:
        """Return the smallest internal level whose participant-averaged coverage reaches ``nominal``.

        Linear interpolation between the two grid levels around ``nominal``
        (below the first grid level, between level 0 with coverage 0 and the
        first).  When even the largest grid level covers less than
        ``nominal``, the largest grid level is returned, capped.

        Parameters
        ----------
        nominal
            Wanted coverage in (0, 1).

        Returns
        -------
        tuple of (float, bool)
            The internal level, and whether its LOPO coverage reaches
            ``nominal`` (``False`` when capped).

        Raises
        ------
        ConfigError
            If ``nominal`` is not in (0, 1).
        """
        if not 0.0 < nominal < 1.0:
            raise ConfigError(f"nominal coverage must lie in (0, 1), got {nominal}")
        levels = np.concatenate([[0.0], self.levels])
        coverage = np.concatenate([[0.0], np.maximum.accumulate(self.coverage)])
        reached = np.flatnonzero(coverage >= nominal)
        if not len(reached):
            return float(self.levels[-1]), False
        i = int(reached[0])
        share = (nominal - coverage[i - 1]) / (coverage[i] - coverage[i - 1])
        return float(levels[i - 1] + share * (levels[i] - levels[i - 1])), True
