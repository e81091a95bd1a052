"""The record of one training phase: losses per step and per epoch, and its settings.

:class:`TrainingHistory` is what :func:`grfkit.model.training.fit` and
:func:`~grfkit.model.training.fine_tune` return inside a trained model, what
``model.json`` stores, and what the training-curve figure draws
(:meth:`TrainingHistory.to_frame`).  Losses are mean squared errors in body
weights squared (BW²).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = ["TrainingHistory"]


@dataclass(frozen=True)
class TrainingHistory:
    """Losses of one training phase (training from scratch or fine-tuning).

    Losses are mean squared errors in body weights squared (BW²).

    Parameters
    ----------
    phase
        ``"fit"`` or ``"fine_tune"``.
    step_loss
        Training loss of every optimiser step (dropout active).
    epoch_loss
        Mean of the step losses of each epoch.
    validation_loss
        Loss on the validation participants after each epoch (evaluation
        mode); empty when there were none.
    n_stances
        Training stances.
    participants
        Training participants.
    validation_participants
        Participants held out of training to draw the validation curve.
    learning_rate, batch_size, epochs, trainable, seed
        Settings of the phase.
    wall_time_s
        Training time (informational; not part of any reproducibility check).
    """

    phase: str
    step_loss: tuple[float, ...]
    epoch_loss: tuple[float, ...]
    validation_loss: tuple[float, ...]
    n_stances: int
    participants: tuple[str, ...]
    validation_participants: tuple[str, ...]
    learning_rate: float
    batch_size: int
    epochs: int
    trainable: str
    seed: int
    wall_time_s: float

    @property
    def stances_per_s(self) -> float:
        """Training throughput: stances processed per second of training."""
        return self.n_stances * self.epochs / self.wall_time_s if self.wall_time_s > 0 else float("nan")

    def best_epoch(self) -> int:
        """The epoch (counted from 1) after which the validation loss was lowest.

        Raises
        ------
        ValueError
            If the phase had no validation participants.
        """
        if not self.validation_loss:
            raise ValueError(f"the {self.phase} phase has no validation loss")
        return int(np.argmin(self.validation_loss)) + 1

    def overfits(self) -> bool:
        """Whether the validation loss stopped falling while the training loss kept going down.

        True when the validation loss is lowest before the last epoch and the
        training loss of the last epoch is below the training loss of that
        best epoch; False with fewer than two epochs of validation loss.

        Raises
        ------
        ValueError
            If the phase had no validation participants.
        """
        best = self.best_epoch()
        return best < len(self.validation_loss) and self.epoch_loss[-1] < self.epoch_loss[best - 1]

    def to_frame(self) -> pd.DataFrame:
        """Return one row per epoch: ``phase``, ``epoch``, ``train_loss``, ``validation_loss`` (BW², NaN if none)."""
        n = len(self.epoch_loss)
        validation = list(self.validation_loss) if self.validation_loss else [np.nan] * n
        return pd.DataFrame(
            {
                "phase": [self.phase] * n,
                "epoch": np.arange(1, n + 1),
                "train_loss": list(self.epoch_loss),
                "validation_loss": validation,
            }
        )

    def to_dict(self) -> dict:
        """Return a JSON-ready dictionary (inverse of :meth:`from_dict`)."""
        data = asdict(self)
        for key in ("step_loss", "epoch_loss", "validation_loss", "participants", "validation_participants"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TrainingHistory:
        """Rebuild a history from :meth:`to_dict` output.

        Parameters
        ----------
        data
            Dictionary with every field.
        """
        tuples = ("step_loss", "epoch_loss", "validation_loss", "participants", "validation_participants")
        return cls(**{k: tuple(v) if k in tuples else v for k, v in data.items()})
