"""Model presets: the network's size and its training settings, by name.

:class:`ModelPreset` holds one configuration (LSTM units, dense layers,
dropout, Adam learning rate, batch size, epochs, minimum optimiser steps and
the fine-tuning settings); :data:`PRESETS` names the built-in ones
(``"paper"``, ``"fast"``, ``"ci"``) and :func:`get_preset` looks one up.
The ``"paper"`` preset is the network and optimiser of the code published
with Carter et al. (2024, PeerJ 12:e17896), not its whole pipeline; chapter 3
of the book compares the presets.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from types import MappingProxyType

import numpy as np

from grfkit.errors import ConfigError

__all__ = ["ModelPreset", "PRESETS", "get_preset"]


@dataclass(frozen=True)
class ModelPreset:
    """Architecture and training hyper-parameters of one model configuration.

    Parameters
    ----------
    name
        Registry name.
    hidden_size
        LSTM units per direction.
    lstm_layers
        Stacked bidirectional LSTM layers.
    dense_sizes
        Widths of the hidden dense layers applied at every time step, after
        the LSTM (whose output is ``2 * hidden_size`` wide) and before the
        final 1-unit output layer.
    input_dropout
        Dropout probability on the inputs.
    dropout
        Dropout probability after the LSTM, between stacked LSTM layers and
        after each hidden dense layer.
    learning_rate
        Adam learning rate when training from scratch.
    batch_size
        Stances per optimiser step.
    epochs
        Passes over the training stances when training from scratch.
    min_steps
        Minimum number of optimiser steps: a small training set gets more
        passes than ``epochs`` (``ceil(min_steps / batches per epoch)``) so
        that training from scratch on, say, 14 overground participants still
        converges.  0 keeps ``epochs`` exactly.  Applies to fine-tuning too
        unless its epochs are given explicitly.
    grad_clip_norm
        Maximum total gradient norm per step.
    fine_tune_epochs
        Default passes over the data when fine-tuning.
    fine_tune_lr_factor
        Default fine-tuning learning rate as a fraction of ``learning_rate``.
    fine_tune_trainable
        Layers the transfer strategy fine-tunes: ``"all"``, ``"head"``
        (the dense layers only, the LSTM frozen) or ``"output"`` (the final
        linear layer only); see :data:`grfkit.model.training.TRAINABLE`.
    fine_tune_inner_folds
        ``k >= 2``: the transfer strategy chooses how many passes to
        fine-tune for by ``k``-fold cross-validation over the *training*
        participants (:func:`grfkit.model.training.choose_fine_tune_epochs`);
        ``0``: always ``fine_tune_epochs`` passes (at least ``min_steps``
        steps).

    Raises
    ------
    ConfigError
        If a value is out of range.
    """

    name: str
    hidden_size: int
    lstm_layers: int
    dense_sizes: tuple[int, ...]
    input_dropout: float
    dropout: float
    learning_rate: float
    batch_size: int
    epochs: int
    min_steps: int
    grad_clip_norm: float
    fine_tune_epochs: int
    fine_tune_lr_factor: float
    fine_tune_trainable: str = "all"
    fine_tune_inner_folds: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "dense_sizes", tuple(int(d) for d in self.dense_sizes))
        positive_ints = {
            "hidden_size": self.hidden_size,
            "lstm_layers": self.lstm_layers,
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "fine_tune_epochs": self.fine_tune_epochs,
        }
        for key, value in positive_ints.items():
            if int(value) != value or value < 1:
                raise ConfigError(f"preset {self.name!r}: {key} must be a positive integer, got {value!r}")
        if int(self.min_steps) != self.min_steps or self.min_steps < 0:
            raise ConfigError(f"preset {self.name!r}: min_steps must be a non-negative integer, got {self.min_steps!r}")
        if any(d < 1 for d in self.dense_sizes):
            raise ConfigError(f"preset {self.name!r}: dense_sizes must be positive, got {self.dense_sizes}")
        for key in ("input_dropout", "dropout"):
            value = getattr(self, key)
            if not 0.0 <= value < 1.0:
                raise ConfigError(f"preset {self.name!r}: {key} must be in [0, 1), got {value!r}")
        if self.fine_tune_trainable not in ("all", "head", "output"):
            raise ConfigError(f"preset {self.name!r}: fine_tune_trainable must be 'all', 'head' or 'output', "
                              f"got {self.fine_tune_trainable!r}")
        folds = self.fine_tune_inner_folds
        if int(folds) != folds or folds == 1 or folds < 0:
            raise ConfigError(f"preset {self.name!r}: fine_tune_inner_folds must be 0 or at least 2, "
                              f"got {self.fine_tune_inner_folds!r}")
        for key in ("learning_rate", "grad_clip_norm", "fine_tune_lr_factor"):
            value = getattr(self, key)
            if not (np.isfinite(value) and value > 0):
                raise ConfigError(f"preset {self.name!r}: {key} must be positive, got {value!r}")

    def to_dict(self) -> dict:
        """Return a JSON-ready dictionary (inverse of :meth:`from_dict`)."""
        data = asdict(self)
        data["dense_sizes"] = list(self.dense_sizes)
        return data

    def training_dict(self) -> dict:
        """:meth:`to_dict` without the name and the ``fine_tune_*`` fields: what training from scratch depends on.

        Two presets with equal training dictionaries train the same model from
        scratch, so a treadmill pre-trained model serves both (the fine-tuning
        variants of :mod:`grfkit.experiment.sweeps` share one).

        Examples
        --------
        >>> from dataclasses import replace
        >>> fast = get_preset("fast")
        >>> fast.training_dict() == replace(fast, name="fast-head", fine_tune_trainable="head").training_dict()
        True
        """
        return {k: v for k, v in self.to_dict().items() if k != "name" and not k.startswith("fine_tune_")}

    @classmethod
    def from_dict(cls, data: dict) -> ModelPreset:
        """Rebuild a preset from :meth:`to_dict` output.

        Parameters
        ----------
        data
            Dictionary with every field of the preset.

        Raises
        ------
        ConfigError
            If a field is missing or unknown.
        """
        names = set(cls.__dataclass_fields__)
        if set(data) != names:
            raise ConfigError(
                f"preset fields differ: missing {sorted(names - set(data))}, unknown {sorted(set(data) - names)}"
            )
        return cls(**{**data, "dense_sizes": tuple(data["dense_sizes"])})


#: Named presets.  ``"paper"``: the published network and optimiser (512 LSTM
#: units per direction, dense 1024 -> 64 -> 32 -> 1, dropout 0.2, Adam 5e-4,
#: batch 8, one epoch).  ``"fast"``: the same architecture shrunk and trained
#: differently -- 32 LSTM units per direction, dense 64 -> 32 -> 16 -> 1,
#: dropout 0.1, Adam 2e-3, batch 32, 2 epochs but at least 300 steps (the
#: large treadmill set gets 2 passes, a few hundred overground stances get as
#: many passes as 300 steps take).  ``"ci"``: a smoke-test configuration for
#: the ``ci`` data scale (8 LSTM units, dense 16 -> 8 -> 1, 1 epoch but at
#: least 20 steps); its accuracy is not meant to mean anything.  All fine-tune
#: every layer at half the learning rate; ``"fast"`` and ``"ci"`` choose the
#: number of fine-tuning passes by 3- and 2-fold cross-validation over the
#: training participants (up to as many as training from scratch would
#: take), ``"paper"`` fine-tunes for one pass.
PRESETS: MappingProxyType[str, ModelPreset] = MappingProxyType(
    {
        "paper": ModelPreset(
            name="paper",
            hidden_size=512,
            lstm_layers=1,
            dense_sizes=(64, 32),
            input_dropout=0.2,
            dropout=0.2,
            learning_rate=5e-4,
            batch_size=8,
            epochs=1,
            min_steps=0,
            grad_clip_norm=1.0,
            fine_tune_epochs=1,
            fine_tune_lr_factor=0.5,
        ),
        "fast": ModelPreset(
            name="fast",
            hidden_size=32,
            lstm_layers=1,
            dense_sizes=(32, 16),
            input_dropout=0.1,
            dropout=0.1,
            learning_rate=2e-3,
            batch_size=32,
            epochs=2,
            min_steps=300,
            grad_clip_norm=1.0,
            fine_tune_epochs=2,
            fine_tune_lr_factor=0.5,
            fine_tune_inner_folds=3,
        ),
        "ci": ModelPreset(
            name="ci",
            hidden_size=8,
            lstm_layers=1,
            dense_sizes=(16, 8),
            input_dropout=0.1,
            dropout=0.1,
            learning_rate=5e-3,
            batch_size=32,
            epochs=1,
            min_steps=20,
            grad_clip_norm=1.0,
            fine_tune_epochs=1,
            fine_tune_lr_factor=0.5,
            fine_tune_inner_folds=2,
        ),
    }
)


def get_preset(preset: str | ModelPreset) -> ModelPreset:
    """Return a preset by name (a :class:`ModelPreset` is returned as is).

    Parameters
    ----------
    preset
        Name in :data:`PRESETS` or a preset object.

    Raises
    ------
    ConfigError
        If the name is unknown.

    Examples
    --------
    >>> get_preset("paper").hidden_size
    512
    """
    if isinstance(preset, ModelPreset):
        return preset
    try:
        return PRESETS[preset]
    except KeyError:
        raise ConfigError(f"unknown model preset {preset!r}; choose one of {sorted(PRESETS)}") from None
