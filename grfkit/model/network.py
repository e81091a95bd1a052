"""The bidirectional-LSTM regressor: one network per target force component.

Architecture of :class:`BiLSTMRegressor` (built from a preset by
:func:`build_network`)::

    inputs (batch, 101, n_features), z-scored
      -> dropout (input_dropout)
      -> bidirectional LSTM (lstm_layers, hidden_size per direction)
      -> dropout
      -> at every time step: [Linear -> ReLU -> dropout] for each of dense_sizes
      -> Linear -> 1 value per time step
    output (batch, 101): force in body weights
"""

from __future__ import annotations

import torch
from torch import nn

from grfkit.model.presets import ModelPreset, get_preset

__all__ = ["BiLSTMRegressor", "build_network"]


class BiLSTMRegressor(nn.Module):
    """Bidirectional LSTM followed by a per-time-step dense head.

    Parameters
    ----------
    n_features
        Input channels.
    hidden_size
        LSTM units per direction.
    lstm_layers
        Stacked LSTM layers.
    dense_sizes
        Hidden dense layer widths (ReLU, then dropout, after each).
    input_dropout
        Dropout on the inputs.
    dropout
        Dropout after the LSTM, between LSTM layers and after hidden dense layers.

    Examples
    --------
    >>> net = BiLSTMRegressor(n_features=3, hidden_size=4, dense_sizes=(5,))
    >>> net(torch.zeros(2, 101, 3)).shape
    torch.Size([2, 101])
    """

    def __init__(
        self,
        n_features: int,
        hidden_size: int,
        lstm_layers: int = 1,
        dense_sizes: tuple[int, ...] = (64, 32),
        input_dropout: float = 0.2,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        self.input_dropout = nn.Dropout(input_dropout)
        self.lstm = nn.LSTM(
            input_size=n_features,
            hidden_size=hidden_size,
            num_layers=lstm_layers,
            batch_first=True,
            bidirectional=True,
            dropout=dropout if lstm_layers > 1 else 0.0,
        )
        self.lstm_dropout = nn.Dropout(dropout)
        layers: list[nn.Module] = []
        width = 2 * hidden_size
        for size in dense_sizes:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, 1))
        self.head = nn.Sequential(*layers)

    @property
    def n_features(self) -> int:
        """Input channels the network expects."""
        return self.lstm.input_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Estimate one force value per time step.

        Parameters
        ----------
        x
            Tensor ``(batch, time, n_features)``.

        Returns
        -------
        torch.Tensor
            ``(batch, time)``.
        """
        out, _ = self.lstm(self.input_dropout(x))
        return self.head(self.lstm_dropout(out)).squeeze(-1)


def build_network(preset: str | ModelPreset, n_features: int) -> BiLSTMRegressor:
    """Instantiate the network of a preset (weights from torch's current RNG state).

    Parameters
    ----------
    preset
        Preset name or object.
    n_features
        Input channels.

    Returns
    -------
    BiLSTMRegressor
        In training mode.
    """
    p = get_preset(preset)
    return BiLSTMRegressor(
        n_features=n_features,
        hidden_size=p.hidden_size,
        lstm_layers=p.lstm_layers,
        dense_sizes=p.dense_sizes,
        input_dropout=p.input_dropout,
        dropout=p.dropout,
    )
