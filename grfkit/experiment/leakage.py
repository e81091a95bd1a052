"""The leakage guard: does a held-out participant reach anything that is fitted?

:func:`leakage_check` runs one leave-one-subject-out fold
(:func:`grfkit.experiment.evaluation.run_fold`) twice, on the real stances
and after :func:`grfkit.experiment.strategies.exaggerate_participant` made
the held-out participant absurd; if nothing fitted depends on that
participant, the two fits are bit-identical
(:func:`grfkit.experiment.strategies.identical_fit`).  :func:`leakage_guard`
checks several strategies and tabulates the result (the book's chapter 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from grfkit.experiment.evaluation import FoldResult, run_fold
from grfkit.experiment.strategies import exaggerate_participant, identical_fit
from grfkit.io.stances import StanceDataset

__all__ = ["LeakageCheck", "leakage_check", "leakage_guard"]


@dataclass(frozen=True)
class LeakageCheck:
    """One fold run on the real stances and on the exaggerated held-out participant.

    Parameters
    ----------
    normal
        The fold on the real stances.
    extreme
        The same fold after the held-out participant was made absurd.
    """

    normal: FoldResult
    extreme: FoldResult

    @property
    def identical_fit(self) -> bool:
        """Whether the two fitted models (or baselines) are bit-identical."""
        return identical_fit(self.normal.model, self.extreme.model)


def leakage_check(
    strategy: str,
    overground: StanceDataset,
    held_out: str,
    *,
    factor: float = 1000.0,
    target_factor: float = 1000.0,
    mass_factor: float = 3.0,
    exaggerated: str | None = None,
    **fold: Any,
) -> LeakageCheck:
    """Run one fold on the real and on the exaggerated held-out participant.

    Parameters
    ----------
    strategy
        One of :data:`grfkit.experiment.strategies.ALL_STRATEGIES`.
    overground
        All overground stances, the held-out participant included.
    held_out
        The overground participant to hold out and exaggerate.
    factor, target_factor, mass_factor
        Multipliers of the participant's inputs, measured forces and body
        mass (:func:`grfkit.experiment.strategies.exaggerate_participant`).
    exaggerated
        The participant made absurd; default ``held_out``.  Any other
        participant is in the training set, and its change must reach the
        fit: a check that the guard has teeth.
    **fold
        Keyword arguments of :func:`grfkit.experiment.evaluation.run_fold`
        (``target`` at least).

    Returns
    -------
    LeakageCheck
        Both folds.
    """
    extreme = exaggerate_participant(
        overground, held_out if exaggerated is None else exaggerated, factor,
        target_factor=target_factor, mass_factor=mass_factor,
    )
    return LeakageCheck(
        normal=run_fold(strategy, overground, held_out, **fold),
        extreme=run_fold(strategy, extreme, held_out, **fold),
    )


def leakage_guard(
    strategies: Sequence[str],
    overground: StanceDataset,
    held_out: str,
    *,
    factor: float = 1000.0,
    target_factor: float = 1000.0,
    mass_factor: float = 3.0,
    exaggerated: str | None = None,
    **fold: Any,
) -> pd.DataFrame:
    """The leakage check of several strategies, one row each.

    Parameters
    ----------
    strategies
        Strategies and baselines to check.
    overground, held_out, factor, target_factor, mass_factor, exaggerated, **fold
        As for :func:`leakage_check`.

    Returns
    -------
    pandas.DataFrame
        Indexed by strategy (index name ``"held out: <participant>"``):
        ``identical fit``, ``passes (real/absurd)`` (the fine-tuning passes
        transfer learning chose, ``""`` for other strategies), ``rRMSE real
        (%)`` and ``rRMSE absurd (%)`` (the held-out participant's mean
        rRMSE, rounded to 0.01 %).
    """
    rows = {}
    for strategy in strategies:
        check = leakage_check(strategy, overground, held_out, factor=factor,
                              target_factor=target_factor, mass_factor=mass_factor,
                              exaggerated=exaggerated, **fold)
        normal, extreme = check.normal, check.extreme
        rows[strategy] = {
            "identical fit": check.identical_fit,
            "passes (real/absurd)": (
                "" if normal.fine_tune_epochs is None
                else f"{normal.fine_tune_epochs} / {extreme.fine_tune_epochs}"
            ),
            "rRMSE real (%)": normal.stances.rrmse_pct.mean().round(2),
            "rRMSE absurd (%)": extreme.stances.rrmse_pct.mean().round(2),
        }
    return pd.DataFrame(rows).T.rename_axis(f"held out: {held_out}")
